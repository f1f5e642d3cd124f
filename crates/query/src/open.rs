//! Which store a command reads or writes, and the rules that keep a store from being touched
//! by accident: a named store must exist (only `init` creates one), only the default
//! `./minutes.db` falls back to the bundled record when absent, reads open the file read-only,
//! and `init` adds the bundled record only to a store of it (or an empty one).

use std::path::{Path, PathBuf};

use minutes_core::time::Timestamp;
use minutes_store::{Store, StoreError};

use crate::error::{QueryError, Result};

/// The meeting the bundled record holds.
pub const BUNDLED_MEETING: &str = "wtpf-13";

/// Where the store is, and whether the user named it (`--db`, `MINUTES_DB`) or it is the
/// default `./minutes.db`.
#[derive(Debug, Clone)]
pub struct Location {
    /// The file.
    pub path: PathBuf,
    /// True when the user named it: then it must exist.
    pub named: bool,
}

/// Which record a read is answered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChoice {
    /// The store file.
    File,
    /// The bundled record, in memory: the default store does not exist.
    Bundled,
}

/// What `init` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Initialised {
    /// True when the store was created; false when it existed.
    pub created: bool,
    /// How many events were added.
    pub added: usize,
}

impl Location {
    /// The store named by `db`, else by `MINUTES_DB` (`env`), else the default `./minutes.db`.
    pub fn choose(db: Option<PathBuf>, env: Option<PathBuf>) -> Self {
        match db.or(env.filter(|p| !p.as_os_str().is_empty())) {
            Some(path) => Self { path, named: true },
            None => Self { path: PathBuf::from("minutes.db"), named: false },
        }
    }

    /// Opens the store for reading, read-only. When the default store does not exist, reads
    /// the bundled record in memory instead ([`StoreChoice::Bundled`]; the caller says so). A
    /// named store that does not exist is [`QueryError::NoStore`].
    pub fn open_read(&self, now: Timestamp) -> Result<(Store, StoreChoice)> {
        if self.is_server() {
            return Ok((self.on_server(Store::open_read_only(&self.path))?, StoreChoice::File));
        }
        if self.path.exists() {
            return Ok((Store::open_read_only(&self.path)?, StoreChoice::File));
        }
        if self.named {
            return Err(self.missing());
        }
        let mut store = Store::memory()?;
        store.append(&crate::bundled_events()?, None, now)?;
        Ok((store, StoreChoice::Bundled))
    }

    /// Opens the store for writing; it must exist (no write creates a store).
    pub fn open_write(&self) -> Result<Store> {
        if self.is_server() {
            return self.on_server(Store::open(&self.path));
        }
        if !self.path.exists() {
            return Err(self.missing());
        }
        Ok(Store::open(&self.path)?)
    }

    /// `minutes init`: creates the store holding the bundled record (or nothing, with
    /// `empty`), all or nothing. On an existing store that holds the bundled meeting, or no
    /// meeting, adds the bundled events it lacks (by id); on a store of other meetings only,
    /// refuses and says what it holds.
    pub fn init(&self, empty: bool, now: Timestamp) -> Result<Initialised> {
        let events = if empty { Vec::new() } else { crate::bundled_events()? };
        if self.is_server() {
            match Store::open(&self.path) {
                Ok(store) => {
                    drop(store);
                    return self.add_to_existing(&events, now);
                }
                Err(StoreError::Missing(_)) => {}
                Err(e) => return Err(e.into()),
            }
        } else if self.path.exists() {
            return self.add_to_existing(&events, now);
        }
        if let Ok(target) = std::fs::read_link(&self.path) {
            return Err(QueryError::NoStore(format!(
                "{} is a symbolic link to a missing file ({}): nothing was created; name the store's file itself with --db",
                self.path.display(),
                target.display()
            )));
        }
        let created =
            Store::create_with(&self.path, |s| -> Result<usize> { Ok(s.append(&events, None, now)?.len()) })?;
        match created {
            Some(added) => Ok(Initialised { created: true, added }),
            // Another process created the store meanwhile: add to it what it lacks, as init
            // does on any existing store.
            None if self.path.exists() => self.add_to_existing(&events, now),
            None => Err(QueryError::NoStore(format!(
                "{} appeared while the store was created, and is not a store that can be opened: nothing was created",
                self.path.display()
            ))),
        }
    }

    /// `init` on an existing store: adds the bundled events it lacks, if it holds the bundled
    /// meeting or no meeting.
    fn add_to_existing(&self, events: &[minutes_core::event::Event], now: Timestamp) -> Result<Initialised> {
        let mut store = Store::open(&self.path)?;
        let held = store.meetings()?;
        if !events.is_empty() && !held.is_empty() && !held.iter().any(|m| m == BUNDLED_MEETING) {
            return Err(QueryError::Refused(format!(
                "{} holds the meeting{} {}, not the bundled {BUNDLED_MEETING}: init adds the bundled record only to a store of it or to an empty one, and left this store as it was (name another file with --db)",
                self.path.display(),
                if held.len() == 1 { "" } else { "s" },
                held.join(", ")
            )));
        }
        let added = store.append(events, None, now)?.iter().filter(|x| !x.existed).count();
        Ok(Initialised { created: false, added })
    }

    /// Whether the store is a PostgreSQL database (a `postgres://` URL) rather than a file.
    pub fn is_server(&self) -> bool {
        minutes_store::is_postgres_location(&self.path)
    }

    /// A server's store as opened: one whose database holds no minutes schema is missing.
    fn on_server(&self, opened: minutes_store::Result<Store>) -> Result<Store> {
        match opened {
            Ok(s) => Ok(s),
            Err(StoreError::Missing(_)) => Err(self.missing()),
            Err(e) => Err(e.into()),
        }
    }

    fn missing(&self) -> QueryError {
        QueryError::NoStore(format!(
            "no store at {}: nothing was read or written; create it with `minutes --db {} init` (the WTPF-13 record) or `minutes --db {} init --empty` (a new meeting)",
            self.path.display(),
            shell_word(&self.path),
            shell_word(&self.path)
        ))
    }
}

/// A path as one shell word, quoted when it needs it.
fn shell_word(p: &Path) -> String {
    let s = p.display().to_string();
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./+,:@".contains(c)) {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
