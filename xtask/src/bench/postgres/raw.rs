//! The raw `postgres`-crate baseline on the very table minutes creates (the database made by
//! `Store::create`: same columns, constraints and triggers), doing the least the same work
//! needs: the chain's advisory lock in every writing transaction (a gap-free seq needs it), the
//! same hash chain, durable commits (`synchronous_commit = on`). One writer, 16 threads feeding
//! one writer thread (group commit), an import by `COPY`, and every row read back and decoded.

use std::collections::HashMap;
use std::io::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use minutes_core::event::Event;
use minutes_store::row_hash;
use postgres::fallible_iterator::FallibleIterator;

use super::super::baseline::{group_clients, raw_fields, GroupRequest};
use super::super::workloads::{statement, Setup};
use super::cluster;

/// The chain's advisory lock key, as the store takes it ("MINU").
const LOCK: &str = "SELECT pg_advisory_xact_lock(1296649813)";

/// The row the baseline inserts: the columns of minutes' events table.
const INSERT: &str = "INSERT INTO events (seq, id, stream, version, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash)
    VALUES ($1, $2, $3, $4, 'StatementMade', 1, $5, $6, $7, '', $8, $9)";

/// Many rows in one statement, each column an array (as minutes sends a group's rows).
const INSERT_MANY: &str = "INSERT INTO events (seq, id, stream, version, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash)
    SELECT s, i, st, ve, 'StatementMade', 1, $5, f, t, '', p, h
    FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[], $6::text[], $7::text[], $8::text[], $9::text[])
        AS r(s, i, st, ve, f, t, p, h)";

/// The baseline's connection to one database, and the chain's head and stream versions.
pub(super) struct RawPg {
    c: postgres::Client,
    seq: i64,
    prev: String,
    versions: HashMap<String, i64>,
    insert: postgres::Statement,
    insert_many: postgres::Statement,
}

impl RawPg {
    /// Connects to the database `db` of the cluster, with durable commits, and reads its head.
    pub(super) fn open(db: &str) -> Result<Self> {
        let mut c = cluster::Cluster::get().admin(db);
        c.batch_execute("SET synchronous_commit = on")?;
        let (seq, prev) = c
            .query_opt("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", &[])?
            .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)))
            .unwrap_or((0, String::new()));
        let mut versions = HashMap::new();
        for r in c.query("SELECT stream, MAX(version) FROM events GROUP BY stream", &[])? {
            versions.insert(r.get(0), r.get(1));
        }
        let insert = c.prepare(INSERT)?;
        let insert_many = c.prepare(INSERT_MANY)?;
        Ok(Self { c, seq, prev, versions, insert, insert_many })
    }

    /// Inserts a group of statement rows in one statement (inside a transaction that holds the
    /// chain's lock): one round trip for the group, as minutes' writer sends it.
    fn insert_group(&mut self, rows: &[(String, String)], meeting: &str) -> Result<()> {
        let (mut seqs, mut ids, mut docs, mut versions) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut froms, mut tos, mut jsons, mut hashes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (json, doc) in rows {
            let (id, from, to) = raw_fields(json);
            let version = self.versions.entry(doc.clone()).or_insert(0);
            *version += 1;
            self.seq += 1;
            let hash = row_hash(&self.prev, self.seq as u64, doc, *version as u64, json);
            seqs.push(self.seq);
            ids.push(id);
            docs.push(doc.as_str());
            versions.push(*version);
            froms.push(from);
            tos.push(to);
            jsons.push(json.as_str());
            hashes.push(hash.clone());
            self.prev = hash;
        }
        self.c.execute(
            &self.insert_many,
            &[&seqs, &ids, &docs, &versions, &meeting, &froms, &tos, &jsons, &hashes],
        )?;
        Ok(())
    }

    /// Inserts one statement row (inside a transaction that holds the chain's lock).
    fn insert(&mut self, json: &str, doc: &str, meeting: &str) -> Result<()> {
        let (id, from, to) = raw_fields(json);
        let version = self.versions.entry(doc.to_string()).or_insert(0);
        *version += 1;
        self.seq += 1;
        let hash = row_hash(&self.prev, self.seq as u64, doc, *version as u64, json);
        self.c
            .execute(&self.insert, &[&self.seq, &id, &doc, &*version, &meeting, &from, &to, &json, &hash])?;
        self.prev = hash;
        Ok(())
    }

    /// `BEGIN` and the chain's lock, in one round trip.
    fn begin(&mut self) -> Result<()> {
        Ok(self.c.batch_execute(&format!("BEGIN; {LOCK}"))?)
    }
}

/// One writer, one statement per commit, on the database `db`, for `secs`: its rate.
pub(super) fn one(db: &str, s: &Setup, secs: f64) -> Result<f64> {
    let mut raw = RawPg::open(db)?;
    let mut rng = fastrand::Rng::with_seed(1);
    let (deadline, start) = (Instant::now() + Duration::from_secs_f64(secs), Instant::now());
    let mut n = 0u64;
    while Instant::now() < deadline {
        let (json, doc) = statement(&mut rng, s);
        raw.begin()?;
        raw.insert(&json, &doc, &s.meeting)?;
        raw.c.batch_execute("COMMIT")?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// `writers` threads handing statements to one writer thread that commits whatever has queued
/// in one transaction (group commit), its rows in one statement, and then acknowledges each, on
/// `db`, for `secs`: their rate.
pub(super) fn group(db: &str, s: &Setup, secs: f64, writers: u64) -> Result<f64> {
    let (tx, rx) = std::sync::mpsc::channel::<GroupRequest>();
    let meeting = s.meeting.clone();
    let mut raw = RawPg::open(db)?;
    let writer = std::thread::spawn(move || -> Result<()> {
        while let Ok(first) = rx.recv() {
            let mut batch = vec![first];
            while let Ok(r) = rx.try_recv() {
                batch.push(r);
            }
            raw.begin()?;
            let rows: Vec<(String, String)> = batch.iter().map(|(j, d, _)| (j.clone(), d.clone())).collect();
            raw.insert_group(&rows, &meeting)?;
            raw.c.batch_execute("COMMIT")?;
            for (_, _, ack) in batch {
                let _ = ack.send(());
            }
        }
        Ok(())
    });
    let rate = group_clients(s, secs, writers, tx);
    writer.join().map_err(|_| anyhow::anyhow!("the baseline writer panicked"))??;
    Ok(rate)
}

/// One field of a `COPY ... FROM STDIN` text row: `\N` for NULL, else the text with its
/// backslashes, tabs and line ends escaped.
fn copy_field(out: &mut String, v: Option<&str>) {
    let Some(s) = v else {
        out.push_str("\\N");
        return;
    };
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// The baseline import into the empty store `db`: each line parsed into the envelope's fields
/// and checked, as the SQLite baseline does, chained, and sent by one `COPY` in one transaction
/// holding the chain's lock. Returns its seconds.
pub(super) fn import(db: &str, lines: &[String]) -> Result<f64> {
    let mut raw = RawPg::open(db)?;
    let start = Instant::now();
    raw.begin()?;
    let RawPg { c, seq, prev, versions, .. } = &mut raw;
    let mut w = c.copy_in(
        "COPY events (seq, id, stream, version, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash) FROM STDIN",
    )?;
    let mut buf = String::with_capacity(1 << 20);
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let s = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
        let id = s("id").context("id")?;
        uuid::Uuid::parse_str(id)?;
        let type_name = s("type").context("type")?;
        let meeting = s("meeting").context("meeting")?;
        let stream = s("document").unwrap_or(meeting);
        let occurred = v.get("occurred").context("occurred")?;
        let utc = |k: &str| {
            occurred.get(k).and_then(serde_json::Value::as_str).map(|t| {
                chrono::DateTime::parse_from_rfc3339(t).map(|t| {
                    t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                })
            })
        };
        let (from, to) = (utc("from").transpose()?, utc("to").transpose()?);
        let version = versions.entry(stream.to_string()).or_insert(0);
        *version += 1;
        *seq += 1;
        let hash = row_hash(prev, *seq as u64, stream, *version as u64, line);
        buf.push_str(&format!("{}\t{id}\t", *seq));
        copy_field(&mut buf, Some(stream));
        buf.push_str(&format!("\t{}\t", *version));
        copy_field(&mut buf, Some(type_name));
        buf.push_str("\t1\t");
        copy_field(&mut buf, Some(meeting));
        buf.push('\t');
        copy_field(&mut buf, from.as_deref());
        buf.push('\t');
        copy_field(&mut buf, to.as_deref());
        buf.push_str("\t\t");
        copy_field(&mut buf, Some(line));
        buf.push('\t');
        buf.push_str(&hash);
        buf.push('\n');
        *prev = hash;
        if buf.len() >= 1 << 20 {
            w.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    w.write_all(buf.as_bytes())?;
    w.finish()?;
    raw.c.batch_execute("COMMIT")?;
    Ok(start.elapsed().as_secs_f64())
}

/// The baseline read of `db`: every row in order, streamed, decoded into the typed event.
/// Returns the rows and its seconds.
pub(super) fn replay(db: &str) -> Result<(u64, f64)> {
    let mut c = cluster::Cluster::get().admin(db);
    let start = Instant::now();
    let st = c.prepare("SELECT seq, version, hash, payload FROM events ORDER BY seq")?;
    let none: Vec<&(dyn postgres::types::ToSql + Sync)> = Vec::new();
    let mut rows = c.query_raw(&st, none.iter().copied())?;
    let (mut n, mut sink) = (0u64, 0usize);
    while let Some(r) = rows.next()? {
        let e = Event::from_json(r.get::<_, &str>(3))?;
        sink += e.actors.len();
        n += 1;
    }
    std::hint::black_box(sink);
    Ok((n, start.elapsed().as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::copy_field;

    #[test]
    fn copy_fields_escape_what_the_text_format_would_read_as_structure() {
        let mut out = String::new();
        copy_field(&mut out, Some(r#"{"a":"x\"y\\z"}"#));
        out.push('|');
        copy_field(&mut out, Some("tab\tline\nend\r"));
        out.push('|');
        copy_field(&mut out, None);
        assert_eq!(out, r#"{"a":"x\\"y\\\\z"}|tab\tline\nend\r|\N"#);
    }
}
