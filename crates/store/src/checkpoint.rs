//! Checkpoints of the streams' latest states, so that a write from a fresh connection (a new
//! `minutes append` process) judges an event against a long stream without folding all of it.
//!
//! A checkpoint (table `stream_checkpoints`) holds what the write path needs of a stream after
//! its versions `1..=version`: the state (a document's, as a snapshot stores it; for a meeting,
//! the seqs of the events that shape its state, read back from `events`), the stream's
//! corrections and the events they withdrew, and the seq and hash of the stream's row at that
//! version. It is derived: dropped at will ([`Store::drop_checkpoints`]) and rebuilt by the
//! writes that follow, and never trusted over the log. A write loads a stream from its
//! checkpoint only when the log's row at that version still has that seq and hash, and folds
//! the rows past it on top; if one of those is a correction (which can withdraw an event the
//! checkpoint folded), if the checkpoint does not read, or if it is bound to another row, the
//! stream is folded from the log. A write stores a stream's checkpoint again, in its own
//! transaction, once the stream has grown [`CHECKPOINT_EVERY`] events past it, so a load
//! folds fewer than that many rows on top of it.
//!
//! Retries need no index of every id: a write finds them by the `UNIQUE (id)` index when an
//! event fails (see `append.rs`).

use std::collections::HashMap;

use crate::backend::{CheckpointRow, Db, Mode, Tx, Value};
use crate::error::Result;
use crate::read::{decode_raw, each_recorded, query_rows, RawRow};
use crate::snapshot::{dump, hex, mac_under, restore};
use crate::{schema, Store};
use minutes_core::event::{EventKind, Recorded};
use minutes_core::id::{DocumentName, EventId, MeetingId};
use minutes_core::ledger::{Ledger, StreamIndex};
use minutes_core::project::document::DocumentState;
use minutes_core::project::effective_refs;
use minutes_core::project::meeting::MeetingState;
use sha2::{Digest, Sha256};

/// A stream's checkpoint is stored again once it has grown this many events past the last one.
pub const CHECKPOINT_EVERY: u64 = 32;

/// The shape of the stored state this program reads and writes.
const FORMAT: i64 = 1;

/// The event types a meeting's state ignores (`MeetingState::apply` folds only the others): a
/// meeting's checkpoint lists every other event of its stream, so a type added later is kept
/// unless it is named here.
const NOT_SHAPING_A_MEETING: &[&str] = &[
    "StatementMade",
    "AttendanceRecorded",
    "MeetingOpened",
    "MeetingClosed",
    "SessionOpened",
    "SessionSuspended",
    "SessionResumed",
    "SessionClosed",
    "EventCorrected",
];

/// Whether an event of a meeting's own stream can change the meeting's state.
fn shapes_meeting(type_name: &str) -> bool {
    !NOT_SHAPING_A_MEETING.contains(&type_name)
}

/// The bytes a checkpoint's digest and MAC cover: every column but those two, one a line
/// (the state last).
fn signed_bytes(
    stream: &str,
    version: u64,
    seq: i64,
    hash: &str,
    format: i64,
    corrections: &str,
    state: &str,
) -> Vec<u8> {
    format!("minutes checkpoint 1\n{stream}\n{version}\n{seq}\n{hash}\n{format}\n{corrections}\n{state}")
        .into_bytes()
}

impl Store {
    /// Checks every stream checkpoint as `verify` does a snapshot: its digest (and MAC under
    /// the key), its binding to the log, and its contents against the stream's versions
    /// `1..=version` folded anew. The first that does not hold, named; `Ok(None)` when all do.
    pub(crate) fn verify_checkpoints(&self, checked: &mut u64) -> Result<Option<String>> {
        let exists = self.db.table_exists("stream_checkpoints")?;
        if !exists || !self.db.shape_ok(schema::CHECKPOINTS_SHAPE) {
            return Ok(None);
        }
        type Row = (String, i64, i64, String, i64, String, String, String, Option<String>);
        let rows: Vec<Row> = self.db.query(schema::CHECKPOINTS_ALL, &[])?;
        for (stream, version, seq, hash, format, corrections, state, digest, mac) in rows {
            let version = version as u64;
            *checked += 1;
            let name = format!("the checkpoint of {stream} at version {version}");
            let bytes = signed_bytes(&stream, version, seq, &hash, format, &corrections, &state);
            if hex(&Sha256::digest(&bytes)) != digest {
                return Ok(Some(format!("{name}: its digest does not match its contents")));
            }
            if let Some(key) = &self.snapshot_key {
                if mac.as_deref() != Some(mac_under(key, &bytes).as_str()) {
                    return Ok(Some(format!(
                        "{name}: it is not signed with the snapshot key (`minutes snapshots` with the key drops the checkpoints, which writes then build anew)"
                    )));
                }
            }
            let all = self.stream(&stream)?;
            let upto: Vec<Recorded> = all.into_iter().filter(|r| r.version <= version).collect();
            let bound = upto.iter().find(|r| r.version == version).map(|r| (r.seq as i64, r.hash.as_str()));
            if bound != Some((seq, hash.as_str())) {
                return Ok(Some(format!("{name}: it is not bound to the log's row at that version")));
            }
            let effective = effective_refs(&upto, None);
            // The stream's corrections and what they withdrew, compared as sets (stored in no
            // particular order).
            let mut want: (Vec<EventId>, Vec<EventId>) = (Vec::new(), Vec::new());
            for r in &upto {
                if let EventKind::EventCorrected(c) = &r.event.kind {
                    want.0.push(r.event.id);
                    want.1.push(c.corrects);
                }
            }
            let got = serde_json::from_str::<(Vec<EventId>, Vec<EventId>)>(&corrections).ok().map(|mut g| {
                g.0.sort();
                g.1.sort();
                g
            });
            want.0.sort();
            want.1.sort();
            let expected_state = if DocumentName::new(&stream).is_ok() {
                minutes_core::project::document::document_latest(effective.iter().copied())
                    .as_ref()
                    .map_or_else(|| "null".to_string(), dump)
            } else {
                let shaping: Vec<u64> =
                    effective.iter().filter(|r| shapes_meeting(r.event.type_name())).map(|r| r.seq).collect();
                serde_json::to_string(&shaping).unwrap_or_default()
            };
            if format != FORMAT || got != Some(want) || state != expected_state {
                return Ok(Some(format!(
                    "{name}: it is not the fold of the stream's versions 1..={version}"
                )));
            }
        }
        Ok(None)
    }

    /// A document's latest state (its effective events folded in appending order: what the
    /// next append is judged against), read as a write reads it: from its checkpoint and the
    /// rows past it when the checkpoint holds, else from all its rows. Writes nothing, so a
    /// record verb can look at a long stream without folding it. `None` for a document not
    /// tabled.
    pub fn latest_document(
        &self,
        name: &DocumentName,
    ) -> Result<Option<minutes_core::project::document::DocumentState>> {
        // A read transaction (rolled back when dropped): the checkpoint and the rows past it
        // are read from one view of the log.
        let tx = Tx::begin(&self.db, Mode::Read)?;
        let mut ledger = Ledger::new();
        let mut checkpoints = Checkpoints { key: self.snapshot_key.clone(), ..Checkpoints::default() };
        checkpoints.load(tx.db(), &mut ledger, name.as_str())?;
        Ok(ledger.document(name).cloned())
    }
}

/// What a write knows of the checkpoints of the streams it has loaded.
#[derive(Default)]
pub(crate) struct Checkpoints {
    /// Whether the table exists (asked once per write).
    exists: Option<bool>,
    /// For each stream loaded, the version its stored checkpoint folds (0 for none).
    stored: HashMap<String, u64>,
    /// For each meeting loaded, the seqs of its effective events that shape its state.
    shaping: HashMap<String, Vec<u64>>,
    /// For each loaded stream this connection appended to, its version, seq and hash after
    /// its last such row: a checkpoint at that version is bound to that row without asking
    /// the log.
    written: HashMap<String, (u64, u64, String)>,
    /// For each loaded document whose state is what its stored checkpoint holds (no event
    /// since changed it), that state as stored and the checkpoint's digest: the next
    /// checkpoint moves that row forward instead of writing the state again.
    kept: HashMap<String, (String, String)>,
    /// The snapshot key: checkpoints are signed with it and trusted only when signed with it.
    pub(crate) key: Option<Vec<u8>>,
}

impl Checkpoints {
    /// Forgets whether the table exists: another connection may have dropped or made it.
    pub(crate) fn new_transaction(&mut self) {
        self.exists = None;
    }

    fn exists(&mut self, db: &Db) -> Result<bool> {
        if let Some(e) = self.exists {
            return Ok(e);
        }
        let mut e = db.table_exists("stream_checkpoints")?;
        if e && !db.shape_ok(schema::CHECKPOINTS_SHAPE) {
            // A table of an older shape (without digests) is derived data: dropped, and built
            // anew by the writes that follow (in a read, the drop is rolled back with it).
            let _ = db.batch(schema::CHECKPOINTS_DROP);
            e = false;
        }
        self.exists = Some(e);
        Ok(e)
    }

    /// Loads a stream (a document's or a meeting's) into the ledger: from its checkpoint and
    /// the rows past it when the checkpoint holds, else from all its rows.
    pub(crate) fn load(&mut self, db: &Db, ledger: &mut Ledger, stream: &str) -> Result<()> {
        if self.exists(db)? && self.resume(db, ledger, stream)? {
            return Ok(());
        }
        let recs = query_rows(db, &schema::stream(), &[Value::Text(stream)])?;
        if let Ok(d) = DocumentName::new(stream) {
            ledger.prime_document(&d, &recs);
        } else if let Ok(m) = MeetingId::new(stream) {
            ledger.prime_meeting(&m, &recs);
            let shaping = effective_refs(&recs, None)
                .into_iter()
                .filter(|r| shapes_meeting(r.event.type_name()))
                .map(|r| r.seq)
                .collect();
            self.shaping.insert(stream.to_string(), shaping);
        }
        // Whatever checkpoint there is no longer matches what was folded: store one anew.
        self.stored.insert(stream.to_string(), 0);
        self.kept.remove(stream);
        Ok(())
    }

    /// Loads a stream from its checkpoint, if it has one that holds; false if not.
    fn resume(&mut self, db: &Db, ledger: &mut Ledger, stream: &str) -> Result<bool> {
        type Row = (i64, i64, String, i64, String, String, String, Option<String>);
        let cp = db.query_opt::<Row>(schema::CHECKPOINT_GET, &[Value::Text(stream)])?;
        let Some((version, seq, hash, format, corrections, state, digest, mac)) = cp else {
            return Ok(false);
        };
        let version = version as u64;
        if format != FORMAT {
            return Ok(false);
        }
        // Never trusted unchecked: its digest (and MAC, under the key) must match its bytes.
        let bytes = signed_bytes(stream, version, seq, &hash, format, &corrections, &state);
        if hex(&Sha256::digest(&bytes)) != digest {
            return Ok(false);
        }
        if let Some(key) = &self.key {
            if mac.as_deref() != Some(mac_under(key, &bytes).as_str()) {
                return Ok(false);
            }
        }
        // Bound to the log: the stream's row at that version must be the one it folded through.
        let at = Store::row_at(db, stream, version)?;
        if at != Some((seq, hash)) {
            return Ok(false);
        }
        let Ok((corrections, corrected)) = serde_json::from_str::<(Vec<EventId>, Vec<EventId>)>(&corrections)
        else {
            return Ok(false);
        };
        let mut rest = Vec::new();
        let mut corrected_past = false;
        each_recorded(
            db,
            &schema::stream_after(),
            &[Value::Text(stream), Value::Int(version as i64)],
            |r| {
                if matches!(r.event.kind, EventKind::EventCorrected(_)) {
                    // It may withdraw an event the checkpoint folded: fold the stream anew.
                    corrected_past = true;
                    return Ok(false);
                }
                rest.push(r);
                Ok(true)
            },
        )?;
        if corrected_past {
            return Ok(false);
        }
        let index = StreamIndex::resumed(version, corrections, corrected);
        if let Ok(d) = DocumentName::new(stream) {
            let parsed = if state == "null" {
                None
            } else {
                match restore(&state) {
                    Ok(s) => Some(s),
                    Err(_) => return Ok(false),
                }
            };
            ledger.resume_document(&d, parsed, index);
            if rest.iter().any(|r| DocumentState::changed_by(&r.event.kind)) {
                self.kept.remove(stream);
            } else {
                self.kept.insert(stream.to_string(), (state, digest));
            }
        } else if let Ok(m) = MeetingId::new(stream) {
            let Ok(mut shaping) = serde_json::from_str::<Vec<u64>>(&state) else { return Ok(false) };
            let mut st = None;
            {
                let by_seq = schema::by_seq();
                for s in &shaping {
                    let r = db.query_opt::<RawRow>(&by_seq, &[Value::Int(*s as i64)])?;
                    let Some(r) = r else { return Ok(false) };
                    let r = decode_raw(r)?;
                    if r.event.stream() != stream || r.version > version {
                        return Ok(false);
                    }
                    MeetingState::apply(&mut st, &r.event);
                }
            }
            ledger.resume_meeting(&m, st, index);
            shaping.extend(rest.iter().filter(|r| shapes_meeting(r.event.type_name())).map(|r| r.seq));
            self.shaping.insert(stream.to_string(), shaping);
        } else {
            return Ok(false);
        }
        for r in &rest {
            ledger.extend(r);
        }
        self.stored.insert(stream.to_string(), version);
        Ok(true)
    }

    /// Notes an event folded into a loaded stream (written by this write, or by another
    /// connection since this one's last).
    pub(crate) fn observe(&mut self, r: &Recorded) {
        self.observe_event(&r.event, r.seq);
    }

    /// As [`Checkpoints::observe`], for an event and its seq.
    pub(crate) fn observe_event(&mut self, e: &minutes_core::event::Event, seq: u64) {
        if e.document.is_some() {
            if DocumentState::changed_by(&e.kind) {
                self.kept.remove(e.stream());
            }
        } else if shapes_meeting(e.type_name()) {
            if let Some(s) = self.shaping.get_mut(e.meeting.as_str()) {
                s.push(seq);
            }
        }
    }

    /// Notes a row this connection appended (`version` of `stream`, at `seq`, hashed `hash`).
    pub(crate) fn wrote(&mut self, stream: &str, version: u64, seq: u64, hash: &str) {
        if let Some(w) = self.written.get_mut(stream) {
            (w.0, w.1) = (version, seq);
            w.2.clear();
            w.2.push_str(hash);
        } else if self.stored.contains_key(stream) {
            self.written.insert(stream.to_string(), (version, seq, hash.to_string()));
        }
    }

    /// The seq and hash of `stream`'s row at `version`: known when this connection wrote it
    /// last, else read from the log.
    fn row_at(&self, db: &Db, stream: &str, version: u64) -> Result<Option<(i64, String)>> {
        match self.written.get(stream) {
            Some((v, seq, hash)) if *v == version => Ok(Some((*seq as i64, hash.clone()))),
            _ => Store::row_at(db, stream, version),
        }
    }

    /// Stores the checkpoint of every loaded stream that has grown [`CHECKPOINT_EVERY`] events
    /// past its stored one and whose state is current, in the write's transaction.
    pub(crate) fn store_due(&mut self, db: &Db, ledger: &Ledger) -> Result<()> {
        let due = self.due(db, ledger)?;
        db.put_checkpoints(&due)?;
        self.stored(due);
        Ok(())
    }

    /// The checkpoints [`Checkpoints::store_due`] would store, for the write to send with its
    /// rows ([`Db::insert_events`]; then [`Checkpoints::stored`]). Makes the table if it has
    /// none.
    pub(crate) fn due(&mut self, db: &Db, ledger: &Ledger) -> Result<Vec<CheckpointRow>> {
        let due: Vec<String> = self
            .stored
            .iter()
            .filter(|(s, at)| ledger.has_stream(s) && ledger.version(s) >= **at + CHECKPOINT_EVERY)
            .map(|(s, _)| s.clone())
            .collect();
        if due.is_empty() {
            return Ok(Vec::new());
        }
        if !self.exists(db)? {
            db.batch(db.pick(schema::CHECKPOINTS_CREATE, schema::pg::CHECKPOINTS_CREATE))?;
            self.exists = Some(true);
        }
        let mut rows = Vec::with_capacity(due.len());
        for stream in due {
            let version = ledger.version(&stream);
            let Some(index) = ledger.stream_index(&stream) else { continue };
            let at = self.row_at(db, &stream, version)?;
            // The ledger folds what the log holds: a version without its row is not stored.
            let Some((seq, hash)) = at else { continue };
            let corrections =
                (index.corrections().collect::<Vec<_>>(), index.corrected().collect::<Vec<_>>());
            // A document's state as stored, if no event since changed it: the row is moved
            // forward, the state neither written out nor sent again.
            let kept = self.kept.remove(&stream);
            let (state, moves) = if let Some((state, digest)) = kept {
                #[cfg(debug_assertions)]
                if let Ok(d) = DocumentName::new(&stream) {
                    let now = ledger.document(&d).map_or_else(|| "null".to_string(), dump);
                    debug_assert!(now == state, "{stream}: a state kept as stored has changed");
                }
                (state, Some(digest))
            } else if let Ok(d) = DocumentName::new(&stream) {
                (ledger.document(&d).map_or_else(|| "null".to_string(), dump), None)
            } else if let Some(s) = self.shaping.get(&stream) {
                (serde_json::to_string(s).unwrap_or_default(), None)
            } else {
                continue;
            };
            // Plain data into a String: cannot fail.
            let corrections = serde_json::to_string(&corrections).unwrap_or_default();
            let bytes = signed_bytes(&stream, version, seq, &hash, FORMAT, &corrections, &state);
            let digest = hex(&Sha256::digest(&bytes));
            let mac = self.key.as_ref().map(|k| mac_under(k, &bytes));
            rows.push(CheckpointRow {
                stream,
                version: version as i64,
                seq,
                hash,
                format: FORMAT,
                corrections,
                state,
                digest,
                mac,
                moves,
            });
        }
        Ok(rows)
    }

    /// Notes checkpoints [`Checkpoints::due`] gave as stored.
    pub(crate) fn stored(&mut self, rows: Vec<CheckpointRow>) {
        for r in rows {
            self.stored.insert(r.stream.clone(), r.version as u64);
            if DocumentName::new(&r.stream).is_ok() {
                self.kept.insert(r.stream, (r.state, r.digest));
            }
        }
    }

    /// Forgets the documents (the ledger forgot their states); meetings stay.
    pub(crate) fn forget_documents(&mut self) {
        self.stored.retain(|s, _| DocumentName::new(s).is_err());
        self.written.retain(|s, _| DocumentName::new(s).is_err());
        self.kept.clear();
    }

    /// Forgets the meetings (the ledger forgot their states); documents stay.
    pub(crate) fn forget_meetings(&mut self) {
        self.stored.retain(|s, _| MeetingId::new(s).is_err());
        self.written.retain(|s, _| MeetingId::new(s).is_err());
        self.shaping.clear();
    }
}

impl Store {
    /// Drops the derived checkpoints of the streams' latest states; the writes that follow
    /// fold the streams from the log and store them anew.
    pub fn drop_checkpoints(&mut self) -> Result<()> {
        self.ledger = None;
        Ok(self.db.batch(schema::CHECKPOINTS_DROP)?)
    }
}

#[cfg(test)]
mod tests {
    use minutes_core::event::Event;
    use minutes_core::time::Timestamp;
    use rusqlite::params;

    use super::*;
    use crate::StoreError;

    fn event(n: u32, ty: &str, doc: Option<&str>, actors: &str, data: &str) -> Event {
        let json = format!(
            r#"{{"id": "00000000-0000-4000-8000-{n:012}", "type": "{ty}", "v": 1, "meeting": "m", "document": {}, "body": null, "actors": {actors}, "occurred": {{"from": "2030-03-02T10:00:00Z", "to": "2030-03-02T10:00:00Z"}}, {}"data": {data}}}"#,
            doc.map(|d| format!("\"m/{d}\"")).unwrap_or("null".into()),
            if ty == "MeetingDeclared" || ty == "ActorRegistered" {
                "\"phase\": \"preparatory\", "
            } else {
                ""
            },
        );
        Event::from_json(&json).expect("test event parses")
    }

    fn statement(n: u32, doc: Option<&str>) -> Event {
        event(n, "StatementMade", doc, "[]", r#"{"stance": "support", "summary": "s"}"#)
    }

    fn actor(n: u32, name: &str) -> Event {
        event(
            n,
            "ActorRegistered",
            None,
            "[]",
            &format!(r#"{{"actor": "{name}", "name": "{name}", "kind": "person"}}"#),
        )
    }

    fn now() -> Timestamp {
        chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").expect("time")
    }

    /// A meeting of 2 + 40 + 1 events and a document of 1 + 40, past their first checkpoints.
    fn long_streams() -> Vec<Event> {
        let declared = r#"{"title": "M", "venue": "V", "time_zone": "UTC", "first_day": "2030-03-02", "last_day": "2030-03-02", "bodies": []}"#;
        let mut out = vec![
            event(1, "MeetingDeclared", None, "[]", declared),
            actor(2, "clerk"),
            event(3, "DocumentTabled", Some("d"), "[]", r#"{"kind": "draft_opinion", "title": "D"}"#),
        ];
        for i in 0..40 {
            out.push(statement(100 + i, Some("d")));
            out.push(statement(200 + i, None));
        }
        out.push(actor(4, "chair"));
        out
    }

    fn store(dir: &tempfile::TempDir) -> std::path::PathBuf {
        let path = dir.path().join("cp.db");
        let mut s = Store::create(&path).expect("store");
        s.append(&long_streams(), None, now()).expect("appends");
        s.close().expect("closes");
        path
    }

    /// Replaces a row's payload with bytes that do not decode: a write that folds the row fails.
    fn break_row(path: &std::path::Path, id: u32) {
        let conn = rusqlite::Connection::open(path).expect("opens");
        conn.execute_batch("DROP TRIGGER IF EXISTS events_never_updated").expect("tamper");
        conn.execute(
            "UPDATE events SET payload = 'not an event' WHERE id = ?1",
            params![format!("00000000-0000-4000-8000-{id:012}")],
        )
        .expect("tamper");
    }

    /// An event of meeting `m` (`doc` in it, if any), as [`event`] makes them for meeting "m".
    fn in_meeting(n: u32, m: &str, ty: &str, doc: Option<&str>, data: &str) -> Event {
        let json = format!(
            r#"{{"id": "00000000-0000-4000-8000-{n:012}", "type": "{ty}", "v": 1, "meeting": "{m}", "document": {}, "occurred": {{"from": "2030-03-02T10:00:00Z", "to": "2030-03-02T10:00:00Z"}}, {}"data": {data}}}"#,
            doc.map(|d| format!("\"{m}/{d}\"")).unwrap_or("null".into()),
            if ty == "MeetingDeclared" { "\"phase\": \"preparatory\", " } else { "" },
        );
        Event::from_json(&json).expect("test event parses")
    }

    const DECLARED: &str = r#"{"title": "M", "venue": "V", "time_zone": "UTC", "first_day": "2030-03-02", "last_day": "2030-03-02", "bodies": []}"#;

    #[test]
    fn an_event_that_reads_several_documents_finds_each_when_the_write_forgets_what_it_loaded() {
        // 65 documents in one write: the 65th makes it forget the first 64; 63 of them are
        // loaded again, so that the write holds 64 when an event reads one it holds (d65) and
        // one it does not (d1).
        let mut events = vec![in_meeting(1, "m", "MeetingDeclared", None, DECLARED)];
        for d in 1..=65 {
            let tabled = r#"{"kind": "draft_opinion", "title": "D"}"#;
            events.push(in_meeting(100 + d, "m", "DocumentTabled", Some(&format!("d{d}")), tabled));
        }
        for d in 2..=64 {
            events.push(in_meeting(
                200 + d,
                "m",
                "StatementMade",
                Some(&format!("d{d}")),
                r#"{"stance": "support", "summary": "s"}"#,
            ));
        }
        events.push(in_meeting(
            300,
            "m",
            "ProceduralProposalMade",
            None,
            r#"{"documents": ["m/d65", "m/d1"], "proposal": "merge", "summary": "merge d65 into d1"}"#,
        ));
        let mut s = Store::memory().expect("store");
        let put = s.append(&events, None, now()).expect("every document it names is known");
        assert_eq!(put.len(), events.len());
    }

    #[test]
    fn a_write_that_forgets_meetings_judges_their_events_by_their_state_read_back() {
        // Meeting m0 holds a proposal; 16 more meetings make the write forget it.
        let mut events = vec![
            in_meeting(1, "m0", "MeetingDeclared", None, DECLARED),
            in_meeting(2, "m0", "ProceduralProposalMade", None, r#"{"proposal": "p", "summary": "s"}"#),
        ];
        for m in 1..=16 {
            events.push(in_meeting(10 + m, &format!("m{m}"), "MeetingDeclared", None, DECLARED));
        }
        let withdrawn = in_meeting(40, "m0", "ProceduralProposalWithdrawn", None, r#"{"proposal": "p"}"#);
        events.push(withdrawn);
        let mut s = Store::memory().expect("store");
        s.append(&events, None, now()).expect("m0's proposal is known after its meeting was forgotten");
        // And its state is current: the proposal is withdrawn once.
        let again = in_meeting(41, "m0", "ProceduralProposalWithdrawn", None, r#"{"proposal": "p"}"#);
        for m in 17..=40 {
            s.append(
                &[in_meeting(100 + m, &format!("m{m}"), "MeetingDeclared", None, DECLARED)],
                None,
                now(),
            )
            .expect("declared");
        }
        let err = s.append(&[again], None, now()).expect_err("withdrawn already");
        assert!(matches!(err, StoreError::Refused { .. }), "{err}");
    }

    #[test]
    fn a_fresh_write_to_a_long_stream_reads_only_the_rows_past_its_checkpoint_and_only_while_it_is_bound() {
        let dir = tempfile::tempdir().expect("dir");
        let path = store(&dir);
        // An early row of each stream no longer decodes: folding either stream fails.
        break_row(&path, 110);
        break_row(&path, 210);
        let mut s = Store::open(&path).expect("opens");
        let a = s.append(&[statement(300, Some("d"))], Some(41), now()).expect("judged from the checkpoints");
        assert_eq!(a[0].version, 42);
        drop(s);
        // A retry of an event the checkpoint folded is found by its id, from a fresh store.
        let mut s = Store::open(&path).expect("opens");
        let again = s.append(
            &[event(3, "DocumentTabled", Some("d"), "[]", r#"{"kind": "draft_opinion", "title": "D"}"#)],
            None,
            now(),
        );
        assert!(again.expect("a retry")[0].existed);
        let other = s.append(
            &[event(3, "DocumentTabled", Some("d"), "[]", r#"{"kind": "draft_opinion", "title": "E"}"#)],
            None,
            now(),
        );
        assert!(
            matches!(other, Err(StoreError::Refused { refusal: crate::Refusal::IdTaken(_), .. })),
            "{other:?}"
        );
        drop(s);
        // A checkpoint bound to another row than the log's is not trusted: the stream is folded
        // from the log, which reaches the broken row.
        let conn = rusqlite::Connection::open(&path).expect("opens");
        conn.execute("UPDATE stream_checkpoints SET hash = 'x' WHERE stream = 'm/d'", []).expect("tamper");
        drop(conn);
        let mut s = Store::open(&path).expect("opens");
        let err = s.append(&[statement(301, Some("d"))], None, now()).expect_err("folds from the log");
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        // Dropped, they are rebuilt from the log (which here fails on the broken row).
        s.drop_checkpoints().expect("drops");
        assert!(matches!(s.append(&[statement(302, None)], None, now()), Err(StoreError::Corrupt { .. })));
    }

    #[test]
    fn a_correction_refolds_the_stream_it_corrects() {
        let dir = tempfile::tempdir().expect("dir");
        let path = store(&dir);
        let withdrawn = event(5, "DocumentWithdrawn", Some("d"), "[]", "{}");
        let mut s = Store::open(&path).expect("opens");
        s.append(&[withdrawn], None, now()).expect("withdrawn");
        for i in 0..40 {
            s.append(&[statement(400 + i, Some("d"))], None, now()).expect("appends");
        }
        drop(s);
        let again = |n: u32| event(n, "DocumentWithdrawn", Some("d"), "[]", "{}");
        let mut s = Store::open(&path).expect("opens");
        assert!(
            matches!(s.append(&[again(6)], None, now()), Err(StoreError::Refused { .. })),
            "withdrawn already"
        );
        drop(s);
        let correction = event(
            7,
            "EventCorrected",
            Some("d"),
            r#"["clerk"]"#,
            r#"{"corrects": "00000000-0000-4000-8000-000000000005", "reason": "it was not withdrawn"}"#,
        );
        let mut s = Store::open(&path).expect("opens");
        s.append(&[correction], None, now()).expect("the correction, judged from the checkpoint");
        // The same connection, whose state the correction made stale, and a fresh one, whose
        // checkpoint predates the correction: both see the document open again.
        s.append(&[statement(500, Some("d"))], None, now()).expect("appends");
        drop(s);
        let mut s = Store::open(&path).expect("opens");
        let twice = s.append(
            &[event(
                8,
                "EventCorrected",
                Some("d"),
                r#"["clerk"]"#,
                r#"{"corrects": "00000000-0000-4000-8000-000000000005", "reason": "again"}"#,
            )],
            None,
            now(),
        );
        assert!(matches!(twice, Err(StoreError::Refused { .. })), "already corrected: {twice:?}");
        let of_correction = s.append(
            &[event(
                9,
                "EventCorrected",
                Some("d"),
                r#"["clerk"]"#,
                r#"{"corrects": "00000000-0000-4000-8000-000000000007", "reason": "x"}"#,
            )],
            None,
            now(),
        );
        assert!(
            matches!(of_correction, Err(StoreError::Refused { .. })),
            "a correction of a correction: {of_correction:?}"
        );
        s.append(&[again(10)], None, now()).expect("open again after the correction");
        drop(s);
        let mut s = Store::open(&path).expect("opens");
        assert!(
            matches!(s.append(&[again(11)], None, now()), Err(StoreError::Refused { .. })),
            "withdrawn again"
        );
    }

    #[test]
    fn a_stream_resumed_from_its_checkpoint_has_the_state_of_its_full_fold() {
        let dir = tempfile::tempdir().expect("dir");
        let path = store(&dir);
        let mut s = Store::open(&path).expect("opens");
        // Past the checkpoints: more of both kinds of a meeting's events, and a document's.
        s.append(&[actor(20, "member"), statement(600, None), statement(601, Some("d"))], None, now())
            .expect("appends");
        let tx = Tx::begin(&s.db, Mode::Read).expect("tx");
        let (mut resumed, mut folded) = (Ledger::new(), Ledger::new());
        let mut cps = Checkpoints::default();
        for stream in ["m", "m/d"] {
            assert!(
                cps.resume(tx.db(), &mut resumed, stream).expect("reads"),
                "{stream} has a checkpoint that holds"
            );
            let all: Vec<Recorded> =
                query_rows(tx.db(), &schema::stream(), &[Value::Text(stream)]).expect("reads");
            match DocumentName::new(stream) {
                Ok(d) => folded.prime_document(&d, &all),
                Err(_) => folded.prime_meeting(&MeetingId::new(stream).expect("a meeting"), &all),
            }
            assert_eq!(resumed.version(stream), folded.version(stream));
        }
        let m = MeetingId::new("m").expect("id");
        let d = DocumentName::new("m/d").expect("name");
        assert!(resumed.meeting(&m).is_some_and(|m| m.actors.len() == 3));
        assert_eq!(format!("{:?}", resumed.meeting(&m)), format!("{:?}", folded.meeting(&m)));
        assert_eq!(format!("{:?}", resumed.document(&d)), format!("{:?}", folded.document(&d)));
        drop(tx);
        // What a record verb reads of a document is that same state, and reading it writes
        // nothing.
        let before = s.count().expect("counts");
        assert_eq!(
            format!("{:?}", s.latest_document(&d).expect("reads").as_ref()),
            format!("{:?}", folded.document(&d))
        );
        assert_eq!(s.count().expect("counts"), before);
    }

    #[test]
    fn a_forged_checkpoint_is_never_trusted_and_verify_names_it() {
        let dir = tempfile::tempdir().expect("dir");
        let path = store(&dir);
        let d = DocumentName::new("m/d").expect("name");
        let s = Store::open(&path).expect("opens");
        assert_eq!(s.verify_snapshots().expect("checks").problem, None);
        let honest = format!("{:?}", s.latest_document(&d).expect("reads"));
        drop(s);
        // The document's title changed in its checkpoint, as a forger would.
        let conn = rusqlite::Connection::open(&path).expect("opens");
        let n = conn
            .execute("UPDATE stream_checkpoints SET state = replace(state, '\"title\":\"D\"', '\"title\":\"X\"') WHERE stream = 'm/d'", [])
            .expect("tamper");
        assert_eq!(n, 1);
        drop(conn);
        let s = Store::open(&path).expect("opens");
        assert_eq!(
            format!("{:?}", s.latest_document(&d).expect("reads")),
            honest,
            "folded from the log instead"
        );
        let report = s.verify_snapshots().expect("checks");
        assert!(
            report
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("checkpoint of m/d") && p.contains("digest")),
            "{report:?}"
        );
        // Its digest recomputed: verify refolds and still names it.
        let conn = rusqlite::Connection::open(&path).expect("opens");
        let (version, seq, hash, format, corrections, state): (i64, i64, String, i64, String, String) = conn
            .query_row("SELECT version, seq, hash, format, corrections, state FROM stream_checkpoints WHERE stream = 'm/d'", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .expect("reads");
        let bytes = signed_bytes("m/d", version as u64, seq, &hash, format, &corrections, &state);
        conn.execute(
            "UPDATE stream_checkpoints SET digest = ?1 WHERE stream = 'm/d'",
            params![hex(&Sha256::digest(&bytes))],
        )
        .expect("tamper");
        drop(conn);
        let report = s.verify_snapshots().expect("checks");
        assert!(report.problem.as_deref().is_some_and(|p| p.contains("not the fold")), "{report:?}");
        // Under a key, the recomputed digest is not enough for a read either.
        let mut keyed = Store::open(&path).expect("opens");
        keyed.set_snapshot_key(Some(b"a key kept outside the store".to_vec()));
        assert_eq!(format!("{:?}", keyed.latest_document(&d).expect("reads")), honest);
    }
}
