//! The questions every front end of minutes asks, answered as typed views.
//!
//! The command line, the server and the exports all call this crate and only this crate to
//! read a record: resolving names ([`resolve`]), the state of a document at a moment
//! ([`Reader::state`]), what changed between two moments ([`Reader::diff`]), where each
//! clause's wording came from ([`Reader::blame`]), a document's history, a meeting's replay and
//! listing, and the text marked with every change since tabling. Every view derives
//! `Serialize`: JSON and human text are two renderings of the same struct. Recording by
//! procedural verbs ([`record`]) builds events here too, so every front end records alike.
//!
//! Every question takes one [`Moment`]: when things happened (`at`) and, optionally, what the
//! record knew then (`as_recorded_at`); both go through the same path.

mod blame;
mod bundled;
pub mod checkpoint;
pub mod diff;
mod error;
mod history;
mod listing;
pub mod lookup;
mod marked;
pub mod memory;
pub mod open;
pub mod proof;
pub mod record;
mod replay;
pub mod resolve;
#[cfg(feature = "openapi")]
pub mod schema;
mod state;
pub mod view;
pub mod zones;

use minutes_core::time::{TimeArg, Timestamp};
use minutes_store::Store;

pub use error::{QueryError, Result};
pub use lookup::Lookup;
pub use memory::Memory;
pub use open::{Location, StoreChoice};
pub use replay::ReplayFilter;
pub use state::state_of;

/// The bundled WTPF-13 record's events, as compiled into the program from `events/wtpf-13/`.
pub fn bundled_events() -> Result<Vec<minutes_core::event::Event>> {
    bundled::events().map_err(|e| QueryError::Refused(format!("the bundled record does not load: {e}")))
}

/// A moment to read the record at: when things happened (`at`, default now) and what the
/// record knew (`as_recorded_at`: only events recorded by then, less the corrections recorded
/// by then; default: the record as it stands). Times are read in the meeting's zone.
#[derive(Debug, Clone, Copy, Default)]
pub struct Moment {
    /// When things happened; `None` is now.
    pub at: Option<TimeArg>,
    /// As the record stood then; `None` is as it stands.
    pub as_recorded_at: Option<TimeArg>,
}

impl Moment {
    /// The moment `at`, as the record stands.
    pub fn at(at: Option<TimeArg>) -> Self {
        Self { at, as_recorded_at: None }
    }
}

/// Reads one store: every question is a method. `now` is the default moment (pinned in tests).
pub struct Reader<'s> {
    store: &'s Store,
    now: Timestamp,
}

impl<'s> Reader<'s> {
    /// A reader of `store`, with `now` as the default moment.
    pub fn new(store: &'s Store, now: Timestamp) -> Self {
        Self { store, now }
    }

    /// The store it reads.
    pub fn store(&self) -> &'s Store {
        self.store
    }

    /// The time now, as the reader was given it.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Resolves a moment in a meeting's zone: `(at, as_recorded_at)`.
    pub(crate) fn resolve_moment(
        &self,
        m: &Moment,
        zone: chrono_tz::Tz,
    ) -> Result<(Timestamp, Option<Timestamp>)> {
        resolve_moment(self.now, m, zone)
    }
}

/// Resolves a moment in a meeting's zone, `now` standing for an `at` not given:
/// `(at, as_recorded_at)`.
pub(crate) fn resolve_moment(
    now: Timestamp,
    m: &Moment,
    zone: chrono_tz::Tz,
) -> Result<(Timestamp, Option<Timestamp>)> {
    let at = match &m.at {
        Some(t) => resolve::time(t, zone)?,
        None => now,
    };
    let rec = m.as_recorded_at.as_ref().map(|t| resolve::time(t, zone)).transpose()?;
    Ok((at, rec))
}
