//! Output: events and states as a person reads them (local times, names) and as JSON.

use chrono_tz::Tz;
use minutes_core::event::Recorded;
use minutes_core::id::DocumentName;
use minutes_core::project::document::{Amendment, DocumentAt};
use minutes_core::project::meeting::MeetingState;
use minutes_core::project::timeline::Timeline;
use minutes_core::project::EventRef;
use minutes_core::rules::{amendment_status_name, status_name};
use minutes_core::time::{rfc3339, show_window, Timestamp};
use serde_json::{json, Value};

/// Width of the time column of event lines.
const WHEN: usize = 34;

/// `s` with every control character shown as an escape (`\u{1b}`), so that names and summaries
/// from the log can never move the terminal's cursor, change its colours or forge a line.
pub fn printable(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// Like [`printable`], but keeps line breaks: for a text whose paragraphs are lines.
pub fn printable_text(s: &str) -> String {
    s.split('\n').map(printable).collect::<Vec<_>>().join("\n")
}

/// One event on one line: when (local time), the body, what happened.
pub fn event_line(r: &Recorded, timeline: &Timeline, zone: Tz) -> String {
    let when = show_window(&r.event.occurred, zone);
    let body = r.event.body.as_ref().map_or("-", |b| b.as_str());
    format!("{when:<WHEN$} {body:<18} {}", printable(&timeline.describe(&r.event)))
}

/// An event as `replay --json` prints it.
pub fn event_json(r: &Recorded) -> String {
    r.event.to_json_recorded(r.seq, r.version, &r.hash)
}

fn event_ref(e: &EventRef) -> Value {
    json!({ "id": e.id, "type": e.type_name, "occurred": e.occurred, "seq": e.seq })
}

fn amendment_json(a: &Amendment) -> Value {
    json!({
        "id": a.id,
        "proposed_by": a.proposed_by,
        "status": amendment_status_name(a.status),
        "wording_known": a.wording_known,
        "summary": a.summary,
        "body": a.body,
        "proposed": event_ref(&a.proposed),
        "decided": a.decided.as_ref().map(event_ref),
    })
}

/// The state of a document at a moment, as `state --json` prints it.
pub fn state_json(doc: &DocumentName, at: &Timestamp, zone: Tz, version: u64, view: &DocumentAt) -> Value {
    let s = view.state.as_ref();
    let mut v = json!({
        "document": doc,
        "at": rfc3339(&at.with_timezone(&zone).fixed_offset()),
        "status": s.map(|s| status_name(s.status)),
        "version": version,
        "body": s.and_then(|s| s.body.clone()),
        "title": s.map(|s| s.title.clone()),
        "symbols": s.map(|s| s.symbols.clone()).unwrap_or_default(),
        "text": s.and_then(|s| s.text.as_ref()).map(|t| t.render()),
        "amendments": s.map(|s| s.amendments.iter().map(amendment_json).collect::<Vec<_>>()).unwrap_or_default(),
        "uncertain": view.uncertain.iter().map(|u| json!({ "id": u.id, "type": u.type_name, "occurred": u.occurred })).collect::<Vec<_>>(),
    });
    if let Some(s) = s.filter(|s| !s.problems.is_empty()) {
        v["problems"] = json!(s.problems);
    }
    v
}

/// The state of a document at a moment, for a person.
pub fn state_text(doc: &DocumentName, at: &Timestamp, m: &MeetingState, version: u64, view: &DocumentAt) -> String {
    let zone = m.zone;
    let mut out = String::new();
    let when = minutes_core::time::show_local(at, zone);
    let Some(s) = &view.state else {
        out.push_str(&format!("{doc}\nAt {when} ({zone}): not yet tabled (log version {version})\n"));
        push_uncertain(&mut out, view, zone);
        return out;
    };
    let symbols = if s.symbols.is_empty() { String::new() } else { format!(" [{}]", s.symbols.join(", ")) };
    out.push_str(&format!("{}{} ({doc})\n", printable(&s.title), printable(&symbols)));
    let body = s.body.as_ref().map(|b| format!(", before {}", printable(m.body_name(b)))).unwrap_or_default();
    out.push_str(&format!("At {when} ({zone}): {}{body} (log version {version})\n", status_name(s.status).replace('_', " ")));
    if !s.amendments.is_empty() {
        out.push_str("\nAmendments\n");
        for a in &s.amendments {
            let who = if a.proposed_by.is_empty() { "(proposer not named)".to_string() } else { printable(&m.names(&a.proposed_by)) };
            let words = if a.wording_known { "" } else { " (wording not recorded)" };
            out.push_str(&format!(
                "  {}  {who}: {}  [{}]{words}\n",
                a.id,
                printable(&a.summary),
                amendment_status_name(a.status).replace('_', " ")
            ));
        }
    }
    push_uncertain(&mut out, view, zone);
    for p in &s.problems {
        out.push_str(&format!("\nProblem: {p}\n"));
    }
    match &s.text {
        Some(t) => {
            out.push_str("\nText\n");
            for line in printable_text(&t.render()).lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        None => out.push_str("\nText: not given by the sources\n"),
    }
    out
}

fn push_uncertain(out: &mut String, view: &DocumentAt, zone: Tz) {
    if view.uncertain.is_empty() {
        return;
    }
    out.push_str("\nUncertain at this moment (may or may not have happened yet)\n");
    for u in &view.uncertain {
        out.push_str(&format!("  {:<WHEN$} {} ({})\n", show_window(&u.occurred, zone), u.type_name, u.id));
    }
}
