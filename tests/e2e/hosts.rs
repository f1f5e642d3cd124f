//! Clerks across sites: the server and two clerks on hosts of their own (network namespaces
//! joined to the server's by veth pairs, made by the test as root), one clerk's link cut in the
//! middle of an append. The append is all or nothing, the other clerk goes on, and the cut
//! clerk's retry is a clean conflict (then, read again, an append).

use std::process::{Command, Stdio};

use minutes_tests::cluster::{Cluster, SUPERUSER};
use minutes_tests::{binary, example_steps, root, NOW};
use serde_json::json;

/// `ip ARGS`, which must succeed.
fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("ip (iproute2) runs");
    assert!(out.status.success(), "ip {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The namespaces and links of one test, removed when dropped (with the server's cluster).
struct Net {
    tag: String,
    cluster: Option<Cluster>,
}

impl Net {
    fn ns(&self, host: &str) -> String {
        format!("minutes-{}-{host}", self.tag)
    }

    /// The server's host and two clerks' (`c1`, `c2`), and a link from this host to the
    /// server's for the test's own connection: 10.77.N.1 on the server's side of link N
    /// (0 for this host, 1 and 2 for the clerks), 10.77.N.2 on the other.
    fn make() -> Net {
        let net = Net { tag: format!("{}", std::process::id() % 100_000), cluster: None };
        for host in ["srv", "c1", "c2"] {
            ip(&["netns", "add", &net.ns(host)]);
        }
        ip(&["netns", "exec", &net.ns("srv"), "ip", "link", "set", "lo", "up"]);
        for n in 0..3 {
            let (a, b) = (format!("m{}s{n}", net.tag), format!("m{}h{n}", net.tag));
            ip(&["link", "add", &a, "type", "veth", "peer", "name", &b]);
            ip(&["link", "set", &a, "netns", &net.ns("srv")]);
            let srv = net.ns("srv");
            ip(&["-n", &srv, "addr", "add", &format!("10.77.{n}.1/24"), "dev", &a]);
            ip(&["-n", &srv, "link", "set", &a, "up"]);
            if n > 0 {
                let clerk = net.ns(&format!("c{n}"));
                ip(&["link", "set", &b, "netns", &clerk]);
                ip(&["-n", &clerk, "addr", "add", &format!("10.77.{n}.2/24"), "dev", &b]);
                ip(&["-n", &clerk, "link", "set", &b, "up"]);
                ip(&["-n", &clerk, "link", "set", "lo", "up"]);
            } else {
                ip(&["addr", "add", "10.77.0.2/24", "dev", &b]);
                ip(&["link", "set", &b, "up"]);
            }
        }
        net
    }

    /// The clerk's end of its link, up or down.
    fn link(&self, clerk: u32, up: bool) {
        let dev = format!("m{}h{clerk}", self.tag);
        ip(&["-n", &self.ns(&format!("c{clerk}")), "link", "set", &dev, if up { "up" } else { "down" }]);
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        if let Some(c) = &self.cluster {
            c.stop();
        }
        let _ = Command::new("ip").args(["link", "del", &format!("m{}h0", self.tag)]).output();
        for host in ["srv", "c1", "c2"] {
            let _ = Command::new("ip").args(["netns", "del", &self.ns(host)]).output();
        }
    }
}

/// `minutes ARGS` run on host `ns`, on the pinned clock, with `stdin`.
fn minutes_on(ns: &str, args: &[&str], stdin: Option<&str>) -> std::process::Child {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", ns])
        .arg(binary())
        .args(args)
        .env("MINUTES_NOW", NOW)
        .env("TZ", "UTC")
        .env_remove("MINUTES_DB")
        .env_remove("MINUTES_CLERK")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("minutes runs on its host");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        std::io::Write::write_all(&mut pipe, text.as_bytes()).expect("stdin");
    }
    child
}

fn finish(child: std::process::Child) -> (i32, String, String) {
    let o = child.wait_with_output().expect("minutes finishes");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn statement(n: u32, summary: &str) -> String {
    json!({
        "id": format!("0190f3a0-0505-7000-8000-{n:012x}"),
        "type": "StatementMade", "v": 1, "meeting": "example-harbour", "document": "example-harbour/by-law-7",
        "body": "board", "actors": ["ana-ruiz"],
        "occurred": { "from": "2030-03-02T12:00:00+01:00", "to": "2030-03-02T13:00:00+01:00" },
        "source": { "file": "example", "section": "example", "quote": "a fictional statement" },
        "data": { "stance": "other", "summary": summary }
    })
    .to_string()
}

#[test]
fn clerks_on_other_hosts_and_a_link_cut_midway_through_an_append() {
    let mut net = Net::make();
    let cluster = Cluster::start_on(Some(&net.ns("srv")), "*", Some("10.77.0.0/16"));
    let port = cluster.port;
    net.cluster = Some(cluster);
    let db = "minutes";
    let url = |link: u32| format!("postgres://{SUPERUSER}@10.77.{link}.1:{port}/{db}");
    let mut admin = postgres::Config::new()
        .host("10.77.0.1")
        .port(port)
        .user(SUPERUSER)
        .dbname("postgres")
        .connect(postgres::NoTls)
        .expect("the server answers from its host");
    admin.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    // Clerk 1 makes the store from its host; clerk 2 records the first step from its own.
    let (c1, c2) = (net.ns("c1"), net.ns("c2"));
    let setup = root().join("events/examples/harbour-board/setup.toml").display().to_string();
    for args in [vec!["--db", &url(1), "init", "--empty"], vec!["--db", &url(1), "import", &setup]] {
        let (code, _, err) = finish(minutes_on(&c1, &args, None));
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let (code, _, err) = finish(minutes_on(
        &c2,
        &["--db", &url(2), "append", "--expected-version", "1"],
        Some(&example_steps()[0]),
    ));
    assert_eq!(code, 0, "{err}");
    let connect = || {
        postgres::Config::new()
            .host("10.77.0.1")
            .port(port)
            .user(SUPERUSER)
            .dbname(db)
            .connect(postgres::NoTls)
            .unwrap()
    };
    let head =
        || -> i64 { connect().query_one("SELECT COALESCE(MAX(seq), 0) FROM events", &[]).unwrap().get(0) };
    let before = head();
    // The test holds the chain's lock, so clerk 1's append stops midway, inside its
    // transaction, waiting; then clerk 1's link is cut and the lock let go.
    let mut holder = postgres::Config::new()
        .host("10.77.0.1")
        .port(port)
        .user(SUPERUSER)
        .dbname(db)
        .connect(postgres::NoTls)
        .unwrap();
    holder.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(1296649813)").unwrap();
    let cut = minutes_on(
        &c1,
        &["--db", &url(1), "append", "--expected-version", "2"],
        Some(&statement(1, "clerk 1")),
    );
    // Until the append is waiting on the lock inside the server.
    let waiting = |h: &mut postgres::Client| -> i64 {
        h.query_one("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", &[])
            .unwrap()
            .get(0)
    };
    let mut polls = 0;
    while waiting(&mut admin) == 0 {
        polls += 1;
        assert!(polls < 10_000, "clerk 1's append never reached the server");
        std::thread::yield_now();
    }
    net.link(1, false);
    holder.batch_execute("COMMIT").unwrap();
    // Clerk 2, whose link holds, appends to the same stream version and wins it (once the
    // server has ended the cut clerk's session: busy, exit 3, until then).
    let mut attempts = 0;
    loop {
        let (code, out, err) = finish(minutes_on(
            &c2,
            &["--db", &url(2), "append", "--expected-version", "2"],
            Some(&statement(2, "clerk 2")),
        ));
        if code == 0 {
            assert!(!out.is_empty());
            break;
        }
        assert_eq!(code, 3, "busy while the cut session holds the lock, nothing else: {err}");
        attempts += 1;
        assert!(attempts < 20, "the cut clerk's session never let go of the lock: {err}");
    }
    // The cut clerk's command fails (it cannot know whether its commit happened) ...
    let (code, _, err) = finish(cut);
    assert_ne!(code, 0, "the cut append reported success: {err}");
    // ... and nothing of it is in the log: all or nothing.
    let mut check = postgres::Config::new()
        .host("10.77.0.1")
        .port(port)
        .user(SUPERUSER)
        .dbname(db)
        .connect(postgres::NoTls)
        .unwrap();
    let mine: i64 =
        check.query_one("SELECT count(*) FROM events WHERE payload LIKE '%clerk 1%'", &[]).unwrap().get(0);
    assert_eq!(mine, 0, "half of the cut append is in the log");
    assert_eq!(head(), before + 1, "only clerk 2's event went in");
    // The link comes back: the retry is a clean conflict (clerk 2 took version 3) ...
    net.link(1, true);
    let (code, _, err) = finish(minutes_on(
        &c1,
        &["--db", &url(1), "append", "--expected-version", "2"],
        Some(&statement(1, "clerk 1")),
    ));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("is at version 3, not 2"), "{err}");
    // ... and, read again, an append; its retry then a no-op.
    for _ in 0..2 {
        let (code, out, err) = finish(minutes_on(
            &c1,
            &["--db", &url(1), "append", "--expected-version", "3", "--json"],
            Some(&statement(1, "clerk 1")),
        ));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("\"seq\""), "{out}");
    }
    let (code, out, err) = finish(minutes_on(&c2, &["--db", &url(2), "verify", "--json"], None));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["ok"].as_bool(), v["events"].as_i64()), (Some(true), Some(before + 2)));
}
