//! What every writer needs: times in the meeting's zone, sources in a line, a document's
//! events certain at a moment.

use chrono_tz::Tz;
use minutes_core::event::{Recorded, Source};
use minutes_core::time::{rfc3339, show_window, Certainty, Timestamp, Window};
use minutes_query::{Moment, Reader};

use crate::error::Result;

/// `t` as RFC 3339 in `zone`.
pub(crate) fn local(t: &Timestamp, zone: Tz) -> String {
    rfc3339(&t.with_timezone(&zone).fixed_offset())
}

/// A window for a person, in `zone`.
pub(crate) fn window(w: &Window, zone: Tz) -> String {
    show_window(w, zone)
}

/// A source in a line: `file, section: “quote”`.
pub(crate) fn source_line(s: &Source) -> String {
    if s.quote.is_empty() {
        format!("{}, {}", s.file, s.section)
    } else {
        format!("{}, {}: “{}”", s.file, s.section, s.quote)
    }
}

/// The moment a view was read at, parsed back from its RFC 3339 form.
pub(crate) fn parse_at(at: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(at).ok()
}

/// The events of `doc`'s history (the document's and its amendments') certain at `at`, in
/// replay order.
pub(crate) fn certain_history(
    reader: &Reader<'_>,
    doc: &str,
    moment: &Moment,
    at: &Timestamp,
) -> Result<Vec<Recorded>> {
    let h = reader.history(doc, moment.as_recorded_at)?;
    Ok(h.events
        .into_iter()
        .map(|e| e.recorded)
        .filter(|r| r.event.occurred.certainty(at) == Certainty::Certain)
        .collect())
}
