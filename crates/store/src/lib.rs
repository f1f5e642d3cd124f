//! The append-only SQLite log of minutes: schema, append, read, verify. Every SQL string of the
//! project lives in this crate.
//!
//! One table, `events`, holds every event as the JSON bytes that were appended, each row chained
//! to the one before by a hash. The database itself refuses to update or delete a row.

mod append;
mod backend;
mod backup;
mod checkpoint;
mod error;
pub mod merkle;
mod migrate;
#[cfg(feature = "postgres")]
mod postgres;
mod read;
mod schema;
mod snapshot;
mod upgrade;
mod verify;
#[cfg(any(feature = "writer", test))]
mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

pub use append::{Appended, ImportError, Imported};
pub use checkpoint::CHECKPOINT_EVERY;
pub use error::{BackendError, LastEvent, Refusal, Result, StoreError};
#[cfg(feature = "postgres")]
pub use postgres::{is_postgres_location, HeldAppend};

/// Whether a store location (`--db`) names a PostgreSQL store rather than a file (this build
/// has no PostgreSQL backend: never).
#[cfg(not(feature = "postgres"))]
pub fn is_postgres_location(_location: &Path) -> bool {
    false
}
pub use read::DocumentNaming;
pub use snapshot::{SnapshotReport, SNAPSHOT_EVERY};
pub use upgrade::Upgraded;
pub use verify::{Problem, Report};
#[cfg(any(feature = "writer", test))]
pub use writer::{Appender, Clock, Observer, Stats, Writer, MAX_GROUP};

/// How long a writer waits for another writer's lock before giving up with [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open store.
pub struct Store {
    /// The database: SQLite or PostgreSQL (see `backend/`).
    db: backend::Db,
    path: Option<PathBuf>,
    /// What the last write left (the chain's head, the latest states of the streams it loaded,
    /// SQLite's data_version then): the next write starts from it, folding in only what other
    /// writers appended since, instead of reading its streams again.
    ledger: Option<append::Primed>,
    /// Who is recording: stamped as `recorded_by` on the events written without one.
    clerk: Option<minutes_core::id::Clerk>,
    /// The key snapshots are signed with when built and checked with when read, if any.
    pub(crate) snapshot_key: Option<Vec<u8>>,
    /// What reads noticed and passed over (a snapshot that did not hold), for the caller.
    warnings: std::cell::RefCell<Vec<String>>,
}

impl Store {
    /// A store over an open connection, nothing checked or configured yet.
    pub(crate) fn over(conn: Connection, path: Option<&Path>) -> Self {
        Self::over_db(backend::Db::Sqlite(conn), path)
    }

    /// A store over an open database, nothing checked or configured yet.
    pub(crate) fn over_db(db: backend::Db, path: Option<&Path>) -> Self {
        Self {
            db,
            path: path.map(Path::to_path_buf),
            ledger: None,
            clerk: None,
            snapshot_key: None,
            warnings: Default::default(),
        }
    }

    /// The seq and chain hash of a stream's row at a version, through the `(stream, version)`
    /// index: what a snapshot or checkpoint is bound to.
    pub(crate) fn row_at(db: &backend::Db, stream: &str, version: u64) -> Result<Option<(i64, String)>> {
        use backend::Value;
        Ok(db.query_opt(schema::ROW_AT, &[Value::Text(stream), Value::Int(version as i64)])?)
    }

    /// The SQLite connection, for what only SQLite does (files, pages, backups, upgrades).
    pub(crate) fn sql(&self) -> Result<&Connection> {
        self.db.sqlite().ok_or_else(|| {
            StoreError::Unsupported(
                "this is a PostgreSQL store: the operation is one of a SQLite file's (use the server's own tools)".into(),
            )
        })
    }

    /// A read-write connection to the existing file at `path`, nothing checked yet.
    pub(crate) fn connect(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(StoreError::from_sqlite)?;
        Ok(Self::over(conn, Some(path)))
    }

    /// Opens an existing store. A missing file is [`StoreError::Missing`]; a file that is not a
    /// minutes store is [`StoreError::NotAStore`].
    pub fn open(path: &Path) -> Result<Self> {
        #[cfg(feature = "postgres")]
        if let Some(url) = postgres::url_of(path) {
            return Self::open_postgres(url, false);
        }
        let store = Self::connect(path)?;
        store.check_identity()?;
        store.configure()?;
        Ok(store)
    }

    /// Opens an existing store for reading only: nothing is ever written, not even the
    /// connection's journal mode, so it works on a file, directory or medium the user cannot
    /// write. Identity is checked as by [`Store::open`]: a missing file is
    /// [`StoreError::Missing`] (and no file is created), a file that is not a minutes store is
    /// [`StoreError::NotAStore`]. Every read method works on it; a write fails with SQLite's
    /// read-only error.
    ///
    /// SQLite reads a WAL database read-only through its `-shm` index, which it creates if it
    /// can. Where it cannot (the directory is not writable and no `-shm` exists: a store last
    /// closed cleanly on a read-only medium), the store is opened as `immutable`, which reads
    /// the database file alone, without locks. That is correct only when no committed frame
    /// lives in a `-wal` file and nobody writes meanwhile, so it is chosen only when the
    /// directory cannot be written through this path (no writer here can create a `-wal`)
    /// and there is no `-wal` holding frames; otherwise the open fails with SQLite's error
    /// rather than read a state older than the log's.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        #[cfg(feature = "postgres")]
        if let Some(url) = postgres::url_of(path) {
            return Self::open_postgres(url, true);
        }
        if !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(StoreError::from_sqlite)?;
        // SQLite opens the file lazily: the first read says whether it can (the `-shm` index).
        let probe = conn.query_row("PRAGMA application_id", [], |r| r.get::<_, i64>(0));
        let store = Self::over(conn, Some(path));
        match probe {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen)
                    && immutable_is_safe(path) =>
            {
                drop(store);
                let uri = format!("file:{}?immutable=1", uri_path(path));
                let conn = Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
                    .map_err(StoreError::from_sqlite)?;
                let store = Self::over(conn, Some(path));
                store.check_identity()?;
                store.sql()?.busy_timeout(BUSY_TIMEOUT).map_err(StoreError::from_sqlite)?;
                return Ok(store);
            }
            _ => store.check_identity()?,
        }
        store.sql()?.busy_timeout(BUSY_TIMEOUT).map_err(StoreError::from_sqlite)?;
        Ok(store)
    }

    /// Creates a new, empty store at `path`; the file must not exist.
    pub fn create(path: &Path) -> Result<Self> {
        #[cfg(feature = "postgres")]
        if let Some(url) = postgres::url_of(path) {
            return match Self::create_postgres_with(url, |_| Ok::<(), StoreError>(()))? {
                Some(()) => Self::open_postgres(url, false),
                None => Err(StoreError::Io(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!("{url} holds a minutes store already"),
                ))),
            };
        }
        if path.exists() {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} exists already", path.display()),
            )));
        }
        let conn = Connection::open(path).map_err(StoreError::from_sqlite)?;
        let store = Self::over(conn, Some(path));
        store.sql()?.execute_batch(schema::CREATE).map_err(StoreError::from_sqlite)?;
        store.configure()?;
        Ok(store)
    }

    /// Creates a store at `path` and runs `write` on it, all or nothing: the file appears at
    /// `path` only if `write` succeeds and the store is durable and whole, so a refused write
    /// (or a disk that fills up) leaves no file behind. If another process created `path`
    /// meanwhile, `Ok(None)` tells the caller to open that one instead.
    ///
    /// The store is written into `.NAME.creating-PID` beside `path`. Before it is linked into
    /// place its write-ahead log is checkpointed into it and truncated, the checkpoint's
    /// result checked (a checkpoint that fails, for a full disk, is an error here, never a
    /// silent loss at close), and the file and its directory fsynced: the linked file alone
    /// holds every committed transaction. Leftovers of creations whose process is gone (killed
    /// midway) are removed first.
    pub fn create_with<T, E: From<StoreError>>(
        path: &Path,
        write: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<Option<T>, E> {
        #[cfg(feature = "postgres")]
        if let Some(url) = postgres::url_of(path) {
            return Self::create_postgres_with(url, write);
        }
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name =
            path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "minutes.db".into());
        let prefix = format!(".{name}.creating-");
        remove_stale_creations(dir, &prefix);
        let tmp = dir.join(format!("{prefix}{}", std::process::id()));
        let cleanup = remove_with_companions;
        cleanup(&tmp);
        let outcome = (|| {
            let mut store = Store::create(&tmp)?;
            let value = write(&mut store)?;
            store.seal()?;
            make_durable(&tmp, dir)?;
            Ok(value)
        })();
        let value = match outcome {
            Ok(v) => v,
            Err(e) => {
                cleanup(&tmp);
                return Err(e);
            }
        };
        // A hard link fails if `path` exists, so two creators cannot overwrite each other.
        let linked = std::fs::hard_link(&tmp, path).and_then(|()| sync_dir(dir));
        // The log is empty (sealed), so removing the temporary name loses nothing.
        cleanup(&tmp);
        match linked {
            Ok(()) => Ok(Some(value)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(StoreError::from_io(e).into()),
        }
    }

    /// Checkpoints the whole write-ahead log into the database file, truncates the log, and
    /// closes: an error unless every committed frame is now in the database file.
    fn seal(self) -> Result<()> {
        let (busy, log, done): (i64, i64, i64) = self
            .sql()?
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(StoreError::from_sqlite)?;
        if busy != 0 || log != done {
            return Err(StoreError::Io(std::io::Error::other(format!(
                "the new store's write-ahead log could not be checkpointed ({done} of {log} frames, busy {busy})"
            ))));
        }
        let path = self.path.clone();
        self.close()?;
        // Nothing may be left in the log: the file linked into place is the whole store.
        if let Some(p) = path {
            let wal = PathBuf::from(format!("{}-wal", p.display()));
            match std::fs::metadata(&wal) {
                Ok(m) if m.len() > 0 => {
                    return Err(StoreError::Io(std::io::Error::other(
                        "the new store's write-ahead log still holds frames after its checkpoint",
                    )))
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::from_io(e)),
            }
        }
        Ok(())
    }

    /// A store in memory, for reading the bundled record without touching the disk.
    pub fn memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(StoreError::from_sqlite)?;
        conn.execute_batch(schema::CREATE).map_err(StoreError::from_sqlite)?;
        Ok(Self::over(conn, None))
    }

    /// Sets the clerk its writes stamp as `recorded_by` on events that have none (`None`: leave
    /// it out). An event that names its own `recorded_by` keeps it.
    pub fn set_clerk(&mut self, clerk: Option<minutes_core::id::Clerk>) {
        self.clerk = clerk;
    }

    /// The clerk its writes stamp, if any.
    pub fn clerk(&self) -> Option<&minutes_core::id::Clerk> {
        self.clerk.as_ref()
    }

    /// Closes the store, checkpointing its write-ahead log into the database file.
    pub fn close(self) -> Result<()> {
        match self.db {
            backend::Db::Sqlite(c) => c.close().map_err(|(_, e)| StoreError::from_sqlite(e)),
            #[cfg(feature = "postgres")]
            backend::Db::Postgres(_) => Ok(()),
        }
    }

    /// Caps the database at `pages` pages for this connection (SQLite's `max_page_count`), as a
    /// quota, and for tests to stand in for a full disk. Returns the cap in force.
    pub fn limit_pages(&self, pages: u64) -> Result<u64> {
        let n: i64 = self
            .sql()?
            .query_row(&format!("PRAGMA max_page_count = {}", pages.min(i64::MAX as u64)), [], |r| r.get(0))
            .map_err(StoreError::from_sqlite)?;
        Ok(n as u64)
    }

    /// How many pages the database file has.
    pub fn page_count(&self) -> Result<u64> {
        let n: i64 =
            self.sql()?.query_row("PRAGMA page_count", [], |r| r.get(0)).map_err(StoreError::from_sqlite)?;
        Ok(n as u64)
    }

    /// The file the store lives in (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn configure(&self) -> Result<()> {
        self.sql()?.busy_timeout(BUSY_TIMEOUT).map_err(StoreError::from_sqlite)?;
        self.sql()?.execute_batch(schema::PRAGMAS).map_err(StoreError::from_sqlite)?;
        Ok(())
    }

    fn check_identity(&self) -> Result<()> {
        let not_a_store =
            || StoreError::NotAStore(self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
        let app: i64 = self.sql()?.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(|e| {
            match StoreError::from_sqlite(e) {
                StoreError::NotAStore(_) => not_a_store(),
                other => other,
            }
        })?;
        if app != schema::APPLICATION_ID {
            return Err(not_a_store());
        }
        let version = self.schema_version()?;
        if version > schema::SCHEMA_VERSION {
            return Err(StoreError::Schema(version, schema::SCHEMA_VERSION));
        }
        if version < schema::SCHEMA_VERSION {
            return Err(StoreError::Outdated {
                path: self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
                found: version,
                current: schema::SCHEMA_VERSION,
            });
        }
        Ok(())
    }

    /// The store's schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        #[cfg(feature = "postgres")]
        if self.db.is_postgres() {
            return self.postgres_schema_version();
        }
        self.sql()?.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(StoreError::from_sqlite)
    }
}

/// Removes the leftovers (`PREFIXPID`, `-wal`, `-shm`, `-journal`) of creations whose process
/// is gone, as a creation killed midway leaves them. A process still alive keeps its files;
/// without `/proc` nothing can be told and nothing is removed.
fn remove_stale_creations(dir: &Path, prefix: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(rest) = file.to_str().and_then(|n| n.strip_prefix(prefix)) else { continue };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let tail = &rest[digits.len()..];
        if !matches!(tail, "" | "-wal" | "-shm" | "-journal") {
            continue;
        }
        let Ok(pid) = digits.parse::<u32>() else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Removes a database file and its SQLite companions (`-wal`, `-shm`, `-journal`), if there.
pub(crate) fn remove_with_companions(p: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
    }
}

/// Fsyncs a file and the directory that names it.
pub(crate) fn make_durable(file: &Path, dir: &Path) -> Result<()> {
    std::fs::File::open(file).and_then(|f| f.sync_all()).map_err(StoreError::from_io)?;
    sync_dir(dir).map_err(StoreError::from_io)
}

/// Fsyncs a directory, so the names it holds are durable.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Whether a store that SQLite cannot open read-only (it cannot create the `-shm` index) may be
/// read as `immutable`: its directory cannot be written through this path, so no writer here
/// can start a write-ahead log, and no `-wal` file holds frames (a log of at most its 32-byte
/// header holds none) that the database file alone would miss.
fn immutable_is_safe(path: &Path) -> bool {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let writable = rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok();
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let wal_frames = match std::fs::metadata(&wal) {
        Ok(m) => m.len() > 32,
        Err(e) => e.kind() != std::io::ErrorKind::NotFound,
    };
    !writable && !wal_frames
}

/// A path as the path part of an SQLite `file:` URI: absolute, with the characters a URI gives
/// meaning to percent-encoded.
fn uri_path(path: &Path) -> String {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for b in full.to_string_lossy().bytes() {
        match b {
            b'%' | b'?' | b'#' => out.push_str(&format!("%{b:02X}")),
            _ => out.push(char::from(b)),
        }
    }
    out
}

/// The hash of a row: sha256 over the previous row's hash and this row's seq, stream, version
/// and payload bytes, hex. The first row's previous hash is the empty string.
pub fn row_hash(prev: &str, seq: u64, stream: &str, version: u64, payload: &str) -> String {
    let mut h = Sha256::new();
    for part in
        [prev.as_bytes(), seq.to_string().as_bytes(), stream.as_bytes(), version.to_string().as_bytes()]
    {
        h.update(part);
        h.update(b"\n");
    }
    h.update(payload.as_bytes());
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in h.finalize() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_only_open_of_a_missing_path_is_missing_and_creates_nothing() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("none.db");
        assert!(
            matches!(Store::open_read_only(&path), Err(StoreError::Missing(p)) if p == path.display().to_string())
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("lists").collect();
        assert!(left.is_empty(), "no file was created: {left:?}");
    }
}
