//! Upcasters: older shapes of an event type, upgraded to the current one. Pure JSON rewrites,
//! one per type and version step. The store applies them on read (after the hash is checked,
//! since the hash covers the stored bytes); input of an older shape is upgraded the same way.

use serde_json::Value;

use crate::event::{schema_version, DecodeError};

/// Rewrites `event` (the whole JSON object) to its type's current version.
pub fn upgrade(event: &mut Value) -> Result<(), DecodeError> {
    let type_name = event.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
    let Some(mut v) = event.get("v").and_then(Value::as_u64) else { return Ok(()) };
    let current = u64::from(schema_version(&type_name));
    while v < current {
        let data = event.get_mut("data").and_then(Value::as_object_mut);
        match (type_name.as_str(), v, data) {
            // SessionSuspended v1 -> v2: `minutes` is now `duration_minutes`.
            ("SessionSuspended", 1, Some(data)) => {
                if let Some(m) = data.remove("minutes") {
                    data.insert("duration_minutes".into(), m);
                }
            }
            // AmendmentAccepted v1 -> v2: `decided_by` became optional; a v1 event always has it.
            ("AmendmentAccepted", 1, Some(_)) => {}
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
}
