//! The store's errors: what was refused, what conflicted, and what failed underneath.

use minutes_core::event::DecodeError;
use minutes_core::id::EventId;
use minutes_core::rules::RuleError;
use thiserror::Error;

/// The store's result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Why an event of a batch was refused.
#[derive(Debug, Error)]
pub enum Refusal {
    /// The procedural rules refuse it.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// Its id is in the log already with other content.
    #[error("event {0} is already in the log with other content (an event, once recorded, is never changed; record a correction instead)")]
    IdTaken(EventId),
}

/// What can go wrong in the store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// An event of the batch was refused; nothing was written.
    #[error("event {id}: {refusal}")]
    Refused {
        /// 0-based index of the event in the batch.
        index: usize,
        /// The event's id.
        id: EventId,
        /// Why.
        refusal: Refusal,
    },
    /// The stream's version is not the one expected (another writer appended first, or the
    /// writer's idea of the stream was wrong): the message says what was found.
    #[error("{}", stale_message(stream, *expected, *actual, last.as_ref()))]
    Stale {
        /// The stream (document or meeting).
        stream: String,
        /// The version the writer expected.
        expected: u64,
        /// The version found.
        actual: u64,
        /// The last event of the stream as found (`None` when it holds none).
        last: Option<LastEvent>,
    },
    /// The database stayed locked by another writer.
    #[error("the store is busy with another writer; retry")]
    Busy,
    /// The store file does not exist.
    #[error("no store at {0}")]
    Missing(String),
    /// The file is not a minutes store.
    #[error("{0} is not a minutes store")]
    NotAStore(String),
    /// The store was written by a newer minutes.
    #[error("the store's schema version is {0}; this program knows up to {1}")]
    Schema(i64, i64),
    /// The store was written by an older minutes, of an older schema: `minutes upgrade`
    /// brings it up to date (nothing else writes to it meanwhile).
    #[error("{path} is a store of schema version {found}; this minutes reads version {current}: run `minutes --db {path} upgrade` to bring it up to date (the log's rows stay as they are; only derived tables are rebuilt)")]
    Outdated {
        /// The store.
        path: String,
        /// Its version.
        found: i64,
        /// The version this program reads.
        current: i64,
    },
    /// A row cannot be read back (corrupt store).
    #[error("row seq {seq} cannot be read: {error}")]
    Corrupt {
        /// The row.
        seq: u64,
        /// What failed.
        error: DecodeError,
    },
    /// The database cannot grow: the disk is full, or the store's size limit is reached.
    /// Nothing of the write was kept.
    #[error("the store is full (no room on the disk, or its size limit is reached): nothing was written")]
    Full,
    /// The database failed (an I/O error, a lost connection...): the driver's error is the
    /// source.
    #[error("{0}")]
    Backend(#[from] BackendError),
    /// A store URL that cannot be used (it does not read, or it holds a password).
    #[error("{0}")]
    Url(String),
    /// The store's backend cannot do this (a SQLite-only operation on a PostgreSQL store).
    #[error("{0}")]
    Unsupported(String),
    /// The file system failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The last event of a stream, as a [`StoreError::Stale`] names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastEvent {
    /// Its place in the log.
    pub seq: u64,
    /// Its id.
    pub id: EventId,
    /// Its type's name.
    pub type_name: String,
}

/// The words of a stale expected version: what was expected, what was found, and the event
/// that is last in the stream now.
fn stale_message(stream: &str, expected: u64, actual: u64, last: Option<&LastEvent>) -> String {
    match last {
        Some(l) if actual > 0 => format!(
            "{stream} is at version {actual}, not {expected}: its last event is seq {} {} {}; read it again and retry",
            l.seq, l.type_name, l.id
        ),
        _ if actual > 0 => format!("{stream} is at version {actual}, not {expected}; read it again and retry"),
        _ => format!("{stream} holds no events yet (version 0), not {expected}; read it again and retry"),
    }
}

impl StoreError {
    /// What SQLite said, as the store's kinds: busy, full, not a store, or the backend's
    /// failure.
    pub(crate) fn from_sqlite(e: rusqlite::Error) -> Self {
        crate::backend::DbError::from(e).into()
    }

    /// A file system error: a full disk (or quota) is [`StoreError::Full`].
    pub(crate) fn from_io(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => Self::Full,
            _ => Self::Io(e),
        }
    }
}

/// A failure of the database under the store, with the driver's error as its source (the
/// public error names no driver's type).
#[derive(Debug)]
pub struct BackendError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl BackendError {
    /// A failure described in words.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), source: None }
    }

    /// The same failure with words of context before it.
    pub(crate) fn context(mut self, what: &str) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// What SQLite said.
    pub(crate) fn sqlite(e: rusqlite::Error) -> Self {
        Self { message: format!("SQLite: {e}"), source: Some(Box::new(e)) }
    }

    /// What PostgreSQL (or its driver) said.
    #[cfg(feature = "postgres")]
    pub(crate) fn postgres(e: postgres::Error) -> Self {
        let message = match e.as_db_error() {
            Some(d) => format!("PostgreSQL: {}: {}", d.severity(), d.message()),
            None => format!("PostgreSQL: {e}"),
        };
        Self { message, source: Some(Box::new(e)) }
    }
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BackendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}
