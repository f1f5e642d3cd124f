//! A throwaway PostgreSQL cluster for the tests: `initdb` into a temporary directory, `pg_ctl
//! start` on a free loopback port with its socket in that directory, one database per test,
//! and a watcher process that stops the cluster and removes the directory once the test
//! process is gone. The server's binaries are found by `pg_config --bindir`, else in Debian's
//! layout (`/usr/lib/postgresql/VERSION/bin`), else on `PATH`. A test that needs PostgreSQL and
//! cannot start it fails, naming what is missing.
//!
//! `initdb` refuses to run as root: as root, the cluster is made and run as the `postgres`
//! system user that Debian's package creates (through `runuser`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The superuser of the throwaway cluster.
pub const SUPERUSER: &str = "minutes_admin";

/// A running cluster.
pub struct Cluster {
    /// Its loopback port.
    pub port: u16,
    /// Its directory (data, socket, log).
    pub dir: PathBuf,
    /// The directory of the server's binaries.
    pub bin: PathBuf,
}

/// Where the server's binaries are: `pg_config --bindir`, else the newest of Debian's
/// `/usr/lib/postgresql/*/bin`, else the directory of `initdb` on `PATH`.
pub fn bindir() -> Option<PathBuf> {
    let has_initdb = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_initdb(&d) {
            return Some(d);
        }
    }
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path().join("bin")).filter(|d| has_initdb(d)).collect())
        .unwrap_or_default();
    debian.sort_by_key(|d| {
        d.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok())
    });
    if let Some(d) = debian.pop() {
        return Some(d);
    }
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| has_initdb(d))
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A command run as the cluster's owner: as root, the `postgres` system user.
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn run(mut c: Command, what: &str) {
    let out = c.output().unwrap_or_else(|e| panic!("{what} cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Cluster {
    /// The cluster of this test process, started on first use.
    pub fn get() -> &'static Cluster {
        static CLUSTER: OnceLock<Cluster> = OnceLock::new();
        CLUSTER.get_or_init(Cluster::start)
    }

    fn start() -> Cluster {
        Cluster::start_on(None, "127.0.0.1", None)
    }

    /// A cluster of its own: run inside the network namespace `netns` (as `ip netns exec`
    /// does) when given, listening on `listen`, its `pg_hba.conf` also trusting `trust` (a
    /// CIDR) when given. Stopped and removed when this process ends, or by [`Cluster::stop`].
    pub fn start_on(netns: Option<&str>, listen: &str, trust: Option<&str>) -> Cluster {
        let bin = bindir().expect(
            "PostgreSQL's server binaries (initdb, pg_ctl) are not installed: install Debian's postgresql package (.ci/run does)",
        );
        let dir = std::env::temp_dir().join(format!("minutes-pg-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).expect("the cluster's directory");
        if is_root() {
            let mut c = Command::new("chown");
            c.args(["postgres:postgres"]).arg(&dir);
            run(c, "chown of the cluster's directory to the postgres user");
        }
        let data = dir.join("data");
        let mut init = as_owner(&bin.join("initdb"));
        init.arg("-D").arg(&data).args([
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        run(init, "initdb");
        if let Some(cidr) = trust {
            let hba = data.join("pg_hba.conf");
            let mut text = std::fs::read_to_string(&hba).expect("pg_hba.conf reads");
            text.push_str(&format!("host all all {cidr} trust\n"));
            std::fs::write(&hba, text).expect("pg_hba.conf is written");
        }
        let port = free_port();
        let ctl_path = bin.join("pg_ctl");
        let mut ctl = match netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]);
                if is_root() {
                    c.args(["runuser", "-u", "postgres", "--"]);
                }
                c.arg(&ctl_path);
                c
            }
            None => as_owner(&ctl_path),
        };
        ctl.arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .arg("-w")
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses={listen} -c max_connections=200",
                dir.display()
            ))
            .arg("start");
        run(ctl, "pg_ctl start");
        // Stops the cluster and removes its directory once this process is gone.
        let watcher = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {owner}'{ctl}' -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            owner = if is_root() { "runuser -u postgres -- " } else { "" },
            ctl = ctl_path.display(),
            data = data.display(),
            dir = dir.display(),
        );
        // Started in the background by a shell that exits at once, so the watcher outlives
        // nothing of this process but its own loop.
        let started = Command::new("sh")
            .args(["-c", &format!("({watcher}) </dev/null >/dev/null 2>&1 &")])
            .status()
            .expect("the cluster's watcher starts");
        assert!(started.success(), "the cluster's watcher starts");
        Cluster { port, dir, bin }
    }

    /// Stops the cluster now and removes its directory.
    pub fn stop(&self) {
        let mut ctl = as_owner(&self.bin.join("pg_ctl"));
        ctl.arg("-D").arg(self.dir.join("data")).args(["-m", "immediate", "stop"]);
        let _ = ctl.output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// A superuser connection to the database `db`.
    pub fn admin(&self, db: &str) -> postgres::Client {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user(SUPERUSER)
            .dbname(db)
            .connect(postgres::NoTls)
            .unwrap_or_else(|e| panic!("the cluster accepts connections: {e}"))
    }

    /// A new, empty database, its name.
    pub fn database(&self) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!("t{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        self.admin("postgres")
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a database is created");
        name
    }

    /// The URL of a database, as the superuser.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{db}", self.port)
    }

    /// The URL of a database as another user.
    pub fn url_as(&self, user: &str, db: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/{db}", self.port)
    }
}

/// A fresh database on the test cluster: its URL.
pub fn fresh_url() -> String {
    let c = Cluster::get();
    c.url(&c.database())
}
