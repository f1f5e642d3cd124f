//! What every command runs with: where the store is, the clock, and the store opened for
//! reading or writing by the rules of `minutes_query::open`.

use minutes_core::id::Clerk;
use minutes_core::time::Timestamp;
use minutes_query::{Location, Reader, StoreChoice};
use minutes_store::Store;

use crate::error::Result;

/// The environment of one command.
pub struct Context {
    /// The store (`--db`, else `MINUTES_DB`, else `./minutes.db`).
    pub db: Location,
    /// The time now: stamps `recorded_at` and is the default `--at`.
    pub now: Timestamp,
    /// Who is recording (`--clerk`, else `MINUTES_CLERK`): stamps `recorded_by` on writes.
    pub clerk: Option<Clerk>,
    /// The snapshot key (`--snapshot-key`, `MINUTES_SNAPSHOT_KEY`), if any.
    pub snapshot_key: Option<Vec<u8>>,
}

impl Context {
    /// Opens the store for reading, read-only; when the default store does not exist, reads
    /// the bundled record instead and says so on stderr.
    pub fn read(&self) -> Result<Store> {
        let (mut store, choice) = self.db.open_read(self.now)?;
        if choice == StoreChoice::Bundled {
            crate::commands::say(&format!(
                "no store at {}; reading the bundled WTPF-13 record",
                self.db.path.display()
            ));
        }
        store.set_snapshot_key(self.snapshot_key.clone());
        Ok(store)
    }

    /// Runs `ask` with a reader of the store opened for reading, then says on stderr what the
    /// reads passed over (a snapshot that did not hold).
    pub fn ask<T, E: Into<crate::error::CliError>>(
        &self,
        ask: impl FnOnce(&Reader<'_>) -> std::result::Result<T, E>,
    ) -> Result<T> {
        let store = self.read()?;
        let answer = ask(&Reader::new(&store, self.now));
        for w in store.take_warnings() {
            crate::commands::say(&format!("warning: {w}"));
        }
        answer.map_err(Into::into)
    }

    /// Opens the store for writing, its clerk set: it must exist (only `init` creates a store).
    pub fn write(&self) -> Result<Store> {
        let mut store = self.db.open_write()?;
        store.set_clerk(self.clerk.clone());
        store.set_snapshot_key(self.snapshot_key.clone());
        Ok(store)
    }
}
