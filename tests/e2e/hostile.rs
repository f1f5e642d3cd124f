//! Hostile input: every file of tests/hostile/ is refused with a clear error, exit 1, and the log unchanged.
//!
//! The corpus is the files of `tests/hostile/`; the index below says, for each, the store it
//! meets (the example meeting of `events/examples/harbour-board` up to a step), the line the
//! refusal must name and what it must say. Inputs too big or too deep to keep in the repository
//! (a line over 1 MiB, a 100 MB line, 100,000 nested arrays) are generated in the test's
//! temporary directory. For every refusal: exit 1, the message names the input (file and line,
//! or standard input) and the problem, nothing panicked, and the log is unchanged: the chain
//! head and the event count of `verify --json`, and the store's bytes, are equal before and
//! after. Names full of SQL and shell metacharacters, otherwise valid, are stored verbatim.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use minutes_tests::{root, Run, TestEnv};

/// The most one event may take, in bytes (the binary's limit).
const MAX_EVENT_BYTES: usize = 1 << 20;

macro_rules! corpus {
    ($($test:ident: $file:literal after $steps:literal steps, $line:expr, says [$($says:literal),* $(,)?];)*) => {
        /// Every file of the corpus that must be refused.
        const REFUSED: &[&str] = &[$($file),*];
        $(
            #[test]
            fn $test() {
                refused_file($file, $steps, $line, &[$($says),*]);
            }
        )*
    };
}

// The index of the corpus: file, the example's steps appended before it, the line to name
// (None for a record file, whose parser gives its own position), and what the message says.
corpus! {
    malformed_json: "malformed-json.jsonl" after 0 steps, Some(2), says ["EOF while parsing"];
    a_json_array_instead_of_an_object: "json-array.jsonl" after 0 steps, Some(1), says ["an event is a JSON object"];
    an_empty_event_object: "empty-object.jsonl" after 0 steps, Some(1), says ["missing field `type`"];
    invalid_utf8: "invalid-utf8.jsonl" after 0 steps, Some(1), says ["not UTF-8 (byte 414)"];
    a_surrogate_encoded_in_utf8: "utf8-encoded-surrogate.jsonl" after 0 steps, Some(1), says ["not UTF-8"];
    a_lone_surrogate_escape: "lone-surrogate-escape.jsonl" after 0 steps, Some(1), says ["hex escape"];
    a_raw_nul_byte_in_a_string: "nul-byte.jsonl" after 0 steps, Some(1), says ["control character"];
    an_unknown_event_type: "unknown-type.jsonl" after 0 steps, Some(1), says ["unknown event type 'AmendmentTeleported'"];
    a_missing_envelope_field: "missing-envelope-field.jsonl" after 0 steps, Some(1), says ["missing field `occurred`"];
    a_missing_data: "missing-data.jsonl" after 0 steps, Some(1), says ["missing field `data`"];
    a_missing_data_field: "missing-data-field.jsonl" after 1 steps, Some(1), says ["data of AmendmentProposed", "missing field `wording_known`"];
    an_unknown_envelope_field: "unknown-envelope-field.jsonl" after 0 steps, Some(1), says ["unknown field `approved_by`"];
    a_field_of_the_wrong_type: "wrong-field-type.jsonl" after 0 steps, Some(1), says ["invalid type", "\"ben-okafor\"", "expected a sequence"];
    an_event_id_that_is_not_a_uuid: "bad-event-id.jsonl" after 0 steps, Some(1), says ["UUID parsing failed"];
    sql_in_a_meeting_id: "bad-meeting-id.jsonl" after 0 steps, Some(1), says ["meeting id 'example-harbour'; DROP TABLE events;--' is not valid"];
    a_schema_version_from_the_future: "newer-schema-version.jsonl" after 0 steps, Some(1), says ["ItemTakenUp has schema version 99"];
    an_unknown_meeting: "unknown-meeting.jsonl" after 0 steps, Some(1), says ["meeting 'atlantis-2030' was never declared"];
    an_unknown_document: "unknown-document.jsonl" after 0 steps, Some(1), says ["document 'example-harbour/by-law-99' does not exist"];
    an_unknown_actor: "unknown-actor.jsonl" after 0 steps, Some(1), says ["actor 'carla-nobody' is not registered"];
    an_unknown_body: "unknown-body.jsonl" after 0 steps, Some(1), says ["body 'senate' is not a body of the meeting"];
    an_amendment_to_a_clause_that_does_not_exist: "amendment-no-such-clause.jsonl" after 1 steps, Some(1), says ["amendment 'fee-9' does not apply", "no clause decides/9"];
    an_amendment_whose_anchor_does_not_exist: "amendment-no-such-anchor.jsonl" after 1 steps, Some(1), says ["amendment 'fee-11' does not apply", "the words '12 per night' are not in decides/1"];
    withdrawing_an_accepted_amendment: "withdraw-accepted-amendment.jsonl" after 3 steps, Some(1), says ["amendment 'fee-8' is already accepted", "only a pending amendment can be withdrawn"];
    endorsing_a_draft_not_taken_up: "endorse-not-taken-up.jsonl" after 0 steps, Some(1), says ["document 'example-harbour/by-law-7' is tabled", "taken it up"];
    adopting_a_draft_twice: "adopt-twice.jsonl" after 5 steps, Some(1), says ["document 'example-harbour/by-law-7' is adopted"];
    a_window_that_ends_before_it_starts: "window-ends-before-start.jsonl" after 0 steps, Some(1), says ["ends (2030-03-02T10:00:00+01:00) before it starts (2030-03-02T11:00:00+01:00)"];
    a_window_outside_the_meeting_without_a_phase: "outside-meeting-dates.jsonl" after 0 steps, Some(1), says ["occurred 2030-03-09T10:00:00+01:00 lies outside the meeting's dates", "preparatory"];
    an_id_in_the_log_with_other_content: "same-id-other-content.jsonl" after 2 steps, Some(1), says ["event 0190f3a0-0000-7000-8000-00000000e012", "already in the log with other content"];
    an_id_twice_in_one_file_with_other_content: "same-id-twice-in-file.jsonl" after 0 steps, Some(2), says ["event 0190f3a0-0000-7000-8000-00000000f001", "with other content"];
    correcting_an_event_of_another_stream: "correct-another-streams-event.jsonl" after 5 steps, Some(1), says ["event 0190f3a0-0000-7000-8000-00000000e002 is not in the stream of example-harbour/by-law-7"];
    a_malformed_record_file: "malformed-record.toml" after 0 steps, None, says ["TOML parse error at line 5"];
}

/// The files of the corpus that are valid, however odd, and must be stored verbatim.
const ACCEPTED: &[&str] = &["names-with-metacharacters.jsonl", "preparatory-and-follow-up.jsonl"];

fn corpus(file: &str) -> PathBuf {
    root().join("tests/hostile").join(file)
}

fn arg(p: &std::path::Path) -> String {
    p.display().to_string()
}

/// What a refusal must leave as it was: the chain head, the number of events, and the bytes of
/// the store (and of its write-ahead log, if one is left).
#[derive(Debug, PartialEq)]
struct Log {
    head: String,
    events: u64,
    bytes: Vec<u8>,
    wal: Option<Vec<u8>>,
}

fn log(env: &TestEnv) -> Log {
    let v = env.ok(&["verify", "--json"]).json();
    assert_eq!(v["ok"], true, "{v}");
    let mut wal = env.db().into_os_string();
    wal.push("-wal");
    Log {
        head: v["head"].as_str().unwrap_or_default().to_string(),
        events: v["events"].as_u64().unwrap_or_default(),
        bytes: std::fs::read(env.db()).unwrap(),
        wal: std::fs::read(wal).ok(),
    }
}

/// Exit 1, a message naming `input` and saying each of `says`, no panic, the log unchanged.
#[track_caller]
fn assert_refused(env: &TestEnv, r: &Run, input: &str, says: &[&str], before: &Log) {
    assert_eq!(r.code, 1, "exit code\n{}", r.golden());
    assert!(r.stderr.contains(input), "the message does not name the input {input:?}\n{}", r.golden());
    for s in says {
        assert!(r.stderr.contains(s), "the message does not say {s:?}\n{}", r.golden());
    }
    assert!(!r.stderr.contains("panicked"), "{}", r.golden());
    assert!(r.stdout.is_empty(), "a refusal prints nothing on stdout\n{}", r.golden());
    let after = log(env);
    assert!(
        after == *before,
        "the log changed: head {} -> {}, events {} -> {}",
        before.head,
        after.head,
        before.events,
        after.events
    );
}

fn refused_file(file: &str, steps: usize, line: Option<usize>, says: &[&str]) {
    let env = minutes_tests::example_store(steps);
    let before = log(&env);
    let path = corpus(file);
    let r = env.run(&["import", &arg(&path)]);
    let input = match line {
        Some(n) => format!("{}:{n}: ", arg(&path)),
        None => format!("{}: ", arg(&path)),
    };
    assert_refused(&env, &r, &input, says, &before);
    // Named the same way when it comes after a valid file: nothing of either is imported.
    let valid = env.file("valid.jsonl", r#"{"id":"0190f3a0-0000-7000-8000-00000000f0ff","type":"MeetingOpened","v":1,"meeting":"example-harbour","document":null,"body":"board","actors":[],"occurred":{"from":"2030-03-02T09:00:00+01:00","to":"2030-03-02T09:00:00+01:00"},"source":null,"data":{}}"#);
    let r = env.run(&["import", &arg(&valid), &arg(&path)]);
    assert_refused(&env, &r, &input, says, &before);
}

#[test]
fn every_file_of_the_corpus_is_in_the_index() {
    let mut files: Vec<String> = std::fs::read_dir(root().join("tests/hostile"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| !f.starts_with('.') && f != "README.md")
        .collect();
    files.sort();
    let mut indexed: Vec<String> = REFUSED.iter().chain(ACCEPTED).map(|s| s.to_string()).collect();
    indexed.sort();
    assert_eq!(files, indexed, "tests/hostile/ and the index of tests/e2e/hostile.rs differ");
}

// ---------------------------------------------------------------------------------------------
// Inputs generated at test time.

/// A valid event (a statement in the Board) whose line is exactly `len` bytes long.
fn statement_of_len(n: u32, len: usize) -> String {
    let head = format!(
        r#"{{"id":"0190f3a0-0000-7000-8000-00000000f{n:03x}","type":"StatementMade","v":1,"meeting":"example-harbour","document":null,"body":"board","actors":["ana-ruiz"],"occurred":{{"from":"2030-03-02T09:00:00+01:00","to":"2030-03-02T09:00:00+01:00"}},"source":null,"data":{{"stance":"other","summary":""#
    );
    let tail = r#""}}"#;
    let summary = "a".repeat(len - head.len() - tail.len());
    let s = format!("{head}{summary}{tail}");
    assert_eq!(s.len(), len);
    s
}

#[test]
fn a_line_over_1_mib_is_refused_and_one_of_1_mib_is_not() {
    let env = minutes_tests::example_store(0);
    let before = log(&env);
    let file = env.file("long.jsonl", &format!("{}\n", statement_of_len(0x60, MAX_EVENT_BYTES + 1)));
    let r = env.run(&["import", &arg(&file)]);
    assert_refused(&env, &r, "long.jsonl:1: ", &["longer than 1 MiB"], &before);
    // A line just at the limit is an event like any other.
    let file = env.file("limit.jsonl", &format!("{}\n", statement_of_len(0x61, MAX_EVENT_BYTES)));
    let r = env.run(&["import", &arg(&file)]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(log(&env).events, before.events + 1);
}

#[test]
fn a_100_mb_line_is_refused_quickly_without_being_read_whole() {
    use std::io::Write;
    let env = minutes_tests::example_store(0);
    let before = log(&env);
    let path = env.dir().join("huge.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let head = statement_of_len(0x62, 1024);
        f.write_all(&head.as_bytes()[..head.len() - 3]).unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\"}}\n").unwrap();
    }
    assert!(std::fs::metadata(&path).unwrap().len() > 100 << 20);
    let start = Instant::now();
    let r = env.run(&["import", &arg(&path)]);
    let took = start.elapsed();
    assert_refused(&env, &r, "huge.jsonl:1: ", &["longer than 1 MiB"], &before);
    assert!(took < Duration::from_secs(5), "refusing a 100 MB line took {took:?}");
}

/// The same line through a named pipe, which counts what the reader took: the binary stops
/// reading a little past 1 MiB, so a line of any length costs it no more time or memory.
#[cfg(unix)]
#[test]
fn a_100_mb_line_is_read_no_further_than_the_limit() {
    use std::io::Write;
    let env = minutes_tests::example_store(0);
    let before = log(&env);
    let fifo = env.dir().join("feed.jsonl");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            let chunk = vec![b'a'; 64 << 10];
            let mut written = f.write(br#"{"id":"0190f3a0-0000-7000-8000-00000000f063","note":""#).unwrap();
            while written < 100 << 20 {
                match f.write(&chunk) {
                    Ok(n) => written += n,
                    Err(_) => break, // the reader closed the pipe: it read no more
                }
            }
            written
        })
    };
    let r = env.run(&["import", &arg(&fifo)]);
    // Refused as too long, so it opened the pipe: the writer is done or about to be.
    assert_refused(&env, &r, "feed.jsonl:1: ", &["longer than 1 MiB"], &before);
    let written = writer.join().unwrap();
    assert!(written < 4 << 20, "the binary took {written} bytes of a 100 MB line before refusing it");
}

fn nested(depth: usize, open: &str, leaf: &str, close: &str) -> String {
    format!(
        r#"{{"id":"0190f3a0-0000-7000-8000-00000000f064","type":"MeetingOpened","v":1,"meeting":"example-harbour","document":null,"body":"board","actors":[],"occurred":{{"from":"2030-03-02T09:00:00+01:00","to":"2030-03-02T09:00:00+01:00"}},"source":null,"data":{}{}{}}}"#,
        open.repeat(depth),
        leaf,
        close.repeat(depth)
    )
}

#[test]
fn deeply_nested_json_is_refused_without_a_stack_overflow() {
    let env = minutes_tests::example_store(0);
    let before = log(&env);
    for (name, line) in [
        ("arrays.jsonl", nested(100_000, "[", "", "]")),
        ("objects.jsonl", nested(100_000, r#"{"a":"#, "1", "}")),
        // Nested the way a text nests, within the 1 MiB a line may take.
        ("text.jsonl", nested(10_000, r#"{"sections":[{"key":"k","heading":"h","clauses":["#, "", "]}]}")),
    ] {
        let file = env.file(name, &format!("{line}\n"));
        let r = env.run(&["import", &arg(&file)]);
        assert_refused(&env, &r, &format!("{name}:1: "), &["recursion limit exceeded"], &before);
        let r = env.run_with(&["append"], Some(&line));
        assert_refused(&env, &r, "standard input: ", &["recursion limit exceeded"], &before);
    }
}

#[test]
fn a_file_that_cannot_be_read_is_named() {
    let env = minutes_tests::example_store(0);
    let before = log(&env);
    let missing = env.dir().join("no-such-file.jsonl");
    let r = env.run(&["import", &arg(&missing)]);
    assert_refused(&env, &r, "no-such-file.jsonl: ", &["cannot be read"], &before);
    // After a file that is fine: still nothing imported.
    let r = env.run(&["import", &arg(&corpus("preparatory-and-follow-up.jsonl")), &arg(&missing)]);
    assert_refused(&env, &r, "no-such-file.jsonl: ", &["cannot be read"], &before);
    let r = env.run(&["import", &arg(env.dir())]);
    assert_refused(&env, &r, "[TMP]: ", &["cannot be read"], &before);
}

// ---------------------------------------------------------------------------------------------
// Standard input.

#[test]
fn append_refuses_hostile_input_on_standard_input_and_writes_nothing() {
    let bad_line = |f: &str| {
        let bytes = std::fs::read(corpus(f)).unwrap();
        String::from_utf8(bytes).unwrap().lines().last().unwrap().to_string()
    };
    // What cannot be read is named as standard input; an event the rules refuse is named by
    // its id, as the README promises ("a message naming the event and the problem").
    let stdin = "standard input: ";
    let event = |n: u32| format!("event 0190f3a0-0000-7000-8000-00000000f{n:03x}: ");
    let cases: Vec<(usize, String, String, &[&str])> = vec![
        (0, bad_line("malformed-json.jsonl"), stdin.into(), &["EOF while parsing"]),
        (0, String::new(), stdin.into(), &["EOF while parsing"]),
        (0, "{}".into(), stdin.into(), &["missing field `type`"]),
        (0, "[]".into(), stdin.into(), &["an event is a JSON object"]),
        (0, bad_line("nul-byte.jsonl"), stdin.into(), &["control character"]),
        (0, bad_line("unknown-type.jsonl"), stdin.into(), &["unknown event type 'AmendmentTeleported'"]),
        (0, bad_line("missing-envelope-field.jsonl"), stdin.into(), &["missing field `occurred`"]),
        (
            0,
            format!("{}\n{}", bad_line("unknown-actor.jsonl"), bad_line("unknown-body.jsonl")),
            stdin.into(),
            &["trailing characters"],
        ),
        // One byte over the limit (read whole by the binary, so the pipe never breaks).
        (0, statement_of_len(0x65, MAX_EVENT_BYTES + 1), stdin.into(), &["longer than 1 MiB"]),
        (0, bad_line("unknown-meeting.jsonl"), event(0x0e), &["meeting 'atlantis-2030' was never declared"]),
        (0, bad_line("unknown-actor.jsonl"), event(0x10), &["actor 'carla-nobody' is not registered"]),
        (
            1,
            bad_line("amendment-no-such-anchor.jsonl"),
            event(0x13),
            &["the words '12 per night' are not in decides/1"],
        ),
        (
            3,
            bad_line("withdraw-accepted-amendment.jsonl"),
            event(0x14),
            &["amendment 'fee-8' is already accepted"],
        ),
        (0, bad_line("endorse-not-taken-up.jsonl"), event(0x15), &["is tabled"]),
        (5, bad_line("adopt-twice.jsonl"), event(0x16), &["is adopted"]),
        (0, bad_line("window-ends-before-start.jsonl"), event(0x17), &["before it starts"]),
        (0, bad_line("outside-meeting-dates.jsonl"), event(0x18), &["lies outside the meeting's dates"]),
        (
            2,
            bad_line("same-id-other-content.jsonl"),
            "event 0190f3a0-0000-7000-8000-00000000e012: ".into(),
            &["already in the log with other content"],
        ),
    ];
    for (steps, input, names, says) in cases {
        let env = minutes_tests::example_store(steps);
        let before = log(&env);
        let r = env.run_with(&["append"], Some(&input));
        assert_refused(&env, &r, &names, says, &before);
    }
    // At the limit, an event is accepted.
    let env = minutes_tests::example_store(0);
    let r = env.run_with(&["append"], Some(&statement_of_len(0x66, MAX_EVENT_BYTES)));
    assert_eq!(r.code, 0, "{}", r.golden());
}

// ---------------------------------------------------------------------------------------------
// Accepted: odd but valid.

#[test]
fn names_with_sql_and_shell_metacharacters_are_stored_verbatim() {
    let env = minutes_tests::example_store(0);
    let before = log(&env);
    let file = corpus("names-with-metacharacters.jsonl");
    let r = env.run(&["import", &arg(&file)]);
    assert_eq!(r.code, 0, "{}", r.golden());
    let given: Vec<serde_json::Value> =
        std::fs::read_to_string(&file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let after = log(&env);
    assert_eq!(
        after.events,
        before.events + given.len() as u64,
        "every name is one more event, and the table is still there"
    );
    let replay = env.ok(&["replay", "example-harbour", "--json"]);
    let stored: Vec<serde_json::Value> =
        replay.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for g in &given {
        let name = g["data"]["name"].as_str().unwrap();
        let back = stored
            .iter()
            .find(|s| s["id"] == g["id"])
            .unwrap_or_else(|| panic!("{name:?} is not in the replay"));
        assert_eq!(
            back["data"]["name"].as_str().unwrap().as_bytes(),
            name.as_bytes(),
            "the name came back changed"
        );
        assert!(
            replay.stdout.contains(&serde_json::to_string(name).unwrap()),
            "{name:?} is not printed verbatim"
        );
        // The name is a name when asked for, too: nothing in it is interpreted.
        let r = env.run(&["replay", "example-harbour", "--actor", name]);
        assert_eq!(r.code, 0, "{}", r.golden());
    }
    // Importing the same file again is a no-op that changes nothing.
    let r = env.run(&["import", &arg(&file)]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert!(log(&env) == after, "a repeated import changed the log");
}

#[test]
fn preparatory_and_follow_up_events_marked_as_such_are_accepted() {
    let env = minutes_tests::example_store(0);
    let before = log(&env);
    let r = env.run(&["import", &arg(&corpus("preparatory-and-follow-up.jsonl"))]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(log(&env).events, before.events + 2);
}

// Cases found by the corpus and since refused or defused.

#[test]
fn a_key_twice_in_one_object_is_refused() {
    let env = minutes_tests::example_store(0);
    let head = env.run(&["verify", "--json"]).json()["head"].clone();
    let twice = r#"{"id":"0190f3a0-0000-7000-8000-0000000d0001","type":"ActorRegistered","v":1,"meeting":"example-harbour","document":null,"phase":"preparatory","occurred":{"from":"2030-02-01T09:00:00+01:00","to":"2030-02-01T09:00:00+01:00"},"source":null,"data":{"actor":"ci","name":"Côte d'Ivoire","kind":"member_state","name":"Dup"}}"#;
    let file = env.file("twice.jsonl", twice);
    let r = env.run(&["import", &file.display().to_string()]);
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(
        r.stderr.contains("twice.jsonl:1:") && r.stderr.contains("\"name\" appears twice"),
        "{}",
        r.golden()
    );
    let a = env.run_with(&["append"], Some(twice));
    assert_eq!(a.code, 1, "{}", a.golden());
    assert_eq!(env.run(&["verify", "--json"]).json()["head"], head);
}

#[test]
fn control_characters_from_the_log_never_reach_the_terminal_raw() {
    let env = minutes_tests::example_store(1);
    let forged = "Esc\u{1b}[31mRED\u{7}\r\nFAKE LINE";
    let e = serde_json::json!({
        "id": "0190f3a0-0000-7000-8000-0000000d0002", "type": "StatementMade", "v": 1, "meeting": "example-harbour",
        "document": "example-harbour/by-law-7", "body": "works", "actors": ["ana-ruiz"],
        "occurred": { "from": "2030-03-02T10:10:00+01:00", "to": "2030-03-02T10:10:00+01:00" },
        "source": null, "data": { "stance": "other", "summary": forged }
    });
    assert_eq!(env.run_with(&["append"], Some(&e.to_string())).code, 0);
    for args in [&["replay", "example-harbour"][..], &["history", "example-harbour/by-law-7"][..]] {
        let out = env.run(args).stdout;
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\r'),
            "{args:?}: {out:?}"
        );
        assert!(!out.lines().any(|l| l.starts_with("FAKE LINE")), "{args:?} printed a forged line");
        assert!(out.contains("\\u{1b}[31mRED"), "{args:?}: the escape is shown, not obeyed");
    }
    // The JSON output keeps the name byte for byte.
    let json = env.run(&["replay", "example-harbour", "--json"]).stdout;
    assert!(json.contains(r"Esc\u001b[31mRED\u0007\r\nFAKE LINE"), "{json}");
}

#[test]
fn a_refusal_of_append_names_standard_input() {
    let env = minutes_tests::example_store(0);
    let unknown = minutes_tests::example_steps()[0].replace("by-law-7", "by-law-99");
    let r = env.run_with(&["append"], Some(&unknown));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("standard input: event ") && r.stderr.contains("by-law-99"), "{}", r.golden());
}

#[test]
fn append_refuses_bytes_that_are_not_utf8_and_overlong_input_without_reading_it_whole() {
    let env = minutes_tests::example_store(0);
    let head = env.run(&["verify", "--json"]).json()["head"].clone();
    let mut bytes = minutes_tests::example_steps()[0].clone().into_bytes();
    bytes.insert(20, 0xff);
    let r = env.run_bytes(&["append"], Some(&bytes));
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(r.stderr.contains("standard input: not UTF-8"), "{}", r.golden());
    let huge = vec![b' '; 8 << 20];
    let r = env.run_bytes(&["append"], Some(&huge));
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(r.stderr.contains("longer than 1 MiB"), "{}", r.golden());
    assert_eq!(env.run(&["verify", "--json"]).json()["head"], head);
}
