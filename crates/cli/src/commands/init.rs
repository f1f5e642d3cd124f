//! `minutes init`: create a store holding the bundled record (or an empty one).

use std::io::Write;

use crate::context::Context;
use crate::error::Result;

/// Create a store holding the bundled WTPF-13 record. On an existing store that holds the
/// bundled meeting (or no meeting), add whichever bundled events it lacks (by id) and change
/// nothing else; a store of other meetings is refused and left as it was. With --empty, create
/// an empty store, ready to record a new meeting. No other command creates a store.
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
    let done = ctx.db.init(a.empty, ctx.now)?;
    let path = ctx.db.path.display();
    if a.json {
        writeln!(out, "{}", serde_json::json!({ "created": done.created, "added": done.added }))?;
    } else if done.created {
        writeln!(out, "created {path} holding {} events", done.added)?;
    } else {
        writeln!(out, "{path} exists; added {} bundled events it lacked", done.added)?;
    }
    Ok(())
}
