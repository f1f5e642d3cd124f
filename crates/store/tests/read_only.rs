//! A store on a medium nobody can write (a read-only bind mount: the tests run as root, which
//! ignores file modes, so only a read-only mount is truly unwritable) opens with
//! `Store::open_read_only`, answers every read and verifies, and nothing under it changes:
//! both when it was closed cleanly (no `-wal`, no `-shm`: SQLite cannot create its index there)
//! and while a writer elsewhere holds it open with committed frames in its `-wal`.
//!
//! A machine where the test cannot mount fails the test: it does not skip.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use minutes_core::event::Event;
use minutes_store::{Store, StoreError};

fn event(json: serde_json::Value) -> Event {
    Event::from_value(json).expect("a valid event")
}

fn record() -> Vec<Event> {
    let src = serde_json::json!({ "file": "test", "section": "test", "quote": "test" });
    let mut out = vec![
        event(serde_json::json!({
            "id": "0190f3a0-0000-7000-8000-0000000a0001", "type": "MeetingDeclared", "v": 1, "meeting": "ro",
            "document": null, "occurred": { "from": "2030-01-01T09:00:00Z", "to": "2030-01-01T09:00:00Z" },
            "phase": "preparatory", "source": src,
            "data": { "title": "Read only", "venue": "here", "time_zone": "UTC", "first_day": "2030-03-02",
                      "last_day": "2030-03-02", "bodies": [{ "id": "board", "name": "Board" }] }
        })),
        event(serde_json::json!({
            "id": "0190f3a0-0000-7000-8000-0000000a0002", "type": "DocumentTabled", "v": 1, "meeting": "ro",
            "document": "ro/d", "occurred": { "from": "2030-03-02T09:00:00Z", "to": "2030-03-02T09:00:00Z" },
            "source": src, "data": { "kind": "draft_opinion", "title": "D", "symbol": "RO/1" }
        })),
    ];
    out.extend(statements(0, 10));
    out
}

fn statements(from: usize, n: usize) -> Vec<Event> {
    (from..from + n)
        .map(|i| {
            event(serde_json::json!({
                "id": format!("0190f3a0-0000-7000-8000-0000000b{i:04x}"), "type": "StatementMade", "v": 1,
                "meeting": "ro", "document": "ro/d", "body": "board",
                "occurred": { "from": "2030-03-02T10:00:00Z", "to": "2030-03-02T11:00:00Z" },
                "source": { "file": "test", "section": "test", "quote": "test" },
                "data": { "stance": "support", "summary": format!("statement {i}") }
            }))
        })
        .collect()
}

fn now() -> minutes_core::time::Timestamp {
    chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").unwrap()
}

/// `dir` mounted read-only at a new directory, unmounted on drop.
struct ReadOnlyMount {
    at: tempfile::TempDir,
}

impl ReadOnlyMount {
    fn new(dir: &Path) -> Self {
        let at = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("mount").args(args).output().expect("the mount command runs");
            assert!(
                out.status.success(),
                "mount {args:?} failed (this test needs to mount): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let (from, to) = (dir.to_str().unwrap().to_string(), at.path().to_str().unwrap().to_string());
        let (from, to) = (from.as_str(), to.as_str());
        run(&["--bind", from, to]);
        let mount = Self { at };
        run(&["-o", "remount,bind,ro", to]);
        // Proof that it is unwritable, even for root.
        assert!(std::fs::write(mount.path().join("probe"), b"x").is_err(), "the mount is read-only");
        mount
    }

    fn path(&self) -> &Path {
        self.at.path()
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.at.path()).status();
    }
}

/// Every file under `dir` with its size and a digest of its bytes.
fn contents(dir: &Path) -> BTreeMap<PathBuf, (usize, String)> {
    use sha2::Digest;
    let digest = |b: &[u8]| sha2::Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect::<String>();
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p.clone(), (b.len(), digest(&b)))
        })
        .collect()
}

/// Every read method, and verify, on the store at `path`; returns what they saw.
fn read_everything(path: &Path) -> String {
    let store = Store::open_read_only(path).expect("opens read-only");
    let at = chrono::DateTime::parse_from_rfc3339("2030-03-02T12:00:00Z").unwrap();
    let meeting = minutes_core::id::MeetingId::new("ro").unwrap();
    let stream = store.stream("ro/d").unwrap();
    let first = store.event(&stream[0].event.id).unwrap().expect("the event by id");
    let state = store.document_state_at("ro/d", &at).unwrap();
    let report = store.verify(None).unwrap();
    assert!(report.problem.is_none(), "verifies: {:?}", report.problem);
    assert_eq!(report.events, store.count().unwrap());
    let write = store.stream_version("ro/d").unwrap();
    let summary = format!(
        "{} events; ro/d at {write}; meeting {}; meetings {:?}; documents {:?}; state {:?}; at T {}; first {}; head {:?}",
        store.count().unwrap(),
        store.meeting(&meeting).unwrap().len(),
        store.meetings().unwrap(),
        store.documents().unwrap().iter().map(|d| (d.document.to_string(), d.symbols.clone())).collect::<Vec<_>>(),
        state.state.as_ref().map(|s| s.status),
        store.document_events_at("ro/d", &at).unwrap().len(),
        first.seq,
        report.head,
    );
    store.close().unwrap();
    summary
}

#[test]
fn a_store_on_a_read_only_mount_opens_reads_and_verifies_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.db");
    let mut store = Store::create(&path).unwrap();
    store.append(&record(), None, now()).unwrap();
    store.rebuild_snapshots(None).unwrap();
    store.close().unwrap();
    let before = contents(dir.path());
    assert_eq!(before.len(), 1, "closed cleanly: no -wal, no -shm: {:?}", before.keys());

    let mount = ReadOnlyMount::new(dir.path());
    let seen = read_everything(&mount.path().join("ro.db"));
    assert!(seen.starts_with("12 events; ro/d at 11; meeting 12;"), "{seen}");
    assert!(seen.contains("state Some(Tabled)"), "{seen}");
    // A write is refused, and leaves nothing.
    let mut ro = Store::open_read_only(&mount.path().join("ro.db")).unwrap();
    assert!(ro.append(&statements(100, 1), None, now()).is_err());
    drop(ro);
    assert_eq!(contents(dir.path()), before, "nothing under the mount changed");

    // While a writer (another process, through the writable path) holds the store open with frames
    // in its -wal, the read-only store sees them: it does not read the database file alone.
    let mut writer = Store::open(&path).unwrap();
    writer.append(&statements(10, 5), None, now()).unwrap();
    let during = contents(dir.path());
    assert!(
        during.keys().any(|p| p.to_string_lossy().ends_with("-wal")),
        "the writer's -wal: {:?}",
        during.keys()
    );
    let seen = read_in_a_child_process(&mount.path().join("ro.db"));
    assert!(seen.starts_with("17 events; ro/d at 16;"), "the read-only store sees the -wal's frames: {seen}");
    assert_eq!(contents(dir.path()), during, "nothing changed while reading");
    writer.close().unwrap();
}

/// Runs [`child_reads_the_store`] in a process of its own, as another program would read the
/// store: two connections of one process share the `-shm` mapping (SQLite keys it by inode),
/// so the writer's would take the reader's read marks, a write that is not the reader's.
fn read_in_a_child_process(path: &Path) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_store_is_read_whole_by_a_process_of_its_own",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("MINUTES_READ_ONLY_STORE", path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the child read: {stdout} {}", String::from_utf8_lossy(&out.stderr));
    stdout
        .lines()
        .find_map(|l| l.split_once("SEEN: ").map(|(_, seen)| seen))
        .unwrap_or_else(|| panic!("the child says what it saw: {stdout}"))
        .to_string()
}

/// Reads a store whole, read-only: the store `MINUTES_READ_ONLY_STORE` names when the mount
/// test runs this in a child process, else a fresh store of its own (a plain read-only open).
#[test]
fn a_store_is_read_whole_by_a_process_of_its_own() {
    match std::env::var_os("MINUTES_READ_ONLY_STORE") {
        Some(path) => println!("SEEN: {}", read_everything(Path::new(&path))),
        None => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("m.db");
            let mut store = Store::create(&path).unwrap();
            store.append(&record(), None, now()).unwrap();
            store.close().unwrap();
            let seen = read_everything(&path);
            assert!(!seen.is_empty());
        }
    }
}

#[test]
fn a_read_only_open_of_a_file_that_is_not_a_store_is_not_a_store() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("x.db"),
        b"not a database, just some bytes that are long enough to look like a header....",
    )
    .unwrap();
    let mount = ReadOnlyMount::new(dir.path());
    assert!(matches!(Store::open_read_only(&mount.path().join("x.db")), Err(StoreError::NotAStore(_))));
    assert!(matches!(Store::open_read_only(&mount.path().join("none.db")), Err(StoreError::Missing(_))));
}
