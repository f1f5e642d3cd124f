//! Projections: pure folds over events. `apply` folds one event into state and cannot fail;
//! whether an event may be appended at all is decided before, in [`crate::rules`].

pub mod diff;
pub mod document;
pub mod meeting;
pub mod timeline;

use serde::Serialize;

use std::collections::HashSet;

use crate::event::{EventKind, Recorded};
use crate::id::EventId;
use crate::time::{Timestamp, Window};

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
        Self::at(&r.event, r.seq)
    }

    /// The reference to an event recorded at `seq`.
    pub fn at(e: &crate::event::Event, seq: u64) -> Self {
        Self { id: e.id, type_name: e.type_name(), occurred: e.occurred, seq }
    }
}

/// Sorts events into replay order: by the start of their window (an open start first), then by
/// `seq`.
pub fn replay_order(events: &mut [Recorded]) {
    events.sort_by(replay_cmp);
}

/// The replay order of two events: by the start of their window (an open start first), then
/// by `seq`.
pub fn replay_cmp(a: &Recorded, b: &Recorded) -> std::cmp::Ordering {
    a.event.occurred.sort_key().cmp(&b.event.occurred.sort_key()).then(a.seq.cmp(&b.seq))
}

/// The record as it stood: the events recorded by `as_recorded_at` (all of them when `None`),
/// less those a correction recorded by then withdrew. Corrections themselves stay, for replay
/// to show; the folds pass over them.
pub fn effective(events: &[Recorded], as_recorded_at: Option<&Timestamp>) -> Vec<Recorded> {
    effective_refs(events, as_recorded_at).into_iter().cloned().collect()
}

/// As [`effective`], borrowing the events instead of copying them.
pub fn effective_refs<'a>(events: &'a [Recorded], as_recorded_at: Option<&Timestamp>) -> Vec<&'a Recorded> {
    let known = |r: &Recorded| match (as_recorded_at, &r.event.recorded_at) {
        (Some(at), Some(rec)) => rec <= at,
        _ => true,
    };
    let corrected: HashSet<EventId> = events
        .iter()
        .filter(|r| known(r))
        .filter_map(|r| match &r.event.kind {
            EventKind::EventCorrected(c) => Some(c.corrects),
            _ => None,
        })
        .collect();
    events.iter().filter(|r| known(r) && !corrected.contains(&r.event.id)).collect()
}
