//! `history`: every event about a document in order, each proposal with its fate.

use minutes_core::event::EventKind;
use minutes_core::project::document::document_latest;
use minutes_core::rules::amendment_status_name;
use minutes_core::time::TimeArg;

use crate::error::Result;
use crate::replay::ReplayFilter;
use crate::view::EventsView;
use crate::{resolve, Reader};

impl Reader<'_> {
    /// Every event about `doc` (name or symbol) in replay order, each proposed amendment with
    /// its fate as the record stands (or stood at `as_recorded_at`).
    pub fn history(&self, doc: &str, as_recorded_at: Option<TimeArg>) -> Result<EventsView> {
        let name = resolve::document(self.store, doc)?;
        let filter =
            ReplayFilter { document: Some(name.to_string()), as_recorded_at, ..ReplayFilter::default() };
        let mut view = self.replay(name.meeting().as_str(), &filter)?;
        // A document's history is the record as it stands: no events a correction withdrew.
        view.bookkeeping.clear();
        // The fates as the record stands: the document's own events in the order appended.
        let mut ordered: Vec<_> = view
            .events
            .iter()
            .map(|e| e.recorded.clone())
            .filter(|r| r.event.document.as_ref() == Some(&name))
            .collect();
        ordered.sort_by_key(|r| r.seq);
        let latest = document_latest(ordered.iter());
        for entry in &mut view.events {
            if let (EventKind::AmendmentProposed(p), Some(s)) = (&entry.recorded.event.kind, &latest) {
                if let Some(am) = s.amendment(&p.amendment) {
                    entry.fate =
                        Some((amendment_status_name(am.status), am.decided.as_ref().map(|d| d.occurred)));
                }
            }
        }
        Ok(view)
    }
}
