//! Opening and creating a store on PostgreSQL: a `postgres://` (or `postgresql://`) URL where a
//! file's path would be. The same [`Store`] answers on both backends; what differs lives in
//! `backend/pg.rs` and `schema::pg`.

use std::path::Path;

use crate::backend::pg::Pg;
use crate::backend::{Db, DbError, Mode, Tx, Value};
use crate::error::{Result, StoreError};
use crate::{schema, Store};

/// The URL a path names, if it names a PostgreSQL store.
pub(crate) fn url_of(path: &Path) -> Option<&str> {
    path.to_str().filter(|s| crate::backend::pg::is_url(s))
}

/// Whether a store location (`--db`) names a PostgreSQL store rather than a file.
pub fn is_postgres_location(location: &Path) -> bool {
    url_of(location).is_some()
}

impl Store {
    /// Connects to the database at `url`, nothing checked yet.
    fn connect_postgres(url: &str, read_only: bool) -> Result<Self> {
        let pg = Pg::connect(url, read_only)?;
        Ok(Self::over_db(Db::Postgres(Box::new(pg)), Some(Path::new(url))))
    }

    /// Opens the PostgreSQL store at `url`: its database must hold a minutes schema (only
    /// `init` makes one), else [`StoreError::Missing`].
    pub(crate) fn open_postgres(url: &str, read_only: bool) -> Result<Self> {
        let store = Self::connect_postgres(url, read_only)?;
        store.check_postgres_identity(url)?;
        Ok(store)
    }

    /// Whether the database holds a minutes schema of this version.
    fn check_postgres_identity(&self, url: &str) -> Result<()> {
        if !self.db.table_exists("minutes_meta")? {
            if self.db.table_exists("events")? {
                return Err(StoreError::NotAStore(url.to_string()));
            }
            return Err(StoreError::Missing(url.to_string()));
        }
        let app: Option<(String,)> = self.db.query_opt(schema::pg::META, &[Value::Text("application")])?;
        if app.as_ref().map(|(a,)| a.as_str()) != Some("minutes") {
            return Err(StoreError::NotAStore(url.to_string()));
        }
        let version = self.schema_version()?;
        if version != schema::SCHEMA_VERSION {
            return Err(StoreError::Schema(version, schema::SCHEMA_VERSION));
        }
        Ok(())
    }

    /// A PostgreSQL store's schema version.
    pub(crate) fn postgres_schema_version(&self) -> Result<i64> {
        let v: Option<(String,)> = self.db.query_opt(schema::pg::META, &[Value::Text("schema_version")])?;
        v.and_then(|(v,)| v.parse().ok()).ok_or_else(|| {
            StoreError::NotAStore(self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default())
        })
    }

    /// Makes the minutes schema in the database at `url` and runs `write` on it, in one
    /// transaction: the schema and what `write` wrote appear together, or not at all. If the
    /// database holds a schema already (another `init` made it meanwhile), `Ok(None)`.
    pub(crate) fn create_postgres_with<T, E: From<StoreError>>(
        url: &str,
        write: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<Option<T>, E> {
        let mut store = Self::connect_postgres(url, false)?;
        if store.db.table_exists("minutes_meta").map_err(StoreError::from)? {
            return Ok(None);
        }
        let value = {
            // `write`'s own transactions run inside this one (they take the chain's lock and
            // leave the commit to it).
            store.db.begin(Mode::Write).map_err(StoreError::from)?;
            let made = store.db.batch(&format!(
                "{}{};{};",
                schema::pg::CREATE,
                schema::pg::SNAPSHOTS_CREATE,
                schema::pg::CHECKPOINTS_CREATE
            ));
            match made {
                Ok(()) => {}
                Err(DbError::Other(b)) if b.to_string().contains("already exists") => {
                    let _ = store.db.rollback();
                    return Ok(None);
                }
                Err(e) => {
                    let _ = store.db.rollback();
                    return Err(StoreError::from(e).into());
                }
            }
            match write(&mut store) {
                Ok(v) => v,
                Err(e) => {
                    let _ = store.db.rollback();
                    return Err(e);
                }
            }
        };
        match store.db.commit() {
            Ok(()) => Ok(Some(value)),
            Err(DbError::Other(b))
                if b.to_string().contains("already exists") || b.to_string().contains("duplicate key") =>
            {
                let _ = store.db.rollback();
                Ok(None)
            }
            Err(e) => {
                let _ = store.db.rollback();
                Err(StoreError::from(e).into())
            }
        }
    }
}

/// A transaction of the store's, as a test holds one open while others write.
#[doc(hidden)]
pub struct HeldAppend<'a> {
    tx: Option<Tx<'a>>,
}

impl HeldAppend<'_> {
    /// Commits what was held.
    pub fn commit(mut self) -> Result<()> {
        match self.tx.take() {
            Some(tx) => Ok(tx.commit()?),
            None => Ok(()),
        }
    }
}

impl Store {
    /// Begins an append and holds its lock until the returned guard is committed or dropped:
    /// for tests of what other writers and readers see meanwhile.
    #[doc(hidden)]
    pub fn hold_append(&self) -> Result<HeldAppend<'_>> {
        Ok(HeldAppend { tx: Some(Tx::begin(&self.db, Mode::Append)?) })
    }
}
