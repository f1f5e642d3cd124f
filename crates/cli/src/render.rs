//! The views of `minutes_query` as a person reads them: local times, names, clause paths. The
//! JSON form is the view itself; this is the other rendering of the same struct.

use std::fmt::Write as _;
use std::io::Write;

use minutes_core::id::ActorId;
use minutes_core::project::diff::{marked, ChangeKind};
use minutes_core::project::meeting::MeetingState;
use minutes_core::time::{show_local, show_window, Timestamp};
use minutes_query::view::{BlameView, DiffView, EventsView, ListingView, StateView};

use crate::error::Result;

/// Width of the time column of event lines.
const WHEN: usize = 34;

/// `s` with every control character and every bidirectional control shown as an escape
/// (`\u{1b}`, `\u{202e}`), so that names and summaries from the log or the input can never move
/// the terminal's cursor, change its colours or title, forge a line, or reorder what is shown.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if unsafe_to_show(c) { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
}

/// Whether a character must not reach the terminal raw: a control character, or one of the
/// bidirectional controls (embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069,
/// the marks U+200E and U+200F).
fn unsafe_to_show(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Like [`printable`], but keeps line breaks: for a text whose paragraphs are lines.
pub fn printable_text(s: &str) -> String {
    s.split('\n').map(printable).collect::<Vec<_>>().join("\n")
}

/// Who proposed something, for a person.
fn who(m: &MeetingState, ids: &[ActorId]) -> String {
    if ids.is_empty() {
        "(proposer not named)".to_string()
    } else {
        printable(&m.names(ids))
    }
}

/// A moment printed in RFC 3339 by a view, shown as local time.
fn local(rfc: &str, m: &MeetingState) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc)
        .map(|t: Timestamp| show_local(&t, m.zone))
        .unwrap_or_else(|_| rfc.to_string())
}

/// `state` for a person.
pub fn state(v: &StateView) -> String {
    let m = &v.meeting;
    let zone = m.zone;
    let mut out = String::new();
    let when = local(&v.at, m);
    let recorded =
        v.as_recorded_at.as_ref().map(|r| format!(", as recorded by {}", local(r, m))).unwrap_or_default();
    let (Some(status), Some(title)) = (v.status, &v.title) else {
        let _ = writeln!(
            out,
            "{}\nAt {when} ({zone}){recorded}: not yet tabled (stream version {})",
            v.document, v.version
        );
        uncertain(&mut out, v);
        return out;
    };
    let symbols = if v.symbols.is_empty() { String::new() } else { format!(" [{}]", v.symbols.join(", ")) };
    let _ = writeln!(out, "{}{} ({})", printable(title), printable(&symbols), v.document);
    let body = v.body.as_ref().map(|b| format!(", before {}", printable(m.body_name(b)))).unwrap_or_default();
    let _ = writeln!(
        out,
        "At {when} ({zone}){recorded}: {}{body} (stream version {})",
        status.replace('_', " "),
        v.version
    );
    if !v.amendments.is_empty() {
        out.push_str("\nAmendments\n");
        for a in &v.amendments {
            let words = if a.wording_known { "" } else { " (wording not recorded)" };
            let _ = writeln!(
                out,
                "  {}  {}: {}  [{}]{words}",
                a.id,
                who(m, &a.proposed_by),
                printable(&a.summary),
                a.status.replace('_', " ")
            );
        }
    }
    if !v.may_be_pending.is_empty() {
        out.push_str("\nMay be pending at this moment (not certainly)\n");
        for p in &v.may_be_pending {
            let why = match (p.why, p.fate) {
                ("proposal_uncertain", _) => "may not have been proposed yet".to_string(),
                (_, Some(f)) => format!("may already be {}", f.replace('_', " ")),
                _ => "may already be decided".to_string(),
            };
            let _ =
                writeln!(out, "  {}  {}: {}  ({why})", p.id, who(m, &p.proposed_by), printable(&p.summary));
        }
    }
    if !v.conflicts.is_empty() {
        out.push_str("\nPending amendments that conflict\n");
        for c in &v.conflicts {
            let _ = writeln!(out, "  {} and {} both touch {}", c.amendment, c.with, printable(&c.words));
        }
    }
    uncertain(&mut out, v);
    for p in &v.problems {
        let _ = writeln!(out, "\nProblem: {}", printable(p));
    }
    match &v.text {
        Some(_) => {
            out.push_str("\nText\n");
            text(&mut out, v);
        }
        None => out.push_str("\nText: not given by the sources\n"),
    }
    out
}

/// The text of a state, each clause with its path and its label as printed, sub-clauses
/// indented under their clause.
fn text(out: &mut String, v: &StateView) {
    fn width(nodes: &[minutes_query::view::ClauseNode]) -> usize {
        nodes.iter().map(|n| n.path.len().max(width(&n.clauses))).max().unwrap_or(0)
    }
    fn walk(out: &mut String, nodes: &[minutes_query::view::ClauseNode], depth: usize, w: usize) {
        for n in nodes {
            let line = match (&n.heading, &n.label, &n.words) {
                (Some(h), _, _) => h.clone(),
                (None, label, words) => {
                    let words = words
                        .clone()
                        .flatten()
                        .unwrap_or_else(|| minutes_core::text::NOT_RECORDED.to_string());
                    match label {
                        Some(l) => format!("{l} {words}"),
                        None => words,
                    }
                }
            };
            let indent = "    ".repeat(depth.saturating_sub(1));
            for (i, para) in printable_text(&line).lines().enumerate() {
                let path = if i == 0 { n.path.as_str() } else { "" };
                let _ = writeln!(out, "  {path:<w$}  {indent}{para}");
            }
            walk(out, &n.clauses, depth + 1, w);
        }
    }
    let w = width(&v.clauses);
    let Some(t) = &v.text else { return };
    // The title and the preamble are the text's first two lines.
    for line in t.lines().take(2) {
        let _ = writeln!(out, "  {:<w$}  {}", "", printable(line));
    }
    walk(out, &v.clauses, 0, w);
}

fn uncertain(out: &mut String, v: &StateView) {
    if v.uncertain.is_empty() {
        return;
    }
    out.push_str("\nUncertain at this moment (may or may not have happened yet)\n");
    for u in &v.uncertain {
        let _ = writeln!(
            out,
            "  {:<WHEN$} {}",
            show_window(&u.occurred, v.meeting.zone),
            printable(&u.description)
        );
    }
}

/// `diff` for a person.
pub fn diff(v: &DiffView) -> String {
    let m = &v.meeting;
    let mut out = String::new();
    let _ = writeln!(out, "{}: from {} to {} ({})", v.document, local(&v.from, m), local(&v.to, m), m.zone);
    if v.amendments.is_empty() {
        out.push_str("No amendment accepted in between.\n");
    } else {
        out.push_str("Amendments accepted in between:\n");
        for x in &v.amendments {
            let when = x.accepted.as_ref().map(|d| show_window(&d.occurred, m.zone)).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}  {}: {}  (accepted {when})",
                x.id,
                who(m, &x.proposed_by),
                printable(&x.summary)
            );
        }
    }
    if v.changes.is_empty() {
        out.push_str("The text did not change.\n");
    }
    for c in &v.changes {
        let sign = match c.change {
            ChangeKind::Inserted => "+",
            ChangeKind::Deleted => "-",
            ChangeKind::Changed => "~",
        };
        let _ = writeln!(out, "\n{sign} {}", c.path);
        for line in printable_text(&marked(&c.words)).lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// `blame` for a person: who gave each line its wording, the line's path, the line.
pub fn blame(v: &BlameView) -> String {
    let m = &v.meeting;
    let w = v.lines.iter().filter_map(|l| l.path.as_ref()).map(String::len).max().unwrap_or(0);
    let mut out = String::new();
    for l in &v.lines {
        let who = match &l.origin {
            None => "?".to_string(),
            Some(o) => match &o.amendment {
                Some(a) => {
                    let by = if a.proposed_by.is_empty() {
                        // No proposer named: the body whose text it is, as the source says.
                        match &a.body {
                            Some(b) => format!("{}, no proposer named", m.body_name(b)),
                            None => "no proposer named".to_string(),
                        }
                    } else {
                        m.names(&a.proposed_by)
                    };
                    format!("{} ({by}, accepted {})", a.id, show_window(&o.event.occurred, m.zone))
                }
                None => {
                    let verb = if o.event.type_name == "DocumentRevised" { "revised" } else { "tabled" };
                    format!("{verb} {}", show_window(&o.event.occurred, m.zone))
                }
            },
        };
        let path = l.path.as_deref().unwrap_or("");
        let indent = "    ".repeat(l.depth.saturating_sub(1));
        let _ = writeln!(out, "{:<60} | {path:<w$}  {indent}{}", printable(&who), printable_text(&l.text));
    }
    out
}

/// `replay` and `history`: one line an event (or, with `json`, the events as JSON Lines).
pub fn events(out: &mut impl Write, v: &EventsView, json: bool) -> Result<()> {
    let zone = v.meeting.as_ref().map_or(chrono_tz::Tz::UTC, |m| m.zone);
    let aside = (!v.bookkeeping.is_empty()).then_some(&v.bookkeeping);
    let all = v.events.iter().map(|e| (e, false)).chain(aside.into_iter().flatten().map(|e| (e, true)));
    let mut header = false;
    for (e, set_aside) in all {
        if set_aside && !header && !json {
            header = true;
            writeln!(
                out,
                "\nNot in the timeline (--all shows them in it): actor registrations, bookkeeping rather than facts of the sources, and events a correction withdrew:"
            )?;
        }
        if json {
            let r = &e.recorded;
            writeln!(out, "{}", r.event.to_json_recorded(r.seq, r.version, &r.hash))?;
            continue;
        }
        let ev = &e.recorded.event;
        let when = show_window(&ev.occurred, zone);
        let body = ev.body.as_ref().map_or("-", |b| b.as_str());
        let mut line = format!("{when:<WHEN$} {body:<18} {}", printable(&e.description));
        if let Some((fate, decided)) = &e.fate {
            let when = decided.as_ref().map(|d| format!(" ({})", show_window(d, zone))).unwrap_or_default();
            let _ = write!(line, "  → {}{when}", fate.replace('_', " "));
        }
        if let Some(clerk) = &ev.recorded_by {
            let _ = write!(line, "  [recorded by {}]", printable(clerk.as_str()));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `ls` for a person.
pub fn listing(v: &ListingView) -> String {
    let m = &v.state;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", printable(&v.title), v.meeting);
    let _ = writeln!(
        out,
        "{}, {} to {} ({}); meeting stream version {}",
        printable(&v.venue),
        v.days.0,
        v.days.1,
        v.time_zone,
        v.version
    );
    if let Some(at) = &v.at {
        let _ = writeln!(out, "Statuses at {}", local(at, m));
    }
    out.push_str("\nBodies\n");
    for b in &v.bodies {
        let officers: Vec<String> = b
            .officers
            .iter()
            .map(|(role, who)| {
                format!(
                    "{}: {}",
                    if matches!(role, minutes_core::event::Role::Chairman) {
                        "Chairman"
                    } else {
                        "Vice-Chairman"
                    },
                    printable(m.actor_name(who))
                )
            })
            .collect();
        let officers =
            if officers.is_empty() { String::new() } else { format!("  ({})", officers.join("; ")) };
        let _ = writeln!(out, "  {:<12} {}{officers}", b.id, printable(&b.name));
    }
    if !v.sessions.is_empty() {
        out.push_str("\nSessions\n");
        for s in &v.sessions {
            let closed =
                s.closed.as_ref().map(|c| format!(", closed {}", show_window(c, m.zone))).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<12} opened {}{closed}  [{}]",
                s.body,
                show_window(&s.opened, m.zone),
                s.state
            );
        }
    }
    out.push_str("\nActors\n");
    for a in &v.actors {
        let aliases = if a.aliases.is_empty() {
            String::new()
        } else {
            format!("  (also: {})", printable(&a.aliases.join("; ")))
        };
        let _ = writeln!(out, "  {:<28} {}{aliases}", a.id, printable(&a.name));
    }
    out.push_str("\nDocuments\n");
    let w = v.documents.iter().map(|d| d.name.as_str().len()).max().unwrap_or(0);
    for d in &v.documents {
        let status = d.status.unwrap_or("not yet tabled").replace('_', " ");
        let symbols = if d.symbols.is_empty() {
            String::new()
        } else {
            format!(" [{}]", printable(&d.symbols.join(", ")))
        };
        let pending = if d.pending == 0 { String::new() } else { format!(", {} pending", d.pending) };
        let _ = writeln!(
            out,
            "  {:<w$}  {:<20} v{:<4} {}{symbols}{pending}",
            d.name.as_str(),
            status,
            d.version,
            printable(&d.title)
        );
    }
    out
}
