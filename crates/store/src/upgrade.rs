//! Bringing a store written by an older minutes up to date: one path, a step per schema
//! version, all in one transaction. No step ever changes a row of `events` (anchored heads and
//! hashes stay valid); they change the schema around it and the derived tables.

use std::path::Path;

use rusqlite::TransactionBehavior;

use crate::error::{Result, StoreError};
use crate::{schema, Store};

/// What an upgrade did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upgraded {
    /// The version the store was at.
    pub from: i64,
    /// The version it is at now.
    pub to: i64,
}

impl Store {
    /// Upgrades the store at `path` to the schema this program writes, step by step in one
    /// transaction (all or nothing). A store already up to date is left as it is; a newer one
    /// is refused.
    pub fn upgrade(path: &Path) -> Result<Upgraded> {
        #[cfg(feature = "postgres")]
        if crate::is_postgres_location(path) {
            // Every PostgreSQL store has been of the current version: opening it checks so.
            Self::open(path)?;
            return Ok(Upgraded { from: schema::SCHEMA_VERSION, to: schema::SCHEMA_VERSION });
        }
        let mut store = Self::connect(path)?;
        match store.check_identity() {
            Ok(()) => return Ok(Upgraded { from: schema::SCHEMA_VERSION, to: schema::SCHEMA_VERSION }),
            Err(StoreError::Outdated { .. }) => {}
            Err(e) => return Err(e),
        }
        store.configure()?;
        let from = store.schema_version()?;
        let tx = store
            .db
            .sqlite_mut()
            .ok_or_else(|| StoreError::Unsupported("an upgrade of a PostgreSQL store".into()))?
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from_sqlite)?;
        let mut at = from;
        while at < schema::SCHEMA_VERSION {
            let step = match at {
                1 => schema::UPGRADE_1_TO_2,
                2 => schema::UPGRADE_2_TO_3,
                other => {
                    return Err(StoreError::Schema(other, schema::SCHEMA_VERSION));
                }
            };
            tx.execute_batch(step).map_err(StoreError::from_sqlite)?;
            at += 1;
        }
        tx.commit().map_err(StoreError::from_sqlite)?;
        Ok(Upgraded { from, to: at })
    }
}
