//! `cargo xtask bench-http`: `minutes serve` measured side by side with the library it serves,
//! the HTTP load from `wrk` (Debian's package), a load generator that is not the server's code.
//!
//! Two lines, each a ratio measured in one run on one store (the bundled record):
//! - appends: 64 concurrent HTTP clients recording statements through the server, against 64
//!   tasks appending the same kind of event through the raw group-commit `Writer` in process;
//! - state at T: one HTTP client asking `/api/state` in a loop (p50 and p99 from wrk's latency
//!   distribution, loopback included), against `Reader::state` in process, snapshots built.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use minutes_core::event::Event;
use minutes_store::{Store, Writer};

const TOKEN: &str = "bench-http-token-000000001";
const DOC: &str = "wtpf-13/opinion-5";
const AT: &str = "2013-05-15 12:00";

/// Runs the HTTP bench lines and prints them (and, with `--write`, puts them in
/// `BENCHMARKS.md` under their own heading).
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let mut secs = 10u64;
    let mut write = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--secs" => secs = it.next().context("--secs needs a value")?.parse()?,
            "--write" => write = true,
            other => bail!("unknown argument '{other}'; usage: cargo xtask bench-http [--secs S] [--write]"),
        }
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        bail!("wrk is not installed (apt-get install wrk)");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let st = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "-p", "minutes-cli"])
        .current_dir(root)
        .status()?;
    if !st.success() {
        bail!("cargo build --release failed");
    }
    let minutes = target.join("release").join("minutes");
    let work = target.join("bench-http");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;

    let mut lines = Vec::new();
    // Appends.
    let db = work.join("append.db");
    init(&minutes, &db)?;
    let server = Server::start(&minutes, &db, &work)?;
    let script = work.join("record.lua");
    std::fs::write(&script, RECORD_LUA.replace("TOKEN", TOKEN))?;
    let before = count(&db)?;
    let out = wrk(
        &["-t2", "-c64", "--timeout", "10s", "-d", &format!("{secs}s"), "-s"],
        &script,
        &server.url("/api/record/statement"),
    )?;
    let appended = count(&db)? - before;
    let http_rate = appended as f64 / secs as f64;
    drop(server);
    if out.contains("Non-2xx") {
        bail!("some HTTP appends failed:\n{out}");
    }
    let db2 = work.join("raw.db");
    init(&minutes, &db2)?;
    let raw_rate = raw_writer(&db2, secs)?;
    lines.push(format!(
        "append, 64 concurrent clients: through `minutes serve` (HTTP, wrk -c64) {http_rate:.0} events/s; raw group-commit Writer in process, 64 tasks {raw_rate:.0} events/s; ratio {:.2} (target at least 0.8)",
        http_rate / raw_rate
    ));

    // State at T.
    let db3 = work.join("state.db");
    init(&minutes, &db3)?;
    let st = Command::new(&minutes).arg("--db").arg(&db3).arg("snapshots").stdout(Stdio::null()).status()?;
    if !st.success() {
        bail!("minutes snapshots failed");
    }
    let server = Server::start(&minutes, &db3, &work)?;
    let query = format!("/api/state?doc={DOC}&at={}", AT.replace(' ', "%20"));
    let out =
        wrk(&["-t1", "-c1", "--latency", "-d", &format!("{secs}s")], Path::new(""), &server.url(&query))?;
    let (h50, h99) = (latency(&out, "50%")?, latency(&out, "99%")?);
    drop(server);
    let (l50, l99) = library_state(&db3, secs)?;
    lines.push(format!(
        "state at T, one client: over HTTP p50 {h50:.0} µs, p99 {h99:.0} µs; library Reader::state with snapshots p50 {l50:.0} µs, p99 {l99:.0} µs; ratios p50 {:.1}x, p99 {:.1}x (target within 3x)",
        h50 / l50,
        h99 / l99
    ));
    for l in &lines {
        println!("{l}");
    }
    if write {
        let path = root.join("BENCHMARKS.md");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let head = "## HTTP (`cargo xtask bench-http`)";
        let kept = text.split(head).next().unwrap_or("").trim_end().to_string();
        let body: String = lines.iter().map(|l| format!("- {l}\n")).collect();
        std::fs::write(&path, format!("{kept}\n\n{head}\n\nOne run, {secs} s a line, on the bundled record; HTTP load from wrk.\n\n{body}"))?;
    }
    Ok(())
}

/// wrk's script: each request records a statement with a summary of its own, as a clerk.
const RECORD_LUA: &str = r#"
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) tid = tid or 0 end
function request()
  counter = counter + 1
  local body = string.format('{"doc": "wtpf-13/opinion-2", "by": ["turkey"], "stance": "support", "summary": "bench %d-%d", "at": "2013-05-14 17:00"}', tid, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer TOKEN"}, body)
end
"#;

fn init(minutes: &Path, db: &Path) -> Result<()> {
    let st = Command::new(minutes).arg("--db").arg(db).arg("init").stdout(Stdio::null()).status()?;
    if !st.success() {
        bail!("minutes init failed");
    }
    Ok(())
}

fn count(db: &Path) -> Result<u64> {
    Ok(Store::open_read_only(db)?.count()?)
}

fn wrk(args: &[&str], script: &Path, url: &str) -> Result<String> {
    let mut cmd = Command::new("wrk");
    cmd.args(args);
    if !script.as_os_str().is_empty() {
        cmd.arg(script);
    }
    let out = cmd.arg(url).output()?;
    if !out.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).to_string())
}

/// A latency of wrk's `--latency` distribution (`50%    1.23ms`), in µs.
fn latency(out: &str, pct: &str) -> Result<f64> {
    let line = out
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(pct))
        .with_context(|| format!("wrk printed no {pct} latency:\n{out}"))?;
    let v = line.split_whitespace().nth(1).context("a latency value")?;
    let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
    let n: f64 = num.parse()?;
    Ok(match unit {
        "us" => n,
        "ms" => n * 1e3,
        "s" => n * 1e6,
        other => bail!("unknown unit {other} in {line}"),
    })
}

/// The raw group-commit baseline: 64 tasks appending statements through `Writer` for `secs`.
fn raw_writer(db: &Path, secs: u64) -> Result<f64> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let store = Store::open(db)?;
        let w = Writer::spawn(store);
        let end = Instant::now() + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for k in 0..64u32 {
            let ap = w.appender();
            tasks.push(tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < end {
                    let e = Event::from_json(&format!(
                        r#"{{"id": "{}", "type": "StatementMade", "v": 1, "meeting": "wtpf-13", "document": "wtpf-13/opinion-2", "body": "wg-1", "actors": ["turkey"], "occurred": {{"from": "2013-05-14T17:00:00+02:00", "to": "2013-05-14T17:00:00+02:00"}}, "data": {{"stance": "support", "summary": "raw {k}-{n}"}}}}"#,
                        uuid::Uuid::now_v7()
                    ))?;
                    ap.append(e, None).await?;
                    n += 1;
                }
                anyhow::Ok(n)
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await??;
        }
        Ok(total as f64 / secs as f64)
    })
}

/// `Reader::state` in process, in a loop for `secs`: p50 and p99 in µs.
fn library_state(db: &Path, secs: u64) -> Result<(f64, f64)> {
    let store = Store::open_read_only(db)?;
    let now = chrono::Utc::now().fixed_offset();
    let reader = minutes_query::Reader::new(&store, now);
    let moment = minutes_query::Moment::at(Some(minutes_core::time::TimeArg::parse(AT)?));
    let end = Instant::now() + Duration::from_secs(secs);
    let mut xs = Vec::new();
    while Instant::now() < end {
        let t = Instant::now();
        let v = reader.state(DOC, &moment)?;
        std::hint::black_box(serde_json::to_string(&v)?);
        xs.push(t.elapsed().as_secs_f64() * 1e6);
    }
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let at = |p: f64| xs[((xs.len() as f64 - 1.0) * p).round() as usize];
    Ok((at(0.50), at(0.99)))
}

/// `minutes serve` on a free port, stopped when dropped.
struct Server {
    child: std::process::Child,
    base: String,
}

impl Server {
    fn start(minutes: &Path, db: &Path, work: &Path) -> Result<Self> {
        let tokens = work.join("tokens.txt");
        std::fs::write(&tokens, format!("bench {TOKEN}\n"))?;
        let mut child = Command::new(minutes)
            .arg("--db")
            .arg(db)
            .args(["serve", "--addr", "127.0.0.1:0", "--tokens"])
            .arg(&tokens)
            .stdout(Stdio::piped())
            .spawn()?;
        let mut first = String::new();
        let stdout = child.stdout.take().context("serve's stdout")?;
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first)?;
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .with_context(|| format!("serve printed no address: {first}"))?
            .trim_end_matches('/')
            .to_string();
        Ok(Self { child, base })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
