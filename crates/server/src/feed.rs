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

use axum::body::Bytes;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use minutes_core::event::Recorded;
use tokio::sync::{broadcast, watch};

use crate::error::ApiError;
use crate::live::Live;

/// How often the watcher looks for appends when nobody pokes it.
const POLL: Duration = Duration::from_millis(20);

/// How many events one read of the in-memory record takes.
const PAGE: usize = 512;

/// At most this many bytes of messages go out in one write to a subscriber.
const BATCH: usize = 64 * 1024;

/// A comment line sent when nothing else was for this long, so proxies keep the stream open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One committed event as the feed sends it: its message, rendered once for every subscriber.
#[derive(Debug)]
pub struct Item {
    /// Its place in the log.
    pub seq: u64,
    /// The Server-Sent Events message: `id:` the seq, `data:` the event as `replay --json`
    /// prints it, and the blank line that ends it.
    pub frame: Bytes,
}

impl Item {
    /// The feed's form of a recorded event.
    pub fn of(r: &Recorded) -> Self {
        let json = r.event.to_json_recorded(r.seq, r.version, &r.hash);
        let mut frame = format!("id: {}\n", r.seq);
        // Compact JSON holds no line break; were there one, each line is a data line.
        for line in json.split('\n') {
            frame.push_str("data: ");
            frame.push_str(line);
            frame.push('\n');
        }
        frame.push('\n');
        Self { seq: r.seq, frame: Bytes::from(frame) }
    }
}

/// The feed's shared end: subscribe, learn the head, poke the watcher after a commit.
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
        let (tx, _) = broadcast::channel(16384);
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

    /// Tells the watcher to look now (the server's writer does after each commit).
    pub fn poke(&self) {
        let _ = self.poke.send(());
    }

    /// A stream of the events after `after`, each once, in order, live: whatever is ready
    /// when the subscriber can take more goes out in one write.
    pub(crate) fn subscribe(&self, live: Arc<Live>, after: u64) -> Response {
        let rx = self.tx.subscribe();
        let state = Sub { last: after, rx, backlog: VecDeque::new(), live, catch_up: true, closed: false };
        let stream = futures_util::stream::unfold(state, |mut s| async move {
            loop {
                let out = s.gather();
                if !out.is_empty() {
                    return Some((Ok::<_, Infallible>(Bytes::from(out)), s));
                }
                if s.closed {
                    return None;
                }
                if s.catch_up {
                    match s.read_back().await {
                        Ok(true) => continue,
                        Ok(false) => s.catch_up = false,
                        // The record cannot be read now: try again shortly.
                        Err(_) => {
                            tokio::time::sleep(POLL).await;
                            continue;
                        }
                    }
                }
                match tokio::time::timeout(KEEP_ALIVE, s.rx.recv()).await {
                    Err(_) => return Some((Ok(Bytes::from_static(b":\n\n")), s)),
                    Ok(Ok(item)) => s.take(item),
                    Ok(Err(broadcast::error::RecvError::Lagged(_))) => s.catch_up = true,
                    Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                }
            }
        });
        (
            [(CONTENT_TYPE, "text/event-stream"), (CACHE_CONTROL, "no-cache")],
            axum::body::Body::from_stream(stream),
        )
            .into_response()
    }
}

struct Sub {
    last: u64,
    rx: broadcast::Receiver<Arc<Item>>,
    backlog: VecDeque<Arc<Item>>,
    live: Arc<Live>,
    catch_up: bool,
    closed: bool,
}

impl Sub {
    /// Takes an event from the channel: the next one goes to the backlog; one already sent is
    /// passed over; after a gap, what lies between is read back first.
    fn take(&mut self, item: Arc<Item>) {
        if item.seq == self.last + 1 && self.backlog.is_empty() {
            self.backlog.push_back(item);
        } else if item.seq > self.last {
            self.catch_up = true;
        }
    }

    /// The messages ready to send now, up to [`BATCH`] bytes: the backlog, then whatever the
    /// channel holds already.
    fn gather(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            while let Some(item) = self.backlog.pop_front() {
                if item.seq <= self.last {
                    continue;
                }
                self.last = item.seq;
                out.extend_from_slice(&item.frame);
                if out.len() >= BATCH {
                    return out;
                }
            }
            if self.catch_up {
                return out;
            }
            match self.rx.try_recv() {
                Ok(item) => self.take(item),
                Err(broadcast::error::TryRecvError::Empty) => return out,
                Err(broadcast::error::TryRecvError::Lagged(_)) => self.catch_up = true,
                Err(broadcast::error::TryRecvError::Closed) => {
                    self.closed = true;
                    return out;
                }
            }
        }
    }

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
            // With no subscriber nothing is rendered: one who subscribes from now on reads
            // these events back from the memory, which holds them already.
            if tx.receiver_count() == 0 {
                last = now;
                let _ = head.send(last);
                break;
            }
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
