//! State queries that do not fold the whole log: a document's state at T needs only its own
//! stream's events whose window starts by T (the others are not yet, whatever happened), plus
//! the corrections of that stream. [`Store::document_events_at`] reads exactly those through the
//! `(stream, version)` index; folding them with `document_at` gives the same answer as folding
//! the whole stream (a test checks it on random documents and moments of a generated record).
//!
//! Derived snapshots of a document's projection are not kept: a document's stream holds tens
//! of events, and a serialized state (its text, every amendment with its operations, the origin
//! of every clause) is about as large to decode as the events it would replace, while any
//! correction or late-recorded event with an early window would invalidate it. BENCHMARKS.md
//! gives the measurements behind this and when snapshots would pay.

use minutes_core::event::Recorded;
use minutes_core::time::Timestamp;
use rusqlite::params;

use crate::error::{Result, StoreError};
use crate::{schema, upcast, Store};

/// The stream length past which a derived snapshot of a document's projection would start to pay
/// (see the module's documentation); no snapshot is kept below it, and none is kept today.
pub const SNAPSHOT_EVERY: u64 = 256;

impl Store {
    /// The events of `stream` (a document's name) that can matter to its state at `at`: every
    /// event whose window starts by `at` or is open at the start, and every correction, in
    /// appending order. Folding these at `at` gives the same state and uncertain events as
    /// folding the whole stream: the others are certainly not yet.
    pub fn document_events_at(&self, stream: &str, at: &Timestamp) -> Result<Vec<Recorded>> {
        // Stored bounds are RFC 3339 UTC with optional fractions; compare against the next whole
        // second, which reads a few events too many at most (never too few), then keep exact.
        let bound = (at.with_timezone(&chrono::Utc) + chrono::Duration::seconds(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut stmt = self.conn.prepare_cached(&schema::stream_until()).map_err(StoreError::from_sqlite)?;
        let rows = stmt
            .query_map(params![stream, bound], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .map_err(StoreError::from_sqlite)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, version, hash, payload) = row.map_err(StoreError::from_sqlite)?;
            let event = upcast::decode(&payload).map_err(|error| StoreError::Corrupt { seq, error })?;
            out.push(Recorded { seq, version, hash, event });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use minutes_core::event::Event;
    use minutes_core::project::document::{document_at, DocumentAt};

    use super::*;

    fn seen(v: &DocumentAt) -> String {
        let state = v.state.as_ref().map(|s| serde_json::to_string(s).unwrap_or_default());
        let origins = v.state.as_ref().map(|s| format!("{:?}", s.origins));
        format!("{state:?} {origins:?} {:?}", v.uncertain)
    }

    /// A small record with windows of every shape: open starts, wide windows, late recording.
    fn record() -> Vec<Event> {
        let ev = |n: u32, ty: &str, doc: Option<&str>, body: Option<&str>, from: Option<&str>, to: Option<&str>, data: &str| {
            let s = format!(
                r#"{{"id": "00000000-0000-4000-8000-{n:012}", "type": "{ty}", "v": 1, "meeting": "m", "document": {}, "body": {}, "actors": [], "occurred": {{"from": {}, "to": {}}}, {}"data": {data}}}"#,
                doc.map(|d| format!("\"m/{d}\"")).unwrap_or("null".into()),
                body.map(|d| format!("\"{d}\"")).unwrap_or("null".into()),
                from.map(|d| format!("\"2030-03-02T{d}Z\"")).unwrap_or("null".into()),
                to.map(|d| format!("\"2030-03-02T{d}Z\"")).unwrap_or("null".into()),
                if ty == "MeetingDeclared" { "\"phase\": \"preparatory\", " } else { "" },
            );
            Event::from_json(&s).expect("test event parses")
        };
        let text = r#"{"title": "T", "preamble": "P", "sections": [{"key": "s", "heading": "s", "clauses": [{"key": "a", "words": "one two three four"}, {"key": "b", "words": "five six seven"}]}]}"#;
        let declared = r#"{"title": "M", "venue": "V", "time_zone": "UTC", "first_day": "2030-03-02", "last_day": "2030-03-02", "bodies": [{"id": "plenary", "name": "P"}, {"id": "wg", "name": "W"}]}"#;
        let prop = |id: &str, op: &str| format!(r#"{{"amendment": "{id}", "summary": "s", "wording_known": true, "operations": [{op}]}}"#);
        vec![
            ev(1, "MeetingDeclared", None, None, Some("00:00:00"), Some("00:00:00"), declared),
            ev(2, "DocumentTabled", Some("d"), None, None, Some("09:00:00"), &format!(r#"{{"kind": "draft_opinion", "title": "D", "text": {text}}}"#)),
            ev(3, "DocumentReferred", Some("d"), Some("wg"), Some("09:00:00"), Some("10:00:00"), "{}"),
            ev(4, "AmendmentProposed", Some("d"), Some("wg"), Some("10:00:00"), Some("10:30:00"), &prop("x", r#"{"op": "replace_words", "path": "s/a", "old": "two", "new": "2"}"#)),
            ev(5, "AmendmentProposed", Some("d"), Some("wg"), Some("10:10:00.5"), Some("10:20:00"), &prop("y", r#"{"op": "delete_words", "path": "s/b", "old": " six"}"#)),
            ev(6, "AmendmentAccepted", Some("d"), Some("wg"), Some("11:00:00"), Some("11:00:00.250"), r#"{"amendment": "y", "decided_by": "consensus"}"#),
            ev(7, "AmendmentAccepted", Some("d"), Some("wg"), Some("10:40:00"), Some("12:00:00"), r#"{"amendment": "x", "decided_by": "vote"}"#),
            ev(8, "DraftEndorsed", Some("d"), Some("wg"), Some("12:00:00"), Some("12:00:00"), r#"{"amendments": ["x", "y"], "submitted_to": "plenary"}"#),
            // Recorded late, with a window that starts early.
            ev(9, "StatementMade", Some("d"), Some("wg"), Some("09:30:00"), Some("13:00:00"), r#"{"stance": "support", "summary": "s"}"#),
            ev(10, "DraftAdopted", Some("d"), Some("plenary"), Some("14:00:00"), None, "{}"),
        ]
    }

    #[test]
    fn indexed_answers_equal_full_fold_answers_on_random_queries() {
        let mut store = Store::memory().expect("store");
        let now = chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").expect("time");
        store.append(&record(), None, now).expect("the record appends");
        let all = store.stream("m/d").expect("stream");
        let start = chrono::DateTime::parse_from_rfc3339("2030-03-02T08:00:00Z").expect("time");
        // Every window bound exactly, a millisecond either side, and random moments.
        let mut moments: Vec<Timestamp> = Vec::new();
        for r in &all {
            for t in [r.event.occurred.from, r.event.occurred.to].into_iter().flatten() {
                for ms in [-1, 0, 1, 500, 999, 1000] {
                    moments.push(t + chrono::Duration::milliseconds(ms));
                }
            }
        }
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..500 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            moments.push(start + chrono::Duration::milliseconds((x % (8 * 3600 * 1000)) as i64));
        }
        for at in &moments {
            let subset = store.document_events_at("m/d", at).expect("indexed read");
            assert!(subset.len() <= all.len());
            assert_eq!(seen(&document_at(&subset, at)), seen(&document_at(&all, at)), "state at {at}");
        }
        // It does read less when it can.
        let early = chrono::DateTime::parse_from_rfc3339("2030-03-02T09:15:00Z").expect("time");
        assert_eq!(store.document_events_at("m/d", &early).expect("read").len(), 2, "the tabling and the referral");
    }
}
