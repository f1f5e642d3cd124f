//! Projections: pure folds over events. `apply` folds one event into state and cannot fail;
//! whether an event may be appended at all is decided before, in [`crate::rules`].

pub mod diff;
pub mod document;
pub mod meeting;
pub mod timeline;

use serde::Serialize;

use crate::event::Recorded;
use crate::id::EventId;
use crate::time::Window;

/// A short reference to an event, as state and history print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRef {
    /// The event's id.
    pub id: EventId,
    /// Its type.
    #[serde(rename = "type")]
    pub type_name: &'static str,
    /// When it occurred.
    pub occurred: Window,
    /// Its place in the log.
    pub seq: u64,
}

impl EventRef {
    /// The reference to a recorded event.
    pub fn of(r: &Recorded) -> Self {
        Self { id: r.event.id, type_name: r.event.type_name(), occurred: r.event.occurred, seq: r.seq }
    }
}

/// Sorts events into replay order: by the start of their window (an open start first), then by
/// `seq`.
pub fn replay_order(events: &mut [Recorded]) {
    events.sort_by(|a, b| a.event.occurred.sort_key().cmp(&b.event.occurred.sort_key()).then(a.seq.cmp(&b.seq)));
}
