//! `minutes serve`: the HTTP API over real sockets: writes need a clerk's token and write
//! nothing without one, statuses keep the command line's meanings, and the live feed gives
//! every committed event once, in order, whoever wrote it (two HTTP clients and a third process
//! running `minutes record`), resuming after `Last-Event-ID` without loss.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::time::Duration;

use minutes_tests::{root, Backend, Served, TestEnv};
use serde_json::{json, Value};

// The live feed sees every writer once, in order, on a file and on a PostgreSQL database alike
// (there the store's head seq, which every commit moves, tells the watcher something changed).
minutes_tests::both!(one_feed_client_sees_two_http_writers_and_a_third_process_once_each_in_order);

const TOKENS: &str = "# two clerks\nAna Ruiz ana-secret-token-0001\ndesk-2 sha256:SHA\n";
const ANA: &str = "ana-secret-token-0001";
const DESK: &str = "desk-two-secret-token-02";

/// A store holding the harbour example's setup and its draft taken up, served.
fn harbour() -> (TestEnv, Served) {
    harbour_on(Backend::Sqlite)
}

/// As [`harbour`], on `b`.
fn harbour_on(b: Backend) -> (TestEnv, Served) {
    let env = TestEnv::on(b);
    env.ok(&["init", "--empty"]);
    let dir = root().join("events/examples/harbour-board");
    env.ok(&["import", &dir.join("setup.toml").display().to_string()]);
    let taken = std::fs::read_to_string(dir.join("1-taken-up.json")).unwrap();
    let r = env.run_with(&["append"], Some(&taken));
    assert_eq!(r.code, 0, "{}", r.golden());
    let tokens = TOKENS.replace("SHA", &sha256_hex(DESK));
    let served = env.serve(&tokens);
    (env, served)
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().timeout_read(Duration::from_secs(30)).build()
}

/// POSTs JSON with an optional bearer token: (status, body, Minutes-Seq).
fn post(s: &Served, path: &str, token: Option<&str>, body: &Value) -> (u16, Value, Option<u64>) {
    let mut req = agent().post(&s.url(path)).set("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let resp = match req.send_string(&body.to_string()) {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("POST {path}: {e}"),
    };
    let status = resp.status();
    let seq = resp.header("Minutes-Seq").and_then(|v| v.parse().ok());
    let text = resp.into_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)), seq)
}

fn get(s: &Served, path: &str) -> (u16, Value, Option<u64>) {
    let resp = match agent().get(&s.url(path)).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {path}: {e}"),
    };
    let status = resp.status();
    let seq = resp.header("Minutes-Seq").and_then(|v| v.parse().ok());
    (status, serde_json::from_str(&resp.into_string().unwrap()).unwrap(), seq)
}

/// Announces a body of 2 MiB and sends none of it: the status line of the answer.
fn oversized(s: &Served) -> u16 {
    use std::io::{Read, Write};
    let addr = s.base.trim_start_matches("http://");
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        c,
        "POST /api/record/statement HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {ANA}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        2 << 20
    )
    .unwrap();
    let mut head = [0u8; 12];
    c.read_exact(&mut head).unwrap();
    String::from_utf8_lossy(&head[9..12]).parse().unwrap()
}

fn count(env: &TestEnv) -> u64 {
    env.ok(&["verify", "--json"]).json()["events"].as_u64().unwrap()
}

fn statement(n: usize, who: &str) -> Value {
    json!({ "doc": "example-harbour/by-law-7", "by": ["ana-ruiz"], "stance": "support",
            "summary": format!("statement {n} by {who}"), "at": "2030-03-02 10:10" })
}

/// One feed client: the events it was sent, as (seq, event), until it has `n` or `limit` passes.
fn read_feed(s: &Served, query: &str, last_event_id: Option<u64>, n: usize) -> Vec<(u64, Value)> {
    let mut req = agent().get(&s.url(&format!("/api/feed{query}")));
    if let Some(id) = last_event_id {
        req = req.set("Last-Event-ID", &id.to_string());
    }
    let resp = req.call().expect("the feed answers");
    assert_eq!(resp.header("Content-Type"), Some("text/event-stream"));
    let mut lines = BufReader::new(resp.into_reader()).lines();
    let (mut out, mut id, mut data) = (Vec::new(), None, String::new());
    while out.len() < n {
        let line = lines.next().expect("the feed goes on").expect("the feed reads");
        if let Some(v) = line.strip_prefix("id:") {
            id = Some(v.trim().parse::<u64>().unwrap());
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.trim_start());
        } else if line.is_empty() && !data.is_empty() {
            let e: Value = serde_json::from_str(&data).unwrap();
            let seq = id.take().expect("every message has an id");
            assert_eq!(e["seq"].as_u64(), Some(seq), "id: is the event's seq");
            out.push((seq, e));
            data.clear();
        }
    }
    out
}

#[test]
fn a_write_without_a_valid_token_is_refused_and_writes_nothing() {
    let (env, s) = harbour();
    let before = count(&env);
    let body = statement(1, "nobody");
    for token in [None, Some("wrong-token-wrong-token"), Some("")] {
        let (status, v, _) = post(&s, "/api/record/statement", token, &body);
        assert_eq!(status, 401, "{token:?}: {v}");
        assert!(v["error"].as_str().unwrap().contains("Bearer"), "{v}");
    }
    let event =
        std::fs::read_to_string(root().join("events/examples/harbour-board/2-amendment-proposed.json"))
            .unwrap();
    let ev: Value = serde_json::from_str(&event).unwrap();
    let (status, _, _) = post(&s, "/api/events", None, &ev);
    assert_eq!(status, 401);
    assert_eq!(count(&env), before, "nothing was written");
    // With a token, the same write is made, and the token's clerk recorded it.
    let (status, v, seq) = post(&s, "/api/record/statement", Some(DESK), &body);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["seq"].as_u64(), seq, "the answer says the seq it reflects");
    let (status, v, _) = post(&s, "/api/events", Some(ANA), &ev);
    assert_eq!(status, 200, "{v}");
    assert_eq!(count(&env), before + 2);
    let replay = env.ok(&["replay", "example-harbour", "--json"]).stdout;
    let clerks: Vec<Value> =
        replay.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["recorded_by"].clone()).collect();
    assert_eq!(clerks[clerks.len() - 2..], [json!("desk-2"), json!("Ana Ruiz")]);
    // Reads are open, and say the seq they reflect.
    let (status, st, seq) = get(&s, "/api/state?doc=HB-2030/7&at=2030-03-02%2012:00");
    assert_eq!(status, 200);
    assert_eq!(st["document"], "example-harbour/by-law-7");
    assert_eq!(seq, Some(before + 2));
}

#[test]
fn statuses_keep_the_command_lines_meanings_and_messages() {
    let (env, s) = harbour();
    // Refused by the rules: 400 with the very message `minutes record` prints.
    // (The same event id both ways, since the message names the event.)
    let id = "0190f3a0-0000-7000-8000-0000000a0001";
    let cli = env.run(&[
        "record",
        "accept",
        "no-such-amendment",
        "--doc",
        "example-harbour/by-law-7",
        "--at",
        "2030-03-02 10:30",
        "--id",
        id,
    ]);
    assert_eq!(cli.code, 1, "{}", cli.golden());
    let (status, v, _) = post(
        &s,
        "/api/record/accept",
        Some(ANA),
        &json!({ "amendment": "no-such-amendment", "doc": "example-harbour/by-law-7", "at": "2030-03-02 10:30", "id": id }),
    );
    assert_eq!(status, 400, "{v}");
    assert_eq!(format!("minutes: {}\n", v["error"].as_str().unwrap()), cli.stderr);
    // A stale expected version: 409, nothing written.
    let before = count(&env);
    let mut body = statement(2, "late");
    body["expected_version"] = json!(1);
    let (status, v, _) = post(&s, "/api/record/statement", Some(ANA), &body);
    assert_eq!(status, 409, "{v}");
    assert!(v["error"].as_str().unwrap().contains("not 1"), "{v}");
    assert_eq!(count(&env), before);
    // A bad time and an unknown verb are refused, a body over 1 MiB too.
    let (status, v, _) = get(&s, "/api/state?doc=example-harbour/by-law-7&at=tomorrow");
    assert_eq!(status, 400);
    assert!(v["error"].as_str().unwrap().contains("YYYY-MM-DD HH:MM"), "{v}");
    let (status, _, _) = post(&s, "/api/record/dance", Some(ANA), &json!({}));
    assert_eq!(status, 400);
    assert_eq!(oversized(&s), 413, "a body over 1 MiB is refused before it is read");
    assert_eq!(count(&env), before);
}

fn one_feed_client_sees_two_http_writers_and_a_third_process_once_each_in_order(b: Backend) {
    let (env, s) = harbour_on(b);
    let (_, head, _) = get(&s, "/api/head");
    let start = head["seq"].as_u64().unwrap();
    const EACH: usize = 12;
    const CLI: usize = 6;
    let total = 2 * EACH + CLI;
    std::thread::scope(|scope| {
        let feed = scope.spawn(|| read_feed(&s, &format!("?after={start}"), None, total));
        // Let the feed connect first; it would catch up from the store anyway.
        std::thread::sleep(Duration::from_millis(200));
        let writers: Vec<_> = [ANA, DESK]
            .into_iter()
            .map(|token| {
                let s = &s;
                scope.spawn(move || {
                    (0..EACH)
                        .map(|i| {
                            let (status, v, _) =
                                post(s, "/api/record/statement", Some(token), &statement(i, token));
                            assert_eq!(status, 200, "{v}");
                            v["id"].as_str().unwrap().to_string()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let cli = scope.spawn(|| {
            (0..CLI)
                .map(|i| {
                    let r = env.ok(&[
                        "record",
                        "statement",
                        "--doc",
                        "example-harbour/by-law-7",
                        "--by",
                        "ben-okafor",
                        "--summary",
                        &format!("from a shell {i}"),
                        "--at",
                        "2030-03-02 10:11",
                        "--json",
                    ]);
                    r.json()["id"].as_str().unwrap().to_string()
                })
                .collect::<Vec<_>>()
        });
        let mut written: HashSet<String> = HashSet::new();
        for w in writers {
            written.extend(w.join().unwrap());
        }
        written.extend(cli.join().unwrap());
        assert_eq!(written.len(), total);
        let got = feed.join().unwrap();
        let seqs: Vec<u64> = got.iter().map(|(q, _)| *q).collect();
        let want: Vec<u64> = (start + 1..=start + total as u64).collect();
        assert_eq!(seqs, want, "every event once, in log order");
        let ids: HashSet<String> = got.iter().map(|(_, e)| e["id"].as_str().unwrap().to_string()).collect();
        assert_eq!(ids, written, "the feed's events are the ones written");
        let shell = got.iter().filter(|(_, e)| e["recorded_by"].is_null()).count();
        assert_eq!(shell, CLI, "the shell's events came through the store, not the server");
    });
}

#[test]
fn a_client_that_reconnects_with_last_event_id_misses_nothing() {
    let (_env, s) = harbour();
    let (_, head, _) = get(&s, "/api/head");
    let start = head["seq"].as_u64().unwrap();
    for i in 0..5 {
        assert_eq!(post(&s, "/api/record/statement", Some(ANA), &statement(i, "first")).0, 200);
    }
    // The first connection reads three and drops.
    let first = read_feed(&s, &format!("?after={start}"), None, 3);
    let last = first.last().unwrap().0;
    // More is written while it is away.
    for i in 0..4 {
        assert_eq!(post(&s, "/api/record/statement", Some(ANA), &statement(i, "away")).0, 200);
    }
    // It reconnects: the header wins over a stale ?after= and it gets the rest once each.
    let rest = read_feed(&s, &format!("?after={start}"), Some(last), 6);
    let seqs: Vec<u64> = first.iter().chain(rest.iter()).map(|(q, _)| *q).collect();
    assert_eq!(seqs, (start + 1..=start + 9).collect::<Vec<_>>());
}

#[test]
fn serve_binds_loopback_only_without_tls_and_describes_its_api() {
    let env = TestEnv::new();
    env.ok(&["init", "--empty"]);
    let r = env.run(&["serve", "--addr", "0.0.0.0:0"]);
    assert_eq!(r.code, 2, "{}", r.golden());
    assert!(r.stderr.contains("not a loopback address"), "{}", r.golden());
    let missing = TestEnv::new();
    let r = missing.run(&["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(r.code, 4, "a missing store is named, none created: {}", r.golden());
    assert!(!missing.db().exists());
    let s = env.serve("");
    let (status, doc, _) = get(&s, "/api/openapi.json");
    assert_eq!(status, 200);
    let feed = &doc["paths"]["/api/feed"]["get"]["responses"]["200"]["content"];
    assert!(feed.get("text/event-stream").is_some(), "the feed is the text/event-stream operation: {feed}");
    for op in ["/api/events", "/api/record/{verb}"] {
        assert!(doc["paths"][op]["post"]["responses"]["401"].is_object(), "{op} answers 401");
    }
    let page = agent().get(&s.url("/")).call().unwrap().into_string().unwrap();
    assert!(page.contains("<script src=\"/app.js\""), "the page is served at /");
}
