//! The state of a meeting: its declaration, bodies, actors, officers and procedural proposals.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use crate::event::{ActorKind, Body, Event, EventKind, Role, Rules};
use crate::id::{ActorId, BodyId, DocumentName, MeetingId, ProposalId};
use crate::time::{self, Timestamp};

/// A meeting as its own stream of events declares it.
#[derive(Debug, Clone)]
pub struct MeetingState {
    /// Its id.
    pub id: MeetingId,
    /// Its title.
    pub title: String,
    /// Where it is held.
    pub venue: String,
    /// Its time zone.
    pub zone: Tz,
    /// Its first day.
    pub first_day: NaiveDate,
    /// Its last day.
    pub last_day: NaiveDate,
    /// Its procedural rules.
    pub rules: Rules,
    /// Its bodies, in order of declaration.
    pub bodies: Vec<Body>,
    /// Its actors.
    pub actors: BTreeMap<ActorId, Actor>,
    /// Officers elected, in order.
    pub officers: Vec<(BodyId, Role, ActorId)>,
    /// Procedural proposals and their fate.
    pub proposals: BTreeMap<ProposalId, Proposal>,
}

/// A registered actor.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    /// Its name as the sources print it.
    pub name: String,
    /// What kind of participant.
    pub kind: ActorKind,
    /// Other printed forms of its name.
    pub aliases: Vec<String>,
    /// For a person, whom they belong to.
    pub affiliation: Option<ActorId>,
}

/// A procedural proposal.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// Who made it.
    pub proposed_by: Vec<ActorId>,
    /// What it proposes.
    pub summary: String,
    /// The documents it concerns.
    pub documents: Vec<DocumentName>,
    /// Whether it was withdrawn.
    pub withdrawn: bool,
}

impl MeetingState {
    /// Folds one event of the meeting's stream into `state`. Only `MeetingDeclared` brings a
    /// meeting in; anything before it is ignored.
    pub fn apply(state: &mut Option<Self>, e: &Event) {
        if let EventKind::MeetingDeclared(d) = &e.kind {
            if state.is_none() {
                *state = Some(Self {
                    id: e.meeting.clone(),
                    title: d.title.clone(),
                    venue: d.venue.clone(),
                    // The zone was checked when the event was appended.
                    zone: time::zone(&d.time_zone).unwrap_or(Tz::UTC),
                    first_day: d.first_day,
                    last_day: d.last_day,
                    rules: d.rules.clone(),
                    bodies: d.bodies.clone(),
                    actors: BTreeMap::new(),
                    officers: Vec::new(),
                    proposals: BTreeMap::new(),
                });
            }
            return;
        }
        let Some(m) = state else { return };
        match &e.kind {
            EventKind::BodyEstablished(b) => m.bodies.push(b.established.clone()),
            EventKind::ActorRegistered(a) => {
                m.actors.insert(
                    a.actor.clone(),
                    Actor {
                        name: a.name.clone(),
                        kind: a.kind,
                        aliases: a.aliases.clone(),
                        affiliation: a.affiliation.clone(),
                    },
                );
            }
            EventKind::OfficerElected(o) => {
                if let (Some(body), Some(person)) = (&e.body, e.actors.first()) {
                    m.officers.push((body.clone(), o.role, person.clone()));
                }
            }
            EventKind::OfficeHeld(o) => {
                if let (Some(body), Some(person)) = (&e.body, e.actors.first()) {
                    m.officers.push((body.clone(), o.role, person.clone()));
                }
            }
            EventKind::ProceduralProposalMade(p) => {
                m.proposals.insert(
                    p.proposal.clone(),
                    Proposal {
                        proposed_by: e.actors.clone(),
                        summary: p.summary.clone(),
                        documents: p.documents.clone(),
                        withdrawn: false,
                    },
                );
            }
            EventKind::ProceduralProposalWithdrawn(p) => {
                if let Some(x) = m.proposals.get_mut(&p.proposal) {
                    x.withdrawn = true;
                }
            }
            _ => {}
        }
    }

    /// The first instant of the meeting's first day, in its zone.
    pub fn start(&self) -> Timestamp {
        time::start_of_day(self.zone, self.first_day).unwrap_or_default()
    }

    /// The first instant after the meeting's last day.
    pub fn end(&self) -> Timestamp {
        let next = self.last_day.checked_add_days(Days::new(1)).unwrap_or(self.last_day);
        time::start_of_day(self.zone, next).unwrap_or_default()
    }

    /// Whether the body is declared.
    pub fn has_body(&self, b: &BodyId) -> bool {
        self.bodies.iter().any(|x| &x.id == b)
    }

    /// The body's name, or its id if unknown.
    pub fn body_name<'a>(&'a self, b: &'a BodyId) -> &'a str {
        self.bodies.iter().find(|x| &x.id == b).map_or(b.as_str(), |x| x.name.as_str())
    }

    /// The actor's printed name, or its id if unknown.
    pub fn actor_name<'a>(&'a self, a: &'a ActorId) -> &'a str {
        self.actors.get(a).map_or(a.as_str(), |x| x.name.as_str())
    }

    /// Finds an actor by id, name or any alias (case and spacing ignored).
    pub fn find_actor(&self, s: &str) -> Option<&ActorId> {
        let want = fold(s);
        self.actors.iter().find_map(|(id, a)| {
            let hit = folds_to(id.as_str(), &want)
                || folds_to(&a.name, &want)
                || a.aliases.iter().any(|x| folds_to(x, &want));
            hit.then_some(id)
        })
    }

    /// A list of actors' names joined for people: `Turkey`, `Avanti and GVF`.
    pub fn names(&self, ids: &[ActorId]) -> String {
        let names: Vec<&str> = ids.iter().map(|a| self.actor_name(a)).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => one.to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Whether `fold(s) == want`, without building `fold(s)` when `s` is ASCII (every id and
/// most names): a lookup compares every actor of the meeting.
fn folds_to(s: &str, want: &str) -> bool {
    if !s.is_ascii() {
        return fold(s) == want;
    }
    let mut w = want.bytes();
    for (k, word) in s.split_whitespace().enumerate() {
        if k > 0 && w.next() != Some(b' ') {
            return false;
        }
        if !word.bytes().all(|b| w.next() == Some(b.to_ascii_lowercase())) {
            return false;
        }
    }
    w.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::{fold, folds_to};

    #[test]
    fn folding_in_place_agrees_with_folding() {
        let names = [
            "Turkey",
            "  United   States\tof America ",
            "WG\u{b}1",
            "",
            "   ",
            "côte d'Ivoire",
            "ΟΔΟΣ",
            "ISOC-2",
            "a b",
        ];
        for s in names {
            for w in
                names.iter().map(|x| fold(x)).chain(["turkey".into(), "united states".into(), "a".into()])
            {
                assert_eq!(folds_to(s, &w), fold(s) == w, "{s:?} against {w:?}");
            }
        }
    }
}
