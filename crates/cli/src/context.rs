//! What every command runs with: the store's path, the clock, and how to open the store for
//! reading (the bundled record when there is none) or for writing (creating it when needed).

use std::path::PathBuf;

use minutes_core::event::Recorded;
use minutes_core::id::{symbol_key, Clerk, DocumentName, MeetingId};
use minutes_core::project::meeting::MeetingState;
use minutes_core::time::Timestamp;
use minutes_store::Store;

use crate::bundled;
use crate::error::{CliError, Result};

/// The environment of one command.
pub struct Context {
    /// The store file (`--db`, else `MINUTES_DB`, else `./minutes.db`).
    pub db: PathBuf,
    /// The time now: stamps `recorded_at` and is the default `--at`.
    pub now: Timestamp,
    /// Who is recording (`--clerk`, else `MINUTES_CLERK`): stamps `recorded_by` on writes.
    pub clerk: Option<Clerk>,
}

impl Context {
    /// Opens the store for reading; when it does not exist, reads the bundled record instead and
    /// says so on stderr.
    pub fn read(&self) -> Result<Store> {
        if self.db.exists() {
            return Ok(Store::open(&self.db)?);
        }
        eprintln!("minutes: no store at {}; reading the bundled WTPF-13 record", self.db.display());
        let mut store = Store::memory()?;
        store.append(&bundled_events()?, None, self.now)?;
        Ok(store)
    }

    /// Runs `write` on the store, its clerk set; when it does not exist, first creates it
    /// holding the bundled record (as bundled, without a clerk), all or nothing, so a refused
    /// write leaves no file behind.
    pub fn write<T>(&self, mut write: impl FnMut(&mut Store) -> Result<T>) -> Result<T> {
        if !self.db.exists() {
            let created = Store::create_with(&self.db, |s| {
                s.append(&bundled_events()?, None, self.now)?;
                s.set_clerk(self.clerk.clone());
                write(s)
            })?;
            if let Some(v) = created {
                return Ok(v);
            }
        }
        let mut store = Store::open(&self.db)?;
        store.set_clerk(self.clerk.clone());
        write(&mut store)
    }
}

/// The bundled record's events.
pub fn bundled_events() -> Result<Vec<minutes_core::event::Event>> {
    bundled::events().map_err(|e| CliError::Store(format!("the bundled record does not load: {e}")))
}

/// The meeting's state from its own stream; an unknown meeting is refused.
pub fn meeting(store: &Store, id: &MeetingId) -> Result<MeetingState> {
    let mut m = None;
    for r in store.stream(id.as_str())? {
        MeetingState::apply(&mut m, &r.event);
    }
    m.ok_or_else(|| {
        let known = store.meetings().unwrap_or_default();
        CliError::Refused(format!(
            "meeting '{id}' is not in the record{}",
            if known.is_empty() { " (the store is empty)".to_string() } else { format!("; it holds: {}", known.join(", ")) }
        ))
    })
}

/// Parses a meeting id given on the command line.
pub fn meeting_id(s: &str) -> Result<MeetingId> {
    MeetingId::new(s).map_err(|e| CliError::Refused(e.to_string()))
}

/// Finds a document by its name (`wtpf-13/opinion-3`) or any of its symbols (`WTPF-13/5 rev. 1`).
pub fn document(store: &Store, s: &str) -> Result<DocumentName> {
    if let Ok(d) = DocumentName::new(s) {
        if store.stream_version(d.as_str())? > 0 {
            return Ok(d);
        }
    }
    let want = symbol_key(s);
    let docs = store.documents()?;
    if let Some(n) = docs.iter().find(|n| n.symbols.iter().any(|x| symbol_key(x) == want)) {
        return Ok(n.document.clone());
    }
    let mut names: Vec<&str> = docs.iter().map(|n| n.document.as_str()).collect();
    names.sort_unstable();
    let hint = if names.is_empty() {
        " (the store holds no documents)".to_string()
    } else if names.len() <= 40 {
        format!("; known documents: {}", names.join(", "))
    } else {
        String::new()
    };
    Err(CliError::Refused(format!("unknown document '{s}': no document has that name or symbol{hint}")))
}

/// A document's events, with its meeting.
pub fn document_events(store: &Store, d: &DocumentName) -> Result<(MeetingState, Vec<Recorded>)> {
    let m = meeting(store, &d.meeting())?;
    Ok((m, store.stream(d.as_str())?))
}
