//! The time zones of meetings, for reading `YYYY-MM-DD HH:MM` in JSON input (append, import,
//! and any front end that takes events) in the meeting's own zone.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use minutes_core::event::{Event, EventKind};
use minutes_core::id::MeetingId;
use minutes_store::Store;

/// The time zones of meetings, each looked up at most once: how `YYYY-MM-DD HH:MM` in JSON
/// input is read. A declaration read earlier in the same input teaches its meeting's zone.
#[derive(Default)]
pub struct Zones(RefCell<HashMap<MeetingId, Option<Tz>>>);

impl Zones {
    /// The zone of meeting `m`, from what was learnt, else from `lookup` (then remembered).
    pub fn of(&self, m: &MeetingId, lookup: impl FnOnce() -> Option<Tz>) -> Option<Tz> {
        if let Some(z) = self.0.borrow().get(m) {
            return *z;
        }
        let z = lookup();
        self.0.borrow_mut().insert(m.clone(), z);
        z
    }

    /// Learns the zone of a meeting from its declaration.
    pub fn learn(&self, e: &Event) {
        if let EventKind::MeetingDeclared(d) = &e.kind {
            if let Ok(z) = minutes_core::time::zone(&d.time_zone) {
                self.0.borrow_mut().insert(e.meeting.clone(), Some(z));
            }
        }
    }
}

/// The zone of a meeting the store holds, through a connection of its own, opened when first
/// needed.
pub struct StoreZones {
    path: Option<PathBuf>,
    reader: RefCell<Option<Store>>,
}

impl StoreZones {
    /// Looks zones up in the store at `path` (none when `None`: a store in memory).
    pub fn new(path: Option<&Path>) -> Self {
        Self { path: path.map(Path::to_path_buf), reader: RefCell::new(None) }
    }

    /// The zone of meeting `m`, if the store holds it.
    pub fn zone(&self, m: &MeetingId) -> Option<Tz> {
        let mut reader = self.reader.borrow_mut();
        if reader.is_none() {
            *reader = Store::open_read_only(self.path.as_deref()?).ok();
        }
        meeting_zone(reader.as_ref()?, m)
    }
}

/// The zone of a meeting the store holds, if it holds it.
pub fn meeting_zone(store: &Store, m: &MeetingId) -> Option<Tz> {
    crate::resolve::meeting(store, m).ok().map(|state| state.zone)
}
