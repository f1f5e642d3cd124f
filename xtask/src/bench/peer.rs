//! The Python `eventsourcing` peer: its script, installed into a virtual environment under
//! target/bench, its appends and its read back, and the note on how it ran.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Result};

use super::{note, remove_db};

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
pub(super) struct Peer {
    python: PathBuf,
    script: PathBuf,
    work: PathBuf,
    version: String,
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
