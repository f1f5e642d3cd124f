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

/// The example's step `n` (0-based) as a JSON object.
fn step(n: usize) -> serde_json::Value {
    serde_json::from_str(&example_steps()[n]).unwrap()
}

#[test]
fn json_times_may_be_local_to_the_meeting_and_are_stored_with_their_offset() {
    let env = example(1);
    let mut e = step(1);
    e["occurred"] = serde_json::json!({ "from": "2030-03-02 10:20", "to": "2030-03-02 10:20" });
    let r = env.run_with(&["append"], Some(&e.to_string()));
    assert_eq!(r.code, 0, "{}", r.golden());
    let stored = stored(&env, e["id"].as_str().unwrap());
    assert_eq!(stored["occurred"]["from"], "2030-03-02T10:20:00+01:00");
    // The same event written in RFC 3339 is the same event: a retry.
    let r = env.run_with(&["append", "--json"], Some(&example_steps()[1]));
    assert_eq!(r.json()["existed"], true, "{}", r.golden());
    // A time the clocks skipped (Zurich, 2030-03-31 02:30) is refused, naming the field.
    let mut gap = step(2);
    gap["occurred"]["to"] = serde_json::json!("2030-03-31 02:30");
    let r = env.run_with(&["append"], Some(&gap.to_string()));
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(
        r.stderr.contains("occurred.to: '2030-03-31 02:30' does not exist in Europe/Zurich"),
        "{}",
        r.golden()
    );
    // A meeting the store does not hold: its zone is not known.
    let mut unknown = step(2);
    unknown["meeting"] = serde_json::json!("no-such-meeting");
    unknown["occurred"]["from"] = serde_json::json!("2030-03-02 10:30");
    let r = env.run_with(&["append"], Some(&unknown.to_string()));
    assert_eq!(r.code, 1, "{}", r.golden());
    assert!(
        r.stderr.contains(
            "'2030-03-02 10:30' is a local time, but the time zone of meeting 'no-such-meeting' is not known"
        ),
        "{}",
        r.golden()
    );
}

#[test]
fn import_reads_local_times_in_the_zone_of_a_meeting_declared_earlier_in_it() {
    let env = TestEnv::new();
    env.ok(&["init", "--empty"]);
    let declared = serde_json::json!({
        "id": "0190f3a0-0000-7000-8000-0000000a0001", "type": "MeetingDeclared", "v": 1, "meeting": "river-board",
        "document": null, "occurred": { "from": "2030-01-10 09:00", "to": "2030-01-10 09:00" }, "phase": "preparatory",
        "source": null, "data": { "title": "River Board", "venue": "Quay", "time_zone": "America/New_York",
        "first_day": "2030-03-02", "last_day": "2030-03-02", "bodies": [{ "id": "board", "name": "Board" }] }
    });
    let opened = serde_json::json!({
        "id": "0190f3a0-0000-7000-8000-0000000a0002", "type": "MeetingOpened", "v": 1, "meeting": "river-board",
        "document": null, "body": "board", "occurred": { "from": "2030-03-02 09:00", "to": "2030-03-02 09:05" },
        "recorded_at": "2030-03-02 18:00", "source": null, "data": {}
    });
    let file = env.file("river.jsonl", &format!("{declared}\n{opened}\n"));
    env.ok(&["import", file.to_str().unwrap()]);
    let r = env.ok(&["replay", "river-board", "--json"]);
    assert!(r.stdout.contains(r#""from":"2030-01-10T09:00:00-05:00""#), "{}", r.golden());
    assert!(
        r.stdout
            .contains(r#""occurred":{"from":"2030-03-02T09:00:00-05:00","to":"2030-03-02T09:05:00-05:00"}"#),
        "{}",
        r.golden()
    );
    assert!(r.stdout.contains(r#""recorded_at":"2030-03-02T18:00:00-05:00""#), "{}", r.golden());
    // A later import finds the zone of the meeting in the store.
    let mut closed = opened.clone();
    closed["id"] = serde_json::json!("0190f3a0-0000-7000-8000-0000000a0003");
    closed["type"] = serde_json::json!("MeetingClosed");
    closed["occurred"] = serde_json::json!({ "from": "2030-03-02 17:00", "to": "2030-03-02 17:30" });
    let file = env.file("river-2.jsonl", &format!("{closed}\n"));
    env.ok(&["import", file.to_str().unwrap()]);
    let r = env.ok(&["replay", "river-board", "--json"]);
    assert!(r.stdout.contains(r#""from":"2030-03-02T17:00:00-05:00""#), "{}", r.golden());
}

#[test]
fn a_refused_field_is_named_by_its_path() {
    let env = example(1);
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut e = step(1);
        f(&mut e);
        let r = env.run_with(&["append"], Some(&e.to_string()));
        assert_eq!(r.code, 1, "{}", r.golden());
        r.stderr
    };
    let no_offset = with(&|e| e["occurred"]["from"] = serde_json::json!("2030-03-02T10:20"));
    assert!(
        no_offset.contains(
            "standard input: occurred.from: '2030-03-02T10:20' is not a time; use RFC 3339 with an offset"
        ),
        "{no_offset}"
    );
    assert!(no_offset.contains("or YYYY-MM-DD HH:MM in the meeting's time zone"), "{no_offset}");
    let v = with(&|e| e["v"] = serde_json::json!("1"));
    assert!(v.contains("standard input: v: invalid type: string \"1\", expected u32"), "{v}");
    let actor = with(&|e| e["actors"] = serde_json::json!(["ben-okafor", "Ben Okafor"]));
    assert!(actor.contains("standard input: actors[1]: actor id 'Ben Okafor' is not valid"), "{actor}");
    let path = with(&|e| e["data"]["operations"][0]["path"] = serde_json::json!(7));
    assert!(path.contains("standard input: data.operations[0].path: invalid type: integer `7`"), "{path}");
    // The same through import, after the file and line.
    let mut e = step(1);
    e["v"] = serde_json::json!("1");
    let file = env.file("bad.jsonl", &format!("{e}\n"));
    let r = env.run(&["import", file.to_str().unwrap()]);
    assert!(r.stderr.contains("bad.jsonl:1: v: invalid type: string \"1\", expected u32"), "{}", r.golden());
}

#[test]
fn the_same_event_without_an_id_appended_twice_is_one_event() {
    let env = example(1);
    let mut e = step(1);
    e.as_object_mut().unwrap().remove("id");
    let text = e.to_string();
    let first = env.run_with(&["append"], Some(&text));
    assert_eq!(first.code, 0, "{}", first.golden());
    let again = env.run_with(&["append"], Some(&text));
    assert_eq!(again.code, 0, "{}", again.golden());
    assert_eq!(first.stdout, again.stdout, "the same seq and id");
    let json = env.run_with(&["append", "--json"], Some(&text)).json();
    assert_eq!(json["existed"], true);
    assert_eq!(format!("{} {}\n", json["seq"], json["id"].as_str().unwrap()), first.stdout);
    // The stream and import derive the same id: still one event.
    let r = env.run_with(&["append", "--stream"], Some(&format!("{text}\n{text}\n")));
    assert_eq!(r.stdout, format!("{0}{0}", first.stdout), "{}", r.golden());
    let file = env.file("again.jsonl", &format!("{text}\n"));
    let r = env.ok(&["import", "--json", file.to_str().unwrap()]);
    assert_eq!(r.json()["existed"], 1, "{}", r.golden());
    let count = env.ok(&["replay", "example-harbour", "--json"]).stdout.lines().count();
    let other = text.replace("\"fee-8\"", "\"fee-9\"");
    let r = env.run_with(&["append"], Some(&other));
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_ne!(r.stdout, first.stdout, "other content, another event");
    assert_eq!(env.ok(&["replay", "example-harbour", "--json"]).stdout.lines().count(), count + 1);
}

/// `append` accepts a proposal that touches words another pending amendment touches, and says
/// so, naming the other amendment and the words.
#[test]
fn append_warns_of_a_proposal_that_conflicts_with_a_pending_one() {
    let env = minutes_tests::example_store(2);
    let rival = minutes_tests::example_steps()[1]
        .replace("00000000e012", "00000000e099")
        .replace("\"fee-8\"", "\"fee-12\"")
        .replace("\"8 per night\"", "\"12 per night\"");
    let r = env.run_with(&["append"], Some(&rival));
    assert_eq!(r.code, 0, "{}", r.golden());
    assert!(
        r.stderr.contains("fee-12") && r.stderr.contains("fee-8") && r.stderr.contains("10 per night"),
        "{}",
        r.golden()
    );
    let s = env.ok(&["state", "example-harbour/by-law-7", "--at", "2030-03-02 10:25", "--json"]).json();
    assert_eq!(s["conflicts"][0]["amendment"], "fee-12", "{s}");
    assert_eq!(s["conflicts"][0]["with"], "fee-8", "{s}");
}
