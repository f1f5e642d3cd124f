//! One suite of the store's promises, run against both backends: SQLite (a file) and
//! PostgreSQL (a database of the throwaway cluster the tests start). Each test is written once,
//! over a [`Backend`], and instantiated for each by `both!`; a test needing PostgreSQL that
//! cannot start it fails.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

#[path = "../../../tests/src/cluster.rs"]
#[allow(dead_code)]
mod cluster;

use std::path::PathBuf;

use minutes_core::event::Event;
use minutes_core::time::Timestamp;
use minutes_store::{Refusal, Store, StoreError};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Where a test's store is: a file in its own directory, or a fresh database.
struct Place {
    _dir: tempfile::TempDir,
    location: PathBuf,
    backend: Backend,
}

impl Place {
    fn new(backend: Backend) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let location = match backend {
            Backend::Sqlite => dir.path().join("s.db"),
            Backend::Postgres => PathBuf::from(cluster::fresh_url()),
        };
        Self { _dir: dir, location, backend }
    }

    /// Creates the store, holding `events`.
    fn create(&self, events: &[Event]) -> Store {
        let made = Store::create_with(&self.location, |s| s.append(events, None, now()).map(|_| ())).unwrap();
        assert!(made.is_some(), "the store was created");
        Store::open(&self.location).unwrap()
    }

    fn open(&self) -> Store {
        Store::open(&self.location).unwrap()
    }
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(super::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name(super::Backend::Postgres) })*
        }
    };
}

both!(
    appends_read_back_in_order_and_verify,
    a_retry_is_a_no_op_and_the_same_id_with_other_content_is_refused,
    a_stale_expected_version_conflicts_and_writes_nothing,
    a_refused_event_leaves_the_batch_unwritten,
    the_record_folds_the_same_on_both_and_snapshots_are_derived_and_checked,
    checkpoints_of_long_streams_are_used_and_checked,
    the_log_refuses_update_and_delete,
    one_winner_per_stream_version_among_concurrent_writers,
    a_held_writer_makes_readers_wait_without_skipping_or_reordering,
    a_store_that_is_not_there_is_missing_and_nothing_is_made,
    a_writer_overtaken_by_another_judges_again_from_the_log,
    one_write_that_holds_an_id_twice_writes_it_once,
    a_group_holding_an_id_the_log_has_is_made_again_with_its_ids_looked_up,
    a_checkpoint_due_in_a_group_goes_with_its_rows_even_after_another_connection_drops_them,
);

fn now() -> Timestamp {
    chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").unwrap()
}

fn event(json: serde_json::Value) -> Event {
    Event::from_value(json).expect("a valid event")
}

fn id(n: u32) -> String {
    format!("0190f3a0-0000-7000-8000-{n:012}")
}

fn declared() -> Event {
    event(serde_json::json!({
        "id": id(1), "type": "MeetingDeclared", "v": 1, "meeting": "m", "document": null,
        "occurred": { "from": "2030-03-02T09:00:00Z", "to": "2030-03-02T09:00:00Z" },
        "phase": "preparatory", "source": null,
        "data": { "title": "M", "venue": "here", "time_zone": "UTC", "first_day": "2030-03-02",
                  "last_day": "2030-03-02", "bodies": [{ "id": "board", "name": "Board" }] }
    }))
}

fn tabled(n: u32, doc: &str) -> Event {
    event(serde_json::json!({
        "id": id(n), "type": "DocumentTabled", "v": 1, "meeting": "m", "document": format!("m/{doc}"),
        "occurred": { "from": "2030-03-02T09:30:00Z", "to": "2030-03-02T09:30:00Z" }, "source": null,
        "data": { "kind": "draft_opinion", "title": doc }
    }))
}

fn statement(n: u32, doc: Option<&str>, summary: &str) -> Event {
    event(serde_json::json!({
        "id": id(n), "type": "StatementMade", "v": 1, "meeting": "m",
        "document": doc.map(|d| format!("m/{d}")), "body": "board", "actors": [],
        "occurred": { "from": "2030-03-02T10:00:00Z", "to": "2030-03-02T11:00:00Z" },
        "source": null, "data": { "stance": "other", "summary": summary }
    }))
}

/// The bundled WTPF-13 record, read from `events/wtpf-13/` as the build reads it.
fn wtpf() -> Vec<Event> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events/wtpf-13");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.ends_with("coverage.toml"))
        .collect();
    files.sort();
    let read_text = |p: &str| std::fs::read_to_string(root.join(p)).ok();
    let mut out = Vec::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let src = std::fs::read_to_string(&f).unwrap();
        out.extend(minutes_core::record::load(&format!("events/wtpf-13/{name}"), &src, &read_text).unwrap());
    }
    assert!(out.len() > 100, "the record has its events");
    out
}

fn appends_read_back_in_order_and_verify(b: Backend) {
    let place = Place::new(b);
    let mut s = place.create(&[declared(), tabled(2, "d")]);
    let a = s.append(&[statement(3, Some("d"), "one"), statement(4, None, "two")], None, now()).unwrap();
    assert_eq!(
        a.iter().map(|x| (x.seq, x.version, x.existed)).collect::<Vec<_>>(),
        [(3, 2, false), (4, 2, false)]
    );
    let stream = s.stream("m/d").unwrap();
    assert_eq!(stream.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(s.head_seq().unwrap(), 4);
    assert_eq!(s.count().unwrap(), 4);
    assert_eq!(s.stream_version("m/d").unwrap(), 2);
    assert_eq!(s.meetings().unwrap(), ["m"]);
    assert_eq!(s.events_after(1, 2).unwrap().iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 3]);
    let r = s.verify(None).unwrap();
    assert!(r.ok(), "{r:?}");
    assert_eq!((r.events, r.size), (4, 4));
    // A reader opened afresh sees the same, and a head anchored before still verifies.
    let head = r.head.clone().unwrap();
    drop(s);
    let mut w = place.open();
    w.append(&[statement(5, None, "three")], None, now()).unwrap();
    let ro = Store::open_read_only(&place.location).unwrap();
    let r2 = ro.verify(Some(&head)).unwrap();
    assert!(r2.ok() && r2.events == 5, "{r2:?}");
    assert!(!ro.verify(Some("00")).unwrap().ok(), "an unknown head is a problem");
    // The payload is stored as the exact bytes appended.
    let stored = ro.event(&minutes_core::id::EventId(uuid(5))).unwrap().unwrap();
    assert_eq!(stored.event.to_json(), ro.stream("m").unwrap().last().unwrap().event.to_json());
    let p = ro.inclusion_proof(&minutes_core::id::EventId(uuid(3)), None).unwrap().unwrap();
    assert_eq!(p.index, 2);
}

fn uuid(n: u32) -> uuid::Uuid {
    uuid::Uuid::parse_str(&id(n)).unwrap()
}

fn a_retry_is_a_no_op_and_the_same_id_with_other_content_is_refused(b: Backend) {
    let place = Place::new(b);
    let mut s = place.create(&[declared(), tabled(2, "d"), statement(3, Some("d"), "one")]);
    // Retried on a connection that knows the stream, and on a fresh one, with a stale version.
    for store in [&mut s, &mut place.open()] {
        let a = store.append(&[statement(3, Some("d"), "one")], Some(7), now()).unwrap();
        assert_eq!((a[0].seq, a[0].existed), (3, true));
        let err = store.append(&[statement(3, Some("d"), "changed")], None, now()).unwrap_err();
        assert!(matches!(err, StoreError::Refused { refusal: Refusal::IdTaken(_), .. }), "{err}");
        // The id of an event of another stream, in this one.
        let err = store.append(&[statement(3, None, "one")], None, now()).unwrap_err();
        assert!(matches!(err, StoreError::Refused { refusal: Refusal::IdTaken(_), .. }), "{err}");
    }
    // After a refusal the connection writes on as before.
    s.append(&[statement(4, Some("d"), "two")], None, now()).unwrap();
    assert_eq!(s.count().unwrap(), 4);
    assert!(s.verify(None).unwrap().ok());
}

fn a_stale_expected_version_conflicts_and_writes_nothing(b: Backend) {
    let place = Place::new(b);
    let mut s = place.create(&[declared(), tabled(2, "d")]);
    let err = s.append(&[statement(3, Some("d"), "one")], Some(0), now()).unwrap_err();
    let StoreError::Stale { expected: 0, actual: 1, last: Some(last), .. } = &err else { panic!("{err:?}") };
    assert_eq!((last.seq, last.type_name.as_str()), (2, "DocumentTabled"));
    assert_eq!(s.count().unwrap(), 2);
    s.append(&[statement(3, Some("d"), "one")], Some(1), now()).unwrap();
}

fn a_refused_event_leaves_the_batch_unwritten(b: Backend) {
    let place = Place::new(b);
    let mut s = place.create(&[declared()]);
    // The second event names a document never tabled: the rules refuse it, the first goes too.
    let err = s.append(&[tabled(2, "d"), statement(3, Some("e"), "x")], None, now()).unwrap_err();
    assert!(matches!(err, StoreError::Refused { index: 1, .. }), "{err}");
    assert_eq!(s.count().unwrap(), 1);
    let each = s
        .append_each(
            &[
                (tabled(2, "d"), None),
                (statement(3, Some("e"), "x"), None),
                (statement(4, Some("d"), "y"), Some(1)),
            ],
            now(),
        )
        .unwrap();
    assert!(each[0].is_ok() && each[1].is_err() && each[2].is_ok(), "{each:?}");
    assert_eq!(s.count().unwrap(), 3);
    assert!(s.verify(None).unwrap().ok());
}

fn the_record_folds_the_same_on_both_and_snapshots_are_derived_and_checked(b: Backend) {
    let events = wtpf();
    let place = Place::new(b);
    let mut s = place.create(&events);
    let report = s.verify(None).unwrap();
    assert!(report.ok(), "{report:?}");
    // The same events make the same log on the other backend: the same head and Merkle root.
    let other = Place::new(match b {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    });
    let o = other.create(&events);
    let theirs = o.verify(None).unwrap();
    assert_eq!((&report.head, &report.root, report.size), (&theirs.head, &theirs.root, theirs.size));
    let at = chrono::DateTime::parse_from_rfc3339("2013-05-15T18:00:00+02:00").unwrap();
    let folded = format!("{:?}", s.document_state_at("wtpf-13/opinion-3", &at).unwrap());
    assert_eq!(folded, format!("{:?}", o.document_state_at("wtpf-13/opinion-3", &at).unwrap()));
    let stored = s.rebuild_snapshots(None).unwrap();
    assert!(stored > 0, "snapshots were stored");
    let with = format!("{:?}", s.document_state_at("wtpf-13/opinion-3", &at).unwrap());
    assert_eq!(with, folded, "a snapshot answers as the fold does");
    let check = s.verify_snapshots().unwrap();
    assert!(check.problem.is_none() && check.checked >= stored, "{check:?}");
    assert!(s.take_warnings().is_empty());
    assert_eq!(place.backend, b);
    // Named amendments are found by their id on both.
    let m = minutes_core::id::MeetingId::new("wtpf-13").unwrap();
    let holder = events
        .iter()
        .find_map(|e| match &e.kind {
            minutes_core::event::EventKind::AmendmentProposed(p) => {
                Some((p.amendment.to_string(), e.document.clone()))
            }
            _ => None,
        })
        .unwrap();
    let docs = s.amendment_documents(&m, &holder.0).unwrap();
    assert_eq!(Some(docs[0].clone()), holder.1);
    assert_eq!(format!("{:?}", s.documents().unwrap()), format!("{:?}", o.documents().unwrap()));
}

fn checkpoints_of_long_streams_are_used_and_checked(b: Backend) {
    let place = Place::new(b);
    let mut events = vec![declared(), tabled(2, "d")];
    for n in 0..80 {
        events.push(statement(100 + n, Some("d"), &format!("s{n}")));
        events.push(statement(300 + n, None, &format!("m{n}")));
    }
    let s = place.create(&events);
    drop(s);
    // A fresh connection loads the streams from their checkpoints and appends on top.
    let mut s = place.open();
    let a = s.append(&[statement(900, Some("d"), "late")], Some(81), now()).unwrap();
    assert_eq!(a[0].version, 82);
    let check = s.verify_snapshots().unwrap();
    assert!(check.problem.is_none() && check.checked >= 2, "{check:?}");
    let d = minutes_core::id::DocumentName::new("m/d").unwrap();
    assert!(s.latest_document(&d).unwrap().is_some());
    s.drop_checkpoints().unwrap();
    s.append(&[statement(901, Some("d"), "later")], Some(82), now()).unwrap();
    assert!(s.verify(None).unwrap().ok());
}

fn the_log_refuses_update_and_delete(b: Backend) {
    let place = Place::new(b);
    drop(place.create(&[declared(), tabled(2, "d")]));
    let statements = ["UPDATE events SET payload = '{}' WHERE seq = 1", "DELETE FROM events WHERE seq = 2"];
    match b {
        Backend::Sqlite => {
            let c = rusqlite::Connection::open(&place.location).unwrap();
            for sql in statements {
                let e = c.execute_batch(sql).unwrap_err();
                assert!(e.to_string().contains("append-only"), "{sql}: {e}");
            }
        }
        Backend::Postgres => {
            let db = place.location.to_str().unwrap().rsplit('/').next().unwrap().to_string();
            let mut c = cluster::Cluster::get().admin(&db);
            for sql in statements.iter().copied().chain(["TRUNCATE events"]) {
                let e = c.batch_execute(sql).unwrap_err();
                assert!(format!("{e:?}").contains("append-only"), "{sql}: {e:?}");
            }
        }
    }
    let s = place.open();
    assert_eq!(s.count().unwrap(), 2);
    assert!(s.verify(None).unwrap().ok());
}

fn one_winner_per_stream_version_among_concurrent_writers(b: Backend) {
    let place = Place::new(b);
    drop(place.create(&[declared(), tabled(2, "d")]));
    let barrier = std::sync::Barrier::new(8);
    let outcomes: Vec<Result<u64, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8u32)
            .map(|i| {
                let (barrier, location) = (&barrier, &place.location);
                scope.spawn(move || {
                    let mut s = Store::open(location).unwrap();
                    barrier.wait();
                    match s.append(&[statement(500 + i, Some("d"), &format!("w{i}"))], Some(1), now()) {
                        Ok(a) => Ok(a[0].seq),
                        Err(e @ (StoreError::Stale { .. } | StoreError::Busy)) => Err(e.to_string()),
                        Err(e) => panic!("a writer failed otherwise: {e}"),
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<_> = outcomes.iter().filter(|o| o.is_ok()).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    let s = place.open();
    assert_eq!(s.stream_version("m/d").unwrap(), 2);
    assert!(s.verify(None).unwrap().ok());
}

fn a_held_writer_makes_readers_wait_without_skipping_or_reordering(b: Backend) {
    let place = Place::new(b);
    drop(place.create(&[declared()]));
    let holder = place.open();
    let held = holder.hold_append().unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        // Writers, each its own connection, appending while the lock is held and after.
        let writers: Vec<_> = (0..4u32)
            .map(|w| {
                let location = &place.location;
                scope.spawn(move || {
                    let mut s = Store::open(location).unwrap();
                    for k in 0..10u32 {
                        loop {
                            match s.append(&[statement(1000 + w * 100 + k, None, "x")], None, now()) {
                                Ok(_) => break,
                                Err(StoreError::Busy) => continue,
                                Err(e) => panic!("{e}"),
                            }
                        }
                    }
                })
            })
            .collect();
        // A reader following the log as a live feed does: the rows after the last it saw.
        let reader = scope.spawn(|| {
            let r = Store::open_read_only(&place.location).unwrap();
            let mut seen = vec![1u64];
            while seen.len() < 41 {
                for e in r.events_after(*seen.last().unwrap(), 100).unwrap() {
                    assert_eq!(e.seq, seen.last().unwrap() + 1, "no row skipped or out of order");
                    seen.push(e.seq);
                }
                if done.load(std::sync::atomic::Ordering::SeqCst) && seen.len() < 41 {
                    // One last read after every writer finished.
                    for e in r.events_after(*seen.last().unwrap(), 100).unwrap() {
                        assert_eq!(e.seq, seen.last().unwrap() + 1);
                        seen.push(e.seq);
                    }
                    break;
                }
            }
            seen
        });
        // While the lock is held nobody commits: the log stays at its head.
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(Store::open_read_only(&place.location).unwrap().head_seq().unwrap(), 1);
        held.commit().unwrap();
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        let seen = reader.join().unwrap();
        assert_eq!(seen, (1..=41).collect::<Vec<u64>>());
    });
    assert!(place.open().verify(None).unwrap().ok());
}

fn a_store_that_is_not_there_is_missing_and_nothing_is_made(b: Backend) {
    let place = Place::new(b);
    assert!(matches!(Store::open(&place.location), Err(StoreError::Missing(_))));
    assert!(matches!(Store::open_read_only(&place.location), Err(StoreError::Missing(_))));
    // A refused first write leaves no store behind.
    let made = Store::create_with(&place.location, |s| {
        s.append(&[statement(3, Some("e"), "x")], None, now()).map(|_| ())
    });
    assert!(made.is_err());
    assert!(matches!(Store::open(&place.location), Err(StoreError::Missing(_))));
}

/// A connection keeps the state its last write left (on PostgreSQL without reading the head
/// again); when another connection has appended since, its insert, refusal or conflict is
/// judged again from the log as it is, never from the state it kept.
fn a_writer_overtaken_by_another_judges_again_from_the_log(b: Backend) {
    let place = Place::new(b);
    drop(place.create(&[declared()]));
    let (mut a, mut other) = (place.open(), place.open());
    a.append(&[tabled(2, "d")], None, now()).unwrap();
    // Another writer appends; `a`'s next event goes after it, at the stream's true version.
    other.append(&[statement(3, Some("d"), "other's")], Some(1), now()).unwrap();
    let put = a.append(&[statement(4, Some("d"), "a's")], Some(2), now()).unwrap();
    assert_eq!((put[0].seq, put[0].version), (4, 3));
    // A version that `a`'s own state calls stale is the log's current one: accepted.
    other.append(&[statement(5, Some("d"), "again")], Some(3), now()).unwrap();
    let put = a.append(&[statement(6, Some("d"), "after it")], Some(4), now()).unwrap();
    assert_eq!((put[0].seq, put[0].version), (6, 5));
    // A version stale in the log is refused with the log's figures.
    other.append(&[statement(7, Some("d"), "third")], None, now()).unwrap();
    let err = a.append(&[statement(8, Some("d"), "late")], Some(5), now()).unwrap_err();
    assert!(matches!(err, StoreError::Stale { expected: 5, actual: 6, .. }), "{err:?}");
    // The same in a group: each event judged against the log, the group committed together.
    a.append(&[tabled(9, "e")], None, now()).unwrap();
    other.append(&[statement(10, Some("e"), "other's on e")], Some(1), now()).unwrap();
    let each = a
        .append_each(
            &[
                (statement(11, Some("e"), "a's on e"), Some(2)),
                (statement(12, Some("d"), "stale"), Some(5)),
                (statement(13, Some("f"), "no such document"), None),
            ],
            now(),
        )
        .unwrap();
    assert_eq!(each[0].as_ref().map(|x| (x.seq, x.version)).ok(), Some((10, 3)), "{each:?}");
    assert!(matches!(&each[1], Err(StoreError::Stale { expected: 5, actual: 6, .. })), "{each:?}");
    assert!(matches!(&each[2], Err(StoreError::Refused { .. })), "{each:?}");
    // And a retry of an event the other wrote is a no-op for `a`.
    let again = a.append(&[statement(10, Some("e"), "other's on e")], None, now()).unwrap();
    assert!(again[0].existed, "{again:?}");
    // Several events at once, sent in one statement where the backend can: the clash with the
    // other's row comes when they are sent, and the write is made again all the same.
    other.append(&[statement(14, Some("e"), "other's again")], None, now()).unwrap();
    let put =
        a.append(&[statement(15, Some("e"), "one"), statement(16, Some("e"), "two")], None, now()).unwrap();
    assert_eq!(put.iter().map(|x| (x.seq, x.version)).collect::<Vec<_>>(), [(12, 5), (13, 6)]);
    assert_eq!(a.count().unwrap(), 13);
    assert!(a.verify(None).unwrap().ok());
}

/// An id given twice in one write (the rows of a write may be sent together): the second is a
/// retry of the first in its stream, and refused in another.
fn one_write_that_holds_an_id_twice_writes_it_once(b: Backend) {
    let place = Place::new(b);
    let mut s = place.create(&[declared(), tabled(2, "d"), tabled(3, "e")]);
    let each = s
        .append_each(
            &[
                (statement(4, Some("d"), "x"), None),
                (statement(4, Some("d"), "x"), None),
                (statement(4, Some("e"), "x"), None),
                (statement(5, None, "y"), None),
            ],
            now(),
        )
        .unwrap();
    let seqs: Vec<_> = each.iter().map(|r| r.as_ref().map(|a| (a.seq, a.existed)).ok()).collect();
    assert_eq!(seqs, [Some((4, false)), Some((4, true)), None, Some((5, false))], "{each:?}");
    assert!(matches!(&each[2], Err(StoreError::Refused { refusal: Refusal::IdTaken(_), .. })), "{each:?}");
    assert_eq!(s.count().unwrap(), 5);
    assert!(s.verify(None).unwrap().ok());
}

/// A group's ids are taken as free without a look (on PostgreSQL its rows then go in one
/// statement): a retry the connection cannot know of (its stream loaded from a checkpoint,
/// which keeps no ids) or an id of another stream makes the log refuse the rows, and the group
/// is made again with its ids looked up: the retry a no-op, the id of another stream refused,
/// the rest written, the chain without a gap.
fn a_group_holding_an_id_the_log_has_is_made_again_with_its_ids_looked_up(b: Backend) {
    let place = Place::new(b);
    let mut events = vec![declared(), tabled(2, "d"), tabled(3, "e")];
    for n in 0..40 {
        events.push(statement(100 + n, Some("d"), &format!("s{n}")));
    }
    drop(place.create(&events));
    // A fresh connection: `d` comes from its checkpoint, the ids folded into it unknown.
    let mut s = place.open();
    let each = s
        .append_each(
            &[
                (statement(500, Some("e"), "new"), None),
                (statement(105, Some("d"), "s5"), None),
                (statement(106, Some("e"), "s6"), None),
                (statement(501, None, "new too"), None),
            ],
            now(),
        )
        .unwrap();
    let seqs: Vec<_> = each.iter().map(|r| r.as_ref().map(|a| (a.seq, a.existed)).ok()).collect();
    assert_eq!(seqs, [Some((44, false)), Some((9, true)), None, Some((45, false))], "{each:?}");
    assert!(matches!(&each[2], Err(StoreError::Refused { refusal: Refusal::IdTaken(_), .. })), "{each:?}");
    assert_eq!(s.count().unwrap(), 45);
    assert!(s.verify(None).unwrap().ok());
    // The next group, from the state this one left, appends on top.
    let next =
        s.append_each(&[(statement(502, Some("d"), "a"), None), (statement(503, None, "b"), None)], now());
    let seqs: Vec<_> = next.unwrap().iter().map(|r| r.as_ref().map(|a| a.seq).ok()).collect();
    assert_eq!(seqs, [Some(46), Some(47)]);
    assert!(s.verify(None).unwrap().ok());
}

/// The checkpoints due in a group are stored with its rows (on PostgreSQL in the statement
/// that inserts them, the table's existence read in the round trip that opens the write):
/// made when there is no table, made again after another connection drops them, bound to
/// the rows of the group as it was finally written when a clash made it again, and used by
/// a fresh connection.
fn a_checkpoint_due_in_a_group_goes_with_its_rows_even_after_another_connection_drops_them(b: Backend) {
    let place = Place::new(b);
    let mut events = vec![declared(), tabled(2, "d")];
    for n in 0..20 {
        events.push(statement(100 + n, Some("d"), &format!("s{n}")));
    }
    drop(place.create(&events));
    let group = |from: u32, n: u32| -> Vec<(Event, Option<u64>)> {
        (from..from + n).map(|k| (statement(k, Some("d"), &format!("g{k}")), None)).collect()
    };
    let checkpoints = |s: &Store| {
        let check = s.verify_snapshots().unwrap();
        assert!(check.problem.is_none(), "{check:?}");
        check.checked
    };
    let mut s = place.open();
    assert_eq!(checkpoints(&s), 0, "nothing was due: no checkpoint");
    // d from the log (version 21), then 16 rows in one group: version 37, a checkpoint due.
    assert!(s.append_each(&group(1000, 16), now()).unwrap().iter().all(Result::is_ok));
    assert_eq!(checkpoints(&s), 1);
    // Another connection drops them; this one's next due checkpoint makes the table again.
    place.open().drop_checkpoints().unwrap();
    assert_eq!(checkpoints(&s), 0);
    assert!(s.append_each(&group(2000, 32), now()).unwrap().iter().all(Result::is_ok));
    assert_eq!(checkpoints(&s), 1);
    // A group that makes a checkpoint due and holds an id the log has (a retry this
    // connection cannot know of: d resumed from its checkpoint) is made again; the
    // checkpoint stored is the second try's.
    let mut fresh = place.open();
    let mut retry = group(3000, 40);
    retry.insert(20, (statement(2005, Some("d"), "g2005"), None));
    let each = fresh.append_each(&retry, now()).unwrap();
    assert!(each.iter().all(Result::is_ok), "{each:?}");
    assert!(each[20].as_ref().unwrap().existed);
    assert_eq!(checkpoints(&fresh), 1);
    // A group in which d's state changes (referred to the board) stores the new state, not
    // the kept one: a fresh connection resumes from it and finds d under consideration.
    let mut changed = group(4000, 31);
    changed.insert(10, (referred(4100, "d"), None));
    assert!(fresh.append_each(&changed, now()).unwrap().iter().all(Result::is_ok));
    assert_eq!(checkpoints(&fresh), 1);
    drop(fresh);
    let mut last = place.open();
    let version = 21 + 16 + 32 + 40 + 32;
    let a = last.append(&[statement(9000, Some("d"), "last")], Some(version), now()).unwrap();
    assert_eq!(a[0].version, version + 1);
    let d = minutes_core::id::DocumentName::new("m/d").unwrap();
    let state = last.latest_document(&d).unwrap().unwrap();
    assert_eq!(state.status, minutes_core::project::document::Status::UnderConsideration);
    assert!(last.verify(None).unwrap().ok());
    assert_eq!(checkpoints(&last), 1);
}

fn referred(n: u32, doc: &str) -> Event {
    event(serde_json::json!({
        "id": id(n), "type": "DocumentReferred", "v": 1, "meeting": "m", "document": format!("m/{doc}"),
        "body": "board", "occurred": { "from": "2030-03-02T12:00:00Z", "to": "2030-03-02T12:00:00Z" },
        "source": null, "data": {}
    }))
}
