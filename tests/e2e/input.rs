//! What `append` and `import` read: who recorded an event (`--clerk`, `MINUTES_CLERK`).

use minutes_tests::{example_steps, TestEnv};

fn example(upto: usize) -> TestEnv {
    minutes_tests::example_store(upto)
}

/// The stored JSON of the event with this id, as `replay --json` prints it.
fn stored(env: &TestEnv, id: &str) -> serde_json::Value {
    let r = env.ok(&["replay", "example-harbour", "--json"]);
    r.stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no event {id} in\n{}", r.stdout))
}

#[test]
fn the_clerk_is_stamped_from_the_flag_or_the_environment_and_a_given_one_is_kept() {
    let env = example(0);
    let steps = example_steps();
    let id =
        |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap()["id"].as_str().unwrap().to_string();
    // Nobody named: no recorded_by at all.
    assert!(stored(&env, "0190f3a0-0000-7000-8000-00000000e001").get("recorded_by").is_none());
    // The environment, then the flag over it.
    let r = env.run_env(&["append"], Some(steps[0].as_bytes()), &[("MINUTES_CLERK", "Ana Ruiz")]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(stored(&env, &id(&steps[0]))["recorded_by"], "Ana Ruiz");
    let r = env.run_env(
        &["--clerk", "Bo Lind", "append"],
        Some(steps[1].as_bytes()),
        &[("MINUTES_CLERK", "Ana Ruiz")],
    );
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(stored(&env, &id(&steps[1]))["recorded_by"], "Bo Lind");
    // A retry by another clerk is the same event: a no-op that keeps the first clerk.
    let r = env.run_env(&["append", "--json"], Some(steps[1].as_bytes()), &[("MINUTES_CLERK", "Cy Moro")]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(r.json()["existed"], true);
    assert_eq!(stored(&env, &id(&steps[1]))["recorded_by"], "Bo Lind");
    // An event that names its clerk keeps it.
    let given = steps[2].replacen("\"type\"", "\"recorded_by\": \"Di Sato\", \"type\"", 1);
    let r = env.run_env(&["--clerk", "Bo Lind", "append"], Some(given.as_bytes()), &[]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(stored(&env, &id(&steps[2]))["recorded_by"], "Di Sato");
    env.ok(&["verify"]);
}

#[test]
fn a_bad_clerk_is_a_usage_error() {
    let env = example(0);
    let r = env.run(&["--clerk", "", "replay", "example-harbour"]);
    assert_eq!(r.code, 2, "{}", r.golden());
    assert!(r.stderr.contains("clerk"), "{}", r.golden());
    let r = env.run_env(&["replay", "example-harbour"], None, &[("MINUTES_CLERK", "a\tb")]);
    assert_eq!(r.code, 2, "{}", r.golden());
    assert!(r.stderr.contains("control characters"), "{}", r.golden());
}
