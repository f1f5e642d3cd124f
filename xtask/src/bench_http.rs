//! `cargo xtask bench-http`: `minutes serve` measured side by side with the library it serves,
//! the HTTP load from `wrk` (Debian's package), a load generator that is not the server's code.
//!
//! Three lines, measured in one run, each on a store holding the bundled record:
//! - appends: 64 concurrent HTTP clients recording statements through the server, against 64
//!   tasks appending the same kind of event through the raw group-commit `Writer` in process;
//! - state at T: one HTTP client asking `/api/state` in a loop (p50 and p99 from wrk's latency
//!   distribution, loopback included; the server answers from the record it keeps in memory),
//!   against `Reader::state` in process, snapshots built;
//! - the feed: 1,000 subscribers on `/api/feed` while 500 statements a second are recorded
//!   over HTTP; every subscriber must get every event once, in order; the delivery delay is
//!   from the moment the append was sent to the moment a subscriber read the event. The
//!   subscribers and the appender are small HTTP/1.1 clients here (tokio sockets, chunked
//!   bodies read by hand), not the server's code.

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
    // The in-process sides (the raw writer, the library's state, the feed's clients) must be
    // optimised as the server is: a debug build of this bench runs its release build.
    if cfg!(debug_assertions) {
        let st = Command::new(env!("CARGO"))
            .args(["run", "--release", "--quiet", "-p", "xtask", "--", "bench-http"])
            .args(args)
            .current_dir(root)
            .status()?;
        if !st.success() {
            bail!("the release build of bench-http failed");
        }
        return Ok(());
    }
    let mut secs = 10u64;
    let mut write = false;
    let mut only_feed = false;
    let mut only_append = false;
    let mut subscribers = SUBSCRIBERS;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--secs" => secs = it.next().context("--secs needs a value")?.parse()?,
            "--write" => write = true,
            // Profiling: the feed line alone, with this many subscribers.
            "--feed-only" => only_feed = true,
            // Profiling: the append line alone.
            "--append-only" => only_append = true,
            "--subscribers" => subscribers = it.next().context("--subscribers needs a value")?.parse()?,
            other => bail!("unknown argument '{other}'; usage: cargo xtask bench-http [--secs S] [--write] [--append-only] [--feed-only] [--subscribers N]"),
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
    if only_feed {
        println!("{}", feed_line(&minutes, &work, secs, subscribers)?);
        return Ok(());
    }
    // Appends.
    let db = work.join("append.db");
    init(&minutes, &db)?;
    let server = Server::start(&minutes, &db, &work)?;
    let script = work.join("record.lua");
    std::fs::write(&script, RECORD_LUA.replace("TOKEN", TOKEN))?;
    let before = count(&db)?;
    let (out, server_cpu, wrk_cpu) = server.record_statements(&script, secs)?;
    let appended = count(&db)? - before;
    let http_rate = appended as f64 / secs as f64;
    if out.contains("Non-2xx") {
        bail!("some HTTP appends failed:\n{out}");
    }
    // The same requests refused at the door (a token the server does not know: 401, nothing
    // written): what HTTP alone costs, wrk included, on the same cores.
    let refused = work.join("refused.lua");
    std::fs::write(&refused, RECORD_LUA.replace("TOKEN", "not-a-clerk"))?;
    // Appends wrk left in flight when it stopped settle first.
    std::thread::sleep(Duration::from_millis(500));
    let settled = count(&db)?;
    let (out, door_server, door_wrk) = server.record_statements(&refused, secs)?;
    drop(server);
    let door_rate = requests_per_sec(&out)?;
    if count(&db)? != settled {
        bail!("a refused request wrote to the store");
    }
    let db2 = work.join("raw.db");
    init(&minutes, &db2)?;
    let raw_cpu = own_cpu()?;
    let raw_rate = raw_writer(&db2, secs)?;
    let raw_cpu = own_cpu()? - raw_cpu;
    let per = |cpu: f64, rate: f64| cpu * 1e6 / (rate * secs as f64);
    let (http_us, door_us, raw_us) = (
        per(server_cpu + wrk_cpu, http_rate),
        per(door_server + door_wrk, door_rate),
        per(raw_cpu, raw_rate),
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    let append = format!(
        "append, 64 concurrent clients: through `minutes serve` (HTTP, wrk -c64) {http_rate:.0} events/s; raw group-commit Writer in process, 64 tasks {raw_rate:.0} events/s; ratio {:.2} (target at least 0.8). CPU an event: over HTTP {http_us:.0} µs (the server {:.0}, wrk {:.0}), in process {raw_us:.0} µs. The same requests refused at the door (unknown token, 401, nothing written): {door_rate:.0} requests/s, {door_us:.0} µs of CPU a request (the server {:.0}, wrk {:.0}). An HTTP append costs at least both, {:.0} µs: {cores:.0} cores give at most {:.0} events/s, {:.2} of the raw rate",
        http_rate / raw_rate,
        per(server_cpu, http_rate),
        per(wrk_cpu, http_rate),
        per(door_server, door_rate),
        per(door_wrk, door_rate),
        door_us + raw_us,
        cores * 1e6 / (door_us + raw_us),
        cores * 1e6 / (door_us + raw_us) / raw_rate,
    );
    if only_append {
        println!("{append}");
        return Ok(());
    }
    lines.push(append);

    // State at T.
    let db3 = work.join("state.db");
    init(&minutes, &db3)?;
    let st = Command::new(&minutes).arg("--db").arg(&db3).arg("snapshots").stdout(Stdio::null()).status()?;
    if !st.success() {
        bail!("minutes snapshots failed");
    }
    let server = Server::start(&minutes, &db3, &work)?;
    let query = format!("/api/state?doc={DOC}&at={}", AT.replace(' ', "%20"));
    // The answer served from memory is the library's answer (but for the snapshot warnings).
    let served: serde_json::Value = serde_json::from_str(&get_body(&server.base, &query)?)?;
    let store = Store::open_read_only(&db3)?;
    let moment = minutes_query::Moment::at(Some(minutes_core::time::TimeArg::parse(AT)?));
    let lib = serde_json::to_value(
        minutes_query::Reader::new(&store, chrono::Utc::now().fixed_offset()).state(DOC, &moment)?,
    )?;
    drop(store);
    let strip = |mut v: serde_json::Value| {
        if let Some(o) = v.as_object_mut() {
            o.remove("warnings");
        }
        v
    };
    if strip(served) != strip(lib) {
        bail!("the state served differs from the library's");
    }
    let out =
        wrk(&["-t1", "-c1", "--latency", "-d", &format!("{secs}s")], Path::new(""), &server.url(&query))?;
    if out.contains("Non-2xx") {
        bail!("some state queries failed:\n{out}");
    }
    let (h50, h99) = (latency(&out, "50%")?, latency(&out, "99%")?);
    drop(server);
    let (l50, l99) = library_state(&db3, secs)?;
    lines.push(format!(
        "state at T, one client: over HTTP p50 {h50:.0} µs, p99 {h99:.0} µs; library Reader::state with snapshots p50 {l50:.0} µs, p99 {l99:.0} µs; ratios p50 {:.2}x, p99 {:.2}x (target within 3x)",
        h50 / l50,
        h99 / l99
    ));
    // The feed.
    lines.push(feed_line(&minutes, &work, secs, subscribers)?);
    for l in &lines {
        println!("{l}");
    }
    if write {
        let path = root.join("BENCHMARKS.md");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let intro = format!("One run, {secs} s a line, on the bundled record; HTTP load from wrk (appends, state), the feed's subscribers and appender from this bench's own plain HTTP clients (`cargo xtask bench-http --write`, {}).", chrono::Utc::now().format("%-d %B %Y, %H:%M UTC"));
        let body: String = lines.iter().map(|l| format!("- {l}\n")).collect();
        std::fs::write(&path, with_http_lines(&text, &intro, &body))?;
    }
    Ok(())
}

/// `text` (BENCHMARKS.md) with the HTTP section's first paragraph and the lines after it
/// replaced by `intro` and `body`; the section's other paragraphs (their analyses) are kept. A
/// file without the section gets it at its end.
fn with_http_lines(text: &str, intro: &str, body: &str) -> String {
    let head = "## HTTP (`cargo xtask bench-http`)";
    let Some((before, section)) = text.split_once(head) else {
        return format!("{}\n\n{head}\n\n{intro}\n\n{body}", text.trim_end());
    };
    // The section's own paragraphs after the first and its lines: everything from the first
    // paragraph that is neither the intro nor a line of figures.
    let mut paragraphs = section.trim_start().split("\n\n");
    let _intro = paragraphs.next();
    let rest: Vec<&str> = paragraphs.skip_while(|p| p.starts_with("- ")).collect();
    let rest = rest.join("\n\n");
    format!("{}\n\n{head}\n\n{intro}\n\n{body}\n{}", before.trim_end(), rest.trim_start())
}

/// The body of `GET path` (HTTP/1.1, one connection), refused unless 200.
fn get_body(base: &str, path: &str) -> Result<String> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut c = std::net::TcpStream::connect(addr)?;
    write!(c, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut resp = String::new();
    c.read_to_string(&mut resp)?;
    let (head, body) = resp.split_once("\r\n\r\n").context("an HTTP answer")?;
    if !head.starts_with("HTTP/1.1 200") {
        bail!("GET {path}: {head}");
    }
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        bail!("GET {path}: a chunked answer");
    }
    Ok(body.to_string())
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

/// CPU seconds (user and system) of a process, from `/proc/PID/stat`: `own` counts the process
/// itself (fields 14 and 15), otherwise the children it has waited for (fields 16 and 17).
fn proc_cpu(pid: &str, own: bool) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command's name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').context("a /proc stat line")?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let (a, b) = if own { (11, 12) } else { (13, 14) };
    let ticks: f64 =
        f.get(a).context("utime")?.parse::<f64>()? + f.get(b).context("stime")?.parse::<f64>()?;
    // Linux reports these in USER_HZ, 100 a second on every architecture it exposes to users.
    Ok(ticks / 100.0)
}

/// This process's own CPU seconds.
fn own_cpu() -> Result<f64> {
    proc_cpu("self", true)
}

/// The CPU seconds of this process's children that have ended (wrk, once it has run).
fn children_cpu() -> Result<f64> {
    proc_cpu("self", false)
}

/// wrk's `Requests/sec:` figure.
fn requests_per_sec(out: &str) -> Result<f64> {
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("Requests/sec:"))
        .with_context(|| format!("wrk printed no rate:\n{out}"))?;
    Ok(line.split_whitespace().nth(1).context("a rate")?.parse()?)
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

    /// The server's CPU seconds so far.
    fn cpu(&self) -> Result<f64> {
        proc_cpu(&self.child.id().to_string(), true)
    }

    /// 64 wrk clients posting `script`'s statements for `secs`: wrk's report, and the CPU
    /// seconds the server and wrk spent meanwhile.
    fn record_statements(&self, script: &Path, secs: u64) -> Result<(String, f64, f64)> {
        let (server, wrk_cpu) = (self.cpu()?, children_cpu()?);
        let out = wrk(
            &["-t2", "-c64", "--timeout", "10s", "-d", &format!("{secs}s"), "-s"],
            script,
            &self.url("/api/record/statement"),
        )?;
        Ok((out, self.cpu()? - server, children_cpu()? - wrk_cpu))
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

/// How many subscribers the feed line has, and how many events a second it appends.
const SUBSCRIBERS: usize = 1000;
const RATE: u64 = 500;

/// The feed line: `SUBSCRIBERS` subscribers while `RATE` statements a second are recorded
/// over HTTP for `secs`.
fn feed_line(minutes: &Path, work: &Path, secs: u64, subscribers: usize) -> Result<String> {
    let db = work.join("feed.db");
    init(minutes, &db)?;
    let start = count(&db)?;
    let server = Server::start(minutes, &db, work)?;
    let addr = server.base.trim_start_matches("http://").to_string();
    let total = (RATE * secs) as usize;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (sent, got, mut acks) = rt.block_on(async {
        let t0 = Instant::now();
        let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(subscribers);
        let mut subs = Vec::new();
        for _ in 0..subscribers {
            let (addr, ready) = (addr.clone(), ready_tx.clone());
            subs.push(tokio::spawn(async move { subscribe(&addr, start, total, t0, ready).await }));
        }
        for _ in 0..subscribers {
            ready_rx.recv().await.context("a subscriber failed to connect")?;
        }
        // The appender: one request every 1/RATE s, each on its own connection.
        let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
        let mut posts = Vec::new();
        for n in 0..total {
            tick.tick().await;
            let addr = addr.clone();
            posts.push(tokio::spawn(async move {
                let at = t0.elapsed();
                let body = format!(
                    r#"{{"doc": "wtpf-13/opinion-2", "by": ["turkey"], "stance": "support", "summary": "feed {n}", "at": "2013-05-14 17:00"}}"#
                );
                let seq = post_record(&addr, &body).await?;
                anyhow::Ok((seq, at, t0.elapsed() - at))
            }));
        }
        let mut sent = std::collections::HashMap::new();
        let mut acks = Vec::new();
        for p in posts {
            let (seq, at, ack) = p.await??;
            sent.insert(seq, at);
            acks.push(ack.as_secs_f64() * 1e3);
        }
        let mut got = Vec::new();
        for s in subs {
            got.push(tokio::time::timeout(Duration::from_secs(120), s).await.context("a subscriber stalled")???);
        }
        anyhow::Ok((sent, got, acks))
    })?;
    drop(server);
    let want: Vec<u64> = (start + 1..=start + total as u64).collect();
    let mut delays = Vec::with_capacity(total * subscribers);
    for g in &got {
        let seqs: Vec<u64> = g.iter().map(|x| x.0).collect();
        if seqs != want {
            bail!("a subscriber did not get every event once, in order");
        }
        for (seq, at) in g {
            let from = sent.get(seq).with_context(|| format!("seq {seq} was not appended by the bench"))?;
            delays.push(at.saturating_sub(*from).as_secs_f64() * 1e3);
        }
    }
    let pct = |xs: &mut Vec<f64>, p: f64| {
        xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        xs[((xs.len() as f64 - 1.0) * p).round() as usize]
    };
    let (a50, a99) = (pct(&mut acks, 0.5), pct(&mut acks, 0.99));
    let at = |p: f64| pct(&mut delays.clone(), p);
    Ok(format!(
        "feed, {subscribers} subscribers while {RATE} events/s are recorded over HTTP for {secs} s: all {total} events reached every subscriber once, in order; delivery delay (append sent to event read) p50 {:.1} ms, p99 {:.1} ms (the append itself, sent to acknowledged: p50 {a50:.1} ms, p99 {a99:.1} ms)",
        at(0.50),
        at(0.99)
    ))
}

/// One feed subscriber: the seqs of the first `n` events after `after`, each with when it was
/// read (since `t0`). Signals `ready` once the feed has answered.
async fn subscribe(
    addr: &str,
    after: u64,
    n: usize,
    t0: Instant,
    ready: tokio::sync::mpsc::Sender<()>,
) -> Result<Vec<(u64, Duration)>> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let mut c = tokio::net::TcpStream::connect(addr).await?;
    c.write_all(
        format!("GET /api/feed?after={after} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n")
            .as_bytes(),
    )
    .await?;
    let mut r = tokio::io::BufReader::new(c);
    let mut line = String::new();
    r.read_line(&mut line).await?;
    if !line.starts_with("HTTP/1.1 200") {
        bail!("the feed answered {line}");
    }
    let mut chunked = false;
    loop {
        line.clear();
        r.read_line(&mut line).await?;
        if line.trim().is_empty() {
            break;
        }
        chunked |= line.to_ascii_lowercase().starts_with("transfer-encoding: chunked");
    }
    if !chunked {
        bail!("the feed's body is not chunked");
    }
    ready.send(()).await?;
    drop(ready);
    let (mut out, mut buf) = (Vec::with_capacity(n), Vec::<u8>::new());
    while out.len() < n {
        // One chunk: its size in hex, its bytes, CRLF.
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            bail!("the feed ended");
        }
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
            .with_context(|| format!("a chunk size: {line:?}"))?;
        let mut chunk = vec![0; size + 2];
        r.read_exact(&mut chunk).await?;
        chunk.truncate(size);
        buf.extend_from_slice(&chunk);
        let now = t0.elapsed();
        // Whole messages (ending in a blank line) out of what was read; a partial one waits.
        let mut done = 0;
        while let Some(end) = buf[done..].windows(2).position(|w| w == b"\n\n") {
            let msg = &buf[done..done + end];
            done += end + 2;
            if let Some(id) = msg.split(|b| *b == b'\n').find_map(|l| l.strip_prefix(b"id:")) {
                out.push((std::str::from_utf8(id)?.trim().parse()?, now));
            }
        }
        buf.drain(..done);
    }
    Ok(out)
}

/// Records one statement through `POST /api/record/statement` on a connection of its own:
/// the seq the server gave it.
async fn post_record(addr: &str, body: &str) -> Result<u64> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut c = tokio::net::TcpStream::connect(addr).await?;
    c.write_all(
        format!(
            "POST /api/record/statement HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await?;
    let mut resp = String::new();
    c.read_to_string(&mut resp).await?;
    let (head, json) = resp.split_once("\r\n\r\n").context("an HTTP answer")?;
    if !head.starts_with("HTTP/1.1 200") {
        bail!("an append was refused: {resp}");
    }
    let v: serde_json::Value = serde_json::from_str(json)?;
    v["seq"].as_u64().context("the answer's seq")
}

#[cfg(test)]
mod tests {
    use super::with_http_lines;

    /// A new run replaces the section's figures and keeps what was written about them.
    #[test]
    fn a_written_run_replaces_the_figures_and_keeps_the_analyses() {
        let text = "# Benchmarks\n\n## HTTP (`cargo xtask bench-http`)\n\nOne run, old.\n\n- append 0.1\n- feed old\n\nWhy it is so.\n\n### A section\n\n- a point kept\n";
        let out = with_http_lines(text, "One run, new.", "- append 0.5\n");
        assert_eq!(
            out,
            "# Benchmarks\n\n## HTTP (`cargo xtask bench-http`)\n\nOne run, new.\n\n- append 0.5\n\nWhy it is so.\n\n### A section\n\n- a point kept\n"
        );
        let fresh = with_http_lines("# Benchmarks\n", "One run.", "- a\n");
        assert_eq!(fresh, "# Benchmarks\n\n## HTTP (`cargo xtask bench-http`)\n\nOne run.\n\n- a\n");
    }
}
