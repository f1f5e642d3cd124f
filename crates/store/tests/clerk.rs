//! `recorded_by`: the store stamps its clerk on the events written without one, keeps a given
//! one, and a retry of an event whose clerk it stamped is still a no-op.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use minutes_core::event::Event;
use minutes_core::id::{Clerk, EventId};
use minutes_store::{Refusal, Store, StoreError};

fn event(json: serde_json::Value) -> Event {
    Event::from_value(json).expect("a valid event")
}

fn declared() -> Event {
    event(serde_json::json!({
        "id": "0190f3a0-0000-7000-8000-0000000d0001", "type": "MeetingDeclared", "v": 1, "meeting": "clerks",
        "document": null, "occurred": { "from": "2030-01-01T09:00:00+01:00", "to": "2030-01-01T09:00:00+01:00" },
        "phase": "preparatory", "source": null,
        "data": { "title": "Clerks", "venue": "here", "time_zone": "Europe/Zurich", "first_day": "2030-03-02",
                  "last_day": "2030-03-02", "bodies": [{ "id": "board", "name": "Board" }] }
    }))
}

fn statement(n: u32, recorded_by: Option<&str>) -> Event {
    let mut v = serde_json::json!({
        "id": format!("0190f3a0-0000-7000-8000-0000000c{n:04x}"), "type": "StatementMade", "v": 1, "meeting": "clerks",
        "document": null, "body": "board", "actors": [],
        "occurred": { "from": "2030-03-02T10:00:00+01:00", "to": "2030-03-02T11:00:00+01:00" },
        "source": null, "data": { "stance": "other", "summary": format!("statement {n}") }
    });
    if let Some(by) = recorded_by {
        v["recorded_by"] = serde_json::json!(by);
    }
    event(v)
}

fn clerk(s: &str) -> Option<Clerk> {
    Some(Clerk::new(s).unwrap())
}

fn recorded_by(store: &Store, n: u32) -> Option<String> {
    let id = statement(n, None).id;
    store.event(&id).unwrap().unwrap().event.recorded_by.map(|c| c.to_string())
}

#[test]
fn the_store_stamps_its_clerk_and_keeps_a_given_one() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let mut store = Store::memory().unwrap();
    assert_eq!(store.clerk(), None);
    store.append(&[declared(), statement(1, None)], None, now).unwrap();
    assert_eq!(recorded_by(&store, 1), None, "no clerk: nothing stamped");
    let declared_id = declared().id;
    assert!(!store.event(&declared_id).unwrap().unwrap().event.to_json().contains("recorded_by"));

    store.set_clerk(clerk("Ana Ruiz"));
    store.append(&[statement(2, None), statement(3, Some("Bo Lind"))], None, now).unwrap();
    assert_eq!(recorded_by(&store, 2).as_deref(), Some("Ana Ruiz"));
    assert_eq!(recorded_by(&store, 3).as_deref(), Some("Bo Lind"), "a given clerk is kept");

    // Import keeps a given clerk too, and stamps the others.
    let mut batch = vec![statement(4, Some("Cy Moro")), statement(5, None)].into_iter();
    store.import(|| batch.next().map(Ok::<_, ()>), now).map_err(|_| "import").unwrap();
    assert_eq!(recorded_by(&store, 4).as_deref(), Some("Cy Moro"));
    assert_eq!(recorded_by(&store, 5).as_deref(), Some("Ana Ruiz"));
    assert!(store.verify(None).unwrap().ok());
}

#[test]
fn a_retry_of_an_event_whose_clerk_the_store_stamped_is_a_no_op() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let mut store = Store::memory().unwrap();
    store.set_clerk(clerk("Ana Ruiz"));
    store.append(&[declared(), statement(1, None)], None, now).unwrap();
    // The same event again, under another clerk and later: nothing is written.
    store.set_clerk(clerk("Bo Lind"));
    let later = chrono::DateTime::parse_from_rfc3339("2026-01-02T00:00:00Z").unwrap();
    let again = store.append(&[statement(1, None)], None, later).unwrap();
    assert!(again[0].existed);
    assert_eq!(store.count().unwrap(), 2);
    assert_eq!(recorded_by(&store, 1).as_deref(), Some("Ana Ruiz"));
    // Naming the clerk it was stamped with is the same event too; naming another is not.
    assert!(store.append(&[statement(1, Some("Ana Ruiz"))], None, later).unwrap()[0].existed);
    let err = store.append(&[statement(1, Some("Cy Moro"))], None, later).unwrap_err();
    let id: EventId = statement(1, None).id;
    assert!(matches!(err, StoreError::Refused { refusal: Refusal::IdTaken(i), .. } if i == id), "{err}");
}
