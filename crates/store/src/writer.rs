//! Group commit: whoever finds the store idle commits its own event at once, on its own thread;
//! requests that arrive while a commit is in progress queue, and one writer thread commits
//! everything queued in one transaction, so many concurrent writers share each fsync.
//!
//! Writers send an event with the stream version they last saw ([`Appender::append`]). A lone
//! client (nothing committing, nothing queued, and the last commit held one request) takes the
//! store and commits its event itself
//! (inside `tokio::task::block_in_place` on a multi-threaded runtime, so the runtime's other
//! tasks move to another thread meanwhile), paying no thread hand-off. Anyone who arrives while
//! a commit is in progress queues its request; whoever gives the store back and finds requests
//! queued hands them to the writer thread, which takes up to [`MAX_GROUP`] of them at a time
//! and commits them with [`Store::append_each`], and keeps the store while requests keep
//! coming (after each group it waits up to [`GATHER`] for as many requests as it answered, and
//! gives the store back when none comes). Each event is judged
//! on its own (its rules, its expected version, a retry of an event already logged is a no-op),
//! so one writer's conflict fails that append alone, not its group. Every request is answered
//! only after the commit that holds it is durable. If the commit itself fails (the disk, a lock
//! held too long by another process), the group is retried one event a transaction, so each
//! request gets its own answer; a request committed alone gets the error as it is (a busy store
//! stays `Busy`, a full one `Full`).
//!
//! Between transactions the store keeps the chain's head and the latest states of the streams
//! it has loaded (the ledger the rules judge against), whichever thread committed last, so an
//! append costs the same however long its document's and meeting's streams have grown. When
//! another process appended meanwhile (SQLite's data_version moved), the next commit reads the
//! head again and folds in the rows the other appended; on PostgreSQL its first insert clashes
//! with the other's row and the commit is made again from the log. A failed transaction drops
//! them all.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use minutes_core::event::{Event, Recorded};
use minutes_core::time::Timestamp;
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::append::{Appended, Primed};
use crate::error::{Result, StoreError};
use crate::Store;

/// The most requests one transaction takes.
pub const MAX_GROUP: usize = 4096;

/// How long the writer thread waits, after answering a group, for as many requests as it
/// answered before it commits the next (and, if none comes, before it gives the store back).
/// The writers just answered usually send their next appends within tens of microseconds;
/// taking the queue the moment the first arrives would split them over two commits (groups
/// alternating large and small: more commits, each with fewer events), and a lone writer's
/// next append, arriving while the thread still holds the store, joins the next group instead
/// of committing alone. PostgreSQL's `commit_delay` and MySQL's
/// `binlog_group_commit_sync_delay` wait the same way. 100 µs: the better of 100 and 200 µs
/// for the 16-writer lines on both backends, each well ahead of no wait (BENCHMARKS.md).
const GATHER: Duration = Duration::from_micros(100);

/// The clock that stamps `recorded_at` on events without one.
pub type Clock = Box<dyn Fn() -> Timestamp + Send>;

struct Request {
    event: Event,
    expected: Option<u64>,
    reply: oneshot::Sender<Result<Appended>>,
}

/// The store and what a commit needs with it, held by whoever commits.
struct Seat {
    store: Store,
    /// What the last commit left (the chain's head, the streams loaded), for the next.
    primed: Option<Primed>,
    clock: Clock,
}

/// What the appenders and the writer thread share, under one lock.
struct State {
    /// The store while nobody commits: the next client to find it here commits itself.
    idle: Option<Seat>,
    /// Requests waiting for the writer thread.
    queue: Vec<Request>,
    /// Whether any [`Appender`] is left.
    open: bool,
    /// A commit panicked and the store went with it: every append fails from now on.
    broken: bool,
    /// While the writer thread, holding the store, waits for the queue to hold this many
    /// requests (after a group, up to [`GATHER`]): the appender that brings it there wakes it.
    /// 0 when it is not waiting.
    gathering: usize,
    /// How many requests the last commit held: a client commits itself only when that was
    /// one (no contention seen), so that under load everyone queues and shares commits
    /// instead of a lone leader's commit splitting the queue in two.
    last_group: usize,
}

/// Told of every event a commit wrote, in log order, as the log holds it, before any request
/// of that commit is answered: a reader kept in memory applies them instead of reading the
/// rows back ([`Writer::spawn_observed`]). It runs on the committing thread and must not block
/// for long.
pub type Observer = Box<dyn Fn(Vec<Recorded>) + Send + Sync>;

struct Shared {
    state: Mutex<State>,
    observer: Option<Observer>,
    /// Wakes the writer thread: requests queued while the store was idle or while it gathers
    /// a group, or the last appender gone.
    wake: Condvar,
    stats: Stats,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Marks the writer broken if a commit panics while holding the store, so that no request
/// waits for a store that will not come back (their replies are dropped: "stopped").
struct Holding<'a>(&'a Shared);

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut st = self.0.lock();
            st.broken = true;
            st.queue.clear();
            drop(st);
            self.0.wake.notify_all();
        }
    }
}

/// The writer thread and a way to reach it. Dropping every [`Appender`] and calling
/// [`Writer::close`] stops it and gives the store back.
pub struct Writer {
    appender: Appender,
    task: JoinHandle<Option<Store>>,
}

/// A cheap, clonable handle through which any task appends.
#[derive(Clone)]
pub struct Appender {
    live: Arc<Live>,
}

/// The appenders' share: when the last clone goes, the writer thread may stop.
struct Live(Arc<Shared>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.lock().open = false;
        self.0.wake.notify_all();
    }
}

/// What the writer did so far.
#[derive(Debug, Default)]
pub struct Stats {
    commits: AtomicU64,
    events: AtomicU64,
    /// Commits made by a lone client on its own thread (no hand-off).
    led: AtomicU64,
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
    /// Transactions committed by a client on its own thread, finding the store idle (the rest
    /// were committed by the writer thread, for requests that queued).
    pub fn led(&self) -> u64 {
        self.led.load(Ordering::Relaxed)
    }
}

impl Writer {
    /// Starts the writer on the current tokio runtime (its thread runs on the blocking pool,
    /// since SQLite blocks). `recorded_at` is stamped with the system clock.
    pub fn spawn(store: Store) -> Self {
        Self::spawn_with_clock(store, Box::new(|| chrono::Utc::now().fixed_offset()))
    }

    /// Starts the writer with its own clock.
    pub fn spawn_with_clock(store: Store, clock: Clock) -> Self {
        Self::spawn_gated(store, clock, None, None)
    }

    /// As [`Writer::spawn_with_clock`], and `observer` is told of the events each commit wrote
    /// before its requests are answered (a commit of a group that failed and was made again one
    /// event a transaction tells nothing: the observer must be able to catch up from the log).
    pub fn spawn_observed(store: Store, clock: Clock, observer: Observer) -> Self {
        Self::spawn_gated(store, clock, None, Some(observer))
    }

    /// With a gate, the writer thread holds the store until the gate opens, so whatever is
    /// appended meanwhile queues (for the tests of groups).
    fn spawn_gated(
        store: Store,
        clock: Clock,
        gate: Option<std::sync::mpsc::Receiver<()>>,
        observer: Option<Observer>,
    ) -> Self {
        let seat = Seat { store, primed: None, clock };
        let (idle, held) = if gate.is_some() { (None, Some(seat)) } else { (Some(seat), None) };
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                idle,
                queue: Vec::new(),
                open: true,
                broken: false,
                gathering: 0,
                last_group: 1,
            }),
            observer,
            wake: Condvar::new(),
            stats: Stats::default(),
        });
        let thread = Arc::clone(&shared);
        let task = tokio::task::spawn_blocking(move || {
            if let Some(g) = gate {
                let _ = g.recv();
            }
            serve(&thread, held)
        });
        Self { appender: Appender { live: Arc::new(Live(shared)) }, task }
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
        self.appender.stats()
    }

    /// Stops the writer once every request queued is answered and every other [`Appender`] is
    /// dropped, and gives the store back.
    pub async fn close(self) -> Result<Store> {
        drop(self.appender);
        self.task
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(format!("the writer task failed: {e}"))))?
            .ok_or_else(|| StoreError::Io(std::io::Error::other("the writer failed: a commit panicked")))
    }
}

/// What an append does: commit now (the store was idle) or wait for the writer thread.
// Made and taken apart once an append, on the stack: boxing the store and the event would
// cost two allocations an append for nothing.
#[allow(clippy::large_enum_variant)]
enum Turn {
    Lead(Seat, Event),
    Wait(oneshot::Receiver<Result<Appended>>),
}

impl Appender {
    /// Appends one event whose stream must be at `expected` (when given), returning once the
    /// commit holding it is durable. The same errors as [`Store::append`]: `Refused` by the
    /// rules, `Stale` when another writer came first, a no-op (`existed`) for a retry.
    ///
    /// When nothing is committing or queued, the event is committed at once on the calling
    /// thread (inside `block_in_place` on a multi-threaded runtime; on a current-thread
    /// runtime, which must not block, it goes to the writer thread as a queued request does).
    pub async fn append(&self, event: Event, expected: Option<u64>) -> Result<Appended> {
        match self.turn(event, expected)? {
            Turn::Lead(seat, event) => self.lead(seat, event, expected),
            Turn::Wait(answer) => answer.await.map_err(|_| stopped())?,
        }
    }

    /// Takes the idle store, or queues the request.
    fn turn(&self, event: Event, expected: Option<u64>) -> Result<Turn> {
        let shared = &self.live.0;
        let mut st = shared.lock();
        if st.broken {
            return Err(stopped());
        }
        if st.queue.is_empty() && st.last_group <= 1 && may_block() {
            if let Some(seat) = st.idle.take() {
                return Ok(Turn::Lead(seat, event));
            }
        }
        let (reply, answer) = oneshot::channel();
        st.queue.push(Request { event, expected, reply });
        let wake = st.idle.is_some() || (st.gathering > 0 && st.queue.len() >= st.gathering);
        drop(st);
        if wake {
            shared.wake.notify_one();
        }
        Ok(Turn::Wait(answer))
    }

    /// Commits the event on this thread, then gives the store back (to the writer thread if
    /// requests queued meanwhile).
    fn lead(&self, mut seat: Seat, event: Event, expected: Option<u64>) -> Result<Appended> {
        let shared = &*self.live.0;
        let holding = Holding(shared);
        let item = [(event, expected)];
        let result = tokio::task::block_in_place(|| commit(&mut seat, &item, shared))
            .pop()
            .unwrap_or_else(|| Err(stopped()));
        shared.stats.led.fetch_add(1, Ordering::Relaxed);
        let mut st = shared.lock();
        st.idle = Some(seat);
        st.last_group = 1;
        let wake = !st.queue.is_empty();
        drop(st);
        drop(holding);
        if wake {
            shared.wake.notify_one();
        }
        result
    }

    /// What the writer did so far.
    pub fn stats(&self) -> &Stats {
        &self.live.0.stats
    }
}

/// Whether this thread may block for a commit without stalling a runtime: outside any runtime,
/// or on a multi-threaded one (whose worker hands its other tasks on in `block_in_place`).
fn may_block() -> bool {
    Handle::try_current().map_or(true, |h| h.runtime_flavor() == RuntimeFlavor::MultiThread)
}

fn stopped() -> StoreError {
    StoreError::Io(std::io::Error::other("the store's writer has stopped"))
}

/// The writer thread: waits for requests queued while the store is idle, commits them in
/// groups while they keep coming, gives the store back; once the last appender is gone and
/// nothing is queued, returns the store (none if a commit panicked with it).
fn serve(shared: &Shared, mut held: Option<Seat>) -> Option<Store> {
    let mut group = Vec::new();
    loop {
        let mut seat = match held.take() {
            Some(seat) => seat,
            None => {
                let mut st = shared.lock();
                loop {
                    if st.broken {
                        return None;
                    }
                    if st.idle.is_some() && (!st.queue.is_empty() || !st.open) {
                        break;
                    }
                    st = shared.wake.wait(st).unwrap_or_else(PoisonError::into_inner);
                }
                let seat = st.idle.take()?;
                if st.queue.is_empty() {
                    return Some(seat.store);
                }
                seat
            }
        };
        let holding = Holding(shared);
        // How many requests the last group answered: the next waits (up to GATHER) for as
        // many, at least one.
        let mut answered = 0;
        loop {
            let mut st = shared.lock();
            let want = answered.clamp(1, MAX_GROUP);
            if st.queue.len() < want {
                // Asleep, not spinning: on a machine of few cores the writers need the CPU to
                // send what this waits for.
                st.gathering = want;
                let until = Instant::now() + GATHER;
                loop {
                    let now = Instant::now();
                    if st.queue.len() >= want || now >= until {
                        break;
                    }
                    st = shared.wake.wait_timeout(st, until - now).unwrap_or_else(PoisonError::into_inner).0;
                }
                st.gathering = 0;
                if st.queue.is_empty() {
                    st.idle = Some(seat);
                    break;
                }
            }
            let n = st.queue.len().min(MAX_GROUP);
            answered = n;
            st.last_group = n;
            group.extend(st.queue.drain(..n));
            drop(st);
            answer(&mut seat, &mut group, shared);
        }
        drop(holding);
    }
}

/// Commits the queued requests of `group` and answers each.
fn answer(seat: &mut Seat, group: &mut Vec<Request>, shared: &Shared) {
    let (items, replies): (Vec<_>, Vec<_>) =
        group.drain(..).map(|r| ((r.event, r.expected), r.reply)).unzip();
    for (reply, result) in replies.into_iter().zip(commit(seat, &items, shared)) {
        let _ = reply.send(result);
    }
}

/// Commits `items` in one transaction: an answer for each. If the transaction fails as a
/// whole, each event is tried again in its own, so each gets its own answer; a lone event
/// gets the error as it is, so a busy store stays `Busy` and a full one `Full` for whoever
/// maps kinds. The observer, if any, is told of what the transaction wrote.
fn commit(seat: &mut Seat, items: &[(Event, Option<u64>)], shared: &Shared) -> Vec<Result<Appended>> {
    let stats = &shared.stats;
    let now = (seat.clock)();
    stats.events.fetch_add(items.len() as u64, Ordering::Relaxed);
    let mut written = Vec::new();
    let kept = shared.observer.as_ref().map(|_| &mut written);
    match seat.store.append_each_primed(items, now, &mut seat.primed, kept) {
        Ok(results) => {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            if let Some(observe) = &shared.observer {
                if !written.is_empty() {
                    observe(written);
                }
            }
            results
        }
        Err(_) if items.len() > 1 => items
            .iter()
            .map(|item| {
                stats.commits.fetch_add(1, Ordering::Relaxed);
                seat.store
                    .append_each(std::slice::from_ref(item), now)
                    .and_then(|mut r| r.pop().unwrap_or_else(|| Err(stopped())))
            })
            .collect(),
        Err(e) => vec![Err(e)],
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
        let w = Writer::spawn_gated(s, clock(), Some(gate), None);
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

    /// The observer is told of exactly what each commit wrote, in log order, as the log holds
    /// it (a reader that applies it has what a reader of the rows would have), and before the
    /// commit's requests are answered; a stale append and a retry write nothing and tell nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_observer_is_told_what_each_commit_wrote_before_it_is_answered() {
        let (dir, s) = store();
        let told: Arc<Mutex<Vec<Vec<Recorded>>>> = Arc::default();
        let (open, gate) = std::sync::mpsc::channel();
        let observer: Observer = Box::new({
            let told = Arc::clone(&told);
            move |rows| told.lock().expect("told").push(rows)
        });
        let w = Writer::spawn_gated(s, clock(), Some(gate), Some(observer));
        let ap = w.appender();
        // One group: a statement on a, a stale one on a, one on b, and the first again (a retry).
        let mut tasks = Vec::new();
        for (id, doc, expected) in
            [(10, "a", Some(1)), (11, "a", Some(1)), (12, "b", None), (10, "a", Some(1))]
        {
            let ap = ap.clone();
            tasks.push(tokio::spawn(async move { ap.append(statement(id, doc), expected).await }));
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        open.send(()).expect("gate");
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.expect("join"));
        }
        assert!(matches!(results[1], Err(StoreError::Stale { .. })), "{:?}", results[1]);
        assert!(results[3].as_ref().expect("a retry").existed);
        // Answered means told.
        let groups = told.lock().expect("told").clone();
        assert_eq!(groups.len(), 1, "one commit, told once");
        let seqs: Vec<u64> = groups[0].iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [4, 5]);
        // A later append, on its own, is told too.
        ap.append(statement(13, "b"), None).await.expect("appended");
        let groups = told.lock().expect("told").clone();
        assert_eq!(groups.len(), 2);
        let told_rows: Vec<Recorded> = groups.into_iter().flatten().collect();
        drop(ap);
        let s = w.close().await.expect("close");
        let read = s.events_after(3, 100).expect("read back");
        assert_eq!(told_rows, read, "what the observer was told is what the log holds");
        drop(s);
        drop(dir);
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
    async fn a_lone_client_commits_on_its_own_thread() {
        let (_dir, s) = store();
        let w = Writer::spawn_with_clock(s, clock());
        // One client, each append awaited before the next: the store is idle every time, so
        // the client commits itself and the writer thread never takes a request.
        for i in 0..10u32 {
            let a = w.append(statement(50 + i, "a"), Some(1 + u64::from(i))).await.expect("appended");
            assert_eq!(a.version, 2 + u64::from(i));
        }
        assert_eq!((w.stats().commits(), w.stats().led(), w.stats().requests()), (10, 10, 10));
        let s = w.close().await.expect("close");
        assert_eq!(s.count().expect("count"), 13);
        assert!(s.verify(None).expect("verify").ok());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn on_a_current_thread_runtime_the_writer_thread_commits() {
        // A current-thread runtime must not block: every append goes to the writer thread.
        let (_dir, s) = store();
        let w = Writer::spawn_with_clock(s, clock());
        for i in 0..3u32 {
            w.append(statement(60 + i, "b"), None).await.expect("appended");
        }
        assert!(matches!(w.append(statement(63, "b"), Some(1)).await, Err(StoreError::Stale { .. })));
        assert_eq!((w.stats().commits(), w.stats().led()), (4, 0));
        let s = w.close().await.expect("close");
        assert_eq!(s.count().expect("count"), 6);
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
