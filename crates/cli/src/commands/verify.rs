//! `minutes verify`: check the whole log: every row decodes and the hash chain holds.

use std::io::Write;

use serde_json::json;

use crate::context::Context;
use crate::error::{CliError, Result};

/// Check the whole log: every event decodes, agrees with its row, and continues the hash chain
/// (each row's hash covers the bytes stored and the row before). Exit 1 naming the first bad
/// seq. Print the head hash to anchor the log elsewhere; --head proves the log still holds an
/// anchored head and extends it. Every derived snapshot and checkpoint is checked too (its digest, its MAC
/// under --snapshot-key, its binding to the log) and refolded from the log and compared; one
/// that does not hold fails verify, naming it.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes verify\n  minutes verify --json\n  minutes verify --head 3f1c...e2"
)]
pub struct Args {
    /// A head hash printed earlier: the log must still contain it and extend it
    #[arg(long, value_name = "HASH")]
    head: Option<String>,
    /// A signed checkpoint published earlier (`minutes checkpoint`): the log must extend it
    #[arg(long, value_name = "FILE", requires = "pubkey")]
    checkpoint: Option<std::path::PathBuf>,
    /// The verifier key of the checkpoint's signer (NAME+ID+KEY, `minutes keygen` writes it)
    #[arg(long, value_name = "FILE", requires = "checkpoint")]
    pubkey: Option<std::path::PathBuf>,
    /// Print one JSON object: ok, events, head, problem, size and root (the Merkle tree head),
    /// snapshots
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let store = ctx.read()?;
    let report = store.verify(a.head.as_deref())?;
    // The derived snapshots and checkpoints, refolded and compared, once the log itself holds.
    let snapshots = if report.ok() { store.verify_snapshots()? } else { Default::default() };
    // A published checkpoint the log must extend, once the log itself holds.
    let checkpoint = match (&a.checkpoint, &a.pubkey, report.ok()) {
        (Some(c), Some(k), true) => {
            let (note, vkey) =
                (super::checkpoint::read(c, "checkpoint")?, super::checkpoint::read(k, "verifier key")?);
            Some(
                minutes_query::Reader::new(&store, ctx.now)
                    .check_checkpoint(&note, &vkey)
                    .map_err(|e| e.to_string()),
            )
        }
        _ => None,
    };
    let checkpoint_problem = checkpoint.as_ref().and_then(|c| c.as_ref().err().cloned());
    let ok = report.ok() && snapshots.problem.is_none() && checkpoint_problem.is_none();
    if a.json {
        let problem = report.problem.as_ref().map(|p| json!({ "seq": p.seq, "what": p.what }));
        let snaps =
            json!({ "checked": snapshots.checked, "problem": snapshots.problem, "note": snapshots.note });
        writeln!(
            out,
            "{}",
            json!({ "ok": ok, "events": report.events, "head": report.head, "problem": problem,
                "size": report.size, "root": report.root, "snapshots": snaps,
                "checkpoint": checkpoint.as_ref().map(|c| match c {
                    Ok(v) => json!({ "ok": true, "origin": v.origin, "size": v.size, "root": v.root, "signed_by": v.signed_by }),
                    Err(e) => json!({ "ok": false, "problem": e }),
                }) })
        )?;
    } else if ok {
        let head = report.head.as_deref().unwrap_or("none (empty log)");
        let snaps = match snapshots.checked {
            0 => String::new(),
            n => {
                format!("; {n} derived row{} (snapshots, checkpoints) checked", if n == 1 { "" } else { "s" })
            }
        };
        writeln!(out, "ok: {} events, chain intact; head {head}{snaps}", report.events)?;
        if let Some(Ok(c)) = &checkpoint {
            writeln!(
                out,
                "ok: the log extends the checkpoint of {} events signed by {} ({})",
                c.size, c.signed_by, c.origin
            )?;
        }
    }
    if let Some(n) = &snapshots.note {
        super::say(&format!("note: {n}"));
    }
    if let Some(p) = report.problem {
        return Err(CliError::Refused(format!("verify failed at seq {}: {}", p.seq, p.what)));
    }
    if let Some(p) = snapshots.problem {
        return Err(CliError::Refused(format!("verify failed: {p}")));
    }
    match checkpoint_problem {
        None => Ok(()),
        Some(p) => Err(CliError::Refused(format!("verify failed: {p}"))),
    }
}
