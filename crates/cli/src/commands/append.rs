//! `minutes append`: append one event read from standard input.

use std::io::{Read, Write};

use minutes_core::event::Event;
use minutes_query::zones::{meeting_zone, Zones};
use minutes_store::Store;
use serde_json::json;

use super::import::MAX_EVENT_BYTES;
use crate::context::Context;
use crate::error::{CliError, Result};

/// Append one event (a JSON object) read from standard input. Prints its seq and id only after
/// it is durably committed. An event already in the log (same id, same content) is a no-op that
/// prints the original seq and id, so a retry after a lost answer is safe. An event without an
/// "id" gets the id of its content (the same content appended again is the same event: give ids
/// to tell identical events apart). Times may also be YYYY-MM-DD HH:MM in the meeting's zone.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes append --expected-version 3 < amendment.json\n  echo '{\"id\": ..., \"type\": \"DraftEndorsed\", ...}' | minutes append --json\n  tail -f clerk-feed.jsonl | minutes append --stream"
)]
pub struct Args {
    /// Append only if the event's stream (its document, or the meeting) still holds N events;
    /// otherwise exit 3, since another clerk wrote first
    #[arg(long, value_name = "N")]
    expected_version: Option<u64>,
    /// Print {"seq": ..., "id": ...}
    #[arg(long)]
    json: bool,
    /// Read events as JSON Lines until standard input ends, appending each on its own as it
    /// arrives and printing each acknowledgement as soon as its commit is durable (a live
    /// clerk's feed); a refused event stops the feed with its line named
    #[arg(long, conflicts_with = "expected_version")]
    stream: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    // No write creates a store: a missing one is named before standard input is read.
    let mut store = ctx.write()?;
    if a.stream {
        return stream(&mut store, ctx, a.json, out);
    }
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_EVENT_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::Refused(format!("standard input cannot be read: {e}")))?;
    if buf.len() > MAX_EVENT_BYTES {
        return Err(CliError::Refused(
            "standard input: the event is longer than 1 MiB, the most one event may take".into(),
        ));
    }
    let text = std::str::from_utf8(&buf)
        .map_err(|e| CliError::Refused(format!("standard input: not UTF-8 (byte {})", e.valid_up_to())))?;
    let text = text.trim_start_matches('\u{feff}');
    let zones = Zones::default();
    let event = decode(&store, &zones, text).map_err(|e| e.within("standard input"))?;
    let appended = store
        .append(std::slice::from_ref(&event), a.expected_version, ctx.now)
        .map_err(|e| CliError::from(e).within("standard input"))?;
    let Some(x) = appended.first() else {
        return Err(CliError::Failed("the store acknowledged no event".into()));
    };
    acknowledge(out, x, a.json)?;
    warn_overlaps(&store, &event);
    Ok(())
}

/// Says on stderr which pending amendments a just-appended proposal touches the words of
/// (accepted all the same: a clerk records what was proposed).
fn warn_overlaps(store: &Store, e: &Event) {
    let minutes_core::event::EventKind::AmendmentProposed(p) = &e.kind else { return };
    for c in minutes_query::record::overlaps(store, e).unwrap_or_default() {
        super::say(&format!(
            "warning: amendment '{}' touches {}, as pending amendment '{}' does",
            p.amendment, c.words, c.with
        ));
    }
}

/// Reads one event of the input, its local times in the zone of its meeting in `store`.
fn decode(store: &Store, zones: &Zones, text: &str) -> Result<Event> {
    let event = Event::from_json_in(text, &|m| zones.of(m, || meeting_zone(store, m)))
        .map_err(|e| CliError::Refused(e.to_string()))?;
    zones.learn(&event);
    Ok(event)
}

fn acknowledge(out: &mut impl Write, x: &minutes_store::Appended, json: bool) -> Result<()> {
    if json {
        writeln!(out, "{}", json!({ "seq": x.seq, "id": x.id, "version": x.version, "existed": x.existed }))?;
    } else {
        writeln!(out, "{} {}", x.seq, x.id)?;
    }
    out.flush()?;
    Ok(())
}

/// Appends JSON Lines from standard input one by one, each acknowledged after its commit.
fn stream(store: &mut minutes_store::Store, ctx: &Context, json: bool, out: &mut impl Write) -> Result<()> {
    let stdin = std::io::stdin();
    let mut reader = std::io::BufReader::new(stdin.lock());
    let mut buf = Vec::new();
    let zones = Zones::default();
    for line_no in 1.. {
        buf.clear();
        let n = std::io::BufRead::read_until(
            &mut (&mut reader).take(MAX_EVENT_BYTES as u64 + 1),
            b'\n',
            &mut buf,
        )
        .map_err(|e| CliError::Refused(format!("standard input cannot be read: {e}")))?;
        if n == 0 {
            break;
        }
        let refused = |e: String| CliError::Refused(format!("standard input:{line_no}: {e}"));
        if buf.len() > MAX_EVENT_BYTES && !buf.ends_with(b"\n") {
            return Err(refused("the line is longer than 1 MiB, the most one event may take".into()));
        }
        let text = std::str::from_utf8(&buf)
            .map_err(|e| refused(format!("not UTF-8 (byte {})", e.valid_up_to())))?;
        if text.trim().is_empty() {
            continue;
        }
        let event =
            decode(store, &zones, text.trim()).map_err(|e| e.within(format!("standard input:{line_no}")))?;
        let appended = store
            .append(std::slice::from_ref(&event), None, ctx.now)
            .map_err(|e| CliError::from(e).within(format!("standard input:{line_no}")))?;
        if let Some(x) = appended.first() {
            acknowledge(out, x, json)?;
            warn_overlaps(store, &event);
        }
    }
    Ok(())
}
