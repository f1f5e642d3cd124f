//! The live feed: every committed event once, in log order, as Server-Sent Events with `id:`
//! = seq. One watcher thread keeps the in-memory record current ([`Live::sync`]: SQLite's
//! `data_version` moves when any connection, in this process or another, commits) and
//! broadcasts each event it learns of; each subscriber checks that the seqs it gets follow
//! each other and reads any gap (a slow subscriber that lagged, events committed before it
//! subscribed) back from the in-memory record, so no event is lost or sent twice.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use minutes_core::event::Recorded;
use tokio::sync::{broadcast, watch};

use crate::error::ApiError;
use crate::live::Live;

/// How often the watcher looks for appends when nobody pokes it.
const POLL: Duration = Duration::from_millis(20);

/// How many events one read of the in-memory record takes.
const PAGE: usize = 512;

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
    /// Starts the watcher thread, which keeps `live` current.
    pub(crate) fn start(live: Arc<Live>) -> Result<Self, minutes_store::StoreError> {
        let start = live.read().head();
        let (tx, _) = broadcast::channel(4096);
        let (head_tx, head) = watch::channel(start);
        let (poke, pokes) = mpsc::channel();
        let sender = tx.clone();
        std::thread::Builder::new()
            .name("minutes-feed".into())
            .spawn(move || watch_store(&live, start, &sender, &head_tx, &pokes))?;
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
    pub(crate) fn subscribe(
        &self,
        live: Arc<Live>,
        after: u64,
    ) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
        let rx = self.tx.subscribe();
        let state = Sub { last: after, rx, backlog: VecDeque::new(), live, catch_up: true };
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
    live: Arc<Live>,
    catch_up: bool,
}

impl Sub {
    /// Reads the next page after `last` from the in-memory record into the backlog; false
    /// when there was nothing more.
    async fn read_back(&mut self) -> Result<bool, ApiError> {
        let last = self.last;
        let live = self.live.clone();
        let items: Vec<Item> = tokio::task::spawn_blocking(move || {
            live.read().events_after(last, PAGE).into_iter().map(Item::of).collect()
        })
        .await
        .map_err(|e| ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let more = !items.is_empty();
        self.backlog.extend(items.into_iter().map(Arc::new));
        Ok(more)
    }
}

/// The watcher: brings the in-memory record up to the log whenever a write pokes it, or
/// every [`POLL`] (another process may have written), and broadcasts what is new, in order.
fn watch_store(
    live: &Live,
    mut last: u64,
    tx: &broadcast::Sender<Arc<Item>>,
    head: &watch::Sender<u64>,
    pokes: &mpsc::Receiver<()>,
) {
    loop {
        match pokes.recv_timeout(POLL) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        // Pokes that queued up meanwhile are answered by this one look.
        while pokes.try_recv().is_ok() {}
        let Ok(now) = live.sync() else { continue };
        while last < now {
            let items: Vec<Item> = live.read().events_after(last, PAGE).into_iter().map(Item::of).collect();
            let Some(end) = items.last().map(|i| i.seq) else { break };
            for i in items {
                let _ = tx.send(Arc::new(i));
            }
            last = end;
            let _ = head.send(last);
        }
    }
}
