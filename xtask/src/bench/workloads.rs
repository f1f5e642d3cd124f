//! minutes' own workloads: the setup meeting and its statements, appends through `Store`, the
//! Writer task and writer processes, the long stream, state at T, replay through the library and
//! the Merkle proofs; and the `bench-child` modes that run minutes alone (for profiling).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use minutes_core::event::Event;
use minutes_core::project::document::document_at;
use minutes_core::project::replay_order;
use minutes_core::project::timeline::Timeline;
use minutes_store::{Store, StoreError, Writer};
use rusqlite::{params, Connection};

use super::report::{median, percentiles, Figure};
use super::{note, remove_db};
use crate::gen;

/// The first meeting of the generated record: what the append workloads write statements about.
pub(super) struct Setup {
    pub(super) events: Vec<Event>,
    pub(super) meeting: String,
    pub(super) docs: Vec<String>,
    pub(super) day: String,
}

/// The first meeting of the generated record, its documents and its day, generated anew.
pub(super) fn setup_events() -> Result<Setup> {
    let mut lines = Vec::new();
    gen::generate(&gen::Options { events: 400, seed: 9 }, &mut |l| {
        lines.push(l.to_string());
        Ok(())
    })?;
    let events: Vec<Event> =
        lines.iter().map(|l| Event::from_json(l)).collect::<std::result::Result<_, _>>()?;
    let meeting = events[0].meeting.to_string();
    let events: Vec<Event> = events.into_iter().filter(|e| e.meeting.as_str() == meeting).collect();
    let docs: Vec<String> = events
        .iter()
        .filter(|e| e.type_name() == "DocumentTabled")
        .filter_map(|e| e.document.as_ref().map(ToString::to_string))
        .collect();
    let day = events
        .iter()
        .find(|e| e.type_name() == "MeetingOpened")
        .and_then(|e| e.occurred.from)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .context("the setup has a MeetingOpened")?;
    Ok(Setup { events, meeting, docs, day })
}

/// A statement about a document of the setup meeting, as a client would send it.
pub(super) fn statement(rng: &mut fastrand::Rng, s: &Setup) -> (String, String) {
    let doc = &s.docs[rng.usize(..s.docs.len())];
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    let id = uuid::Builder::from_random_bytes(b).into_uuid();
    let json = format!(
        r#"{{"id":"{id}","type":"StatementMade","v":1,"meeting":"{m}","document":"{doc}","body":null,"actors":[],"occurred":{{"from":"{d}T10:00:00Z","to":"{d}T10:05:00Z"}},"recorded_at":"{d}T12:00:00Z","source":{{"file":"synthetic","section":"bench","quote":"a statement"}},"data":{{"stance":"support","summary":"supported the draft in its current form, with the amendments accepted by the working group so far"}}}}"#,
        m = s.meeting,
        d = s.day
    );
    (json, doc.clone())
}

/// A statement about `doc`, as a client would send it.
pub(super) fn statement_about(rng: &mut fastrand::Rng, s: &Setup, doc: &str) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    let id = uuid::Builder::from_random_bytes(b).into_uuid();
    format!(
        r#"{{"id":"{id}","type":"StatementMade","v":1,"meeting":"{m}","document":"{doc}","body":null,"actors":[],"occurred":{{"from":"{d}T10:00:00Z","to":"{d}T10:05:00Z"}},"recorded_at":"{d}T12:00:00Z","source":{{"file":"synthetic","section":"bench","quote":"a statement"}},"data":{{"stance":"support","summary":"supported the draft in its current form"}}}}"#,
        m = s.meeting,
        d = s.day
    )
}

/// The time now, as the store stamps an append.
pub(super) fn now() -> minutes_core::time::Timestamp {
    chrono::Utc::now().fixed_offset()
}

/// A new store `name` under `work`, holding the setup meeting.
pub(super) fn fresh_store(work: &Path, name: &str, s: &Setup) -> Result<(PathBuf, Store)> {
    let db = work.join(name);
    remove_db(&db);
    let mut store = Store::create(&db)?;
    store.append(&s.events, None, now())?;
    Ok((db, store))
}

/// `Store::append`, one statement per commit, for `secs`: its rate.
pub(super) fn append_minutes_one(work: &Path, s: &Setup, secs: f64) -> Result<f64> {
    let (_, mut store) = fresh_store(work, "append-minutes.db", s)?;
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

/// `writers` tasks appending through one `Writer` (group commit), for `secs`: their rate.
pub(super) fn append_minutes_tasks(work: &Path, s: &Setup, secs: f64, writers: u64) -> Result<f64> {
    let (_, store) = fresh_store(work, "append-minutes-16.db", s)?;
    tasks_on(store, s, secs, writers)
}

/// `writers` tasks appending through one `Writer` (group commit) over `store`, whichever its
/// backend, for `secs`: their rate.
pub(super) fn tasks_on(store: Store, s: &Setup, secs: f64, writers: u64) -> Result<f64> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let count = Arc::new(AtomicU64::new(0));
    let elapsed = rt.block_on(async {
        let w = Writer::spawn(store);
        let deadline = Instant::now() + Duration::from_secs_f64(secs);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for k in 0..writers {
            let ap = w.appender();
            let count = Arc::clone(&count);
            let setup = Setup {
                events: Vec::new(),
                meeting: s.meeting.clone(),
                docs: s.docs.clone(),
                day: s.day.clone(),
            };
            tasks.push(tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(100 + k);
                while Instant::now() < deadline {
                    let (json, _) = statement(&mut rng, &setup);
                    let e = Event::from_json(&json).map_err(|e| anyhow::anyhow!("{e}"))?;
                    ap.append(e, None).await?;
                    count.fetch_add(1, Ordering::Relaxed);
                }
                anyhow::Ok(())
            }));
        }
        for t in tasks {
            t.await??;
        }
        let elapsed = start.elapsed().as_secs_f64();
        w.close().await?;
        anyhow::Ok(elapsed)
    })?;
    Ok(count.load(Ordering::Relaxed) as f64 / elapsed)
}

/// `n` writer processes (`bench-child append-proc`) on one store, for `secs`: their summed rate.
pub(super) fn append_processes(work: &Path, xtask: &Path, s: &Setup, secs: f64, n: usize) -> Result<f64> {
    let (db, store) = fresh_store(work, "append-procs.db", s)?;
    store.close()?;
    let children: Vec<_> = (0..n)
        .map(|k| {
            Command::new(xtask)
                .args(["bench-child", "append-proc"])
                .arg(&db)
                .arg(secs.to_string())
                .arg(k.to_string())
                .stdout(std::process::Stdio::piped())
                .spawn()
        })
        .collect::<std::io::Result<_>>()?;
    let mut total = 0.0;
    for c in children {
        let out = c.wait_with_output()?;
        total += String::from_utf8_lossy(&out.stdout).trim().parse::<f64>().unwrap_or(0.0);
    }
    Ok(total)
}

/// One writer process of the append workload (`bench-child append-proc DB SECS K`): appends
/// statements to `db` for `secs`, retrying when the store is busy, and prints its rate.
pub(super) fn append_proc(db: &Path, secs: f64, k: u64) -> Result<()> {
    let s = setup_events()?;
    let mut store = Store::open(db)?;
    let mut rng = fastrand::Rng::with_seed(1000 + k);
    let (deadline, start) = (Instant::now() + Duration::from_secs_f64(secs), Instant::now());
    let mut n = 0u64;
    while Instant::now() < deadline {
        let (json, _) = statement(&mut rng, &s);
        let e = Event::from_json(&json)?;
        loop {
            match store.append(std::slice::from_ref(&e), None, now()) {
                Ok(_) => break,
                Err(StoreError::Busy) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        n += 1;
    }
    println!("{}", n as f64 / start.elapsed().as_secs_f64());
    Ok(())
}

/// What [`long_stream`] measured.
pub(super) struct LongStream {
    /// Appends per second to the long stream, each through a freshly opened store.
    pub(super) long_rate: f64,
    /// The same to the short stream.
    pub(super) short_rate: f64,
    /// The median of the rounds' long over short rates.
    pub(super) ratio: f64,
    /// The long stream's version before the appends.
    pub(super) long_version: u64,
    /// The short stream's.
    pub(super) short_version: u64,
}

/// Builds a store whose first setup document holds `n` statements more (imported in one
/// transaction) and a store of the setup alone, then appends one statement at a time to that
/// document in each, in turn, each append through a freshly opened `Store` (open, append,
/// close: what one `minutes append` process does), `rounds` times.
pub(super) fn long_stream(work: &Path, s: &Setup, n: u64, rounds: usize) -> Result<LongStream> {
    let doc = s.docs.first().context("the setup has a document")?.clone();
    let long_db = long_stream_db(work, s, n, &doc)?;
    // A copy per run, so that the long stream's length is the same in every run.
    let long_run = work.join("long-stream-run.db");
    remove_db(&long_run);
    std::fs::copy(&long_db, &long_run)?;
    let (short_run, short) = fresh_store(work, "short-stream-run.db", s)?;
    drop(short);
    let long_version = Store::open(&long_run)?.stream_version(&doc)?;
    let short_version = Store::open(&short_run)?.stream_version(&doc)?;
    let mut rng = fastrand::Rng::with_seed(8);
    let mut once = |db: &Path| -> Result<f64> {
        let e = Event::from_json(&statement_about(&mut rng, s, &doc))?;
        let t = Instant::now();
        let mut store = Store::open(db)?;
        store.append(std::slice::from_ref(&e), None, now())?;
        drop(store);
        Ok(t.elapsed().as_secs_f64())
    };
    // One of each first, so that neither side pays for a cold page cache.
    once(&long_run)?;
    once(&short_run)?;
    let (mut long_t, mut short_t, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (l, sh) = if round % 2 == 0 {
            let l = once(&long_run)?;
            (l, once(&short_run)?)
        } else {
            let sh = once(&short_run)?;
            (once(&long_run)?, sh)
        };
        long_t.push(l);
        short_t.push(sh);
        ratios.push(sh / l);
    }
    remove_db(&long_run);
    remove_db(&short_run);
    Ok(LongStream {
        long_rate: 1.0 / median(long_t),
        short_rate: 1.0 / median(short_t),
        ratio: median(ratios),
        long_version,
        short_version,
    })
}

/// The store of the setup with `n` statements more about `doc`, imported in one transaction,
/// built once under `work` and kept (built anew when an older store cannot open it).
fn long_stream_db(work: &Path, s: &Setup, n: u64, doc: &str) -> Result<PathBuf> {
    let long_db = work.join(format!("long-stream-{n}.db"));
    // A cached stream written by another version of the store (an older schema) is built anew.
    if long_db.exists() && Store::open(&long_db).is_err() {
        remove_db(&long_db);
    }
    if !long_db.exists() {
        let building = work.join(format!("long-stream-{n}.db.building"));
        remove_db(&building);
        let (_, mut store) = fresh_store(work, &format!("long-stream-{n}.db.building"), s)?;
        let mut rng = fastrand::Rng::with_seed(7);
        let t = Instant::now();
        let mut left = n;
        let imported = store
            .import(
                || {
                    (left > 0).then(|| {
                        left -= 1;
                        Event::from_json(&statement_about(&mut rng, s, doc))
                    })
                },
                now(),
            )
            .map_err(|e| anyhow::anyhow!("building the long stream: {e:?}"))?;
        store.close()?;
        std::fs::rename(&building, &long_db)?;
        note(&format!("built a {}-event stream in {:.1} s", imported.appended, t.elapsed().as_secs_f64()));
    }
    Ok(long_db)
}

/// How many state queries a run times: enough that the p99 is the 50th slowest, not a few
/// hiccups of a shared machine.
const STATE_QUERIES: usize = 5000;

/// `STATE_QUERIES` random `state DOC --at T` queries on `db`, each run by the library (from
/// snapshots or through the index alone) and by the baseline's read of the stream, in turn:
/// the p50 and p99 of each side, in µs.
pub(super) fn state_latencies(db: &Path, seed: u64, snapshots: bool) -> Result<((f64, f64), (f64, f64))> {
    let store = Store::open(db)?;
    let conn = Connection::open(db)?;
    // Documents and the day their meeting starts, from their tabling (whose window ends then).
    let mut docs: Vec<(String, chrono::DateTime<chrono::Utc>)> = Vec::new();
    {
        let mut st = conn.prepare("SELECT stream, occurred_to FROM events WHERE type = 'DocumentTabled'")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (d, t) = row?;
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&t) {
                docs.push((d, t.with_timezone(&chrono::Utc)));
            }
        }
    }
    if docs.is_empty() {
        bail!("no documents in the log");
    }
    let mut rng = fastrand::Rng::with_seed(seed + 40);
    let queries: Vec<(String, minutes_core::time::Timestamp)> = (0..STATE_QUERIES)
        .map(|_| {
            let (d, t0) = &docs[rng.usize(..docs.len())];
            let t = *t0 + chrono::Duration::minutes(rng.i64(0..4 * 24 * 60));
            (d.clone(), t.fixed_offset())
        })
        .collect();
    // Each query runs on both sides, in turn first, so that neither always finds the pages the
    // other has just read.
    let mut lib = Vec::with_capacity(queries.len());
    let mut raw = Vec::with_capacity(queries.len());
    let mut sink = 0usize;
    let mut st = conn.prepare("SELECT seq, version, hash, payload FROM events WHERE stream = ?1 AND (occurred_from IS NULL OR occurred_from <= ?2) ORDER BY version")?;
    for (i, (d, t)) in queries.iter().enumerate() {
        for side in [i % 2, 1 - i % 2] {
            if side == 0 {
                let start = Instant::now();
                let view = if snapshots {
                    state_at(&store, d, t)?
                } else {
                    document_at(&minutes_core::project::effective(&store.document_events_at(d, t)?, None), t)
                };
                lib.push(start.elapsed().as_secs_f64() * 1e6);
                sink += view.state.map(|s| s.amendments.len()).unwrap_or(0) + view.uncertain.len();
            } else {
                let at = t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                let start = Instant::now();
                let rows = st.query_map(params![d, at], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })?;
                for row in rows {
                    sink += row?.3.len() & 1;
                }
                raw.push(start.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    std::hint::black_box(sink);
    Ok((percentiles(lib), percentiles(raw)))
}

/// The library's answer to `state DOC --at T`: from the largest snapshot that holds at T, the
/// document's other events that can matter at T, read through the index, folded.
fn state_at(
    store: &Store,
    doc: &str,
    at: &minutes_core::time::Timestamp,
) -> Result<minutes_core::project::document::DocumentAt> {
    Ok(store.document_state_at(doc, at)?)
}

/// For profiling: `perf record xtask bench-child state DB`.
/// `--kept` uses the snapshots the store holds instead of rebuilding them.
pub(super) fn profile_state(db: &Path, kept: bool) -> Result<()> {
    if !kept {
        let t = Instant::now();
        let n = Store::open(db)?.rebuild_snapshots(None)?;
        println!("{n} snapshots rebuilt in {:.1} s", t.elapsed().as_secs_f64());
    }
    let store = Store::open(db)?;
    let docs: Vec<String> =
        store.documents()?.into_iter().map(|d| d.document.to_string()).take(500).collect();
    let at = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")?;
    let (mut read, mut decode_free, mut fold, mut events) = (0.0, 0.0, 0.0, 0usize);
    let conn = Connection::open(db)?;
    for d in &docs {
        let t = Instant::now();
        let rows = store.document_events_at(d, &at)?;
        read += t.elapsed().as_secs_f64();
        events += rows.len();
        let t = Instant::now();
        let v = document_at(&rows, &at);
        fold += t.elapsed().as_secs_f64();
        std::hint::black_box(v);
        let t = Instant::now();
        let mut st = conn.prepare_cached(
            "SELECT seq, version, hash, payload FROM events WHERE stream = ?1 ORDER BY version",
        )?;
        let n = st.query_map(params![d], |r| r.get::<_, String>(3))?.count();
        decode_free += t.elapsed().as_secs_f64();
        std::hint::black_box(n);
    }
    let per = |x: f64| x * 1e6 / docs.len() as f64;
    println!(
        "{} docs, {:.1} events each: read+decode {:.0} µs, raw read {:.0} µs, fold {:.0} µs",
        docs.len(),
        events as f64 / docs.len() as f64,
        per(read),
        per(decode_free),
        per(fold)
    );
    for snapshots in [true, false] {
        let ((p50, p99), (r50, r99)) = state_latencies(db, 0, snapshots)?;
        println!("snapshots {snapshots}: library p50 {p50:.0} µs p99 {p99:.0} µs; raw p50 {r50:.0} µs p99 {r99:.0} µs");
    }
    Ok(())
}

/// `xtask bench-child state-slow DB`: the slowest of 2,000 state queries, and why.
pub(super) fn state_slow(db: &Path) -> Result<()> {
    let store = Store::open(db)?;
    let conn = Connection::open(db)?;
    let mut docs: Vec<(String, chrono::DateTime<chrono::Utc>)> = Vec::new();
    let mut st = conn.prepare("SELECT stream, occurred_to FROM events WHERE type = 'DocumentTabled'")?;
    for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (d, t) = row?;
        docs.push((d, chrono::DateTime::parse_from_rfc3339(&t)?.with_timezone(&chrono::Utc)));
    }
    let mut rng = fastrand::Rng::with_seed(40);
    let mut timed = Vec::new();
    for _ in 0..2000 {
        let (d, t0) = &docs[rng.usize(..docs.len())];
        let t = (*t0 + chrono::Duration::minutes(rng.i64(0..4 * 24 * 60))).fixed_offset();
        let start = Instant::now();
        std::hint::black_box(store.document_state_at(d, &t)?);
        timed.push((start.elapsed().as_secs_f64() * 1e6, d.clone(), t));
    }
    timed.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    let mut snap = conn.prepare("SELECT through FROM document_snapshots WHERE stream = ?1 AND max_to <= ?2 ORDER BY through DESC LIMIT 1")?;
    for (us, d, t) in timed.iter().take(40) {
        let upto = store.document_events_at(d, t)?.len();
        let all = store.stream_version(d)?;
        let fixed = t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
        let through: Option<i64> = snap.query_row(params![d, fixed], |r| r.get(0)).ok();
        println!("{us:7.0} µs  {d}: {upto} of {all} events by T, snapshot through {through:?}");
    }
    Ok(())
}

/// Rebuilds every document snapshot of `db`: how many, and the seconds it took.
pub(super) fn rebuild_snapshots(db: &Path) -> Result<(u64, f64)> {
    let mut store = Store::open(db)?;
    let t = Instant::now();
    let n = store.rebuild_snapshots(None)?;
    Ok((n, t.elapsed().as_secs_f64()))
}

/// `Store::verify` over the whole log of `db`: its rate; an error when it finds a problem.
pub(super) fn verify(db: &Path) -> Result<f64> {
    let store = Store::open(db)?;
    let t = Instant::now();
    let report = store.verify(None)?;
    let rate = report.events as f64 / t.elapsed().as_secs_f64();
    if !report.ok() {
        bail!("verify found a problem: {:?}", report.problem);
    }
    Ok(rate)
}

/// Replay through the library: every meeting's timeline, each event described as `replay`
/// prints it. Returns its seconds.
pub(super) fn replay_lib(db: &Path) -> Result<f64> {
    let store = Store::open(db)?;
    let start = Instant::now();
    let mut sink = 0usize;
    for m in store.meetings()? {
        let id = minutes_core::id::MeetingId::new(&m)?;
        let mut events = store.meeting(&id)?;
        let timeline = Timeline::new(&events);
        replay_order(&mut events);
        for r in &events {
            sink += timeline.describe(&r.event).len();
        }
    }
    std::hint::black_box(sink);
    Ok(start.elapsed().as_secs_f64())
}

/// The Merkle proof lines: the median time of an inclusion and of a consistency proof over the
/// whole log of `db` (each reads every leaf, as `verify` does), and the bytes of hashes each holds.
pub(super) fn proof_figures(db: &Path, runs: usize) -> Result<Vec<Figure>> {
    let store = Store::open_read_only(db)?;
    let size = store.tree_size()?;
    let conn = Connection::open(db)?;
    let id_at = |seq: u64| -> Result<minutes_core::id::EventId> {
        let id: String =
            conn.query_row("SELECT id FROM events WHERE seq = ?1", params![seq as i64], |r| r.get(0))?;
        Ok(minutes_core::id::EventId(id.parse()?))
    };
    let (mut inc, mut inc_bytes, mut con, mut con_bytes) = (Vec::new(), 0, Vec::new(), 0);
    for run in 0..runs {
        let id = id_at(1 + (run as u64 * 7919) % size.max(1))?;
        let t = Instant::now();
        let p = store.inclusion_proof(&id, None)?.map_err(|e| anyhow::anyhow!("{e}"))?;
        inc.push(t.elapsed().as_secs_f64() * 1e3);
        inc_bytes = 32 * (p.path.len() + 1);
        let from = 1 + (run as u64 * 104_729) % size.max(1);
        let t = Instant::now();
        let c = store.consistency_proof(from, None)?.map_err(|e| anyhow::anyhow!("{e}"))?;
        con.push(t.elapsed().as_secs_f64() * 1e3);
        con_bytes = 32 * c.proof.len();
    }
    Ok(vec![
        Figure {
            paired: None,
            workload: format!("proof inclusion at size {size} ({inc_bytes} bytes of hashes; no target)"),
            minutes: median(inc),
            baseline: None,
            unit: "ms",
            higher_better: false,
            target: "-",
        },
        Figure {
            paired: None,
            workload: format!("proof consistency at size {size} ({con_bytes} bytes of hashes; no target)"),
            minutes: median(con),
            baseline: None,
            unit: "ms",
            higher_better: false,
            target: "-",
        },
    ])
}

/// `xtask bench-child codec FILE`: what reading and writing an event costs, per event.
pub(super) fn codec(file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file)?;
    let lines: Vec<&str> = text.lines().take(100_000).collect();
    let t = Instant::now();
    let events: Vec<Event> =
        lines.iter().map(|l| Event::from_json(l)).collect::<std::result::Result<_, _>>()?;
    let read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let bytes: usize = events.iter().map(|e| e.to_json().len()).sum();
    let write = t.elapsed().as_secs_f64();
    let per = |x: f64| x * 1e6 / events.len() as f64;
    println!(
        "{} events: from_json {:.2} µs, to_json {:.2} µs ({bytes} bytes)",
        events.len(),
        per(read),
        per(write)
    );
    Ok(())
}
