//! `import` at its edges: times outside RFC 3339's years, and input that cannot be read twice
//! (standard input, a pipe, a FIFO), each all or nothing.

use minutes_tests::{example_steps, example_store, TestEnv};

/// How many events the store holds, by `verify --json`.
fn events(env: &TestEnv) -> u64 {
    env.ok(&["verify", "--json"]).json()["events"].as_u64().unwrap()
}

#[test]
fn an_import_of_a_year_past_9999_is_refused_naming_the_line_and_field() {
    let env = example_store(0);
    let before = events(&env);
    let steps = example_steps();
    for (field, bad) in [
        ("occurred.to", steps[1].replace(r#""to": "2030-03-02T"#, r#""to": "+12030-03-02T"#)),
        ("occurred.from", steps[1].replace(r#""from": "2030-03-02T"#, r#""from": "+2030-03-02T"#)),
        (
            "recorded_at",
            steps[1].replace(r#""v": 1,"#, r#""v": 1, "recorded_at": "9999-12-31T23:00:00-05:00","#),
        ),
    ] {
        assert_ne!(bad, steps[1], "the step was changed");
        let file = env.file("years.jsonl", &format!("{}\n{bad}\n", steps[0]));
        let r = env.run(&["import", file.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{field}: {}", r.golden());
        assert!(r.stderr.contains("years.jsonl:2:") && r.stderr.contains(field), "{field}: {}", r.golden());
        assert!(r.stderr.contains("0000 to 9999"), "{field}: {}", r.golden());
        assert_eq!(events(&env), before, "{field}: nothing is written");
    }
}

/// The example's steps as JSON Lines; with `bad`, line 3 accepts an amendment never proposed.
fn lines(bad: bool) -> String {
    let mut steps = example_steps();
    if bad {
        steps[2] = steps[2].replace("fee-8", "fee-9");
    }
    steps.join("\n") + "\n"
}

/// Checks one way of giving the input: a bad line is named and writes nothing; the good input
/// imports every step.
fn all_or_nothing(name: &str, import: impl Fn(&TestEnv, &str) -> minutes_tests::Run) {
    let env = example_store(0);
    let before = events(&env);
    let r = import(&env, &lines(true));
    assert_eq!(r.code, 1, "{name}: {}", r.golden());
    assert!(r.stderr.contains(":3:") && r.stderr.contains("fee-9"), "{name}: {}", r.golden());
    assert_eq!(events(&env), before, "{name}: nothing is written");
    let r = import(&env, &lines(false));
    assert_eq!(r.code, 0, "{name}: {}", r.golden());
    assert_eq!(events(&env), before + example_steps().len() as u64, "{name}");
}

#[test]
fn import_reads_standard_input_as_dash_and_as_dev_stdin() {
    all_or_nothing("-", |env, text| env.run_with(&["import", "-"], Some(text)));
    let r = example_store(0).run_with(&["import", "-"], Some(&lines(true)));
    assert!(r.stderr.contains("standard input:3:"), "{}", r.golden());
    all_or_nothing("/dev/stdin", |env, text| env.run_with(&["import", "/dev/stdin"], Some(text)));
}

/// Makes a FIFO in the env's directory.
fn fifo(env: &TestEnv) -> std::path::PathBuf {
    let path = env.dir().join("events.fifo");
    let _ = std::fs::remove_file(&path);
    let made = std::process::Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(made.success(), "mkfifo");
    path
}

#[test]
fn import_reads_a_fifo() {
    all_or_nothing("fifo", |env, text| {
        let path = fifo(env);
        let text = text.to_string();
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || std::fs::write(path, text).unwrap())
        };
        let r = env.run(&["import", path.to_str().unwrap()]);
        writer.join().unwrap();
        r
    });
}

#[test]
fn an_import_waiting_for_its_input_does_not_hold_the_write_lock() {
    let env = example_store(0);
    let path = fifo(&env);
    let import = env
        .command(&["import", path.to_str().unwrap()])
        .env("MINUTES_NOW", "2030-03-03T00:00:00Z")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut fifo = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    let steps = example_steps();
    std::io::Write::write_all(&mut fifo, format!("{}\n", steps[0]).as_bytes()).unwrap();
    // The import has begun reading and waits for more: another writer is not kept waiting.
    let r = env.run_with(&["append"], Some(&steps[0]));
    assert_eq!(r.code, 0, "{}", r.golden());
    std::io::Write::write_all(&mut fifo, format!("{}\n", steps[1]).as_bytes()).unwrap();
    drop(fifo);
    let out = import.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 1 event"), "{out:?}");
}

/// Regular files whose events carry no `seq` are read in one pass: a refused event, a line
/// that is not JSON and a line that is not an event are each named by file and line, blank
/// lines and earlier files counted, exactly as the two passes of standard input name them, and
/// nothing is written.
#[test]
fn a_file_read_in_one_pass_names_a_bad_line_as_standard_input_does() {
    let env = example_store(0);
    let before = events(&env);
    let steps = example_steps();
    let first = env.file("first.jsonl", &format!("{}\n", steps[0]));
    let second_text = |bad: &str| format!("{}\n\n\n{bad}\n{}\n", steps[1], steps[2]);
    let wrong_fate = steps[2].replace("fee-8", "fee-9");
    for (bad, says) in [
        (wrong_fate.as_str(), "fee-9"),
        (r#"{"id": oops}"#, "expected value"),
        (r#"{"id": "x", "type": "StatementMade"}"#, "UUID"),
    ] {
        let second = env.file("second.jsonl", &second_text(bad));
        let files = [first.to_str().unwrap(), second.to_str().unwrap()];
        let r = env.run(&["import", files[0], files[1]]);
        assert_eq!(r.code, 1, "{says}: {}", r.golden());
        assert!(r.stderr.contains("second.jsonl:4:") && r.stderr.contains(says), "{says}: {}", r.golden());
        assert_eq!(events(&env), before, "{says}: nothing is written");
        let piped = format!("{}\n{}", steps[0], second_text(bad));
        let two_passes = env.run_with(&["import", "-"], Some(&piped));
        let after = |r: &minutes_tests::Run, at: &str| r.stderr.split_once(at).map(|(_, m)| m.to_string());
        assert_eq!(after(&r, "second.jsonl:4: "), after(&two_passes, "standard input:5: "), "{says}");
    }
}
