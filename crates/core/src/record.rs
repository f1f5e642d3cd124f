//! Record files: events written for review as TOML, with document texts in their own files.
//!
//! A record file holds defaults for its events and a list of `[[event]]` tables:
//!
//! ```toml
//! meeting = "wtpf-13"
//! time_zone = "Europe/Zurich"          # how local times in this file are read
//! recorded_at = "2026-11-25T16:00:00Z"
//! source_file = "002_01700a06b6d0c7d8.txt"
//!
//! [[event]]
//! id = "0196f7a0-5f00-7000-8000-000000000301"
//! type = "AmendmentProposed"
//! document = "wtpf-13/opinion-3"
//! body = "wg-2"
//! actors = ["turkey"]
//! occurred = { from = "2013-05-15 09:30", to = "2013-05-15 10:10" }
//! source = { section = "Annex I, 2", quote = "Turkey proposed an addition of the following text" }
//! data = { amendment = "op3-turkey-requests-sg", summary = "...", wording_known = true }
//! ```
//!
//! Times are `YYYY-MM-DD HH:MM` in the file's time zone, or RFC 3339. `text_file` inside the
//! data of `DocumentTabled` or `DocumentRevised` names a text in the review format of
//! [`crate::text::parse`], relative to the record's folder. Everything else is the event's JSON
//! form, field for field.

use serde_json::{Map, Value};
use thiserror::Error;

use crate::event::Event;
use crate::text;
use crate::time::{self, TimeArg};

/// A record file that cannot be read, with where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}{}: {message}", .event.as_ref().map(|e| format!(", event {e}")).unwrap_or_default())]
pub struct RecordError {
    /// The file.
    pub file: String,
    /// The event (its 1-based index in the file and its id, when known).
    pub event: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Reads one record file. `read_text` returns the contents of a text file named by `text_file`
/// (a path relative to the record's folder), or `None` if there is none.
pub fn load(
    file: &str,
    src: &str,
    read_text: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Event>, RecordError> {
    let fail =
        |event: Option<String>, message: String| RecordError { file: file.to_string(), event, message };
    let doc: Value = toml::from_str(src).map_err(|e| fail(None, e.to_string()))?;
    let Value::Object(mut top) = doc else { return Err(fail(None, "not a table".into())) };
    let events = match top.remove("event") {
        Some(Value::Array(a)) => a,
        None => Vec::new(),
        Some(_) => return Err(fail(None, "'event' must be an array of tables ([[event]])".into())),
    };
    let zone_name = match top.remove("time_zone") {
        Some(Value::String(z)) => z,
        None => "UTC".to_string(),
        Some(_) => return Err(fail(None, "'time_zone' must be a string".into())),
    };
    let zone = time::zone(&zone_name).map_err(|e| fail(None, e.to_string()))?;
    let source_file = top.remove("source_file");
    for k in top.keys() {
        if !matches!(
            k.as_str(),
            "meeting" | "recorded_at" | "recorded_by" | "phase" | "account" | "body" | "document"
        ) {
            return Err(fail(None, format!("unknown key '{k}' at the top of the file")));
        }
    }
    let mut out = Vec::with_capacity(events.len());
    for (i, ev) in events.into_iter().enumerate() {
        let Value::Object(mut ev) = ev else {
            return Err(fail(Some((i + 1).to_string()), "not a table".into()));
        };
        let label = match ev.get("id") {
            Some(Value::String(id)) => format!("{} ({id})", i + 1),
            _ => (i + 1).to_string(),
        };
        let fail_ev = |m: String| fail(Some(label.clone()), m);
        for (k, v) in &top {
            ev.entry(k.clone()).or_insert_with(|| v.clone());
        }
        ev.entry("document").or_insert(Value::Null);
        if let Some(Value::Object(src)) = ev.get_mut("source") {
            if let Some(f) = &source_file {
                src.entry("file").or_insert_with(|| f.clone());
            }
        }
        ev.entry("source").or_insert(Value::Null);
        let version = ev.get("type").and_then(Value::as_str).map_or(1, crate::event::schema_version);
        ev.entry("v").or_insert(Value::from(version));
        ev.entry("data").or_insert_with(|| Value::Object(Map::new()));
        localize(&mut ev, zone).map_err(fail_ev)?;
        if let Some(Value::Object(data)) = ev.get_mut("data") {
            if let Some(path) = data.remove("text_file") {
                let Value::String(path) = path else {
                    return Err(fail_ev("text_file must be a string".into()));
                };
                if !inside_the_folder(&path) {
                    return Err(fail_ev(format!(
                        "text_file '{path}' must be a path inside the record's folder (relative, without `..`): nothing was read"
                    )));
                }
                let src = read_text(&path).ok_or_else(|| fail_ev(format!("text_file '{path}' not found")))?;
                let t = text::parse(&src).map_err(|e| fail_ev(format!("{path}: {e}")))?;
                data.insert("text".into(), serde_json::to_value(t).map_err(|e| fail_ev(e.to_string()))?);
            }
        }
        let e = Event::from_value(Value::Object(ev)).map_err(|e| fail_ev(e.to_string()))?;
        out.push(e);
    }
    Ok(out)
}

/// Whether a `text_file` names a file inside the record's folder: a relative path with no `..`
/// component, so no text from elsewhere on the disk can reach the immutable log.
fn inside_the_folder(path: &str) -> bool {
    let p = std::path::Path::new(path);
    !path.is_empty()
        && !p.is_absolute()
        && p.components().all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir))
}

/// Rewrites the local times of `occurred` as RFC 3339 in `zone`.
fn localize(ev: &mut Map<String, Value>, zone: chrono_tz::Tz) -> Result<(), String> {
    let Some(Value::Object(occ)) = ev.get_mut("occurred") else {
        return Err("occurred = { from = ..., to = ... } is missing".into());
    };
    for key in ["from", "to"] {
        match occ.get(key) {
            Some(Value::String(s)) => {
                let t = TimeArg::parse(s)
                    .and_then(|t| t.resolve(zone))
                    .map_err(|e| format!("occurred.{key}: {e}"))?;
                occ.insert(key.into(), Value::String(time::rfc3339(&t)));
            }
            Some(Value::Null) | None => {
                occ.insert(key.into(), Value::Null);
            }
            Some(_) => return Err(format!("occurred.{key} must be a quoted time")),
        }
    }
    Ok(())
}

/// Every way the events fail to cite their sources: an event without a source, a source file
/// that `read_source` does not know, or a quote not found in its file. Empty when all is well.
pub fn check_sources(events: &[Event], read_source: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut cache: std::collections::HashMap<String, Option<String>> = std::collections::HashMap::new();
    for e in events {
        let Some(src) = &e.source else {
            problems.push(format!("event {} ({}) cites no source", e.id, e.type_name()));
            continue;
        };
        let text = cache.entry(src.file.clone()).or_insert_with(|| read_source(&src.file));
        match text {
            None => problems.push(format!(
                "event {} ({}) cites {}, which is not among the sources",
                e.id,
                e.type_name(),
                src.file
            )),
            Some(t) if !quote_found(t, &src.quote) => problems.push(format!(
                "event {} ({}): the quote is not in {} ({}): {:?}",
                e.id,
                e.type_name(),
                src.file,
                src.section,
                src.quote
            )),
            Some(_) => {}
        }
    }
    problems
}

/// Whether `quote` appears in `source`, characters exactly as printed, except that any run of
/// whitespace matches any other.
pub fn quote_found(source: &str, quote: &str) -> bool {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let q = squash(quote);
    !q.is_empty() && squash(source).contains(&q)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
meeting = "demo"
time_zone = "Europe/Zurich"
recorded_at = "2026-11-25T16:00:00Z"
source_file = "report.txt"

[[event]]
id = "0196f7a0-5f00-7000-8000-000000000001"
type = "DocumentTabled"
document = "demo/draft-1"
occurred = { from = "2013-05-15 09:30", to = "2013-05-15 10:10" }
source = { section = "Annex I", quote = "a draft" }
data = { kind = "draft_opinion", title = "Draft 1", text_file = "texts/draft-1.txt" }
"#;

    #[test]
    fn a_record_file_reads_into_events_with_local_times_and_texts() {
        let read = |p: &str| {
            (p == "texts/draft-1.txt")
                .then(|| "# Draft 1\nThe forum,\n== considering\na) words\n".to_string())
        };
        let evs = load("demo.toml", FILE, &read).unwrap();
        assert_eq!(evs.len(), 1);
        let j = evs[0].to_json();
        assert!(j.contains(r#""from":"2013-05-15T09:30:00+02:00""#), "{j}");
        assert!(j.contains(r#""file":"report.txt""#), "{j}");
        assert!(j.contains(r#""key":"considering""#), "{j}");
    }

    #[test]
    fn errors_name_the_file_and_the_event() {
        let read = |_: &str| None;
        let e = load("demo.toml", FILE, &read).unwrap_err().to_string();
        assert!(e.starts_with("demo.toml, event 1 (0196f7a0-5f00-7000-8000-000000000001): text_file"), "{e}");
        let bad = FILE.replace("09:30", "half past nine");
        let e = load("demo.toml", &bad, &read).unwrap_err().to_string();
        assert!(e.contains("occurred.from"), "{e}");
    }

    #[test]
    fn a_text_file_outside_the_record_folder_is_refused_before_it_is_read() {
        let read = |_: &str| -> Option<String> { panic!("a text_file outside the folder was read") };
        for path in ["../x.txt", "texts/../../x.txt", "/etc/passwd", "texts/..", ""] {
            let bad = FILE.replace("texts/draft-1.txt", path);
            let e = load("demo.toml", &bad, &read).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!(
                    "demo.toml, event 1 (0196f7a0-5f00-7000-8000-000000000001): text_file '{path}' must be a path inside"
                )),
                "{path}: {e}"
            );
        }
        let read = |p: &str| (p == "./texts/draft-1.txt").then(|| "# Draft 1\nwords\n".to_string());
        let ok = FILE.replace("texts/draft-1.txt", "./texts/draft-1.txt");
        assert!(load("demo.toml", &ok, &read).is_ok());
    }

    #[test]
    fn quotes_match_exactly_but_for_whitespace_runs() {
        let src = "Turkey generously\n agreed not to insist on “merging”";
        assert!(quote_found(src, "generously agreed not to insist"));
        assert!(quote_found(src, "on “merging”"));
        assert!(!quote_found(src, "on \"merging\""));
        assert!(!quote_found(src, "   "));
    }
}
