//! `minutes upgrade`: bring a store written by an older minutes up to date.

use std::io::Write;

use minutes_store::Store;
use serde_json::json;

use crate::context::Context;
use crate::error::{CliError, Result};

/// Bring a store written by an older minutes up to this one's schema, step by step in one
/// transaction. The log's rows are never changed (their hashes and anchored heads stay valid);
/// derived tables of an older shape are dropped, to be rebuilt (`minutes snapshots`, and the
/// next writes). Every other command refuses an older store, naming this one.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes --db council.db upgrade\n  minutes --db council.db upgrade --json"
)]
pub struct Args {
    /// Print one JSON object: from, to
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    if !ctx.db.is_server() && !ctx.db.path.exists() {
        return Err(CliError::Failed(format!(
            "no store at {}: there is nothing to upgrade (name one with --db)",
            ctx.db.path.display()
        )));
    }
    let done = Store::upgrade(&ctx.db.path)?;
    let path = ctx.db.path.display();
    if a.json {
        writeln!(out, "{}", json!({ "from": done.from, "to": done.to }))?;
    } else if done.from == done.to {
        writeln!(out, "{path} is up to date (schema version {})", done.to)?;
    } else {
        writeln!(out, "upgraded {path} from schema version {} to {}", done.from, done.to)?;
    }
    Ok(())
}
