//! Property tests: the amendment engine, the text format and the event decoder take any input
//! without panicking, and edits undo as they should.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use minutes_core::amend::{apply, apply_in_place, check, Operation};
use minutes_core::event::Event;
use minutes_core::text::{parse, write, Clause, ClausePath, Section, Text};
use proptest::prelude::*;

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}",
        Just("IPv6".to_string()),
        Just("“relevant”".to_string()),
        Just("Côte d'Ivoire".to_string())
    ]
}

fn words() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..12).prop_map(|w| w.join(" "))
}

fn clause(key: String) -> impl Strategy<Value = Clause> {
    (
        prop::option::of(prop_oneof![Just("a)".to_string()), Just("1.".to_string()), Just("·".to_string())]),
        prop::option::weighted(0.9, words()),
    )
        .prop_map(move |(label, words)| Clause { key: key.clone(), label, words, clauses: vec![] })
}

fn section(key: &'static str) -> impl Strategy<Value = Section> {
    prop::collection::vec(clause("x".into()), 0..5).prop_flat_map(move |cs| {
        let clauses: Vec<Clause> = cs
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                c.key = format!("c{i}");
                c
            })
            .collect();
        (Just(clauses), prop::collection::vec(clause("s".into()), 0..3)).prop_map(
            move |(mut clauses, subs)| {
                if let Some(first) = clauses.first_mut() {
                    first.clauses = subs
                        .into_iter()
                        .enumerate()
                        .map(|(i, mut c)| {
                            c.key = format!("s{i}");
                            c
                        })
                        .collect();
                }
                Section { key: key.to_string(), heading: key.to_string(), clauses }
            },
        )
    })
}

fn text() -> impl Strategy<Value = Text> {
    (words(), section("considering"), section("invites")).prop_map(|(title, a, b)| Text {
        title,
        preamble: "The forum,".into(),
        sections: vec![a, b],
    })
}

fn path() -> impl Strategy<Value = ClausePath> {
    (
        prop_oneof![Just("considering"), Just("invites"), Just("nowhere")],
        prop::collection::vec(prop_oneof![Just("c0"), Just("c1"), Just("s0"), Just("zz")], 0..3),
    )
        .prop_map(|(s, cs)| ClausePath {
            section: s.to_string(),
            clauses: cs.into_iter().map(str::to_string).collect(),
        })
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        (path(), prop::option::of(word()), prop::option::of(word()), words(), prop::option::of(0usize..3))
            .prop_map(|(path, before, after, words, occurrence)| Operation::InsertWords {
                path,
                before,
                after,
                words,
                occurrence
            }),
        (path(), word(), words(), prop::option::of(0usize..3))
            .prop_map(|(path, old, new, occurrence)| Operation::ReplaceWords { path, old, new, occurrence }),
        (path(), word()).prop_map(|(path, old)| Operation::DeleteWords { path, old, occurrence: None }),
        (
            path(),
            prop::option::of(prop_oneof![
                Just("c0".to_string()),
                Just("^".to_string()),
                Just("q".to_string())
            ]),
            clause("new".into())
        )
            .prop_map(|(parent, after, clause)| Operation::InsertClause { parent, after, clause }),
        (path(), clause("c0".into())).prop_map(|(path, clause)| Operation::ReplaceClause { path, clause }),
        path().prop_map(|path| Operation::DeleteClause { path }),
        (
            prop::option::of(prop_oneof![
                Just("invites".to_string()),
                Just("^".to_string()),
                Just("none".to_string())
            ]),
            section("requests")
        )
            .prop_map(|(after, section)| Operation::InsertSection { after, section }),
        prop_oneof![Just("invites"), Just("gone")]
            .prop_map(|k| Operation::DeleteSection { key: k.to_string() }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn applying_any_operations_never_panics_and_keeps_keys_unique(t in text(), ops in prop::collection::vec(operation(), 0..6)) {
        if let Ok(out) = apply(&t, &ops) {
            prop_assert!(out.validate().is_ok());
        }
    }

    #[test]
    fn checking_and_applying_in_place_agree_with_applying_to_a_copy(t in text(), ops in prop::collection::vec(operation(), 0..6)) {
        let copy = apply(&t, &ops);
        prop_assert_eq!(check(&t, &ops), copy.as_ref().map(|_| ()).map_err(Clone::clone));
        let mut in_place = t.clone();
        match (apply_in_place(&mut in_place, &ops), copy) {
            (Ok(()), Ok(out)) => prop_assert_eq!(in_place, out),
            (Err(a), Err(b)) => { prop_assert_eq!(a, b); prop_assert_eq!(in_place, t); }
            (a, b) => prop_assert!(false, "in place {:?}, on a copy {:?}", a, b.map(|_| ())),
        }
    }

    #[test]
    fn inserting_words_then_deleting_them_restores_the_text(t in text(), new in "[A-Z]{12} ", after in any::<bool>()) {
        let Some(c) = t.sections[0].clauses.first() else { return Ok(()) };
        let Some(w) = c.words.clone() else { return Ok(()) };
        let anchor = w.split(' ').next().unwrap_or_default().to_string();
        let path = ClausePath { section: "considering".into(), clauses: vec![c.key.clone()] };
        let (before, after) = if after { (None, Some(anchor)) } else { (Some(anchor), None) };
        let ins = Operation::InsertWords { path: path.clone(), before, after, words: new.clone(), occurrence: Some(1) };
        let del = Operation::DeleteWords { path, old: new, occurrence: None };
        prop_assert_eq!(apply(&t, &[ins, del]).expect("the anchor is there"), t);
    }

    #[test]
    fn replacing_words_and_back_restores_the_text(t in text(), new in "[A-Z]{12}") {
        let Some(c) = t.sections[1].clauses.first() else { return Ok(()) };
        let Some(w) = c.words.clone() else { return Ok(()) };
        let old = w.split(' ').next_back().unwrap_or_default().to_string();
        let path = ClausePath { section: "invites".into(), clauses: vec![c.key.clone()] };
        let there = Operation::ReplaceWords { path: path.clone(), old: old.clone(), new: new.clone(), occurrence: Some(w.matches(&old).count()) };
        let back = Operation::ReplaceWords { path, old: new, new: old, occurrence: None };
        let out = apply(&t, &[there, back]).expect("both replacements apply");
        prop_assert_eq!(out, t);
    }

    #[test]
    fn in_place_and_checking_agree_with_applying_to_a_copy(t in text(), ops in prop::collection::vec(operation(), 0..3)) {
        let copy = apply(&t, &ops);
        let mut in_place = t.clone();
        let result = apply_in_place(&mut in_place, &ops);
        match &copy {
            Ok(amended) => prop_assert_eq!(&in_place, amended),
            Err(_) => prop_assert_eq!(&in_place, &t, "a failed amendment leaves the text as it was"),
        }
        prop_assert_eq!(result.err(), copy.as_ref().err().cloned());
        prop_assert_eq!(check(&t, &ops).err(), copy.err());
    }

    #[test]
    fn paths_are_the_rendered_lines_paths_in_order(t in text(), ops in prop::collection::vec(operation(), 0..4)) {
        let t = apply(&t, &ops).unwrap_or(t);
        let from_lines: Vec<ClausePath> = t.lines().into_iter().filter_map(|l| l.path).collect();
        prop_assert_eq!(t.paths(), from_lines);
    }

    #[test]
    fn the_review_format_reads_back_what_it_writes(t in text()) {
        prop_assert_eq!(parse(&write(&t)).expect("a written text parses"), t);
    }

    #[test]
    fn the_decoder_never_panics_on_any_string(s in ".{0,400}") {
        let _ = Event::from_json(&s);
        let _ = parse(&s);
    }

    #[test]
    fn the_decoder_never_panics_on_a_mangled_event(cut in 0usize..600, junk in ".{0,20}") {
        let good = r#"{"id":"0190f3a0-0000-7000-8000-000000000001","type":"AmendmentProposed","v":1,"meeting":"m","document":"m/d","body":"b","actors":["a"],"occurred":{"from":"2013-05-15T09:30:00+02:00","to":null},"source":null,"data":{"amendment":"x","summary":"s","wording_known":true,"operations":[{"op":"replace_words","path":"s/a","old":"x","new":"y"}]}}"#;
        let cut = cut.min(good.len());
        let mangled = format!("{}{}{}", &good[..cut], junk, &good[cut..]);
        let _ = Event::from_json(&mangled);
    }
}
