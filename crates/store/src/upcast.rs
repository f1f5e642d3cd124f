//! Reading a stored payload: parsed, then upgraded from an older shape of its type by the
//! upcasters of `minutes_core::upcast`. Called only after the row's hash is checked where it
//! matters (verify), since the hash covers the stored bytes, never a re-serialization.

use minutes_core::event::{DecodeError, Event};

/// Decodes a stored payload, upgrading an older schema version first.
pub fn decode(payload: &str) -> Result<Event, DecodeError> {
    Event::from_json(payload)
}
