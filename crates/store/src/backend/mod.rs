//! The seam between the store's engine and the database under it.
//!
//! The engine (`append.rs`, `checkpoint.rs`, `snapshot.rs`, `verify.rs`, `merkle.rs`,
//! `writer.rs`) owns the rules, the expected versions, idempotency, the hash chain, the Merkle
//! tree, the derived tables and group commit. It asks the backend, [`Db`], only for what a
//! database does: begin an exclusive append ([`Db::begin`] with [`Mode::Append`]), read the
//! head, load a stream, read the rows after a seq, find an id (queries of `schema.rs`, the same
//! text on both), insert a row with a typed uniqueness clash ([`Db::insert_event`]), commit, and
//! say whether anything changed since the last write ([`Db::change_token`]).
//!
//! [`Db`] is an enum, so every call is dispatched statically (a `match`, no trait object), and
//! the SQLite arm runs the statements exactly as before the seam: cached prepared statements,
//! parameters bound in place, no allocation of its own. Errors leave the backend as
//! [`DbError`], the store's own kinds (busy, full, a clash on the event id, a missing derived
//! table), with the driver's error kept as the source of [`crate::BackendError`].

#[cfg(feature = "postgres")]
pub(crate) mod pg;

use rusqlite::OptionalExtension;

use crate::error::{BackendError, StoreError};

/// The result of a backend call.
pub(crate) type DbResult<T> = std::result::Result<T, DbError>;

/// What went wrong in the database, as the engine tells kinds apart.
#[derive(Debug)]
pub(crate) enum DbError {
    /// Another writer kept the store locked.
    Busy,
    /// No room to grow.
    Full,
    /// The file or database is not a database this backend reads.
    NotADatabase,
    /// SQLite could not open the file (read-only, without its `-shm` index).
    CannotOpen(BackendError),
    /// An insert clashed with the `UNIQUE (id)` index: the log holds the id.
    IdTaken,
    /// An insert clashed with a row of the same seq, or of the same stream and version: another
    /// writer appended since this one read the head (PostgreSQL; the transaction is aborted).
    RowTaken,
    /// A table or column the statement names does not exist (a derived table dropped).
    MissingObject(BackendError),
    /// Anything else.
    Other(BackendError),
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Busy => StoreError::Busy,
            DbError::Full => StoreError::Full,
            DbError::NotADatabase => StoreError::NotAStore("the file".into()),
            DbError::IdTaken => {
                StoreError::Backend(BackendError::new("an insert clashed with the unique index of event ids"))
            }
            DbError::RowTaken => StoreError::Backend(BackendError::new(
                "an insert clashed with a row another writer appended (its seq, or its stream and version)",
            )),
            DbError::CannotOpen(b) | DbError::MissingObject(b) | DbError::Other(b) => StoreError::Backend(b),
        }
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => Self::Busy,
            Some(rusqlite::ErrorCode::NotADatabase) => Self::NotADatabase,
            Some(rusqlite::ErrorCode::DiskFull) => Self::Full,
            Some(rusqlite::ErrorCode::CannotOpen) => Self::CannotOpen(BackendError::sqlite(e)),
            _ if is_unique_id_violation(&e) => Self::IdTaken,
            _ if is_missing_object(&e) => Self::MissingObject(BackendError::sqlite(e)),
            _ => Self::Other(BackendError::sqlite(e)),
        }
    }
}

/// Whether an insert failed on the `UNIQUE (id)` index.
fn is_unique_id_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, Some(m))
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE && m.contains("events.id"))
}

/// Whether SQLite's error says a table or column the statement names does not exist.
fn is_missing_object(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(_, Some(m)) if m.starts_with("no such table") || m.starts_with("no such column"))
}

/// A statement's parameter, bound as each driver binds it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    /// An integer (SQLite INTEGER, PostgreSQL BIGINT).
    Int(i64),
    /// Text.
    Text(&'a str),
    /// Text or NULL.
    OptText(Option<&'a str>),
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Value::Int(i) => i.to_sql(),
            Value::Text(s) => s.to_sql(),
            Value::OptText(s) => s.to_sql(),
        }
    }
}

/// One column of a result row, read by either driver.
pub(crate) trait Col: Sized {
    /// From SQLite's row.
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self>;
    /// From PostgreSQL's row.
    #[cfg(feature = "postgres")]
    fn pg(r: &postgres::Row, i: usize) -> std::result::Result<Self, postgres::Error>;
}

macro_rules! col {
    ($($t:ty),*) => {$(
        impl Col for $t {
            fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
                r.get(i)
            }
            #[cfg(feature = "postgres")]
            fn pg(r: &postgres::Row, i: usize) -> std::result::Result<Self, postgres::Error> {
                r.try_get(i)
            }
        }
    )*};
}
col!(i64, String, Option<String>, Option<i64>, bool);

/// A result row as a tuple of columns.
pub(crate) trait FromRow: Sized {
    /// From SQLite's row.
    fn sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
    /// From PostgreSQL's row.
    #[cfg(feature = "postgres")]
    fn pg(r: &postgres::Row) -> std::result::Result<Self, postgres::Error>;
}

macro_rules! tuple {
    ($(($($t:ident $i:tt),*)),*) => {$(
        impl<$($t: Col),*> FromRow for ($($t,)*) {
            fn sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(($($t::sqlite(r, $i)?,)*))
            }
            #[cfg(feature = "postgres")]
            fn pg(r: &postgres::Row) -> std::result::Result<Self, postgres::Error> {
                Ok(($($t::pg(r, $i)?,)*))
            }
        }
    )*};
}
tuple!(
    (A 0),
    (A 0, B 1),
    (A 0, B 1, C 2),
    (A 0, B 1, C 2, D 3),
    (A 0, B 1, C 2, D 3, E 4),
    (A 0, B 1, C 2, D 3, E 4, F 5),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
);

/// How a transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// An append: holds the lock that serialises the chain until commit (SQLite's
    /// `BEGIN IMMEDIATE`; PostgreSQL's transaction-scoped advisory lock), so the head read
    /// inside it stays the head, and seq = head + 1 leaves no gap and commits in order.
    Append,
    /// One consistent view for several reads (SQLite's deferred transaction; PostgreSQL's
    /// repeatable-read snapshot).
    Read,
    /// A write that is no append (rebuilding derived tables, an upgrade).
    Write,
}

/// A row to append, with every column.
pub(crate) struct NewRow<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub stream: &'a str,
    pub version: i64,
    pub type_name: &'a str,
    pub v: i64,
    pub meeting: &'a str,
    pub occurred_from: Option<&'a str>,
    pub occurred_to: Option<&'a str>,
    pub recorded_at: &'a str,
    pub payload: &'a str,
    pub hash: &'a str,
}

/// A row to append, owned: held by a write until it sends its rows in one statement
/// ([`Db::insert_events`]).
pub(crate) struct OwnedRow {
    pub seq: i64,
    pub id: String,
    pub stream: String,
    pub version: i64,
    pub type_name: String,
    pub v: i64,
    pub meeting: String,
    pub occurred_from: Option<String>,
    pub occurred_to: Option<String>,
    pub recorded_at: String,
    pub payload: String,
    pub hash: String,
}

impl OwnedRow {
    /// The row, borrowed.
    pub(crate) fn borrowed(&self) -> NewRow<'_> {
        NewRow {
            seq: self.seq,
            id: &self.id,
            stream: &self.stream,
            version: self.version,
            type_name: &self.type_name,
            v: self.v,
            meeting: &self.meeting,
            occurred_from: self.occurred_from.as_deref(),
            occurred_to: self.occurred_to.as_deref(),
            recorded_at: &self.recorded_at,
            payload: &self.payload,
            hash: &self.hash,
        }
    }
}

/// A stream's checkpoint to store, with every column (see `checkpoint.rs`).
pub(crate) struct CheckpointRow {
    pub stream: String,
    pub version: i64,
    pub seq: i64,
    pub hash: String,
    pub format: i64,
    pub corrections: String,
    pub state: String,
    pub digest: String,
    pub mac: Option<String>,
    /// The digest of the stored row this one moves forward, its state unchanged: the state is
    /// then not sent again (unless that row is gone or replaced). `None`: stored in full.
    pub moves: Option<String>,
}

impl CheckpointRow {
    /// The parameters of [`crate::schema::CHECKPOINT_PUT`].
    fn put_params(&self) -> [Value<'_>; 9] {
        [
            Value::Text(&self.stream),
            Value::Int(self.version),
            Value::Int(self.seq),
            Value::Text(&self.hash),
            Value::Int(self.format),
            Value::Text(&self.corrections),
            Value::Text(&self.state),
            Value::Text(&self.digest),
            Value::OptText(self.mac.as_deref()),
        ]
    }
}

/// The database under a store.
pub(crate) enum Db {
    /// A SQLite file (or memory).
    Sqlite(rusqlite::Connection),
    /// A PostgreSQL database.
    #[cfg(feature = "postgres")]
    Postgres(Box<pg::Pg>),
}

impl Db {
    /// The SQLite connection, if this is SQLite.
    pub(crate) fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Db::Sqlite(c) => Some(c),
            #[cfg(feature = "postgres")]
            Db::Postgres(_) => None,
        }
    }

    /// The SQLite connection, if this is SQLite, for a transaction of its own.
    pub(crate) fn sqlite_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match self {
            Db::Sqlite(c) => Some(c),
            #[cfg(feature = "postgres")]
            Db::Postgres(_) => None,
        }
    }

    /// Whether this is PostgreSQL.
    pub(crate) fn is_postgres(&self) -> bool {
        !matches!(self, Db::Sqlite(_))
    }

    /// The statement for this backend: SQLite's text, or PostgreSQL's where its dialect
    /// differs.
    pub(crate) fn pick<'a>(&self, sqlite: &'a str, postgres: &'a str) -> &'a str {
        if self.is_postgres() {
            postgres
        } else {
            sqlite
        }
    }

    /// Every row `sql` selects.
    pub(crate) fn query<T: FromRow>(&self, sql: &str, params: &[Value<'_>]) -> DbResult<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, params, |t| {
            out.push(t);
            Ok(true)
        })?;
        Ok(out)
    }

    /// The first row `sql` selects, if any.
    pub(crate) fn query_opt<T: FromRow>(&self, sql: &str, params: &[Value<'_>]) -> DbResult<Option<T>> {
        match self {
            Db::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                Ok(st.query_row(rusqlite::params_from_iter(params.iter()), T::sqlite).optional()?)
            }
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => p.query_opt(sql, params),
        }
    }

    /// The one row `sql` selects (an aggregate).
    pub(crate) fn query_one<T: FromRow>(&self, sql: &str, params: &[Value<'_>]) -> DbResult<T> {
        self.query_opt(sql, params)?
            .ok_or_else(|| DbError::Other(BackendError::new(format!("no row from: {sql}"))))
    }

    /// Runs `f` on each row `sql` selects, in order, without holding them all; `f` returns
    /// false to stop. `f` must not use the database.
    pub(crate) fn each<T: FromRow>(
        &self,
        sql: &str,
        params: &[Value<'_>],
        mut f: impl FnMut(T) -> DbResult<bool>,
    ) -> DbResult<()> {
        match self {
            Db::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(r) = rows.next()? {
                    if !f(T::sqlite(r)?)? {
                        break;
                    }
                }
                Ok(())
            }
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => p.each(sql, params, |r| f(T::pg(r).map_err(pg::error)?)),
        }
    }

    /// Runs one statement; returns the rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[Value<'_>]) -> DbResult<u64> {
        match self {
            Db::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
            }
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => p.execute(sql, params),
        }
    }

    /// Runs statements without parameters (DDL).
    pub(crate) fn batch(&self, sql: &str) -> DbResult<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => p.batch(sql),
        }
    }

    /// Begins a transaction.
    pub(crate) fn begin(&self, mode: Mode) -> DbResult<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(match mode {
                Mode::Append | Mode::Write => "BEGIN IMMEDIATE",
                Mode::Read => "BEGIN DEFERRED",
            })?),
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => p.begin(mode),
        }
    }

    /// Commits the transaction; durable when it returns.
    pub(crate) fn commit(&self) -> DbResult<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch("COMMIT")?),
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => p.end("COMMIT"),
        }
    }

    /// Rolls the transaction back (nothing of it is kept).
    pub(crate) fn rollback(&self) -> DbResult<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch("ROLLBACK")?),
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => p.end("ROLLBACK"),
        }
    }

    /// Whether a transaction is open.
    pub(crate) fn in_transaction(&self) -> bool {
        match self {
            Db::Sqlite(c) => !c.is_autocommit(),
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => p.in_transaction(),
        }
    }

    /// A number that moves whenever another connection commits to the log, read inside an
    /// append: equal to what the last write left, nothing changed since. SQLite's
    /// `data_version` (one's own commits leave it as it was); PostgreSQL's head seq (the log
    /// only grows, one seq a row, so an unchanged head is an unchanged log).
    pub(crate) fn change_token(&self) -> DbResult<i64> {
        match self {
            Db::Sqlite(c) => {
                let mut st = c.prepare_cached(crate::schema::DATA_VERSION)?;
                Ok(st.query_row([], |r| r.get(0))?)
            }
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => {
                let (s,): (i64,) = p.query_one(crate::schema::HEAD_SEQ, &[])?;
                Ok(s)
            }
        }
    }

    /// The token the next write compares with, once this append (which read `start`) is
    /// committed with the log's head at `head`.
    pub(crate) fn token_after(&self, start: i64, head: u64) -> i64 {
        if self.is_postgres() {
            head as i64
        } else {
            start
        }
    }

    /// Inserts a row of `events`; [`DbError::IdTaken`] when the log holds its id (the
    /// transaction stays usable: PostgreSQL's insert skips the clash instead of failing).
    pub(crate) fn insert_event(&self, r: &NewRow<'_>) -> DbResult<()> {
        let params = [
            Value::Int(r.seq),
            Value::Text(r.id),
            Value::Text(r.stream),
            Value::Int(r.version),
            Value::Text(r.type_name),
            Value::Int(r.v),
            Value::Text(r.meeting),
            Value::OptText(r.occurred_from),
            Value::OptText(r.occurred_to),
            Value::Text(r.recorded_at),
            Value::Text(r.payload),
            Value::Text(r.hash),
        ];
        match self {
            Db::Sqlite(_) => self.execute(crate::schema::INSERT, &params).map(|_| ()),
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => match p.execute(crate::schema::pg::INSERT, &params)? {
                0 => Err(DbError::IdTaken),
                _ => Ok(()),
            },
        }
    }

    /// Inserts `rows`, whose ids the caller knows the log does not hold, and stores the
    /// `checkpoints` due with them: on PostgreSQL in one statement (one round trip however
    /// many), on SQLite one by one (no round trip to save). A clash fails (nothing is
    /// skipped): on the id, or another writer's row.
    pub(crate) fn insert_events(&self, rows: &[OwnedRow], checkpoints: &[CheckpointRow]) -> DbResult<()> {
        match self {
            Db::Sqlite(_) => {
                for r in rows {
                    self.insert_event(&r.borrowed())?;
                }
                self.put_checkpoints(checkpoints)
            }
            #[cfg(feature = "postgres")]
            Db::Postgres(_) if rows.is_empty() => self.put_checkpoints(checkpoints),
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => match p.insert_rows(rows, checkpoints)? {
                (n, moved) if n == rows.len() as u64 => {
                    let moving = checkpoints.iter().filter(|c| c.moves.is_some());
                    if moved < moving.clone().count() as u64 {
                        // A row to move was gone or replaced (another connection dropped or
                        // rebuilt the checkpoints): those go in full.
                        for c in moving {
                            self.put_checkpoint(c)?;
                        }
                    }
                    Ok(())
                }
                // Not reached: the statement skips nothing, so it inserts every row or fails.
                (n, _) => Err(DbError::Other(BackendError::new(format!(
                    "{n} of {} rows were inserted",
                    rows.len()
                )))),
            },
        }
    }

    /// Stores (or replaces) streams' checkpoints, one statement each: one whose state is as
    /// stored is moved forward without it, and stored in full if its stored row is not there.
    pub(crate) fn put_checkpoints(&self, checkpoints: &[CheckpointRow]) -> DbResult<()> {
        for c in checkpoints {
            if let Some(was) = &c.moves {
                let moved = self.execute(
                    crate::schema::CHECKPOINT_MOVE,
                    &[
                        Value::Text(&c.stream),
                        Value::Int(c.version),
                        Value::Int(c.seq),
                        Value::Text(&c.hash),
                        Value::Text(&c.corrections),
                        Value::Text(&c.digest),
                        Value::Text(was),
                        Value::OptText(c.mac.as_deref()),
                    ],
                )?;
                if moved == 1 {
                    continue;
                }
            }
            self.put_checkpoint(c)?;
        }
        Ok(())
    }

    /// Stores (or replaces) one stream's checkpoint in full.
    fn put_checkpoint(&self, c: &CheckpointRow) -> DbResult<()> {
        let put = self.pick(crate::schema::CHECKPOINT_PUT, crate::schema::pg::CHECKPOINT_PUT);
        self.execute(put, &c.put_params()).map(|_| ())
    }

    /// Which of `ids` the log holds, in one look, where that saves round trips (PostgreSQL);
    /// `None` on SQLite, where each insert finds its own clash as cheaply.
    pub(crate) fn ids_held(&self, ids: &[String]) -> DbResult<Option<std::collections::HashSet<String>>> {
        match self {
            Db::Sqlite(_) => Ok(None),
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => Ok(Some(p.ids_held(ids)?)),
        }
    }

    /// Whether a table exists.
    pub(crate) fn table_exists(&self, table: &str) -> DbResult<bool> {
        match self {
            Db::Sqlite(_) => {
                Ok(self.query_opt::<(i64,)>(crate::schema::TABLE_EXISTS, &[Value::Text(table)])?.is_some())
            }
            #[cfg(feature = "postgres")]
            Db::Postgres(p) => {
                if let Some(known) = p.known_table(table) {
                    return Ok(known);
                }
                let (b,): (bool,) = p.query_one(crate::schema::pg::TABLE_EXISTS, &[Value::Text(table)])?;
                Ok(b)
            }
        }
    }

    /// Whether a derived table has the current shape: `probe` is a query that fails on an
    /// older one. A PostgreSQL store has only ever had the current shape (and a failed
    /// statement there would abort the transaction it runs in), so it is not probed.
    pub(crate) fn shape_ok(&self, probe: &str) -> bool {
        match self {
            Db::Sqlite(c) => c.prepare(probe).is_ok(),
            #[cfg(feature = "postgres")]
            Db::Postgres(_) => true,
        }
    }
}

/// A transaction that rolls back when dropped uncommitted.
pub(crate) struct Tx<'a> {
    db: &'a Db,
    open: bool,
}

impl<'a> Tx<'a> {
    /// Begins one; inside a transaction already open (a store being created, on
    /// PostgreSQL), joins it, taking the chain's lock for an append, and leaves the commit to
    /// it.
    pub(crate) fn begin(db: &'a Db, mode: Mode) -> DbResult<Self> {
        if db.in_transaction() {
            #[cfg(feature = "postgres")]
            if let (Db::Postgres(p), Mode::Append) = (db, mode) {
                p.lock_chain()?;
            }
            return Ok(Self { db, open: false });
        }
        db.begin(mode)?;
        Ok(Self { db, open: true })
    }

    /// The database, for the statements of the transaction.
    pub(crate) fn db(&self) -> &'a Db {
        self.db
    }

    /// Commits it.
    pub(crate) fn commit(mut self) -> DbResult<()> {
        if !self.open {
            return Ok(());
        }
        self.open = false;
        let r = self.db.commit();
        if r.is_err() {
            // A commit that failed leaves SQLite's transaction open: end it.
            let _ = self.db.rollback();
        }
        r
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.db.rollback();
        }
    }
}
