//! `replay`: a meeting's events in the order they happened, filtered.

use std::collections::HashSet;

use minutes_core::event::EventKind;
use minutes_core::id::EventId;
use minutes_core::project::timeline::{Filter, Timeline};
use minutes_core::project::{effective, replay_order};
use minutes_core::time::TimeArg;

use crate::error::Result;
use crate::view::{EventEntry, EventsView};
use crate::{resolve, Reader};

/// What a replay keeps, as the user gave it (names and times not yet resolved).
#[derive(Debug, Clone, Default)]
pub struct ReplayFilter {
    /// Only events whose window ends at or after this.
    pub from: Option<TimeArg>,
    /// Only events whose window starts before this.
    pub to: Option<TimeArg>,
    /// Only events in this body (id or printed name).
    pub body: Option<String>,
    /// Only events by this actor (id or printed name), and the fates of their proposals.
    pub actor: Option<String>,
    /// Only events about this document (name or symbol).
    pub document: Option<String>,
    /// As the record stood at this moment of recording.
    pub as_recorded_at: Option<TimeArg>,
    /// Every event in the timeline: also the actor registrations (bookkeeping, not facts of
    /// the sources) and the events a correction withdrew (marked so). Without it, both are set
    /// aside in [`EventsView::bookkeeping`], after the timeline.
    pub all: bool,
}

impl Reader<'_> {
    /// The meeting's events whose window overlaps `[from, to)` and that pass the filter, in
    /// replay order: by the start of their window, then in the order the record gives events
    /// that share a start (`follows`, `precedes`), then by `seq`.
    pub fn replay(&self, meeting: &str, f: &ReplayFilter) -> Result<EventsView> {
        let id = resolve::meeting_id(meeting)?;
        let m = resolve::meeting(self.store, &id)?;
        let mut filter = Filter {
            from: f.from.as_ref().map(|t| resolve::time(t, m.zone)).transpose()?,
            to: f.to.as_ref().map(|t| resolve::time(t, m.zone)).transpose()?,
            ..Filter::default()
        };
        if let Some(b) = &f.body {
            filter.body = Some(resolve::body(&m, b)?);
        }
        if let Some(a) = &f.actor {
            filter.actor = Some(resolve::actor(&m, a)?);
        }
        if let Some(d) = &f.document {
            filter.document = Some(resolve::document(self.store, d)?);
        }
        let recorded = f.as_recorded_at.as_ref().map(|t| resolve::time(t, m.zone)).transpose()?;
        let log = self.store.meeting(&id)?;
        let in_force = effective(&log, recorded.as_ref());
        let timeline = Timeline::new(&in_force);
        let known = |r: &&minutes_core::event::Recorded| match (&recorded, &r.event.recorded_at) {
            (Some(at), Some(rec)) => rec <= at,
            _ => true,
        };
        let mut events: Vec<minutes_core::event::Recorded> = log.iter().filter(known).cloned().collect();
        let kept: HashSet<EventId> = in_force.iter().map(|r| r.event.id).collect();
        let withdrawn: HashSet<EventId> =
            events.iter().map(|r| r.event.id).filter(|i| !kept.contains(i)).collect();
        replay_order(&mut events);
        let (mut timeline_entries, mut bookkeeping) = (Vec::new(), Vec::new());
        for r in events.into_iter().filter(|r| timeline.keeps(&filter, &r.event)) {
            let mut description = timeline.describe(&r.event);
            let is_withdrawn = withdrawn.contains(&r.event.id);
            if is_withdrawn {
                description.push_str(" [withdrawn by a correction]");
            }
            let aside = is_withdrawn || matches!(r.event.kind, EventKind::ActorRegistered(_));
            let entry = EventEntry { description, recorded: r, fate: None };
            if aside && !f.all {
                bookkeeping.push(entry);
            } else {
                timeline_entries.push(entry);
            }
        }
        Ok(EventsView { events: timeline_entries, bookkeeping, meeting: Some(m) })
    }
}
