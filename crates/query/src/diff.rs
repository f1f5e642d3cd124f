//! `diff`: what changed in a document's text between two moments, and the amendments accepted
//! in between.

use minutes_core::id::EventId;
use minutes_core::project::diff::diff;
use minutes_core::project::document::{AmendmentStatus, DocumentAt};
use minutes_core::time::{rfc3339, show_local, TimeArg, Timestamp};

use crate::error::{QueryError, Result};
use crate::view::{AcceptedView, DiffView};
use crate::{resolve, Reader};

/// Where one end of a diff stands.
#[derive(Debug, Clone, Copy)]
pub enum Anchor {
    /// Now.
    Now,
    /// A time, read in the meeting's zone.
    Time(TimeArg),
    /// The moment an event had certainly happened: the end of its window.
    Event(EventId),
}

impl Reader<'_> {
    /// What changed in `doc` from `from` to `to`, as the record stands or as it stood at
    /// `as_recorded_at`. `from` later than `to` is refused.
    pub fn diff(
        &self,
        doc: &str,
        from: Anchor,
        to: Anchor,
        as_recorded_at: Option<TimeArg>,
    ) -> Result<DiffView> {
        let name = resolve::document(self.store, doc)?;
        let meeting = resolve::meeting(self.store, &name.meeting())?;
        let zone = meeting.zone;
        let rec = as_recorded_at.as_ref().map(|t| resolve::time(t, zone)).transpose()?;
        let (from_t, from_event) = self.anchor(&from, zone, &name.meeting())?;
        let (to_t, to_event) = self.anchor(&to, zone, &name.meeting())?;
        if from_t > to_t {
            return Err(QueryError::Usage(format!(
                "the earlier moment ({}) is later than the later one ({}): give --from before --to",
                show_local(&from_t, zone),
                show_local(&to_t, zone)
            )));
        }
        let before = self.document_at(&name, &from_t, rec.as_ref())?;
        let after = self.document_at(&name, &to_t, rec.as_ref())?;
        let text = |v: &DocumentAt| v.state.as_ref().and_then(|s| s.text.clone());
        let changes = diff(text(&before).as_ref(), text(&after).as_ref());
        let accepted_before = |id| {
            before
                .state
                .as_ref()
                .and_then(|s| s.amendment(id))
                .is_some_and(|x| x.status == AmendmentStatus::Accepted)
        };
        let amendments = after
            .state
            .iter()
            .flat_map(|s| &s.amendments)
            .filter(|x| x.status == AmendmentStatus::Accepted && !accepted_before(&x.id))
            .map(|x| AcceptedView {
                id: x.id.clone(),
                proposed_by: x.proposed_by.clone(),
                summary: x.summary.clone(),
                accepted: x.decided.clone(),
            })
            .collect();
        Ok(DiffView {
            document: name,
            from: rfc3339(&from_t.with_timezone(&zone).fixed_offset()),
            to: rfc3339(&to_t.with_timezone(&zone).fixed_offset()),
            from_event,
            to_event,
            amendments,
            changes,
            meeting,
        })
    }

    fn anchor(
        &self,
        a: &Anchor,
        zone: chrono_tz::Tz,
        meeting: &minutes_core::id::MeetingId,
    ) -> Result<(Timestamp, Option<EventId>)> {
        match a {
            Anchor::Now => Ok((self.now, None)),
            Anchor::Time(t) => Ok((resolve::time(t, zone)?, None)),
            Anchor::Event(id) => {
                let r = self
                    .store
                    .event(id)?
                    .ok_or_else(|| QueryError::Refused(format!("no event {id} in the log")))?;
                if &r.event.meeting != meeting {
                    return Err(QueryError::Refused(format!(
                        "event {id} belongs to meeting {}, not {meeting}",
                        r.event.meeting
                    )));
                }
                let end = r.event.occurred.to.ok_or_else(|| {
                    QueryError::Refused(format!("event {id} ({}) has no end to its window: the sources do not say by when it happened, so it anchors no moment", r.event.type_name()))
                })?;
                Ok((end, Some(*id)))
            }
        }
    }
}
