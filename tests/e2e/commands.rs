//! The command line on temporary stores: output, exit codes, refusals that write nothing, and
//! the database's own guard of the log.

use minutes_tests::{example_steps, example_store, example_store_on, root, Backend, TestEnv};

// The contract's commands, on a file and on a PostgreSQL database alike (one golden file each).
minutes_tests::both!(
    replay_prints_one_line_an_event_in_local_time,
    state_shows_status_text_and_amendments_at_a_moment,
    snapshots_change_no_answer_and_need_a_store_file,
    diff_blame_and_history_name_the_amendment,
    a_bad_time_is_a_usage_error_that_shows_the_accepted_forms,
    unknown_names_are_refused_with_exit_1,
    import_with_one_bad_event_writes_nothing_and_names_the_line,
    a_refused_write_to_a_missing_store_leaves_no_file,
    append_checks_the_expected_version_and_retries_are_no_ops,
    init_and_import_say_what_they_did_in_json_too,
);

fn replay_prints_one_line_an_event_in_local_time(b: Backend) {
    let env = example_store_on(b, 5);
    // Named: the same golden file for both backends.
    insta::assert_snapshot!(
        "replay_prints_one_line_an_event_in_local_time",
        env.run(&["replay", "example-harbour"]).golden()
    );
}

fn state_shows_status_text_and_amendments_at_a_moment(b: Backend) {
    let env = example_store_on(b, 5);
    insta::assert_snapshot!(
        "state_human",
        env.run(&["state", "example-harbour/by-law-7", "--at", "2030-03-02 12:00"]).golden()
    );
    insta::assert_snapshot!(
        "state_json_by_symbol",
        env.run(&["state", "HB 2030/7", "--at", "2030-03-02T10:25:00+01:00", "--json"]).golden()
    );
}

fn snapshots_change_no_answer_and_need_a_store_file(b: Backend) {
    let env = example_store_on(b, 5);
    // Every quarter of an hour of the meeting's day, and before and after it.
    let moments: Vec<String> =
        (6..20).flat_map(|h| [0, 15, 30, 45].map(|m| format!("2030-03-02 {h:02}:{m:02}"))).collect();
    let answers = |env: &TestEnv| -> Vec<String> {
        moments
            .iter()
            .map(|t| env.ok(&["state", "example-harbour/by-law-7", "--at", t, "--json"]).stdout)
            .collect()
    };
    let before = answers(&env);
    let r = env.ok(&["snapshots", "--json"]);
    assert!(r.json()["snapshots"].as_u64().unwrap() >= 1, "{}", r.golden());
    assert_eq!(answers(&env), before, "the same answers from snapshots as from the events");
    env.ok(&["verify"]);
    let fresh = TestEnv::on(b);
    let r = fresh.run(&["snapshots"]);
    assert_eq!(r.code, 4, "{}", r.golden());
    assert!(r.stderr.contains("no store at") && r.stderr.contains("init"), "{}", r.golden());
    assert!(!fresh.store_exists(), "nothing written");
}

fn diff_blame_and_history_name_the_amendment(b: Backend) {
    let env = example_store_on(b, 5);
    insta::assert_snapshot!(
        "diff",
        env.run(&[
            "diff",
            "example-harbour/by-law-7",
            "--from",
            "2030-03-02 10:00",
            "--to",
            "2030-03-02 17:00"
        ])
        .golden()
    );
    insta::assert_snapshot!(
        "blame",
        env.run(&["blame", "example-harbour/by-law-7", "--at", "2030-03-02 17:00"]).golden()
    );
    insta::assert_snapshot!("history", env.run(&["history", "example-harbour/by-law-7"]).golden());
}

fn a_bad_time_is_a_usage_error_that_shows_the_accepted_forms(b: Backend) {
    let env = example_store_on(b, 1);
    let r = env.run(&["state", "example-harbour/by-law-7", "--at", "yesterday"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("RFC 3339") && r.stderr.contains("YYYY-MM-DD HH:MM"), "{}", r.golden());
    let r = env.run(&["state", "example-harbour/by-law-7", "--at", "2030-03-02T10:00:00"]);
    assert_eq!(r.code, 2, "{}", r.golden());
}

fn unknown_names_are_refused_with_exit_1(b: Backend) {
    let env = example_store_on(b, 1);
    insta::assert_snapshot!("unknown_document", env.run(&["state", "example-harbour/by-law-99"]).golden());
    insta::assert_snapshot!("unknown_meeting", env.run(&["replay", "no-such-meeting"]).golden());
    insta::assert_snapshot!(
        "unknown_actor",
        env.run(&["replay", "example-harbour", "--actor", "nobody"]).golden()
    );
}

fn import_with_one_bad_event_writes_nothing_and_names_the_line(b: Backend) {
    let env = example_store_on(b, 0);
    let lines = example_steps();
    // Line 3 accepts an amendment that was never proposed: the rules refuse it.
    let bad = lines[2].replace("fee-8", "fee-9");
    let file = env.file(
        "day.jsonl",
        &[lines[0].as_str(), lines[1].as_str(), bad.as_str(), lines[3].as_str()].join("\n"),
    );
    let before = env.store_bytes();
    let r = env.run(&["import", file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(r.stderr.contains("day.jsonl:3:") && r.stderr.contains("fee-9"), "{}", r.golden());
    assert_eq!(env.store_bytes(), before, "the store changed");
    // Broken JSON is named the same way.
    let file = env.file("broken.jsonl", &format!("{}\n{{\"id\": \"x\", \"type\": \n", lines[0]));
    let r = env.run(&["import", file.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("broken.jsonl:2:"), "{}", r.golden());
    assert_eq!(env.store_bytes(), before, "the store changed");
}

fn a_refused_write_to_a_missing_store_leaves_no_file(b: Backend) {
    let env = TestEnv::on(b);
    let file = env.file("bad.jsonl", "{\"id\": \"broken\", \"type\": \n");
    let r = env.run(&["import", file.to_str().unwrap()]);
    assert_eq!(r.code, 4, "no write creates a store: {}", r.golden());
    assert!(!env.store_exists());
}

fn append_checks_the_expected_version_and_retries_are_no_ops(b: Backend) {
    let env = example_store_on(b, 1);
    let step =
        std::fs::read_to_string(root().join("events/examples/harbour-board/2-amendment-proposed.json"))
            .unwrap();
    let stale = env.run_with(&["append", "--expected-version", "1"], Some(&step));
    assert_eq!(stale.code, 3, "{}", stale.golden());
    assert!(stale.stderr.contains("version 2, not 1"), "{}", stale.golden());
    let first = env.run_with(&["append", "--expected-version", "2", "--json"], Some(&step));
    assert_eq!(first.code, 0, "{}", first.golden());
    let again = env.run_with(&["append", "--expected-version", "2", "--json"], Some(&step));
    assert_eq!(again.code, 0, "{}", again.golden());
    assert_eq!(first.json()["seq"], again.json()["seq"]);
    assert_eq!(again.json()["existed"], true);
    let other = step.replace("lower the fee", "raise the fee");
    let r = env.run_with(&["append"], Some(&other));
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(r.stderr.contains("already in the log with other content"), "{}", r.golden());
}

#[test]
fn the_database_itself_refuses_to_change_the_log() {
    let env = example_store(2);
    let db = rusqlite::Connection::open(env.db()).unwrap();
    for sql in ["UPDATE events SET payload = 'x'", "DELETE FROM events WHERE seq = 1"] {
        let err = db.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn verify_names_the_first_row_changed_behind_its_back() {
    let env = example_store(5);
    let ok = env.run(&["verify", "--json"]);
    assert_eq!(ok.json()["ok"], true);
    let head = ok.json()["head"].as_str().unwrap().to_string();
    let db = rusqlite::Connection::open(env.db()).unwrap();
    db.execute_batch("DROP TRIGGER events_never_updated; DROP TRIGGER events_never_deleted;").unwrap();
    db.execute(
        "UPDATE events SET payload = replace(payload, 'lower the fee', 'raise the fee') WHERE seq = 6",
        [],
    )
    .unwrap();
    drop(db);
    let r = env.run(&["verify"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("verify_tampered", r.golden());
    let j = env.run(&["verify", "--json"]);
    assert_eq!(j.code, 1);
    assert_eq!(j.json()["ok"], false);
    assert_eq!(j.json()["problem"]["seq"], 6);
    // The same store, anchored: its head is still there but the chain no longer reaches it.
    assert_eq!(env.run(&["verify", "--head", &head]).code, 1);
}

#[test]
fn verify_head_catches_a_cut_off_tail() {
    let env = example_store(5);
    let head = env.run(&["verify", "--json"]).json()["head"].as_str().unwrap().to_string();
    assert_eq!(env.run(&["verify", "--head", &head]).code, 0);
    let db = rusqlite::Connection::open(env.db()).unwrap();
    db.execute_batch(
        "DROP TRIGGER events_never_deleted; DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events);",
    )
    .unwrap();
    drop(db);
    assert_eq!(env.run(&["verify"]).code, 0, "a chain alone cannot see a cut-off tail");
    let r = env.run(&["verify", "--head", &head]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("does not contain the anchored head"), "{}", r.golden());
}

#[test]
fn usage_errors_exit_2_and_every_command_has_an_example_in_its_help() {
    let env = TestEnv::new();
    assert_eq!(env.run(&["frobnicate"]).code, 2);
    // Every command clap lists in the top-level help (its "Commands:" block), not a list kept
    // by hand that forgets the newest.
    let help = env.ok(&["--help"]).stdout;
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 17 && commands.contains(&"snapshots"), "{commands:?}");
    for cmd in commands {
        let r = env.run(&[cmd, "--help"]);
        assert_eq!(r.code, 0, "{cmd}");
        assert!(r.stdout.contains("Examples:\n  minutes "), "{cmd} --help shows no example");
    }
}

fn init_and_import_say_what_they_did_in_json_too(b: Backend) {
    let env = TestEnv::on(b);
    let created = env.ok(&["init", "--json"]).json();
    assert_eq!(created["created"], true);
    assert!(created["added"].as_u64().unwrap() > 0);
    assert_eq!(env.ok(&["init", "--json"]).json(), serde_json::json!({ "created": false, "added": 0 }));
    let all = env.ok(&["replay", "wtpf-13", "--json"]).stdout;
    let file = env.file("all.jsonl", &all);
    let again = env.ok(&["import", &file.display().to_string(), "--json"]).json();
    assert_eq!(again["imported"], 0);
    assert_eq!(again["existed"], created["added"]);
}
