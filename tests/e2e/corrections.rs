//! The corrections of the bundled record (issue 12, `events/wtpf-13/70-corrections.toml`): each
//! read both ways, as the record stands and as it stood before the fix was recorded.

use minutes_tests::TestEnv;
use serde_json::Value;

/// Before the corrections were recorded (1 December 2026, 12:00 UTC).
const BEFORE: &str = "2026-11-30T00:00:00Z";

fn store() -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["init"]);
    env
}

/// `ARGS`, then `ARGS --as-recorded-at BEFORE`: (after the fix, before it).
fn both(env: &TestEnv, args: &[&str]) -> (String, String) {
    let after = env.ok(args).stdout;
    let mut past = args.to_vec();
    past.extend(["--as-recorded-at", BEFORE]);
    (after, env.ok(&past).stdout)
}

fn amendment(state: &str, id: &str) -> Value {
    let s: Value = serde_json::from_str(state).unwrap();
    s["amendments"].as_array().unwrap().iter().find(|a| a["id"] == id).cloned().unwrap_or(Value::Null)
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle:?} in\n{text}"))
}

fn position(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{text}"))
}

#[test]
fn opinion_6_recalling_a_is_the_working_groups_not_indias() {
    let env = store();
    let (after, before) = both(&env, &["blame", "wtpf-13/opinion-6", "--at", "2013-05-17 12:00"]);
    let line = line_with(&after, "Relevant Paragraphs");
    assert!(line.contains("op6-wg3-recalling-a") && !line.contains("India"), "{line}");
    let line = line_with(&before, "Relevant Paragraphs");
    assert!(line.contains("op6-india-recalling-a") && line.contains("India"), "{line}");
    let (after, before) = both(&env, &["state", "wtpf-13/opinion-6", "--at", "2013-05-17 12:00", "--json"]);
    let india = amendment(&after, "op6-india-more-paragraphs");
    assert_eq!(india["status"], "superseded");
    assert_eq!(india["wording_known"], false);
    let agreed = amendment(&after, "op6-wg3-recalling-a");
    assert_eq!(agreed["status"], "accepted");
    assert_eq!(agreed["proposed_by"], serde_json::json!([]));
    assert_eq!(amendment(&after, "op6-india-recalling-a"), Value::Null);
    assert_eq!(amendment(&before, "op6-india-recalling-a")["proposed_by"], serde_json::json!(["india"]));
    assert_eq!(amendment(&before, "op6-wg3-recalling-a"), Value::Null);
    // The text is the same either way: Part II's.
    let text = |s: &str| serde_json::from_str::<Value>(s).unwrap()["text"].clone();
    assert_eq!(text(&after), text(&before));
}

#[test]
fn opinion_5_indias_first_wording_is_not_known() {
    let env = store();
    let args = ["replay", "wtpf-13", "--document", "wtpf-13/opinion-5"];
    let (after, before) = both(&env, &args);
    let proposed = line_with(&after, "proposed amendment op5-india-recognizing-a");
    assert!(proposed.contains("(wording not recorded)"), "{proposed}");
    assert!(after.contains("Amendment op5-india-recognizing-a to"), "{after}");
    // Proposed, revised, accepted, then the unnamed delegates' "states", in that order.
    let at = |n: &str| position(&after, n);
    assert!(at("proposed amendment op5-india-recognizing-a") < at("Amendment op5-india-recognizing-a to"));
    assert!(at(") revised: Recognizing a)") < at("op5-india-recognizing-a to Supporting multi-stakeholderism in Internet Governance (wtpf-13/opinion-5) (proposed by India) accepted"));
    assert!(at("(proposed by India) accepted") < at("proposed amendment op5-states-not-suggests"));
    let proposed = line_with(&before, "proposed amendment op5-india-recognizing-a");
    assert!(!proposed.contains("(wording not recorded)"), "{proposed}");
    assert!(!before.contains(") revised: "), "{before}");
    // Either way the adopted text is Part II's, word for word.
    let (after, before) = both(&env, &["state", "wtpf-13/opinion-5", "--at", "2013-05-17 12:00", "--json"]);
    let text = |s: &str| serde_json::from_str::<Value>(s).unwrap()["text"].as_str().unwrap().to_string();
    assert!(text(&after).contains("It states that a multi-stakeholder approach"), "{after}");
    assert_eq!(text(&after), text(&before));
}

#[test]
fn opinion_2_relevant_was_added_without_a_reported_manner_of_decision() {
    let env = store();
    let args = ["replay", "wtpf-13", "--document", "wtpf-13/opinion-2", "--json"];
    let (after, before) = both(&env, &args);
    let accepted = |s: &str| -> Vec<Value> {
        s.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|e| e["type"] == "AmendmentAccepted" && e["data"]["amendment"] == "op2-turkey-relevant")
            .collect()
    };
    // --json keeps every event: the withdrawn one too.
    let a = accepted(&after);
    assert_eq!(a.len(), 2, "{a:?}");
    assert!(a.iter().any(|e| e["data"].get("decided_by").is_none() && e["v"] == 2), "{a:?}");
    let b = accepted(&before);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0]["data"]["decided_by"], "consensus");
    let (after, before) = both(&env, &["replay", "wtpf-13", "--document", "wtpf-13/opinion-2"]);
    assert!(
        after.lines().any(|l| l.contains("Amendment op2-turkey-relevant")
            && l.contains("accepted (how it was decided is not recorded)")),
        "{after}"
    );
    assert!(!before.contains("how it was decided"), "{before}");
}

#[test]
fn russias_text_on_opinion_5_went_to_brazils_draft() {
    let env = store();
    let (after, before) = both(&env, &["state", "wtpf-13/opinion-5", "--at", "2013-05-17 12:00", "--json"]);
    assert_eq!(amendment(&after, "op5-russia-member-states")["status"], "transferred");
    assert_eq!(amendment(&before, "op5-russia-member-states")["status"], "withdrawn");
    let (after, _) = both(&env, &["replay", "wtpf-13", "--actor", "russia"]);
    assert!(
        after.lines().any(|l| l.contains("Amendment op5-russia-member-states")
            && l.contains("to be discussed under On The Role of Government")),
        "{after}"
    );
}

#[test]
fn australias_earlier_suggestion_has_no_known_time() {
    let env = store();
    let (after, before) = both(&env, &["replay", "wtpf-13", "--actor", "australia"]);
    assert!(line_with(&after, "Merge draft Opinions 3 and 4").contains("[time not given]"), "{after}");
    assert!(line_with(&before, "Merge draft Opinions 3 and 4").contains("[preparatory]"), "{before}");
}

#[test]
fn seven_windows_of_16_may_are_widened_to_what_the_sources_support() {
    let env = store();
    // In the afternoon of 15 May: the events that may have been said then.
    let args =
        ["replay", "wtpf-13", "--body", "wg-3", "--from", "2013-05-15 16:00", "--to", "2013-05-15 17:00"];
    let (after, before) = both(&env, &args);
    for said in [
        "some modifications were needed",
        "we should not shy away from it",
        "insufficient time to consider",
        "continued at other forums such as CSTD",
        "Suggested the ITU Council Working Group",
    ] {
        assert!(after.contains(said), "{said}: {after}");
        assert!(!before.contains(said), "{said}: {before}");
    }
    // Before the adjournment of 16 May: those that followed the revised version too.
    let args =
        ["replay", "wtpf-13", "--body", "wg-3", "--from", "2013-05-16 09:30", "--to", "2013-05-16 10:00"];
    let (after, before) = both(&env, &args);
    for said in ["sincere appreciation to Brazil", "it would be difficult to pursue"] {
        assert!(after.contains(said), "{said}: {after}");
        assert!(!before.contains(said), "{said}: {before}");
    }
    // What the sources do place after it stays there.
    assert!(!after.contains("did not endorse"), "{after}");
}

#[test]
fn the_iegs_chairman_is_not_said_to_be_elected() {
    let env = store();
    let (after, before) = both(&env, &["replay", "wtpf-13", "--body", "ieg"]);
    // The withdrawn event is set aside after the timeline.
    let after = after.split("Not in the timeline").next().unwrap();
    assert!(
        after.contains("Petko Kantchev chaired Informal Experts Group (IEG) (how is not recorded)"),
        "{after}"
    );
    assert!(!after.contains("elected Chairman of Informal Experts Group (IEG)"), "{after}");
    assert!(before.contains("Petko Kantchev elected Chairman of Informal Experts Group (IEG)"), "{before}");
}

#[test]
fn the_thanks_come_before_the_adoptions_and_the_close_after_the_closing_statements() {
    let env = store();
    let args = ["replay", "wtpf-13", "--from", "2013-05-16 10:45", "--to", "2013-05-17 00:00"];
    let (after, before) = both(&env, &args);
    let at = |s: &str, n: &str| position(s, n);
    let (thanks, adopted) = ("thanked the Chairmen", "Plenary adopted Promoting Internet");
    let (iran, toure, closed) = ("Iran spoke", "Promised to urge the ITU Council", "Meeting closed");
    assert!(at(&after, "Presented the Draft Opinions") < at(&after, thanks));
    assert!(at(&after, thanks) < at(&after, adopted), "{after}");
    assert!(at(&after, iran) < at(&after, toure) && at(&after, toure) < at(&after, closed), "{after}");
    assert!(at(&before, thanks) > at(&before, adopted), "{before}");
    assert!(at(&before, closed) < at(&before, iran), "{before}");
    // The same order in JSON, where the withdrawn events are kept in their old places.
    let json = env.ok(&["replay", "wtpf-13", "--from", "2013-05-16 10:45", "--json"]).stdout;
    let ids: Vec<String> = json
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_str().unwrap().to_string())
        .collect();
    let pos = |id: &str| ids.iter().position(|i| i == id).unwrap();
    assert!(pos("e445e4ed-078a-4cf0-abff-5b5a65eb99fa") < pos("7cb0fe7e-abbb-49b8-a9de-395ec29eb086"));
    assert!(pos("1b6b5b34-7378-4722-9345-728b051504eb") < pos("0c7d2f6e-93a4-4b8e-9f0a-5d1e2c3b4a60"));
}

#[test]
fn replay_sets_registrations_and_withdrawn_events_aside_but_with_all() {
    let env = store();
    let plain = env.ok(&["replay", "wtpf-13"]).stdout;
    // The timeline proper starts with the forum; registrations and withdrawn events come after
    // it, set aside, one line each (CONTRACT: one line an event).
    let (timeline, aside) = plain.split_once("Not in the timeline").unwrap();
    assert!(!timeline.contains(" registered"), "{timeline}");
    assert!(!timeline.contains("[withdrawn by a correction]"), "{timeline}");
    assert!(aside.contains("Turkey registered"), "{aside}");
    // As many withdrawn as there are corrections in the log.
    let json = env.ok(&["replay", "wtpf-13", "--json"]).stdout;
    let corrections = json
        .lines()
        .filter(|l| serde_json::from_str::<Value>(l).unwrap()["type"] == "EventCorrected")
        .count();
    assert!(corrections >= 19, "{json}");
    assert_eq!(aside.matches("[withdrawn by a correction]").count(), corrections, "{aside}");
    let events = env.ok(&["verify", "--json"]).json()["events"].as_u64().unwrap() as usize;
    assert!(plain.lines().filter(|l| !l.trim().is_empty()).count() > events, "{plain}");
    let all = env.ok(&["replay", "wtpf-13", "--all"]).stdout;
    assert!(!all.contains("Not in the timeline"), "{all}");
    assert!(all.contains("Turkey registered"), "{all}");
    assert_eq!(all.matches("[withdrawn by a correction]").count(), corrections, "{all}");
    assert_eq!(
        json.lines().count(),
        env.ok(&["verify", "--json"]).json()["events"].as_u64().unwrap() as usize
    );
}

#[test]
fn contributions_show_where_they_were_considered_and_amendments_where_they_came_from() {
    let env = store();
    let s = env.ok(&["state", "wtpf-13/opinion-5", "--at", "2013-05-17 12:00", "--json"]).stdout;
    assert_eq!(amendment(&s, "op5-russia-member-states")["contribution"], "wtpf-13/contribution-4");
    assert_eq!(amendment(&s, "op5-turkey-organization")["contribution"], "wtpf-13/contribution-7");
    let h = env.ok(&["history", "WTPF-13/7"]).stdout;
    for body in ["wg-1", "wg-2", "wg-3"] {
        assert!(h.lines().any(|l| l.contains(body) && l.contains("took up")), "{body}: {h}");
    }
    let (_, before) = both(&env, &["history", "WTPF-13/7"]);
    assert!(!before.contains("took up"), "{before}");
}

#[test]
fn every_observer_account_in_the_timeline_says_whose_and_of_which_day() {
    let env = store();
    // After the citations were made precise (90-citations.toml, 15:30 UTC), and between the
    // corrections of 12:00 and them.
    let after = env.ok(&["replay", "wtpf-13"]).stdout;
    let between = env.ok(&["replay", "wtpf-13", "--as-recorded-at", "2026-12-01T13:00:00Z"]).stdout;
    let timeline = |s: &str| s.split("Not in the timeline").next().unwrap().to_string();
    let (after, between) = (timeline(&after), timeline(&between));
    assert!(!after.contains("[observer account:"), "{after}");
    assert!(line_with(&after, "Meeting closed").contains("[ISOC press release, 16 May]"), "{after}");
    assert!(line_with(&after, "ISOC spoke: Took part throughout").contains("[ISOC press release, 16 May]"));
    assert!(line_with(&between, "Meeting closed").contains("[observer account: press release]"));
    // Each event recorded again stands where the one it replaces stood.
    let (a, b) = (position(&after, "Iran spoke"), position(&after, "Meeting closed"));
    assert!(a < b, "{after}");
    assert_eq!(
        position(&after, "ISOC spoke: Took part throughout"),
        position(&between, "ISOC spoke: Took part throughout"),
        "{after}\n{between}"
    );
}
