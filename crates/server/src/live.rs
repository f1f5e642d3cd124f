//! The record kept decoded in memory ([`Memory`]) and kept current: its own read-only
//! connection notices any commit (SQLite's `data_version` moves when another connection, in
//! this process or another, commits) and reads only the rows appended since. The feed's
//! watcher keeps it current between requests; a state query and a recording verb bring it up
//! to the log first (a `PRAGMA` when nothing was committed), so they see every event committed
//! before they began, whoever wrote it, without decoding JSON. Requests that arrive while a
//! look is under way wait for the next one, and one look that began after they arrived does
//! for all of them. They read the memory through [`Live::read`], which hands out the decoded
//! record itself ([`minutes_query::Lookup`] borrows its states), for the span of one lookup.
//! What the server's own writer commits is applied as it commits ([`Live::committed`]), so a
//! look after it finds no row to read and decode; rows appended by anyone else are read.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard, TryLockError};

use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::sync::Notify;

use minutes_core::event::Recorded;
use minutes_query::Memory;
use minutes_store::{Store, StoreError};

/// How many rows one read of the log takes.
const PAGE: u64 = 4096;

/// The connection that watches the log, and the `data_version` it saw last.
struct Watch {
    store: Store,
    seen: Option<i64>,
}

/// The decoded record and the connection that keeps it current.
pub(crate) struct Live {
    watch: Mutex<Watch>,
    memory: RwLock<Memory>,
    /// How many looks at the log have begun.
    begun: AtomicU64,
    /// The number of the last look that ended (they take turns under `watch`).
    ended: AtomicU64,
    /// Wakes the tasks waiting for a look under way to end ([`Live::sync_async`]).
    looked: Notify,
}

impl Live {
    /// Opens its own read-only connection to the store at `path` and decodes the whole log.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        let live = Self {
            watch: Mutex::new(Watch { store: Store::open_read_only(path)?, seen: None }),
            memory: RwLock::default(),
            begun: AtomicU64::new(0),
            ended: AtomicU64::new(0),
            looked: Notify::new(),
        };
        live.sync()?;
        Ok(live)
    }

    /// Brings the memory up to the log: when anything was committed since the last look, the
    /// rows after the memory's head are read and applied. Returns the head.
    pub(crate) fn sync(&self) -> Result<u64, StoreError> {
        let arrived = self.begun.load(Ordering::SeqCst);
        let mut w = self.watch.lock().map_err(|_| poisoned())?;
        // A look that began after this call did (its number is past those begun then) saw
        // every commit before it: it did this call's work.
        if self.ended.load(Ordering::SeqCst) > arrived {
            return Ok(self.read().head());
        }
        self.look_now(&mut w)
    }

    /// As [`Live::sync`], for a request's task: while another look is under way it waits for
    /// it without holding its worker thread (the look that ends wakes it), and a look of its
    /// own that has many rows to catch up reads them inside `block_in_place`, so the runtime's
    /// other tasks move to another thread meanwhile.
    pub(crate) async fn sync_async(&self) -> Result<u64, StoreError> {
        let arrived = self.begun.load(Ordering::SeqCst);
        loop {
            if self.ended.load(Ordering::SeqCst) > arrived {
                return Ok(self.read().head());
            }
            // Registered before the lock is tried, so that a look ending in between wakes it.
            let ended = self.looked.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            // The guard is gone before any await (it must not be held across one).
            let done = match self.watch.try_lock() {
                Ok(_) if self.ended.load(Ordering::SeqCst) > arrived => Some(Ok(self.read().head())),
                Ok(mut w) => Some(self.look_now(&mut w)),
                Err(TryLockError::WouldBlock) => None,
                Err(TryLockError::Poisoned(_)) => Some(Err(poisoned())),
            };
            match done {
                Some(head) => return head,
                None => ended.await,
            }
        }
    }

    /// A look of its own, numbered, under `watch`; wakes those waiting for it to end.
    fn look_now(&self, w: &mut Watch) -> Result<u64, StoreError> {
        let look = self.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let head = self.look(w);
        if head.is_ok() {
            self.ended.store(look, Ordering::SeqCst);
        }
        self.looked.notify_waiters();
        head
    }

    /// One look at the log, under `watch`.
    fn look(&self, w: &mut Watch) -> Result<u64, StoreError> {
        // The version first: a commit that lands while the rows are read moves it again.
        let now = w.store.data_version()?;
        if w.seen == Some(now) {
            return Ok(self.read().head());
        }
        let page = |w: &mut Watch| -> Result<usize, StoreError> {
            let head = self.read().head();
            let rows: Vec<Recorded> = w.store.events_after(head, PAGE)?;
            let n = rows.len();
            if n > 0 {
                self.memory.write().map_err(|_| poisoned())?.apply(rows);
            }
            Ok(n)
        };
        // Usually a few rows; a full page means a long catch-up (another process appended
        // many events), read off the async workers.
        if page(w)? as u64 == PAGE {
            blocking(|| {
                while page(w)? > 0 {}
                Ok::<_, StoreError>(())
            })?;
        }
        w.seen = Some(now);
        Ok(self.read().head())
    }

    /// Applies the events the server's own writer just committed, as the log holds them, if
    /// they follow the memory's head. If they do not (another process appended between, or a
    /// look already read them), they are left to the looks at the log, which read whatever the
    /// memory lacks: the memory never holds a gap.
    pub(crate) fn committed(&self, rows: Vec<Recorded>) {
        let Ok(mut memory) = self.memory.write() else { return };
        if rows.first().is_some_and(|r| r.seq == memory.head() + 1) {
            memory.apply(rows);
        }
    }

    /// The memory, to read (held briefly: a sync waits for it).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Memory> {
        self.memory.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Runs `f`, which blocks for long, inside `block_in_place` on a multi-threaded runtime's
/// thread (its other tasks move to another thread meanwhile); elsewhere as it is.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

fn poisoned() -> StoreError {
    StoreError::Io(std::io::Error::other("the in-memory record failed earlier"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use minutes_core::event::Event;

    use super::*;

    fn event(json: serde_json::Value) -> Event {
        Event::from_value(json).expect("a valid event")
    }

    fn declared() -> Event {
        event(serde_json::json!({
            "id": "0190f3a0-0000-7000-8000-000000000001", "type": "MeetingDeclared", "v": 1,
            "meeting": "m", "document": null, "phase": "preparatory", "source": null,
            "occurred": { "from": "2030-03-02T09:00:00Z", "to": "2030-03-02T09:00:00Z" },
            "data": { "title": "M", "venue": "here", "time_zone": "UTC", "first_day": "2030-03-02",
                      "last_day": "2030-03-02", "bodies": [] }
        }))
    }

    fn statement(n: u32) -> Event {
        event(serde_json::json!({
            "id": format!("0190f3a0-0000-7000-8000-{n:012}"), "type": "StatementMade", "v": 1,
            "meeting": "m", "document": null, "body": null, "actors": [], "source": null,
            "occurred": { "from": "2030-03-02T10:00:00Z", "to": "2030-03-02T10:00:00Z" },
            "data": { "stance": "other", "summary": "s" }
        }))
    }

    fn now() -> minutes_core::time::Timestamp {
        chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").expect("a time")
    }

    /// A request that arrives while another look is under way waits for it on the runtime,
    /// not on its thread: on a runtime of one thread, another task runs meanwhile, and the
    /// look that ends answers the request with what it read, the request's own look not
    /// needed. (Blocked on the lock, the request would hold the only thread for good.)
    #[tokio::test(flavor = "current_thread")]
    // The guard stands for a look under way in another thread: held across the awaits on purpose.
    #[allow(clippy::await_holding_lock)]
    async fn a_request_waits_for_a_look_under_way_without_holding_its_thread() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("s.db");
        let mut store = Store::create(&path).expect("a store");
        store.append(&[declared()], None, now()).expect("appended");
        let live = Arc::new(Live::open(&path).expect("opened"));
        assert_eq!(live.read().head(), 1);

        // A look under way, held here.
        let mut w = live.watch.lock().expect("the watch");
        let request = tokio::spawn({
            let live = Arc::clone(&live);
            async move { live.sync_async().await }
        });
        let other = tokio::spawn(async { "ran" });
        assert_eq!(other.await.expect("the other task"), "ran");
        assert!(!request.is_finished(), "the request waits for the look");

        // Another connection appends; the look under way reads it and ends.
        store.append(&[statement(2)], None, now()).expect("appended");
        let looks = live.begun.load(Ordering::SeqCst);
        assert_eq!(live.look_now(&mut w).expect("the look"), 2);
        drop(w);
        assert_eq!(request.await.expect("the request").expect("synced"), 2);
        assert_eq!(live.begun.load(Ordering::SeqCst), looks + 1, "the request made no look of its own");
    }

    /// What the server's writer commits is in the memory before the append is answered, with
    /// no look at the log; rows another process appended first leave a gap, which the memory
    /// does not take: a look reads them and the writer's rows in log order.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_writers_commits_go_into_the_memory_unless_they_leave_a_gap() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("s.db");
        let mut other = Store::create(&path).expect("a store");
        other.append(&[declared()], None, now()).expect("appended");
        let live = Arc::new(Live::open(&path).expect("opened"));
        let observed = Arc::clone(&live);
        let writer = minutes_store::Writer::spawn_observed(
            Store::open(&path).expect("the writer's connection"),
            Box::new(now),
            Box::new(move |rows| observed.committed(rows)),
        );

        // Another process appends seq 2; the writer's seq 3 would leave a gap.
        other.append(&[statement(2)], None, now()).expect("appended");
        assert_eq!(writer.append(statement(3), None).await.expect("appended").seq, 3);
        assert_eq!(live.read().head(), 1, "a gap is not taken");
        assert_eq!(live.sync().expect("synced"), 3);
        let seqs: Vec<u64> = live.read().events_after(0, 10).iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);

        // Following the head, the writer's commit is in the memory once answered.
        assert_eq!(writer.append(statement(4), None).await.expect("appended").seq, 4);
        assert_eq!(live.read().head(), 4, "applied as committed, before any look");
        let from_log = Store::open_read_only(&path).expect("read").events_after(3, 10).expect("rows");
        let in_memory: Vec<Recorded> = live.read().events_after(3, 10).into_iter().cloned().collect();
        assert_eq!(in_memory, from_log, "the memory holds what the log holds");
        assert_eq!(live.sync().expect("synced"), 4);
        drop(writer);
    }
}
