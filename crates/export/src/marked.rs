//! A document at a moment as a person reads it, in Markdown or HTML: the text in force, with
//! every change since tabling marked (`<ins>`/`<del>`) and footnoted with its amendment, its
//! proposer, when it took effect and its source, all from `Reader::marked_text`; and the same
//! as JSON beside the state.

use minutes_core::project::meeting::MeetingState;
use minutes_query::view::{Attribution, MarkedLine};
use minutes_query::{Moment, Reader};

use crate::common::{source_line, window};
use crate::error::{ExportError, Result};
use crate::xml::{html_document, El};

/// `doc` at `moment` as Markdown.
pub fn markdown(reader: &Reader<'_>, doc: &str, moment: &Moment) -> Result<String> {
    if let Some((title, note)) = without_text(reader, doc, moment)? {
        return Ok(format!("# {}\n\n*{}*\n", md_escape(&title), md_escape(&note)));
    }
    let m = reader.marked_text(doc, moment)?;
    let mut out = String::new();
    for (i, l) in m.lines.iter().enumerate() {
        let words = no_list_marker(md_runs(l));
        match (i, l.path.as_str(), l.depth) {
            (0, "title", _) => out.push_str(&format!("# {words}\n\n")),
            (_, "preamble", _) => out.push_str(&format!("{words}\n\n")),
            (_, _, 0) => out.push_str(&format!("## {words}\n\n")),
            (_, _, d) => out.push_str(&format!("{}- {words}\n", "  ".repeat(d - 1))),
        }
        let next_is_clause = m.lines.get(i + 1).is_some_and(|n| n.depth > 0);
        if l.depth > 0 && !next_is_clause {
            out.push('\n');
        }
    }
    out.push_str(&format!("*{} as it stood at {}.*\n", m.document, m.at));
    if !m.changes.is_empty() {
        out.push('\n');
    }
    for (i, c) in m.changes.iter().enumerate() {
        out.push_str(&format!("[^{}]: {}\n", i + 1, md_escape(&attribution(c, &m.meeting))));
    }
    Ok(out)
}

/// `doc` at `moment` as an HTML page.
pub fn html(reader: &Reader<'_>, doc: &str, moment: &Moment) -> Result<String> {
    if let Some((title, note)) = without_text(reader, doc, moment)? {
        let head = El::new("head")
            .child(El::new("meta").attr("charset", "utf-8"))
            .child(El::new("title").text(title.clone()));
        let body = El::new("body")
            .child(El::new("h1").text(title))
            .child(El::new("p").child(El::new("em").text(note)));
        return html_document(&El::new("html").attr("lang", "en").child(head).child(body));
    }
    let m = reader.marked_text(doc, moment)?;
    let mut body = El::new("body");
    for (i, l) in m.lines.iter().enumerate() {
        let tag = match (i, l.path.as_str(), l.depth) {
            (0, "title", _) => "h1",
            (_, "preamble", _) => "p",
            (_, _, 0) => "h2",
            _ => "p",
        };
        let mut el = El::new(tag)
            .attr("class", format!("{} depth-{}", l.change, l.depth))
            .attr("data-path", l.path.clone());
        for r in &l.runs {
            match (r.op, r.change) {
                ("equal", _) => el.push_text(r.text.clone()),
                (op, change) => {
                    let (t, pad) = split_space(&r.text);
                    el.push(El::new(if op == "insert" { "ins" } else { "del" }).text(t));
                    if let Some(c) = change {
                        el.push(
                            El::new("sup").child(
                                El::new("a")
                                    .attr("href", format!("#change-{}", c + 1))
                                    .attr("id", format!("ref-{}-{}", c + 1, i))
                                    .text(format!("{}", c + 1)),
                            ),
                        );
                    }
                    if !pad.is_empty() {
                        el.push_text(pad);
                    }
                }
            }
        }
        body.push(el);
    }
    body.push(
        El::new("p")
            .attr("class", "moment")
            .child(El::new("em").text(format!("{} as it stood at {}.", m.document, m.at))),
    );
    if !m.changes.is_empty() {
        let mut notes = El::new("ol").attr("class", "changes");
        for (i, c) in m.changes.iter().enumerate() {
            notes
                .push(El::new("li").attr("id", format!("change-{}", i + 1)).text(attribution(c, &m.meeting)));
        }
        body.push(El::new("h2").text("Changes since tabling"));
        body.push(notes);
    }
    let title = m
        .lines
        .first()
        .map(|l| l.runs.iter().map(|r| r.text.as_str()).collect::<String>())
        .unwrap_or_default();
    let head = El::new("head")
        .child(El::new("meta").attr("charset", "utf-8"))
        .child(El::new("title").text(title))
        .child(El::new("style").text(STYLE));
    html_document(&El::new("html").attr("lang", "en").child(head).child(body))
}

/// `doc` at `moment` as JSON: the state (its amendments with their operations) and the marked
/// text.
pub fn json(reader: &Reader<'_>, doc: &str, moment: &Moment) -> Result<String> {
    let state = reader.state(doc, moment)?;
    let marked = match state.text {
        Some(_) => Some(reader.marked_text(doc, moment)?),
        None => None,
    };
    let mut value = serde_json::to_value(&state).map_err(|e| ExportError::Write(e.to_string()))?;
    if let Some(list) = value.get_mut("amendments").and_then(|a| a.as_array_mut()) {
        for (v, a) in list.iter_mut().zip(&state.amendments) {
            if let Some(o) = v.as_object_mut() {
                let ops =
                    serde_json::to_value(&a.operations).map_err(|e| ExportError::Write(e.to_string()))?;
                o.insert("operations".into(), ops);
            }
        }
    }
    let out = serde_json::json!({ "state": value, "marked": marked });
    let mut s = serde_json::to_string_pretty(&out).map_err(|e| ExportError::Write(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

/// For a tabled document whose text the sources do not give: its title, and a line saying so.
fn without_text(reader: &Reader<'_>, doc: &str, moment: &Moment) -> Result<Option<(String, String)>> {
    let s = reader.state(doc, moment)?;
    Ok(match (s.status, &s.text) {
        (Some(status), None) => {
            let title = s.title.clone().unwrap_or_else(|| s.document.to_string());
            let symbol = s.symbols.last().map(|x| format!(" ({x})")).unwrap_or_default();
            Some((
                title,
                format!("The sources give no text of {}{symbol}; it was {status} at {}.", s.document, s.at),
            ))
        }
        _ => None,
    })
}

/// A change's footnote: the amendment (or revision), who proposed it, when and where it took
/// effect, and the source.
fn attribution(c: &Attribution, m: &MeetingState) -> String {
    let who = m.names(&c.proposed_by);
    let what = match &c.amendment {
        Some(a) => format!("Amendment {a}"),
        None => "A revision of the text".to_string(),
    };
    let by = if who.is_empty() { String::new() } else { format!(", proposed by {who}") };
    let effect = match c.event.type_name {
        "AmendmentAccepted" => "accepted",
        "DocumentRevised" => "tabled",
        other => other,
    };
    let source = c.event.source.as_ref().map(|s| format!(" Source: {}.", source_line(s))).unwrap_or_default();
    format!(
        "{what}{by}: {}; {effect} {}.{source}",
        c.summary.trim_end_matches('.'),
        window(&c.event.occurred, m.zone)
    )
}

fn md_runs(l: &MarkedLine) -> String {
    let mut s = String::new();
    for r in &l.runs {
        match (r.op, r.change) {
            ("equal", _) => s.push_str(&md_escape(&r.text)),
            (op, change) => {
                let (t, pad) = split_space(&r.text);
                let tag = if op == "insert" { "ins" } else { "del" };
                s.push_str(&format!("<{tag}>{}</{tag}>", md_escape(&t)));
                if let Some(c) = change {
                    s.push_str(&format!("[^{}]", c + 1));
                }
                s.push_str(&pad);
            }
        }
    }
    s
}

/// A line Markdown would read as a list item (`1) words`, `- words`) kept as text.
fn no_list_marker(s: String) -> String {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    match s.as_bytes().get(digits) {
        Some(b')') | Some(b'.') if digits > 0 => format!("{}\\{}", &s[..digits], &s[digits..]),
        Some(b'-') | Some(b'+') if digits == 0 => format!("\\{s}"),
        _ => s,
    }
}

/// A run's words and the spaces after them (kept outside the mark).
fn split_space(t: &str) -> (String, String) {
    let trimmed = t.trim_end();
    (trimmed.to_string(), t[trimmed.len()..].to_string())
}

/// Text as Markdown shows it literally: its punctuation that Markdown reads escaped.
fn md_escape(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if "\\`*_[]<>#|~".contains(ch) {
            out.push('\\');
        }
        if ch == '&' {
            out.push_str("&amp;");
            continue;
        }
        out.push(ch);
    }
    out
}

const STYLE: &str = "body{font-family:Georgia,serif;max-width:48em;margin:2em auto;line-height:1.5}\
ins{background:#e6ffec;text-decoration:underline}del{background:#ffebe9}\
.depth-1{margin-left:1.5em}.depth-2{margin-left:3em}.depth-3{margin-left:4.5em}\
.moment{color:#555}ol.changes{font-size:.9em}";
