//! `xtask bench-child pg-profile [SECS] [EVENTS]`: where an append's time goes on PostgreSQL, measured
//! by the server. Each workload runs on a database whose sessions log every statement with its
//! server-side duration (`log_min_duration_statement = 0`, set on that database alone); the
//! cluster's log between the run's start and end is then summed by statement: how many of each
//! per event (round trips) and the server's time in them, beside the wall time per event.
//! Appends, import and replay, minutes and the raw baseline.

use std::io::{Read as _, Seek as _};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use minutes_store::Store;

use super::super::workloads::replay_lib;
use super::super::workloads::{tasks_on, Setup};
use super::{cluster, db_name, fresh_store, minutes_import, raw};

/// Makes the sessions of the database at `url` opened from now on log every statement with its
/// server-side duration.
fn log_sessions(url: &str) -> Result<()> {
    cluster::Cluster::get()
        .admin("postgres")
        .batch_execute(&format!("ALTER DATABASE {} SET log_min_duration_statement = 0", db_name(url)))?;
    Ok(())
}

/// The cluster's log from byte `from` on.
fn log_since(from: u64) -> Result<String> {
    let mut f = std::fs::File::open(cluster::Cluster::get().dir.join("log"))?;
    f.seek(std::io::SeekFrom::Start(from))?;
    let mut s = String::new();
    f.read_to_string(&mut s)?;
    Ok(s)
}

/// Where the cluster's write-ahead log stands, in bytes: the difference over a workload is
/// what it wrote (every database's, so a workload runs alone).
fn wal_lsn() -> Result<i64> {
    let row = cluster::Cluster::get()
        .admin("postgres")
        .query_one("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", &[])?;
    Ok(row.get(0))
}

fn log_len() -> u64 {
    std::fs::metadata(cluster::Cluster::get().dir.join("log")).map(|m| m.len()).unwrap_or(0)
}

/// The log's statements summed: (phase and statement's first words, count, total ms), largest
/// total first.
fn summarise(log: &str) -> Vec<(String, u64, f64)> {
    let mut by: std::collections::BTreeMap<String, (u64, f64)> = Default::default();
    for l in log.lines() {
        let Some(rest) = l.split("duration: ").nth(1) else { continue };
        let Some((ms, what)) = rest.split_once(" ms  ") else { continue };
        let ms: f64 = ms.parse().unwrap_or(0.0);
        // "execute s3: INSERT INTO ...", "statement: BEGIN; ...", "parse s3: ...", "bind s3: ..."
        let (phase, text) = what.split_once(": ").unwrap_or((what, ""));
        let phase = phase.split_whitespace().next().unwrap_or(phase);
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(64).collect();
        let e = by.entry(format!("{phase}: {text}")).or_default();
        e.0 += 1;
        e.1 += ms;
    }
    let mut v: Vec<_> = by.into_iter().map(|(k, (n, ms))| (k, n, ms)).collect();
    v.sort_by(|a, b| b.2.partial_cmp(&a.2).unwrap_or(std::cmp::Ordering::Equal));
    v
}

/// `Store::append` on `store`, one statement per commit, for `secs`: its rate.
fn one_writer(mut store: Store, s: &Setup, secs: f64) -> Result<f64> {
    let mut rng = fastrand::Rng::with_seed(1);
    let deadline = Instant::now() + std::time::Duration::from_secs_f64(secs);
    let (start, mut n) = (Instant::now(), 0u64);
    while Instant::now() < deadline {
        let (json, _) = super::statement(&mut rng, s);
        let e = minutes_core::event::Event::from_json(&json)?;
        store.append(std::slice::from_ref(&e), None, super::now())?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// How a workload's database starts: holding the setup meeting (appends), empty (import), or
/// holding the generated record, imported unlogged (replay).
enum Start {
    Setup,
    Empty,
    Imported,
}

/// A workload of the profile: its name, how its database starts, and the run on that
/// database's URL, which returns its rate and the events it wrote or read.
type Workload<'a> = (&'static str, Start, Box<dyn Fn(&str) -> Result<(f64, f64)> + 'a>);

/// Runs each workload once on a logged database and prints what the server saw of it.
pub(in super::super) fn run(s: &Setup, secs: f64, lines: &[String]) -> Result<()> {
    let n = lines.len() as f64;
    let appends = |rate: f64| (rate, rate * secs);
    let workloads: Vec<Workload<'_>> = vec![
        (
            "minutes Store::append, 1 writer",
            Start::Setup,
            Box::new(|url: &str| Ok(appends(one_writer(Store::open(&PathBuf::from(url))?, s, secs)?))),
        ),
        (
            "minutes Store::append, 1 writer, on a tokio blocking-pool thread (as the Writer runs)",
            Start::Setup,
            Box::new(|url: &str| {
                let store = Store::open(&PathBuf::from(url))?;
                let rt =
                    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
                let setup = Setup {
                    events: Vec::new(),
                    meeting: s.meeting.clone(),
                    docs: s.docs.clone(),
                    day: s.day.clone(),
                };
                Ok(appends(rt.block_on(rt.spawn_blocking(move || one_writer(store, &setup, secs)))??))
            }),
        ),
        ("raw, 1 writer", Start::Setup, Box::new(|url: &str| Ok(appends(raw::one(&db_name(url), s, secs)?)))),
        (
            "minutes Writer, 16 tasks",
            Start::Setup,
            Box::new(|url: &str| Ok(appends(tasks_on(Store::open(&PathBuf::from(url))?, s, secs, 16)?))),
        ),
        (
            "raw group commit, 16 threads",
            Start::Setup,
            Box::new(|url: &str| Ok(appends(raw::group(&db_name(url), s, secs, 16)?))),
        ),
        (
            "minutes import (Store::import, one transaction)",
            Start::Empty,
            Box::new(|url: &str| {
                let mut store = Store::open(&PathBuf::from(url))?;
                let t = Instant::now();
                let mut it = lines.iter();
                store
                    .import(|| it.next().map(|l| minutes_core::event::Event::from_json(l)), super::now())
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                Ok((n / t.elapsed().as_secs_f64(), n))
            }),
        ),
        (
            "raw import (one COPY)",
            Start::Empty,
            Box::new(|url: &str| Ok((n / raw::import(&db_name(url), lines)?, n))),
        ),
        (
            "minutes replay through the projections",
            Start::Imported,
            Box::new(|url: &str| Ok((n / replay_lib(&PathBuf::from(url))?, n))),
        ),
        (
            "raw replay (rows decoded)",
            Start::Imported,
            Box::new(|url: &str| {
                let (rows, secs) = raw::replay(&db_name(url))?;
                Ok((rows as f64 / secs, rows as f64))
            }),
        ),
    ];
    for (name, start, w) in &workloads {
        let url = match start {
            Start::Setup => fresh_store(s)?,
            Start::Empty => {
                let url = cluster::fresh_url();
                Store::create(&PathBuf::from(&url))?.close()?;
                url
            }
            Start::Imported => minutes_import(lines)?.0,
        };
        log_sessions(&url)?;
        let from = log_len();
        let wal_from = wal_lsn()?;
        let (rate, events) = w(&url)?;
        let wal = wal_lsn()? - wal_from;
        // The server writes its log asynchronously: let it catch up.
        std::thread::sleep(std::time::Duration::from_millis(500));
        let log = log_since(from)?;
        let events = events.round().max(1.0);
        let lines = summarise(&log);
        let (calls, ms): (u64, f64) = lines.iter().fold((0, 0.0), |a, l| (a.0 + l.1, a.1 + l.2));
        let commits = lines.iter().filter(|l| l.0 == "statement: COMMIT").map(|l| l.1).sum::<u64>().max(1);
        println!(
            "\n## {name}: {rate:.0} events/s, {events:.0} events, {commits} commits ({:.1} events/commit); wall {:.0} µs/event, server {:.0} µs/event in {:.1} logged phases/event; {:.0} bytes of WAL/event",
            events / commits as f64,
            1e6 / rate,
            ms * 1e3 / events,
            calls as f64 / events,
            wal as f64 / events
        );
        println!("| phase: statement | per event | server µs/event |\n|---|---:|---:|");
        for (k, c, ms) in lines.iter().take(12) {
            println!("| {} | {:.2} | {:.1} |", k.replace('|', "/"), *c as f64 / events, ms * 1e3 / events);
        }
        cluster::Cluster::get()
            .admin("postgres")
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db_name(&url)))?;
    }
    Ok(())
}
