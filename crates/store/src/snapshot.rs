//! State queries that do not fold the whole log.
//!
//! A document's state at T needs only its own stream's events whose window starts by T (the
//! others are certainly not yet), plus the stream's corrections: [`Store::document_events_at`]
//! reads exactly those through the `(stream, version)` index.
//!
//! On top of that, derived snapshots of a document's projection
//! ([`Store::rebuild_snapshots`]): the state after folding the stream's versions `1..=n`, taken
//! only where those are also the first `n` events in replay order and all have a closed window,
//! stored with the latest end of those windows. At any T at or after that end every one of them
//! is certain, so the state at T is the snapshot with the rest folded on top;
//! [`Store::document_state_at`] takes the largest such snapshot and reads, through the index,
//! only the rows past its version that can matter at T. A snapshot is never trusted over the
//! log: if one of those rows sorts before its last event (an event recorded later with an early
//! window) or is a correction, the answer is folded from the events alone. Snapshots live in a
//! derived table, dropped and rebuilt at will; a store without it answers from the events.

use std::collections::{BTreeMap, HashMap};

use minutes_core::amend::Operation;
use minutes_core::event::{DocumentKind, EventKind, Recorded};
use minutes_core::id::{ActorId, AmendmentId, BodyId, DocumentName, EventId};
use minutes_core::project::document::{
    document_at, document_at_from, Amendment, AmendmentStatus, DocumentAt, DocumentState, Origin, Status,
};
use minutes_core::project::{effective_refs, replay_order, EventRef};
use minutes_core::text::{ClausePath, Text};
use minutes_core::time::{Timestamp, Window};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::backend::{DbError, Mode, Tx, Value};
use crate::error::Result;
use crate::read::query_rows;
use crate::{schema, Store};

/// A snapshot is stored after every this many events of a document's stream (in replay order)
/// or at the first point after that where it can be, and after its last.
pub const SNAPSHOT_EVERY: u64 = 8;

impl Store {
    /// The events of `stream` (a document's name) that can matter to its state at `at`: every
    /// event whose window starts by `at` or is open at the start, and every correction, in
    /// appending order. Folding these at `at` gives the same state and uncertain events as
    /// folding the whole stream: the others are certainly not yet.
    pub fn document_events_at(&self, stream: &str, at: &Timestamp) -> Result<Vec<Recorded>> {
        self.query(&schema::stream_until(), &[Value::Text(stream), Value::Text(&upper_bound(at))])
    }

    /// A document's state at `at`, as `document_at` folds it from the stream's effective events
    /// (corrections applied), starting from the largest snapshot that holds at `at` when there
    /// is one.
    pub fn document_state_at(&self, stream: &str, at: &Timestamp) -> Result<DocumentAt> {
        // On SQLite, the few statements of one answer share one read transaction: one view of
        // the log for all of them, and the file's read lock taken once, not once a statement.
        // (PostgreSQL's would cost two more round trips.)
        let _tx = match self.db.sqlite() {
            Some(_) => Some(Tx::begin(&self.db, Mode::Read)?),
            None => None,
        };
        // Snapshots are derived and may be dropped: a store whose snapshot table is gone
        // answers from the events, as it does when no snapshot holds at `at`. Any other
        // failure (a busy store, an I/O error) is the answer's, not hidden.
        let snap = self.db.query_opt::<(i64, i64, Option<String>, i64)>(
            schema::SNAPSHOT_AT,
            &[Value::Text(stream), Value::Text(&fixed(at))],
        );
        let snap = match snap {
            Ok(snap) => snap,
            Err(DbError::MissingObject(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let Some((id, through, last_from, last_seq)) = snap else { return self.fold_at(stream, at) };
        let last_from = match last_from.map(|t| chrono::DateTime::parse_from_rfc3339(&t)) {
            None => None,
            Some(Ok(t)) => Some(t.with_timezone(&chrono::Utc)),
            Some(Err(_)) => return self.fold_at(stream, at),
        };
        let last = (last_from, last_seq as u64);
        let rest = self.query(
            &schema::stream_until_after(),
            &[Value::Text(stream), Value::Text(&upper_bound(at)), Value::Int(through)],
        )?;
        let corrected = rest.iter().any(|r| matches!(r.event.kind, EventKind::EventCorrected(_)));
        // A row past the snapshot that sorts inside it was recorded after it was taken.
        // So does one that names its place among the events that share its start.
        let inside = rest.iter().any(|r| {
            (r.event.occurred.sort_key(), r.seq) < last
                || r.event.follows.is_some()
                || r.event.precedes.is_some()
        });
        if corrected || inside {
            return self.fold_at(stream, at);
        }
        // Only now the snapshot itself (kilobytes), checked before it is trusted: its digest
        // (and its MAC, under a key), and its binding to the log. One that does not hold is
        // passed over and reported; one that does not read (written by another version, say)
        // is passed over.
        let Some(stored) = self.stored_snapshot(id)? else { return self.fold_at(stream, at) };
        if let Err(why) = self.check_snapshot(&stored) {
            self.warn(format!(
                "the snapshot of {stream} through version {through} was ignored: {why} (the answer is folded from the log; `minutes verify` checks every snapshot, `minutes snapshots` rebuilds them)"
            ));
            return self.fold_at(stream, at);
        }
        let Ok(state) = restore(&stored.state) else { return self.fold_at(stream, at) };
        Ok(document_at_from(Some(state), &rest, at))
    }

    /// The state at `at` folded from the stream's events alone.
    fn fold_at(&self, stream: &str, at: &Timestamp) -> Result<DocumentAt> {
        let all = self.document_events_at(stream, at)?;
        Ok(document_at(effective_refs(&all, None), at))
    }

    /// Drops the snapshots and builds them again from the log, for every document (or the
    /// streams named). Returns how many were stored.
    pub fn rebuild_snapshots(&mut self, only: Option<&[String]>) -> Result<u64> {
        let key = self.snapshot_key.clone();
        let tx = Tx::begin(&self.db, Mode::Write)?;
        let db = tx.db();
        // A table of an older shape (without bindings) is dropped whole.
        if db.table_exists("document_snapshots")? && !db.shape_ok(schema::SNAPSHOTS_SHAPE) {
            db.batch(schema::SNAPSHOTS_DROP)?;
        }
        let streams: Vec<String> = match only {
            Some(s) => s.to_vec(),
            None => {
                db.batch(schema::SNAPSHOTS_DROP)?;
                let rows: Vec<(String,)> = db.query(schema::DOCUMENT_STREAMS, &[])?;
                rows.into_iter().map(|(s,)| s).collect()
            }
        };
        db.batch(db.pick(schema::SNAPSHOTS_CREATE, schema::pg::SNAPSHOTS_CREATE))?;
        let mut stored = 0;
        {
            let read = schema::stream();
            for stream in &streams {
                db.execute(schema::SNAPSHOTS_DELETE_STREAM, &[Value::Text(stream)])?;
                let mut events = query_rows(db, &read, &[Value::Text(stream)])?;
                if events.iter().any(|r| matches!(r.event.kind, EventKind::EventCorrected(_))) {
                    continue;
                }
                replay_order(&mut events);
                let mut state = None;
                let mut max_to: Option<Timestamp> = None;
                let (mut max_version, mut last_stored) = (0, 0);
                for (i, r) in events.iter().enumerate() {
                    let Some(to) = r.event.occurred.to else { break };
                    max_to = Some(max_to.map_or(to, |m| m.max(to)));
                    max_version = max_version.max(r.version);
                    DocumentState::apply(&mut state, r);
                    let n = i as u64 + 1;
                    // Only where the first n in replay order are the versions 1..=n, so that a
                    // query reads the rest by version.
                    let due = n >= last_stored + SNAPSHOT_EVERY || n == events.len() as u64;
                    if max_version == n && due {
                        if let (Some(s), Some(m)) = (&state, &max_to) {
                            // Bound to the stream's row at version n: the versions 1..=n are
                            // the first n events here, so the row is among them.
                            let Some(bound) = events.iter().find(|e| e.version == n) else { continue };
                            let mut snap = Stored {
                                stream: stream.clone(),
                                through: n,
                                max_to: fixed(m),
                                last_from: r.event.occurred.from.as_ref().map(fixed),
                                last_seq: r.seq,
                                state: dump(s),
                                bound_seq: bound.seq,
                                bound_hash: bound.hash.clone(),
                                digest: String::new(),
                                mac: None,
                            };
                            snap.digest = hex(&Sha256::digest(snap.signed_bytes()));
                            snap.mac = key.as_ref().map(|k| snap.mac_under(k));
                            db.execute(
                                schema::SNAPSHOT_INSERT,
                                &[
                                    Value::Text(&snap.stream),
                                    Value::Int(snap.through as i64),
                                    Value::Text(&snap.max_to),
                                    Value::OptText(snap.last_from.as_deref()),
                                    Value::Int(snap.last_seq as i64),
                                    Value::Text(&snap.state),
                                    Value::Int(snap.bound_seq as i64),
                                    Value::Text(&snap.bound_hash),
                                    Value::Text(&snap.digest),
                                    Value::OptText(snap.mac.as_deref()),
                                ],
                            )?;
                            stored += 1;
                            last_stored = n;
                        }
                    }
                }
            }
        }
        tx.commit()?;
        Ok(stored)
    }
}

/// What `verify` found of the derived snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnapshotReport {
    /// How many snapshots were checked.
    pub checked: u64,
    /// The first snapshot that does not hold: its stream, version and why.
    pub problem: Option<String>,
    /// A remark that is no failure (snapshots of an older shape, which reads pass over).
    pub note: Option<String>,
}

impl Store {
    /// Sets the key kept outside the store under which snapshots are signed when built and
    /// must be signed when read (`None`: their digest alone is checked). Without a key, anyone
    /// who can edit the file can recompute a snapshot's digest; with one, they cannot.
    pub fn set_snapshot_key(&mut self, key: Option<Vec<u8>>) {
        self.snapshot_key = key;
    }

    /// The warnings reads have gathered (a snapshot passed over because it did not hold), and
    /// forgets them.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.borrow_mut())
    }

    /// The warnings gathered so far, kept.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.borrow().clone()
    }

    fn warn(&self, w: String) {
        let mut ws = self.warnings.borrow_mut();
        if !ws.contains(&w) {
            ws.push(w);
        }
    }

    /// Checks every derived table that answers or judges: each snapshot (its digest, its MAC
    /// under the key, its binding to the log, and its state against the fold of the stream's
    /// versions `1..=through` done anew), and each stream checkpoint the same way. Reports the
    /// first that does not hold.
    pub fn verify_snapshots(&self) -> Result<SnapshotReport> {
        let mut report = SnapshotReport::default();
        if let Some(p) = self.verify_checkpoints(&mut report.checked)? {
            report.problem = Some(p);
            return Ok(report);
        }
        let exists = self.db.table_exists("document_snapshots")?;
        if !exists {
            return Ok(report);
        }
        if !self.db.shape_ok(schema::SNAPSHOTS_SHAPE) {
            report.note = Some("the snapshots are of an older shape, without bindings: reads pass over them; `minutes snapshots` rebuilds them".into());
            return Ok(report);
        }
        let rows = match self.db.query::<StoredRow>(&schema::snapshots_all(), &[]) {
            Ok(rows) => rows,
            Err(e) => {
                report.checked += 1;
                report.problem =
                    Some(format!("a snapshot row cannot be read: {}", crate::StoreError::from(e)));
                return Ok(report);
            }
        };
        let mut folded: Option<(String, Vec<Recorded>)> = None;
        for row in rows {
            report.checked += 1;
            let snap = Stored::from_row(row);
            let name = format!("the snapshot of {} through version {}", snap.stream, snap.through);
            if let Err(why) = self.check_snapshot(&snap) {
                report.problem = Some(format!("{name}: {why}"));
                return Ok(report);
            }
            if folded.as_ref().map_or(true, |(s, _)| *s != snap.stream) {
                let mut events = self.stream(&snap.stream)?;
                replay_order(&mut events);
                folded = Some((snap.stream.clone(), events));
            }
            let events = folded.as_ref().map(|(_, e)| e.as_slice()).unwrap_or_default();
            let first: Vec<&Recorded> = events.iter().take(snap.through as usize).collect();
            let exact = first.len() as u64 == snap.through
                && first.iter().all(|r| r.version <= snap.through)
                && !first.iter().any(|r| matches!(r.event.kind, EventKind::EventCorrected(_)));
            let mut state = None;
            for r in &first {
                DocumentState::apply(&mut state, r);
            }
            let refolded = state.as_ref().map(dump);
            if !exact || refolded.as_deref() != Some(snap.state.as_str()) {
                report.problem = Some(format!(
                    "{name}: its state is not the fold of the stream's versions 1..={}",
                    snap.through
                ));
                return Ok(report);
            }
        }
        Ok(report)
    }

    /// A snapshot's columns, if it reads.
    fn stored_snapshot(&self, id: i64) -> Result<Option<Stored>> {
        let got = self.db.query_opt::<StoredRow>(&schema::snapshot_by_id(), &[Value::Int(id)]);
        match got {
            Ok(s) => Ok(s.map(Stored::from_row)),
            // A table of an older shape: passed over, said once.
            Err(_) => {
                self.warn("the snapshots are of an older shape, without bindings, and were ignored: `minutes snapshots` rebuilds them".into());
                Ok(None)
            }
        }
    }

    /// Whether a snapshot may be trusted: its digest matches its columns, its MAC matches
    /// under the key (when one is set), and the log's row at its version is the one it was
    /// bound to.
    fn check_snapshot(&self, s: &Stored) -> std::result::Result<(), String> {
        if hex(&Sha256::digest(s.signed_bytes())) != s.digest {
            return Err("its digest does not match its contents".into());
        }
        if let Some(key) = &self.snapshot_key {
            match &s.mac {
                None => return Err("it is not signed with the snapshot key".into()),
                Some(m) if *m != s.mac_under(key) => {
                    return Err("its MAC does not match under the snapshot key".into())
                }
                Some(_) => {}
            }
        }
        let bound = Store::row_at(&self.db, &s.stream, s.through).map_err(|e| e.to_string())?;
        match bound {
            Some((seq, hash)) if seq as u64 == s.bound_seq && hash == s.bound_hash => Ok(()),
            _ => Err(format!(
                "it is not bound to the log's row at version {} (seq {})",
                s.through, s.bound_seq
            )),
        }
    }
}

/// A snapshot row as stored.
struct Stored {
    stream: String,
    through: u64,
    max_to: String,
    last_from: Option<String>,
    last_seq: u64,
    state: String,
    bound_seq: u64,
    bound_hash: String,
    digest: String,
    mac: Option<String>,
}

/// A snapshot row's columns as the backend reads them.
type StoredRow = (i64, String, i64, String, Option<String>, i64, String, i64, String, String, Option<String>);

impl Stored {
    fn from_row(r: StoredRow) -> Self {
        // Column 0 is the row's id, which the caller knows.
        let (_, stream, through, max_to, last_from, last_seq, state, bound_seq, bound_hash, digest, mac) = r;
        Self {
            stream,
            through: through as u64,
            max_to,
            last_from,
            last_seq: last_seq as u64,
            state,
            bound_seq: bound_seq as u64,
            bound_hash,
            digest,
            mac,
        }
    }

    /// The bytes its digest and MAC cover: every column but the id, the digest and the MAC,
    /// each on its line (the state last).
    fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "minutes snapshot 1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.stream,
            self.through,
            self.max_to,
            self.last_from.as_deref().unwrap_or("-"),
            self.last_seq,
            self.bound_seq,
            self.bound_hash,
            self.state
        )
        .into_bytes()
    }

    /// HMAC-SHA256 of its signed bytes under `key`, hex.
    fn mac_under(&self, key: &[u8]) -> String {
        mac_under(key, &self.signed_bytes())
    }
}

/// HMAC-SHA256 of `bytes` under `key`, hex.
pub(crate) fn mac_under(key: &[u8], bytes: &[u8]) -> String {
    use hmac::Mac;
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(key) else { return String::new() };
    mac.update(bytes);
    hex(&mac.finalize().into_bytes())
}

/// Bytes as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// An upper bound for the stored window starts that can matter at `at`: stored bounds are
/// RFC 3339 UTC with optional fractions, so compare against the next whole second, which reads
/// a few events too many at most (never too few); the fold then keeps the exact ones.
fn upper_bound(at: &Timestamp) -> String {
    (at.with_timezone(&chrono::Utc) + chrono::Duration::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A moment as fixed-width UTC text, so that text order is time order.
fn fixed(t: &Timestamp) -> String {
    t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

/// A snapshot as stored: the state, with each event it refers to written once (an amendment's
/// proposal and decision, each clause's origin point into `refs`), which keeps it small and
/// quick to read.
#[derive(Serialize, Deserialize)]
struct Snap {
    refs: Vec<SnapRef>,
    document: DocumentName,
    kind: DocumentKind,
    title: String,
    symbols: Vec<String>,
    submitted_by: Vec<ActorId>,
    status: Status,
    body: Option<BodyId>,
    text: Option<Text>,
    amendments: Vec<SnapAmendment>,
    /// The origin of each of the text's paths, in the order of `Text::paths` (an event in
    /// `refs`, and the amendment); `null` for a path without one.
    origins: Vec<Option<(usize, Option<AmendmentId>)>>,
    /// Origins of paths the text does not have (none, as the fold keeps them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    other_origins: Vec<(ClausePath, usize, Option<AmendmentId>)>,
    forerunner_of: Option<DocumentName>,
    problems: Vec<String>,
    /// When the document closed (see `DocumentState::closed_from`); absent in older snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed_from: Option<Timestamp>,
}

#[derive(Serialize, Deserialize)]
struct SnapAmendment {
    id: AmendmentId,
    proposed_by: Vec<ActorId>,
    status: AmendmentStatus,
    wording_known: bool,
    summary: String,
    body: Option<BodyId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    operations: Vec<Operation>,
    proposed: usize,
    decided: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contribution: Option<DocumentName>,
}

#[derive(Serialize, Deserialize)]
struct SnapRef {
    id: EventId,
    #[serde(rename = "type")]
    type_name: String,
    occurred: Window,
    seq: u64,
}

pub(crate) fn dump(s: &DocumentState) -> String {
    let mut refs: Vec<SnapRef> = Vec::new();
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut at = |r: &EventRef| {
        *index.entry(r.seq).or_insert_with(|| {
            refs.push(SnapRef {
                id: r.id,
                type_name: r.type_name.to_string(),
                occurred: r.occurred,
                seq: r.seq,
            });
            refs.len() - 1
        })
    };
    let amendments = s
        .amendments
        .iter()
        .map(|a| SnapAmendment {
            id: a.id.clone(),
            proposed_by: a.proposed_by.clone(),
            status: a.status,
            wording_known: a.wording_known,
            summary: a.summary.clone(),
            body: a.body.clone(),
            operations: a.operations.clone(),
            proposed: at(&a.proposed),
            decided: a.decided.as_ref().map(&mut at),
            contribution: a.contribution.clone(),
        })
        .collect();
    let paths = s.text.as_ref().map(Text::paths).unwrap_or_default();
    let origins =
        paths.iter().map(|p| s.origins.get(p).map(|o| (at(&o.event), o.amendment.clone()))).collect();
    let listed: std::collections::HashSet<&ClausePath> = paths.iter().collect();
    let other_origins = s
        .origins
        .iter()
        .filter(|(p, _)| !listed.contains(p))
        .map(|(p, o)| (p.clone(), at(&o.event), o.amendment.clone()))
        .collect();
    let snap = Snap {
        refs,
        document: s.document.clone(),
        kind: s.kind,
        title: s.title.clone(),
        symbols: s.symbols.clone(),
        submitted_by: s.submitted_by.clone(),
        status: s.status,
        body: s.body.clone(),
        text: s.text.clone(),
        amendments,
        origins,
        other_origins,
        forerunner_of: s.forerunner_of.clone(),
        problems: s.problems.clone(),
        closed_from: s.closed_from,
    };
    // Plain data into a String: cannot fail.
    serde_json::to_string(&snap).unwrap_or_default()
}

/// A snapshot's state.
pub(crate) fn restore(json: &str) -> std::result::Result<DocumentState, String> {
    let snap: Snap = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let refs = snap
        .refs
        .into_iter()
        .map(|r| {
            let type_name =
                EventKind::TYPES.iter().copied().find(|t| *t == r.type_name).ok_or("unknown event type")?;
            Ok(EventRef { id: r.id, type_name, occurred: r.occurred, seq: r.seq })
        })
        .collect::<std::result::Result<Vec<_>, String>>()?;
    let get = |i: usize| refs.get(i).cloned().ok_or_else(|| format!("no event {i} in the snapshot"));
    let mut amendments = Vec::with_capacity(snap.amendments.len());
    for a in snap.amendments {
        amendments.push(Amendment {
            id: a.id,
            proposed_by: a.proposed_by,
            status: a.status,
            wording_known: a.wording_known,
            summary: a.summary,
            body: a.body,
            operations: a.operations,
            proposed: get(a.proposed)?,
            decided: a.decided.map(get).transpose()?,
            contribution: a.contribution,
        });
    }
    let paths = snap.text.as_ref().map(Text::paths).unwrap_or_default();
    if paths.len() != snap.origins.len() {
        return Err("the origins do not match the text".into());
    }
    let mut origins = Vec::with_capacity(paths.len() + snap.other_origins.len());
    for (p, o) in paths.into_iter().zip(snap.origins) {
        if let Some((i, amendment)) = o {
            origins.push((p, Origin { event: get(i)?, amendment }));
        }
    }
    for (p, i, amendment) in snap.other_origins {
        origins.push((p, Origin { event: get(i)?, amendment }));
    }
    // Built in bulk, which is quicker than inserting one by one.
    let origins: BTreeMap<ClausePath, Origin> = origins.into_iter().collect();

    let state = DocumentState {
        document: snap.document,
        kind: snap.kind,
        title: snap.title,
        symbols: snap.symbols,
        submitted_by: snap.submitted_by,
        status: snap.status,
        body: snap.body,
        text: snap.text,
        amendments,
        origins,
        forerunner_of: snap.forerunner_of,
        problems: snap.problems,
        closed_from: snap.closed_from,
    };
    Ok(state)
}

#[cfg(test)]
mod tests {
    use minutes_core::event::Event;

    use super::*;

    fn seen(v: &DocumentAt) -> String {
        let state = v.state.as_ref().map(|s| serde_json::to_string(s).unwrap_or_default());
        let origins = v.state.as_ref().map(|s| format!("{:?}", s.origins));
        format!("{state:?} {origins:?} {:?}", v.uncertain)
    }

    /// A small record with windows of every shape: open starts, wide windows, late recording.
    fn record() -> Vec<Event> {
        let ev = |n: u32,
                  ty: &str,
                  doc: Option<&str>,
                  body: Option<&str>,
                  from: Option<&str>,
                  to: Option<&str>,
                  data: &str| {
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
        let prop = |id: &str, op: &str| {
            format!(r#"{{"amendment": "{id}", "summary": "s", "wording_known": true, "operations": [{op}]}}"#)
        };
        vec![
            ev(1, "MeetingDeclared", None, None, Some("00:00:00"), Some("00:00:00"), declared),
            ev(
                2,
                "DocumentTabled",
                Some("d"),
                None,
                None,
                Some("09:00:00"),
                &format!(r#"{{"kind": "draft_opinion", "title": "D", "text": {text}}}"#),
            ),
            ev(3, "DocumentReferred", Some("d"), Some("wg"), Some("09:00:00"), Some("10:00:00"), "{}"),
            ev(
                4,
                "AmendmentProposed",
                Some("d"),
                Some("wg"),
                Some("10:00:00"),
                Some("10:30:00"),
                &prop("x", r#"{"op": "replace_words", "path": "s/a", "old": "two", "new": "2"}"#),
            ),
            ev(
                5,
                "AmendmentProposed",
                Some("d"),
                Some("wg"),
                Some("10:10:00.5"),
                Some("10:20:00"),
                &prop("y", r#"{"op": "delete_words", "path": "s/b", "old": " six"}"#),
            ),
            ev(
                6,
                "AmendmentAccepted",
                Some("d"),
                Some("wg"),
                Some("11:00:00"),
                Some("11:00:00.250"),
                r#"{"amendment": "y", "decided_by": "consensus"}"#,
            ),
            ev(
                7,
                "AmendmentAccepted",
                Some("d"),
                Some("wg"),
                Some("10:40:00"),
                Some("12:00:00"),
                r#"{"amendment": "x", "decided_by": "vote"}"#,
            ),
            ev(
                8,
                "DraftEndorsed",
                Some("d"),
                Some("wg"),
                Some("12:00:00"),
                Some("12:00:00"),
                r#"{"amendments": ["x", "y"], "submitted_to": "plenary"}"#,
            ),
            // Recorded late, with a window that starts early.
            ev(
                9,
                "StatementMade",
                Some("d"),
                Some("wg"),
                Some("09:30:00"),
                Some("13:00:00"),
                r#"{"stance": "support", "summary": "s"}"#,
            ),
            ev(10, "DraftAdopted", Some("d"), Some("plenary"), Some("14:00:00"), None, "{}"),
        ]
    }

    /// A dropped snapshot table is a derived table gone: answers come from the log. A read of
    /// it that fails otherwise is an error of the answer, not a missing snapshot.
    #[test]
    fn a_dropped_snapshot_table_reads_as_none_and_other_failures_surface() {
        let mut store = Store::memory().expect("store");
        let now = chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").expect("time");
        store.append(&record(), None, now).expect("the record appends");
        store.rebuild_snapshots(None).expect("snapshots");
        let at = chrono::DateTime::parse_from_rfc3339("2030-03-02T13:30:00Z").expect("time");
        let folded = seen(&document_at(&store.stream("m/d").expect("stream"), &at));
        assert_eq!(seen(&store.document_state_at("m/d", &at).expect("from a snapshot")), folded);
        store.sql().expect("a SQLite store").execute_batch(schema::SNAPSHOTS_DROP).expect("drop");
        assert_eq!(seen(&store.document_state_at("m/d", &at).expect("without snapshots")), folded);
        // A table in the snapshots' place whose every read fails (integer overflow).
        store
            .sql()
            .expect("a SQLite store")
            .execute_batch(
                "CREATE VIEW document_snapshots AS SELECT abs(-9223372036854775808) AS id, 'm/d' AS stream, \
                 1 AS through, '' AS max_to, NULL AS last_from, 1 AS last_seq",
            )
            .expect("view");
        let err = store.document_state_at("m/d", &at).expect_err("a failing read is reported");
        assert!(err.to_string().contains("overflow"), "{err}");
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
        assert_eq!(
            store.rebuild_snapshots(None).expect("snapshots"),
            1,
            "one at 8 events; the open-ended adoption stops it"
        );
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
        assert_eq!(
            store.document_events_at("m/d", &early).expect("read").len(),
            2,
            "the tabling and the referral"
        );
    }
}
