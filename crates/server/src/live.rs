//! The record kept decoded in memory ([`Memory`]) and kept current: its own read-only
//! connection notices any commit (SQLite's `data_version` moves when another connection, in
//! this process or another, commits) and reads only the rows appended since. The feed's
//! watcher keeps it current between requests; a state query and a recording verb bring it up
//! to the log first (a `PRAGMA` when nothing was committed), so they see every event committed
//! before they began, whoever wrote it, without decoding JSON.

use std::path::Path;
use std::sync::{Mutex, RwLock, RwLockReadGuard};

use minutes_core::event::Recorded;
use minutes_core::id::{DocumentName, EventId, MeetingId};
use minutes_core::project::document::{DocumentAt, DocumentState};
use minutes_core::project::meeting::MeetingState;
use minutes_core::project::timeline::Timeline;
use minutes_core::time::Timestamp;
use minutes_query::{Lookup, Memory};
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
}

impl Live {
    /// Opens its own read-only connection to the store at `path` and decodes the whole log.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        let live = Self {
            watch: Mutex::new(Watch { store: Store::open_read_only(path)?, seen: None }),
            memory: RwLock::default(),
        };
        live.sync()?;
        Ok(live)
    }

    /// Brings the memory up to the log: when anything was committed since the last look, the
    /// rows after the memory's head are read and applied. Returns the head.
    pub(crate) fn sync(&self) -> Result<u64, StoreError> {
        let mut w = self.watch.lock().map_err(|_| poisoned())?;
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

/// Each lookup reads the memory under its lock, so none is held while a verb waits for its
/// commit.
impl Lookup for Live {
    fn meetings(&self) -> minutes_query::Result<Vec<String>> {
        self.read().meetings()
    }

    fn meeting(&self, id: &MeetingId) -> minutes_query::Result<MeetingState> {
        self.read().meeting(id)
    }

    fn timeline(&self, id: &MeetingId) -> minutes_query::Result<Timeline> {
        self.read().timeline(id)
    }

    fn document(&self, s: &str) -> minutes_query::Result<DocumentName> {
        self.read().document(s)
    }

    fn document_at(
        &self,
        doc: &DocumentName,
        at: &Timestamp,
        rec: Option<&Timestamp>,
    ) -> minutes_query::Result<DocumentAt> {
        self.read().document_at(doc, at, rec)
    }

    fn stream_version(&self, stream: &str) -> minutes_query::Result<u64> {
        self.read().stream_version(stream)
    }

    fn event(&self, id: &EventId) -> minutes_query::Result<Option<Recorded>> {
        self.read().event(id)
    }

    fn latest_document(&self, d: &DocumentName) -> minutes_query::Result<Option<DocumentState>> {
        self.read().latest_document(d)
    }

    fn amendment_documents(
        &self,
        m: &MeetingId,
        amendment: &str,
    ) -> minutes_query::Result<Vec<DocumentName>> {
        self.read().amendment_documents(m, amendment)
    }

    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}
