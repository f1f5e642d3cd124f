//! `minutes migrate`: a record copied between backends (a SQLite file and a PostgreSQL
//! database, either way), proved the same by its head and Merkle root.

use std::io::Write;
use std::path::PathBuf;

use minutes_store::{Store, StoreError};
use serde_json::json;

use crate::context::Context;
use crate::error::{CliError, Result};

/// Copy a record into a new store on another backend (or the same): every row of the log as
/// stored, byte for byte, in one transaction. The source must verify; the copy is verified
/// against the source's head (as `verify --head` does) and must have the same Merkle root,
/// or the command fails. FROM and TO are store locations as --db takes them (a file, or a
/// postgres:// URL without a password); TO must be a new file or a database without a
/// minutes store. The derived snapshots are not copied (`minutes snapshots` builds them).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes migrate --from council.db --to 'postgres://db.example/minutes?user=clerk'\n  minutes migrate --from 'postgres://db.example/minutes?user=clerk' --to copy.db --json"
)]
pub struct Args {
    /// The store to copy (a file, or a postgres:// URL)
    #[arg(long, value_name = "PATH|URL")]
    from: PathBuf,
    /// The new store (a file that does not exist, or a postgres:// URL of a database without a
    /// minutes store)
    #[arg(long, value_name = "PATH|URL")]
    to: PathBuf,
    /// Print one JSON object: from, to, events, head, size, root
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(_ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let missing =
        |p: &PathBuf| CliError::Failed(format!("no store at {}: there is nothing to migrate", p.display()));
    let src = match Store::open_read_only(&a.from) {
        Ok(s) => s,
        Err(StoreError::Missing(_)) => return Err(missing(&a.from)),
        Err(e) => return Err(e.into()),
    };
    let before = src.verify(None)?;
    if let Some(p) = &before.problem {
        return Err(CliError::Refused(format!(
            "{} does not verify (seq {}: {}): a log is migrated only whole and sound; nothing was written",
            a.from.display(),
            p.seq,
            p.what
        )));
    }
    let copied = src.copy_log_to(&a.to)?;
    let Some(copied) = copied else {
        return Err(CliError::Refused(format!(
            "{} holds a store already: migrate copies into a new store only; nothing was written",
            a.to.display()
        )));
    };
    let copy = Store::open_read_only(&a.to)?;
    let after = copy.verify(before.head.as_deref())?;
    if let Some(p) = &after.problem {
        return Err(CliError::Failed(format!(
            "the copy at {} does not verify against the source's head (seq {}: {})",
            a.to.display(),
            p.seq,
            p.what
        )));
    }
    if (after.events, &after.head, after.size, &after.root)
        != (before.events, &before.head, before.size, &before.root)
        || copied != before.events
    {
        return Err(CliError::Failed(format!(
            "the copy at {} is not the source's log: {} events, root {} (the source: {} events, root {})",
            a.to.display(),
            after.events,
            after.root,
            before.events,
            before.root
        )));
    }
    if a.json {
        writeln!(
            out,
            "{}",
            json!({
                "from": a.from.display().to_string(), "to": a.to.display().to_string(),
                "events": after.events, "head": after.head, "size": after.size, "root": after.root,
            })
        )?;
    } else {
        let head = after.head.as_deref().unwrap_or("none (empty log)");
        writeln!(
            out,
            "migrated {} events from {} to {}; head {head}, root {} (the same on both)",
            after.events,
            a.from.display(),
            a.to.display(),
            after.root
        )?;
    }
    Ok(())
}
