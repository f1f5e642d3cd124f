//! The PostgreSQL column: minutes' `Store::append` on a PostgreSQL store beside a raw
//! `postgres`-crate baseline doing the least the same work needs on the same server and table
//! (the store made by `Store::create`, so the same columns, constraints and triggers): one
//! transaction per event holding the chain's advisory lock (the gap-free seq needs it), one
//! prepared `INSERT` with the same hash chain, durable commits (`synchronous_commit = on`).
//! The server is a throwaway cluster of Debian's binaries, as the tests start it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use minutes_core::event::Event;
use minutes_store::{row_hash, Store};

use super::report::{median, Figure};
use super::workloads::{now, statement, Setup};

#[path = "../../../tests/src/cluster.rs"]
#[allow(dead_code)]
mod cluster;

/// A new PostgreSQL store holding the setup meeting: its URL.
fn fresh_store(s: &Setup) -> Result<String> {
    let url = cluster::fresh_url();
    let mut store = Store::create(&PathBuf::from(&url))?;
    store.append(&s.events, None, now())?;
    Ok(url)
}

/// `Store::append` on PostgreSQL, one statement per commit, for `secs`: its rate.
fn minutes_one(s: &Setup, secs: f64) -> Result<f64> {
    let url = fresh_store(s)?;
    let mut store = Store::open(&PathBuf::from(&url))?;
    let mut rng = fastrand::Rng::with_seed(1);
    let (deadline, start) = (Instant::now() + Duration::from_secs_f64(secs), Instant::now());
    let mut n = 0u64;
    while Instant::now() < deadline {
        let (json, _) = statement(&mut rng, s);
        let e = Event::from_json(&json)?;
        store.append(std::slice::from_ref(&e), None, now())?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// The raw baseline on PostgreSQL, one statement per commit, for `secs`: its rate.
fn raw_one(s: &Setup, secs: f64) -> Result<f64> {
    let url = fresh_store(s)?;
    let db = url.rsplit('/').next().unwrap_or_default().to_string();
    let mut c = cluster::Cluster::get().admin(&db);
    c.batch_execute("SET synchronous_commit = on")?;
    let row = c.query_one("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", &[])?;
    let (mut seq, mut prev): (i64, String) = (row.get(0), row.get(1));
    let mut versions = std::collections::HashMap::<String, i64>::new();
    for r in c.query("SELECT stream, MAX(version) FROM events GROUP BY stream", &[])? {
        versions.insert(r.get(0), r.get(1));
    }
    let insert = c.prepare(
        "INSERT INTO events (seq, id, stream, version, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash)
         VALUES ($1, $2, $3, $4, 'StatementMade', 1, $5, $6, $7, '', $8, $9)",
    )?;
    let mut rng = fastrand::Rng::with_seed(1);
    let (deadline, start) = (Instant::now() + Duration::from_secs_f64(secs), Instant::now());
    let mut n = 0u64;
    while Instant::now() < deadline {
        let (json, doc) = statement(&mut rng, s);
        let id = json[7..43].to_string();
        let from = json.split("\"from\":\"").nth(1).map(|x| x[..20].to_string()).unwrap_or_default();
        let to = json.split("\"to\":\"").nth(1).map(|x| x[..20].to_string()).unwrap_or_default();
        let version = versions.entry(doc.clone()).or_insert(0);
        *version += 1;
        seq += 1;
        let hash = row_hash(&prev, seq as u64, &doc, *version as u64, &json);
        c.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(1296649813)")?;
        c.execute(&insert, &[&seq, &id, &doc, &*version, &s.meeting, &from, &to, &json, &hash])?;
        c.batch_execute("COMMIT")?;
        prev = hash;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// The PostgreSQL lines: one durable writer, minutes against the raw baseline, in rounds of
/// short slices side by side (the order alternating), as the SQLite line is measured.
pub(super) fn figures(s: &Setup, secs: f64, runs: usize) -> Result<Vec<Figure>> {
    let slice = (secs / 3.0).max(0.5);
    let (mut m, mut b, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..runs * 3 {
        let (x, y) = if round % 2 == 0 {
            let x = minutes_one(s, slice)?;
            (x, raw_one(s, slice)?)
        } else {
            let y = raw_one(s, slice)?;
            (minutes_one(s, slice)?, y)
        };
        m.push(x);
        b.push(y);
        ratios.push(x / y);
    }
    Ok(vec![Figure {
        paired: Some(median(ratios)),
        workload: "PostgreSQL: append, 1 writer, 1 event/commit (Store::append)".into(),
        minutes: median(m),
        baseline: Some(median(b)),
        unit: "events/s",
        higher_better: true,
        target: ">= 0.90",
    }])
}
