//! State queries that do not fold the whole log.
//!
//! A document's state at T needs only its own stream's events whose window starts by T (the
//! others are certainly not yet), plus the stream's corrections: [`Store::document_events_at`]
//! reads exactly those through the `(stream, version)` index.
//!
//! On top of that, derived snapshots of a document's projection
//! ([`Store::rebuild_snapshots`]): the state after folding, in replay order, a prefix of the
//! stream whose events all have a closed window, stored with the latest end of those windows
//! and the seqs it folded. At any T at or after that end every one of them is certain, so the
//! state at T is the snapshot with the rest folded on top; [`Store::document_state_at`] takes
//! the largest such snapshot, reads the rows up to T, decodes only the rows the snapshot does
//! not cover, and folds them. A snapshot is never trusted over the log: if a row it does not
//! cover sorts before its last event (an event recorded later with an early window), or the
//! stream holds a correction, the answer is folded from the events alone. Snapshots live in a
//! derived table, dropped and rebuilt at will; a store without it answers from the events.

use std::collections::{BTreeMap, HashSet};

use minutes_core::amend::Operation;
use minutes_core::event::{DocumentKind, EventKind, Recorded};
use minutes_core::id::{ActorId, AmendmentId, BodyId, DocumentName, EventId};
use minutes_core::project::document::{Amendment, AmendmentStatus, DocumentAt, DocumentState, Origin, Status};
use minutes_core::project::{effective, replay_order, EventRef};
use minutes_core::text::{ClausePath, Text};
use minutes_core::time::{Certainty, Timestamp, Window};
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;

use crate::error::{Result, StoreError};
use crate::{schema, upcast, Store};

/// A snapshot is stored after every this many events of a document's stream (in replay order),
/// and after its last.
pub const SNAPSHOT_EVERY: u64 = 8;

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

    /// A document's state at `at`, as `document_at` folds it from the stream's effective events
    /// (corrections applied), starting from the largest snapshot that holds at `at` when there
    /// is one.
    pub fn document_state_at(&self, stream: &str, at: &Timestamp) -> Result<DocumentAt> {
        let snap = if self.has_snapshots()? {
            self.conn
                .prepare_cached(schema::SNAPSHOT_AT)
                .and_then(|mut st| st.query_row(params![stream, fixed(at)], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).optional())
                .map_err(StoreError::from_sqlite)?
        } else {
            None
        };
        let bound = (at.with_timezone(&chrono::Utc) + chrono::Duration::seconds(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut stmt = self.conn.prepare_cached(&schema::stream_until_keyed()).map_err(StoreError::from_sqlite)?;
        let mut rows = stmt.query(params![stream, bound]).map_err(StoreError::from_sqlite)?;
        let covered: HashSet<u64> = match &snap {
            Some((c, _)) => serde_json::from_str(c).unwrap_or_default(),
            None => HashSet::new(),
        };
        let mut rest = Vec::new();
        let mut payloads = Vec::new();
        let mut usable = snap.is_some();
        while let Some(r) = rows.next().map_err(StoreError::from_sqlite)? {
            let seq = r.get::<_, i64>(0).map_err(StoreError::from_sqlite)? as u64;
            let type_name: String = r.get(5).map_err(StoreError::from_sqlite)?;
            if type_name == "EventCorrected" {
                usable = false;
            }
            if covered.contains(&seq) {
                continue;
            }
            let row = (seq, r.get::<_, i64>(1).map_err(StoreError::from_sqlite)? as u64, r.get::<_, String>(2).map_err(StoreError::from_sqlite)?);
            payloads.push((row, r.get::<_, String>(3).map_err(StoreError::from_sqlite)?));
        }
        drop(rows);
        for ((seq, version, hash), payload) in payloads {
            let event = upcast::decode(&payload).map_err(|error| StoreError::Corrupt { seq, error })?;
            rest.push(Recorded { seq, version, hash, event });
        }
        let restored = match (usable, &snap) {
            (true, Some((_, state))) => restore(state).ok(),
            _ => None,
        };
        let Some((state, last)) = restored else {
            // No snapshot holds: fold from the events alone.
            let all = if covered.is_empty() { rest } else { self.document_events_at(stream, at)? };
            return Ok(minutes_core::project::document::document_at(&effective(&all, None), at));
        };
        replay_order(&mut rest);
        if rest.first().is_some_and(|r| (r.event.occurred.sort_key(), r.seq) < last) {
            // A row the snapshot does not cover sorts inside it: recorded after it was taken.
            let all = self.document_events_at(stream, at)?;
            return Ok(minutes_core::project::document::document_at(&effective(&all, None), at));
        }
        let mut state = Some(state);
        let mut uncertain = Vec::new();
        for r in &rest {
            match r.event.occurred.certainty(at) {
                Certainty::Certain => DocumentState::apply(&mut state, r),
                Certainty::Uncertain => uncertain.push(EventRef::of(r)),
                Certainty::NotYet => {}
            }
        }
        Ok(DocumentAt { state, uncertain })
    }

    /// Drops the snapshots and builds them again from the log, for every document (or the
    /// streams named). Returns how many were stored.
    #[allow(clippy::manual_is_multiple_of)] // u64::is_multiple_of is newer than the MSRV
    pub fn rebuild_snapshots(&mut self, only: Option<&[String]>) -> Result<u64> {
        let tx = self.conn.transaction().map_err(StoreError::from_sqlite)?;
        let streams: Vec<String> = match only {
            Some(s) => s.to_vec(),
            None => {
                tx.execute_batch(schema::SNAPSHOTS_DROP).map_err(StoreError::from_sqlite)?;
                let mut st = tx.prepare(schema::DOCUMENT_STREAMS).map_err(StoreError::from_sqlite)?;
                let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(StoreError::from_sqlite)?;
                rows.collect::<rusqlite::Result<_>>().map_err(StoreError::from_sqlite)?
            }
        };
        tx.execute_batch(schema::SNAPSHOTS_CREATE).map_err(StoreError::from_sqlite)?;
        let mut stored = 0;
        {
            let mut read = tx.prepare_cached(&schema::stream()).map_err(StoreError::from_sqlite)?;
            let mut insert = tx.prepare_cached(schema::SNAPSHOT_INSERT).map_err(StoreError::from_sqlite)?;
            for stream in &streams {
                let rows = read
                    .query_map(params![stream], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))
                    .map_err(StoreError::from_sqlite)?;
                let mut events = Vec::new();
                for row in rows {
                    let (seq, version, hash, payload) = row.map_err(StoreError::from_sqlite)?;
                    let event = upcast::decode(&payload).map_err(|error| StoreError::Corrupt { seq, error })?;
                    events.push(Recorded { seq, version, hash, event });
                }
                if events.iter().any(|r| matches!(r.event.kind, EventKind::EventCorrected(_))) {
                    continue;
                }
                replay_order(&mut events);
                let mut state = None;
                let mut max_to: Option<Timestamp> = None;
                let mut covered = Vec::new();
                for (i, r) in events.iter().enumerate() {
                    let Some(to) = r.event.occurred.to else { break };
                    max_to = Some(max_to.map_or(to, |m| m.max(to)));
                    DocumentState::apply(&mut state, r);
                    covered.push(r.seq);
                    let n = i as u64 + 1;
                    if n % SNAPSHOT_EVERY == 0 || n == events.len() as u64 {
                        if let (Some(s), Some(m)) = (&state, &max_to) {
                            let json = dump(s, (r.event.occurred.sort_key(), r.seq));
                            let covered_json = serde_json::to_string(&covered).unwrap_or_default();
                            insert.execute(params![stream, n as i64, fixed(m), covered_json, json]).map_err(StoreError::from_sqlite)?;
                            stored += 1;
                        }
                    }
                }
            }
        }
        tx.commit().map_err(StoreError::from_sqlite)?;
        Ok(stored)
    }

    fn has_snapshots(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row(schema::SNAPSHOTS_EXIST, [], |r| r.get(0)).map_err(StoreError::from_sqlite)?;
        Ok(n > 0)
    }
}

/// A moment as fixed-width UTC text, so that text order is time order.
fn fixed(t: &Timestamp) -> String {
    t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

type Key = (Option<chrono::DateTime<chrono::Utc>>, u64);

fn dump(s: &DocumentState, last: Key) -> String {
    let origins: Vec<_> = s.origins.iter().map(|(p, o)| (p.to_string(), &o.event, &o.amendment)).collect();
    serde_json::json!({"state": s, "origins": origins, "last": [last.0, last.1]}).to_string()
}

#[derive(Deserialize)]
struct Snap {
    state: SnapState,
    origins: Vec<(ClausePath, SnapRef, Option<AmendmentId>)>,
    last: (Option<chrono::DateTime<chrono::Utc>>, u64),
}

#[derive(Deserialize)]
struct SnapState {
    document: DocumentName,
    kind: DocumentKind,
    title: String,
    symbols: Vec<String>,
    submitted_by: Vec<ActorId>,
    status: String,
    body: Option<BodyId>,
    text: Option<Text>,
    amendments: Vec<SnapAmendment>,
    forerunner_of: Option<DocumentName>,
    problems: Vec<String>,
}

#[derive(Deserialize)]
struct SnapAmendment {
    id: AmendmentId,
    proposed_by: Vec<ActorId>,
    status: String,
    wording_known: bool,
    summary: String,
    body: Option<BodyId>,
    #[serde(default)]
    operations: Vec<Operation>,
    proposed: SnapRef,
    decided: Option<SnapRef>,
}

#[derive(Deserialize)]
struct SnapRef {
    id: EventId,
    #[serde(rename = "type")]
    type_name: String,
    occurred: Window,
    seq: u64,
}

fn event_ref(r: SnapRef) -> Option<EventRef> {
    let type_name = EventKind::TYPES.iter().copied().find(|t| *t == r.type_name)?;
    Some(EventRef { id: r.id, type_name, occurred: r.occurred, seq: r.seq })
}

/// A snapshot's state and the replay key of the last event it folds.
fn restore(json: &str) -> std::result::Result<(DocumentState, Key), String> {
    let snap: Snap = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let s = snap.state;
    let status = match s.status.as_str() {
        "tabled" => Status::Tabled,
        "under_consideration" => Status::UnderConsideration,
        "endorsed" => Status::Endorsed,
        "not_endorsed" => Status::NotEndorsed,
        "adopted" => Status::Adopted,
        "withdrawn" => Status::Withdrawn,
        other => return Err(format!("unknown status {other}")),
    };
    let mut amendments = Vec::with_capacity(s.amendments.len());
    for a in s.amendments {
        let status = match a.status.as_str() {
            "pending" => AmendmentStatus::Pending,
            "accepted" => AmendmentStatus::Accepted,
            "withdrawn" => AmendmentStatus::Withdrawn,
            "referred_to_report" => AmendmentStatus::ReferredToReport,
            "rejected" => AmendmentStatus::Rejected,
            other => return Err(format!("unknown amendment status {other}")),
        };
        amendments.push(Amendment {
            id: a.id,
            proposed_by: a.proposed_by,
            status,
            wording_known: a.wording_known,
            summary: a.summary,
            body: a.body,
            operations: a.operations,
            proposed: event_ref(a.proposed).ok_or("unknown event type")?,
            decided: match a.decided {
                Some(d) => Some(event_ref(d).ok_or("unknown event type")?),
                None => None,
            },
        });
    }
    let mut origins = BTreeMap::new();
    for (p, r, amendment) in snap.origins {
        origins.insert(p, Origin { event: event_ref(r).ok_or("unknown event type")?, amendment });
    }
    let state = DocumentState {
        document: s.document,
        kind: s.kind,
        title: s.title,
        symbols: s.symbols,
        submitted_by: s.submitted_by,
        status,
        body: s.body,
        text: s.text,
        amendments,
        origins,
        forerunner_of: s.forerunner_of,
        problems: s.problems,
    };
    Ok((state, snap.last))
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
        // With snapshots: the same answers, also after an event recorded late with an early
        // window lands inside a snapshot, and after a rebuild. A second store takes its
        // snapshots before the adoption, so that the late amendment can still be proposed.
        let check = |store: &Store| {
            let all = store.stream("m/d").expect("stream");
            for at in &moments {
                let fast = store.document_state_at("m/d", at).expect("snapshot read");
                assert_eq!(seen(&fast), seen(&document_at(&all, at)), "state at {at} from a snapshot");
            }
        };
        assert_eq!(store.rebuild_snapshots(None).expect("snapshots"), 1, "one at 8 events; the open-ended adoption stops it");
        check(&store);
        let mut second = Store::memory().expect("store");
        let events = record();
        second.append(&events[..9], None, now).expect("appends");
        assert_eq!(second.rebuild_snapshots(None).expect("snapshots"), 1, "all eight of its events");
        check(&second);
        let late = Event::from_json(
            r#"{"id": "00000000-0000-4000-8000-000000000099", "type": "AmendmentProposed", "v": 1, "meeting": "m", "document": "m/d", "body": "wg", "actors": [], "occurred": {"from": "09:45", "to": "09:50"}, "data": {"amendment": "z", "summary": "s", "wording_known": false, "operations": []}}"#
                .replace("09:45", "2030-03-02T09:45:00Z")
                .replace("09:50", "2030-03-02T09:50:00Z")
                .as_str(),
        )
        .expect("late event parses");
        second.append(&[late, events[9].clone()], None, now).expect("appends");
        check(&second);
        second.rebuild_snapshots(None).expect("snapshots");
        check(&second);
        // It does read less when it can.
        let early = chrono::DateTime::parse_from_rfc3339("2030-03-02T09:15:00Z").expect("time");
        assert_eq!(store.document_events_at("m/d", &early).expect("read").len(), 2, "the tabling and the referral");
    }
}
