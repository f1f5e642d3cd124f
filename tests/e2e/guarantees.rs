//! The guarantees of the README, each proved here: acknowledged appends survive a killed
//! writer, imports are all or nothing, concurrent writers cannot overwrite each other, any
//! change behind the log's back is found, corrections never edit the past, and logs written
//! with older event shapes still open.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use minutes_tests::{example_store, example_store_on, root, Backend, TestEnv};

// What holds on a file holds on a PostgreSQL database: killed writers, killed imports and
// writers in several processes racing for one stream version.
minutes_tests::both!(
    acknowledged_appends_survive_a_killed_writer_and_appending_continues,
    an_import_killed_midway_leaves_all_or_nothing,
    concurrent_writers_win_one_version_each_and_losers_retry,
);
use serde_json::{json, Value};

/// A small seeded generator, so every run kills at the same moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// `n` statements in the example meeting's board, one JSON line each, with ids from `base`.
fn statements(n: usize, base: u32) -> Vec<String> {
    (0..n)
        .map(|i| {
            json!({
                "id": format!("0190f3a0-{:04x}-7000-8000-{:012x}", base, i),
                "type": "StatementMade", "v": 1, "meeting": "example-harbour", "document": null,
                "body": "board", "actors": ["ana-ruiz"],
                "occurred": { "from": "2030-03-02T12:00:00+01:00", "to": "2030-03-02T13:00:00+01:00" },
                "source": { "file": "example", "section": "example", "quote": "a fictional statement" },
                "data": { "stance": "other", "summary": format!("statement {i} of batch {base}") }
            })
            .to_string()
        })
        .collect()
}

/// Every event in the log, by id, as replay prints it.
fn logged(env: &TestEnv) -> std::collections::HashMap<String, Value> {
    let out = env.ok(&["replay", "example-harbour", "--json"]);
    out.stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["id"].as_str().unwrap().to_string(), v))
        .collect()
}

fn count(env: &TestEnv) -> u64 {
    env.ok(&["verify", "--json"]).json()["events"].as_u64().unwrap()
}

fn acknowledged_appends_survive_a_killed_writer_and_appending_continues(b: Backend) {
    let env = example_store_on(b, 5);
    let lines = statements(1000, 1);
    let feed = env.file("feed.jsonl", &(lines.join("\n") + "\n"));
    let mut rng = Rng(0x5eed_1234_abcd);
    let mut acked_all: Vec<String> = Vec::new();
    for round in 0..50 {
        let mut child = env
            .command(&["append", "--stream"])
            .stdin(Stdio::from(std::fs::File::open(&feed).unwrap()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let acked = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let acked = Arc::clone(&acked);
            let stdout = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(id) = line.split_whitespace().nth(1) {
                        acked.lock().unwrap().push(id.to_string());
                    }
                }
            })
        };
        std::thread::sleep(Duration::from_millis(5 + rng.next(60)));
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        reader.join().unwrap();
        acked_all.extend(acked.lock().unwrap().drain(..));
        let v = env.run(&["verify"]);
        assert_eq!(v.code, 0, "round {round}: {}", v.golden());
        let log = logged(&env);
        for id in &acked_all {
            let e = log.get(id).unwrap_or_else(|| panic!("round {round}: acknowledged event {id} is lost"));
            let n = usize::from_str_radix(&id[24..], 16).unwrap();
            let sent: Value = serde_json::from_str(&lines[n]).unwrap();
            assert_eq!(e["data"], sent["data"], "round {round}: acknowledged event {id} changed");
        }
    }
    assert!(!acked_all.is_empty(), "the writer acknowledged nothing in 50 rounds");
    // Appending continues: the rest of the feed goes in after the last kill.
    let r = env.run_with(&["append", "--stream"], Some(&lines.join("\n")));
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(count(&env), 9 + 1000);
}

fn an_import_killed_midway_leaves_all_or_nothing(b: Backend) {
    let env = example_store_on(b, 5);
    let mut rng = Rng(0xdead_beef_0042);
    for round in 0..6 {
        let before = count(&env);
        let lines = statements(20_000, 100 + round);
        let file = env.file(&format!("big-{round}.jsonl"), &lines.join("\n"));
        let mut child = env
            .command(&["import", &file.display().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(50 + rng.next(1500)));
        child.kill().unwrap();
        let _ = child.wait();
        assert_eq!(env.run(&["verify"]).code, 0, "round {round}");
        let added = count(&env) - before;
        assert!(added == 0 || added == 20_000, "round {round}: a partial import is visible ({added} events)");
    }
    // Whichever way each kill fell, the store still takes the next import whole.
    let lines = statements(100, 99);
    let file = env.file("after.jsonl", &lines.join("\n"));
    env.ok(&["import", &file.display().to_string()]);
}

fn concurrent_writers_win_one_version_each_and_losers_retry(b: Backend) {
    let env = example_store_on(b, 5);
    let doc_version =
        || env.ok(&["state", "example-harbour/by-law-7", "--json"]).json()["version"].as_u64().unwrap();
    for round in 0..3u32 {
        let v = doc_version();
        let children: Vec<_> = (0..4u32)
            .map(|w| {
                let event = json!({
                    "id": format!("0190f3a0-aaaa-7000-8000-{:06x}{:06x}", round, w),
                    "type": "StatementMade", "v": 1, "meeting": "example-harbour", "document": "example-harbour/by-law-7",
                    "body": "board", "actors": ["ben-okafor"],
                    "occurred": { "from": "2030-03-02T16:00:00+01:00", "to": "2030-03-02T16:30:00+01:00" },
                    "source": { "file": "example", "section": "example", "quote": "a fictional statement" },
                    "data": { "stance": "support", "summary": format!("clerk {w}, round {round}") }
                });
                let mut c = env
                    .command(&["append", "--expected-version", &v.to_string()])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                std::io::Write::write_all(c.stdin.as_mut().unwrap(), event.to_string().as_bytes()).unwrap();
                (c, event)
            })
            .collect();
        let results: Vec<_> = children.into_iter().map(|(c, e)| (c.wait_with_output().unwrap(), e)).collect();
        let winners = results.iter().filter(|(o, _)| o.status.code() == Some(0)).count();
        assert_eq!(winners, 1, "round {round}: exactly one writer wins version {v}");
        for (o, e) in results.iter().filter(|(o, _)| o.status.code() != Some(0)) {
            assert_eq!(o.status.code(), Some(3), "a loser exits 3: {}", String::from_utf8_lossy(&o.stderr));
            // It says what it found: the version, and the event that took it.
            let said = String::from_utf8_lossy(&o.stderr);
            assert!(
                said.contains(&format!("is at version {}, not {v}: its last event is seq", v + 1)),
                "{said}"
            );
            // The loser reads again and retries.
            let now = doc_version();
            let r = env.run_with(&["append", "--expected-version", &now.to_string()], Some(&e.to_string()));
            assert_eq!(r.code, 0, "{}", r.golden());
        }
    }
    assert_eq!(doc_version(), 6 + 12);
    let v = env.ok(&["verify", "--json"]).json();
    assert_eq!(v["ok"], true);
    assert_eq!(v["events"], 9 + 12);
}

#[test]
fn verify_names_the_first_row_deleted_inserted_or_reordered() {
    let check = |sql: &str, bad_seq: u64| {
        let env = example_store(5);
        minutes_tests::tamper(&env.db(), sql);
        let r = env.run(&["verify", "--json"]);
        assert_eq!(r.code, 1, "{sql}: {}", r.golden());
        assert_eq!(r.json()["problem"]["seq"], bad_seq, "{sql}: {}", r.golden());
    };
    // Deleted: the row after the gap no longer chains.
    check("DELETE FROM events WHERE seq = 5", 6);
    // Inserted: a copy of row 9 as row 10, with its hash, chains to nothing.
    check("INSERT INTO events SELECT 10, 'x', stream, 99, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash FROM events WHERE seq = 9", 10);
    // Reordered: two rows' contents swapped.
    check(
        "CREATE TEMP TABLE t AS SELECT * FROM events WHERE seq IN (6, 7);
         UPDATE events SET payload = (SELECT payload FROM t WHERE seq = 7), hash = (SELECT hash FROM t WHERE seq = 7) WHERE seq = 6;
         UPDATE events SET payload = (SELECT payload FROM t WHERE seq = 6), hash = (SELECT hash FROM t WHERE seq = 6) WHERE seq = 7;",
        6,
    );
}

#[test]
fn an_anchored_head_catches_a_log_rewritten_from_the_start() {
    let env = example_store(5);
    let head = env.ok(&["verify", "--json"]).json()["head"].as_str().unwrap().to_string();
    // Forge: change row 6 and re-hash the whole chain after it, as a careful forger would.
    minutes_tests::rewrite_log(
        &env.db(),
        "UPDATE events SET payload = replace(payload, 'lower the fee', 'raise the fee') WHERE seq = 6",
    );
    assert_eq!(env.run(&["verify"]).code, 0, "a chain alone cannot see a log re-hashed from the start");
    let r = env.run(&["verify", "--head", &head]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("does not contain the anchored head"), "{}", r.golden());
}

fn correction(id: &str, corrects: &str, recorded_at: &str) -> String {
    json!({
        "id": id, "type": "EventCorrected", "v": 1, "meeting": "example-harbour", "document": "example-harbour/by-law-7",
        "body": null, "actors": ["ana-ruiz"], "recorded_at": recorded_at,
        "occurred": { "from": recorded_at, "to": recorded_at },
        "source": { "file": "example", "section": "example", "quote": "the vote was on another amendment" },
        "data": { "corrects": corrects, "reason": "the minutes recorded the vote on the wrong amendment" }
    })
    .to_string()
}

#[test]
fn a_correction_supersedes_an_event_and_the_past_record_stays_readable() {
    let env = example_store(5);
    let accepted = "0190f3a0-0000-7000-8000-00000000e013";
    let r = env.run_with(
        &["append"],
        Some(&correction("0190f3a0-0000-7000-8000-00000000c001", accepted, "2026-06-01T00:00:00Z")),
    );
    assert_eq!(r.code, 0, "{}", r.golden());
    // By default: the corrected record. The amendment is pending again; the fee is back to 10.
    let now = env.ok(&["state", "example-harbour/by-law-7", "--at", "2030-03-02 17:00", "--json"]).json();
    assert_eq!(now["amendments"][0]["status"], "pending");
    assert!(now["text"].as_str().unwrap().contains("fee of 10 per night"));
    // As the record stood before the correction was recorded: accepted, 8 per night.
    let then = env
        .ok(&[
            "state",
            "example-harbour/by-law-7",
            "--at",
            "2030-03-02 17:00",
            "--as-recorded-at",
            "2026-03-01T00:00:00Z",
            "--json",
        ])
        .json();
    assert_eq!(then["amendments"][0]["status"], "accepted");
    assert!(then["text"].as_str().unwrap().contains("fee of 8 per night"));
    // Replay shows the correction, not the withdrawn event; the past replay shows the event.
    let replay = env.ok(&["replay", "example-harbour"]).stdout;
    // (the withdrawn event is set aside after the timeline, marked)
    assert!(replay.contains("accepted [withdrawn by a correction]"), "{replay}");
    let replay = replay.split("Not in the timeline").next().unwrap_or_default();
    assert!(replay.contains("Correction by Ana Ruiz") && !replay.contains("fee-8 to Mooring fees for visiting boats (example-harbour/by-law-7) (proposed by Ben Okafor) accepted"), "{replay}");
    let past = env.ok(&["replay", "example-harbour", "--as-recorded-at", "2026-03-01T00:00:00Z"]).stdout;
    assert!(past.contains("accepted") && !past.contains("Correction"), "{past}");
    // A correction is never corrected twice, nor made across streams.
    let again = env.run_with(
        &["append"],
        Some(&correction("0190f3a0-0000-7000-8000-00000000c002", accepted, "2026-06-02T00:00:00Z")),
    );
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("already corrected"), "{}", again.golden());
    let elsewhere = env.run_with(
        &["append"],
        Some(&correction(
            "0190f3a0-0000-7000-8000-00000000c003",
            "0190f3a0-0000-7000-8000-00000000e002",
            "2026-06-02T00:00:00Z",
        )),
    );
    assert_eq!(elsewhere.code, 1);
    assert!(elsewhere.stderr.contains("is not in the stream"), "{}", elsewhere.golden());
    // The amendment is pending again, but the by-law is adopted: an acceptance after its
    // adoption began is refused, its text is never changed afterwards.
    let late = env.run_with(
        &["append"],
        Some(&minutes_tests::example_steps()[2].replace("e013", "e0c4").replace("10:30:00", "15:30:00")),
    );
    assert_eq!(late.code, 1, "{}", late.golden());
    assert!(late.stderr.contains("is adopted"), "{}", late.golden());
    // An acceptance recorded late that happened before the adoption (the replacement of a
    // corrected event) is judged as of its own time: the adopted text had it.
    let replaced = env.run_with(
        &["append"],
        Some(&minutes_tests::example_steps()[2].replace("e013", "e0c5").replace("10:30:00", "10:35:00")),
    );
    assert_eq!(replaced.code, 0, "{}", replaced.golden());
    let now = env.ok(&["state", "example-harbour/by-law-7", "--at", "2030-03-02 17:00", "--json"]).json();
    assert_eq!(now["status"], "adopted");
    assert_eq!(now["amendments"][0]["status"], "accepted");
    assert_eq!(env.run(&["verify"]).code, 0);
}

#[test]
fn a_log_written_with_older_event_shapes_still_opens() {
    let env = TestEnv::new();
    std::fs::copy(root().join("tests/fixtures/logs/schema-v1.db"), env.db()).unwrap();
    // A store of an older schema is named as such until `upgrade` brings it up to date.
    let r = env.run(&["verify"]);
    assert_eq!(r.code, 4, "{}", r.golden());
    assert!(r.stderr.contains("schema version 1") && r.stderr.contains("upgrade"), "{}", r.golden());
    env.ok(&["upgrade"]);
    assert_eq!(env.run(&["verify"]).code, 0, "the hash covers the stored bytes, not an upgraded form");
    let log = logged(&env);
    let suspended = log
        .values()
        .find(|e| e["type"] == "SessionSuspended")
        .expect("the fixture holds a SessionSuspended of version 1");
    assert_eq!(suspended["v"], 2);
    assert_eq!(suspended["data"], json!({ "duration_minutes": 15 }));
    let s = env.ok(&["state", "example-harbour/by-law-7", "--at", "2030-03-02 17:00", "--json"]).json();
    assert_eq!(s["status"], "adopted");
    // Appending continues on the old log, and an event of the old shape is still taken on input.
    let old = suspended
        .to_string()
        .replace("\"v\":2", "\"v\":1")
        .replace("duration_minutes", "minutes")
        .replace("e0a1", "e0a2");
    let r = env.run_with(&["append"], Some(&old));
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(env.run(&["verify"]).code, 0);
}
