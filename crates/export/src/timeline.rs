//! A meeting's timeline for spreadsheets and notebooks: one row an event, in replay order (the
//! rows of `Reader::replay`), with local times, the window and its certainty, the body, the
//! actors by id and by name, the document and its amendment, what happened, and the source.
//! CSV (RFC 4180, a header row, UTF-8) or JSON Lines with the same fields.

use minutes_core::event::{EventKind, Recorded};
use minutes_core::project::meeting::MeetingState;
use minutes_core::time::show_local;
use minutes_query::view::EventEntry;
use minutes_query::{Reader, ReplayFilter};
use serde::Serialize;

use crate::common::{local, window};
use crate::error::{ExportError, Result};

/// One row of the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The event's place in the log.
    pub seq: u64,
    /// The event's id.
    pub id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The start of its window, RFC 3339 in the meeting's zone (empty when unbounded).
    pub occurred_from: String,
    /// The end of its window, RFC 3339 in the meeting's zone (empty when unbounded).
    pub occurred_to: String,
    /// The window for a person, in local time (`2013-05-15 09:30–10:10`).
    pub local_time: String,
    /// The local date of the window's start (or end).
    pub local_date: String,
    /// `exact` (the sources give the moment), `window` (both bounds), or `open` (one bound).
    pub certainty: String,
    /// The body's id.
    pub body: String,
    /// The body's printed name.
    pub body_name: String,
    /// The actors' ids, `;`-separated in CSV.
    pub actors: Vec<String>,
    /// The actors' printed names, `;`-separated in CSV.
    pub actor_names: Vec<String>,
    /// The document's name.
    pub document: String,
    /// The amendment the event proposes or decides.
    pub amendment: String,
    /// What happened, in a line.
    pub description: String,
    /// The source file.
    pub source_file: String,
    /// The section of the source.
    pub source_section: String,
    /// The quote from the source.
    pub source_quote: String,
    /// When the record learned of it.
    pub recorded_at: String,
    /// The recorder's remark, if any.
    pub note: String,
}

/// The timeline's rows, as `replay` orders and filters them.
pub fn rows(reader: &Reader<'_>, meeting: &str, filter: &ReplayFilter) -> Result<Vec<Row>> {
    let view = reader.replay(meeting, filter)?;
    let Some(m) = &view.meeting else { return Ok(Vec::new()) };
    Ok(view.events.iter().map(|e| row(e, m)).collect())
}

/// The timeline as CSV: a header row, then one row an event.
pub fn csv(reader: &Reader<'_>, meeting: &str, filter: &ReplayFilter) -> Result<String> {
    let mut w = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(Vec::new());
    w.write_record(HEADER).map_err(write_err)?;
    for r in rows(reader, meeting, filter)? {
        w.write_record([
            r.seq.to_string(),
            r.id,
            r.type_name,
            r.occurred_from,
            r.occurred_to,
            r.local_time,
            r.local_date,
            r.certainty,
            r.body,
            r.body_name,
            r.actors.join(";"),
            r.actor_names.join(";"),
            r.document,
            r.amendment,
            r.description,
            r.source_file,
            r.source_section,
            r.source_quote,
            r.recorded_at,
            r.note,
        ])
        .map_err(write_err)?;
    }
    let bytes = w.into_inner().map_err(|e| ExportError::Write(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ExportError::Write(e.to_string()))
}

/// The timeline as JSON Lines: one object an event, with the fields of the CSV.
pub fn jsonl(reader: &Reader<'_>, meeting: &str, filter: &ReplayFilter) -> Result<String> {
    let mut out = String::new();
    for r in rows(reader, meeting, filter)? {
        out.push_str(&serde_json::to_string(&r).map_err(|e| ExportError::Write(e.to_string()))?);
        out.push('\n');
    }
    Ok(out)
}

/// The CSV's header row.
pub const HEADER: [&str; 20] = [
    "seq",
    "id",
    "type",
    "occurred_from",
    "occurred_to",
    "local_time",
    "local_date",
    "certainty",
    "body",
    "body_name",
    "actors",
    "actor_names",
    "document",
    "amendment",
    "description",
    "source_file",
    "source_section",
    "source_quote",
    "recorded_at",
    "note",
];

fn write_err(e: ::csv::Error) -> ExportError {
    ExportError::Write(e.to_string())
}

fn row(e: &EventEntry, m: &MeetingState) -> Row {
    let r: &Recorded = &e.recorded;
    let ev = &r.event;
    let w = ev.occurred;
    let certainty = match (w.from, w.to) {
        (Some(a), Some(b)) if a == b => "exact",
        (Some(_), Some(_)) => "window",
        _ => "open",
    };
    let source = ev.source.as_ref();
    Row {
        seq: r.seq,
        id: ev.id.to_string(),
        type_name: ev.kind.type_name().to_string(),
        occurred_from: w.from.map(|t| local(&t, m.zone)).unwrap_or_default(),
        occurred_to: w.to.map(|t| local(&t, m.zone)).unwrap_or_default(),
        local_time: window(&w, m.zone),
        local_date: w.from.or(w.to).map(|t| show_local(&t, m.zone)[..10].to_string()).unwrap_or_default(),
        certainty: certainty.to_string(),
        body: ev.body.as_ref().map(|b| b.as_str().to_string()).unwrap_or_default(),
        body_name: ev.body.as_ref().map(|b| m.body_name(b).to_string()).unwrap_or_default(),
        actors: ev.actors.iter().map(|a| a.as_str().to_string()).collect(),
        actor_names: ev.actors.iter().map(|a| m.actor_name(a).to_string()).collect(),
        document: ev.document.as_ref().map(|d| d.to_string()).unwrap_or_default(),
        amendment: amendment(&ev.kind).unwrap_or_default(),
        description: e.description.clone(),
        source_file: source.map(|s| s.file.clone()).unwrap_or_default(),
        source_section: source.map(|s| s.section.clone()).unwrap_or_default(),
        source_quote: source.map(|s| s.quote.clone()).unwrap_or_default(),
        recorded_at: ev.recorded_at.map(|t| local(&t, m.zone)).unwrap_or_default(),
        note: ev.note.clone().unwrap_or_default(),
    }
}

/// The amendment an event proposes or decides.
pub(crate) fn amendment(k: &EventKind) -> Option<String> {
    match k {
        EventKind::AmendmentProposed(p) => Some(p.amendment.to_string()),
        EventKind::AmendmentWithdrawn(a) => Some(a.amendment.to_string()),
        EventKind::AmendmentReferredToReport(a) => Some(a.amendment.to_string()),
        EventKind::AmendmentAccepted(a) => Some(a.amendment.to_string()),
        EventKind::AmendmentRejected(a) => Some(a.amendment.to_string()),
        _ => None,
    }
}
