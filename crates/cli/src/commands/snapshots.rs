//! `minutes snapshots`: rebuild the derived snapshots that state queries start from.

use std::io::Write;

use serde_json::json;

use crate::context::Context;
use crate::error::Result;

/// Rebuild the document snapshots of the store: the state of each document after its first
/// events, which `state` starts from instead of folding them again. They are derived data:
/// dropped and built anew from the log, never trusted over it (a snapshot that no longer holds
/// is passed over), so this can be run at any time, for instance after a large import.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  minutes snapshots\n  minutes --db forum.db snapshots --json")]
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
