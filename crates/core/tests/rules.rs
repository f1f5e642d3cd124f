//! One test per procedural rule: every refusal of `minutes_core::rules::check`, judged through
//! `Ledger::admit` exactly as the store judges an append, and the two rules a meeting may relax
//! by configuration.
//!
//! Cases are data: a log (`given`, each event of which must be accepted) and a new event, built
//! from compact JSON by the small builders below. `check` is the only place that calls the API.
//! Each refusal asserts the error's kind and that its message names the thing (id, path,
//! anchor, time).

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use std::sync::atomic::{AtomicU64, Ordering};

use minutes_core::event::{Event, Recorded};
use minutes_core::id::{DocumentName, MeetingId};
use minutes_core::ledger::{streams_read, Ledger};
use minutes_core::rules::RuleError;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// The one call of the API.

/// Admits `given` in order into a fresh ledger (each must be accepted: a case whose log is
/// refused is a broken case), then judges `new`. Like the store, it loads each stream an event
/// reads before judging it whenever the ledger does not hold it current (after a correction).
fn check(given: &[String], new: &str) -> Result<u64, RuleError> {
    let mut ledger = Ledger::new();
    let mut recorded: Vec<Recorded> = Vec::new();
    let mut admit = |ledger: &mut Ledger, json: &str| -> Result<u64, RuleError> {
        let e = Event::from_json(json).unwrap_or_else(|err| panic!("an event does not parse: {err}\n{json}"));
        for stream in streams_read(&e) {
            if !ledger.has_stream(stream) {
                let events: Vec<Recorded> =
                    recorded.iter().filter(|r| r.event.stream() == stream).cloned().collect();
                match DocumentName::new(stream) {
                    Ok(d) => ledger.prime_document(&d, &events),
                    Err(_) => ledger.prime_meeting(&MeetingId::new(stream).unwrap(), &events),
                }
            }
        }
        let seq = recorded.len() as u64 + 1;
        let version = ledger.admit(&e, seq)?;
        recorded.push(Recorded { seq, version, hash: String::new(), event: e });
        Ok(version)
    };
    for (i, g) in given.iter().enumerate() {
        if let Err(err) = admit(&mut ledger, g) {
            panic!("given event {} is refused: {err}\n{g}", i + 1);
        }
    }
    admit(&mut ledger, new)
}

/// Asserts a refusal whose message names every one of `names`; returns it for a look at its kind.
#[track_caller]
fn refused(r: Result<u64, RuleError>, names: &[&str]) -> RuleError {
    let err = match r {
        Ok(v) => panic!("accepted (as version {v}), but it should be refused naming {names:?}"),
        Err(e) => e,
    };
    let msg = err.to_string();
    for n in names {
        assert!(msg.contains(n), "the message does not name {n:?}: {msg}");
    }
    err
}

#[track_caller]
fn accepted(r: Result<u64, RuleError>) {
    if let Err(e) = r {
        panic!("refused, but it should be accepted: {e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Builders: a fictional meeting `hb` on 2 March 2030 (Europe/Zurich), bodies `board` and
// `works`, actors `ana` and `ben`, and the draft `hb/by-law-7` with a two-section text.

const DOC: &str = "hb/by-law-7";
/// A moment inside the meeting.
const DURING: &str = "2030-03-02T10:00:00+01:00";

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// An event: the default envelope (meeting `hb`, no document, no body, no actors, occurred at
/// [`DURING`]) with the fields of `over` laid over it (`type` and `data` at least).
fn ev(over: Value) -> String {
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let mut e = json!({
        "id": format!("0190f3a0-0000-7000-8000-{n:012x}"),
        "v": 1,
        "meeting": "hb",
        "document": null,
        "body": null,
        "actors": [],
        "occurred": {"from": DURING, "to": DURING},
        "source": null,
        "data": {},
    });
    for (k, v) in over.as_object().expect("an object of envelope fields") {
        e[k] = v.clone();
    }
    e.to_string()
}

/// An event about `DOC` in the Works Committee.
fn on_doc(type_name: &str, data: Value) -> String {
    ev(json!({"type": type_name, "document": DOC, "body": "works", "data": data}))
}

fn declared_with(rules: Value) -> String {
    let mut data = json!({
        "title": "Harbour Board", "venue": "Town hall", "time_zone": "Europe/Zurich",
        "first_day": "2030-03-02", "last_day": "2030-03-02",
        "bodies": [{"id": "board", "name": "Harbour Board"}, {"id": "works", "name": "Works Committee"}],
    });
    if !rules.is_null() {
        data["rules"] = rules;
    }
    ev(json!({"type": "MeetingDeclared", "phase": "preparatory",
        "occurred": {"from": "2030-02-01T09:00:00+01:00", "to": "2030-02-01T09:00:00+01:00"}, "data": data}))
}

fn declared() -> String {
    declared_with(Value::Null)
}

fn actor(id: &str) -> String {
    ev(json!({"type": "ActorRegistered", "data": {"actor": id, "name": id, "kind": "person"}}))
}

fn text() -> Value {
    json!({"title": "BY-LAW 7", "preamble": "The Harbour Board,", "sections": [
        {"key": "considering", "heading": "considering", "clauses": [
            {"key": "a", "label": "a)", "words": "that visiting boats use the north pier for free;"},
            {"key": "b", "label": "b)", "words": null}]},
        {"key": "decides", "heading": "decides", "clauses": [
            {"key": "1", "label": "1)", "words": "to charge a fee of 10 per night and 10 per day;"}]}]})
}

fn tabled_with(doc: &str, text: Value) -> String {
    ev(json!({"type": "DocumentTabled", "document": doc, "body": "works", "actors": ["ana"],
        "data": {"kind": "draft_opinion", "title": "Mooring fees", "text": text}}))
}

fn tabled() -> String {
    tabled_with(DOC, text())
}

fn taken_up() -> String {
    on_doc("ItemTakenUp", json!({"order": 1}))
}

/// A proposal by `ben` with the wording given as operations.
fn proposed(am: &str, ops: Value) -> String {
    ev(json!({"type": "AmendmentProposed", "document": DOC, "body": "works", "actors": ["ben"],
        "data": {"amendment": am, "summary": "a change", "wording_known": true, "operations": ops}}))
}

/// A proposal reported without its words.
fn proposed_unworded(am: &str) -> String {
    on_doc("AmendmentProposed", json!({"amendment": am, "summary": "a change", "wording_known": false}))
}

fn replace(path: &str, old: &str, new: &str) -> Value {
    json!([{"op": "replace_words", "path": path, "old": old, "new": new}])
}

/// The proposal of the walk-through: lower the fee.
fn fee_8() -> String {
    proposed("fee-8", replace("decides/1", "10 per night", "8 per night"))
}

fn fate(type_name: &str, am: &str) -> String {
    match type_name {
        "AmendmentAccepted" | "AmendmentRejected" => {
            on_doc(type_name, json!({"amendment": am, "decided_by": "vote"}))
        }
        _ => on_doc(type_name, json!({"amendment": am})),
    }
}

fn endorsed(ams: &[&str]) -> String {
    on_doc("DraftEndorsed", json!({"amendments": ams, "submitted_to": "board"}))
}

fn adopted() -> String {
    ev(json!({"type": "DraftAdopted", "document": DOC, "body": "board", "data": {}}))
}

fn proposal(id: &str, docs: &[&str]) -> String {
    ev(json!({"type": "ProceduralProposalMade", "body": "works", "actors": ["ben"],
        "data": {"proposal": id, "summary": "merge the drafts", "documents": docs}}))
}

fn proposal_withdrawn(id: &str) -> String {
    ev(json!({"type": "ProceduralProposalWithdrawn", "body": "works", "data": {"proposal": id}}))
}

/// The meeting, its actors and the draft, tabled.
fn setup() -> Vec<String> {
    setup_with(declared())
}

fn setup_with(declaration: String) -> Vec<String> {
    vec![declaration, actor("ana"), actor("ben"), tabled()]
}

/// `setup`, then the events of `more`.
fn log(more: &[String]) -> Vec<String> {
    let mut v = setup();
    v.extend_from_slice(more);
    v
}

// ---------------------------------------------------------------------------------------------
// The whole procedure, as the walk-through records it, is accepted.

#[test]
fn the_walk_through_procedure_is_accepted() {
    let steps = [taken_up(), fee_8(), fate("AmendmentAccepted", "fee-8"), endorsed(&["fee-8"]), adopted()];
    for i in 0..steps.len() {
        accepted(check(&log(&steps[..i]), &steps[i]));
    }
}

// ---------------------------------------------------------------------------------------------
// The meeting.

#[test]
fn an_event_of_a_meeting_never_declared_is_refused() {
    let e = ev(json!({"type": "MeetingOpened", "meeting": "nowhere", "body": "board"}));
    let err = refused(check(&[], &e), &["meeting 'nowhere'", "never declared"]);
    assert!(matches!(err, RuleError::UnknownMeeting(_)));
    // Declaring another meeting does not help.
    let err = refused(check(&setup(), &e), &["'nowhere'"]);
    assert!(matches!(err, RuleError::UnknownMeeting(_)));
}

#[test]
fn a_meeting_is_declared_once() {
    let err = refused(check(&setup(), &declared()), &["meeting 'hb'", "already declared"]);
    assert!(matches!(err, RuleError::MeetingExists(_)));
}

#[test]
fn a_meeting_declaration_has_no_document() {
    let mut v: Value = serde_json::from_str(&declared()).unwrap();
    v["document"] = json!(DOC);
    let err = refused(check(&[], &v.to_string()), &["MeetingDeclared", "document must be null"]);
    assert!(matches!(err, RuleError::Shape { .. }));
}

#[test]
fn a_meeting_declaration_needs_a_real_time_zone() {
    let mut v: Value = serde_json::from_str(&declared()).unwrap();
    v["data"]["time_zone"] = json!("Mars/Olympus_Mons");
    let err = refused(check(&[], &v.to_string()), &["MeetingDeclared", "time_zone", "Mars/Olympus_Mons"]);
    assert!(matches!(err, RuleError::Shape { .. }));
}

#[test]
fn a_meeting_cannot_end_before_it_begins() {
    let mut v: Value = serde_json::from_str(&declared()).unwrap();
    v["data"]["first_day"] = json!("2030-03-03");
    let err = refused(check(&[], &v.to_string()), &["MeetingDeclared", "first_day comes after last_day"]);
    assert!(matches!(err, RuleError::Shape { .. }));
}

#[test]
fn a_meeting_declaration_names_each_body_once() {
    let mut v: Value = serde_json::from_str(&declared()).unwrap();
    v["data"]["bodies"] = json!([{"id": "works", "name": "Works"}, {"id": "works", "name": "Works again"}]);
    let err = refused(check(&[], &v.to_string()), &["body 'works'", "already"]);
    assert!(matches!(err, RuleError::BodyExists(_)));
}

// ---------------------------------------------------------------------------------------------
// Documents.

#[test]
fn a_document_of_another_meeting_is_refused() {
    let e = ev(json!({"type": "ItemTakenUp", "document": "elsewhere/by-law-7", "body": "works", "data": {}}));
    let err = refused(check(&setup(), &e), &["document 'elsewhere/by-law-7'", "meeting 'hb'"]);
    assert!(matches!(err, RuleError::ForeignDocument { .. }));
}

#[test]
fn a_document_never_tabled_is_unknown() {
    let e = ev(json!({"type": "ItemTakenUp", "document": "hb/by-law-99", "body": "works", "data": {}}));
    let err = refused(check(&setup(), &e), &["document 'hb/by-law-99'", "never tabled"]);
    assert!(matches!(err, RuleError::UnknownDocument(_)));
    for (t, data) in [
        ("AmendmentProposed", json!({"amendment": "x", "summary": "s", "wording_known": false})),
        ("DraftAdopted", json!({})),
        ("DocumentRevised", json!({"text": null})),
        ("DocumentWithdrawn", json!({})),
    ] {
        let e = ev(json!({"type": t, "document": "hb/by-law-99", "body": "board", "data": data}));
        refused(check(&setup(), &e), &["'hb/by-law-99'"]);
    }
}

#[test]
fn a_statement_about_an_unknown_document_is_refused() {
    let e =
        ev(json!({"type": "StatementMade", "document": "hb/by-law-99", "body": "works", "actors": ["ben"],
        "data": {"stance": "support", "summary": "supports it"}}));
    let err = refused(check(&setup(), &e), &["document 'hb/by-law-99'"]);
    assert!(matches!(err, RuleError::UnknownDocument(_)));
    // A statement about nothing in particular is fine.
    let e = ev(json!({"type": "StatementMade", "body": "works", "actors": ["ben"],
        "data": {"stance": "other", "summary": "thanked the chair"}}));
    accepted(check(&setup(), &e));
}

#[test]
fn a_document_is_tabled_once() {
    let err = refused(check(&setup(), &tabled()), &["document 'hb/by-law-7'", "already tabled"]);
    assert!(matches!(err, RuleError::DocumentExists(_)));
}

#[test]
fn a_tabled_text_needs_valid_unique_keys() {
    let mut t = text();
    t["sections"][0]["clauses"][1]["key"] = json!("a");
    let err = refused(check(&setup()[..3], &tabled_with(DOC, t)), &["considering/a", "used twice"]);
    assert!(matches!(err, RuleError::Text(_)));
    let mut t = text();
    t["sections"][1]["key"] = json!("Decides Now");
    let err = refused(check(&setup()[..3], &tabled_with(DOC, t)), &["'Decides Now'", "not valid"]);
    assert!(matches!(err, RuleError::Text(_)));
}

#[test]
fn a_revised_text_needs_valid_unique_keys() {
    let mut t = text();
    t["sections"][1]["key"] = json!("considering");
    let err = refused(
        check(&setup(), &on_doc("DocumentRevised", json!({"text": t}))),
        &["'considering'", "used twice"],
    );
    assert!(matches!(err, RuleError::Text(_)));
}

// ---------------------------------------------------------------------------------------------
// Actors and bodies.

#[test]
fn an_actor_not_registered_is_refused() {
    let e =
        ev(json!({"type": "AmendmentProposed", "document": DOC, "body": "works", "actors": ["ben", "carla"],
        "data": {"amendment": "x", "summary": "s", "wording_known": false}}));
    let err = refused(check(&setup(), &e), &["actor 'carla'", "not registered"]);
    assert!(matches!(err, RuleError::UnknownActor(_)));
}

#[test]
fn an_actor_is_registered_once() {
    let err = refused(check(&setup(), &actor("ben")), &["actor 'ben'", "already registered"]);
    assert!(matches!(err, RuleError::ActorExists(_)));
}

#[test]
fn an_affiliation_must_be_a_registered_actor() {
    let e = ev(json!({"type": "ActorRegistered",
        "data": {"actor": "carla", "name": "Carla", "kind": "person", "affiliation": "atlantis"}}));
    let err = refused(check(&setup(), &e), &["actor 'atlantis'", "not registered"]);
    assert!(matches!(err, RuleError::UnknownActor(_)));
    let e = e.replace("atlantis", "ana");
    accepted(check(&setup(), &e));
}

#[test]
fn a_body_not_of_the_meeting_is_refused() {
    let e = ev(json!({"type": "SessionOpened", "body": "finance"}));
    let err = refused(check(&setup(), &e), &["body 'finance'", "not a body of the meeting"]);
    assert!(matches!(err, RuleError::UnknownBody(_)));
}

#[test]
fn a_body_is_established_once() {
    let established = |id: &str| {
        ev(
            json!({"type": "BodyEstablished", "body": "board", "data": {"established": {"id": id, "name": id}}}),
        )
    };
    let err = refused(check(&setup(), &established("works")), &["body 'works'", "already a body"]);
    assert!(matches!(err, RuleError::BodyExists(_)));
    let err = refused(check(&log(&[established("finance")]), &established("finance")), &["body 'finance'"]);
    assert!(matches!(err, RuleError::BodyExists(_)));
    // Once established, a body may be named.
    accepted(check(
        &log(&[established("finance")]),
        &ev(json!({"type": "SessionOpened", "body": "finance"})),
    ));
}

#[test]
fn a_draft_is_submitted_to_a_body_of_the_meeting() {
    let e = on_doc("DraftEndorsed", json!({"amendments": [], "submitted_to": "senate"}));
    let err = refused(check(&log(&[taken_up()]), &e), &["body 'senate'"]);
    assert!(matches!(err, RuleError::UnknownBody(_)));
}

// ---------------------------------------------------------------------------------------------
// Shapes: which events take a document, a body, actors, operations.

#[test]
fn an_event_about_the_meeting_or_a_body_has_no_document() {
    for t in
        ["SessionOpened", "MeetingOpened", "BodyEstablished", "ActorRegistered", "ProceduralProposalMade"]
    {
        let mut v: Value = serde_json::from_str(&match t {
            "BodyEstablished" => ev(json!({"type": t, "body": "board", "data": {"established": {"id": "finance", "name": "Finance"}}})),
            "ActorRegistered" => actor("carla"),
            "ProceduralProposalMade" => proposal("merge", &[]),
            _ => ev(json!({"type": t, "body": "board"})),
        })
        .unwrap();
        v["document"] = json!(DOC);
        let err = refused(check(&setup(), &v.to_string()), &[t, "document must be null"]);
        assert!(matches!(err, RuleError::Shape { .. }), "{t}");
    }
}

#[test]
fn an_event_that_happens_in_a_body_names_it() {
    for (t, document) in [
        ("SessionOpened", None),
        ("OfficerElected", None),
        ("ItemTakenUp", Some(DOC)),
        ("DraftEndorsed", Some(DOC)),
        ("DraftAdopted", Some(DOC)),
    ] {
        let data = match t {
            "OfficerElected" => json!({"role": "chairman"}),
            _ => json!({}),
        };
        let e = ev(
            json!({"type": t, "document": document, "actors": if t == "OfficerElected" { json!(["ana"]) } else { json!([]) }, "data": data}),
        );
        let err = refused(check(&log(&[taken_up()]), &e), &[t, "needs the body"]);
        assert!(matches!(err, RuleError::Shape { .. }), "{t}");
    }
}

#[test]
fn an_event_about_a_document_names_it() {
    for (t, data) in [
        ("DocumentTabled", json!({"kind": "draft", "title": "t", "text": null})),
        ("AmendmentProposed", json!({"amendment": "x", "summary": "s", "wording_known": false})),
        ("AmendmentAccepted", json!({"amendment": "x", "decided_by": "vote"})),
        ("DocumentWithdrawn", json!({})),
    ] {
        let e = ev(json!({"type": t, "body": "works", "data": data}));
        let err = refused(check(&setup(), &e), &[t, "document must be given"]);
        assert!(matches!(err, RuleError::Shape { .. }), "{t}");
    }
}

#[test]
fn an_officer_election_names_exactly_one_person() {
    for actors in [json!([]), json!(["ana", "ben"])] {
        let e = ev(
            json!({"type": "OfficerElected", "body": "works", "actors": actors, "data": {"role": "chairman"}}),
        );
        let err = refused(check(&setup(), &e), &["OfficerElected", "exactly one actor"]);
        assert!(matches!(err, RuleError::Shape { .. }));
    }
    accepted(check(
        &setup(),
        &ev(
            json!({"type": "OfficerElected", "body": "works", "actors": ["ana"], "data": {"role": "chairman"}}),
        ),
    ));
}

#[test]
fn wording_known_agrees_with_the_operations() {
    let e = on_doc(
        "AmendmentProposed",
        json!({"amendment": "x", "summary": "s", "wording_known": false,
        "operations": [{"op": "delete_clause", "path": "considering/a"}]}),
    );
    let err = refused(
        check(&log(&[taken_up()]), &e),
        &["AmendmentProposed", "has operations but says wording_known: false"],
    );
    assert!(matches!(err, RuleError::Shape { .. }));
    let e = on_doc(
        "AmendmentProposed",
        json!({"amendment": "x", "summary": "s", "wording_known": true, "operations": []}),
    );
    let err = refused(
        check(&log(&[taken_up()]), &e),
        &["AmendmentProposed", "wording_known: true but has no operations"],
    );
    assert!(matches!(err, RuleError::Shape { .. }));
}

// ---------------------------------------------------------------------------------------------
// Windows and the meeting's dates.

fn at(type_name: &str, from: Value, to: Value, phase: Option<&str>) -> String {
    let mut v = json!({"type": type_name, "body": "board", "occurred": {"from": from, "to": to}});
    if let Some(p) = phase {
        v["phase"] = json!(p);
    }
    ev(v)
}

#[test]
fn a_window_cannot_end_before_it_starts() {
    let e = at("MeetingOpened", json!("2030-03-02T11:00:00+01:00"), json!("2030-03-02T10:00:00+01:00"), None);
    let err = refused(
        check(&setup(), &e),
        &["occurred", "ends (2030-03-02T10:00:00+01:00) before it starts (2030-03-02T11:00:00+01:00)"],
    );
    assert!(matches!(err, RuleError::Window(_)));
    // Even for the event that declares the meeting.
    let d = declared().replace(r#""to":"2030-02-01T09:00:00+01:00""#, r#""to":"2030-01-01T09:00:00+01:00""#);
    let err = refused(check(&[], &d), &["ends (2030-01-01T09:00:00+01:00) before it starts"]);
    assert!(matches!(err, RuleError::Window(_)));
}

#[test]
fn a_window_has_at_least_one_bound() {
    let err = refused(
        check(&setup(), &at("MeetingOpened", Value::Null, Value::Null, None)),
        &["occurred", "both null"],
    );
    assert!(matches!(err, RuleError::Window(_)));
    // One open bound is a window.
    accepted(check(&setup(), &at("MeetingOpened", Value::Null, json!(DURING), None)));
    accepted(check(&setup(), &at("MeetingOpened", json!(DURING), Value::Null, None)));
}

#[test]
fn an_event_outside_the_meetings_dates_must_say_its_phase() {
    for (from, to, bad) in [
        ("2030-03-01T23:59:00+01:00", "2030-03-02T10:00:00+01:00", "2030-03-01T23:59:00+01:00"),
        ("2030-03-02T10:00:00+01:00", "2030-03-03T00:00:01+01:00", "2030-03-03T00:00:01+01:00"),
        ("2030-04-01T10:00:00+02:00", "2030-04-01T10:00:00+02:00", "2030-04-01T10:00:00+02:00"),
    ] {
        let e = at("SessionOpened", json!(from), json!(to), None);
        let err = refused(
            check(&setup(), &e),
            &[&format!("occurred {bad}"), "2030-03-02 to 2030-03-02", "preparatory", "follow_up"],
        );
        assert!(matches!(err, RuleError::OutsideMeeting { .. }));
    }
    // The meeting's days run midnight to midnight in its own zone.
    accepted(check(
        &setup(),
        &at("SessionOpened", json!("2030-03-02T00:00:00+01:00"), json!("2030-03-03T00:00:00+01:00"), None),
    ));
    accepted(check(
        &setup(),
        &at("SessionOpened", json!("2030-03-01T23:00:00Z"), json!("2030-03-02T22:59:00Z"), None),
    ));
}

#[test]
fn a_preparatory_event_starts_before_the_meeting_ends() {
    // Like the Strategic Dialogue the day before, or the experts' meetings a year before.
    accepted(check(
        &setup(),
        &at(
            "SessionOpened",
            json!("2030-03-01T10:00:00+01:00"),
            json!("2030-03-01T12:00:00+01:00"),
            Some("preparatory"),
        ),
    ));
    accepted(check(
        &setup(),
        &at(
            "SessionOpened",
            json!("2029-01-10T10:00:00+01:00"),
            json!("2029-01-10T12:00:00+01:00"),
            Some("preparatory"),
        ),
    ));
    accepted(check(
        &setup(),
        &at("SessionOpened", Value::Null, json!("2030-03-01T12:00:00+01:00"), Some("preparatory")),
    ));
    let e = at(
        "SessionOpened",
        json!("2030-03-03T00:00:00+01:00"),
        json!("2030-03-03T01:00:00+01:00"),
        Some("preparatory"),
    );
    let err = refused(check(&setup(), &e), &["preparatory", "2030-03-03T00:00:00+01:00"]);
    assert!(matches!(err, RuleError::Window(_)));
}

#[test]
fn a_follow_up_event_ends_after_the_meeting_starts() {
    accepted(check(
        &setup(),
        &at(
            "SessionOpened",
            json!("2030-03-05T10:00:00+01:00"),
            json!("2030-03-05T12:00:00+01:00"),
            Some("follow_up"),
        ),
    ));
    accepted(check(
        &setup(),
        &at("SessionOpened", json!("2030-03-05T10:00:00+01:00"), Value::Null, Some("follow_up")),
    ));
    let e = at(
        "SessionOpened",
        json!("2030-03-01T10:00:00+01:00"),
        json!("2030-03-01T23:59:59+01:00"),
        Some("follow_up"),
    );
    let err = refused(check(&setup(), &e), &["follow-up", "2030-03-01T23:59:59+01:00"]);
    assert!(matches!(err, RuleError::Window(_)));
}

// ---------------------------------------------------------------------------------------------
// Amendments.

#[test]
fn an_amendment_id_is_proposed_once_per_document() {
    let again = proposed("fee-8", replace("decides/1", "per day", "a day"));
    let err =
        refused(check(&log(&[taken_up(), fee_8()]), &again), &["amendment 'fee-8'", "already proposed"]);
    assert!(matches!(err, RuleError::AmendmentExists(_)));
    // Even once decided.
    let err = refused(
        check(&log(&[taken_up(), fee_8(), fate("AmendmentWithdrawn", "fee-8")]), &again),
        &["'fee-8'"],
    );
    assert!(matches!(err, RuleError::AmendmentExists(_)));
}

#[test]
fn the_fate_of_an_amendment_never_proposed_is_refused() {
    for t in ["AmendmentWithdrawn", "AmendmentReferredToReport", "AmendmentRejected", "AmendmentAccepted"] {
        let err = refused(
            check(&log(&[taken_up(), fee_8()]), &fate(t, "fee-9")),
            &["amendment 'fee-9'", "never proposed"],
        );
        assert!(matches!(err, RuleError::UnknownAmendment(_)), "{t}");
    }
}

#[test]
fn an_amendment_whose_fate_is_decided_cannot_be_decided_again() {
    let kinds = [
        ("AmendmentAccepted", "accepted"),
        ("AmendmentWithdrawn", "withdrawn"),
        ("AmendmentReferredToReport", "referred to the report"),
        ("AmendmentRejected", "rejected"),
    ];
    let statuses = [
        ("AmendmentAccepted", "accepted"),
        ("AmendmentWithdrawn", "withdrawn"),
        ("AmendmentReferredToReport", "referred_to_report"),
        ("AmendmentRejected", "rejected"),
    ];
    for (first, status) in statuses {
        for (then, action) in kinds {
            let given = log(&[taken_up(), fee_8(), fate(first, "fee-8")]);
            let err = refused(
                check(&given, &fate(then, "fee-8")),
                &[
                    "amendment 'fee-8'",
                    &format!("already {status}"),
                    &format!("only a pending amendment can be {action}"),
                ],
            );
            assert!(matches!(err, RuleError::AmendmentDecided { .. }), "{first} then {then}");
        }
    }
}

#[test]
fn a_proposal_without_its_words_cannot_be_accepted() {
    let given = log(&[taken_up(), proposed_unworded("fee-8")]);
    let err = refused(
        check(&given, &fate("AmendmentAccepted", "fee-8")),
        &["amendment 'fee-8'", "wording_known: false"],
    );
    assert!(matches!(err, RuleError::NoWording(_)));
    // It can be withdrawn, referred or rejected.
    for t in ["AmendmentWithdrawn", "AmendmentReferredToReport", "AmendmentRejected"] {
        accepted(check(&given, &fate(t, "fee-8")));
    }
}

#[test]
fn an_amendment_that_does_not_apply_is_named_with_its_operation_and_target() {
    let cases = [
        // A clause that is not there.
        (json!([{"op": "delete_clause", "path": "decides/9"}]), vec!["operation 1", "no clause decides/9"]),
        (
            json!([{"op": "replace_words", "path": "recalling/a", "old": "x", "new": "y"}]),
            vec!["no clause recalling/a"],
        ),
        // A section that is not there.
        (json!([{"op": "delete_section", "key": "recalling"}]), vec!["no section recalling"]),
        (
            json!([{"op": "insert_clause", "parent": "invites", "clause": {"key": "c", "words": "w"}}]),
            vec!["no section invites"],
        ),
        (
            json!([{"op": "insert_section", "after": "recalling", "section": {"key": "notes", "heading": "notes", "clauses": []}}]),
            vec!["no section recalling"],
        ),
        // An anchor that is not there, in the second operation.
        (
            json!([{"op": "replace_words", "path": "decides/1", "old": "10 per night", "new": "8 per night"},
                   {"op": "insert_words", "path": "decides/1", "after": "per week", "words": " in summer"}]),
            vec!["operation 2", "the words 'per week' are not in decides/1"],
        ),
        (
            json!([{"op": "delete_words", "path": "considering/a", "old": "south pier"}]),
            vec!["'south pier'", "considering/a"],
        ),
        // An anchor that occurs twice, without saying which.
        (
            json!([{"op": "replace_words", "path": "decides/1", "old": "10 per", "new": "8 per"}]),
            vec!["'10 per' occur 2 times in decides/1", "occurrence"],
        ),
        // An occurrence beyond the anchor's count.
        (
            json!([{"op": "replace_words", "path": "decides/1", "old": "10 per", "new": "8 per", "occurrence": 3}]),
            vec!["'10 per'", "decides/1"],
        ),
        // Words inside a clause whose wording is not recorded.
        (
            json!([{"op": "insert_words", "path": "considering/b", "before": "pier", "words": "old "}]),
            vec!["considering/b", "not recorded"],
        ),
        // A malformed operation: both anchors; a key already taken.
        (
            json!([{"op": "insert_words", "path": "decides/1", "before": "fee", "after": "fee", "words": "x"}]),
            vec!["exactly one of \"before\" and \"after\""],
        ),
        (
            json!([{"op": "insert_clause", "parent": "considering", "clause": {"key": "a", "words": "w"}}]),
            vec!["already has a clause with key 'a'"],
        ),
    ];
    for (ops, names) in cases {
        let mut names = names;
        names.push("amendment 'bad'");
        names.push("does not apply");
        let err = refused(check(&log(&[taken_up()]), &proposed("bad", ops.clone())), &names);
        assert!(matches!(err, RuleError::DoesNotApply { .. }), "{ops}");
    }
}

#[test]
fn an_amendment_is_judged_again_against_the_text_when_it_is_accepted() {
    // Both change the same words; once one is accepted the other no longer applies.
    let rival = proposed("fee-12", replace("decides/1", "10 per night", "12 per night"));
    let given = log(&[taken_up(), fee_8(), rival, fate("AmendmentAccepted", "fee-8")]);
    let err = refused(
        check(&given, &fate("AmendmentAccepted", "fee-12")),
        &["amendment 'fee-12'", "'10 per night' are not in decides/1"],
    );
    assert!(matches!(err, RuleError::DoesNotApply { .. }));
    // And against a revised text.
    let mut t = text();
    t["sections"][1]["clauses"][0]["words"] = json!("to charge a fee of 9 per night;");
    let given =
        log(&[taken_up(), fee_8(), on_doc("DocumentRevised", json!({"symbol": "HB/7 rev. 1", "text": t}))]);
    let err = refused(check(&given, &fate("AmendmentAccepted", "fee-8")), &["'10 per night'", "decides/1"]);
    assert!(matches!(err, RuleError::DoesNotApply { .. }));
}

#[test]
fn an_amendment_with_operations_needs_a_text() {
    let given = vec![declared(), actor("ana"), actor("ben"), tabled_with(DOC, Value::Null)];
    let err = refused(check(&given, &fee_8()), &["document 'hb/by-law-7'", "no text"]);
    assert!(matches!(err, RuleError::NoText(_)));
    accepted(check(&given, &proposed_unworded("fee-8")));
}

// ---------------------------------------------------------------------------------------------
// Where the document stands.

#[test]
fn amendments_are_proposed_only_to_a_document_still_open() {
    let adopted_log = log(&[taken_up(), endorsed(&[]), adopted()]);
    let err = refused(check(&adopted_log, &fee_8()), &["document 'hb/by-law-7' is adopted", "still open"]);
    assert!(matches!(err, RuleError::Status { .. }));
    let withdrawn_log = log(&[on_doc("DocumentWithdrawn", json!({}))]);
    refused(check(&withdrawn_log, &fee_8()), &["is withdrawn"]);
    let not_endorsed = log(&[taken_up(), on_doc("DraftNotEndorsed", json!({}))]);
    refused(check(&not_endorsed, &fee_8()), &["is not_endorsed"]);
    // An endorsed draft may still be amended (in plenary).
    accepted(check(&log(&[taken_up(), endorsed(&[])]), &fee_8()));
}

#[test]
fn a_draft_not_taken_up_cannot_be_endorsed_or_not_endorsed() {
    let err = refused(
        check(&setup(), &endorsed(&[])),
        &["document 'hb/by-law-7' is tabled", "after a body has taken it up"],
    );
    assert!(matches!(err, RuleError::Status { .. }));
    let err = refused(check(&setup(), &on_doc("DraftNotEndorsed", json!({}))), &["is tabled", "taken it up"]);
    assert!(matches!(err, RuleError::Status { .. }));
    // Referred is as good as taken up.
    accepted(check(&log(&[on_doc("DocumentReferred", json!({}))]), &endorsed(&[])));
}

#[test]
fn a_draft_is_adopted_once() {
    let err = refused(
        check(&log(&[taken_up(), endorsed(&[]), adopted()]), &adopted()),
        &["document 'hb/by-law-7' is adopted"],
    );
    assert!(matches!(err, RuleError::Status { .. }));
}

#[test]
fn a_draft_is_adopted_only_once_endorsed() {
    for (given, status) in [
        (log(&[taken_up()]), "under_consideration"),
        (setup(), "tabled"),
        (log(&[taken_up(), on_doc("DraftNotEndorsed", json!({}))]), "not_endorsed"),
    ] {
        let err = refused(
            check(&given, &adopted()),
            &[&format!("document 'hb/by-law-7' is {status}"), "after a body endorsed it"],
        );
        assert!(matches!(err, RuleError::Status { .. }));
    }
}

#[test]
fn a_closed_document_is_not_revised_taken_up_referred_endorsed_or_withdrawn() {
    let closed = [
        (log(&[taken_up(), endorsed(&[]), adopted()]), "adopted"),
        (log(&[on_doc("DocumentWithdrawn", json!({}))]), "withdrawn"),
    ];
    for (given, status) in closed {
        for e in [
            on_doc("DocumentRevised", json!({"symbol": "HB/7 rev. 1", "text": null})),
            taken_up(),
            on_doc("DocumentReferred", json!({})),
            endorsed(&[]),
            on_doc("DraftNotEndorsed", json!({})),
            on_doc("DocumentWithdrawn", json!({})),
        ] {
            let err = refused(check(&given, &e), &[&format!("document 'hb/by-law-7' is {status}")]);
            assert!(matches!(err, RuleError::Status { .. }), "{e}");
        }
    }
}

#[test]
fn an_endorsement_lists_only_accepted_amendments() {
    let given = log(&[taken_up(), fee_8()]);
    let err = refused(
        check(&given, &endorsed(&["fee-8"])),
        &["DraftEndorsed", "amendment 'fee-8'", "pending rather than accepted"],
    );
    assert!(matches!(err, RuleError::Shape { .. }));
    let given = log(&[taken_up(), fee_8(), fate("AmendmentWithdrawn", "fee-8")]);
    refused(check(&given, &endorsed(&["fee-8"])), &["'fee-8'", "withdrawn rather than accepted"]);
    let err =
        refused(check(&log(&[taken_up()]), &endorsed(&["fee-9"])), &["amendment 'fee-9'", "never proposed"]);
    assert!(matches!(err, RuleError::UnknownAmendment(_)));
}

// ---------------------------------------------------------------------------------------------
// Procedural proposals.

#[test]
fn a_procedural_proposal_is_made_once() {
    let err = refused(
        check(&log(&[proposal("merge", &[DOC])]), &proposal("merge", &[])),
        &["procedural proposal 'merge'", "already made"],
    );
    assert!(matches!(err, RuleError::ProposalExists(_)));
}

#[test]
fn a_procedural_proposal_names_documents_that_exist() {
    let err =
        refused(check(&setup(), &proposal("merge", &[DOC, "hb/by-law-99"])), &["document 'hb/by-law-99'"]);
    assert!(matches!(err, RuleError::UnknownDocument(_)));
}

#[test]
fn only_a_procedural_proposal_made_and_not_withdrawn_can_be_withdrawn() {
    let err = refused(
        check(&setup(), &proposal_withdrawn("merge")),
        &["procedural proposal 'merge'", "never made or is already withdrawn"],
    );
    assert!(matches!(err, RuleError::UnknownProposal(_)));
    let given = log(&[proposal("merge", &[DOC]), proposal_withdrawn("merge")]);
    let err = refused(check(&given, &proposal_withdrawn("merge")), &["'merge'"]);
    assert!(matches!(err, RuleError::UnknownProposal(_)));
    accepted(check(&log(&[proposal("merge", &[DOC])]), &proposal_withdrawn("merge")));
}

// ---------------------------------------------------------------------------------------------
// The two rules a meeting may relax, by configuration carried in its declaration.

fn relaxed(adoption: bool, consideration: bool) -> Vec<String> {
    setup_with(declared_with(
        json!({"adoption_requires_endorsement": adoption, "endorsement_requires_consideration": consideration}),
    ))
}

fn with(mut given: Vec<String>, more: &[String]) -> Vec<String> {
    given.extend_from_slice(more);
    given
}

#[test]
fn adoption_without_endorsement_can_be_allowed_by_the_meetings_rules() {
    // A plenary that adopts drafts straight from the floor.
    let given = with(relaxed(false, true), &[taken_up()]);
    accepted(check(&given, &adopted()));
    accepted(check(&relaxed(false, true), &adopted()));
    // Relaxed, the other rules still hold: not twice, not once withdrawn.
    let err = refused(check(&with(relaxed(false, true), &[adopted()]), &adopted()), &["is adopted"]);
    assert!(matches!(err, RuleError::Status { .. }));
    refused(
        check(&with(relaxed(false, true), &[on_doc("DocumentWithdrawn", json!({}))]), &adopted()),
        &["is withdrawn"],
    );
    // And the other rule is untouched.
    refused(check(&relaxed(false, true), &endorsed(&[])), &["is tabled", "taken it up"]);
}

#[test]
fn endorsement_without_consideration_can_be_allowed_by_the_meetings_rules() {
    accepted(check(&relaxed(true, false), &endorsed(&[])));
    accepted(check(&relaxed(true, false), &on_doc("DraftNotEndorsed", json!({}))));
    let done = with(relaxed(true, false), &[endorsed(&[]), adopted()]);
    refused(check(&done, &endorsed(&[])), &["is adopted"]);
    refused(check(&done, &on_doc("DraftNotEndorsed", json!({}))), &["is adopted"]);
    // And the other rule is untouched.
    refused(check(&relaxed(true, false), &adopted()), &["is tabled", "endorsed it"]);
    // Both relaxed at once.
    accepted(check(&relaxed(false, false), &adopted()));
}

#[test]
fn the_rules_default_to_strict_and_a_partial_configuration_keeps_the_other_default() {
    refused(check(&setup(), &adopted()), &["endorsed it"]);
    let strict = setup_with(declared_with(
        json!({"adoption_requires_endorsement": true, "endorsement_requires_consideration": true}),
    ));
    refused(check(&strict, &adopted()), &["endorsed it"]);
    let partial = setup_with(declared_with(json!({"adoption_requires_endorsement": false})));
    accepted(check(&partial, &adopted()));
    refused(check(&partial, &endorsed(&[])), &["taken it up"]);
}

#[test]
fn the_same_log_is_judged_the_same_way() {
    // The configuration travels in the stored bytes of the declaration: a log written out and
    // read back (as the store does) is judged exactly as before, every time.
    let logs = [setup(), relaxed(false, true), relaxed(true, false), relaxed(false, false)];
    let news = [adopted(), endorsed(&[]), on_doc("DraftNotEndorsed", json!({})), taken_up()];
    for given in &logs {
        let stored: Vec<String> = given.iter().map(|g| Event::from_json(g).unwrap().to_json()).collect();
        for new in &news {
            let first = check(given, new);
            assert_eq!(check(given, new), first, "judged twice, judged differently");
            assert_eq!(check(&stored, new), first, "the log as stored is judged differently");
        }
    }
    // Two meetings in one ledger keep their own rules.
    let other =
        |s: &str| s.replace(r#""meeting":"hb""#, r#""meeting":"hc""#).replace("hb/by-law-7", "hc/by-law-7");
    let mut both = setup();
    both.extend(relaxed(false, true).iter().map(|e| other(e)));
    refused(check(&both, &adopted()), &["'hb/by-law-7' is tabled"]);
    accepted(check(&both, &other(&adopted())));
}

// ---------------------------------------------------------------------------------------------
// Corrections: an earlier event of the same stream withdrawn from the record.

fn id_of(e: &str) -> String {
    let v: Value = serde_json::from_str(e).unwrap();
    v["id"].as_str().unwrap().to_string()
}

/// A correction of `target` in `DOC`'s stream, made by `ana` long after the meeting.
fn correction(target: &str) -> String {
    correction_in(Some(DOC), target, json!(["ana"]), "recorded in the wrong session")
}

fn correction_in(document: Option<&str>, target: &str, actors: Value, reason: &str) -> String {
    ev(json!({"type": "EventCorrected", "document": document, "actors": actors,
        "occurred": {"from": "2031-01-10T09:00:00Z", "to": "2031-01-10T09:00:00Z"},
        "data": {"corrects": target, "reason": reason}}))
}

#[test]
fn a_correction_names_an_event_of_its_own_stream() {
    let take = taken_up();
    let given = log(std::slice::from_ref(&take));
    accepted(check(&given, &correction(&id_of(&take))));
    // An event of the meeting's stream, corrected from the document's stream.
    let ben = id_of(&given[2]);
    let err = refused(
        check(&given, &correction(&ben)),
        &["correction", &format!("event {ben} is not in the stream of hb/by-law-7")],
    );
    assert!(matches!(err, RuleError::Correction(_)));
    // An event that was never recorded.
    let nowhere = "0190f3a0-0000-7000-8000-0000deadbeef";
    refused(check(&given, &correction(nowhere)), &[&format!("event {nowhere} is not in the stream")]);
    // In the meeting's own stream, it is fine.
    accepted(check(&given, &correction_in(None, &ben, json!(["ana"]), "not a member")));
}

#[test]
fn a_correction_is_made_once_and_is_not_itself_corrected() {
    let take = taken_up();
    let first = correction(&id_of(&take));
    let given = log(&[take.clone(), first.clone()]);
    let err = refused(
        check(&given, &correction(&id_of(&take))),
        &[&format!("event {} is already corrected", id_of(&take))],
    );
    assert!(matches!(err, RuleError::Correction(_)));
    let err = refused(
        check(&given, &correction(&id_of(&first))),
        &[&format!("event {} is itself a correction", id_of(&first))],
    );
    assert!(matches!(err, RuleError::Correction(_)));
}

#[test]
fn a_correction_says_who_made_it_and_why() {
    let take = taken_up();
    let given = log(std::slice::from_ref(&take));
    let err = refused(
        check(&given, &correction_in(Some(DOC), &id_of(&take), json!([]), "wrong session")),
        &["EventCorrected", "names who corrected"],
    );
    assert!(matches!(err, RuleError::Shape { .. }));
    let err = refused(
        check(&given, &correction_in(Some(DOC), &id_of(&take), json!(["ana"]), "  ")),
        &["EventCorrected", "reason"],
    );
    assert!(matches!(err, RuleError::Shape { .. }));
    // Who corrected it is an actor of the meeting, like any other.
    refused(
        check(&given, &correction_in(Some(DOC), &id_of(&take), json!(["clerk"]), "wrong session")),
        &["actor 'clerk'"],
    );
}

#[test]
fn what_follows_a_correction_is_judged_against_the_corrected_record() {
    // The adoption is withdrawn from the record: the draft is endorsed again, and may be adopted.
    let adoption = adopted();
    let given = log(&[taken_up(), endorsed(&[]), adoption.clone(), correction(&id_of(&adoption))]);
    accepted(check(&given, &adopted()));
    // The acceptance is withdrawn: the amendment is pending again, and may be withdrawn.
    let acceptance = fate("AmendmentAccepted", "fee-8");
    let given = log(&[taken_up(), fee_8(), acceptance.clone(), correction(&id_of(&acceptance))]);
    accepted(check(&given, &fate("AmendmentWithdrawn", "fee-8")));
    refused(check(&given, &endorsed(&["fee-8"])), &["'fee-8'", "pending rather than accepted"]);
}

// ---------------------------------------------------------------------------------------------
// Rules added after the hostile corpus found them missing.

#[test]
fn an_amendment_of_a_closed_document_keeps_its_fate_open_no_more() {
    let closed = log(&[taken_up(), fee_8(), endorsed(&[]), adopted()]);
    for t in ["AmendmentAccepted", "AmendmentWithdrawn", "AmendmentRejected", "AmendmentReferredToReport"] {
        let e = refused(check(&closed, &fate(t, "fee-8")), &[DOC, "adopted"]);
        assert!(matches!(e, RuleError::Status { .. }), "{t}: {e:?}");
    }
}

#[test]
fn an_amendment_cannot_bring_in_a_key_no_path_can_address() {
    let bad_section =
        json!([{"op": "insert_section", "section": {"key": "Not A Key/..", "heading": "x", "clauses": []}}]);
    refused(check(&log(&[taken_up()]), &proposed("bad-section", bad_section)), &["Not A Key/.."]);
    let twice = json!([{"op": "insert_section", "section": {"key": "new", "heading": "x", "clauses": [
        {"key": "x", "words": "one"}, {"key": "x", "words": "two"}]}}]);
    refused(check(&log(&[taken_up()]), &proposed("twice", twice)), &["new/x"]);
    let bad_clause =
        json!([{"op": "replace_clause", "path": "decides/1", "clause": {"key": "BAD/KEY", "words": "w"}}]);
    refused(check(&log(&[taken_up()]), &proposed("bad-clause", bad_clause)), &["BAD/KEY"]);
}

#[test]
fn a_meeting_declaration_names_only_its_own_bodies_and_no_actor() {
    let with_body = declared().replace(r#""body":null"#, r#""body":"nowhere""#);
    let e = refused(check(&[], &with_body), &["nowhere"]);
    assert!(matches!(e, RuleError::UnknownBody(_)), "{e:?}");
    let with_actor = declared().replace(r#""actors":[]"#, r#""actors":["nobody-at-all"]"#);
    let e = refused(check(&[], &with_actor), &["nobody-at-all"]);
    assert!(matches!(e, RuleError::UnknownActor(_)), "{e:?}");
}

#[test]
fn a_procedural_proposal_names_documents_of_its_own_meeting_only() {
    let e = refused(check(&setup(), &proposal("merge", &[DOC, "other/draft"])), &["other/draft", "hb"]);
    assert!(matches!(e, RuleError::ForeignDocument { .. }), "{e:?}");
}

#[test]
fn a_body_taking_up_an_endorsed_draft_leaves_it_endorsed_for_adoption() {
    let plenary = ev(json!({"type": "ItemTakenUp", "document": DOC, "body": "board", "data": {}}));
    accepted(check(&log(&[taken_up(), endorsed(&[]), plenary]), &adopted()));
}

// ---------------------------------------------------------------------------------------------
// Corrections' replacements, the newer fates and the order fields (issue 12).

#[test]
fn a_replacement_is_judged_as_of_its_own_time_before_the_document_closed() {
    let late_adoption = ev(json!({"type": "DraftAdopted", "document": DOC, "body": "board",
        "occurred": {"from": "2030-03-02T11:00:00+01:00", "to": "2030-03-02T12:00:00+01:00"}, "data": {}}));
    let closed = log(&[taken_up(), fee_8(), endorsed(&[]), late_adoption]);
    // Its window ends before the adoption began: judged as it stood then.
    accepted(check(&closed, &fate("AmendmentAccepted", "fee-8")));
    accepted(check(&closed, &proposed_unworded("fee-9")));
    // A window that reaches into the adoption is judged against the adopted text.
    let after = ev(json!({"type": "AmendmentAccepted", "document": DOC, "body": "works",
        "occurred": {"from": "2030-03-02T10:00:00+01:00", "to": "2030-03-02T11:30:00+01:00"},
        "data": {"amendment": "fee-8", "decided_by": "vote"}}));
    refused(check(&closed, &after), &["is adopted"]);
}

#[test]
fn the_newer_fates_need_a_pending_amendment_and_what_they_name() {
    let given = log(&[taken_up(), fee_8(), proposed_unworded("fee-9")]);
    let to = |d: &str| on_doc("AmendmentTransferred", json!({"amendment": "fee-8", "to": d}));
    refused(check(&given, &to("hb/by-law-99")), &["hb/by-law-99", "does not exist"]);
    accepted(check(&given, &to(DOC)));
    let by = |b: &str| on_doc("AmendmentSuperseded", json!({"amendment": "fee-9", "by": b}));
    refused(check(&given, &by("fee-9")), &["itself"]);
    refused(check(&given, &by("fee-7")), &["fee-7"]);
    accepted(check(&given, &by("fee-8")));
    let revised = |am: &str| {
        on_doc(
            "AmendmentRevised",
            json!({"amendment": am, "summary": "words", "wording_known": true,
                "operations": replace("decides/1", "10 per night", "9 per night")}),
        )
    };
    refused(check(&given, &revised("fee-7")), &["fee-7", "never proposed"]);
    accepted(check(&given, &revised("fee-9")));
    // Revised, an unworded proposal can be accepted.
    let known = log(&[taken_up(), fee_8(), proposed_unworded("fee-9"), revised("fee-9")]);
    accepted(check(&known, &fate("AmendmentAccepted", "fee-9")));
}

#[test]
fn an_event_names_one_place_among_those_that_share_its_start() {
    let given = log(&[taken_up()]);
    let both = ev(json!({"type": "StatementMade", "document": DOC, "body": "works",
        "follows": "0190f3a0-0000-7000-8000-000000000001", "precedes": "0190f3a0-0000-7000-8000-000000000002",
        "data": {"stance": "other", "summary": "s"}}));
    refused(check(&given, &both), &["both follows and precedes"]);
    let one = ev(json!({"type": "StatementMade", "document": DOC, "body": "works",
        "follows": "0190f3a0-0000-7000-8000-000000000001", "data": {"stance": "other", "summary": "s"}}));
    accepted(check(&given, &one));
}
