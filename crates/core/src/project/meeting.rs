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
    /// Each actor's id, name and aliases folded ([`fold`]), to the first actor in id order
    /// that answers to it: [`MeetingState::find_actor`] without comparing every actor.
    by_folded: BTreeMap<String, ActorId>,
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
                    by_folded: BTreeMap::new(),
                });
            }
            return;
        }
        let Some(m) = state else { return };
        match &e.kind {
            EventKind::BodyEstablished(b) => m.bodies.push(b.established.clone()),
            EventKind::ActorRegistered(a) => {
                let actor = Actor {
                    name: a.name.clone(),
                    kind: a.kind,
                    aliases: a.aliases.clone(),
                    affiliation: a.affiliation.clone(),
                };
                m.index_actor(&a.actor, &actor);
                if m.actors.insert(a.actor.clone(), actor).is_some() {
                    // Registered again (the rules refuse it, a log read as it is may not):
                    // its old names may answer no more.
                    m.by_folded.clear();
                    let actors = std::mem::take(&mut m.actors);
                    for (id, actor) in &actors {
                        m.index_actor(id, actor);
                    }
                    m.actors = actors;
                }
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

    /// Finds an actor by id, name or any alias (case and spacing ignored); where several
    /// answer to `s`, the first in id order.
    pub fn find_actor(&self, s: &str) -> Option<&ActorId> {
        self.by_folded.get(&fold(s))
    }

    /// Indexes `actor`'s id, name and aliases, each kept for the smallest id answering to it.
    fn index_actor(&mut self, id: &ActorId, actor: &Actor) {
        let keys = [id.as_str(), &actor.name].into_iter().chain(actor.aliases.iter().map(String::as_str));
        for key in keys {
            self.by_folded
                .entry(fold(key))
                .and_modify(|first| {
                    if id < first {
                        *first = id.clone();
                    }
                })
                .or_insert_with(|| id.clone());
        }
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::{fold, MeetingState};
    use crate::event::Event;
    use crate::id::ActorId;

    fn event(n: usize, kind: &str, data: serde_json::Value) -> Event {
        Event::from_value(json!({
            "id": format!("0190f3a0-0000-7000-8000-{n:012}"), "type": kind, "v": 1,
            "meeting": "m", "document": null, "body": null, "actors": [], "source": null,
            "occurred": { "from": "2030-03-02T09:00:00Z", "to": "2030-03-02T09:00:00Z" },
            "data": data
        }))
        .expect("a valid event")
    }

    /// What `find_actor` answered before its index: the first actor in id order whose id,
    /// name or an alias folds as `s` does.
    fn scan<'a>(m: &'a MeetingState, s: &str) -> Option<&'a ActorId> {
        let want = fold(s);
        m.actors.iter().find_map(|(id, a)| {
            let hit = fold(id.as_str()) == want
                || fold(&a.name) == want
                || a.aliases.iter().any(|x| fold(x) == want);
            hit.then_some(id)
        })
    }

    proptest! {
        /// Ids, names and aliases drawn from a few letters, so that they clash (two actors
        /// answering to one name, an actor registered twice): the index finds the actor the
        /// scan of every actor finds, for every name as printed, recased and respaced.
        #[test]
        fn the_index_finds_the_actor_a_scan_of_every_actor_finds(
            actors in prop::collection::vec(
                ("[ab][ab]?", "[abAB é]{0,4}", prop::collection::vec("[abAB é]{0,4}", 0..3)),
                1..8,
            ),
            others in prop::collection::vec("[abAB é\\t]{0,5}", 0..6),
        ) {
            let mut m = None;
            MeetingState::apply(&mut m, &event(0, "MeetingDeclared", json!({
                "title": "M", "venue": "here", "time_zone": "UTC", "first_day": "2030-03-02",
                "last_day": "2030-03-02", "bodies": []
            })));
            for (k, (id, name, aliases)) in actors.iter().enumerate() {
                MeetingState::apply(&mut m, &event(k + 1, "ActorRegistered", json!({
                    "actor": id, "kind": "member_state", "name": name, "aliases": aliases
                })));
            }
            let m = m.expect("declared");
            let printed = actors.iter().flat_map(|(id, name, aliases)| {
                [id.clone(), name.clone(), name.to_uppercase(), format!("  {name}\t")]
                    .into_iter()
                    .chain(aliases.iter().cloned())
            });
            for q in printed.chain(others) {
                prop_assert_eq!(m.find_actor(&q), scan(&m, &q), "{:?}", q);
            }
        }
    }
}
