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

/// The Riverton council's `record.sh`, verb by verb, as HTTP requests: each verb's JSON fields
/// are its flags' names (a positional argument has a field of its own), so the same meeting
/// is recorded through `POST /api/record/VERB`.
fn riverton_over_http(dir: &std::path::Path) -> Vec<(&'static str, &'static str, Value)> {
    let text = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let d = "example-riverton/res-12";
    let r13 = "example-riverton/res-13";
    let at = |t: &str| format!("2031-06-10 {t}");
    let (ross, brennan) = ("ross-token-0000000001", "brennan-token-00000002");
    let mut v: Vec<(&str, &str, Value)> = vec![(
        ross,
        "declare",
        json!({"meeting": "example-riverton", "title": "Riverton City Council, June meeting (fictional example)",
               "venue": "Riverton town hall", "zone": "Europe/Dublin", "first_day": "2031-06-10", "last_day": "2031-06-10",
               "bodies": [{"id": "council", "name": "City Council"}, {"id": "finance", "name": "Finance Committee"}],
               "at": "2031-05-01 09:00", "note": "EXAMPLE ONLY: a fictional meeting"}),
    )];
    for (id, name) in [
        ("mayor-lind", "Mayor Ida Lind"),
        ("clr-osei", "Councillor Kofi Osei"),
        ("clr-park", "Councillor Jin Park"),
        ("clr-varga", "Councillor Eva Varga"),
    ] {
        v.push((
            ross,
            "actor",
            json!({"actor": id, "name": name, "kind": "person", "phase": "preparatory", "at": "2031-06-09 12:00"}),
        ));
    }
    let steps = [
        (
            "actor",
            json!({"actor": "clerk-office", "name": "Office of the City Clerk", "kind": "organisation", "phase": "preparatory", "at": "2031-06-09 12:00"}),
        ),
        (
            "table",
            json!({"doc": "example-riverton/note-1", "kind": "information_document", "title": "Tree species list", "by": ["clerk-office"], "at": at("09:00")}),
        ),
        (
            "table",
            json!({"doc": d, "title": "Street trees on Mill Road", "symbol": "RCC/2031/12", "text": text("res-12.txt"), "by": ["mayor-lind"], "body": "council", "at": at("09:00")}),
        ),
        (
            "table",
            json!({"doc": r13, "title": "Benches on Mill Road", "symbol": "RCC/2031/13", "text": text("res-13.txt"), "by": ["clr-varga"], "body": "council", "at": at("09:00")}),
        ),
        ("open-meeting", json!({"body": "council", "at": at("09:30")})),
        (
            "attendance",
            json!({"body": "council", "summary": "5 members present", "delegates": 5, "at": at("09:30"), "id": "01a2f000-0000-7000-8000-000000000001"}),
        ),
        (
            "body",
            json!({"new_body": "tree-party", "name": "Tree Working Party", "by_body": "council", "at": at("09:40")}),
        ),
        ("refer-doc", json!({"doc": d, "body": "finance", "at": at("09:45")})),
        ("refer-doc", json!({"doc": r13, "body": "finance", "at": at("09:45")})),
        ("open-session", json!({"body": "finance", "at": at("10:00")})),
        ("elect", json!({"actor": "clr-park", "role": "chairman", "body": "finance", "at": at("10:01")})),
        ("take-up", json!({"doc": d, "body": "finance", "order": 1, "at": at("10:05")})),
        (
            "statement",
            json!({"by": ["clr-varga"], "doc": d, "stance": "support", "summary": "supported more trees", "at": at("10:08")}),
        ),
        (
            "propose",
            json!({"doc": d, "by": ["clr-osei"], "amendment": "sixty-trees", "ops": [{"clause": "resolves/1", "replace": "forty", "with": "sixty"}], "summary": "plant sixty trees instead of forty", "at": at("10:10")}),
        ),
        (
            "propose",
            json!({"doc": d, "by": ["clr-varga"], "ops": [{"clause": "resolves/1", "replace": "forty trees", "with": "fifty oak trees"}], "at": at("10:12")}),
        ),
        (
            "propose",
            json!({"doc": d, "by": ["clr-park"], "ops": [{"insert_clause": "resolves:2", "key": "2a", "label": "2 bis)", "words": "to seek a grant for the planting;"}, {"clause": "resolves/1", "insert": "native", "before": "trees"}], "at": at("10:14")}),
        ),
        (
            "propose",
            json!({"doc": d, "by": ["clr-osei"], "unworded": true, "summary": "a change to the watering clause", "at": at("10:16")}),
        ),
        (
            "procedural",
            json!({"proposal": "merge-12-13", "summary": "merge Resolutions 12 and 13", "docs": [d, r13], "by": ["clr-varga"], "body": "finance", "at": at("10:18")}),
        ),
        (
            "withdraw-procedural",
            json!({"proposal": "merge-12-13", "by": ["clr-varga"], "body": "finance", "at": at("10:20")}),
        ),
        ("accept", json!({"amendment": "sixty-trees", "decided_by": "vote", "at": at("10:25")})),
        ("reject", json!({"amendment": "res-12-amendment-2", "decided_by": "vote", "at": at("10:26")})),
        ("accept", json!({"amendment": "res-12-amendment-3", "at": at("10:27")})),
        ("withdraw", json!({"amendment": "res-12-amendment-4", "by": ["clr-osei"], "at": at("10:28")})),
        ("suspend", json!({"body": "finance", "duration_minutes": 15, "at": at("10:30")})),
        ("resume", json!({"body": "finance", "at": at("10:45")})),
        (
            "propose",
            json!({"doc": d, "by": ["clr-varga"], "ops": [{"clause": "considering/b", "delete": "summer"}], "at": at("10:50")}),
        ),
        ("refer", json!({"amendment": "res-12-amendment-5", "at": at("10:52")})),
        (
            "endorse",
            json!({"doc": d, "body": "finance", "submitted_to": "council", "from": at("11:00"), "to": at("11:10")}),
        ),
        ("take-up", json!({"doc": r13, "body": "finance", "order": 2, "at": at("11:15")})),
        (
            "revise",
            json!({"doc": r13, "symbol": "RCC/2031/13 rev. 1", "text": text("res-13-rev1.txt"), "by": ["clr-varga"], "at": at("11:20")}),
        ),
        ("not-endorse", json!({"doc": r13, "body": "finance", "at": at("11:30")})),
        (
            "withdraw-doc",
            json!({"doc": "example-riverton/note-1", "by": ["clerk-office"], "at": at("11:35")}),
        ),
        ("close-session", json!({"body": "finance", "at": at("11:40")})),
    ];
    v.extend(steps.into_iter().map(|(verb, b)| (ross, verb, b)));
    let afternoon = [
        (
            "correct",
            json!({"event": "01a2f000-0000-7000-8000-000000000001", "reason": "six members were present, not five", "by": ["clerk-office"], "at": at("14:00")}),
        ),
        (
            "attendance",
            json!({"body": "council", "summary": "6 members present", "delegates": 6, "at": at("09:30")}),
        ),
        ("adopt", json!({"doc": d, "from": at("15:00"), "to": at("16:00")})),
        ("close-meeting", json!({"body": "council", "at": at("17:00")})),
    ];
    v.extend(afternoon.into_iter().map(|(verb, b)| (brennan, verb, b)));
    v
}

/// The whole-clause and section operations, which the script does not use: the same proposal
/// by the command line's flags and by the API's fields, on a draft of its own.
const CLAUSE_OPS_CLI: &[&str] = &[
    "record",
    "propose",
    "--doc",
    "example-riverton/res-14",
    "--by",
    "clr-park",
    "--amendment",
    "reshape",
    "--replace-clause",
    "resolves/2",
    "--label",
    "2)",
    "--words",
    "to fund the planting from the trees budget;",
    "--delete-clause",
    "resolves/3",
    "--insert-section",
    "resolves",
    "--heading",
    "requests",
    "--label",
    "a)",
    "--words",
    "the clerk to report;",
    "--words",
    "the parks office to help.",
    "--delete-section",
    "considering",
    "--insert-clause",
    "resolves:^",
    "--label",
    "0)",
    "--words",
    "to thank the residents;",
    "--at",
    "2031-06-10 12:05",
];

fn clause_ops_http() -> Value {
    json!({"doc": "example-riverton/res-14", "by": ["clr-park"], "amendment": "reshape", "at": "2031-06-10 12:05", "ops": [
        {"replace_clause": "resolves/2", "label": "2)", "words": "to fund the planting from the trees budget;"},
        {"delete_clause": "resolves/3"},
        {"insert_section": "resolves", "heading": "requests", "clauses": [{"label": "a)", "words": "the clerk to report;"}, {"words": "the parks office to help."}]},
        {"delete_section": "considering"},
        {"insert_clause": "resolves:^", "label": "0)", "words": "to thank the residents;"}
    ]})
}

/// The events of a replay as comparable values: without what differs between two stores
/// recording the same thing (ids made at random, the hash chain).
fn comparable(replay: &str) -> Vec<Value> {
    replay
        .lines()
        .map(|l| {
            let mut e: Value = serde_json::from_str(l).unwrap();
            let o = e.as_object_mut().unwrap();
            for k in ["id", "hash", "prev_hash"] {
                o.remove(k);
            }
            e
        })
        .collect()
}

#[test]
fn every_recording_verb_over_http_records_what_minutes_record_does() {
    let dir = root().join("events/examples/riverton-council");
    // The command line: the council's script, then the clause and section operations.
    let cli = TestEnv::new();
    let out = std::process::Command::new("sh")
        .arg(dir.join("record.sh"))
        .current_dir(cli.dir())
        .env("MINUTES", minutes_tests::binary())
        .env("MINUTES_DB", cli.db())
        .env("MINUTES_NOW", minutes_tests::NOW)
        .env_remove("MINUTES_CLERK")
        .output()
        .unwrap();
    assert!(out.status.success(), "record.sh: {}", String::from_utf8_lossy(&out.stderr));
    let text = dir.join("res-12.txt").display().to_string();
    let table14 = [
        "record",
        "table",
        "example-riverton/res-14",
        "--title",
        "Trees again",
        "--text",
        &text,
        "--body",
        "finance",
        "--at",
        "2031-06-10 12:00",
    ];
    cli.ok(&[&table14[..], &["--clerk", "T. Brennan"]].concat());
    cli.ok(&[CLAUSE_OPS_CLI, &["--clerk", "T. Brennan"]].concat());
    cli.ok(&["record", "accept", "reshape", "--at", "2031-06-10 12:10", "--clerk", "T. Brennan"]);

    // The API, with the script's two clerks' tokens.
    let env = TestEnv::new();
    env.ok(&["init", "--empty"]);
    let s = env.serve("M. Ross ross-token-0000000001\nT. Brennan brennan-token-00000002\n");
    let brennan = "brennan-token-00000002";
    for (token, verb, body) in riverton_over_http(&dir) {
        let (status, v, seq) = post(&s, &format!("/api/record/{verb}"), Some(token), &body);
        assert_eq!(status, 200, "{verb} {body}: {v}");
        assert_eq!(v["seq"].as_u64(), seq, "{verb}");
        if body["summary"] == "supported more trees" {
            assert_eq!(v["type"], "StatementMade");
        }
        if verb == "propose" && body["ops"][0]["with"] == "fifty oak trees" {
            assert_eq!(v["conflicts"][0]["with"], "sixty-trees", "the overlap is named: {v}");
        }
    }
    let table = json!({"doc": "example-riverton/res-14", "title": "Trees again", "text": std::fs::read_to_string(dir.join("res-12.txt")).unwrap(),
                       "body": "finance", "at": "2031-06-10 12:00"});
    for (verb, body) in [
        ("table", table),
        ("propose", clause_ops_http()),
        ("accept", json!({"amendment": "reshape", "at": "2031-06-10 12:10"})),
    ] {
        let (status, v, _) = post(&s, &format!("/api/record/{verb}"), Some(brennan), &body);
        assert_eq!(status, 200, "{verb}: {v}");
    }

    // The same events, field for field (but for the ids made at random and the hash chain).
    let want = comparable(&cli.ok(&["replay", "example-riverton", "--json"]).stdout);
    let got = comparable(&env.ok(&["replay", "example-riverton", "--json"]).stdout);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    // Read back over HTTP: the texts the verbs shaped, as the command line reads them.
    for (doc, at) in
        [("example-riverton/res-12", "2031-06-10 18:00"), ("example-riverton/res-14", "2031-06-10 18:00")]
    {
        let (status, st, _) = get(&s, &format!("/api/state?doc={doc}&at={}", at.replace(' ', "%20")));
        assert_eq!(status, 200);
        let mut cli_state = env.ok(&["state", doc, "--at", at, "--json"]).json();
        let mut http_state = st;
        for v in [&mut cli_state, &mut http_state] {
            v.as_object_mut().unwrap().remove("warnings");
        }
        assert_eq!(http_state, cli_state, "{doc}");
    }
    let (_, st, _) = get(&s, "/api/state?doc=example-riverton/res-14&at=2031-06-10%2018:00");
    let text = st["text"].as_str().unwrap();
    assert!(text.contains("0) to thank the residents;\n"), "{text}");
    assert!(text.contains("2) to fund the planting from the trees budget;"), "{text}");
    assert!(text.contains("== requests") || text.contains("requests\na) the clerk to report;"), "{text}");
    assert!(!text.contains("considering") && !text.contains("to ask residents to water"), "{text}");
    let (_, st, _) = get(&s, "/api/state?doc=RCC/2031/12&at=2031-06-10%2018:00");
    assert_eq!(st["status"], "adopted");
    assert!(st["text"].as_str().unwrap().contains("to plant sixty native trees"), "{}", st["text"]);
}

#[test]
fn the_verbs_refuse_what_their_flags_would_refuse() {
    let (env, s) = harbour();
    let before = count(&env);
    for (verb, body, says) in [
        (
            "declare",
            json!({"meeting": "m-2", "title": "T", "venue": "V", "zone": "Mars/Olympus", "first_day": "2030-01-01", "last_day": "2030-01-01"}),
            "Mars/Olympus",
        ),
        ("declare", json!({"title": "T"}), "meeting is required"),
        ("actor", json!({"actor": "x-1", "name": "X", "kind": "alien"}), "kind"),
        ("table", json!({"doc": "example-harbour/t-1", "title": "T", "text": "== \n"}), "text"),
        (
            "correct",
            json!({"event": "0190f3a0-0000-7000-8000-0000000a0009", "reason": "r"}),
            "by is required",
        ),
        (
            "correct",
            json!({"event": "0190f3a0-0000-7000-8000-0000000a0009", "reason": "r", "by": ["ana-ruiz"]}),
            "not in the log",
        ),
        (
            "propose",
            json!({"doc": "example-harbour/by-law-7", "ops": [{"insert_clause": "decides", "words": "w"}]}),
            "--key",
        ),
        (
            "propose",
            json!({"doc": "example-harbour/by-law-7", "ops": [{"delete_clause": "decides/1", "clause": "decides/1", "delete": "x"}]}),
            "one of",
        ),
        ("withdraw-procedural", json!({"by": ["ana-ruiz"]}), "proposal is required"),
    ] {
        let (status, v, _) = post(&s, &format!("/api/record/{verb}"), Some(ANA), &body);
        assert_eq!(status, 400, "{verb} {body}: {v}");
        assert!(v["error"].as_str().unwrap().contains(says), "{verb}: {v}");
    }
    assert_eq!(count(&env), before, "nothing was written");
}

/// `state` over HTTP and `state --json` of the command line, both as printed, but for the
/// snapshot warnings a read from the store may carry.
fn same_state(env: &TestEnv, s: &Served, doc: &str, at: &str, rec: Option<&str>) -> (Value, Option<u64>) {
    let mut q = format!("/api/state?doc={doc}&at={}", at.replace(' ', "%20"));
    let mut args = vec!["state", doc, "--at", at, "--json"];
    if let Some(r) = rec {
        q.push_str(&format!("&as_recorded_at={}", r.replace(' ', "%20").replace('+', "%2B")));
        args.extend(["--as-recorded-at", r]);
    }
    let (status, mut http, seq) = get(s, &q);
    assert_eq!(status, 200, "{http}");
    let mut cli = env.ok(&args).json();
    for v in [&mut cli, &mut http] {
        v.as_object_mut().unwrap().remove("warnings");
    }
    assert_eq!(http, cli, "{doc} at {at} as recorded at {rec:?}");
    (http, seq)
}

#[test]
fn a_state_query_reflects_what_another_process_appended_and_reads_as_the_command_line() {
    let (env, s) = harbour();
    let d = "example-harbour/by-law-7";
    let at = "2030-03-02 12:00";
    let (before, _) = same_state(&env, &s, d, at, None);
    // Another process proposes and accepts an amendment: the very next query shows both,
    // and says it reflects them.
    let proposed = env
        .ok(&[
            "record",
            "propose",
            "--doc",
            d,
            "--by",
            "ben-okafor",
            "--clause",
            "decides/1",
            "--replace",
            "10 per night",
            "--with",
            "8 per night",
            "--at",
            "2030-03-02 10:20",
            "--json",
        ])
        .json();
    let a = proposed["amendment"].as_str().unwrap().to_string();
    let (st, seq) = same_state(&env, &s, d, at, None);
    assert_eq!(seq, proposed["seq"].as_u64(), "the answer reflects the other process's event");
    assert_eq!(
        st["amendments"].as_array().unwrap().len(),
        before["amendments"].as_array().unwrap().len() + 1
    );
    let accepted = env.ok(&["record", "accept", &a, "--at", "2030-03-02 10:30", "--json"]).json();
    let (st, seq) = same_state(&env, &s, d, at, None);
    assert_eq!(seq, accepted["seq"].as_u64());
    assert!(st["text"].as_str().unwrap().contains("8 per night"), "{}", st["text"]);
    // Earlier moments, uncertain windows and the record as it stood read alike too.
    env.ok(&[
        "record",
        "statement",
        "--doc",
        d,
        "--by",
        "ana-ruiz",
        "--summary",
        "s",
        "--from",
        "2030-03-02 11:00",
        "--to",
        "2030-03-02 13:00",
    ]);
    for t in ["2030-03-02 10:25", "2030-03-02 12:00", "2030-03-02 18:00"] {
        same_state(&env, &s, d, t, None);
        same_state(&env, &s, d, t, Some("2025-12-31T00:00:00+00:00"));
        same_state(&env, &s, d, t, Some("2026-01-01T00:00:00+00:00"));
    }
    // A correction from the shell withdraws the acceptance from the state served.
    env.ok(&[
        "record",
        "correct",
        accepted["id"].as_str().unwrap(),
        "--reason",
        "not accepted after all",
        "--by",
        "ana-ruiz",
    ]);
    let (st, _) = same_state(&env, &s, d, at, None);
    assert!(!st["text"].as_str().unwrap().contains("8 per night"), "{}", st["text"]);
    // A symbol names the document over HTTP as on the command line.
    same_state(&env, &s, "HB-2030/7", at, None);
}
