//! `cargo xtask bench [--events N] [--secs S] [--json]`: minutes beside a raw-rusqlite baseline
//! doing the least the same work needs, in one run, and the Python `eventsourcing` peer where it
//! can run. Writes the table into BENCHMARKS.md (between its markers) with the machine it ran on.
//!
//! The baseline uses the very table minutes creates (the file is made by `Store::create`, so the
//! shape, indexes and triggers are the same), WAL and `synchronous = FULL`, prepared statements,
//! and the same hash chain (`minutes_store::row_hash`). Heavy workloads (import, replay) run in
//! child processes under `/usr/bin/time` for their peak memory; appends run for a fixed time.
//! Every figure is the median of 3 runs.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
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
use minutes_store::{row_hash, Store, StoreError, Writer};
use rusqlite::{params, Connection};

use crate::gen;

const RUNS: usize = 3;
const INSERT: &str = "INSERT INTO events
    (seq, id, stream, version, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

struct Opts {
    events: u64,
    secs: f64,
    json: bool,
    runs: usize,
    layouts: bool,
}

/// One line of the table.
struct Figure {
    /// The median of the ratios of slices run side by side, where the disk's rate drifts
    /// between slices (single-writer appends); otherwise the ratio of the two figures.
    paired: Option<f64>,
    workload: String,
    minutes: f64,
    baseline: Option<f64>,
    unit: &'static str,
    /// `higher` when more is better (rates), `lower` for latencies and memory.
    higher_better: bool,
    target: &'static str,
}

impl Figure {
    fn ratio(&self) -> Option<f64> {
        if self.paired.is_some() {
            return self.paired;
        }
        let b = self.baseline?;
        if b == 0.0 {
            return None;
        }
        // minutes over the baseline: for rates, the share of the baseline reached; for latencies
        // and memory, how many times the baseline's.
        Some(self.minutes / b)
    }
}

/// Runs the bench.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let mut o = Opts { events: 1_000_000, secs: 3.0, json: false, runs: RUNS, layouts: false };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let need = |v: Option<&String>| v.cloned().ok_or_else(|| anyhow::anyhow!("{a} needs a value"));
        macro_rules! val {
            () => {
                need(it.next())
            };
        }
        match a.as_str() {
            "--events" => o.events = val!()?.replace('_', "").parse()?,
            "--secs" => o.secs = val!()?.parse()?,
            "--runs" => o.runs = val!()?.parse()?,
            "--json" => o.json = true,
            "--layouts" => o.layouts = true,
            other => bail!("unknown argument '{other}'; usage: cargo xtask bench [--events N] [--secs S] [--runs R] [--json] [--layouts]"),
        }
    }
    let target = target_dir(root)?;
    let work = target.join("bench");
    std::fs::create_dir_all(&work)?;
    note("building the minutes binary (release)");
    let st = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "-p", "minutes-cli", "-p", "xtask"])
        .current_dir(root)
        .status()?;
    if !st.success() {
        bail!("cargo build --release failed");
    }
    let bin = target.join("release");
    let minutes = bin.join("minutes");
    let xtask = bin.join("xtask");
    if cfg!(debug_assertions) {
        // `cargo xtask` runs a dev build, in which minutes' own crates are not optimized (only
        // the dependencies, SQLite among them, are): the in-process figures would price the
        // missing optimizer, not minutes. The whole bench runs from the release build.
        note("running the bench from the release build");
        let st = Command::new(&xtask).arg("bench").args(args).status()?;
        std::process::exit(st.code().unwrap_or(1));
    }

    let file = work.join(format!("events-{}.jsonl", o.events));
    if !file.exists() {
        note(&format!("generating {} events into {}", o.events, file.display()));
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&file)?);
        gen::generate(&gen::Options { events: o.events, seed: 1 }, &mut |l| {
            out.write_all(l.as_bytes())?;
            out.write_all(b"\n")
        })?;
        out.flush()?;
    }
    let mut figures = Vec::new();

    // 1 and 2: appends, for a fixed time.
    let setup = setup_events()?;
    let med = |xs: Vec<f64>| median(xs);
    note("appends: one durable writer");
    // The single writers run in rounds of short slices, minutes, the baseline and the peer in
    // turn, so that a disk whose fsync rate drifts (a shared one does, by 10x within minutes)
    // weighs on all alike; each figure is the median of its slices.
    let peer = peer_setup(&work);
    let (mut m1, mut m1_direct, mut b1, mut p1) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut peer_settings = String::new();
    let slice = (o.secs / 3.0).max(0.5);
    // The order rotates from round to round, so that none always follows the same other (the
    // disk's write-back after one slice weighs on the next).
    for round in 0..o.runs * 3 {
        for k in 0..4 {
            match (round + k) % 4 {
                0 => m1.push(append_minutes_tasks(&work, &setup, slice, 1)?),
                1 => b1.push(append_raw_one(&work, &setup, slice)?),
                2 => m1_direct.push(append_minutes_one(&work, &setup, slice)?),
                _ => {
                    if let Ok(p) = &peer {
                        let (rate, settings) = p.run("append", slice, 0)?;
                        p1.push(rate);
                        peer_settings = settings;
                    }
                }
            }
        }
    }
    // Slices of one round ran side by side, on the disk as it was then: their ratios.
    let paired = |a: &[f64], b: &[f64]| Some(median(a.iter().zip(b).map(|(x, y)| x / y).collect()));
    let (direct_vs_raw, writer_vs_raw, direct_vs_peer) =
        (paired(&m1_direct, &b1), paired(&m1, &b1), paired(&m1_direct, &p1));
    let (m1, m1_direct, b1) = (med(m1), med(m1_direct), med(b1));
    figures.push(Figure {
        paired: direct_vs_raw,
        workload: "append, 1 writer, 1 event/commit (Store::append)".into(),
        minutes: m1_direct,
        baseline: Some(b1),
        unit: "events/s",
        higher_better: true,
        target: ">= 0.90",
    });
    figures.push(Figure {
        paired: writer_vs_raw,
        workload: "append, 1 writer, 1 event/commit (through the Writer task; no target)".into(),
        minutes: m1,
        baseline: Some(b1),
        unit: "events/s",
        higher_better: true,
        target: "-",
    });
    note("appends: 16 writers (tasks, group commit)");
    let (mut m16, mut b16) = (Vec::new(), Vec::new());
    for _ in 0..o.runs {
        m16.push(append_minutes_tasks(&work, &setup, o.secs, 16)?);
        b16.push(append_raw_threads(&work, &setup, o.secs, 16)?);
    }
    let (m16, b16) = (med(m16), med(b16));
    figures.push(Figure {
        paired: None,
        workload: "append, 16 writers (tasks), group commit".into(),
        minutes: m16,
        baseline: Some(b16),
        unit: "events/s",
        higher_better: true,
        target: ">= 0.80",
    });
    figures.push(Figure {
        paired: None,
        workload: "append, 16 tasks vs minutes' own 1 writer (Store::append)".into(),
        minutes: m16,
        baseline: Some(m1_direct),
        unit: "events/s",
        higher_better: true,
        target: ">= 2.0",
    });
    note("appends: 16 writer processes");
    let p16 = med((0..o.runs)
        .map(|_| append_processes(&work, &xtask, &setup, o.secs, 16))
        .collect::<Result<_>>()?);
    figures.push(Figure {
        paired: None,
        workload: "append, 16 writer processes (no target)".into(),
        minutes: p16,
        baseline: None,
        unit: "events/s",
        higher_better: true,
        target: "-",
    });
    // An append to a long stream through a freshly opened store (as each `minutes append`
    // process does) against one to a stream of a few events: the stream's length must not cost.
    note(&format!("appends: a fresh store's append to a {}-event stream vs to a short one", o.events));
    let long = long_stream(&work, &setup, o.events, 15 * o.runs)?;
    figures.push(Figure {
        paired: Some(long.ratio),
        workload: format!(
            "append through a fresh Store::open, {}-event stream vs a {}-event one",
            long.long_version, long.short_version
        ),
        minutes: long.long_rate,
        baseline: Some(long.short_rate),
        unit: "events/s",
        higher_better: true,
        target: ">= 0.90",
    });

    // 3: import.
    note(&format!("import of {} events", o.events));
    let mut imports = Vec::new();
    let db = work.join("minutes.db");
    let raw_db = work.join("raw.db");
    let mut raw_imports = Vec::new();
    for _ in 0..o.runs {
        remove_db(&db);
        let st = Command::new(&minutes).arg("--db").arg(&db).args(["init", "--empty"]).output()?;
        if !st.status.success() {
            bail!("minutes init: {}", String::from_utf8_lossy(&st.stderr));
        }
        let (secs, kib, out) = timed(Command::new(&minutes).arg("--db").arg(&db).arg("import").arg(&file))?;
        if !out.contains("imported") {
            bail!("minutes import failed: {out}");
        }
        imports.push((o.events as f64 / secs, kib));
        remove_db(&raw_db);
        let (secs, kib, out) =
            timed(Command::new(&xtask).args(["bench-child", "import-raw"]).arg(&raw_db).arg(&file))?;
        let inner: f64 = out.trim().parse().unwrap_or(secs);
        raw_imports.push((o.events as f64 / inner, kib));
    }
    figures.push(Figure {
        paired: None,
        workload: format!("import {} events from JSON Lines (minutes binary)", o.events),
        minutes: median(imports.iter().map(|x| x.0).collect()),
        baseline: Some(median(raw_imports.iter().map(|x| x.0).collect())),
        unit: "events/s",
        higher_better: true,
        target: ">= 0.70",
    });

    // 4: replay.
    note("replay");
    let mut rep = Vec::new();
    let mut raw_rep = Vec::new();
    for _ in 0..o.runs {
        let (_, kib, out) = timed(Command::new(&xtask).args(["bench-child", "replay-lib"]).arg(&db))?;
        rep.push((out.trim().parse::<f64>().context("replay-lib output")?, kib));
        let (_, kib, out) = timed(Command::new(&xtask).args(["bench-child", "replay-raw"]).arg(&db))?;
        raw_rep.push((out.trim().parse::<f64>().context("replay-raw output")?, kib));
    }
    figures.push(Figure {
        paired: None,
        workload: "replay all events through the projections".into(),
        minutes: median(rep.iter().map(|x| o.events as f64 / x.0).collect()),
        baseline: Some(median(raw_rep.iter().map(|x| o.events as f64 / x.0).collect())),
        unit: "events/s",
        higher_better: true,
        target: ">= 0.50",
    });

    let replay_rate = figures.last().map(|f| f.minutes).unwrap_or(0.0);

    // 5: state at T.
    note("state DOC --at T");
    let rebuilt = {
        let mut store = Store::open(&db)?;
        let t = Instant::now();
        let n = store.rebuild_snapshots(None)?;
        (n, t.elapsed().as_secs_f64())
    };
    note(&format!("{} snapshots rebuilt in {:.1} s", rebuilt.0, rebuilt.1));
    for snapshots in [true, false] {
        let (mut p50, mut p99, mut raw50, mut raw99) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for run in 0..o.runs {
            let (a, b) = state_latencies(&db, run as u64, snapshots)?;
            p50.push(a.0);
            p99.push(a.1);
            raw50.push(b.0);
            raw99.push(b.1);
        }
        let how = if snapshots { "library, snapshots" } else { "library, index only; no target" };
        let target = if snapshots { "<= 2.0" } else { "-" };
        figures.push(Figure {
            paired: None,
            workload: format!("state DOC --at T, p50 ({how})"),
            minutes: median(p50),
            baseline: Some(median(raw50)),
            unit: "µs",
            higher_better: false,
            target,
        });
        figures.push(Figure {
            paired: None,
            workload: format!("state DOC --at T, p99 ({how})"),
            minutes: median(p99),
            baseline: Some(median(raw99)),
            unit: "µs",
            higher_better: false,
            target,
        });
    }
    figures.push(Figure {
        paired: None,
        workload: format!("rebuild {} document snapshots (derived; no target)", rebuilt.0),
        minutes: rebuilt.1,
        baseline: None,
        unit: "s",
        higher_better: false,
        target: "-",
    });

    // 6: verify.
    note("verify");
    let mut ver = Vec::new();
    let mut raw_ver = Vec::new();
    for _ in 0..o.runs {
        let store = Store::open(&db)?;
        let t = Instant::now();
        let report = store.verify(None)?;
        ver.push(report.events as f64 / t.elapsed().as_secs_f64());
        if !report.ok() {
            bail!("verify found a problem: {:?}", report.problem);
        }
        raw_ver.push(raw_verify(&db)?);
    }
    figures.push(Figure {
        paired: None,
        workload: "verify (hash chain)".into(),
        minutes: median(ver),
        baseline: Some(median(raw_ver)),
        unit: "events/s",
        higher_better: true,
        target: ">= 0.50",
    });

    // 6b: Merkle proofs at the bench's size (each reads the leaves of the log, as verify does).
    note("proofs (inclusion, consistency)");
    figures.extend(proof_figures(&db, o.runs)?);

    // 7: memory.
    figures.push(Figure {
        paired: None,
        workload: "peak memory, import".into(),
        minutes: median(imports.iter().map(|x| x.1 / 1024.0).collect()),
        baseline: Some(median(raw_imports.iter().map(|x| x.1 / 1024.0).collect())),
        unit: "MiB",
        higher_better: false,
        target: "< 200 MiB",
    });
    figures.push(Figure {
        paired: None,
        workload: "peak memory, replay".into(),
        minutes: median(rep.iter().map(|x| x.1 / 1024.0).collect()),
        baseline: Some(median(raw_rep.iter().map(|x| x.1 / 1024.0).collect())),
        unit: "MiB",
        higher_better: false,
        target: "< 200 MiB",
    });

    // The Python peer.
    let peer_note = match &peer {
        Ok(p) => {
            note("the Python eventsourcing peer: reading back");
            let n = o.events.min(100_000);
            let mut reads = Vec::new();
            for _ in 0..o.runs {
                reads.push(p.run("read", o.secs, n)?.0);
            }
            figures.push(Figure {
                paired: if p1.is_empty() { None } else { direct_vs_peer },
                workload: "append, 1 writer: minutes (Store::append) vs eventsourcing (Python)".into(),
                minutes: m1_direct,
                baseline: Some(median(p1)),
                unit: "events/s",
                higher_better: true,
                target: "> 1.0",
            });
            figures.push(Figure {
                paired: None,
                workload: "read all events: minutes replay vs eventsourcing (Python)".into(),
                minutes: replay_rate,
                baseline: Some(median(reads)),
                unit: "events/s",
                higher_better: true,
                target: "-",
            });
            p.note(&peer_settings, n)
        }
        Err(e) => format!("The Python `eventsourcing` peer was skipped: {e}."),
    };

    let machine = machine();
    let mut table = render(&figures);
    if o.layouts {
        note("index layouts for import (baseline)");
        let out = Command::new(&xtask).args(["bench-child", "layouts"]).arg(&file).arg(&work).output()?;
        if !out.status.success() {
            bail!("layouts: {}", String::from_utf8_lossy(&out.stderr));
        }
        table.push_str(&format!("\n\nIndex layouts for import of the same {} events (the baseline's import under each layout, one run each):\n\n{}", o.events, String::from_utf8_lossy(&out.stdout).trim()));
    }
    if o.json {
        for f in &figures {
            let j = serde_json::json!({"workload": f.workload, "minutes": round(f.minutes), "baseline": f.baseline.map(round), "unit": f.unit, "ratio": f.ratio().map(|r| (r * 1000.0).round() / 1000.0), "better": if f.higher_better { "higher" } else { "lower" }});
            println!("{j}");
        }
    } else {
        println!("{machine}\n\n{table}\n\n{peer_note}");
    }
    let md = root.join("BENCHMARKS.md");
    let block = format!(
        "<!-- bench:start -->\nLatest run: `cargo xtask bench --events {} --secs {}` ({} runs per figure, median).\n\n{machine}\n\n{table}\n\n{peer_note}\n<!-- bench:end -->",
        o.events, o.secs, o.runs
    );
    let old = std::fs::read_to_string(&md).unwrap_or_default();
    let new = match (old.find("<!-- bench:start -->"), old.find("<!-- bench:end -->")) {
        (Some(a), Some(b)) => format!("{}{block}{}", &old[..a], &old[b + "<!-- bench:end -->".len()..]),
        _ => format!("# Benchmarks\n\n{block}\n"),
    };
    std::fs::write(&md, new)?;
    note("BENCHMARKS.md updated");
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn note(s: &str) {
    eprintln!("bench: {s}");
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    xs.get(xs.len() / 2).copied().unwrap_or(0.0)
}

fn remove_db(p: &Path) {
    for s in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{s}", p.display()));
    }
}

/// Runs a command under `/usr/bin/time`: its wall seconds, peak RSS in KiB, and stdout.
fn timed(cmd: &mut Command) -> Result<(f64, f64, String)> {
    let prog = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(ToOwned::to_owned).collect();
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "MAXRSS %M"])
        .arg(prog)
        .args(args)
        .output()
        .context("/usr/bin/time")?;
    let secs = t.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("child failed: {err}");
    }
    let kib = err
        .lines()
        .filter_map(|l| l.strip_prefix("MAXRSS "))
        .filter_map(|v| v.trim().parse::<f64>().ok())
        .next_back()
        .unwrap_or(0.0);
    Ok((secs, kib, String::from_utf8_lossy(&out.stdout).to_string()))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|k| format!("{:.1} GiB", k / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("Machine: {n} CPUs (nproc), {mem} memory, CPU: {cpu}; SQLite {}.", rusqlite::version())
}

fn render(figures: &[Figure]) -> String {
    let mut s = String::from(
        "| workload | minutes | baseline | unit | ratio | target |\n|---|---:|---:|---|---:|---|\n",
    );
    for f in figures {
        let b = f.baseline.map(fmt).unwrap_or_else(|| "-".into());
        let r = f.ratio().map(|r| format!("{r:.2}")).unwrap_or_else(|| "-".into());
        s.push_str(&format!(
            "| {} | {} | {b} | {} | {r} | {} |\n",
            f.workload,
            fmt(f.minutes),
            f.unit,
            f.target
        ));
    }
    s.trim_end().to_string()
}

fn fmt(x: f64) -> String {
    if x >= 100.0 {
        format!("{:.0}", x)
    } else {
        format!("{x:.1}")
    }
}

// ---------------------------------------------------------------------------------------------
// Appends.

/// The first meeting of the generated record: what the append workloads write statements about.
struct Setup {
    events: Vec<Event>,
    meeting: String,
    docs: Vec<String>,
    day: String,
}

fn setup_events() -> Result<Setup> {
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
fn statement(rng: &mut fastrand::Rng, s: &Setup) -> (String, String) {
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

fn now() -> minutes_core::time::Timestamp {
    chrono::Utc::now().fixed_offset()
}

fn fresh_store(work: &Path, name: &str, s: &Setup) -> Result<(PathBuf, Store)> {
    let db = work.join(name);
    remove_db(&db);
    let mut store = Store::create(&db)?;
    store.append(&s.events, None, now())?;
    Ok((db, store))
}

fn append_minutes_one(work: &Path, s: &Setup, secs: f64) -> Result<f64> {
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

/// What [`long_stream`] measured.
struct LongStream {
    /// Appends per second to the long stream, each through a freshly opened store.
    long_rate: f64,
    /// The same to the short stream.
    short_rate: f64,
    /// The median of the rounds' long over short rates.
    ratio: f64,
    /// The long stream's version before the appends.
    long_version: u64,
    /// The short stream's.
    short_version: u64,
}

/// Builds a store whose first setup document holds `n` statements more (imported in one
/// transaction) and a store of the setup alone, then appends one statement at a time to that
/// document in each, in turn, each append through a freshly opened `Store` (open, append,
/// close: what one `minutes append` process does), `rounds` times.
fn long_stream(work: &Path, s: &Setup, n: u64, rounds: usize) -> Result<LongStream> {
    let doc = s.docs.first().context("the setup has a document")?.clone();
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
                        Event::from_json(&statement_about(&mut rng, s, &doc))
                    })
                },
                now(),
            )
            .map_err(|e| anyhow::anyhow!("building the long stream: {e:?}"))?;
        store.close()?;
        std::fs::rename(&building, &long_db)?;
        note(&format!("built a {}-event stream in {:.1} s", imported.appended, t.elapsed().as_secs_f64()));
    }
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

/// A statement about `doc`, as a client would send it.
fn statement_about(rng: &mut fastrand::Rng, s: &Setup, doc: &str) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    let id = uuid::Builder::from_random_bytes(b).into_uuid();
    format!(
        r#"{{"id":"{id}","type":"StatementMade","v":1,"meeting":"{m}","document":"{doc}","body":null,"actors":[],"occurred":{{"from":"{d}T10:00:00Z","to":"{d}T10:05:00Z"}},"recorded_at":"{d}T12:00:00Z","source":{{"file":"synthetic","section":"bench","quote":"a statement"}},"data":{{"stance":"support","summary":"supported the draft in its current form"}}}}"#,
        m = s.meeting,
        d = s.day
    )
}

/// The baseline's connection on the same table, and the chain's head and stream versions.
struct Raw {
    conn: Connection,
    seq: u64,
    prev: String,
    versions: HashMap<String, u64>,
}

impl Raw {
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

fn raw_fields(json: &str) -> (String, String, String) {
    // The statement template puts the id at a fixed place; the baseline need not parse it.
    let id = json[7..43].to_string();
    let from = json.split("\"from\":\"").nth(1).map(|s| s[..20].to_string()).unwrap_or_default();
    let to = json.split("\"to\":\"").nth(1).map(|s| s[..20].to_string()).unwrap_or_default();
    (id, from, to)
}

fn append_raw_one(work: &Path, s: &Setup, secs: f64) -> Result<f64> {
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

fn append_minutes_tasks(work: &Path, s: &Setup, secs: f64, writers: u64) -> Result<f64> {
    let (_, store) = fresh_store(work, "append-minutes-16.db", s)?;
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

fn append_raw_threads(work: &Path, s: &Setup, secs: f64, writers: u64) -> Result<f64> {
    let (db, store) = fresh_store(work, "append-raw-16.db", s)?;
    store.close()?;
    type Req = (String, String, std::sync::mpsc::SyncSender<()>);
    let (tx, rx) = std::sync::mpsc::channel::<Req>();
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
    let elapsed = start.elapsed().as_secs_f64();
    drop(tx);
    writer.join().map_err(|_| anyhow::anyhow!("the baseline writer panicked"))??;
    Ok(count.load(Ordering::Relaxed) as f64 / elapsed)
}

fn append_processes(work: &Path, xtask: &Path, s: &Setup, secs: f64, n: usize) -> Result<f64> {
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

// ---------------------------------------------------------------------------------------------
// State, verify.

/// How many state queries a run times: enough that the p99 is the 50th slowest, not a few
/// hiccups of a shared machine.
const STATE_QUERIES: usize = 5000;

fn state_latencies(db: &Path, seed: u64, snapshots: bool) -> Result<((f64, f64), (f64, f64))> {
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

fn percentiles(mut xs: Vec<f64>) -> (f64, f64) {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let at = |p: f64| xs[((xs.len() as f64 - 1.0) * p).round() as usize];
    (at(0.50), at(0.99))
}

fn raw_verify(db: &Path) -> Result<f64> {
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

// ---------------------------------------------------------------------------------------------
/// Where cargo puts its builds for this workspace (`CARGO_TARGET_DIR`, a config's
/// `build.target-dir`, or `target/` under the root): cargo itself says, through its metadata.
fn target_dir(root: &Path) -> Result<PathBuf> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()?;
    if !out.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let dir = meta["target_directory"].as_str().context("cargo metadata names no target_directory")?;
    Ok(PathBuf::from(dir))
}

/// The Merkle proof lines: the median time of an inclusion and of a consistency proof over the
/// whole log of `db` (each reads every leaf, as `verify` does), and the bytes of hashes each holds.
fn proof_figures(db: &Path, runs: usize) -> Result<Vec<Figure>> {
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

// Children: the workloads whose memory is measured, and the writer processes.

/// `xtask bench-child WORKLOAD ARGS`: prints its own figure on stdout.
pub fn child(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("long-stream") => {
            // `bench-child long-stream DIR N ROUNDS`: the long-stream workload alone.
            let n: u64 = args.get(2).map_or(Ok(1_000_000), |a| a.replace('_', "").parse())?;
            let rounds: usize = args.get(3).map_or(Ok(45), |a| a.parse())?;
            let dir = Path::new(args.get(1).context("bench-child long-stream DIR [N] [ROUNDS]")?);
            std::fs::create_dir_all(dir)?;
            let r = long_stream(dir, &setup_events()?, n, rounds)?;
            println!(
                "append through a fresh Store::open: {}-event stream {:.0}/s, {}-event stream {:.0}/s, ratio {:.3} (median of {rounds} paired rounds)",
                r.long_version, r.long_rate, r.short_version, r.short_rate, r.ratio
            );
        }
        Some("proofs") => {
            // `bench-child proofs DB [RUNS]`: the Merkle proof lines alone, on an existing store.
            let db = Path::new(args.get(1).context("bench-child proofs DB [RUNS]")?);
            let runs: usize = args.get(2).map_or(Ok(5), |a| a.parse())?;
            print!("{}", render(&proof_figures(db, runs)?));
        }
        Some("import-raw") => {
            let secs = import_raw(Path::new(&args[1]), Path::new(&args[2]))?;
            println!("{secs}");
        }
        Some("state") => {
            // For profiling: `perf record xtask bench-child state DB`.
            // `--kept` uses the snapshots the store holds instead of rebuilding them.
            if args.get(2).map(String::as_str) != Some("--kept") {
                let t = Instant::now();
                let n = Store::open(Path::new(&args[1]))?.rebuild_snapshots(None)?;
                println!("{n} snapshots rebuilt in {:.1} s", t.elapsed().as_secs_f64());
            }
            let store = Store::open(Path::new(&args[1]))?;
            let docs: Vec<String> =
                store.documents()?.into_iter().map(|d| d.document.to_string()).take(500).collect();
            let at = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")?;
            let (mut read, mut decode_free, mut fold, mut events) = (0.0, 0.0, 0.0, 0usize);
            let conn = Connection::open(Path::new(&args[1]))?;
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
                let ((p50, p99), (r50, r99)) = state_latencies(Path::new(&args[1]), 0, snapshots)?;
                println!("snapshots {snapshots}: library p50 {p50:.0} µs p99 {p99:.0} µs; raw p50 {r50:.0} µs p99 {r99:.0} µs");
            }
        }
        Some("append-writer") => {
            // For profiling: `perf record xtask bench-child append-writer DIR SECS WRITERS`.
            // Prints each side's rate and its CPU time per event (user + system, all threads),
            // which the disk's drifting fsync rate does not blur.
            let s = setup_events()?;
            let secs: f64 = args[2].parse()?;
            let c0 = cpu_secs();
            let rate = append_minutes_tasks(Path::new(&args[1]), &s, secs, args[3].parse()?)?;
            let c1 = cpu_secs();
            let raw = append_raw_one(Path::new(&args[1]), &s, secs)?;
            let c2 = cpu_secs();
            let direct = append_minutes_one(Path::new(&args[1]), &s, secs)?;
            let c3 = cpu_secs();
            println!(
                "minutes through the Writer {rate:.0} events/s, {:.0} µs CPU/event; Store::append {direct:.0} events/s, {:.0} µs CPU/event; raw one writer {raw:.0} events/s, {:.0} µs CPU/event",
                (c1 - c0) * 1e6 / (rate * secs),
                (c3 - c2) * 1e6 / (direct * secs),
                (c2 - c1) * 1e6 / (raw * secs)
            );
        }
        Some("state-slow") => {
            // `xtask bench-child state-slow DB`: the slowest of 2,000 state queries, and why.
            let db = Path::new(&args[1]);
            let store = Store::open(db)?;
            let conn = Connection::open(db)?;
            let mut docs: Vec<(String, chrono::DateTime<chrono::Utc>)> = Vec::new();
            let mut st =
                conn.prepare("SELECT stream, occurred_to FROM events WHERE type = 'DocumentTabled'")?;
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
        }
        Some("codec") => {
            // `xtask bench-child codec FILE`: what reading and writing an event costs, per event.
            let text = std::fs::read_to_string(&args[1])?;
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
        }
        Some("verify") => {
            // For profiling: `perf record xtask bench-child verify DB`. Both sides, in turn.
            let db = Path::new(&args[1]);
            for _ in 0..3 {
                let store = Store::open(db)?;
                let t = Instant::now();
                let report = store.verify(None)?;
                let rate = report.events as f64 / t.elapsed().as_secs_f64();
                println!("Store::verify {rate:.0} events/s; raw chain {:.0} events/s", raw_verify(db)?);
            }
        }
        Some("layouts") => println!("{}", layouts(Path::new(&args[1]), Path::new(&args[2]))?),
        Some("replay-lib") => println!("{}", replay_lib(Path::new(&args[1]))?),
        Some("replay-raw") => println!("{}", replay_raw(Path::new(&args[1]))?),
        Some("append-proc") => {
            let db = Path::new(&args[1]);
            let secs: f64 = args[2].parse()?;
            let k: u64 = args[3].parse()?;
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
        }
        _ => bail!("bench-child: unknown workload"),
    }
    Ok(())
}

/// The baseline import: parse each line into the envelope's fields, check them, chain and insert
/// in batches of 10,000. Returns its seconds.
fn import_raw(db: &Path, file: &Path) -> Result<f64> {
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

/// Replay through the library: every meeting's timeline, each event described as `replay`
/// prints it. Returns its seconds.
fn replay_lib(db: &Path) -> Result<f64> {
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

/// The baseline read: every row in order, decoded into the typed event. Returns its seconds.
fn replay_raw(db: &Path) -> Result<f64> {
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

// ---------------------------------------------------------------------------------------------
// The Python peer.

const PEER: &str = r#"
import os, sys, time, sqlite3
mode, path, secs, n = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
os.environ["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
os.environ["SQLITE_DBNAME"] = path
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

class Draft(Aggregate):
    @event("Tabled")
    def __init__(self, title):
        self.title = title
        self.statements = 0
    @event("StatementMade")
    def state(self, summary):
        self.statements += 1

SUMMARY = "supported the draft in its current form, with the amendments accepted by the working group so far"
app = Application()
if mode == "append":
    d = Draft("a draft")
    app.save(d)
    t0 = time.perf_counter(); k = 0
    while time.perf_counter() - t0 < secs:
        d.state(SUMMARY); app.save(d); k += 1
    print(k / (time.perf_counter() - t0))
else:
    d = Draft("a draft")
    for i in range(n - 1):
        d.state(SUMMARY)
        if i % 1000 == 999:
            app.save(d)
    app.save(d)
    t0 = time.perf_counter(); k = 0; start = 1
    while True:
        items = app.recorder.select_notifications(start=start, limit=1000)
        if not items:
            break
        for it in items:
            app.mapper.to_domain_event(it); k += 1
        start = items[-1].id + 1
    print(k / (time.perf_counter() - t0))
c = sqlite3.connect(path)
print("journal_mode=%s synchronous=%s" % (c.execute("PRAGMA journal_mode").fetchone()[0], c.execute("PRAGMA synchronous").fetchone()[0]))
"#;

/// The Python peer, installed into a virtual environment under target/bench.
struct Peer {
    python: PathBuf,
    script: PathBuf,
    work: PathBuf,
    version: String,
}

fn peer_setup(work: &Path) -> Result<Peer> {
    let py = which("python3").ok_or_else(|| anyhow::anyhow!("python3 is not installed"))?;
    let venv = work.join("venv");
    let vpy = venv.join("bin").join("python");
    if !vpy.exists() {
        note("installing the Python eventsourcing package into a virtual environment under target/bench");
        let ok = Command::new(&py).args(["-m", "venv"]).arg(&venv).status()?.success()
            && Command::new(venv.join("bin").join("pip"))
                .args(["install", "--quiet", "eventsourcing"])
                .status()?
                .success();
        if !ok {
            bail!("installing eventsourcing into a virtual environment failed");
        }
    }
    let script = work.join("peer.py");
    std::fs::write(&script, PEER)?;
    let version = Command::new(&vpy)
        .args(["-c", "import importlib.metadata as m; print(m.version('eventsourcing'))"])
        .output()?;
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    Ok(Peer { python: vpy, script, work: work.to_path_buf(), version })
}

impl Peer {
    /// `append` for `secs` seconds, or `read` back `n` events: the rate, and the file's settings.
    fn run(&self, mode: &str, secs: f64, n: u64) -> Result<(f64, String)> {
        let db = self.work.join("peer.db");
        remove_db(&db);
        let out = Command::new(&self.python)
            .arg(&self.script)
            .arg(mode)
            .arg(&db)
            .arg(secs.to_string())
            .arg(n.to_string())
            .output()?;
        if !out.status.success() {
            bail!("the peer failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let mut lines = text.lines();
        let rate: f64 = lines.next().unwrap_or("").trim().parse()?;
        Ok((rate, lines.next().unwrap_or("").to_string()))
    }

    fn note(&self, settings: &str, n: u64) -> String {
        format!(
            "Python peer: `eventsourcing` {} on its SQLite backend with its default settings (`PERSISTENCE_MODULE=eventsourcing.sqlite`, one aggregate, `app.save` per event, so one transaction per event; the file as it left it: {settings}); its appends ran in the same rounds as minutes' single writer; its read figure reads back {n} events it wrote (in saves of 1,000) through `select_notifications` in pages of 1,000 and maps each to its domain event.",
            self.version
        )
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|p| p.is_file()))
}

// ---------------------------------------------------------------------------------------------
// Index layouts for import (`cargo xtask bench-child layouts FILE DIR`).

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
fn layouts(file: &Path, dir: &Path) -> Result<String> {
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

/// This process's CPU time so far (user + system, all threads), from /proc/self/stat.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    // utime and stime are fields 14 and 15; after the name and the state, the 11th and 12th.
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}

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
