//! Reading the bundled record through the query layer: what may be pending, uncertain events
//! named by what they are, diffs anchored on events, the listing, and JSON beside text.

use minutes_tests::TestEnv;

fn json(env: &TestEnv, args: &[&str]) -> serde_json::Value {
    let r = env.run_default(args);
    assert_eq!(r.code, 0, "{}", r.golden());
    r.json()
}

#[test]
fn state_names_uncertain_events_and_the_amendments_that_may_be_pending() {
    let env = TestEnv::new();
    let s = json(&env, &["state", "wtpf-13/opinion-5", "--at", "2013-05-15 12:00", "--json"]);
    let uncertain = s["uncertain"].as_array().unwrap();
    assert!(uncertain.len() >= 10, "{s}");
    for u in uncertain {
        assert!(!u["description"].as_str().unwrap().is_empty(), "{u}");
        if u["type"].as_str().unwrap().starts_with("Amendment") {
            assert!(
                u["amendment"].is_string() && u["proposed_by"].is_array() && u["summary"].is_string(),
                "{u}"
            );
        }
    }
    let accepted = uncertain.iter().find(|u| u["type"] == "AmendmentAccepted").unwrap();
    assert_eq!(accepted["fate"], "accepted");
    let maybe = s["may_be_pending"].as_array().unwrap();
    assert!(
        maybe.iter().any(|m| m["id"] == "op5-turkey-organization" && m["why"] == "proposal_uncertain"),
        "{s}"
    );
    // The same answer for a person: each uncertain event says what it is.
    let text = env.run_default(&["state", "wtpf-13/opinion-5", "--at", "2013-05-15 12:00"]).stdout;
    assert!(text.contains("May be pending") && text.contains("op5-turkey-organization"), "{text}");
    assert!(text.contains("Turkey proposed amendment op5-turkey-organization"), "{text}");
    assert!(
        text.contains("recognizing/b/iv") && text.contains("    iv) "),
        "clause paths and indented sub-clauses:\n{text}"
    );
    // The clause tree beside the text.
    let tree = s["clauses"].as_array().unwrap();
    let recognizing = tree.iter().find(|n| n["path"] == "recognizing").unwrap();
    let b = recognizing["clauses"].as_array().unwrap().iter().find(|n| n["path"] == "recognizing/b").unwrap();
    assert_eq!(b["clauses"][3]["path"], "recognizing/b/iv");
    assert_eq!(b["clauses"][3]["label"], "iv)");
}

#[test]
fn diff_can_be_anchored_on_events_and_refuses_a_reversed_range() {
    let env = TestEnv::new();
    // Opinion 2 from its tabling to the acceptance of Turkey's "relevant".
    let d = json(
        &env,
        &[
            "diff",
            "wtpf-13/opinion-2",
            "--from-event",
            "586bb750-1bb7-47f4-8887-4be39b31eff9",
            "--to-event",
            "d331212c-6ad0-4a2b-8359-635740f59c6a",
            "--format",
            "json",
        ],
    );
    assert_eq!(d["amendments"][0]["id"], "op2-turkey-relevant", "{d}");
    assert!(d["changes"].to_string().contains("relevant "), "{d}");
    let r = env.run_default(&[
        "diff",
        "wtpf-13/opinion-2",
        "--from",
        "2013-05-16 00:00",
        "--to",
        "2013-05-14 00:00",
    ]);
    assert_eq!(r.code, 2, "{}", r.golden());
    assert!(r.stderr.contains("later than"), "{}", r.golden());
    let r = env.run_default(&["diff", "wtpf-13/opinion-2", "--from-event", "not-a-uuid"]);
    assert_eq!(r.code, 2, "{}", r.golden());
}

#[test]
fn ls_lists_documents_with_status_and_version_and_bodies_go_by_their_printed_names() {
    let env = TestEnv::new();
    let l = json(&env, &["ls", "wtpf-13", "--json"]);
    let docs = l["documents"].as_array().unwrap();
    let op3 = docs.iter().find(|d| d["name"] == "wtpf-13/opinion-3").unwrap();
    assert_eq!(op3["status"], "adopted");
    assert!(op3["version"].as_u64().unwrap() > 3);
    let brazil = docs.iter().find(|d| d["status"] == "not_endorsed").unwrap();
    assert!(brazil["symbols"].to_string().contains("WTPF-13/5"), "{brazil}");
    assert!(l["bodies"].as_array().unwrap().iter().any(|b| b["id"] == "wg-3"));
    let at = json(&env, &["ls", "wtpf-13", "--at", "2013-05-15 09:00", "--json"]);
    let op3 = at["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "wtpf-13/opinion-3")
        .unwrap()
        .clone();
    assert_ne!(op3["status"], "adopted", "{op3}");
    // `--body` takes the name the sources print.
    let by_name = env.run_default(&["replay", "wtpf-13", "--body", "Working Group 3"]);
    let by_id = env.run_default(&["replay", "wtpf-13", "--body", "wg-3"]);
    assert_eq!(by_name.code, 0, "{}", by_name.golden());
    assert_eq!(by_name.stdout, by_id.stdout);
    assert!(!by_id.stdout.is_empty());
    let r = env.run_default(&["ls", "wtpf-13"]);
    assert!(r.stdout.contains("Documents") && r.stdout.contains("wtpf-13/opinion-3"), "{}", r.golden());
}

#[test]
fn the_text_at_a_moment_is_marked_with_each_change_and_who_made_it() {
    let env = TestEnv::new();
    let s = json(&env, &["state", "wtpf-13/opinion-2", "--at", "2013-05-17 00:00", "--json"]);
    assert_eq!(s["status"], "adopted");
    // The marked text is a view of the query layer; the exports render it. Through the
    // library, on the bundled record:
    let store = minutes_store::Store::memory().unwrap();
    let mut store = store;
    store.append(&minutes_query::bundled_events().unwrap(), None, chrono::Utc::now().fixed_offset()).unwrap();
    let q = minutes_query::Reader::new(&store, chrono::Utc::now().fixed_offset());
    let at = minutes_core::time::TimeArg::parse("2013-05-17 00:00").unwrap();
    let m = q.marked_text("wtpf-13/opinion-2", &minutes_query::Moment::at(Some(at))).unwrap();
    let inserted: Vec<_> = m.lines.iter().flat_map(|l| &l.runs).filter(|r| r.op == "insert").collect();
    assert_eq!(
        inserted.len(),
        1,
        "one change since tabling: {:?}",
        m.lines.iter().filter(|l| l.change != "kept").collect::<Vec<_>>()
    );
    assert_eq!(inserted[0].text.trim(), "relevant");
    let c = &m.changes[inserted[0].change.unwrap()];
    assert_eq!(c.amendment.as_ref().unwrap().as_str(), "op2-turkey-relevant");
    assert_eq!(c.proposed_by[0].as_str(), "turkey");
    assert!(c.event.source.is_some());
}
