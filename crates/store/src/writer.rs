//! Group commit: one writer task owns the store and commits everything queued in one
//! transaction, so many concurrent writers share each fsync.
//!
//! Writers send an event with the stream version they last saw ([`Appender::append`]); the
//! writer task takes the first request waiting, then every other one already queued (up to
//! [`MAX_GROUP`]), and commits them with [`Store::append_each`]: each event is judged on its own
//! (its rules, its expected version, a retry of an event already logged is a no-op), so one
//! writer's conflict fails that append alone, not its group. Every request is answered only
//! after the commit that holds it is durable. If the commit itself fails (the disk, a lock held
//! too long by another process), the group is retried one event a transaction, so each request
//! gets its own answer.
//!
//! Between transactions the writer keeps the chain's head and the latest states of the streams
//! it has loaded (the ledger the rules judge against), so an append costs the same however long
//! its document's and meeting's streams have grown. When another process appended meanwhile
//! (SQLite's data_version moved), the writer reads the head again and folds in the rows the
//! other appended; a failed transaction drops them all.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use minutes_core::event::Event;
use minutes_core::time::Timestamp;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::append::{Appended, Primed};
use crate::error::{Result, StoreError};
use crate::Store;

/// The most requests one transaction takes.
pub const MAX_GROUP: usize = 4096;

/// How long the writer waits for the next request before parking its thread.
const SPIN: std::time::Duration = std::time::Duration::from_micros(50);

/// The clock that stamps `recorded_at` on events without one.
pub type Clock = Box<dyn Fn() -> Timestamp + Send>;

struct Request {
    event: Event,
    expected: Option<u64>,
    reply: oneshot::Sender<Result<Appended>>,
}

/// The writer task and a way to reach it. Dropping every [`Appender`] and calling
/// [`Writer::close`] stops it and gives the store back.
pub struct Writer {
    appender: Appender,
    task: JoinHandle<Store>,
}

/// A cheap, clonable handle through which any task appends.
#[derive(Clone)]
pub struct Appender {
    tx: mpsc::UnboundedSender<Request>,
    stats: Arc<Stats>,
}

/// What the writer did so far.
#[derive(Debug, Default)]
pub struct Stats {
    commits: AtomicU64,
    events: AtomicU64,
}

impl Stats {
    /// Transactions committed.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }
    /// Requests answered.
    pub fn requests(&self) -> u64 {
        self.events.load(Ordering::Relaxed)
    }
}

impl Writer {
    /// Starts the writer task on the current tokio runtime (it runs on the blocking pool, since
    /// SQLite blocks). `recorded_at` is stamped with the system clock.
    pub fn spawn(store: Store) -> Self {
        Self::spawn_with_clock(store, Box::new(|| chrono::Utc::now().fixed_offset()))
    }

    /// Starts the writer task with its own clock.
    pub fn spawn_with_clock(store: Store, clock: Clock) -> Self {
        Self::spawn_gated(store, clock, None)
    }

    fn spawn_gated(mut store: Store, clock: Clock, gate: Option<std::sync::mpsc::Receiver<()>>) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Request>();
        let stats = Arc::new(Stats::default());
        let counters = Arc::clone(&stats);
        let task = tokio::task::spawn_blocking(move || {
            if let Some(g) = gate {
                let _ = g.recv();
            }
            let mut group = Vec::new();
            let mut primed = None;
            loop {
                // A client that was just answered usually sends its next append within a few
                // microseconds: wait for it briefly before parking the thread, which would cost
                // a wake-up per append.
                let spin_until = std::time::Instant::now() + SPIN;
                let first = loop {
                    match rx.try_recv() {
                        Ok(r) => break Some(r),
                        Err(mpsc::error::TryRecvError::Disconnected) => break None,
                        Err(mpsc::error::TryRecvError::Empty) if std::time::Instant::now() < spin_until => {
                            std::thread::yield_now()
                        }
                        Err(mpsc::error::TryRecvError::Empty) => break rx.blocking_recv(),
                    }
                };
                let Some(first) = first else { break };
                group.push(first);
                while group.len() < MAX_GROUP {
                    match rx.try_recv() {
                        Ok(r) => group.push(r),
                        Err(_) => break,
                    }
                }
                commit(&mut store, &mut group, &mut primed, &clock, &counters);
            }
            store
        });
        Self { appender: Appender { tx, stats }, task }
    }

    /// A handle for appending; clone it for each writer.
    pub fn appender(&self) -> Appender {
        self.appender.clone()
    }

    /// Appends through the writer (as [`Appender::append`]).
    pub async fn append(&self, event: Event, expected: Option<u64>) -> Result<Appended> {
        self.appender.append(event, expected).await
    }

    /// What the writer did so far.
    pub fn stats(&self) -> &Stats {
        &self.appender.stats
    }

    /// Stops the writer once every request queued is answered and every other [`Appender`] is
    /// dropped, and gives the store back.
    pub async fn close(self) -> Result<Store> {
        drop(self.appender);
        self.task
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(format!("the writer task failed: {e}"))))
    }
}

impl Appender {
    /// Appends one event whose stream must be at `expected` (when given), returning once the
    /// commit holding it is durable. The same errors as [`Store::append`]: `Refused` by the
    /// rules, `Stale` when another writer came first, a no-op (`existed`) for a retry.
    pub async fn append(&self, event: Event, expected: Option<u64>) -> Result<Appended> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(Request { event, expected, reply }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// What the writer did so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

fn stopped() -> StoreError {
    StoreError::Io(std::io::Error::other("the store's writer has stopped"))
}

fn commit(
    store: &mut Store,
    group: &mut Vec<Request>,
    primed: &mut Option<Primed>,
    clock: &Clock,
    stats: &Stats,
) {
    let now = clock();
    let (items, replies): (Vec<_>, Vec<_>) =
        group.drain(..).map(|r| ((r.event, r.expected), r.reply)).unzip();
    stats.events.fetch_add(items.len() as u64, Ordering::Relaxed);
    match store.append_each_primed(&items, now, primed) {
        Ok(results) => {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            for (reply, result) in replies.into_iter().zip(results) {
                let _ = reply.send(result);
            }
        }
        Err(_) if items.len() > 1 => {
            // The transaction failed as a whole: give each request its own answer.
            for (item, reply) in items.into_iter().zip(replies) {
                let result = store
                    .append_each(std::slice::from_ref(&item), now)
                    .and_then(|mut r| r.pop().unwrap_or_else(|| Err(stopped())));
                stats.commits.fetch_add(1, Ordering::Relaxed);
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            // One request (the arm above takes every larger group): it gets the error as it
            // is, so a busy store stays `Busy` and a full one `Full` for whoever maps kinds.
            let mut e = Some(e);
            for reply in replies {
                let _ = reply.send(Err(e.take().unwrap_or_else(stopped)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use minutes_core::event::Event;

    use super::*;

    fn event(id: u32, json: &str) -> Event {
        let s = json.replace("ID", &format!("00000000-0000-4000-8000-{id:012}"));
        Event::from_json(&s).expect("event parses")
    }

    fn declared() -> Event {
        event(
            1,
            r#"{"id": "ID", "type": "MeetingDeclared", "v": 1, "meeting": "w", "document": null, "body": null, "actors": [], "occurred": {"from": "2030-01-01T09:00:00Z", "to": "2030-01-01T09:00:00Z"}, "phase": "preparatory", "data": {"title": "W", "venue": "V", "time_zone": "UTC", "first_day": "2030-03-02", "last_day": "2030-03-02", "bodies": [{"id": "plenary", "name": "Plenary"}]}}"#,
        )
    }

    fn tabled(id: u32, doc: &str) -> Event {
        event(id, &r#"{"id": "ID", "type": "DocumentTabled", "v": 1, "meeting": "w", "document": "w/DOC", "body": null, "actors": [], "occurred": {"from": "2030-03-02T10:00:00Z", "to": "2030-03-02T10:00:00Z"}, "data": {"kind": "draft", "title": "T", "text": null}}"#.replace("DOC", doc))
    }

    fn statement(id: u32, doc: &str) -> Event {
        event(id, &r#"{"id": "ID", "type": "StatementMade", "v": 1, "meeting": "w", "document": "w/DOC", "body": null, "actors": [], "occurred": {"from": "2030-03-02T11:00:00Z", "to": "2030-03-02T11:00:00Z"}, "data": {"stance": "support", "summary": "yes"}}"#.replace("DOC", doc))
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Store::create(&dir.path().join("w.db")).expect("store");
        let now = chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").expect("time");
        s.append(&[declared(), tabled(2, "a"), tabled(3, "b")], None, now).expect("setup");
        (dir, s)
    }

    fn clock() -> Clock {
        Box::new(|| chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").expect("time"))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_conflict_fails_one_append_not_its_group() {
        let (_dir, s) = store();
        let (open, gate) = std::sync::mpsc::channel();
        let w = Writer::spawn_gated(s, clock(), Some(gate));
        let ap = w.appender();
        // Two writers saw document a at version 1; a third writes to b. All queue before the
        // writer starts, so they share one transaction.
        let first = tokio::spawn({
            let ap = ap.clone();
            async move { ap.append(statement(10, "a"), Some(1)).await }
        });
        let second = tokio::spawn({
            let ap = ap.clone();
            async move { ap.append(statement(11, "a"), Some(1)).await }
        });
        let third = tokio::spawn({
            let ap = ap.clone();
            async move { ap.append(statement(12, "b"), Some(1)).await }
        });
        // Let all three requests reach the queue, then let the writer go.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        open.send(()).expect("gate");
        let (a, b, c) = (first.await.expect("join"), second.await.expect("join"), third.await.expect("join"));
        let outcomes = [&a, &b];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "exactly one of the two writers of a wins: {a:?} {b:?}"
        );
        assert!(outcomes.iter().any(|r| matches!(r, Err(StoreError::Stale { expected: 1, actual: 2, .. }))));
        let c = c.expect("the write to b is not failed by a's conflict");
        assert_eq!(c.version, 2);
        assert_eq!(w.stats().commits(), 1, "one transaction for the whole group");
        drop(ap);
        let s = w.close().await.expect("close");
        assert_eq!(s.count().expect("count"), 5);
        assert!(s.verify(None).expect("verify").ok());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_retry_is_a_no_op_alone_or_in_the_same_group() {
        let (_dir, s) = store();
        let w = Writer::spawn_with_clock(s, clock());
        let first = w.append(statement(20, "a"), Some(1)).await.expect("appended");
        assert!(!first.existed);
        let again = w.append(statement(20, "a"), None).await.expect("retried");
        assert!(again.existed);
        assert_eq!((again.seq, again.version), (first.seq, first.version));
        // Twice in one group: the second is a no-op too.
        let ap = w.appender();
        let (x, y) = tokio::join!(ap.append(statement(21, "b"), None), ap.append(statement(21, "b"), None));
        let (x, y) = (x.expect("x"), y.expect("y"));
        assert_eq!(x.seq, y.seq);
        assert!(x.existed != y.existed, "one wrote it, the other found it");
        // Same id, other content (in another stream, caught by the id index): refused alone,
        // and the stream it named is read again, so its version is still right.
        let other = statement(21, "a");
        assert!(matches!(w.append(other, None).await, Err(StoreError::Refused { .. })));
        let next = w.append(statement(22, "a"), Some(2)).await.expect("a is still at version 2");
        assert_eq!(next.version, 3);
        drop(ap);
        let s = w.close().await.expect("close");
        assert_eq!(s.count().expect("count"), 6);
        assert!(s.verify(None).expect("verify").ok());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_writer_sees_what_another_process_appended_between_its_commits() {
        let (dir, s) = store();
        let w = Writer::spawn_with_clock(s, clock());
        // The writer loads document a's stream and keeps it.
        w.append(statement(30, "a"), Some(1)).await.expect("appended");
        // Another process appends to a behind its back.
        let mut other = Store::open(&dir.path().join("w.db")).expect("second connection");
        let now = chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").expect("time");
        other.append(&[statement(31, "a")], Some(2), now).expect("the other writer appends");
        // The writer's kept state is stale: a stale version is refused, the right one passes.
        assert!(matches!(
            w.append(statement(32, "a"), Some(2)).await,
            Err(StoreError::Stale { expected: 2, actual: 3, .. })
        ));
        let ok = w.append(statement(33, "a"), Some(3)).await.expect("appended at the version the log holds");
        assert_eq!(ok.version, 4);
        // And a retry of the other's event through the writer is a no-op.
        assert!(w.append(statement(31, "a"), None).await.expect("retry").existed);
        let s = w.close().await.expect("close");
        assert!(s.verify(None).expect("verify").ok());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_store_kept_busy_by_another_process_answers_busy_not_an_io_error() {
        let (dir, s) = store();
        let w = Writer::spawn_with_clock(s, clock());
        // Another connection holds the write lock for longer than the busy timeout.
        let other = Store::open(&dir.path().join("w.db")).expect("second connection");
        other
            .sql()
            .expect("a SQLite store")
            .execute_batch("BEGIN IMMEDIATE")
            .expect("the other takes the write lock");
        let r = w.append(statement(40, "a"), None).await;
        assert!(matches!(r, Err(StoreError::Busy)), "a busy store keeps its kind: {r:?}");
        other.sql().expect("a SQLite store").execute_batch("ROLLBACK").expect("the other lets go");
        w.append(statement(40, "a"), None).await.expect("then the append goes through");
        let s = w.close().await.expect("close");
        assert!(s.verify(None).expect("verify").ok());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_concurrent_writers_share_commits() {
        let (_dir, s) = store();
        let w = Writer::spawn_with_clock(s, clock());
        // 320 appends in flight at once (16 clients of 20 requests each, none awaiting the
        // one before): whatever queues while a transaction commits goes into the next one, so
        // the writer commits far fewer times than it is asked.
        let mut tasks = Vec::new();
        for k in 0..16u32 {
            for i in 0..20u32 {
                let ap = w.appender();
                tasks.push(tokio::spawn(async move {
                    let doc = if k % 2 == 0 { "a" } else { "b" };
                    ap.append(statement(1000 + k * 100 + i, doc), None).await.expect("appended");
                }));
            }
        }
        for t in tasks {
            t.await.expect("join");
        }
        assert_eq!(w.stats().requests(), 320);
        let commits = w.stats().commits();
        assert!(commits * 4 <= 320, "{commits} commits for 320 requests: group commit shares them");
        let s = w.close().await.expect("close");
        assert_eq!(s.count().expect("count"), 323);
        assert!(s.verify(None).expect("verify").ok());
    }
}
