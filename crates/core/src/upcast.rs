//! Upcasters: older shapes of an event type, upgraded to the current one. Pure JSON rewrites,
//! one per type and version step, all in [`STEPS`]; the stored names and current versions are
//! the registry of `crate::event` ([`EventKind::REGISTRY`]). Stored rows are upgraded on read
//! (after their hash is checked, since the hash covers the stored bytes); input of an older
//! shape is upgraded the same way.

use serde_json::{Map, Value};

#[cfg(doc)]
use crate::event::EventKind;
use crate::event::{schema_version, DecodeError};

/// One version step of one stored type: `apply` rewrites the `data` of version `from` into the
/// shape of version `from + 1`.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// The stored type's name.
    pub type_name: &'static str,
    /// The version it upgrades from.
    pub from: u32,
    /// The rewrite of `data`.
    pub apply: fn(&mut Map<String, Value>),
}

/// Every upcaster. A type at version N has one step from each of 1..N (a test checks it).
pub const STEPS: &[Step] = &[
    Step { type_name: "SessionSuspended", from: 1, apply: session_suspended_v1 },
    Step { type_name: "AmendmentAccepted", from: 1, apply: amendment_accepted_v1 },
];

/// SessionSuspended v1 -> v2: `minutes` is now `duration_minutes`.
fn session_suspended_v1(data: &mut Map<String, Value>) {
    if let Some(m) = data.remove("minutes") {
        data.insert("duration_minutes".into(), m);
    }
}

/// AmendmentAccepted v1 -> v2: `decided_by` became optional; a v1 event always has it, so its
/// data stands as it is.
fn amendment_accepted_v1(_data: &mut Map<String, Value>) {}

/// Rewrites `event` (the whole JSON object) to its type's current version.
pub fn upgrade(event: &mut Value) -> Result<(), DecodeError> {
    let type_name = event.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
    let Some(mut v) = event.get("v").and_then(Value::as_u64) else { return Ok(()) };
    let current = u64::from(schema_version(&type_name));
    while v < current {
        let step = STEPS.iter().find(|s| s.type_name == type_name && u64::from(s.from) == v);
        match (step, event.get_mut("data").and_then(Value::as_object_mut)) {
            (Some(step), Some(data)) => (step.apply)(data),
            _ => return Err(DecodeError::Version { type_name, v: v as u32 }),
        }
        v += 1;
        event["v"] = Value::from(v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;

    #[test]
    fn session_suspended_v1_reads_as_v2() {
        let mut e = serde_json::json!({ "type": "SessionSuspended", "v": 1, "data": { "minutes": 45 } });
        upgrade(&mut e).unwrap();
        assert_eq!(
            e,
            serde_json::json!({ "type": "SessionSuspended", "v": 2, "data": { "duration_minutes": 45 } })
        );
    }

    #[test]
    fn amendment_accepted_v1_reads_as_v2_unchanged() {
        let mut e = serde_json::json!({ "type": "AmendmentAccepted", "v": 1, "data": { "amendment": "a", "decided_by": "consensus" } });
        upgrade(&mut e).unwrap();
        assert_eq!(
            e,
            serde_json::json!({ "type": "AmendmentAccepted", "v": 2, "data": { "amendment": "a", "decided_by": "consensus" } })
        );
    }

    #[test]
    fn current_shapes_are_left_alone() {
        let mut e = serde_json::json!({ "type": "DraftAdopted", "v": 1, "data": {} });
        let before = e.clone();
        upgrade(&mut e).unwrap();
        assert_eq!(e, before);
    }

    /// The registry and the upcasters agree: every type at version N has a step from each
    /// older version, every step upgrades a registered type to a version it has, and no
    /// stored name is given twice.
    #[test]
    fn every_older_version_of_a_registered_type_has_its_upcaster() {
        for t in EventKind::REGISTRY {
            for from in 1..t.version {
                let steps = STEPS.iter().filter(|s| s.type_name == t.name && s.from == from).count();
                assert_eq!(steps, 1, "{} v{from} -> v{}: {steps} upcasters", t.name, from + 1);
            }
        }
        for s in STEPS {
            let t = EventKind::REGISTRY.iter().find(|t| t.name == s.type_name);
            assert!(
                t.is_some_and(|t| s.from < t.version),
                "step {} v{} upgrades to no version",
                s.type_name,
                s.from
            );
        }
        let mut names: Vec<&str> = EventKind::REGISTRY.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventKind::REGISTRY.len(), "a stored name is given twice");
    }
}
