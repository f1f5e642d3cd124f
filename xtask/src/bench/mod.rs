//! `cargo xtask bench [--events N] [--secs S] [--json]`: minutes beside a raw-rusqlite baseline
//! doing the least the same work needs, in one run, and the Python `eventsourcing` peer where it
//! can run. Writes the table into BENCHMARKS.md (between its markers) with the machine it ran on.
//!
//! The baseline uses the very table minutes creates (the file is made by `Store::create`, so the
//! shape, indexes and triggers are the same), WAL and `synchronous = FULL`, prepared statements,
//! and the same hash chain (`minutes_store::row_hash`). Heavy workloads (import, replay) run in
//! child processes under `/usr/bin/time` for their peak memory; appends run for a fixed time.
//! Every figure is the median of 3 runs.
//!
//! This file holds the options, the run in its phases (each returns its figures) and the
//! `bench-child` dispatcher; `workloads` holds minutes' own workloads, `baseline` the raw
//! rusqlite one, `peer` the Python peer (on SQLite and on PostgreSQL), `postgres` the
//! PostgreSQL column (minutes, a raw `postgres`-crate baseline and the peer on one throwaway
//! server) and `report` the table and its writing.

mod baseline;
mod peer;
mod postgres;
pub(crate) mod report;
mod workloads;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use minutes_store::Store;

use crate::gen;
use baseline::{append_raw_one, append_raw_threads, import_raw, layouts, raw_verify, replay_raw};
use peer::{peer_setup, Peer};
use report::{machine, median, render, Figure};
use workloads::{
    append_minutes_one, append_minutes_tasks, append_processes, long_stream, proof_figures,
    rebuild_snapshots, replay_lib, setup_events, state_latencies, verify, Setup,
};

const RUNS: usize = 3;

/// The most events the PostgreSQL import and replay lines use (each run imports them twice,
/// over loopback).
const PG_EVENTS: u64 = 100_000;

/// The bench's options, from its command line.
struct Opts {
    events: u64,
    secs: f64,
    json: bool,
    runs: usize,
    layouts: bool,
}

impl Opts {
    /// Parses `cargo xtask bench`'s arguments; an unknown one is an error that shows the usage.
    fn parse(args: &[String]) -> Result<Self> {
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
        Ok(o)
    }
}

/// Runs the bench.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let o = Opts::parse(args)?;
    let target = target_dir(root)?;
    let work = target.join("bench");
    std::fs::create_dir_all(&work)?;
    let bin = build_release(root, &target)?;
    if cfg!(debug_assertions) {
        // `cargo xtask` runs a dev build, in which minutes' own crates are not optimized (only
        // the dependencies, SQLite among them, are): the in-process figures would price the
        // missing optimizer, not minutes. The whole bench runs from the release build.
        note("running the bench from the release build");
        let st = Command::new(bin.join("xtask")).arg("bench").args(args).status()?;
        std::process::exit(st.code().unwrap_or(1));
    }
    let bench = Bench::new(o, work, &bin)?;
    let (figures, peer_note) = bench.measure()?;
    bench.report(root, &figures, &peer_note)
}

/// Builds the minutes binary and xtask itself in release: the directory that holds them.
fn build_release(root: &Path, target: &Path) -> Result<PathBuf> {
    note("building the minutes binary (release)");
    let st = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "-p", "minutes-cli", "-p", "xtask"])
        .current_dir(root)
        .status()?;
    if !st.success() {
        bail!("cargo build --release failed");
    }
    Ok(target.join("release"))
}

/// The generated record of `events` events as JSON Lines under `work`, generated once and kept.
fn events_file(work: &Path, events: u64) -> Result<PathBuf> {
    let file = work.join(format!("events-{events}.jsonl"));
    if !file.exists() {
        note(&format!("generating {events} events into {}", file.display()));
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&file)?);
        gen::generate(&gen::Options { events, seed: 1 }, &mut |l| {
            out.write_all(l.as_bytes())?;
            out.write_all(b"\n")
        })?;
        out.flush()?;
    }
    Ok(file)
}

/// What the phases of a run share: the options, the files and the binaries.
struct Bench {
    o: Opts,
    /// The bench's directory under the target directory.
    work: PathBuf,
    /// The generated record, as JSON Lines.
    file: PathBuf,
    /// The release binaries.
    minutes: PathBuf,
    xtask: PathBuf,
    /// minutes' store, which the import fills and the later phases read.
    db: PathBuf,
    /// The baseline's store of the import.
    raw_db: PathBuf,
    /// The meeting the appends write statements about.
    setup: Setup,
}

/// What the single-writer rounds measured that the peer's lines need.
struct Single {
    /// `Store::append`'s rate, the median of its slices.
    direct: f64,
    /// The peer's slices (none when it cannot run).
    peer: Vec<f64>,
    /// The median of the ratios of `Store::append`'s slices to the peer's, round by round.
    direct_vs_peer: Option<f64>,
    /// The peer's file settings as it left them.
    peer_settings: String,
}

/// The peak memory of each run of a workload run in a child, in KiB: minutes' and the baseline's.
struct Peaks {
    minutes: Vec<f64>,
    baseline: Vec<f64>,
}

impl Bench {
    /// Generates the record (once) and the setup meeting.
    fn new(o: Opts, work: PathBuf, bin: &Path) -> Result<Self> {
        let file = events_file(&work, o.events)?;
        let (db, raw_db) = (work.join("minutes.db"), work.join("raw.db"));
        let setup = setup_events()?;
        Ok(Self { o, file, minutes: bin.join("minutes"), xtask: bin.join("xtask"), db, raw_db, setup, work })
    }

    /// Every phase in turn: the table's lines in their order, and the note on the Python peer.
    fn measure(&self) -> Result<(Vec<Figure>, String)> {
        let mut figures = Vec::new();
        // 1 and 2: appends, for a fixed time.
        note("appends: one durable writer");
        let peer = peer_setup(&self.work);
        let (lines, single) = self.single_writers(peer.as_ref().ok())?;
        figures.extend(lines);
        figures.extend(self.sixteen_writers(single.direct)?);
        figures.push(self.writer_processes()?);
        // 1b: the PostgreSQL column: appends, import and replay against a raw `postgres`
        // baseline and the peer on the same server.
        note("PostgreSQL: appends, import, replay, the peer");
        let pg_lines = postgres::events(self.o.events.min(PG_EVENTS))?;
        let (lines, pg_note) = postgres::figures(&postgres::PgRun {
            setup: &self.setup,
            secs: self.o.secs,
            runs: self.o.runs,
            lines: &pg_lines,
            peer: peer.as_ref().ok(),
        })?;
        drop(pg_lines);
        figures.extend(lines);
        figures.push(self.long_stream()?);
        // 3: import.
        let (line, imported) = self.import()?;
        figures.push(line);
        // 4: replay.
        let (line, replayed) = self.replay()?;
        let replay_rate = line.minutes;
        figures.push(line);
        // 5: state at T.
        figures.extend(self.state()?);
        // 6: verify.
        figures.push(self.verify()?);
        // 6b: Merkle proofs at the bench's size (each reads the leaves of the log, as verify does).
        note("proofs (inclusion, consistency)");
        figures.extend(proof_figures(&self.db, self.o.runs)?);
        // 7: memory.
        figures.extend(memory(imported, replayed));
        // The Python peer.
        let peer_note = match &peer {
            Ok(p) => {
                let (lines, peer_note) = self.peer_lines(p, single, replay_rate)?;
                figures.extend(lines);
                peer_note
            }
            Err(e) => format!("The Python `eventsourcing` peer was skipped: {e}."),
        };
        Ok((figures, format!("{peer_note}\n\n{pg_note}")))
    }

    /// One durable writer: minutes through the Writer task and through `Store::append`, the
    /// baseline and the peer, in rounds of short slices. Their two lines, and what the peer's need.
    fn single_writers(&self, peer: Option<&Peer>) -> Result<(Vec<Figure>, Single)> {
        let (o, work, setup) = (&self.o, &self.work, &self.setup);
        // The single writers run in rounds of short slices, minutes, the baseline and the peer in
        // turn, so that a disk whose fsync rate drifts (a shared one does, by 10x within minutes)
        // weighs on all alike; each figure is the median of its slices.
        let (mut m1, mut m1_direct, mut b1, mut p1) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut peer_settings = String::new();
        let slice = (o.secs / 3.0).max(0.5);
        // The order rotates from round to round, so that none always follows the same other (the
        // disk's write-back after one slice weighs on the next).
        for round in 0..o.runs * 3 {
            for k in 0..4 {
                match (round + k) % 4 {
                    0 => m1.push(append_minutes_tasks(work, setup, slice, 1)?),
                    1 => b1.push(append_raw_one(work, setup, slice)?),
                    2 => m1_direct.push(append_minutes_one(work, setup, slice)?),
                    _ => {
                        if let Some(p) = peer {
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
        let (m1, m1_direct, b1) = (median(m1), median(m1_direct), median(b1));
        let figures = vec![
            Figure {
                paired: direct_vs_raw,
                workload: "append, 1 writer, 1 event/commit (Store::append)".into(),
                minutes: m1_direct,
                baseline: Some(b1),
                unit: "events/s",
                higher_better: true,
                target: ">= 0.95",
            },
            Figure {
                paired: writer_vs_raw,
                workload: "append, 1 writer, 1 event/commit (through the Writer task)".into(),
                minutes: m1,
                baseline: Some(b1),
                unit: "events/s",
                higher_better: true,
                target: ">= 0.90",
            },
        ];
        Ok((figures, Single { direct: m1_direct, peer: p1, direct_vs_peer, peer_settings }))
    }

    /// 16 writers with group commit, minutes' tasks against the baseline's threads, and against
    /// minutes' own single writer (`direct`).
    fn sixteen_writers(&self, direct: f64) -> Result<Vec<Figure>> {
        let (o, work, setup) = (&self.o, &self.work, &self.setup);
        note("appends: 16 writers (tasks, group commit)");
        let (mut m16, mut b16) = (Vec::new(), Vec::new());
        for _ in 0..o.runs {
            m16.push(append_minutes_tasks(work, setup, o.secs, 16)?);
            b16.push(append_raw_threads(work, setup, o.secs, 16)?);
        }
        let (m16, b16) = (median(m16), median(b16));
        Ok(vec![
            Figure {
                paired: None,
                workload: "append, 16 writers (tasks), group commit".into(),
                minutes: m16,
                baseline: Some(b16),
                unit: "events/s",
                higher_better: true,
                target: ">= 0.80",
            },
            Figure {
                paired: None,
                workload: "append, 16 tasks vs minutes' own 1 writer (Store::append)".into(),
                minutes: m16,
                baseline: Some(direct),
                unit: "events/s",
                higher_better: true,
                target: ">= 2.0",
            },
        ])
    }

    /// 16 writer processes on one store (no baseline).
    fn writer_processes(&self) -> Result<Figure> {
        note("appends: 16 writer processes");
        let p16 = median(
            (0..self.o.runs)
                .map(|_| append_processes(&self.work, &self.xtask, &self.setup, self.o.secs, 16))
                .collect::<Result<_>>()?,
        );
        Ok(Figure {
            paired: None,
            workload: "append, 16 writer processes (no target)".into(),
            minutes: p16,
            baseline: None,
            unit: "events/s",
            higher_better: true,
            target: "-",
        })
    }

    /// An append to a long stream through a freshly opened store (as each `minutes append`
    /// process does) against one to a stream of a few events: the stream's length must not cost.
    fn long_stream(&self) -> Result<Figure> {
        let o = &self.o;
        note(&format!("appends: a fresh store's append to a {}-event stream vs to a short one", o.events));
        let long = long_stream(&self.work, &self.setup, o.events, 15 * o.runs)?;
        Ok(Figure {
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
        })
    }

    /// The generated record imported by the minutes binary into a new store (which the later
    /// phases read) and by the baseline in a child, each under `/usr/bin/time`: the line and
    /// the peaks.
    fn import(&self) -> Result<(Figure, Peaks)> {
        let (o, minutes, db, raw_db) = (&self.o, &self.minutes, &self.db, &self.raw_db);
        note(&format!("import of {} events", o.events));
        let mut imports = Vec::new();
        let mut raw_imports = Vec::new();
        for _ in 0..o.runs {
            remove_db(db);
            let st = Command::new(minutes).arg("--db").arg(db).args(["init", "--empty"]).output()?;
            if !st.status.success() {
                bail!("minutes init: {}", String::from_utf8_lossy(&st.stderr));
            }
            let (secs, kib, out) =
                timed(Command::new(minutes).arg("--db").arg(db).arg("import").arg(&self.file))?;
            if !out.contains("imported") {
                bail!("minutes import failed: {out}");
            }
            imports.push((o.events as f64 / secs, kib));
            remove_db(raw_db);
            let (secs, kib, out) = timed(
                Command::new(&self.xtask).args(["bench-child", "import-raw"]).arg(raw_db).arg(&self.file),
            )?;
            let inner: f64 = out.trim().parse().unwrap_or(secs);
            raw_imports.push((o.events as f64 / inner, kib));
        }
        let figure = Figure {
            paired: None,
            workload: format!("import {} events from JSON Lines (minutes binary)", o.events),
            minutes: median(imports.iter().map(|x| x.0).collect()),
            baseline: Some(median(raw_imports.iter().map(|x| x.0).collect())),
            unit: "events/s",
            higher_better: true,
            target: ">= 0.85",
        };
        Ok((figure, peaks(&imports, &raw_imports)))
    }

    /// Every event replayed through the projections by the library and read by the baseline,
    /// each in a child under `/usr/bin/time`: the line and the peaks.
    fn replay(&self) -> Result<(Figure, Peaks)> {
        note("replay");
        let mut rep = Vec::new();
        let mut raw_rep = Vec::new();
        for _ in 0..self.o.runs {
            let (_, kib, out) =
                timed(Command::new(&self.xtask).args(["bench-child", "replay-lib"]).arg(&self.db))?;
            rep.push((out.trim().parse::<f64>().context("replay-lib output")?, kib));
            let (_, kib, out) =
                timed(Command::new(&self.xtask).args(["bench-child", "replay-raw"]).arg(&self.db))?;
            raw_rep.push((out.trim().parse::<f64>().context("replay-raw output")?, kib));
        }
        let events = self.o.events as f64;
        let figure = Figure {
            paired: None,
            workload: "replay all events through the projections".into(),
            minutes: median(rep.iter().map(|x| events / x.0).collect()),
            baseline: Some(median(raw_rep.iter().map(|x| events / x.0).collect())),
            unit: "events/s",
            higher_better: true,
            target: ">= 0.80",
        };
        Ok((figure, peaks(&rep, &raw_rep)))
    }

    /// `state DOC --at T`, p50 and p99, from snapshots (rebuilt first) and through the index
    /// alone, against the baseline's read; and the rebuild's time.
    fn state(&self) -> Result<Vec<Figure>> {
        note("state DOC --at T");
        let rebuilt = rebuild_snapshots(&self.db)?;
        note(&format!("{} snapshots rebuilt in {:.1} s", rebuilt.0, rebuilt.1));
        let mut figures = Vec::new();
        for snapshots in [true, false] {
            let (mut p50, mut p99, mut raw50, mut raw99) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for run in 0..self.o.runs {
                let (a, b) = state_latencies(&self.db, run as u64, snapshots)?;
                p50.push(a.0);
                p99.push(a.1);
                raw50.push(b.0);
                raw99.push(b.1);
            }
            let how = if snapshots { "library, snapshots" } else { "library, index only; no target" };
            let target = if snapshots { "<= 1.5" } else { "-" };
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
        Ok(figures)
    }

    /// The hash chain verified by `Store::verify` and by the baseline.
    fn verify(&self) -> Result<Figure> {
        note("verify");
        let mut ver = Vec::new();
        let mut raw_ver = Vec::new();
        for _ in 0..self.o.runs {
            ver.push(verify(&self.db)?);
            raw_ver.push(raw_verify(&self.db)?);
        }
        Ok(Figure {
            paired: None,
            workload: "verify (hash chain)".into(),
            minutes: median(ver),
            baseline: Some(median(raw_ver)),
            unit: "events/s",
            higher_better: true,
            target: ">= 0.70",
        })
    }

    /// The peer's lines: minutes' single writer against its appends (run in the same rounds) and
    /// minutes' replay against its read back; and the note on how it ran.
    fn peer_lines(&self, p: &Peer, single: Single, replay_rate: f64) -> Result<(Vec<Figure>, String)> {
        note("the Python eventsourcing peer: reading back");
        let n = self.o.events.min(100_000);
        let mut reads = Vec::new();
        for _ in 0..self.o.runs {
            reads.push(p.run("read", self.o.secs, n)?.0);
        }
        let figures = vec![
            Figure {
                paired: if single.peer.is_empty() { None } else { single.direct_vs_peer },
                workload: "append, 1 writer: minutes (Store::append) vs eventsourcing (Python)".into(),
                minutes: single.direct,
                baseline: Some(median(single.peer)),
                unit: "events/s",
                higher_better: true,
                target: "> 1.0",
            },
            Figure {
                paired: None,
                workload: "read all events: minutes replay vs eventsourcing (Python)".into(),
                minutes: replay_rate,
                baseline: Some(median(reads)),
                unit: "events/s",
                higher_better: true,
                target: "-",
            },
        ];
        Ok((figures, p.note(&single.peer_settings, n)))
    }

    /// Prints the table (or its JSON lines), with the index layouts when asked, and writes it
    /// into BENCHMARKS.md between its markers.
    fn report(&self, root: &Path, figures: &[Figure], peer_note: &str) -> Result<()> {
        let o = &self.o;
        let machine = machine();
        let mut table = render(figures);
        if o.layouts {
            table.push_str(&self.layouts()?);
        }
        if o.json {
            for f in figures {
                println!("{}", report::json(f));
            }
        } else {
            println!("{machine}\n\n{table}\n\n{peer_note}");
        }
        let run_line = format!(
            "Latest run: `cargo xtask bench --events {} --secs {}` ({} runs per figure, median).",
            o.events, o.secs, o.runs
        );
        let block = report::block(&run_line, &machine, &table, peer_note);
        report::write_between_markers(&root.join("BENCHMARKS.md"), &block)?;
        note("BENCHMARKS.md updated");
        Ok(())
    }

    /// The baseline's import under each index layout (`--layouts`), as the paragraph that follows
    /// the table.
    fn layouts(&self) -> Result<String> {
        note("index layouts for import (baseline)");
        let out = Command::new(&self.xtask)
            .args(["bench-child", "layouts"])
            .arg(&self.file)
            .arg(&self.work)
            .output()?;
        if !out.status.success() {
            bail!("layouts: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(format!("\n\nIndex layouts for import of the same {} events (the baseline's import under each layout, one run each):\n\n{}", self.o.events, String::from_utf8_lossy(&out.stdout).trim()))
    }
}

/// The peaks of a workload's runs, from its `(rate, KiB)` pairs: minutes' and the baseline's.
fn peaks(minutes: &[(f64, f64)], baseline: &[(f64, f64)]) -> Peaks {
    Peaks { minutes: minutes.iter().map(|x| x.1).collect(), baseline: baseline.iter().map(|x| x.1).collect() }
}

/// The peak memory lines of the import and of the replay.
fn memory(import: Peaks, replay: Peaks) -> Vec<Figure> {
    let mib = |kib: Vec<f64>| median(kib.into_iter().map(|k| k / 1024.0).collect());
    vec![
        Figure {
            paired: None,
            workload: "peak memory, import".into(),
            minutes: mib(import.minutes),
            baseline: Some(mib(import.baseline)),
            unit: "MiB",
            higher_better: false,
            target: "<= 2.0",
        },
        Figure {
            paired: None,
            workload: "peak memory, replay".into(),
            minutes: mib(replay.minutes),
            baseline: Some(mib(replay.baseline)),
            unit: "MiB",
            higher_better: false,
            target: "<= 1.5",
        },
    ]
}

/// Says what the bench is doing, on stderr (stdout holds the table or its JSON lines).
pub(crate) fn note(s: &str) {
    eprintln!("bench: {s}");
}

/// Removes a SQLite file and its companions (WAL, shared memory, journal), where they exist.
pub(crate) fn remove_db(p: &Path) {
    for s in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{s}", p.display()));
    }
}

/// Runs a command under `/usr/bin/time`: its wall seconds, peak RSS in KiB, and stdout.
pub(crate) fn timed(cmd: &mut Command) -> Result<(f64, f64, String)> {
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

/// Where cargo puts its builds for this workspace (`CARGO_TARGET_DIR`, a config's
/// `build.target-dir`, or `target/` under the root): cargo itself says, through its metadata.
pub(crate) fn target_dir(root: &Path) -> Result<PathBuf> {
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
        Some("pg-append") => pg_alone(args)?,
        Some("pg-profile") => {
            // `bench-child pg-profile [SECS] [EVENTS]`: what the server does per event (see the
            // module).
            let secs: f64 = args.get(1).map_or(Ok(3.0), |a| a.parse())?;
            let events: u64 = args.get(2).map_or(Ok(5_000), |a| a.replace('_', "").parse())?;
            postgres::profile::run(&setup_events()?, secs, &postgres::events(events)?)?
        }
        Some("pg-writers") => {
            // `bench-child pg-writers [SECS] [ROUNDS]`: the 16-writer line alone, with the
            // client's CPU an event (for profiling).
            let secs: f64 = args.get(1).map_or(Ok(3.0), |a| a.parse())?;
            let rounds: usize = args.get(2).map_or(Ok(3), |a| a.parse())?;
            postgres::profile_writers(&setup_events()?, secs, rounds)?
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
            workloads::profile_state(Path::new(&args[1]), args.get(2).map(String::as_str) == Some("--kept"))?
        }
        Some("append-writer") => profile_append_writer(args)?,
        Some("state-slow") => workloads::state_slow(Path::new(&args[1]))?,
        Some("codec") => workloads::codec(Path::new(&args[1]))?,
        Some("verify") => profile_verify(Path::new(&args[1]))?,
        Some("layouts") => println!("{}", layouts(Path::new(&args[1]), Path::new(&args[2]))?),
        Some("replay-lib") => println!("{}", replay_lib(Path::new(&args[1]))?),
        Some("replay-raw") => println!("{}", replay_raw(Path::new(&args[1]))?),
        Some("append-proc") => {
            workloads::append_proc(Path::new(&args[1]), args[2].parse()?, args[3].parse()?)?
        }
        _ => bail!("bench-child: unknown workload"),
    }
    Ok(())
}

/// `bench-child pg-append [SECS] [RUNS] [EVENTS]`: the PostgreSQL lines alone (appends for
/// SECS per figure, RUNS runs, import and replay of EVENTS events), with the peer where it
/// runs, from the release build (a dev build reruns itself from it, as the bench does).
fn pg_alone(args: &[String]) -> Result<()> {
    if cfg!(debug_assertions) {
        let root = crate::root();
        let bin = build_release(&root, &target_dir(&root)?)?;
        note("running the PostgreSQL lines from the release build");
        let st = Command::new(bin.join("xtask")).arg("bench-child").args(args).status()?;
        std::process::exit(st.code().unwrap_or(1));
    }
    let secs: f64 = args.get(1).map_or(Ok(3.0), |a| a.parse())?;
    let runs: usize = args.get(2).map_or(Ok(1), |a| a.parse())?;
    let events: u64 = args.get(3).map_or(Ok(20_000), |a| a.replace('_', "").parse())?;
    // The bench's directory (where the peer's virtual environment is kept) beside the release
    // directory this binary runs from.
    let exe = std::env::current_exe()?;
    let work = exe.parent().and_then(Path::parent).context("the binary's directory")?.join("bench");
    std::fs::create_dir_all(&work)?;
    let peer = peer_setup(&work);
    if let Err(e) = &peer {
        note(&format!("the Python peer cannot run: {e}"));
    }
    let setup = setup_events()?;
    // The SQLite appends in the same run, beside the PostgreSQL ones.
    note("SQLite: one durable writer and 16 writers (minutes, raw), for the side by side");
    let mut figures = sqlite_appends(&work, &setup, secs, runs)?;
    let lines = postgres::events(events)?;
    let (pg, pg_note) = postgres::figures(&postgres::PgRun {
        setup: &setup,
        secs,
        runs,
        lines: &lines,
        peer: peer.as_ref().ok(),
    })?;
    figures.extend(pg);
    println!("{}\n\n{pg_note}", render(&figures));
    Ok(())
}

/// The SQLite append lines as the PostgreSQL ones are measured (slices of a third of `secs`,
/// minutes and the raw baseline alternating, paired ratios): one writer, and 16 writers.
fn sqlite_appends(work: &Path, s: &Setup, secs: f64, runs: usize) -> Result<Vec<Figure>> {
    let slice = (secs / 3.0).max(0.5);
    let (mut m1, mut b1, mut m16, mut b16) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..runs * 3 {
        let first = round % 2 == 0;
        for side in [first, !first] {
            if side {
                m1.push(append_minutes_one(work, s, slice)?);
                m16.push(append_minutes_tasks(work, s, slice, 16)?);
            } else {
                b1.push(append_raw_one(work, s, slice)?);
                b16.push(append_raw_threads(work, s, slice, 16)?);
            }
        }
    }
    let paired = |a: &[f64], b: &[f64]| Some(median(a.iter().zip(b).map(|(x, y)| x / y).collect()));
    Ok(vec![
        Figure {
            paired: paired(&m1, &b1),
            workload: "SQLite: append, 1 writer, 1 event/commit (Store::append)".into(),
            minutes: median(m1),
            baseline: Some(median(b1)),
            unit: "events/s",
            higher_better: true,
            target: ">= 0.90",
        },
        Figure {
            paired: paired(&m16, &b16),
            workload: "SQLite: append, 16 writers (tasks), group commit".into(),
            minutes: median(m16),
            baseline: Some(median(b16)),
            unit: "events/s",
            higher_better: true,
            target: ">= 0.80",
        },
    ])
}

/// For profiling: `perf record xtask bench-child append-writer DIR SECS WRITERS`.
/// Prints each side's rate and its CPU time per event (user + system, all threads),
/// which the disk's drifting fsync rate does not blur.
fn profile_append_writer(args: &[String]) -> Result<()> {
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
    Ok(())
}

/// For profiling: `perf record xtask bench-child verify DB`. Both sides, in turn.
fn profile_verify(db: &Path) -> Result<()> {
    for _ in 0..3 {
        let store = Store::open(db)?;
        let t = Instant::now();
        let report = store.verify(None)?;
        let rate = report.events as f64 / t.elapsed().as_secs_f64();
        println!("Store::verify {rate:.0} events/s; raw chain {:.0} events/s", raw_verify(db)?);
    }
    Ok(())
}

/// This process's CPU time so far (user + system, all threads), from /proc/self/stat.
pub(super) fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    // utime and stime are fields 14 and 15; after the name and the state, the 11th and 12th.
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}
