//! `minutes blame`: each line of a document's text with the event that gave it its wording.

use std::collections::HashMap;
use std::io::Write;

use minutes_core::event::Recorded;
use minutes_core::project::document::{document_at, Origin};
use minutes_core::project::EventRef;
use minutes_core::time::{show_window, TimeArg};
use serde_json::{json, Value};

use crate::context::Context;
use crate::error::{CliError, Result};
use crate::render;

/// Show each line of a document's text as it stood at a moment, with the event that gave it
/// its current wording: the tabling of the draft, a revision, or an accepted amendment (who
/// proposed it, when, and the source that says so).
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  minutes blame wtpf-13/opinion-2\n  minutes blame wtpf-13/opinion-5 --at \"2013-05-16 12:00\" --json")]
pub struct Args {
    #[command(flatten)]
    doc: super::DocumentArgs,
    /// The moment [default: now]
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    at: Option<TimeArg>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let super::DocumentRecord { name: doc, meeting: m, events, .. } = a.doc.read(&ctx.read()?)?;
    let at = super::moment(a.at.as_ref(), m.zone, ctx.now)?;
    let view = document_at(&events, &at);
    let Some(state) = view.state else {
        return Err(CliError::Refused(format!("{doc} was not yet tabled at that moment")));
    };
    let Some(text) = &state.text else {
        return Err(CliError::Refused(format!("the sources give no text of {doc}")));
    };
    let by_id: HashMap<_, &Recorded> = events.iter().map(|r| (r.event.id, r)).collect();
    let first = events.iter().min_by_key(|r| r.seq).map(|r| Origin { event: EventRef::of(r), amendment: None });
    let mut lines = Vec::new();
    for line in text.lines() {
        let origin = line.path.as_ref().and_then(|p| state.origins.get(p)).or(first.as_ref());
        lines.push((line, origin));
    }
    if a.json {
        let v: Vec<Value> = lines
            .iter()
            .map(|(l, o)| {
                json!({
                    "path": l.path.as_ref().map(ToString::to_string),
                    "text": l.text,
                    "origin": o.map(|o| origin_json(o, &state, &by_id)),
                })
            })
            .collect();
        writeln!(out, "{}", json!({ "document": doc, "at": minutes_core::time::rfc3339(&at), "lines": v }))?;
        return Ok(());
    }
    for (l, o) in &lines {
        let who = match o {
            None => "?".to_string(),
            Some(Origin { amendment: Some(id), event }) => {
                let am = state.amendment(id);
                let by = am.map(|x| if x.proposed_by.is_empty() { "unnamed".to_string() } else { m.names(&x.proposed_by) }).unwrap_or_default();
                format!("{id} ({by}, accepted {})", show_window(&event.occurred, m.zone))
            }
            Some(Origin { amendment: None, event }) => format!("{} {}", verb(event.type_name), show_window(&event.occurred, m.zone)),
        };
        writeln!(out, "{:<60} | {}", render::printable(&who), render::printable_text(&l.text))?;
    }
    Ok(())
}

fn verb(type_name: &str) -> &'static str {
    match type_name {
        "DocumentRevised" => "revised",
        _ => "tabled",
    }
}

fn origin_json(o: &Origin, state: &minutes_core::project::document::DocumentState, by_id: &HashMap<minutes_core::id::EventId, &Recorded>) -> Value {
    let source = |id| by_id.get(&id).and_then(|r| r.event.source.clone());
    let amendment = o.amendment.as_ref().and_then(|id| state.amendment(id)).map(|x| {
        json!({
            "id": x.id,
            "proposed_by": x.proposed_by,
            "body": x.body,
            "summary": x.summary,
            "proposed": { "id": x.proposed.id, "occurred": x.proposed.occurred, "source": source(x.proposed.id) },
        })
    });
    json!({
        "event": { "id": o.event.id, "type": o.event.type_name, "occurred": o.event.occurred, "seq": o.event.seq, "source": source(o.event.id) },
        "amendment": amendment,
    })
}
