//! `minutes sync`: the events recorded offline in a local store pushed to the shared one.

use std::io::Write;
use std::path::PathBuf;

use minutes_store::{Store, StoreError};
use serde_json::json;

use crate::context::Context;
use crate::error::{CliError, Result};

/// Push to the shared store (TO, usually a postgres:// URL) the events of a local store (FROM,
/// recorded offline with the same verbs) that it lacks, in the local log's order, each judged
/// by the rules against the shared log as it stands: an event it holds already (the same id,
/// the same content) is skipped; one the rules now refuse (a fate another clerk recorded
/// meanwhile) is reported with its reason, and the others are appended. Everything accepted
/// goes in one transaction: all of it is committed, or (the database failing) none of it;
/// each event is written whole or not at all. Exit 0 when the shared store holds every local
/// event afterwards; exit 1 when some were refused (they are listed; the rest were pushed).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes sync --from laptop.db --to 'postgres://db.example/minutes?user=clerk'\n  minutes sync --from laptop.db --to 'postgres://db.example/minutes?user=clerk' --json"
)]
pub struct Args {
    /// The local store the events were recorded in (a file, or a postgres:// URL)
    #[arg(long, value_name = "PATH|URL")]
    from: PathBuf,
    /// The shared store that receives them (it must exist)
    #[arg(long, value_name = "PATH|URL")]
    to: PathBuf,
    /// Print one JSON object: pushed, existed, refused (a list of {seq, id, type, reason},
    /// seq being the event's place in the local log)
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let open = |p: &PathBuf, read_only: bool| {
        let opened = if read_only { Store::open_read_only(p) } else { Store::open(p) };
        opened.map_err(|e| match e {
            StoreError::Missing(_) => CliError::Failed(format!(
                "no store at {}: sync pushes from an existing store to an existing store",
                p.display()
            )),
            other => other.into(),
        })
    };
    let local = open(&a.from, true)?;
    let mut shared = open(&a.to, false)?;
    shared.set_clerk(ctx.clerk.clone());
    let recorded = local.events_after(0, u64::MAX)?;
    let items: Vec<_> = recorded.iter().map(|r| (r.event.clone(), None)).collect();
    let outcomes = shared.append_each(&items, ctx.now)?;
    let (mut pushed, mut existed, mut refused) = (0u64, 0u64, Vec::new());
    for (r, outcome) in recorded.iter().zip(outcomes) {
        match outcome {
            Ok(x) if x.existed => existed += 1,
            Ok(_) => pushed += 1,
            Err(e) => {
                let reason = match e {
                    StoreError::Refused { refusal, .. } => refusal.to_string(),
                    other => other.to_string(),
                };
                refused.push((r.seq, r.event.id, r.event.type_name(), reason));
            }
        }
    }
    if a.json {
        let list: Vec<_> = refused
            .iter()
            .map(|(seq, id, ty, reason)| json!({ "seq": seq, "id": id.to_string(), "type": ty, "reason": reason }))
            .collect();
        writeln!(out, "{}", json!({ "pushed": pushed, "existed": existed, "refused": list }))?;
    } else {
        writeln!(
            out,
            "pushed {pushed} events to {}; {existed} were there already; {} refused",
            a.to.display(),
            refused.len()
        )?;
        for (seq, id, ty, reason) in &refused {
            writeln!(out, "refused: local seq {seq} {ty} {id}: {reason}")?;
        }
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(CliError::Refused(format!(
            "{} of the local events were refused by the rules against {} (listed above); the {pushed} others were pushed",
            refused.len(),
            a.to.display()
        )))
    }
}
