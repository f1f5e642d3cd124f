//! The record kept decoded in memory ([`Memory`]) and kept current: its own read-only
//! connection notices any commit (SQLite's `data_version` moves when another connection, in
//! this process or another, commits) and reads only the rows appended since. The feed's
//! watcher keeps it current between requests; a state query and a recording verb bring it up
//! to the log first (a `PRAGMA` when nothing was committed), so they see every event committed
//! before they began, whoever wrote it, without decoding JSON. Requests that arrive while a
//! look is under way wait for the next one, and one look that began after they arrived does
//! for all of them. They read the memory through [`Live::read`], which hands out the decoded
//! record itself ([`minutes_query::Lookup`] borrows its states), for the span of one lookup.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard};

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
}

impl Live {
    /// Opens its own read-only connection to the store at `path` and decodes the whole log.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        let live = Self {
            watch: Mutex::new(Watch { store: Store::open_read_only(path)?, seen: None }),
            memory: RwLock::default(),
            begun: AtomicU64::new(0),
            ended: AtomicU64::new(0),
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
        let look = self.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let head = self.look(&mut w)?;
        self.ended.store(look, Ordering::SeqCst);
        Ok(head)
    }

    /// One look at the log, under `watch`.
    fn look(&self, w: &mut Watch) -> Result<u64, StoreError> {
        // The version first: a commit that lands while the rows are read moves it again.
        let now = w.store.data_version()?;
        if w.seen == Some(now) {
            return Ok(self.read().head());
        }
        loop {
            let head = self.read().head();
            let rows: Vec<Recorded> = w.store.events_after(head, PAGE)?;
            if rows.is_empty() {
                break;
            }
            self.memory.write().map_err(|_| poisoned())?.apply(rows);
        }
        w.seen = Some(now);
        Ok(self.read().head())
    }

    /// The memory, to read (held briefly: a sync waits for it).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Memory> {
        self.memory.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn poisoned() -> StoreError {
    StoreError::Io(std::io::Error::other("the in-memory record failed earlier"))
}
