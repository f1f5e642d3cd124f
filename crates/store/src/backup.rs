//! A consistent copy of a live store: SQLite's online backup API copies every committed page
//! (those still in the writer's `-wal` included), the copy is made durable (checkpointed into
//! one file, fsynced with its directory) under a temporary name and only then linked into
//! place, so a backup either exists whole or not at all.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::Connection;

use crate::error::{Result, StoreError};
use crate::{make_durable, remove_with_companions, sync_dir, Store};

impl Store {
    /// Copies the store to `dest`, which must not exist, consistently while writers go on.
    /// Returns when the copy is durable under its name; a failure leaves nothing at `dest`.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        if self.db.is_postgres() {
            return Err(StoreError::Unsupported(
                "this is a PostgreSQL store: back it up with the server's own tools (pg_dump), or copy it into a SQLite file with `minutes migrate`".into(),
            ));
        }
        if dest.exists() || dest.symlink_metadata().is_ok() {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} exists already: a backup never overwrites a file", dest.display()),
            )));
        }
        let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name =
            dest.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "backup.db".into());
        let tmp = dir.join(format!(".{name}.backup-{}", std::process::id()));
        let outcome = self.copy_into(&tmp).and_then(|()| {
            make_durable(&tmp, dir)?;
            // A hard link fails if `dest` appeared meanwhile: nothing is overwritten.
            std::fs::hard_link(&tmp, dest).and_then(|()| sync_dir(dir)).map_err(StoreError::from_io)
        });
        remove_with_companions(&tmp);
        outcome
    }

    fn copy_into(&self, tmp: &Path) -> Result<()> {
        remove_with_companions(tmp);
        let mut copy = Connection::open(tmp).map_err(StoreError::from_sqlite)?;
        {
            let backup = Backup::new(self.sql()?, &mut copy).map_err(StoreError::from_sqlite)?;
            // Pages a step, and no pause: a writer's commit restarts the copy, which is correct.
            backup.run_to_completion(1024, Duration::ZERO, None).map_err(StoreError::from_sqlite)?;
        }
        // One self-contained file: the copy's log folded in and removed, its result checked.
        let mode: String = copy
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .map_err(StoreError::from_sqlite)?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(StoreError::Io(std::io::Error::other(format!(
                "the copy's write-ahead log could not be folded in (journal mode {mode})"
            ))));
        }
        // Back to WAL, as every store is kept (recorded in the file's header).
        copy.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).map_err(StoreError::from_sqlite)?;
        copy.close().map_err(|(_, e)| StoreError::from_sqlite(e))?;
        let leftover = PathBuf::from(format!("{}-wal", tmp.display()));
        if leftover.metadata().is_ok_and(|m| m.len() > 0) {
            return Err(StoreError::Io(std::io::Error::other(
                "the copy's write-ahead log was not folded in",
            )));
        }
        Ok(())
    }
}
