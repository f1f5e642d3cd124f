//! `ls`: a meeting's bodies, sessions, actors and documents, each document with its status,
//! symbols and stream version.

use minutes_core::event::EventKind;
use minutes_core::project::document::{document_latest, AmendmentStatus, DocumentState};
use minutes_core::project::{effective, replay_order};
use minutes_core::rules::status_name;
use minutes_core::time::{rfc3339, Certainty, TimeArg};

use crate::error::Result;
use crate::view::{ActorEntry, BodyEntry, DocumentEntry, ListingView, SessionEntry};
use crate::{resolve, Reader};

impl Reader<'_> {
    /// The meeting's listing: statuses as the record stands after all its events, or at `at`.
    pub fn listing(&self, meeting: &str, at: Option<TimeArg>) -> Result<ListingView> {
        let id = resolve::meeting_id(meeting)?;
        let m = resolve::meeting(self.store, &id)?;
        let at = at.as_ref().map(|t| resolve::time(t, m.zone)).transpose()?;
        let mut own = effective(&self.store.stream(id.as_str())?, None);
        replay_order(&mut own);
        let mut sessions: Vec<SessionEntry> = Vec::new();
        for r in own
            .iter()
            .filter(|r| at.as_ref().map_or(true, |t| r.event.occurred.certainty(t) == Certainty::Certain))
        {
            let Some(body) = &r.event.body else { continue };
            let open = sessions.iter().rposition(|s| &s.body == body && s.state != "closed");
            match (&r.event.kind, open) {
                (EventKind::SessionOpened(_), _) => {
                    sessions.push(SessionEntry {
                        body: body.clone(),
                        opened: r.event.occurred,
                        closed: None,
                        state: "open",
                    });
                }
                (EventKind::SessionSuspended(_), Some(i)) => sessions[i].state = "suspended",
                (EventKind::SessionResumed(_), Some(i)) => sessions[i].state = "open",
                (EventKind::SessionClosed(_), Some(i)) => {
                    sessions[i].state = "closed";
                    sessions[i].closed = Some(r.event.occurred);
                }
                _ => {}
            }
        }
        let mut documents = Vec::new();
        for d in self.store.documents()?.into_iter().filter(|d| d.document.meeting() == id) {
            let state: Option<DocumentState> = match &at {
                Some(t) => self.document_at(&d.document, t, None)?.state,
                None => {
                    let mut events = effective(&self.store.stream(d.document.as_str())?, None);
                    replay_order(&mut events);
                    document_latest(events.iter())
                }
            };
            let s = state.as_ref();
            documents.push(DocumentEntry {
                version: self.store.stream_version(d.document.as_str())?,
                status: s.map(|s| status_name(s.status)),
                body: s.and_then(|s| s.body.clone()),
                pending: s.map_or(0, |s| {
                    s.amendments.iter().filter(|a| a.status == AmendmentStatus::Pending).count()
                }),
                title: s.map_or(d.title.clone(), |s| s.title.clone()),
                symbols: s.map_or(d.symbols.clone(), |s| s.symbols.clone()),
                name: d.document,
            });
        }
        let bodies = m
            .bodies
            .iter()
            .map(|b| BodyEntry {
                id: b.id.clone(),
                name: b.name.clone(),
                officers: m
                    .officers
                    .iter()
                    .filter(|(x, _, _)| x == &b.id)
                    .map(|(_, role, who)| (*role, who.clone()))
                    .collect(),
            })
            .collect();
        let actors = m
            .actors
            .iter()
            .map(|(id, a)| ActorEntry {
                id: id.clone(),
                name: a.name.clone(),
                kind: a.kind,
                aliases: a.aliases.clone(),
                affiliation: a.affiliation.clone(),
            })
            .collect();
        Ok(ListingView {
            meeting: id.clone(),
            title: m.title.clone(),
            venue: m.venue.clone(),
            time_zone: m.zone.to_string(),
            days: (m.first_day, m.last_day),
            version: self.store.stream_version(id.as_str())?,
            at: at.map(|t| rfc3339(&t.with_timezone(&m.zone).fixed_offset())),
            bodies,
            sessions,
            actors,
            documents,
            state: m,
        })
    }
}
