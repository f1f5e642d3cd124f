//! The PostgreSQL backend: one connection (the synchronous `postgres` crate), its statements
//! prepared once and kept, the URL rules (no password in it), and the lock that serialises the
//! chain.
//!
//! An append takes a transaction-scoped advisory lock ([`APPEND_LOCK`]) before it reads the
//! head, and holds it until its commit: every writer of the store takes it, so the head read
//! under it stays the head, each new row's seq is head + 1 (no sequence object, so no gaps),
//! and a row becomes visible only after every row before it has committed (the lock is let go
//! after the commit is visible), so a reader that asks for the rows after seq N never sees
//! N + 2 before N + 1. The advisory lock needs no right on the table beyond INSERT and SELECT,
//! so the restricted role of `serve` and `record` can take it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::str::FromStr;

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;

use super::{CheckpointRow, DbError, DbResult, FromRow, Mode, OwnedRow, Value};
use crate::error::{BackendError, StoreError};

/// The advisory lock key of the chain ("MINU", as SQLite's application id).
pub(crate) const APPEND_LOCK: i64 = 0x4D49_4E55;

/// How long an append waits for another writer's lock (as SQLite's busy timeout).
const LOCK_TIMEOUT: &str = "5s";

/// How long the server keeps a session that sits idle inside a transaction (a client whose link
/// died midway) before it ends it, rolling back and letting go of the chain's lock. No write of
/// minutes waits on anything inside its transaction.
const IDLE_IN_TRANSACTION: &str = "15s";

/// The derived table whose existence an append's opening round trip reports.
const CHECKPOINTS: &str = "stream_checkpoints";

/// One connection to a PostgreSQL store.
pub(crate) struct Pg {
    /// The connection (`None` only while it is being dropped).
    client: RefCell<Option<postgres::Client>>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// Whether a transaction is open.
    in_tx: std::cell::Cell<bool>,
    /// Whether the checkpoints' table exists, as the opening round trip of the write under way
    /// found it (see [`Pg::begin`]); forgotten when the transaction ends or runs DDL.
    checkpoints_table: std::cell::Cell<Option<bool>>,
}

/// Whether `s` names a PostgreSQL store (`postgres://` or `postgresql://`).
pub fn is_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// One column of checkpoints, as the array a statement binds.
fn column<'a, T>(rows: &[&'a CheckpointRow], f: impl Fn(&'a CheckpointRow) -> T) -> Vec<T> {
    rows.iter().map(|&c| f(c)).collect()
}

/// A driver's error as the store's kinds.
pub(crate) fn error(e: postgres::Error) -> DbError {
    let code = e.code().cloned();
    match code {
        Some(c) if c == SqlState::LOCK_NOT_AVAILABLE || c == SqlState::T_R_DEADLOCK_DETECTED => DbError::Busy,
        Some(c) if c == SqlState::T_R_SERIALIZATION_FAILURE => DbError::Busy,
        Some(c) if c == SqlState::DISK_FULL || c == SqlState::PROGRAM_LIMIT_EXCEEDED => DbError::Full,
        Some(c)
            if c == SqlState::UNIQUE_VIOLATION
                && e.as_db_error().and_then(|d| d.constraint()) == Some("events_id_key") =>
        {
            DbError::IdTaken
        }
        Some(c) if c == SqlState::UNIQUE_VIOLATION => match e.as_db_error().and_then(|d| d.constraint()) {
            Some("events_pkey" | "events_stream_version_key") => DbError::RowTaken,
            _ => DbError::Other(BackendError::postgres(e)),
        },
        Some(c) if c == SqlState::UNDEFINED_TABLE || c == SqlState::UNDEFINED_COLUMN => {
            DbError::MissingObject(BackendError::postgres(e))
        }
        _ => DbError::Other(BackendError::postgres(e)),
    }
}

/// Whether this thread is inside a tokio runtime, where the driver's blocking calls panic.
fn in_runtime() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

/// SQLite's numbered parameters (`?1`) as PostgreSQL's (`$1`); the statements of `schema.rs`
/// hold no `?` anywhere else.
fn dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// The parameters as the driver binds them.
fn bind<'a>(params: &'a [Value<'a>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| -> &(dyn postgres::types::ToSql + Sync) {
            match p {
                Value::Int(i) => i,
                Value::Text(s) => s,
                Value::OptText(s) => s,
            }
        })
        .collect()
}

/// The connection settings of a store URL, with the password (if any) from where libpq's users
/// keep it: `PGPASSWORD`, else the password file (`PGPASSFILE`, else `~/.pgpass`). A URL that
/// holds a password itself is refused: it would show in `ps` and in the shell's history.
pub(crate) fn config(url: &str) -> Result<postgres::Config, StoreError> {
    let mut config = postgres::Config::from_str(url).map_err(|e| {
        StoreError::Url(format!("{} is not a PostgreSQL URL minutes can read: {e}", redact(url)))
    })?;
    if config.get_password().is_some() {
        return Err(StoreError::Url(format!(
            "{} holds a password: a password on the command line shows in `ps` and the shell's history, so minutes refuses it; name host, database and user in the URL and put the password in the password file (PGPASSFILE, else ~/.pgpass) or in PGPASSWORD",
            redact(url)
        )));
    }
    if config.get_hosts().is_empty() {
        config.host(&std::env::var("PGHOST").unwrap_or_else(|_| "localhost".into()));
    }
    if config.get_ports().is_empty() {
        if let Some(p) = std::env::var("PGPORT").ok().and_then(|p| p.parse().ok()) {
            config.port(p);
        }
    }
    if config.get_user().is_none() {
        let user =
            std::env::var("PGUSER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "postgres".into());
        config.user(&user);
    }
    if config.get_dbname().is_none() {
        let db = std::env::var("PGDATABASE").ok().or_else(|| config.get_user().map(str::to_string));
        if let Some(db) = db {
            config.dbname(&db);
        }
    }
    if let Some(pw) = password(&config) {
        config.password(pw);
    }
    // A link that dies is noticed within seconds, not after TCP's quarter of an hour: the
    // command fails (exit 4) and the server rolls its transaction back.
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(10));
    }
    config
        .keepalives(true)
        .keepalives_idle(std::time::Duration::from_secs(5))
        .keepalives_interval(std::time::Duration::from_secs(2))
        .keepalives_retries(3);
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(std::time::Duration::from_secs(10));
    }
    Ok(config)
}

/// The URL with any password blanked, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (auth, tail) = match rest.find('@') {
        Some(at) if !rest[..at].contains('/') => (&rest[..at], &rest[at..]),
        _ => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{tail}"),
        None => url.to_string(),
    }
}

/// The password for a connection: `PGPASSWORD`, else the first matching line of the password
/// file (`hostname:port:database:username:password`, `*` matching anything, `\` escaping).
fn password(config: &postgres::Config) -> Option<String> {
    if let Ok(p) = std::env::var("PGPASSWORD") {
        return Some(p);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(_)) => "localhost".into(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432).to_string();
    let db = config.get_dbname().unwrap_or_default();
    let user = config.get_user().unwrap_or_default();
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = pgpass_fields(line);
        let [h, p, d, u, pw] = fields.as_slice() else { continue };
        let ok = |f: &str, v: &str| f == "*" || f == v;
        if ok(h, &host) && ok(p, &port) && ok(d, db) && ok(u, user) {
            return Some(pw.clone());
        }
    }
    None
}

/// A password file line's fields: split at unescaped `:`, `\` escaping the next character.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(n), Some(f)) = (chars.next(), fields.last_mut()) {
                    f.push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

impl Pg {
    /// Connects to the database a URL names, with durable commits, and (`read_only`) every
    /// transaction read-only.
    pub(crate) fn connect(url: &str, read_only: bool) -> Result<Self, StoreError> {
        let config = config(url)?;
        // The driver runs a runtime of its own and blocks on it: a caller inside an async runtime
        // (`serve` opening its stores) would make it panic, so it connects from a thread of its
        // own, which has no runtime to clash with.
        let mut settings = format!(
            "SET synchronous_commit = on; SET lock_timeout = '{LOCK_TIMEOUT}'; SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION}'; SET default_transaction_isolation = 'read committed'; SET client_min_messages = warning;"
        );
        if read_only {
            settings.push_str(" SET default_transaction_read_only = on;");
        }
        let connected = std::thread::scope(|scope| {
            scope
                .spawn(|| -> Result<postgres::Client, StoreError> {
                    let mut client = config.connect(postgres::NoTls).map_err(|e| {
                        StoreError::Backend(BackendError::postgres(e))
                            .with_context(&format!("cannot connect to {url}"))
                    })?;
                    client.batch_execute(&settings).map_err(|e| StoreError::from(error(e)))?;
                    Ok(client)
                })
                .join()
        });
        let client = match connected {
            Ok(c) => c?,
            Err(_) => return Err(StoreError::Backend(BackendError::new(format!("cannot connect to {url}")))),
        };

        Ok(Self {
            client: RefCell::new(Some(client)),
            statements: RefCell::default(),
            in_tx: Default::default(),
            checkpoints_table: Default::default(),
        })
    }

    /// The connection, for one call.
    fn client(&self) -> DbResult<std::cell::RefMut<'_, postgres::Client>> {
        std::cell::RefMut::filter_map(self.client.borrow_mut(), Option::as_mut)
            .map_err(|_| DbError::Other(BackendError::new("the PostgreSQL connection is closed")))
    }

    /// Runs `f` on the connection. The driver blocks on a runtime of its own, which panics on a
    /// thread that drives a caller's async tasks (`serve`'s). In a multi-threaded runtime `f`
    /// runs through `block_in_place`: on a worker it hands the worker's tasks to another thread
    /// first, and on a thread of the blocking pool (the group-commit writer's) it simply runs.
    /// In a current-thread runtime, where that is not allowed, `f` runs on a thread of its own.
    fn run<T: Send>(&self, f: impl FnOnce(&mut postgres::Client) -> T + Send) -> DbResult<T> {
        let mut client = self.client()?;
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return Ok(f(&mut client));
        };
        if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
            return Ok(tokio::task::block_in_place(|| f(&mut client)));
        }
        let c: &mut postgres::Client = &mut client;
        std::thread::scope(|scope| scope.spawn(move || f(c)).join())
            .map_err(|_| DbError::Other(BackendError::new("a PostgreSQL call panicked")))
    }

    /// The prepared statement of `sql` (SQLite's placeholders turned into PostgreSQL's),
    /// prepared once per connection.
    fn statement(&self, sql: &str) -> DbResult<postgres::Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let text = dollars(sql);
        let st = self.run(|c| c.prepare(&text))?.map_err(error)?;
        self.statements.borrow_mut().insert(sql.to_string(), st.clone());
        Ok(st)
    }

    /// Forgets the prepared statements (a failed one may name a table dropped since).
    fn forget(&self, e: DbError) -> DbError {
        if matches!(e, DbError::MissingObject(_) | DbError::Other(_)) {
            self.statements.borrow_mut().clear();
        }
        e
    }

    pub(crate) fn query_opt<T: FromRow>(&self, sql: &str, params: &[Value<'_>]) -> DbResult<Option<T>> {
        let st = self.statement(sql)?;
        let bound = bind(params);
        let rows = self.run(|c| c.query(&st, &bound))?.map_err(|e| self.forget(error(e)))?;
        rows.first().map(|r| T::pg(r).map_err(error)).transpose()
    }

    pub(crate) fn query_one<T: FromRow>(&self, sql: &str, params: &[Value<'_>]) -> DbResult<T> {
        self.query_opt(sql, params)?
            .ok_or_else(|| DbError::Other(BackendError::new(format!("no row from: {sql}"))))
    }

    pub(crate) fn each(
        &self,
        sql: &str,
        params: &[Value<'_>],
        mut f: impl FnMut(&postgres::Row) -> DbResult<bool>,
    ) -> DbResult<()> {
        let st = self.statement(sql)?;
        let bound = bind(params);
        if in_runtime() {
            // Inside an async runtime the rows are read on a thread of their own, whole.
            let rows = self.run(|c| c.query(&st, &bound))?.map_err(error)?;
            for r in &rows {
                if !f(r)? {
                    break;
                }
            }
            return Ok(());
        }
        let mut client = self.client()?;
        let mut rows = client.query_raw(&st, bound.iter().copied()).map_err(error)?;
        while let Some(r) = rows.next().map_err(error)? {
            if !f(&r)? {
                break;
            }
        }
        Ok(())
    }

    pub(crate) fn execute(&self, sql: &str, params: &[Value<'_>]) -> DbResult<u64> {
        let st = self.statement(sql)?;
        let bound = bind(params);
        let n = self.run(|c| c.execute(&st, &bound))?.map_err(|e| self.forget(error(e)))?;
        Ok(n)
    }

    /// Inserts `rows` in one statement, their columns sent as arrays, and stores (or moves
    /// forward) `checkpoints` in the same statement: how many rows it inserted, and how many
    /// checkpoints it moved.
    pub(crate) fn insert_rows(
        &self,
        rows: &[OwnedRow],
        checkpoints: &[CheckpointRow],
    ) -> DbResult<(u64, u64)> {
        let ints = |f: fn(&OwnedRow) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
        let texts = |f: fn(&OwnedRow) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
        let opts = |f: fn(&OwnedRow) -> Option<&str>| rows.iter().map(f).collect::<Vec<Option<&str>>>();
        let (seq, version, v) = (ints(|r| r.seq), ints(|r| r.version), ints(|r| r.v));
        let (id, stream, type_name) = (texts(|r| &r.id), texts(|r| &r.stream), texts(|r| &r.type_name));
        let (meeting, recorded_at) = (texts(|r| &r.meeting), texts(|r| &r.recorded_at));
        let (payload, hash) = (texts(|r| &r.payload), texts(|r| &r.hash));
        let (from, to) = (opts(|r| r.occurred_from.as_deref()), opts(|r| r.occurred_to.as_deref()));
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![
            &seq,
            &id,
            &stream,
            &version,
            &type_name,
            &v,
            &meeting,
            &from,
            &to,
            &recorded_at,
            &payload,
            &hash,
        ];
        if checkpoints.is_empty() {
            let st = self.statement(crate::schema::pg::INSERT_ROWS)?;
            let n = self.run(|c| c.execute(&st, &params))?.map_err(|e| self.forget(error(e)))?;
            return Ok((n, 0));
        }
        let (moving, full): (Vec<&CheckpointRow>, Vec<&CheckpointRow>) =
            checkpoints.iter().partition(|c| c.moves.is_some());
        let (c_stream, c_version, c_seq) =
            (column(&full, |c| c.stream.as_str()), column(&full, |c| c.version), column(&full, |c| c.seq));
        let (c_hash, c_format, c_corrections) = (
            column(&full, |c| c.hash.as_str()),
            column(&full, |c| c.format),
            column(&full, |c| c.corrections.as_str()),
        );
        let (c_state, c_digest, c_mac) = (
            column(&full, |c| c.state.as_str()),
            column(&full, |c| c.digest.as_str()),
            column(&full, |c| c.mac.as_deref()),
        );
        let (m_stream, m_version, m_seq) = (
            column(&moving, |c| c.stream.as_str()),
            column(&moving, |c| c.version),
            column(&moving, |c| c.seq),
        );
        let (m_hash, m_corrections, m_digest) = (
            column(&moving, |c| c.hash.as_str()),
            column(&moving, |c| c.corrections.as_str()),
            column(&moving, |c| c.digest.as_str()),
        );
        let (m_was, m_mac) = (
            column(&moving, |c| c.moves.as_deref().unwrap_or_default()),
            column(&moving, |c| c.mac.as_deref()),
        );
        params.extend_from_slice(&[
            &c_stream,
            &c_version,
            &c_seq,
            &c_hash,
            &c_format,
            &c_corrections,
            &c_state,
            &c_digest,
            &c_mac,
            &m_stream,
            &m_version,
            &m_seq,
            &m_hash,
            &m_corrections,
            &m_digest,
            &m_was,
            &m_mac,
        ]);
        let st = self.statement(crate::schema::pg::INSERT_ROWS_AND_CHECKPOINTS)?;
        let row = self.run(|c| c.query_one(&st, &params))?.map_err(|e| self.forget(error(e)))?;
        Ok((row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
    }

    /// Which of `ids` the log holds, in one statement.
    pub(crate) fn ids_held(&self, ids: &[String]) -> DbResult<std::collections::HashSet<String>> {
        let st = self.statement(crate::schema::pg::IDS_HELD)?;
        let rows = self.run(|c| c.query(&st, &[&ids]))?.map_err(|e| self.forget(error(e)))?;
        Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
    }

    pub(crate) fn batch(&self, sql: &str) -> DbResult<()> {
        // DDL may make or drop the checkpoints' table; the end of a transaction forgets too.
        self.checkpoints_table.set(None);
        self.run(|c| c.batch_execute(sql))?.map_err(|e| self.forget(error(e)))
    }

    /// Whether `table` exists, where this transaction's opening round trip already said so.
    pub(crate) fn known_table(&self, table: &str) -> Option<bool> {
        (table == CHECKPOINTS).then(|| self.checkpoints_table.get()).flatten()
    }

    pub(crate) fn begin(&self, mode: Mode) -> DbResult<()> {
        match mode {
            Mode::Append | Mode::Write => {
                // One round trip: the transaction and the chain's lock. An append reads the
                // head only when it holds no state of its own from its last write; one that
                // does trusts it, and an insert that clashes with another writer's row tells
                // it otherwise (`DbError::RowTaken`, see `append.rs`).
                // The lock's statement also asks whether the checkpoints' table exists, which a
                // write storing a checkpoint would otherwise ask in a round trip of its own (one
                // statement, not two: the server parses, plans and answers each). The target
                // list is evaluated in order, so the look follows the lock.
                let sql = format!(
                    "BEGIN ISOLATION LEVEL READ COMMITTED; \
                     SELECT pg_advisory_xact_lock({APPEND_LOCK}), to_regclass('{CHECKPOINTS}') IS NOT NULL"
                );
                let answer = self
                    .run(|c| c.simple_query(&sql))?
                    .map_err(|e| self.forget(error(e)))
                    .inspect_err(|_| {
                        // A lock that timed out leaves the transaction aborted: end it.
                        let _ = self.batch("ROLLBACK");
                    })?;
                self.in_tx.set(true);
                let exists = answer.iter().rev().find_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(r) => r.get(1).map(|v| v == "t"),
                    _ => None,
                });
                self.checkpoints_table.set(exists);
                Ok(())
            }
            Mode::Read => {
                self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
                self.in_tx.set(true);
                Ok(())
            }
        }
    }

    /// Takes the chain's lock until the transaction ends. Under READ COMMITTED each statement
    /// after this one sees every commit made before the lock was granted: the head read next
    /// is the head.
    pub(crate) fn lock_chain(&self) -> DbResult<()> {
        self.execute(crate::schema::pg::LOCK_CHAIN, &[Value::Int(APPEND_LOCK)]).map(|_| ())
    }

    /// Ends the transaction (`COMMIT` or `ROLLBACK`).
    pub(crate) fn end(&self, how: &str) -> DbResult<()> {
        let r = self.batch(how);
        // A failed COMMIT ends the transaction too (PostgreSQL rolls it back).
        self.in_tx.set(false);
        r
    }

    /// Whether a transaction is open.
    pub(crate) fn in_transaction(&self) -> bool {
        self.in_tx.get()
    }
}

impl Drop for Pg {
    /// Closes the connection from a thread of its own, as it was opened: the driver blocks on
    /// its runtime to close, which would panic inside a caller's async runtime.
    fn drop(&mut self) {
        if let Some(client) = self.client.get_mut().take() {
            let _ = std::thread::spawn(move || drop(client)).join();
        }
    }
}

impl StoreError {
    /// The error with words of context before it, for a backend failure.
    fn with_context(self, what: &str) -> Self {
        match self {
            StoreError::Backend(b) => StoreError::Backend(b.context(what)),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_placeholders_become_postgres_ones() {
        assert_eq!(
            dollars("SELECT a FROM t WHERE x = ?1 AND y > ?12 AND j = '$.data'"),
            "SELECT a FROM t WHERE x = $1 AND y > $12 AND j = '$.data'"
        );
    }

    #[test]
    fn a_url_with_a_password_is_refused_and_the_message_says_where_to_put_it() {
        let err = config("postgres://clerk:secret@db.example/minutes").expect_err("refused");
        let msg = err.to_string();
        assert!(!msg.contains("secret"), "{msg}");
        assert!(msg.contains("PGPASSFILE") && msg.contains("PGPASSWORD"), "{msg}");
        assert!(config("postgres://clerk@db.example/minutes").is_ok());
    }

    #[test]
    fn password_file_lines_split_at_unescaped_colons() {
        assert_eq!(pgpass_fields(r"h:5432:db:u:p\:w:x"), ["h", "5432", "db", "u", "p:w:x"]);
        assert_eq!(pgpass_fields(r"*:*:*:u\\:pw"), ["*", "*", "*", r"u\", "pw"]);
    }
}
