//! `minutes snapshots`: rebuild the derived snapshots that state queries start from.

use std::io::Write;

use serde_json::json;

use crate::context::Context;
use crate::error::Result;

/// Rebuild the document snapshots of the store: the state of each document after its first
/// events, which `state` starts from instead of folding them again. They are derived data:
/// dropped and built anew from the log, never trusted over it (a snapshot that no longer holds
/// is passed over), so this can be run at any time, for instance after a large import. Each is
/// bound to the log's row it was folded to and digested (and signed under --snapshot-key when
/// given). The writes' stream checkpoints are dropped too, to be built anew by the next writes.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes snapshots\n  minutes --db forum.db snapshots --json\n  minutes --snapshot-key /secure/minutes.key snapshots"
)]
pub struct Args {
    /// Print one JSON object: snapshots, seconds
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let mut store = ctx.write()?;
    let start = std::time::Instant::now();
    let n = store.rebuild_snapshots(None)?;
    // The write path's stream checkpoints are derived too: dropped, so that the writes that
    // follow build them anew (signed under the snapshot key, when one is given).
    store.drop_checkpoints()?;
    let secs = start.elapsed().as_secs_f64();
    if a.json {
        writeln!(out, "{}", json!({ "snapshots": n, "seconds": (secs * 100.0).round() / 100.0 }))?;
    } else {
        writeln!(
            out,
            "rebuilt {n} document snapshot{} in {}",
            if n == 1 { "" } else { "s" },
            ctx.db.path.display()
        )?;
    }
    Ok(())
}
