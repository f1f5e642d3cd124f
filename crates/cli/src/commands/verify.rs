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
    let ok = report.ok() && snapshots.problem.is_none();
    if a.json {
        let problem = report.problem.as_ref().map(|p| json!({ "seq": p.seq, "what": p.what }));
        let snaps =
            json!({ "checked": snapshots.checked, "problem": snapshots.problem, "note": snapshots.note });
        writeln!(
            out,
            "{}",
            json!({ "ok": ok, "events": report.events, "head": report.head, "problem": problem,
                "size": report.size, "root": report.root, "snapshots": snaps })
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
    }
    if let Some(n) = &snapshots.note {
        super::say(&format!("note: {n}"));
    }
    if let Some(p) = report.problem {
        return Err(CliError::Refused(format!("verify failed at seq {}: {}", p.seq, p.what)));
    }
    match snapshots.problem {
        None => Ok(()),
        Some(p) => Err(CliError::Refused(format!("verify failed: {p}"))),
    }
}
