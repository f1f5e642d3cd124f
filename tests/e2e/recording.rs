//! `minutes record VERB`: events built from flags, judged like `append`, and the second
//! example meeting (events/examples/riverton-council) recorded entirely with verbs.

use std::process::Stdio;

use minutes_tests::{root, Backend, Run, TestEnv};

// Recording with verbs, on a file and on a PostgreSQL database alike.
minutes_tests::both!(
    word_operations_read_naturally_and_a_fate_is_decided_once,
    a_conflicting_proposal_is_recorded_with_a_warning_naming_the_other,
    dry_run_writes_nothing_retries_are_no_ops_and_stale_versions_exit_3,
    the_riverton_council_is_recorded_by_its_script_and_clerks_race_fairly,
    a_given_amendment_id_is_unique_within_the_meeting,
);

/// Replaces every UUID with `[UUID]`: ids made by the command differ from run to run.
fn redact(s: &str) -> String {
    let b = s.as_bytes();
    let shape = |i: usize| {
        i + 36 <= b.len()
            && (0..36).all(|k| match k {
                8 | 13 | 18 | 23 => b[i + k] == b'-',
                _ => b[i + k].is_ascii_hexdigit(),
            })
    };
    let (mut out, mut i) = (String::new(), 0);
    while i < b.len() {
        if shape(i) {
            out.push_str("[UUID]");
            i += 36;
        } else {
            let c = s[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// A store with a meeting and a draft taken up, recorded with verbs.
fn council(b: Backend) -> TestEnv {
    let env = TestEnv::on(b);
    env.ok(&["init", "--empty"]);
    let text = root().join("events/examples/harbour-board/by-law-7.txt").display().to_string();
    env.ok(&[
        "record",
        "declare",
        "example-harbour",
        "--title",
        "Example Harbour Board",
        "--venue",
        "Example Town hall",
        "--zone",
        "Europe/Zurich",
        "--first-day",
        "2030-03-02",
        "--last-day",
        "2030-03-02",
        "--body",
        "board=Harbour Board",
        "--body",
        "works=Works Committee",
        "--at",
        "2030-02-01 09:00",
    ]);
    env.ok(&["record", "actor", "ana-ruiz", "--name", "Ana Ruiz", "--at", "2030-03-02 09:00"]);
    env.ok(&["record", "actor", "ben-okafor", "--name", "Ben Okafor", "--at", "2030-03-02 09:00"]);
    env.ok(&[
        "record",
        "table",
        "example-harbour/by-law-7",
        "--title",
        "Mooring fees",
        "--text",
        &text,
        "--by",
        "ana-ruiz",
        "--body",
        "works",
        "--at",
        "2030-03-02 10:00",
    ]);
    env.ok(&["record", "take-up", "example-harbour/by-law-7", "--body", "works", "--at", "2030-03-02 10:05"]);
    env
}

const DOC: &str = "example-harbour/by-law-7";

fn propose(env: &TestEnv, extra: &[&str]) -> Run {
    let mut args =
        vec!["record", "propose", "--doc", DOC, "--by", "ben-okafor", "--at", "2030-03-02 10:20", "--json"];
    args.extend_from_slice(extra);
    env.run(&args)
}

/// Runs `minutes ARGS` twice at once on the env's store.
fn race(env: &TestEnv, a: &[&str], b: &[&str]) -> (Run, Run) {
    let spawn =
        |args: &[&str]| env.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (x, y) = (spawn(a), spawn(b));
    let done = |c: std::process::Child| {
        let o = c.wait_with_output().unwrap();
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into(),
            stderr: String::from_utf8_lossy(&o.stderr).into(),
        }
    };
    (done(x), done(y))
}

fn word_operations_read_naturally_and_a_fate_is_decided_once(b: Backend) {
    let env = council(b);
    let a = propose(&env, &["--clause", "decides/1", "--replace", "10 per night", "--with", "8 per night"]);
    assert_eq!(a.code, 0, "{}", a.golden());
    assert_eq!(a.json()["amendment"], "by-law-7-amendment-1");
    let b = propose(
        &env,
        &[
            "--clause",
            "decides/2",
            "--insert",
            "and south",
            "--after",
            "north",
            "--clause",
            "considering/b",
            "--delete",
            "pier",
        ],
    );
    assert_eq!(b.code, 0, "{}", b.golden());
    env.ok(&["record", "accept", "by-law-7-amendment-1", "--at", "2030-03-02 10:30"]);
    env.ok(&["record", "accept", "by-law-7-amendment-2", "--decided-by", "vote", "--at", "2030-03-02 10:31"]);
    let again = env.run(&["record", "withdraw", "by-law-7-amendment-1", "--at", "2030-03-02 10:32"]);
    assert_eq!(again.code, 1, "{}", again.golden());
    assert!(again.stderr.contains("already accepted"), "{}", again.golden());
    let s = env.ok(&["state", DOC, "--at", "2030-03-02 12:00", "--json"]).json();
    let text = s["text"].as_str().unwrap();
    assert!(text.contains("a mooring fee of 8 per night;"), "{text}");
    assert!(text.contains("the north and south pier."), "{text}");
    assert!(text.contains("b) that the needs repair,"), "{text}");
}

fn a_conflicting_proposal_is_recorded_with_a_warning_naming_the_other(b: Backend) {
    let env = council(b);
    env.ok(&[
        "record",
        "propose",
        "--doc",
        DOC,
        "--by",
        "ben-okafor",
        "--amendment",
        "fee-8",
        "--clause",
        "decides/1",
        "--replace",
        "10",
        "--with",
        "8",
        "--at",
        "2030-03-02 10:20",
    ]);
    let r = propose(&env, &["--clause", "decides/1", "--delete", "of 10 per night"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert!(
        r.stderr.contains("warning") && r.stderr.contains("'fee-8'") && r.stderr.contains("'10'"),
        "{}",
        r.golden()
    );
    assert_eq!(r.json()["conflicts"][0]["with"], "fee-8");
}

fn dry_run_writes_nothing_retries_are_no_ops_and_stale_versions_exit_3(b: Backend) {
    let env = council(b);
    let before = env.ok(&["verify", "--json"]).json()["events"].clone();
    let dry = env.ok(&["record", "endorse", DOC, "--body", "works", "--at", "2030-03-02 11:00", "--dry-run"]);
    let e: serde_json::Value = serde_json::from_str(&dry.stdout).unwrap();
    assert_eq!(e["type"], "DraftEndorsed");
    assert_eq!(e["data"]["submitted_to"], "board");
    assert_eq!(env.ok(&["verify", "--json"]).json()["events"], before);

    let id = "01a2f000-0000-7000-8000-0000000000aa";
    let first = propose(&env, &["--id", id, "--clause", "decides/1", "--replace", "10", "--with", "8"]);
    assert_eq!(first.code, 0, "{}", first.golden());
    // The retry resolves its defaults differently (another time); it answers with the original.
    let retry = env.run(&[
        "record",
        "propose",
        "--doc",
        DOC,
        "--by",
        "ben-okafor",
        "--id",
        id,
        "--clause",
        "decides/1",
        "--replace",
        "10",
        "--with",
        "8",
        "--json",
    ]);
    assert_eq!(retry.code, 0, "{}", retry.golden());
    assert_eq!(retry.json()["seq"], first.json()["seq"]);
    assert_eq!(retry.json()["amendment"], "by-law-7-amendment-1");
    assert_eq!(retry.json()["existed"], true);

    let stale = env.run(&[
        "record",
        "take-up",
        DOC,
        "--body",
        "works",
        "--at",
        "2030-03-02 10:40",
        "--expected-version",
        "1",
    ]);
    assert_eq!(stale.code, 3, "{}", stale.golden());
    let ok = env.run(&[
        "record",
        "take-up",
        DOC,
        "--body",
        "works",
        "--at",
        "2030-03-02 10:40",
        "--expected-version",
        "3",
        "--json",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.golden());
    assert_eq!(ok.json()["version"], 4);
}

fn the_riverton_council_is_recorded_by_its_script_and_clerks_race_fairly(b: Backend) {
    let env = TestEnv::on(b);
    let out = minutes_tests::run_riverton_script(&env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "record.sh failed: {stderr}");
    assert!(stderr.contains("amendment 'res-12-amendment-2' touches 'forty' in resolves/1, as pending amendment 'sixty-trees' does"), "{stderr}");
    let d = "example-riverton/res-12";
    let golden = |r: Run| redact(&r.golden());
    insta::assert_snapshot!("riverton_state", golden(env.run(&["state", d, "--at", "2031-06-10 18:00"])));
    insta::assert_snapshot!(
        "riverton_diff",
        golden(env.run(&["diff", d, "--from", "2031-06-10 09:00", "--to", "2031-06-10 18:00"]))
    );
    insta::assert_snapshot!("riverton_blame", golden(env.run(&["blame", d, "--at", "2031-06-10 18:00"])));
    insta::assert_snapshot!("riverton_replay", golden(env.run(&["replay", "example-riverton"])));

    // Races, on a fresh draft of the same meeting.
    let text = root().join("events/examples/riverton-council/res-12.txt").display().to_string();
    let d = "example-riverton/res-14";
    env.ok(&[
        "record",
        "table",
        d,
        "--title",
        "Race",
        "--text",
        &text,
        "--body",
        "finance",
        "--at",
        "2031-06-10 12:00",
    ]);
    env.ok(&["record", "take-up", d, "--body", "finance", "--at", "2031-06-10 12:01"]);
    let prop = |by: &str, old: &str| {
        vec![
            "record",
            "propose",
            "--doc",
            d,
            "--by",
            by,
            "--clause",
            "resolves/2",
            "--replace",
            old,
            "--with",
            "x",
            "--at",
            "2031-06-10 12:05",
            "--json",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let (a, b) = (prop("clr-osei", "parks"), prop("clr-park", "budget"));
    // Two clerks record different amendments of one draft at once: both succeed, with
    // distinct ids even though both computed the same generated one.
    let (x, y) = race(&env, &strs(&a), &strs(&b));
    assert_eq!((x.code, y.code), (0, 0), "{}\n{}", x.golden(), y.golden());
    assert_ne!(x.json()["amendment"], y.json()["amendment"]);
    // Two clerks race on one amendment's fate: exactly one wins; the loser names the fate.
    let accept = ["record", "accept", "res-14-amendment-1", "--at", "2031-06-10 12:10"];
    let reject = ["record", "reject", "res-14-amendment-1", "--at", "2031-06-10 12:10"];
    let (x, y) = race(&env, &accept, &reject);
    let mut codes = [x.code, y.code];
    codes.sort();
    assert_eq!(codes, [0, 1], "{}\n{}", x.golden(), y.golden());
    let loser = if x.code == 1 { &x } else { &y };
    assert!(
        loser.stderr.contains("is already accepted") || loser.stderr.contains("is already rejected"),
        "{}",
        loser.golden()
    );
    // With --expected-version, the loser exits 3.
    let version = env.ok(&["state", d, "--json"]).json()["version"].to_string();
    let w = [
        "record",
        "withdraw",
        "res-14-amendment-2",
        "--expected-version",
        &version,
        "--at",
        "2031-06-10 12:15",
    ];
    let s = [
        "record",
        "statement",
        "--doc",
        d,
        "--summary",
        "spoke",
        "--expected-version",
        &version,
        "--at",
        "2031-06-10 12:15",
    ];
    let (x, y) = race(&env, &w, &s);
    let mut codes = [x.code, y.code];
    codes.sort();
    assert_eq!(codes, [0, 3], "{}\n{}", x.golden(), y.golden());
}

fn strs(x: &[String]) -> Vec<&str> {
    x.iter().map(String::as_str).collect()
}

/// Amendment ids are unique within the meeting, so that a fate names one amendment alone: a
/// given id already proposed to another document is refused, and a fate finds its document.
fn a_given_amendment_id_is_unique_within_the_meeting(b: Backend) {
    let env = council(b);
    let text = root().join("events/examples/harbour-board/by-law-7.txt").display().to_string();
    let other = "example-harbour/by-law-8";
    env.ok(&[
        "record",
        "table",
        other,
        "--title",
        "Other",
        "--text",
        &text,
        "--by",
        "ana-ruiz",
        "--body",
        "works",
        "--at",
        "2030-03-02 10:00",
    ]);
    env.ok(&["record", "take-up", other, "--body", "works", "--at", "2030-03-02 10:06"]);
    let r = propose(
        &env,
        &[
            "--amendment",
            "fee-8",
            "--clause",
            "decides/1",
            "--replace",
            "10 per night",
            "--with",
            "8 per night",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.golden());
    let again = env.run(&[
        "record",
        "propose",
        "--doc",
        other,
        "--by",
        "ben-okafor",
        "--amendment",
        "fee-8",
        "--clause",
        "decides/1",
        "--replace",
        "10",
        "--with",
        "9",
        "--at",
        "2030-03-02 10:21",
    ]);
    assert_eq!(again.code, 1, "{}", again.golden());
    assert!(
        again.stderr.contains("fee-8")
            && again.stderr.contains(DOC)
            && again.stderr.contains("unique within the meeting"),
        "{}",
        again.golden()
    );
    let accepted =
        env.run(&["record", "accept", "fee-8", "--decided-by", "vote", "--at", "2030-03-02 10:30", "--json"]);
    assert_eq!(accepted.code, 0, "{}", accepted.golden());
    assert_eq!(accepted.json()["document"], DOC);
}
