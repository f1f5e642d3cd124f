//! The Python `eventsourcing` peer: its script, installed into a virtual environment under
//! target/bench (with its `postgres` extra), its appends and its read back on SQLite and on
//! PostgreSQL, and the notes on how it ran.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Result};

use super::{note, remove_db};

const PEER: &str = r#"
import os, sys, time, threading
mode, path, secs, n = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
# On PostgreSQL the caller sets PERSISTENCE_MODULE and the POSTGRES_* variables.
if os.environ.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
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
elif mode == "append-threads":
    # n threads, each saving its own aggregate one event at a time, for secs.
    counts = [0] * n
    drafts = [Draft("draft %d" % i) for i in range(n)]
    for d in drafts:
        app.save(d)
    t0 = time.perf_counter()
    def writer(i):
        d = drafts[i]
        while time.perf_counter() - t0 < secs:
            d.state(SUMMARY); app.save(d); counts[i] += 1
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(sum(counts) / (time.perf_counter() - t0))
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
if os.environ["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
    import psycopg
    e = os.environ
    c = psycopg.connect(host=e["POSTGRES_HOST"], port=e["POSTGRES_PORT"], dbname=e["POSTGRES_DBNAME"], user=e["POSTGRES_USER"])
    print("synchronous_commit=%s fsync=%s" % (c.execute("SHOW synchronous_commit").fetchone()[0], c.execute("SHOW fsync").fetchone()[0]))
else:
    import sqlite3
    c = sqlite3.connect(path)
    print("journal_mode=%s synchronous=%s" % (c.execute("PRAGMA journal_mode").fetchone()[0], c.execute("PRAGMA synchronous").fetchone()[0]))
"#;

/// The Python peer, installed into a virtual environment under target/bench.
pub(super) struct Peer {
    python: PathBuf,
    script: PathBuf,
    work: PathBuf,
    version: String,
    /// Whether its PostgreSQL backend (the `postgres` extra, psycopg) imports, or why not.
    postgres: std::result::Result<(), String>,
}

/// Where the peer's PostgreSQL database is: the `POSTGRES_*` variables eventsourcing reads.
pub(super) struct PgTarget {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) db: String,
    pub(super) user: String,
}

/// Installs the peer (once) into a virtual environment under `work`, writes its script there
/// and asks its version; an error says why it cannot run.
pub(super) fn peer_setup(work: &Path) -> Result<Peer> {
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
    let imports = |module: &str| {
        Command::new(&vpy)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    // Its PostgreSQL backend is an extra (psycopg, over the system's libpq): installed into the
    // same environment, and without it the SQLite lines still run.
    if !imports("psycopg") {
        note("installing eventsourcing's postgres extra into the virtual environment");
        let _ = Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet", "eventsourcing[postgres]"])
            .status();
    }
    let postgres = if imports("psycopg") && imports("eventsourcing.postgres") {
        Ok(())
    } else {
        Err("installing eventsourcing's postgres extra (psycopg) into the virtual environment failed, or it does not import (it needs the system's libpq)".to_string())
    };
    let script = work.join("peer.py");
    std::fs::write(&script, PEER)?;
    let version = Command::new(&vpy)
        .args(["-c", "import importlib.metadata as m; print(m.version('eventsourcing'))"])
        .output()?;
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    Ok(Peer { python: vpy, script, work: work.to_path_buf(), version, postgres })
}

impl Peer {
    /// `append` for `secs` seconds, or `read` back `n` events: the rate, and the file's settings.
    pub(super) fn run(&self, mode: &str, secs: f64, n: u64) -> Result<(f64, String)> {
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

    /// Why the peer cannot run on PostgreSQL, if it cannot.
    pub(super) fn postgres(&self) -> std::result::Result<(), String> {
        self.postgres.clone()
    }

    /// `append` for `secs` seconds, `append-threads` (`n` threads) for `secs`, or `read` back
    /// `n` events, on the PostgreSQL database `pg` (which it fills): the rate and the server's
    /// settings as it saw them.
    pub(super) fn run_pg(&self, pg: &PgTarget, mode: &str, secs: f64, n: u64) -> Result<(f64, String)> {
        let out = Command::new(&self.python)
            .arg(&self.script)
            .arg(mode)
            .arg("-")
            .arg(secs.to_string())
            .arg(n.to_string())
            .env("PERSISTENCE_MODULE", "eventsourcing.postgres")
            .env("POSTGRES_HOST", &pg.host)
            .env("POSTGRES_PORT", pg.port.to_string())
            .env("POSTGRES_DBNAME", &pg.db)
            .env("POSTGRES_USER", &pg.user)
            // The throwaway cluster trusts loopback: eventsourcing insists on the variable, empty.
            .env("POSTGRES_PASSWORD", "")
            // A connection per writer thread (its default pool is 5, overflowing to 15).
            .env("POSTGRES_POOL_SIZE", n.clamp(5, 64).to_string())
            .output()?;
        if !out.status.success() {
            bail!("the peer failed on PostgreSQL: {}", String::from_utf8_lossy(&out.stderr));
        }
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let mut lines = text.lines();
        let rate: f64 = lines.next().unwrap_or("").trim().parse()?;
        Ok((rate, lines.next().unwrap_or("").to_string()))
    }

    /// How the peer ran on PostgreSQL, for the note under the table.
    pub(super) fn pg_note(&self, settings: &str, n: u64) -> String {
        format!(
            "Python peer on PostgreSQL: `eventsourcing` {} with its `postgres` extra (`PERSISTENCE_MODULE=eventsourcing.postgres`, psycopg 3 over libpq), on the same throwaway cluster, a database of its own owned by a role of its own, over loopback; `app.save` per event, each its own transaction (which takes its table's `EXCLUSIVE` lock, as its recorder does, for gap-free notification ids); the server as it saw it: {settings}. Its one-writer appends ran in the same rounds as minutes' and the raw baseline's; its 16 writers are 16 Python threads, each saving an aggregate of its own, with a pool of 16 connections; its read figure reads back {n} events it wrote (in saves of 1,000) through `select_notifications` in pages of 1,000 and maps each to its domain event.",
            self.version
        )
    }

    /// How the peer ran, for the note under the table.
    pub(super) fn note(&self, settings: &str, n: u64) -> String {
        format!(
            "Python peer: `eventsourcing` {} on its SQLite backend with its default settings (`PERSISTENCE_MODULE=eventsourcing.sqlite`, one aggregate, `app.save` per event, so one transaction per event; the file as it left it: {settings}); its appends ran in the same rounds as minutes' single writer; its read figure reads back {n} events it wrote (in saves of 1,000) through `select_notifications` in pages of 1,000 and maps each to its domain event.",
            self.version
        )
    }
}

/// The first `name` on `PATH`.
fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|p| p.is_file()))
}
