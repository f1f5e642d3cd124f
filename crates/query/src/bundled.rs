//! The WTPF-13 record, compiled into the binary from `events/wtpf-13/`.

use minutes_core::event::Event;
use minutes_core::record::{self, RecordError};

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// Every event of the bundled record, in file order.
pub fn events() -> Result<Vec<Event>, RecordError> {
    let read_text =
        |p: &str| TEXT_FILES.iter().find(|(name, _)| *name == p).map(|(_, src)| (*src).to_string());
    let mut out = Vec::new();
    for (name, src) in RECORD_FILES {
        out.extend(record::load(&format!("events/wtpf-13/{name}"), src, &read_text)?);
    }
    Ok(out)
}
