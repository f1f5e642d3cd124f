//! The raw rusqlite baseline: the least the same work needs on the very table minutes creates
//! (appends, threads with group commit, verify, import, replay), and the index layouts for import.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use minutes_core::event::Event;
use minutes_store::{row_hash, Store};
use rusqlite::{params, Connection};

use super::remove_db;
use super::workloads::{fresh_store, statement, Setup};

/// The row the baseline inserts: the columns of minutes' events table, in its order.
const INSERT: &str = "INSERT INTO events
    (seq, id, stream, version, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// The baseline's connection on the same table, and the chain's head and stream versions.
struct Raw {
    conn: Connection,
    seq: u64,
    prev: String,
    versions: HashMap<String, u64>,
}

impl Raw {
    /// Opens `db` as the baseline does (WAL, `synchronous = FULL`) and reads its head.
    fn open(db: &Path) -> Result<Self> {
        let conn = Connection::open(db)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")?;
        let (seq, prev) = conn
            .query_row("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
            })
            .unwrap_or((0, String::new()));
        let mut versions = HashMap::new();
        {
            let mut st = conn.prepare("SELECT stream, MAX(version) FROM events GROUP BY stream")?;
            let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
            for row in rows {
                let (k, v) = row?;
                versions.insert(k, v);
            }
        }
        Ok(Self { conn, seq, prev, versions })
    }

    /// Inserts one statement row (already in a transaction or autocommit).
    fn insert(
        &mut self,
        json: &str,
        stream: &str,
        meeting: &str,
        id: &str,
        from: &str,
        to: &str,
    ) -> Result<()> {
        let version = self.versions.entry(stream.to_string()).or_insert(0);
        *version += 1;
        self.seq += 1;
        let hash = row_hash(&self.prev, self.seq, stream, *version, json);
        self.conn.prepare_cached(INSERT)?.execute(params![
            self.seq as i64,
            id,
            stream,
            *version as i64,
            "StatementMade",
            1,
            meeting,
            from,
            to,
            "",
            json,
            hash
        ])?;
        self.prev = hash;
        Ok(())
    }
}

/// The id and the window of a statement made by `statement`, cut from its fixed places.
pub(super) fn raw_fields(json: &str) -> (String, String, String) {
    // The statement template puts the id at a fixed place; the baseline need not parse it.
    let id = json[7..43].to_string();
    let from = json.split("\"from\":\"").nth(1).map(|s| s[..20].to_string()).unwrap_or_default();
    let to = json.split("\"to\":\"").nth(1).map(|s| s[..20].to_string()).unwrap_or_default();
    (id, from, to)
}

/// The baseline's single writer, one statement per commit, for `secs`: its rate.
pub(super) fn append_raw_one(work: &Path, s: &Setup, secs: f64) -> Result<f64> {
    let (db, store) = fresh_store(work, "append-raw.db", s)?;
    store.close()?;
    let mut raw = Raw::open(&db)?;
    let mut rng = fastrand::Rng::with_seed(1);
    let (deadline, start) = (Instant::now() + Duration::from_secs_f64(secs), Instant::now());
    let mut n = 0u64;
    while Instant::now() < deadline {
        let (json, doc) = statement(&mut rng, s);
        let (id, from, to) = raw_fields(&json);
        raw.conn.execute_batch("BEGIN IMMEDIATE")?;
        raw.insert(&json, &doc, &s.meeting, &id, &from, &to)?;
        raw.conn.execute_batch("COMMIT")?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// A statement for a raw group-commit writer thread: its JSON, its stream, and where to
/// acknowledge it once committed.
pub(super) type GroupRequest = (String, String, std::sync::mpsc::SyncSender<()>);

/// `writers` client threads, each sending statements through `tx` to a raw group-commit writer
/// thread and waiting for each acknowledgement, for `secs`: the rate acknowledged. Returns once
/// every client has stopped, with `tx` dropped (the writer's queue then ends).
pub(super) fn group_clients(
    s: &Setup,
    secs: f64,
    writers: u64,
    tx: std::sync::mpsc::Sender<GroupRequest>,
) -> f64 {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let count = Arc::new(AtomicU64::new(0));
    let mut threads = Vec::new();
    for k in 0..writers {
        let tx = tx.clone();
        let count = Arc::clone(&count);
        let setup = Setup {
            events: Vec::new(),
            meeting: s.meeting.clone(),
            docs: s.docs.clone(),
            day: s.day.clone(),
        };
        threads.push(std::thread::spawn(move || {
            let mut rng = fastrand::Rng::with_seed(100 + k);
            while Instant::now() < deadline {
                let (json, doc) = statement(&mut rng, &setup);
                let (ack, done) = std::sync::mpsc::sync_channel(1);
                if tx.send((json, doc, ack)).is_err() || done.recv().is_err() {
                    break;
                }
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in threads {
        let _ = t.join();
    }
    count.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// `writers` threads handing statements to one writer thread that commits what has queued
/// (group commit), for `secs`: their rate.
pub(super) fn append_raw_threads(work: &Path, s: &Setup, secs: f64, writers: u64) -> Result<f64> {
    let (db, store) = fresh_store(work, "append-raw-16.db", s)?;
    store.close()?;
    let (tx, rx) = std::sync::mpsc::channel::<GroupRequest>();
    let meeting = s.meeting.clone();
    let writer = std::thread::spawn(move || -> Result<()> {
        let mut raw = Raw::open(&db)?;
        while let Ok(first) = rx.recv() {
            let mut group = vec![first];
            while let Ok(r) = rx.try_recv() {
                group.push(r);
            }
            raw.conn.execute_batch("BEGIN IMMEDIATE")?;
            for (json, doc, _) in &group {
                let (id, from, to) = raw_fields(json);
                raw.insert(json, doc, &meeting, &id, &from, &to)?;
            }
            raw.conn.execute_batch("COMMIT")?;
            for (_, _, ack) in group {
                let _ = ack.send(());
            }
        }
        Ok(())
    });
    let rate = group_clients(s, secs, writers, tx);
    writer.join().map_err(|_| anyhow::anyhow!("the baseline writer panicked"))??;
    Ok(rate)
}

/// The baseline's verify: every row in order, its hash recomputed and chained: its rate.
pub(super) fn raw_verify(db: &Path) -> Result<f64> {
    let conn = Connection::open(db)?;
    let start = Instant::now();
    let mut st = conn.prepare("SELECT seq, stream, version, payload, hash FROM events ORDER BY seq")?;
    let mut rows = st.query([])?;
    let mut prev = String::new();
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        let seq = r.get::<_, i64>(0)? as u64;
        let stream: String = r.get(1)?;
        let version = r.get::<_, i64>(2)? as u64;
        let payload: String = r.get(3)?;
        let hash: String = r.get(4)?;
        if row_hash(&prev, seq, &stream, version, &payload) != hash {
            bail!("raw verify: row {seq} does not match");
        }
        prev = hash;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// The baseline import: parse each line into the envelope's fields, check them, chain and insert
/// in batches of 10,000. Returns its seconds.
pub(super) fn import_raw(db: &Path, file: &Path) -> Result<f64> {
    Store::create(db)?.close()?;
    let start = Instant::now();
    let mut raw = Raw::open(db)?;
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
    let mut in_batch = 0;
    raw.conn.execute_batch("BEGIN IMMEDIATE")?;
    for line in reader.lines() {
        let line = line?;
        let v: serde_json::Value = serde_json::from_str(&line)?;
        let s = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
        let id = s("id").context("id")?;
        uuid::Uuid::parse_str(id)?;
        let type_name = s("type").context("type")?;
        let meeting = s("meeting").context("meeting")?;
        let stream = s("document").unwrap_or(meeting).to_string();
        let occurred = v.get("occurred").context("occurred")?;
        let utc = |k: &str| {
            occurred.get(k).and_then(serde_json::Value::as_str).map(|t| {
                chrono::DateTime::parse_from_rfc3339(t).map(|t| {
                    t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                })
            })
        };
        let from = utc("from").transpose()?;
        let to = utc("to").transpose()?;
        let version = raw.versions.entry(stream.clone()).or_insert(0);
        *version += 1;
        raw.seq += 1;
        let hash = row_hash(&raw.prev, raw.seq, &stream, *version, &line);
        raw.conn.prepare_cached(INSERT)?.execute(params![
            raw.seq as i64,
            id,
            stream,
            *version as i64,
            type_name,
            1,
            meeting,
            from,
            to,
            "",
            line,
            hash
        ])?;
        raw.prev = hash;
        in_batch += 1;
        if in_batch == 10_000 {
            raw.conn.execute_batch("COMMIT; BEGIN IMMEDIATE")?;
            in_batch = 0;
        }
    }
    raw.conn.execute_batch("COMMIT")?;
    Ok(start.elapsed().as_secs_f64())
}

/// The baseline read: every row in order, decoded into the typed event. Returns its seconds.
pub(super) fn replay_raw(db: &Path) -> Result<f64> {
    let conn = Connection::open(db)?;
    let start = Instant::now();
    let mut st = conn.prepare("SELECT seq, version, hash, payload FROM events ORDER BY seq")?;
    let mut rows = st.query([])?;
    let mut sink = 0usize;
    while let Some(r) = rows.next()? {
        let payload: String = r.get(3)?;
        let e = Event::from_json(&payload)?;
        sink += e.actors.len();
    }
    std::hint::black_box(sink);
    Ok(start.elapsed().as_secs_f64())
}

/// One layout of the events table for the import experiment.
struct Layout {
    name: &'static str,
    id_blob: bool,
    id_index: &'static str,
    cache_kib: i64,
    batch: usize,
}

/// The baseline import under each layout: the rate, the file's size, and the bytes written to
/// the disk (from /proc/self/io), which is what random keys inflate.
pub(super) fn layouts(file: &Path, dir: &Path) -> Result<String> {
    let all = [
        Layout {
            name: "as shipped: id TEXT UNIQUE, 2 MiB cache, batches of 10,000",
            id_blob: false,
            id_index: "UNIQUE",
            cache_kib: 2000,
            batch: 10_000,
        },
        Layout {
            name: "id TEXT UNIQUE, 256 MiB cache",
            id_blob: false,
            id_index: "UNIQUE",
            cache_kib: 262_144,
            batch: 10_000,
        },
        Layout {
            name: "id BLOB(16) UNIQUE, 2 MiB cache",
            id_blob: true,
            id_index: "UNIQUE",
            cache_kib: 2000,
            batch: 10_000,
        },
        Layout {
            name: "id BLOB(16) UNIQUE, 256 MiB cache",
            id_blob: true,
            id_index: "UNIQUE",
            cache_kib: 262_144,
            batch: 10_000,
        },
        Layout {
            name: "no index on id (idempotency unchecked: the floor)",
            id_blob: false,
            id_index: "",
            cache_kib: 2000,
            batch: 10_000,
        },
        Layout {
            name: "id TEXT UNIQUE, batches of 1,000",
            id_blob: false,
            id_index: "UNIQUE",
            cache_kib: 2000,
            batch: 1_000,
        },
        Layout {
            name: "id TEXT UNIQUE, one transaction, 2 MiB cache",
            id_blob: false,
            id_index: "UNIQUE",
            cache_kib: 2000,
            batch: usize::MAX,
        },
        Layout {
            name: "id TEXT UNIQUE, one transaction, 64 MiB cache (as minutes import)",
            id_blob: false,
            id_index: "UNIQUE",
            cache_kib: 65_536,
            batch: usize::MAX,
        },
    ];
    let mut out = String::from("| layout | events/s | file MiB | written MiB |\n|---|---:|---:|---:|\n");
    for l in &all {
        let db = dir.join("layout.db");
        remove_db(&db);
        let written0 = io_written();
        let (n, secs) = import_layout(&db, file, l)?;
        let written = (io_written() - written0) as f64 / 1048576.0;
        let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0;
        out.push_str(&format!("| {} | {:.0} | {size:.0} | {written:.0} |\n", l.name, n as f64 / secs));
        remove_db(&db);
    }
    Ok(out.trim_end().to_string())
}

/// The bytes this process has written to the disk so far, from /proc/self/io.
fn io_written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("write_bytes:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The baseline import of `file` into a new `db` of layout `l`: the events and the seconds.
fn import_layout(db: &Path, file: &Path, l: &Layout) -> Result<(u64, f64)> {
    let id_type = if l.id_blob { "BLOB" } else { "TEXT" };
    let create = format!(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, id {id_type} NOT NULL {}, stream TEXT NOT NULL, version INTEGER NOT NULL,
            type TEXT NOT NULL, v INTEGER NOT NULL, meeting TEXT NOT NULL, occurred_from TEXT, occurred_to TEXT,
            recorded_at TEXT NOT NULL, payload TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream, version));
         CREATE INDEX events_by_meeting ON events (meeting, seq);",
        l.id_index
    );
    let conn = Connection::open(db)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -{};",
        l.cache_kib
    ))?;
    conn.execute_batch(&create)?;
    let start = Instant::now();
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
    let (mut seq, mut prev, mut versions) = (0u64, String::new(), HashMap::<String, u64>::new());
    let mut in_batch = 0;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    for line in reader.lines() {
        let line = line?;
        let v: serde_json::Value = serde_json::from_str(&line)?;
        let s = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
        let id = uuid::Uuid::parse_str(s("id").context("id")?)?;
        let meeting = s("meeting").context("meeting")?;
        let stream = s("document").unwrap_or(meeting).to_string();
        let occurred = v.get("occurred").context("occurred")?;
        let from = occurred.get("from").and_then(serde_json::Value::as_str);
        let to = occurred.get("to").and_then(serde_json::Value::as_str);
        let version = versions.entry(stream.clone()).or_insert(0);
        *version += 1;
        seq += 1;
        let hash = row_hash(&prev, seq, &stream, *version, &line);
        let id_value: rusqlite::types::Value =
            if l.id_blob { id.as_bytes().to_vec().into() } else { id.to_string().into() };
        conn.prepare_cached(INSERT)?.execute(params![
            seq as i64,
            id_value,
            stream,
            *version as i64,
            s("type").context("type")?,
            1,
            meeting,
            from,
            to,
            "",
            line,
            hash
        ])?;
        prev = hash;
        in_batch += 1;
        if in_batch == l.batch {
            conn.execute_batch("COMMIT; BEGIN IMMEDIATE")?;
            in_batch = 0;
        }
    }
    conn.execute_batch("COMMIT")?;
    let secs = start.elapsed().as_secs_f64();
    conn.close().map_err(|(_, e)| e)?;
    Ok((seq, secs))
}
