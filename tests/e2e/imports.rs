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
