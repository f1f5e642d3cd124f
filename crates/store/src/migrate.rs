//! Copying a log into a new store, row for row and byte for byte, whatever the backends on
//! either side: every column of every row of `events` as stored (seq, version, payload and
//! hash included), in one transaction, so the copy's chain, head and Merkle root are the
//! source's. The derived tables are not copied: the copy builds its own.

use std::path::Path;

use crate::backend::{DbError, DbResult, Mode, NewRow, Tx};
use crate::error::{Result, StoreError};
use crate::{schema, Store};

/// A row of [`schema::ALL_ROWS`], every column as stored.
type FullRow =
    (i64, String, String, i64, String, i64, String, Option<String>, Option<String>, String, String, String);

impl Store {
    /// Copies this store's log into a new store at `to` (a file that does not exist, or a
    /// PostgreSQL database without a minutes schema), all or nothing. Returns how many rows
    /// were copied, or `None` when `to` is a store already (nothing is written to it).
    pub fn copy_log_to(&self, to: &Path) -> Result<Option<u64>> {
        Store::create_with(to, |dest| dest.insert_rows_of(self))
    }

    /// Appends every row of `src`'s log as it is stored, in one transaction, to this empty
    /// store.
    fn insert_rows_of(&mut self, src: &Store) -> Result<u64> {
        self.ledger = None;
        let tx = Tx::begin(&self.db, Mode::Append)?;
        let db = tx.db();
        let (head,): (i64,) = db.query_one(schema::HEAD_SEQ, &[])?;
        if head != 0 {
            return Err(StoreError::Unsupported("a log is copied only into an empty store".into()));
        }
        let mut copied = 0u64;
        let mut failed: Option<DbError> = None;
        src.db.each(schema::ALL_ROWS, &[], |r: FullRow| -> DbResult<bool> {
            let (seq, id, stream, version, type_name, v, meeting, from, to, recorded_at, payload, hash) = r;
            let row = NewRow {
                seq,
                id: &id,
                stream: &stream,
                version,
                type_name: &type_name,
                v,
                meeting: &meeting,
                occurred_from: from.as_deref(),
                occurred_to: to.as_deref(),
                recorded_at: &recorded_at,
                payload: &payload,
                hash: &hash,
            };
            match db.insert_event(&row) {
                Ok(()) => {
                    copied += 1;
                    Ok(true)
                }
                Err(e) => {
                    failed = Some(e);
                    Ok(false)
                }
            }
        })?;
        if let Some(e) = failed {
            return Err(e.into());
        }
        tx.commit()?;
        Ok(copied)
    }
}
