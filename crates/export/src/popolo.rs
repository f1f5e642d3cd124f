//! A meeting as Popolo JSON, the open-data form civic-tech tools read: the meeting and each
//! body an `Organization` (bodies with the meeting as parent), each actor a `Person` or an
//! `Organization`, officers and affiliations `Membership`s, each draft a `Motion` and each
//! amendment a `Motion` of classification `amendment` that names the draft it amends
//! (`amends_id`, after the Popolo-ORI Amendment extension), with its mover, text, date and
//! result, and each procedural step an `Event` whose `start_date` and `end_date` are the
//! bounds of the event's window to the minute (equal when the sources give the moment).

use minutes_core::event::{ActorKind, EventKind, Recorded};
use minutes_core::project::meeting::MeetingState;
use minutes_core::time::{Timestamp, Window};
use minutes_query::view::ListingView;
use minutes_query::{Moment, Reader, ReplayFilter};
use serde_json::{json, Value};

use crate::error::{ExportError, Result};
use crate::timeline::amendment;

/// `meeting` as one Popolo JSON object: `organizations`, `persons`, `memberships`, `motions`
/// and `events` (the steps that pass `filter`).
pub fn popolo(reader: &Reader<'_>, meeting: &str, filter: &ReplayFilter) -> Result<String> {
    let listing = reader.listing(meeting, None)?;
    let replay = reader.replay(meeting, filter)?;
    let m = replay.meeting.clone().unwrap_or_else(|| listing.state.clone());
    let mid = m.id.as_str().to_string();
    let mut organizations = vec![json!({
        "id": mid,
        "name": m.title,
        "classification": "meeting",
        "founding_date": m.first_day.to_string(),
        "dissolution_date": m.last_day.to_string(),
    })];
    for b in &m.bodies {
        organizations.push(json!({
            "id": body_id(&mid, b.id.as_str()),
            "name": b.name,
            "classification": "body",
            "parent_id": mid,
        }));
    }
    let mut persons = Vec::new();
    let mut memberships = Vec::new();
    for a in &listing.actors {
        let other_names: Vec<Value> = a.aliases.iter().map(|n| json!({ "name": n })).collect();
        let id = actor_id(&mid, a.id.as_str());
        match a.kind {
            ActorKind::Person => {
                persons.push(json!({ "id": id, "name": a.name, "other_names": other_names }));
                if let Some(org) = &a.affiliation {
                    memberships.push(json!({
                        "person_id": id,
                        "organization_id": actor_id(&mid, org.as_str()),
                        "role": "member of the delegation",
                    }));
                }
            }
            kind => organizations.push(json!({
                "id": id,
                "name": a.name,
                "classification": kind_name(kind),
                "other_names": other_names,
            })),
        }
    }
    for (body, role, who) in &m.officers {
        memberships.push(json!({
            "person_id": actor_id(&mid, who.as_str()),
            "organization_id": body_id(&mid, body.as_str()),
            "role": match role { minutes_core::event::Role::Chairman => "Chairman", minutes_core::event::Role::ViceChairman => "Vice-Chairman" },
        }));
    }
    let motions = motions(reader, &listing, &m)?;
    let events: Vec<Value> = replay
        .events
        .iter()
        .filter(|e| step(&e.recorded))
        .map(|e| event(&e.recorded, &e.description, &m))
        .collect();
    let out = json!({
        "organizations": organizations,
        "persons": persons,
        "memberships": memberships,
        "motions": motions,
        "events": events,
    });
    let mut s = serde_json::to_string_pretty(&out).map_err(|e| ExportError::Write(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

/// Each document as a motion (its text, symbol, status), and each of its amendments.
fn motions(reader: &Reader<'_>, listing: &ListingView, m: &MeetingState) -> Result<Vec<Value>> {
    let mid = m.id.as_str();
    let mut out = Vec::new();
    for d in &listing.documents {
        let s = reader.state(d.name.as_str(), &Moment::default())?;
        let history = reader.history(d.name.as_str(), None)?;
        let tabled =
            history.events.iter().find(|e| matches!(e.recorded.event.kind, EventKind::DocumentTabled(_)));
        let source = |r: &Recorded| sources(r);
        out.push(json!({
            "id": d.name.as_str(),
            "organization_id": s.body.as_ref().map(|b| body_id(mid, b.as_str())),
            "creator_id": s.submitted_by.first().map(|a| actor_id(mid, a.as_str())),
            "text": s.text.clone().unwrap_or_else(|| s.title.clone().unwrap_or_default()),
            "identifier": s.symbols.last(),
            "classification": s.kind.map(|k| serde_json::to_value(k).ok()).unwrap_or_default(),
            "date": tabled.and_then(|e| date(&e.recorded.event.occurred, m)),
            "result": s.status,
            "sources": tabled.map(|e| source(&e.recorded)).unwrap_or_default(),
        }));
        for a in &s.amendments {
            let proposal = history.events.iter().find(|e| e.recorded.event.id == a.proposed.id);
            let decided =
                a.decided.as_ref().and_then(|d| history.events.iter().find(|e| e.recorded.event.id == d.id));
            let mut src = proposal.map(|e| source(&e.recorded)).unwrap_or_default();
            src.extend(decided.map(|e| source(&e.recorded)).unwrap_or_default());
            out.push(json!({
                "id": format!("{}#{}", d.name.as_str(), a.id.as_str()),
                "amends_id": d.name.as_str(),
                "organization_id": a.body.as_ref().map(|b| body_id(mid, b.as_str())),
                "creator_id": a.proposed_by.first().map(|p| actor_id(mid, p.as_str())),
                "proposed_by": a.proposed_by.iter().map(|p| actor_id(mid, p.as_str())).collect::<Vec<_>>(),
                "text": a.summary,
                "identifier": a.id.as_str(),
                "classification": "amendment",
                "date": date(&a.proposed.occurred, m),
                "result": a.status,
                "result_date": a.decided.as_ref().and_then(|d| date(&d.occurred, m)),
                "wording_known": a.wording_known,
                "sources": src,
            }));
        }
    }
    Ok(out)
}

/// Whether an event is a procedural step (not a registration or the declaration).
fn step(r: &Recorded) -> bool {
    !matches!(
        r.event.kind,
        EventKind::MeetingDeclared(_)
            | EventKind::ActorRegistered(_)
            | EventKind::BodyEstablished(_)
            | EventKind::EventCorrected(_)
    )
}

fn event(r: &Recorded, description: &str, m: &MeetingState) -> Value {
    let e = &r.event;
    let mid = m.id.as_str();
    json!({
        "id": e.id.to_string(),
        "name": description,
        "classification": e.kind.type_name(),
        "start_date": e.occurred.from.map(|t| minute(&t, m)),
        "end_date": e.occurred.to.map(|t| minute(&t, m)),
        "organization_id": e.body.as_ref().map(|b| body_id(mid, b.as_str())).unwrap_or_else(|| mid.to_string()),
        "location": m.venue,
        "motion_id": e.document.as_ref().map(|d| match amendment(&e.kind) {
            Some(a) => format!("{}#{a}", d.as_str()),
            None => d.as_str().to_string(),
        }),
        "actor_ids": e.actors.iter().map(|a| actor_id(mid, a.as_str())).collect::<Vec<_>>(),
        "sources": sources(r),
    })
}

/// An event's source as Popolo links: a relative URL to the source file, its section and
/// quote in the note.
fn sources(r: &Recorded) -> Vec<Value> {
    r.event
        .source
        .iter()
        .map(|s| {
            let note = if s.quote.is_empty() {
                s.section.clone()
            } else {
                format!("{}: “{}”", s.section, s.quote)
            };
            json!({ "url": format!("sources/{}", s.file.replace(' ', "%20")), "note": note })
        })
        .collect()
}

/// A moment to the minute (Popolo's date pattern takes no fractions), in the meeting's zone.
fn minute(t: &Timestamp, m: &MeetingState) -> String {
    t.with_timezone(&m.zone).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// When a window certainly ended (else began), to the minute.
fn date(w: &Window, m: &MeetingState) -> Option<String> {
    w.to.or(w.from).map(|t| minute(&t, m))
}

fn body_id(meeting: &str, body: &str) -> String {
    format!("{meeting}/body/{body}")
}

fn actor_id(meeting: &str, actor: &str) -> String {
    format!("{meeting}/actor/{actor}")
}

fn kind_name(k: ActorKind) -> &'static str {
    match k {
        ActorKind::MemberState => "member_state",
        ActorKind::SectorMember => "sector_member",
        ActorKind::Organisation => "organisation",
        ActorKind::Person => "person",
    }
}
