//! The live feed: every committed event once, in log order, as Server-Sent Events with `id:`
//! = seq. One watcher thread polls the store through its own read-only connection (SQLite's
//! `data_version` moves when any connection, in this process or another, commits) and
//! broadcasts what it reads; each subscriber checks that the seqs it gets follow each other
//! and reads any gap (a slow subscriber that lagged, events committed before it subscribed)
//! back from the store, so no event is lost or sent twice.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::path::Path;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use minutes_core::event::Recorded;
use minutes_store::Store;
use tokio::sync::{broadcast, watch};

use crate::error::ApiError;
use crate::Readers;

/// How often the watcher looks for appends when nobody pokes it.
const POLL: Duration = Duration::from_millis(20);

/// How many events one read of the store takes.
const PAGE: u64 = 512;

/// One committed event as the feed sends it.
#[derive(Debug)]
pub struct Item {
    /// Its place in the log.
    pub seq: u64,
    /// The event as `replay --json` prints it.
    pub json: String,
}

impl Item {
    /// The feed's form of a recorded event.
    pub fn of(r: &Recorded) -> Self {
        Self { seq: r.seq, json: r.event.to_json_recorded(r.seq, r.version, &r.hash) }
    }
}

/// The feed's shared end: subscribe, learn the head, poke the watcher after a write.
#[derive(Clone)]
pub struct Feed {
    tx: broadcast::Sender<Arc<Item>>,
    head: watch::Receiver<u64>,
    poke: mpsc::Sender<()>,
}

impl Feed {
    /// Starts the watcher thread over its own read-only connection to the store at `path`.
    pub fn start(path: &Path) -> Result<Self, minutes_store::StoreError> {
        let store = Store::open_read_only(path)?;
        let start = store.head_seq()?;
        let (tx, _) = broadcast::channel(4096);
        let (head_tx, head) = watch::channel(start);
        let (poke, pokes) = mpsc::channel();
        let sender = tx.clone();
        std::thread::Builder::new()
            .name("minutes-feed".into())
            .spawn(move || watch_store(store, start, &sender, &head_tx, &pokes))?;
        Ok(Self { tx, head, poke })
    }

    /// The seq of the last event the watcher has seen.
    pub fn head(&self) -> u64 {
        *self.head.borrow()
    }

    /// Tells the watcher to look now (after a write through the server).
    pub fn poke(&self) {
        let _ = self.poke.send(());
    }

    /// A stream of the events after `after`, each once, in order, live.
    pub fn subscribe(
        &self,
        readers: Readers,
        after: u64,
    ) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
        let rx = self.tx.subscribe();
        let state = Sub { last: after, rx, backlog: VecDeque::new(), readers, catch_up: true };
        let stream = futures_util::stream::unfold(state, |mut s| async move {
            loop {
                if let Some(item) = s.backlog.pop_front() {
                    if item.seq <= s.last {
                        continue;
                    }
                    s.last = item.seq;
                    let ev = SseEvent::default().id(item.seq.to_string()).data(item.json.clone());
                    return Some((Ok(ev), s));
                }
                if s.catch_up {
                    match s.read_back().await {
                        Ok(true) => continue,
                        Ok(false) => s.catch_up = false,
                        // The store cannot be read now: try again shortly.
                        Err(_) => {
                            tokio::time::sleep(POLL).await;
                            continue;
                        }
                    }
                }
                match s.rx.recv().await {
                    Ok(item) if item.seq <= s.last => {}
                    Ok(item) if item.seq == s.last + 1 => s.backlog.push_back(item),
                    // A gap: what lies between is read back from the store.
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => s.catch_up = true,
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
        Sse::new(stream).keep_alive(KeepAlive::default())
    }
}

struct Sub {
    last: u64,
    rx: broadcast::Receiver<Arc<Item>>,
    backlog: VecDeque<Arc<Item>>,
    readers: Readers,
    catch_up: bool,
}

impl Sub {
    /// Reads the next page after `last` from the store into the backlog; false when there was
    /// nothing more.
    async fn read_back(&mut self) -> Result<bool, ApiError> {
        let last = self.last;
        let rows = self.readers.with(move |s| Ok(s.events_after(last, PAGE)?)).await?;
        let more = !rows.is_empty();
        self.backlog.extend(rows.iter().map(|r| Arc::new(Item::of(r))));
        Ok(more)
    }
}

/// The watcher: reads what was appended since `last` whenever the store's data_version moves
/// (or a write pokes it), and broadcasts it in order.
fn watch_store(
    store: Store,
    mut last: u64,
    tx: &broadcast::Sender<Arc<Item>>,
    head: &watch::Sender<u64>,
    pokes: &mpsc::Receiver<()>,
) {
    let mut seen = store.data_version().ok();
    loop {
        match pokes.recv_timeout(POLL) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        let now = store.data_version().ok();
        if now == seen && now.is_some() {
            continue;
        }
        seen = now;
        loop {
            let Ok(rows) = store.events_after(last, PAGE) else { break };
            let Some(end) = rows.last().map(|r| r.seq) else { break };
            for r in &rows {
                let _ = tx.send(Arc::new(Item::of(r)));
            }
            last = end;
            let _ = head.send(last);
        }
    }
}
