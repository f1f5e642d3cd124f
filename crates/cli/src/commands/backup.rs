//! `minutes backup`: a consistent, verified copy of a live store.

use std::io::Write;
use std::path::PathBuf;

use minutes_store::Store;
use serde_json::json;

use crate::context::Context;
use crate::error::{CliError, Result};

/// Copy the store to DEST while writers go on: a consistent copy of every committed event
/// (those still in the writer's -wal file included, which a plain file copy of the .db can
/// miss while a writer is open, and such a shorter copy would still pass verify). The copy is
/// durable before it appears under its name, then verified; it prints the events and the head
/// it holds. DEST must not exist; the store must (the bundled record is not backed up).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes --db council.db backup council-2030-03-02.db\n  minutes backup /media/usb/minutes.db --json"
)]
pub struct Args {
    /// Where the copy goes (a new file)
    dest: PathBuf,
    /// Print one JSON object: dest, events, head
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    if !ctx.db.is_server() && !ctx.db.path.exists() {
        return Err(CliError::Failed(format!(
            "no store at {}: there is nothing to back up (name one with --db)",
            ctx.db.path.display()
        )));
    }
    let store = ctx.read()?;
    store.backup_to(&a.dest)?;
    let copy = Store::open_read_only(&a.dest)?;
    let report = copy.verify(None)?;
    if let Some(p) = report.problem {
        return Err(CliError::Failed(format!(
            "the copy at {} does not verify (seq {}: {}); it was left there for inspection",
            a.dest.display(),
            p.seq,
            p.what
        )));
    }
    if a.json {
        writeln!(
            out,
            "{}",
            json!({ "dest": a.dest.display().to_string(), "events": report.events, "head": report.head })
        )?;
    } else {
        let head = report.head.as_deref().unwrap_or("none (empty log)");
        writeln!(out, "backed up {} events to {}; head {head}", report.events, a.dest.display())?;
    }
    Ok(())
}
