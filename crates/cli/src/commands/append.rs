//! `minutes append`: append one event read from standard input.

use std::io::{Read, Write};

use minutes_core::event::Event;
use serde_json::{json, Value};

use super::import::MAX_EVENT_BYTES;
use crate::context::Context;
use crate::error::{CliError, Result};

/// Append one event (a JSON object) read from standard input. Prints its seq and id only after
/// it is durably committed. An event already in the log (same id, same content) is a no-op that
/// prints the original seq and id, so a retry after a lost answer is safe. An event without an
/// "id" gets a new UUIDv7.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  minutes append --expected-version 3 < amendment.json\n  echo '{\"id\": ..., \"type\": \"DraftEndorsed\", ...}' | minutes append --json")]
pub struct Args {
    /// Append only if the event's stream (its document, or the meeting) still holds N events;
    /// otherwise exit 3, since another clerk wrote first
    #[arg(long, value_name = "N")]
    expected_version: Option<u64>,
    /// Print {"seq": ..., "id": ...}
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_EVENT_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::Refused(format!("standard input cannot be read: {e}")))?;
    if buf.len() > MAX_EVENT_BYTES {
        return Err(CliError::Refused("standard input: the event is longer than 1 MiB, the most one event may take".into()));
    }
    let text = std::str::from_utf8(&buf).map_err(|e| CliError::Refused(format!("standard input: not UTF-8 (byte {})", e.valid_up_to())))?;
    let mut value: Value = serde_json::from_str(text).map_err(|e| CliError::Refused(format!("standard input: {e}")))?;
    if let Some(obj) = value.as_object_mut() {
        obj.entry("id").or_insert_with(|| json!(uuid::Uuid::now_v7()));
    }
    let event = Event::from_value(value).map_err(|e| CliError::Refused(format!("standard input: {e}")))?;
    let appended = ctx.write(|store| Ok(store.append(std::slice::from_ref(&event), a.expected_version, ctx.now)?))?;
    let Some(x) = appended.first() else {
        return Err(CliError::Store("the store acknowledged no event".into()));
    };
    if a.json {
        writeln!(out, "{}", json!({ "seq": x.seq, "id": x.id, "version": x.version, "existed": x.existed }))?;
    } else {
        writeln!(out, "{} {}", x.seq, x.id)?;
    }
    Ok(())
}
