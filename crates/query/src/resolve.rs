//! Names as people type them, resolved to the record's ids: documents by name or any symbol,
//! meetings, bodies and actors by id or any printed name, times in the meeting's zone.

use minutes_core::id::{ActorId, BodyId, DocumentName, MeetingId};
use minutes_core::project::meeting::MeetingState;
use minutes_core::time::{TimeArg, Timestamp};
use minutes_store::Store;

use crate::error::{QueryError, Result};

/// Parses a meeting id.
pub fn meeting_id(s: &str) -> Result<MeetingId> {
    MeetingId::new(s).map_err(|e| QueryError::Refused(e.to_string()))
}

/// The meeting's state from its own stream; a meeting not in the record is refused, naming
/// the meetings the store holds.
pub fn meeting(store: &Store, id: &MeetingId) -> Result<MeetingState> {
    let mut m = None;
    for r in minutes_core::project::effective(&store.stream(id.as_str())?, None) {
        MeetingState::apply(&mut m, &r.event);
    }
    m.ok_or_else(|| crate::lookup::no_meeting(id, &store.meetings().unwrap_or_default()))
}

/// Finds a document by its name (`wtpf-13/opinion-3`) or any of its symbols, in any form the
/// sources print them (`WTPF-13/5 rev. 1`).
pub fn document(store: &Store, s: &str) -> Result<DocumentName> {
    if let Ok(d) = DocumentName::new(s) {
        if store.stream_version(d.as_str())? > 0 {
            return Ok(d);
        }
    }
    crate::lookup::find_document(s, |_| Ok(false), &store.documents()?)
}

/// Finds a body of the meeting by its id (`wg-2`) or the name the sources print (`Working
/// Group 2`; case, spacing, dashes and dots do not matter).
pub fn body(m: &MeetingState, s: &str) -> Result<BodyId> {
    let want = loose(s);
    let found = m.bodies.iter().find(|b| loose(b.id.as_str()) == want || loose(&b.name) == want);
    found.map(|b| b.id.clone()).ok_or_else(|| {
        let known: Vec<String> = m.bodies.iter().map(|b| format!("{} ({})", b.id, b.name)).collect();
        QueryError::Refused(format!("'{s}' is not a body of {}; its bodies: {}", m.id, known.join(", ")))
    })
}

/// Finds an actor of the meeting by id or any printed name.
pub fn actor(m: &MeetingState, s: &str) -> Result<ActorId> {
    m.find_actor(s)
        .cloned()
        .ok_or_else(|| QueryError::Refused(format!("no actor of {} has the id or name '{s}'", m.id)))
}

/// Resolves a time argument in the meeting's zone; a local time the clocks skipped is a usage
/// error.
pub fn time(t: &TimeArg, zone: chrono_tz::Tz) -> Result<Timestamp> {
    t.resolve(zone).map_err(|e| QueryError::Usage(e.to_string()))
}

/// Letters and digits only, lowercase: `Working Group 2`, `working-group-2` and `WG.2`
/// compare by what they spell.
fn loose(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}
