//! The harness of the end-to-end tests: a `TestEnv` gives each test its own temporary store,
//! pins the clock and the time zone, runs the built `minutes` binary and shows what it printed
//! in a form fit for golden files.

pub mod cluster;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The clock every test runs with (`MINUTES_NOW`).
pub const NOW: &str = "2026-01-01T00:00:00Z";

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every event of the WTPF-13 record, loaded from `events/wtpf-13/` with the record's own
/// loader as a reviewer reads the files, in file order.
pub fn record_events() -> Vec<minutes_core::event::Event> {
    let dir = root().join("events/wtpf-13");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the record's folder")
        .map(|e| e.expect("a file of the record").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.ends_with("coverage.toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "events/wtpf-13 holds no record files");
    let read_text = |p: &str| std::fs::read_to_string(dir.join(p)).ok();
    files
        .iter()
        .flat_map(|f| {
            let name = f.file_name().expect("a name").to_string_lossy().to_string();
            let src = std::fs::read_to_string(f).expect("a record file");
            minutes_core::record::load(&name, &src, &read_text).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

/// How many events the record's files hold (read once a test process), so that a test of
/// `init` checks the binary bundles every file.
pub fn record_size() -> usize {
    static SIZE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *SIZE.get_or_init(|| record_events().len())
}

/// The `minutes` binary of this build, brought up to date once per test process (so that
/// `cargo test -p minutes-tests` alone never runs a stale binary).
pub fn binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            // target/<profile>/deps/e2e-xxxx -> target/<profile>/minutes
            let exe = std::env::current_exe().expect("the test knows its own path");
            let profile_dir =
                exe.parent().and_then(Path::parent).expect("tests run from target/<profile>/deps");
            let bin = profile_dir.join(format!("minutes{}", std::env::consts::EXE_SUFFIX));
            let release = profile_dir.file_name().is_some_and(|n| n == "release");
            let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
            cmd.args(["build", "-q", "-p", "minutes-cli"]).current_dir(root());
            if release {
                cmd.arg("--release");
            }
            let ok = cmd.status().is_ok_and(|s| s.success());
            assert!(ok && bin.exists(), "could not build the minutes binary at {}", bin.display());
            bin
        })
        .clone()
}

/// What one run printed.
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// The run as a golden file shows it.
    pub fn golden(&self) -> String {
        format!("exit: {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }

    /// Standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.golden()))
    }
}

/// Which database a test's store is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file, `m.db` in the test's directory.
    Sqlite,
    /// A fresh database of the throwaway PostgreSQL cluster (see [`cluster`]).
    Postgres,
}

/// Instantiates each named test, a `fn NAME(b: Backend)` of the module, once per backend:
/// `sqlite::NAME` and `postgres::NAME`. The golden files a test asserts are the same for both.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name($crate::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name($crate::Backend::Postgres) })*
        }
    };
}

/// A private directory with a store location, for one test.
pub struct TestEnv {
    dir: tempfile::TempDir,
    /// The PostgreSQL database's URL, on that backend.
    url: Option<String>,
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl TestEnv {
    /// A new empty directory; the store `m.db` inside it does not exist yet.
    pub fn new() -> Self {
        Self::on(Backend::Sqlite)
    }

    /// A new empty directory, and a store on `backend` that does not exist yet (on
    /// PostgreSQL: an empty database, without the minutes schema that `init` makes).
    pub fn on(backend: Backend) -> Self {
        let url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(cluster::fresh_url()),
        };
        Self { dir: tempfile::tempdir().expect("a temporary directory"), url }
    }

    /// The backend of the store.
    pub fn backend(&self) -> Backend {
        if self.url.is_some() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// What the store holds, to show that a command left it as it was: the file's bytes, or
    /// every row of a PostgreSQL store's tables.
    pub fn store_bytes(&self) -> Vec<u8> {
        match &self.url {
            None => std::fs::read(self.db()).unwrap_or_default(),
            Some(url) => {
                let db = url.rsplit('/').next().unwrap_or_default();
                let mut c = cluster::Cluster::get().admin(db);
                let mut out = Vec::new();
                for table in ["minutes_meta", "events", "stream_checkpoints", "document_snapshots"] {
                    let q = format!("SELECT to_regclass('{table}') IS NOT NULL");
                    if !c.query_one(&q, &[]).map(|r| r.get::<_, bool>(0)).unwrap_or(false) {
                        continue;
                    }
                    let rows = c
                        .query(&format!("SELECT t::text FROM {table} t ORDER BY 1"), &[])
                        .expect("the table reads");
                    out.extend(format!("{table}\n").into_bytes());
                    for r in rows {
                        out.extend(r.get::<_, String>(0).into_bytes());
                        out.push(b'\n');
                    }
                }
                out
            }
        }
    }

    /// Whether the store exists (the file, or the minutes schema in the database).
    pub fn store_exists(&self) -> bool {
        match &self.url {
            None => self.db().exists(),
            Some(_) => !self.store_bytes().is_empty(),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The store's location: its path, or its PostgreSQL URL.
    pub fn db(&self) -> PathBuf {
        match &self.url {
            Some(u) => PathBuf::from(u),
            None => self.dir.path().join("m.db"),
        }
    }

    /// Writes a file in the directory and returns its path.
    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, contents).expect("the temporary directory is writable");
        p
    }

    /// Runs `minutes ARGS` on this env's store.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, None)
    }

    /// Runs `minutes ARGS` with `stdin` as standard input.
    pub fn run_with(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_bytes(args, stdin.map(str::as_bytes))
    }

    /// Runs `minutes ARGS` naming no store (no `--db`, no `MINUTES_DB`): the default
    /// `./minutes.db` of the env's directory.
    pub fn run_default(&self, args: &[&str]) -> Run {
        self.spawn(args, None, &[], false)
    }

    /// Runs `minutes ARGS` with raw bytes (not necessarily UTF-8) as standard input; a binary
    /// that stops reading early (a refused overlong input) is not an error of the harness.
    pub fn run_bytes(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        self.run_env(args, stdin, &[])
    }

    /// Runs `minutes ARGS` with raw standard input and extra environment variables (the
    /// caller's `MINUTES_CLERK` is never passed on).
    pub fn run_env(&self, args: &[&str], stdin: Option<&[u8]>, vars: &[(&str, &str)]) -> Run {
        self.spawn(args, stdin, vars, true)
    }

    /// `minutes ARGS` on this env's store, set up as every run of the harness is (the pinned
    /// clock, UTC, the env's directory, no inherited clerk), for a test that must hold the
    /// process itself: kill it midway, stream to it, run several at once.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(binary());
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("MINUTES_DB", self.db())
            .env("MINUTES_NOW", NOW)
            .env("TZ", "UTC")
            .env_remove("MINUTES_CLERK");
        cmd
    }

    fn spawn(&self, args: &[&str], stdin: Option<&[u8]>, vars: &[(&str, &str)], named: bool) -> Run {
        let mut cmd = self.command(args);
        if !named {
            cmd.env_remove("MINUTES_DB");
        }
        let mut child = cmd
            .envs(vars.iter().copied())
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the minutes binary runs");
        if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
            match pipe.write_all(bytes) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => panic!("stdin is not writable: {e}"),
            }
        }
        let out = child.wait_with_output().expect("the minutes binary finishes");
        // A PostgreSQL store is shown where a file's would be, so both backends print alike.
        let file = self.dir.path().join("m.db").display().to_string();
        let clean = |b: &[u8]| {
            let mut s = String::from_utf8_lossy(b).to_string();
            if let Some(u) = &self.url {
                s = s.replace(u.as_str(), &file);
            }
            s.replace(&self.dir.path().display().to_string(), "[TMP]")
        };
        Run { code: out.status.code().unwrap_or(-1), stdout: clean(&out.stdout), stderr: clean(&out.stderr) }
    }

    /// Runs and insists on exit 0.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "minutes {args:?} failed:\n{}", r.golden());
        r
    }
}

/// A store holding the example meeting of events/examples/harbour-board: its setup, then the
/// first `steps` of its numbered events, each appended with its expected version.
pub fn example_store(steps: usize) -> TestEnv {
    example_store_on(Backend::Sqlite, steps)
}

/// As [`example_store`], on `backend`.
pub fn example_store_on(backend: Backend, steps: usize) -> TestEnv {
    let env = TestEnv::on(backend);
    env.ok(&["init", "--empty"]);
    let dir = root().join("events/examples/harbour-board");
    let setup = dir.join("setup.toml");
    env.ok(&["import", &setup.display().to_string()]);
    for (i, step) in example_steps().iter().take(steps).enumerate() {
        let version = (i + 1).to_string();
        let r = env.run_with(&["append", "--expected-version", &version], Some(step));
        assert_eq!(r.code, 0, "{}", r.golden());
    }
    env
}

/// A store holding the example meeting of events/examples/riverton-council, recorded by its
/// `record.sh` with this binary (its ids are made fresh each time).
pub fn riverton_store() -> TestEnv {
    riverton_store_on(Backend::Sqlite)
}

/// As [`riverton_store`], on `backend`.
pub fn riverton_store_on(backend: Backend) -> TestEnv {
    let env = TestEnv::on(backend);
    let out = run_riverton_script(&env);
    assert!(out.status.success(), "record.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    env
}

/// Runs the Riverton example's `record.sh` on `env`'s store with this binary, the clock pinned
/// and no clerk set, and returns what it printed.
pub fn run_riverton_script(env: &TestEnv) -> std::process::Output {
    let script = root().join("events/examples/riverton-council/record.sh");
    Command::new("sh")
        .arg(&script)
        .current_dir(env.dir())
        .env("MINUTES", binary())
        .env("MINUTES_DB", env.db())
        .env("MINUTES_NOW", NOW)
        .env("TZ", "UTC")
        .env_remove("MINUTES_CLERK")
        .output()
        .expect("sh runs")
}

/// The example meeting's numbered events, in order, as JSON text.
pub fn example_steps() -> Vec<String> {
    let dir = root().join("events/examples/harbour-board");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files.iter().map(|f| std::fs::read_to_string(f).unwrap_or_default().trim().to_string()).collect()
}

/// Tampers with the log behind the database's guard: drops the triggers that refuse UPDATE
/// and DELETE on `events`, then runs `sql`.
pub fn tamper(db: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(db).expect("the store opens");
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS events_never_updated; DROP TRIGGER IF EXISTS events_never_deleted;",
    )
    .expect("the triggers drop");
    conn.execute_batch(sql).expect("the tampering runs");
}

/// Rewrites the log as a careful forger would: drops the update trigger, runs `forge` (an
/// UPDATE of some rows' payloads) and re-hashes the whole chain, so the chain alone still
/// holds. What catches it is an anchored head, a Merkle root or a checkpoint taken before.
pub fn rewrite_log(db: &Path, forge: &str) {
    let db = rusqlite::Connection::open(db).expect("the store opens");
    db.execute_batch("DROP TRIGGER IF EXISTS events_never_updated;").expect("the trigger drops");
    let changed = db.execute(forge, []).expect("the forgery runs");
    assert!(changed > 0, "the forgery changed no row: {forge}");
    let rows: Vec<(i64, String, i64, String)> = db
        .prepare("SELECT seq, stream, version, payload FROM events ORDER BY seq")
        .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect())
        .expect("the rows read");
    let mut prev = String::new();
    for (seq, stream, version, payload) in rows {
        let h = minutes_store::row_hash(&prev, seq as u64, &stream, version as u64, &payload);
        db.execute("UPDATE events SET hash = ?1 WHERE seq = ?2", rusqlite::params![h, seq])
            .expect("the hash is rewritten");
        prev = h;
    }
}

/// A `minutes serve` running on a store, on a free loopback port; stopped when dropped.
pub struct Served {
    child: std::process::Child,
    /// Where it listens: `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Served {
    /// A full address of the server: `base` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestEnv {
    /// Starts `minutes serve --addr 127.0.0.1:0` on this env's store with `tokens` as its
    /// tokens file, and waits for the first line, which names the address.
    pub fn serve(&self, tokens: &str) -> Served {
        let file = self.file("tokens.txt", tokens);
        let mut child = Command::new(binary())
            .args(["serve", "--addr", "127.0.0.1:0", "--tokens"])
            .arg(&file)
            .current_dir(self.dir.path())
            .env("MINUTES_DB", self.db())
            .env("MINUTES_NOW", NOW)
            .env("TZ", "UTC")
            .env_remove("MINUTES_CLERK")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("minutes serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut first = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first)
            .expect("serve prints its address");
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("the first line names the address: {first:?}"))
            .trim_end_matches('/')
            .to_string();
        Served { child, base }
    }
}
