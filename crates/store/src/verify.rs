//! Verifying the log: every row decodes, agrees with its own payload, and continues the hash
//! chain. The chain catches any row changed, deleted, inserted or reordered without re-hashing
//! everything after it; an anchored head (`verify --head`) catches a cut-off tail or a log
//! rewritten from the start.

use std::collections::HashMap;
use std::sync::mpsc::TrySendError;

use rusqlite::types::ValueRef;

use minutes_core::event::{schema_version, Event};

use crate::backend::{Db, Mode, Tx, Value};
use crate::error::{Result, StoreError};
use crate::{row_hash, schema, Store};

/// The first thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The first bad row's seq (for a missing head: the last row's).
    pub seq: u64,
    /// What is wrong with it.
    pub what: String,
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// How many rows were read.
    pub events: u64,
    /// The last row's hash, hex; `None` for an empty log.
    pub head: Option<String>,
    /// The first problem, if any.
    pub problem: Option<Problem>,
    /// The Merkle tree's size: how many leaves (rows) it has.
    pub size: u64,
    /// The Merkle tree's root (RFC 9162), hex.
    pub root: String,
}

impl Report {
    /// Whether the log is sound.
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// A row as verify reads it.
#[derive(Default)]
struct Row {
    seq: u64,
    id: String,
    stream: String,
    version: u64,
    type_name: String,
    v: i64,
    meeting: String,
    occurred_from: Option<String>,
    occurred_to: Option<String>,
    recorded_at: String,
    payload: String,
    hash: String,
}

/// The columns of [`schema::ALL_ROWS`], by index, as a problem names them.
const COLUMN_NAMES: [&str; 12] = [
    "seq",
    "id",
    "stream",
    "version",
    "type",
    "v",
    "meeting",
    "occurred_from",
    "occurred_to",
    "recorded_at",
    "payload",
    "hash",
];

/// How SQLite's `typeof()` names a stored value.
fn storage_type(v: ValueRef<'_>) -> &'static str {
    match v {
        ValueRef::Null => "null",
        ValueRef::Integer(_) => "integer",
        ValueRef::Real(_) => "real",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "blob",
    }
}

impl Row {
    /// Reads a row of [`schema::ALL_ROWS`] into this one, reusing its strings' memory. A column
    /// stored with the wrong type (SQLite's `typeof()`: a BLOB or invalid UTF-8 where text is
    /// meant, a REAL where an integer is) is the row's problem, returned with the first such
    /// column named; the row is still read as far as it can be, so that the count and the head
    /// stay right.
    fn fill(&mut self, r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<String>> {
        let mut problem = None;
        self.seq = integer(r, 0, &mut problem)? as u64;
        text(r, 1, &mut self.id, &mut problem)?;
        text(r, 2, &mut self.stream, &mut problem)?;
        self.version = integer(r, 3, &mut problem)? as u64;
        text(r, 4, &mut self.type_name, &mut problem)?;
        self.v = integer(r, 5, &mut problem)?;
        text(r, 6, &mut self.meeting, &mut problem)?;
        opt_text(r, 7, &mut self.occurred_from, &mut problem)?;
        opt_text(r, 8, &mut self.occurred_to, &mut problem)?;
        text(r, 9, &mut self.recorded_at, &mut problem)?;
        text(r, 10, &mut self.payload, &mut problem)?;
        text(r, 11, &mut self.hash, &mut problem)?;
        Ok(problem)
    }
}

/// Notes the first column of a row stored with the wrong type.
fn wrong_type(problem: &mut Option<String>, i: usize, what: &str) {
    problem.get_or_insert_with(|| format!("its column {} {what}", COLUMN_NAMES[i]));
}

/// A column of text, or `None` (and the problem noted) for anything else.
fn text_of<'a>(v: ValueRef<'a>, i: usize, problem: &mut Option<String>) -> Option<&'a str> {
    match v {
        ValueRef::Text(b) => match std::str::from_utf8(b) {
            Ok(t) => Some(t),
            Err(_) => {
                wrong_type(problem, i, "is not valid UTF-8 text");
                None
            }
        },
        other => {
            wrong_type(problem, i, &format!("is stored as {}, not text", storage_type(other)));
            None
        }
    }
}

fn text(
    r: &rusqlite::Row<'_>,
    i: usize,
    into: &mut String,
    problem: &mut Option<String>,
) -> rusqlite::Result<()> {
    into.clear();
    into.push_str(text_of(r.get_ref(i)?, i, problem).unwrap_or_default());
    Ok(())
}

fn opt_text(
    r: &rusqlite::Row<'_>,
    i: usize,
    into: &mut Option<String>,
    problem: &mut Option<String>,
) -> rusqlite::Result<()> {
    match r.get_ref(i)? {
        ValueRef::Null => *into = None,
        v => {
            let s = into.get_or_insert_with(String::new);
            s.clear();
            s.push_str(text_of(v, i, problem).unwrap_or_default());
        }
    }
    Ok(())
}

fn integer(r: &rusqlite::Row<'_>, i: usize, problem: &mut Option<String>) -> rusqlite::Result<i64> {
    Ok(match r.get_ref(i)? {
        ValueRef::Integer(n) => n,
        other => {
            wrong_type(problem, i, &format!("is stored as {}, not integer", storage_type(other)));
            0
        }
    })
}

/// A row of [`schema::ALL_ROWS`] as a typed backend reads it (PostgreSQL's columns have their
/// types by the schema).
type TypedRow =
    (i64, String, String, i64, String, i64, String, Option<String>, Option<String>, String, String, String);

/// How many rows a page of a typed backend's log holds.
const PAGE: i64 = 4096;

/// Where verify reads the log's rows from, in seq order.
enum Source<'a> {
    /// One SQLite statement over every row.
    Sqlite(rusqlite::Rows<'a>),
    /// Pages of a typed backend's rows, read inside one snapshot of the log.
    Pages { db: &'a Db, after: i64, page: std::vec::IntoIter<TypedRow>, done: bool },
}

impl Source<'_> {
    /// Reads the next row into `into`: `None` at the end, else the row's column problem, if
    /// any.
    fn fill_next(&mut self, into: &mut Row) -> Result<Option<Option<String>>> {
        match self {
            Source::Sqlite(rows) => match rows.next().map_err(StoreError::from_sqlite)? {
                Some(r) => Ok(Some(into.fill(r).map_err(StoreError::from_sqlite)?)),
                None => Ok(None),
            },
            Source::Pages { db, after, page, done } => {
                let next = match page.next() {
                    Some(r) => Some(r),
                    None if *done => None,
                    None => {
                        let rows: Vec<TypedRow> =
                            db.query(schema::ALL_ROWS_AFTER, &[Value::Int(*after), Value::Int(PAGE)])?;
                        *done = (rows.len() as i64) < PAGE;
                        *page = rows.into_iter();
                        page.next()
                    }
                };
                let Some(r) = next else { return Ok(None) };
                *after = r.0;
                let (seq, id, stream, version, type_name, v, meeting, from, to, recorded_at, payload, hash) =
                    r;
                *into = Row {
                    seq: seq as u64,
                    id,
                    stream,
                    version: version as u64,
                    type_name,
                    v,
                    meeting,
                    occurred_from: from,
                    occurred_to: to,
                    recorded_at,
                    payload,
                    hash,
                };
                Ok(Some(None))
            }
        }
    }
}

/// How many rows go to the decoding thread at a time.
const CHUNK: usize = 512;

/// How many chunks may wait for the decoding thread before the reading thread decodes the
/// next one itself.
const QUEUED: usize = 2;

/// The first row of a chunk whose payload is wrong.
fn decode_chunk(rows: &[Row]) -> Option<Problem> {
    rows.iter().find_map(|row| check_payload(row).map(|what| Problem { seq: row.seq, what }))
}

/// The earlier of two problems.
fn first(a: Option<Problem>, b: Option<Problem>) -> Option<Problem> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.seq < a.seq { b } else { a }),
        (a, b) => a.or(b),
    }
}

impl Store {
    /// Checks the whole log. With `head`, also checks that the log still holds that hash and
    /// extends it (the chain verifies up to it and beyond).
    ///
    /// The chain is checked in order on this thread while a second thread decodes the payloads
    /// (the larger half of the work) and checks them against their columns; whenever the
    /// decoder's queue is full this thread decodes the next chunk itself instead of waiting,
    /// so the two cores share the decoding. The first problem in `seq` order is reported,
    /// whichever thread found it. Memory stays flat: the rows in
    /// flight are a few chunks.
    pub fn verify(&self, head: Option<&str>) -> Result<Report> {
        self.verify_with(head, false)
    }

    /// [`Store::verify`]; with `hold_decoder` (for the tests), the decoding thread takes no chunk
    /// until every row has been read, so the reading thread decodes every chunk past the
    /// decoder's queue itself, as it does whenever the decoder falls behind.
    fn verify_with(&self, head: Option<&str>, hold_decoder: bool) -> Result<Report> {
        match self.db.sqlite() {
            Some(c) => {
                let mut stmt = c.prepare(schema::ALL_ROWS).map_err(StoreError::from_sqlite)?;
                let rows = stmt.query([]).map_err(StoreError::from_sqlite)?;
                self.verify_rows(Source::Sqlite(rows), head, hold_decoder)
            }
            None => {
                // One snapshot of the log for every page.
                let tx = Tx::begin(&self.db, Mode::Read)?;
                let source =
                    Source::Pages { db: tx.db(), after: 0, page: Vec::new().into_iter(), done: false };
                self.verify_rows(source, head, hold_decoder)
            }
        }
    }

    fn verify_rows(&self, mut rows: Source<'_>, head: Option<&str>, hold_decoder: bool) -> Result<Report> {
        let mut prev = String::new();
        let mut expected_seq = 1;
        let mut versions: HashMap<String, u64> = HashMap::new();
        let mut events = 0;
        let mut chain_problem = None;
        let mut head_seq = None;
        let mut tree = crate::merkle::Streaming::new();
        let decode_problem = std::thread::scope(|scope| -> Result<Option<Problem>> {
            // Chunks of rows go to the decoder and come back to be filled again, so that the
            // rows' strings are allocated once, not once a row.
            let (send, receive) = std::sync::mpsc::sync_channel::<(Vec<Row>, usize)>(QUEUED);
            let (recycle, recycled) = std::sync::mpsc::channel::<Vec<Row>>();
            // Dropped once every row is read (or on an early return): a held decoder waits
            // for it.
            let (release, held) = std::sync::mpsc::channel::<()>();
            let decoder = scope.spawn(move || {
                if hold_decoder {
                    let _ = held.recv();
                }
                for (chunk, n) in receive {
                    if let Some(p) = decode_chunk(&chunk[..n]) {
                        return Some(p);
                    }
                    let _ = recycle.send(chunk);
                }
                None
            });
            let fresh = || (0..CHUNK).map(|_| Row::default()).collect::<Vec<Row>>();
            let mut chunk = fresh();
            let mut n = 0;
            // The first problem this thread's own decoding found (every chunk after it is
            // later: none is decoded or sent), and whether the decoder still takes chunks.
            let (mut own_problem, mut decoder_running) = (None, true);
            loop {
                let row = &mut chunk[n];
                let Some(wrong) = rows.fill_next(row)? else { break };
                events += 1;
                let seq = row.seq;
                tree.push(crate::merkle::row_leaf_hash(seq, &row.stream, row.version, &row.payload));
                if chain_problem.is_none() {
                    chain_problem = wrong.map(|what| Problem { seq, what });
                }
                if chain_problem.is_none() {
                    let version = match versions.get_mut(&row.stream) {
                        Some(v) => v,
                        None => versions.entry(row.stream.clone()).or_insert(0),
                    };
                    *version += 1;
                    chain_problem =
                        check_chain(row, expected_seq, &prev, *version).map(|what| Problem { seq, what });
                    if head_seq.is_none() && chain_problem.is_none() && head == Some(row.hash.as_str()) {
                        head_seq = Some(seq);
                    }
                }
                prev.clear();
                prev.push_str(&row.hash);
                expected_seq = seq + 1;
                // Rows past the chain's first problem need no decoding: it is reported first.
                if chain_problem.is_none() {
                    n += 1;
                    if n == CHUNK {
                        // When the decoder is behind (its queue is full), this thread decodes
                        // the chunk itself rather than wait: the two threads share the
                        // decoding as their speeds allow. Once either has found a problem,
                        // later rows need no decoding.
                        if own_problem.is_none() && decoder_running {
                            match send.try_send((chunk, n)) {
                                Ok(()) => chunk = recycled.try_recv().unwrap_or_else(|_| fresh()),
                                Err(TrySendError::Full((back, _))) => {
                                    own_problem = decode_chunk(&back[..n]);
                                    chunk = back;
                                }
                                Err(TrySendError::Disconnected((back, _))) => {
                                    decoder_running = false;
                                    chunk = back;
                                }
                            }
                        }
                        n = 0;
                    }
                }
            }
            drop(release);
            if own_problem.is_none() && decoder_running {
                let _ = send.send((chunk, n));
            }
            drop(send);
            let theirs = decoder.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok(first(theirs, own_problem))
        })?;
        // The first problem in seq order; on one row, the chain's (it is checked first).
        let problem = match (chain_problem, decode_problem) {
            (Some(c), Some(d)) => Some(if d.seq < c.seq { d } else { c }),
            (c, d) => c.or(d),
        };
        let last = if events == 0 { None } else { Some(prev) };
        let saw_head = head_seq.is_some_and(|h| problem.as_ref().map_or(true, |p| p.seq > h));
        let mut problem = problem;
        if let (Some(h), None) = (head, &problem) {
            if !saw_head {
                // A failed look-up is the store's failure, not a cut log.
                let known = self.db.query_opt::<(i64,)>(schema::FIND_HASH, &[Value::Text(h)])?;
                let what = match known {
                    Some(_) => {
                        format!("the anchored head {h} is in the log but the chain does not verify up to it")
                    }
                    None => {
                        format!("the log does not contain the anchored head {h}: it was cut off or rewritten")
                    }
                };
                problem = Some(Problem { seq: expected_seq.saturating_sub(1), what });
            }
        }
        Ok(Report { events, head: last, problem, size: tree.size(), root: crate::merkle::hex(&tree.root()) })
    }
}

/// The row's place in the chain: its seq follows, its hash covers its content and the row
/// before, its version follows its stream's.
fn check_chain(row: &Row, expected_seq: u64, prev: &str, version: u64) -> Option<String> {
    if row.seq != expected_seq {
        return Some(format!(
            "seq {} follows seq {}: a row is missing or was inserted",
            row.seq,
            expected_seq - 1
        ));
    }
    let want = row_hash(prev, row.seq, &row.stream, row.version, &row.payload);
    if want != row.hash {
        return Some("its hash does not match its content and the row before it: the row was changed, or a row before it was removed or inserted".into());
    }
    if row.version != version {
        return Some(format!("its version in stream {} is {}, expected {version}", row.stream, row.version));
    }
    None
}

/// The row's payload: it decodes, and every column not under the hash (all are derived from
/// the payload) says what the payload says.
fn check_payload(row: &Row) -> Option<String> {
    let e = match Event::from_json(&row.payload) {
        Ok(e) => e,
        Err(err) => return Some(format!("its payload does not decode: {err}")),
    };
    let utc = |t: Option<minutes_core::time::Timestamp>| {
        t.map(|t| t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    };
    let mut id = uuid::Uuid::encode_buffer();
    let disagree = if *e.id.0.hyphenated().encode_lower(&mut id) != *row.id {
        "id"
    } else if e.stream() != row.stream {
        "stream"
    } else if e.type_name() != row.type_name {
        "type"
    } else if stored_v(&row.payload, e.type_name()) != Some(row.v) {
        "v"
    } else if e.meeting.as_str() != row.meeting {
        "meeting"
    } else if utc(e.occurred.from) != row.occurred_from {
        "occurred_from"
    } else if utc(e.occurred.to) != row.occurred_to {
        "occurred_to"
    } else if utc(e.recorded_at).unwrap_or_default() != row.recorded_at {
        "recorded_at"
    } else {
        return None;
    };
    Some(format!("its column {disagree} disagrees with its payload"))
}

/// The schema version the stored payload gives (`v`), before any upgrade. A payload that
/// decodes holds a version from 1 to its type's current one, so for a type still at version 1
/// that is the answer without reading the payload again.
fn stored_v(payload: &str, type_name: &str) -> Option<i64> {
    if schema_version(type_name) == 1 {
        return Some(1);
    }
    #[derive(serde::Deserialize)]
    struct V {
        v: i64,
    }
    serde_json::from_str::<V>(payload).ok().map(|v| v.v)
}

#[cfg(test)]
mod tests {
    use minutes_core::event::Event;
    use rusqlite::params;

    use super::*;

    fn event(id: u32, json: &str) -> Event {
        Event::from_json(&json.replace("ID", &format!("00000000-0000-4000-8000-{id:012}")))
            .expect("event parses")
    }

    /// A store of `n` events: a meeting, a document, and statements about it.
    fn store(n: u32) -> Store {
        let mut events = vec![
            event(
                1,
                r#"{"id": "ID", "type": "MeetingDeclared", "v": 1, "meeting": "w", "document": null, "occurred": {"from": "2030-01-01T09:00:00Z", "to": "2030-01-01T09:00:00Z"}, "phase": "preparatory", "source": null, "data": {"title": "W", "venue": "V", "time_zone": "UTC", "first_day": "2030-03-02", "last_day": "2030-03-02", "bodies": [{"id": "plenary", "name": "Plenary"}]}}"#,
            ),
            event(
                2,
                r#"{"id": "ID", "type": "DocumentTabled", "v": 1, "meeting": "w", "document": "w/a", "occurred": {"from": "2030-03-02T10:00:00Z", "to": "2030-03-02T10:00:00Z"}, "source": null, "data": {"kind": "draft", "title": "T", "text": null}}"#,
            ),
        ];
        for k in 3..=n {
            events.push(event(k, r#"{"id": "ID", "type": "StatementMade", "v": 1, "meeting": "w", "document": "w/a", "occurred": {"from": "2030-03-02T11:00:00Z", "to": "2030-03-02T11:00:00Z"}, "source": null, "data": {"stance": "support", "summary": "yes"}}"#));
        }
        let mut s = Store::memory().expect("store");
        let now = chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").expect("time");
        s.append(&events, None, now).expect("appends");
        s.sql().expect("a SQLite store").execute_batch("DROP TRIGGER events_never_updated").expect("tamper");
        s
    }

    /// Rewrites one row's payload and re-hashes the chain from it on, as a careful forger would:
    /// the chain holds, and only decoding the payload can see the damage.
    fn forge_payload(s: &Store, seq: u64, from: &str, to: &str) {
        s.sql()
            .expect("a SQLite store")
            .execute(
                "UPDATE events SET payload = replace(payload, ?1, ?2) WHERE seq = ?3",
                params![from, to, seq as i64],
            )
            .expect("forge");
        let rows: Vec<(u64, String, u64, String)> = s
            .sql()
            .expect("a SQLite store")
            .prepare("SELECT seq, stream, version, payload FROM events ORDER BY seq")
            .expect("select")
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get(1)?, r.get::<_, i64>(2)? as u64, r.get(3)?))
            })
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        let mut prev = String::new();
        for (seq, stream, version, payload) in rows {
            let h = row_hash(&prev, seq, &stream, version, &payload);
            s.sql()
                .expect("a SQLite store")
                .execute("UPDATE events SET hash = ?1 WHERE seq = ?2", params![h, seq as i64])
                .expect("re-hash");
            prev = h;
        }
    }

    /// Moves row `seq`'s `occurred_from` column away from its payload (the chain still holds).
    fn move_occurred_from(s: &Store, seq: u64) {
        s.sql()
            .expect("a SQLite store")
            .execute(
                "UPDATE events SET occurred_from = '2031-01-01T00:00:00Z' WHERE seq = ?1",
                params![seq as i64],
            )
            .expect("tamper");
    }

    #[test]
    fn a_sound_log_of_many_chunks_verifies() {
        let s = store(3 * CHUNK as u32 + 7);
        let r = s.verify(None).expect("verify");
        assert!(r.ok(), "{:?}", r.problem);
        assert_eq!(r.events, 3 * CHUNK as u64 + 7);
    }

    #[test]
    fn the_decoder_thread_names_the_row_whatever_chunk_it_is_in() {
        let s = store(3 * CHUNK as u32 + 7);
        let seq = 2 * CHUNK as u64 + 5;
        move_occurred_from(&s, seq);
        let r = s.verify(None).expect("verify");
        let p = r.problem.expect("a problem");
        assert_eq!((p.seq, p.what.as_str()), (seq, "its column occurred_from disagrees with its payload"));
    }

    /// With the decoder held, the first `QUEUED` chunks wait in its queue and the reading
    /// thread decodes every later one itself: a problem there is found and named by its row,
    /// and one in a queued chunk, earlier in the log, is still the one reported.
    #[test]
    fn the_reading_thread_decodes_the_chunks_the_decoder_is_behind_on() {
        let s = store(6 * CHUNK as u32 + 7);
        let sound = s.verify_with(None, true).expect("verify");
        assert!(sound.ok(), "{:?}", sound.problem);
        assert_eq!(sound.events, 6 * CHUNK as u64 + 7);
        // In the fifth chunk: past the queue, so the reading thread's.
        let late = 4 * CHUNK as u64 + 9;
        move_occurred_from(&s, late);
        let p = s.verify_with(None, true).expect("verify").problem.expect("a problem");
        assert_eq!((p.seq, p.what.as_str()), (late, "its column occurred_from disagrees with its payload"));
        // In the first chunk, which waits for the decoder: the earlier problem is reported.
        let early = 11;
        move_occurred_from(&s, early);
        let p = s.verify_with(None, true).expect("verify").problem.expect("a problem");
        assert_eq!(p.seq, early);
        // And as the threads share it unheld.
        assert_eq!(s.verify(None).expect("verify").problem.expect("a problem").seq, early);
    }

    #[test]
    fn the_first_problem_in_seq_order_is_reported_whichever_thread_finds_it() {
        // A payload that no longer decodes, behind a chain that holds.
        let s = store(CHUNK as u32 + 40);
        forge_payload(&s, 30, "StatementMade", "StatementMangled");
        let p = s.verify(None).expect("verify").problem.expect("a problem");
        assert_eq!(p.seq, 30);
        assert!(p.what.contains("does not decode"), "{}", p.what);
        // And a broken chain further on does not hide it; one earlier does.
        s.sql()
            .expect("a SQLite store")
            .execute("UPDATE events SET hash = 'x' WHERE seq = ?1", params![CHUNK as i64 + 20])
            .expect("tamper");
        assert_eq!(s.verify(None).expect("verify").problem.expect("a problem").seq, 30);
        s.sql()
            .expect("a SQLite store")
            .execute("UPDATE events SET hash = 'x' WHERE seq = 10", [])
            .expect("tamper");
        let p = s.verify(None).expect("verify").problem.expect("a problem");
        assert_eq!(p.seq, 10);
        assert!(p.what.contains("hash does not match"), "{}", p.what);
    }
}
