//! The analysts' SQL views (`timeline`, `amendments`, `documents`): their rows are what the
//! query layer answers (corrections taken into account), an older store gets them by
//! `upgrade`, and Datasette serves each through its JSON API.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use minutes_tests::{riverton_store, TestEnv};
use serde_json::Value;

fn rows(db: &Path, sql: &str) -> Vec<Vec<Value>> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut st = conn.prepare(sql).unwrap();
    let n = st.column_count();
    st.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(x) => Value::from(x),
                rusqlite::types::ValueRef::Real(x) => Value::from(x),
                rusqlite::types::ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).to_string()),
                rusqlite::types::ValueRef::Blob(_) => Value::Null,
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Each view's rows against `ls --json`, `state --json` and `replay --json`.
fn check(env: &TestEnv, meeting: &str) {
    let db = env.db();
    let ls = env.run(&["ls", meeting, "--json"]).json();
    let docs = rows(&db, &format!("SELECT name, status, version, pending, title FROM documents WHERE meeting = '{meeting}' ORDER BY name"));
    let mut want: Vec<&Value> = ls["documents"].as_array().unwrap().iter().collect();
    want.sort_by_key(|d| d["name"].as_str().unwrap().to_string());
    assert_eq!(docs.len(), want.len(), "{meeting}");
    for (row, d) in docs.iter().zip(want) {
        assert_eq!(row[0], d["name"]);
        assert_eq!(row[1], d["status"], "{}", d["name"]);
        assert_eq!(row[2], d["version"], "{}", d["name"]);
        assert_eq!(row[3], d["pending"], "{}", d["name"]);
        assert_eq!(row[4], d["title"], "{}", d["name"]);
        // Its amendments: the state's, fate for fate.
        let name = d["name"].as_str().unwrap();
        let state = env.run(&["state", name, "--at", "2100-01-01 00:00", "--json"]).json();
        let amendments =
            rows(&db, &format!("SELECT amendment, status, proposed_by FROM amendments WHERE document = '{name}' ORDER BY proposed_from, proposal_id"));
        let mut listed: Vec<(String, String, String)> = state["amendments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["id"].as_str().unwrap().into(),
                    a["status"].as_str().unwrap().into(),
                    a["proposed_by"].to_string(),
                )
            })
            .collect();
        let mut got: Vec<(String, String, String)> = amendments
            .iter()
            .map(|r| {
                let by: Value = serde_json::from_str(r[2].as_str().unwrap()).unwrap();
                (r[0].as_str().unwrap().into(), r[1].as_str().unwrap().into(), by.to_string())
            })
            .collect();
        listed.sort();
        got.sort();
        assert_eq!(got, listed, "{name}");
    }
    // The timeline: replay's events less those a correction withdrew, by the start of their
    // window, then seq (the record's own order of events that share a start is replay's, not
    // the view's: README).
    let replay = env.run(&["replay", meeting, "--json"]);
    let events: Vec<Value> = replay.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let corrected: std::collections::BTreeSet<&str> = events
        .iter()
        .filter(|e| e["type"] == "EventCorrected")
        .filter_map(|e| e["data"]["corrects"].as_str())
        .collect();
    let mut effective: Vec<(Option<chrono::DateTime<chrono::Utc>>, i64, String)> = events
        .iter()
        .filter(|e| !corrected.contains(e["id"].as_str().unwrap()))
        .map(|e| {
            let from = e["occurred"]["from"]
                .as_str()
                .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&chrono::Utc));
            (from, e["seq"].as_i64().unwrap(), e["id"].as_str().unwrap().to_string())
        })
        .collect();
    effective.sort();
    let ids: Vec<String> = effective.into_iter().map(|(_, _, id)| id).collect();
    let timeline =
        rows(&db, &format!("SELECT id FROM timeline WHERE meeting = '{meeting}' ORDER BY replay_order"));
    let got: Vec<String> = timeline.iter().map(|r| r[0].as_str().unwrap().to_string()).collect();
    assert_eq!(got, ids, "{meeting}");
}

#[test]
fn the_views_answer_what_the_query_layer_answers() {
    let env = TestEnv::new();
    env.ok(&["init"]);
    check(&env, "wtpf-13");
    // A meeting with a corrected event: the views leave the withdrawn event out.
    let riverton = riverton_store();
    let corrected = rows(&riverton.db(), "SELECT COUNT(*) FROM events WHERE type = 'EventCorrected'");
    assert!(corrected[0][0].as_i64().unwrap() >= 1);
    check(&riverton, "example-riverton");
}

#[test]
fn an_older_store_gets_the_views_by_upgrade() {
    let env = TestEnv::new();
    let fixture = minutes_tests::root().join("tests/fixtures/logs/schema-v1.db");
    std::fs::copy(&fixture, env.db()).unwrap();
    env.ok(&["upgrade"]);
    let views = rows(&env.db(), "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name");
    assert_eq!(
        views,
        vec![vec![Value::from("amendments")], vec![Value::from("documents")], vec![Value::from("timeline")]]
    );
    let n = rows(&env.db(), "SELECT COUNT(*) FROM timeline")[0][0].as_i64().unwrap();
    assert!(n > 0);
}

/// A Datasette serving `db` on a loopback port, stopped when dropped.
struct Datasette {
    child: Child,
    port: u16,
}

impl Drop for Datasette {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.0 GET on loopback: the status line's code and the body.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    let code = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((code, body.to_string()))
}

fn datasette(db: &Path) -> Datasette {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("datasette")
        .arg("serve")
        .arg("--immutable")
        .arg(db)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("datasette runs (pip install datasette; .ci/run installs it)");
    let d = Datasette { child, port };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if get(port, "/-/versions.json").is_some_and(|(c, _)| c == 200) {
            return d;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("datasette did not answer on 127.0.0.1:{port} within 60 s");
}

#[test]
fn datasette_serves_each_view_through_its_json_api() {
    let env = TestEnv::new();
    env.ok(&["init"]);
    let db = env.db();
    let server = datasette(&db);
    let name = db.file_stem().unwrap().to_str().unwrap().to_string();
    for (view, key) in [("timeline", "id"), ("amendments", "proposal_id"), ("documents", "name")] {
        let (code, body) = get(server.port, &format!("/{name}/{view}.json?_shape=array&_size=max")).unwrap();
        assert_eq!(code, 200, "{view}: {body}");
        let got: Vec<Value> = serde_json::from_str(&body).unwrap();
        let mut got: Vec<String> = got.iter().map(|r| r[key].as_str().unwrap().to_string()).collect();
        let mut want: Vec<String> = rows(&db, &format!("SELECT {key} FROM {view}"))
            .iter()
            .map(|r| r[0].as_str().unwrap().to_string())
            .collect();
        got.sort();
        want.sort();
        assert!(!want.is_empty(), "{view}");
        assert_eq!(got, want, "{view}");
    }
}
