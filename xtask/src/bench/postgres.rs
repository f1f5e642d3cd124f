//! The PostgreSQL column: minutes on a PostgreSQL store beside a raw `postgres`-crate baseline
//! doing the least the same work needs on the same server and table (`raw`), and beside the
//! Python eventsourcing peer on the same server (its `postgres` extra). One durable writer
//! (`Store::append`), 16 writers with group commit (minutes' `Writer`), import and replay.
//! The server is a throwaway cluster of Debian's binaries, as the tests start it; every store
//! is a database of its own on it, made by `Store::create`.

pub(super) mod profile;
mod raw;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use minutes_core::event::Event;
use minutes_store::Store;

use super::note;
use super::peer::{Peer, PgTarget};
use super::report::{median, Figure};
use super::workloads::{now, replay_lib, statement, tasks_on, Setup};

#[path = "../../../tests/src/cluster.rs"]
#[allow(dead_code)]
mod cluster;

/// The role the Python peer connects as: not a superuser, the owner of its databases.
const PEER_ROLE: &str = "es_peer";

/// What the PostgreSQL lines are run with.
pub(super) struct PgRun<'a> {
    pub(super) setup: &'a Setup,
    /// Seconds of appends per figure (in slices of a third).
    pub(super) secs: f64,
    /// Runs per figure (three slices each for the appends).
    pub(super) runs: usize,
    /// The events the import and replay lines use (generated, as the SQLite ones).
    pub(super) lines: &'a [String],
    /// The Python peer, where it runs.
    pub(super) peer: Option<&'a Peer>,
}

/// A database's name, from its URL.
fn db_name(url: &str) -> String {
    url.rsplit('/').next().unwrap_or_default().to_string()
}

/// A new PostgreSQL store holding the setup meeting: its URL.
fn fresh_store(s: &Setup) -> Result<String> {
    let url = cluster::fresh_url();
    let mut store = Store::create(&PathBuf::from(&url))?;
    store.append(&s.events, None, now())?;
    Ok(url)
}

/// A new database for the peer, owned by its own role (made on first use): where it is.
fn peer_db() -> Result<PgTarget> {
    static N: AtomicU32 = AtomicU32::new(0);
    let c = cluster::Cluster::get();
    let mut admin = c.admin("postgres");
    if admin.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&PEER_ROLE])?.is_none() {
        admin.batch_execute(&format!("CREATE ROLE {PEER_ROLE} LOGIN"))?;
    }
    let db = format!("peer{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    admin.batch_execute(&format!("CREATE DATABASE {db} OWNER {PEER_ROLE}"))?;
    Ok(PgTarget { host: "127.0.0.1".into(), port: c.port, db, user: PEER_ROLE.into() })
}

/// Drops a database of the cluster once its connections are gone (the import's stores are
/// large; the cluster's disk is shared).
fn drop_db(db: &str) {
    let _ = cluster::Cluster::get()
        .admin("postgres")
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
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

/// 16 tasks through minutes' `Writer` on a PostgreSQL store, for `secs`: their rate.
fn minutes_16(s: &Setup, secs: f64) -> Result<f64> {
    let url = fresh_store(s)?;
    tasks_on(Store::open(&PathBuf::from(&url))?, s, secs, 16)
}

/// The median of the ratios of slices that ran side by side.
fn paired(a: &[f64], b: &[f64]) -> Option<f64> {
    (!a.is_empty() && a.len() == b.len()).then(|| median(a.iter().zip(b).map(|(x, y)| x / y).collect()))
}

/// An appends line: minutes' slices against the other side's, paired round by round.
fn line(workload: String, m: &[f64], b: &[f64], target: &'static str) -> Figure {
    Figure {
        paired: paired(m, b),
        workload,
        minutes: median(m.to_vec()),
        baseline: Some(median(b.to_vec())),
        unit: "events/s",
        higher_better: true,
        target,
    }
}

/// The PostgreSQL lines and the note on the peer's runs there (or on why it did not run).
pub(super) fn figures(r: &PgRun<'_>) -> Result<(Vec<Figure>, String)> {
    let peer = match r.peer.map(|p| (p, p.postgres())) {
        Some((p, Ok(()))) => Ok(p),
        Some((_, Err(why))) => Err(why),
        None => Err("the peer's virtual environment could not be set up".to_string()),
    };
    let slice = (r.secs / 3.0).max(0.5);
    let mut settings = String::new();
    // One durable writer: minutes, the raw baseline and the peer in rounds of short slices, the
    // order rotating, so that the disk's drifting fsync rate weighs on all alike.
    note("PostgreSQL: one durable writer (minutes, raw, peer)");
    let (mut m1, mut b1, mut p1, mut m1p) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..r.runs * 3 {
        let mut mine = None;
        let mut theirs = None;
        for k in 0..3 {
            match (round + k) % 3 {
                0 => mine = Some(minutes_one(r.setup, slice)?),
                1 => b1.push(raw::one(&db_name(&fresh_store(r.setup)?), r.setup, slice)?),
                _ => {
                    if let Ok(p) = peer {
                        let (rate, s) = p.run_pg(&peer_db()?, "append", slice, 1)?;
                        theirs = Some(rate);
                        settings = s;
                    }
                }
            }
        }
        let mine = mine.unwrap_or_default();
        m1.push(mine);
        if let Some(t) = theirs {
            p1.push(t);
            m1p.push(mine);
        }
    }
    // 16 writers with group commit: minutes' Writer and the raw group commit alternating, and
    // the peer's 16 threads in the same rounds.
    note("PostgreSQL: 16 writers, group commit (minutes, raw, peer)");
    let (mut m16, mut b16, mut p16, mut m16p) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..r.runs * 3 {
        let mut mine = None;
        let mut theirs = None;
        for k in 0..3 {
            match (round + k) % 3 {
                0 => mine = Some(minutes_16(r.setup, slice)?),
                1 => b16.push(raw::group(&db_name(&fresh_store(r.setup)?), r.setup, slice, 16)?),
                _ => {
                    if let Ok(p) = peer {
                        theirs = Some(p.run_pg(&peer_db()?, "append-threads", slice, 16)?.0);
                    }
                }
            }
        }
        let mine = mine.unwrap_or_default();
        m16.push(mine);
        if let Some(t) = theirs {
            p16.push(t);
            m16p.push(mine);
        }
    }
    // Import and replay of the generated record.
    let n = r.lines.len();
    note(&format!("PostgreSQL: import and replay of {n} events (minutes, raw)"));
    let (mut imp, mut raw_imp, mut rep, mut raw_rep) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..r.runs {
        let (url, secs) = minutes_import(r.lines)?;
        imp.push(n as f64 / secs);
        let raw_url = cluster::fresh_url();
        Store::create(&PathBuf::from(&raw_url))?.close()?;
        raw_imp.push(n as f64 / raw::import(&db_name(&raw_url), r.lines)?);
        drop_db(&db_name(&raw_url));
        rep.push(n as f64 / replay_lib(&PathBuf::from(&url))?);
        let (rows, secs) = raw::replay(&db_name(&url))?;
        if rows != n as u64 {
            bail!("the raw replay read {rows} rows of {n}");
        }
        raw_rep.push(n as f64 / secs);
        drop_db(&db_name(&url));
    }
    let pg = |w: &str| format!("PostgreSQL: {w}");
    let mut figures = vec![
        line(pg("append, 1 writer, 1 event/commit (Store::append)"), &m1, &b1, ">= 0.90"),
        line(pg("append, 16 writers (tasks), group commit"), &m16, &b16, ">= 0.80"),
        Figure {
            paired: None,
            workload: pg(&format!("import {n} events (raw: one COPY)")),
            minutes: median(imp),
            baseline: Some(median(raw_imp)),
            unit: "events/s",
            higher_better: true,
            target: "-",
        },
        Figure {
            paired: None,
            workload: pg("replay all events through the projections"),
            minutes: median(rep.clone()),
            baseline: Some(median(raw_rep)),
            unit: "events/s",
            higher_better: true,
            target: "-",
        },
    ];
    let peer = match peer {
        Ok(p) => p,
        Err(why) => {
            return Ok((
                figures,
                format!("The Python `eventsourcing` peer on PostgreSQL was skipped: {why}."),
            ))
        }
    };
    note("PostgreSQL: the Python eventsourcing peer reading back");
    let reads = (0..r.runs).map(|_| p_read(peer, n as u64)).collect::<Result<Vec<f64>>>()?;
    figures.extend([
        line(pg("append, 1 writer: minutes (Store::append) vs eventsourcing (Python)"), &m1p, &p1, "> 1.0"),
        line(
            pg("append, 16 writers: minutes (Writer, 16 tasks) vs eventsourcing (16 threads)"),
            &m16p,
            &p16,
            "> 1.0",
        ),
        Figure {
            paired: None,
            workload: pg("read all events: minutes replay vs eventsourcing (Python)"),
            minutes: median(rep),
            baseline: Some(median(reads)),
            unit: "events/s",
            higher_better: true,
            target: "> 1.0",
        },
    ]);
    Ok((figures, peer.pg_note(&settings, n as u64)))
}

/// The generated record's first `n` events (as the SQLite lines', generated anew), as JSON lines.
pub(super) fn events(n: u64) -> Result<Vec<String>> {
    let mut lines = Vec::with_capacity(n as usize);
    crate::gen::generate(&crate::gen::Options { events: n, seed: 1 }, &mut |l| {
        lines.push(l.to_string());
        Ok(())
    })?;
    Ok(lines)
}

/// The peer's read back of `n` events it wrote into a database of its own: its rate.
fn p_read(peer: &Peer, n: u64) -> Result<f64> {
    let target = peer_db()?;
    let rate = peer.run_pg(&target, "read", 0.0, n)?.0;
    drop_db(&target.db);
    Ok(rate)
}

/// minutes' import of `lines` into a new PostgreSQL store (`Store::import`, one transaction):
/// the store's URL and the seconds it took.
fn minutes_import(lines: &[String]) -> Result<(String, f64)> {
    let url = cluster::fresh_url();
    let mut store = Store::create(&PathBuf::from(&url))?;
    let start = Instant::now();
    let mut it = lines.iter();
    let done = store
        .import(|| it.next().map(|l| Event::from_json(l)), now())
        .map_err(|e| anyhow::anyhow!("minutes import on PostgreSQL: {e:?}"))?;
    let secs = start.elapsed().as_secs_f64();
    if done.appended != lines.len() as u64 {
        bail!("minutes import on PostgreSQL appended {} of {}", done.appended, lines.len());
    }
    store.close()?;
    Ok((url, secs))
}

/// For profiling: `perf record xtask bench-child pg-writers [SECS] [ROUNDS]`. minutes' Writer
/// (16 tasks) and the raw group commit (16 threads) in turn on fresh stores of a throwaway
/// cluster: each side's rate and this process's CPU time per event (user + system, all
/// threads; the server's is `pg-profile`'s).
pub(super) fn profile_writers(s: &Setup, secs: f64, rounds: usize) -> Result<()> {
    for _ in 0..rounds {
        let c0 = super::cpu_secs();
        let mine = minutes_16(s, secs)?;
        let c1 = super::cpu_secs();
        let raw = raw::group(&db_name(&fresh_store(s)?), s, secs, 16)?;
        let c2 = super::cpu_secs();
        println!(
            "minutes Writer {mine:.0} events/s, {:.0} µs CPU/event; raw group commit {raw:.0} events/s, {:.0} µs CPU/event; ratio {:.2}",
            (c1 - c0) * 1e6 / (mine * secs),
            (c2 - c1) * 1e6 / (raw * secs),
            mine / raw
        );
    }
    Ok(())
}
