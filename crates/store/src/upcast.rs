//! Upcasters: older shapes of an event type, upgraded on read (after the hash is checked, since
//! the hash covers the stored bytes, never a re-serialization).
//!
//! Every type is at version 1 today, so there is nothing to upgrade yet. When a type's data
//! changes, its old version gets a function here that rewrites `data` into the new shape, and
//! a fixture log written in the old version proves it still opens.

use minutes_core::event::{DecodeError, Event, CURRENT_VERSION};
use serde_json::Value;

/// Decodes a stored payload, upgrading an older schema version first.
pub fn decode(payload: &str) -> Result<Event, DecodeError> {
    let mut value: Value = serde_json::from_str(payload).map_err(|e| DecodeError::Json(e.to_string()))?;
    let v = value.get("v").and_then(Value::as_u64).unwrap_or(0);
    if v < u64::from(CURRENT_VERSION) {
        upgrade(&mut value, v)?;
    }
    Event::from_value(value)
}

fn upgrade(_value: &mut Value, v: u64) -> Result<(), DecodeError> {
    // No type has an older version yet.
    Err(DecodeError::Json(format!("schema version {v} is not known")))
}
