//! The bundled WTPF-13 record: every event cites a quote really in its source, the record
//! replays, and the texts it replays to are the adopted Opinions of Part II, word for word.

use std::collections::HashSet;
use std::path::Path;

use minutes_core::event::Event;
use minutes_core::record;
use minutes_tests::{root, TestEnv};

fn record_dir() -> std::path::PathBuf {
    root().join("events/wtpf-13")
}

/// Every event of the record, loaded from the files as a reviewer reads them.
fn events() -> Vec<Event> {
    minutes_tests::record_events()
}

fn fixture(n: u32) -> String {
    std::fs::read_to_string(root().join(format!("tests/fixtures/adopted/opinion-{n}.txt")))
        .unwrap()
        .trim_end()
        .to_string()
}

/// A store holding the bundled record.
fn store() -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["init"]);
    env
}

fn state(env: &TestEnv, doc: &str, at: &str) -> serde_json::Value {
    env.ok(&["state", doc, "--at", at, "--json"]).json()
}

#[test]
fn every_event_cites_a_quote_that_is_in_its_source() {
    let sources = record_dir().join("sources");
    let read = |f: &str| {
        let p = sources.join(f);
        (Path::new(f).components().count() == 1).then(|| std::fs::read_to_string(p).ok()).flatten()
    };
    let problems = record::check_sources(&events(), &read);
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn every_event_has_its_own_id_and_a_recorded_time() {
    let evs = events();
    let mut seen = HashSet::new();
    for e in &evs {
        assert!(seen.insert(e.id), "id {} is used twice", e.id);
        assert!(e.recorded_at.is_some(), "event {} has no recorded_at", e.id);
    }
}

#[test]
fn the_record_replays_and_verifies() {
    let env = store();
    let n = events().len();
    let replay = env.ok(&["replay", "wtpf-13", "--json"]);
    assert_eq!(replay.stdout.lines().count(), n);
    assert_eq!(env.ok(&["verify", "--json"]).json()["events"], n);
}

#[test]
fn the_opinions_replay_to_the_adopted_texts_of_part_two() {
    let env = store();
    for n in 1..=6 {
        let s = state(&env, &format!("wtpf-13/opinion-{n}"), "2013-05-17 12:00");
        assert_eq!(s["status"], "adopted", "opinion {n}");
        assert_eq!(s["text"].as_str().unwrap(), fixture(n), "opinion {n} differs from Part II");
    }
}

#[test]
fn opinion_3_follows_working_group_2() {
    let env = store();
    let s = state(&env, "wtpf-13/opinion-3", "2013-05-15 09:00");
    assert_eq!(s["status"], "under_consideration");
    assert_eq!(s["body"], "wg-2");
    let s = state(&env, "wtpf-13/opinion-3", "2013-05-15 10:15");
    assert_eq!(s["status"], "endorsed");
    assert_eq!(s["body"], "plenary");
    let turkey: Vec<_> = s["amendments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["proposed_by"] == serde_json::json!(["turkey"]))
        .collect();
    assert_eq!(turkey.len(), 1);
    assert_eq!(turkey[0]["status"], "referred_to_report");
    assert!(s["amendments"].as_array().unwrap().iter().all(|a| a["status"] != "accepted"));
    assert_eq!(s["text"].as_str().unwrap(), fixture(3), "endorsed unaltered");
    let s = state(&env, "wtpf-13/opinion-3", "2013-05-16 12:00");
    assert_eq!(s["status"], "endorsed");
    assert!(s["uncertain"].as_array().unwrap().iter().any(|u| u["type"] == "DraftAdopted"));
    let s = state(&env, "wtpf-13/opinion-4", "2013-05-15 10:15");
    assert_eq!(s["status"], "endorsed");
    assert_eq!(s["text"].as_str().unwrap(), fixture(4));
}

#[test]
fn the_bundled_record_is_read_when_there_is_no_store() {
    let env = TestEnv::new();
    let r = env.run_default(&["state", "wtpf-13/opinion-3", "--at", "2013-05-15 10:15", "--json"]);
    assert_eq!(r.code, 0, "{}", r.golden());
    assert_eq!(r.stderr.lines().count(), 1, "one line says the bundled record is read");
    assert!(std::fs::read_dir(env.dir()).unwrap().next().is_none(), "no store was created");
    assert_eq!(r.json()["status"], "endorsed");
}

#[test]
fn replay_round_trips_through_an_empty_store() {
    let env = store();
    let out = env.ok(&["replay", "wtpf-13", "--json"]);
    let copy = TestEnv::new();
    copy.ok(&["init", "--empty"]);
    let file = copy.file("all.jsonl", &out.stdout);
    copy.ok(&["import", file.to_str().unwrap()]);
    let again = copy.ok(&["replay", "wtpf-13", "--json"]);
    let strip = |s: &str| -> Vec<serde_json::Value> {
        s.lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                for k in ["seq", "version", "hash"] {
                    v.as_object_mut().unwrap().remove(k);
                }
                v
            })
            .collect()
    };
    assert_eq!(strip(&out.stdout), strip(&again.stdout));
}

#[test]
fn a_replay_window_shows_working_group_2() {
    let env = store();
    let r = env.ok(&[
        "replay",
        "wtpf-13",
        "--from",
        "2013-05-15 09:30",
        "--to",
        "2013-05-15 10:10",
        "--body",
        "wg-2",
    ]);
    assert!(r.stdout.contains("Working Group 2 endorsed"), "{}", r.stdout);
}

#[test]
fn every_event_type_is_documented_with_an_example_that_parses() {
    let doc = std::fs::read_to_string(root().join("events/EVENT-TYPES.md")).unwrap();
    let mut documented = HashSet::new();
    for block in doc.split("```json\n").skip(1) {
        let json = block.split("```").next().unwrap();
        let e = Event::from_json(json.trim()).unwrap_or_else(|err| panic!("{err}: {json}"));
        assert!(doc.contains(&format!("### {}\n", e.type_name())), "{} has no heading", e.type_name());
        documented.insert(e.type_name());
    }
    for t in minutes_core::event::EventKind::TYPES {
        assert!(documented.contains(t), "{t} is not documented in events/EVENT-TYPES.md");
    }
}

/// Every amendment of a document at the end of the forum: (id, proposers, fate, wording known).
fn fates(env: &TestEnv, doc: &str) -> Vec<(String, Vec<String>, String, bool)> {
    let s = state(env, doc, "2013-05-17 12:00");
    s["amendments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let by = a["proposed_by"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect();
            (
                a["id"].as_str().unwrap().to_string(),
                by,
                a["status"].as_str().unwrap().to_string(),
                a["wording_known"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn has(f: &[(String, Vec<String>, String, bool)], by: &[&str], fate: &str, wording_known: bool) -> bool {
    f.iter().any(|(_, b, s, w)| b == by && s == fate && *w == wording_known)
}

#[test]
fn every_amendment_has_the_fate_annex_one_reports() {
    let env = store();
    let op1 = fates(&env, "wtpf-13/opinion-1");
    assert_eq!(
        op1.iter().filter(|(_, b, s, _)| b == &["turkey"] && s == "withdrawn").count(),
        2,
        "Turkey's two points: {op1:?}"
    );
    let op2 = fates(&env, "wtpf-13/opinion-2");
    assert!(has(&op2, &["turkey"], "accepted", true), "{op2:?}");
    assert!(has(&op2, &["avanti", "gvf"], "referred_to_report", false), "{op2:?}");
    assert!(has(&op2, &["senegal"], "referred_to_report", false), "{op2:?}");
    assert!(has(&op2, &["ghana"], "referred_to_report", false), "{op2:?}");
    assert_eq!(fates(&env, "wtpf-13/opinion-3").len(), 1);
    assert!(fates(&env, "wtpf-13/opinion-4").is_empty(), "Opinion 4 was endorsed unaltered with no proposal");
    let op5 = fates(&env, "wtpf-13/opinion-5");
    assert!(has(&op5, &["turkey"], "accepted", true), "{op5:?}");
    assert!(has(&op5, &["isoc"], "withdrawn", false), "{op5:?}");
    assert!(
        has(&op5, &["russian-federation"], "transferred", false),
        "taken to Brazil's draft, not withdrawn: {op5:?}"
    );
    let india: Vec<_> =
        op5.iter().filter(|(_, b, _, _)| b == &["india"]).map(|(_, _, s, _)| s.as_str()).collect();
    assert_eq!(india, ["withdrawn", "accepted", "referred_to_report"], "India's three points, in order");
    assert!(
        has(&op5, &[], "accepted", true),
        "the unnamed delegates' \"states\" rather than \"suggests\": {op5:?}"
    );
    let op6 = fates(&env, "wtpf-13/opinion-6");
    assert!(has(&op6, &["turkey"], "withdrawn", true), "{op6:?}");
    assert!(has(&op6, &["india"], "superseded", false), "India's list is not printed: {op6:?}");
    assert!(has(&op6, &[], "accepted", true), "the Working Group's agreed paragraph: {op6:?}");
}

#[test]
fn brazils_draft_is_not_endorsed_and_has_no_borrowed_text() {
    let env = store();
    for symbol in ["WTPF-13/5", "wtpf 13/5 Rev. 1"] {
        let s = state(&env, symbol, "2013-05-17 12:00");
        assert_eq!(s["document"], "wtpf-13/brazil-role-of-governments");
        assert_eq!(s["status"], "not_endorsed");
        assert_eq!(s["body"], "wg-3");
        assert_eq!(s["text"], serde_json::Value::Null);
    }
}

#[test]
fn the_working_groups_endorse_in_the_order_annex_one_reports() {
    let env = store();
    let at = |t: &str, n: u32| {
        state(&env, &format!("wtpf-13/opinion-{n}"), t)["status"].as_str().unwrap().to_string()
    };
    // 14 May, after Working Group 1: Opinions 1 and 2 endorsed, the others still before their groups.
    assert_eq!(
        [1, 2, 3, 4, 5, 6].map(|n| at("2013-05-14 18:00", n)),
        [
            "endorsed",
            "endorsed",
            "under_consideration",
            "under_consideration",
            "under_consideration",
            "under_consideration"
        ]
    );
    // 16 May 11:00, after Working Group 3: all six endorsed, adoption not yet certain.
    assert_eq!([1, 2, 3, 4, 5, 6].map(|n| at("2013-05-16 11:00", n)), ["endorsed"; 6]);
}

#[test]
fn observer_accounts_are_marked_and_cite_their_posts() {
    let observed: Vec<_> =
        events().into_iter().filter(|e| e.account == minutes_core::event::Account::Observer).collect();
    assert!(observed.len() >= 4, "the blog posts and the press release report events the report does not");
    for e in &observed {
        let file = &e.source.as_ref().unwrap().file;
        assert!(!file.starts_with("002_"), "event {} is marked observer but cites the official report", e.id);
    }
}

#[test]
fn blame_diff_and_replay_answer_the_questions_of_the_record() {
    let env = store();
    insta::assert_snapshot!("blame_opinion_2", env.ok(&["blame", "wtpf-13/opinion-2"]).stdout);
    insta::assert_snapshot!(
        "diff_opinion_5",
        env.ok(&["diff", "wtpf-13/opinion-5", "--from", "2013-05-15 10:00", "--to", "2013-05-16 12:00"])
            .stdout
    );
    insta::assert_snapshot!("replay_turkey", env.ok(&["replay", "wtpf-13", "--actor", "turkey"]).stdout);
    insta::assert_snapshot!(
        "state_opinion_3_at_1015",
        env.ok(&["state", "wtpf-13/opinion-3", "--at", "2013-05-15 10:15"]).stdout
    );
    let blame = env.ok(&["blame", "wtpf-13/opinion-2", "--json"]).json();
    let line = blame["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["text"].as_str().unwrap().contains("in all relevant international"))
        .unwrap();
    assert_eq!(line["origin"]["amendment"]["proposed_by"], serde_json::json!(["turkey"]));
    assert_eq!(line["origin"]["amendment"]["body"], "wg-1");
    assert!(line["origin"]["event"]["occurred"]["from"].as_str().unwrap().starts_with("2013-05-14"));
    let diff = env
        .ok(&[
            "diff",
            "wtpf-13/opinion-5",
            "--from",
            "2013-05-15 10:00",
            "--to",
            "2013-05-16 12:00",
            "--json",
        ])
        .json();
    let paths: Vec<_> =
        diff["changes"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["recognizing/a", "invites/c"], "exactly the two changes Annex I 3.2 reports");
}
