//! `minutes init`: create a store holding the bundled record (or an empty one).

use std::io::Write;

use minutes_store::Store;

use crate::context::{bundled_events, Context};
use crate::error::{CliError, Result};

/// Create a store holding the bundled WTPF-13 record. On an existing store, add whichever
/// bundled events it lacks (by id) and change nothing else. With --empty, create an empty store,
/// ready to record a new meeting.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  minutes init\n  minutes --db council.db init --empty")]
pub struct Args {
    /// Create an empty store instead
    #[arg(long)]
    empty: bool,
    /// Print one JSON object: created, added
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let events = if a.empty { Vec::new() } else { bundled_events()? };
    if ctx.db.exists() {
        let mut store = Store::open(&ctx.db)?;
        let added = store.append(&events, None, ctx.now)?.iter().filter(|x| !x.existed).count();
        if a.json {
            writeln!(out, "{}", serde_json::json!({ "created": false, "added": added }))?;
        } else {
            writeln!(out, "{} exists; added {added} bundled events it lacked", ctx.db.display())?;
        }
        return Ok(());
    }
    let created = Store::create_with(&ctx.db, |s| -> Result<usize> { Ok(s.append(&events, None, ctx.now)?.len()) })?;
    match created {
        Some(n) if a.json => writeln!(out, "{}", serde_json::json!({ "created": true, "added": n }))?,
        Some(n) => writeln!(out, "created {} holding {n} events", ctx.db.display())?,
        None => return Err(CliError::Conflict(format!("{} was created by another process meanwhile", ctx.db.display()))),
    }
    Ok(())
}
