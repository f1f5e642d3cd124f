//! A store that cannot grow (a full disk, stood in for by SQLite's `max_page_count`) refuses
//! the write with a typed error, keeps nothing of it, loses nothing acknowledged, and takes
//! writes again once there is room; it reopens cleanly after every failure.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use minutes_core::event::Event;
use minutes_store::{Store, StoreError};

fn event(json: serde_json::Value) -> Event {
    Event::from_value(json).expect("a valid event")
}

fn setup() -> Vec<Event> {
    let src = serde_json::json!({ "file": "test", "section": "test", "quote": "test" });
    vec![
        event(serde_json::json!({
            "id": "0190f3a0-0000-7000-8000-0000000f0001", "type": "MeetingDeclared", "v": 1, "meeting": "full",
            "document": null, "occurred": { "from": "2030-01-01T09:00:00+01:00", "to": "2030-01-01T09:00:00+01:00" },
            "phase": "preparatory", "source": src,
            "data": { "title": "Full disk", "venue": "here", "time_zone": "Europe/Zurich", "first_day": "2030-03-02",
                      "last_day": "2030-03-02", "bodies": [{ "id": "board", "name": "Board" }] }
        })),
        event(serde_json::json!({
            "id": "0190f3a0-0000-7000-8000-0000000f0002", "type": "ActorRegistered", "v": 1, "meeting": "full",
            "document": null, "occurred": { "from": "2030-01-01T09:00:00+01:00", "to": "2030-01-01T09:00:00+01:00" },
            "phase": "preparatory", "source": src,
            "data": { "actor": "clerk", "name": "The Clerk", "kind": "person" }
        })),
    ]
}

/// `n` statements, each with a long summary so that they need many pages.
fn statements(n: usize, from: usize) -> Vec<Event> {
    (from..from + n)
        .map(|i| {
            event(serde_json::json!({
                "id": format!("0190f3a0-0000-7000-8000-{i:012x}"), "type": "StatementMade", "v": 1, "meeting": "full",
                "document": null, "body": "board", "actors": ["clerk"],
                "occurred": { "from": "2030-03-02T10:00:00+01:00", "to": "2030-03-02T11:00:00+01:00" },
                "source": { "file": "test", "section": "test", "quote": "test" },
                "data": { "stance": "other", "summary": format!("statement {i}: {}", "words ".repeat(300)) }
            }))
        })
        .collect()
}

#[test]
fn a_full_store_refuses_the_write_keeps_nothing_of_it_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.db");
    let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let mut store = Store::create(&path).unwrap();
    store.append(&setup(), None, now).unwrap();
    let acknowledged = store.append(&statements(5, 100), None, now).unwrap();
    let head = store.verify(None).unwrap();

    // No room for a large batch: refused whole, with the typed error.
    store.limit_pages(store.page_count().unwrap() + 2).unwrap();
    let err = store.append(&statements(200, 1000), None, now).unwrap_err();
    assert!(matches!(err, StoreError::Full), "{err}");
    assert!(err.to_string().contains("full"), "{err}");
    let after = store.verify(None).unwrap();
    assert_eq!(after, head, "nothing of the refused batch is visible, nothing acknowledged is lost");
    drop(store);

    // The store reopens cleanly, holds every acknowledged event, and takes writes once there is room.
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.verify(None).unwrap(), head);
    for a in &acknowledged {
        assert!(store.event(&a.id).unwrap().is_some(), "acknowledged event {} is lost", a.id);
    }
    let one = store.append(&statements(1, 5000), None, now);
    assert!(one.is_ok(), "a small append fits in the room left: {one:?}");
    store.append(&statements(200, 1000), None, now).unwrap();
    let v = store.verify(None).unwrap();
    assert!(v.ok());
    assert_eq!(v.events, head.events + 201);
}
