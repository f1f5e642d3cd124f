//! `blame`: each line of a document's text at a moment, with the event that gave it its wording.

use minutes_core::event::Recorded;
use minutes_core::project::document::{DocumentState, Origin};
use minutes_core::project::EventRef;

use crate::error::{QueryError, Result};
use crate::view::{BlameLine, BlameView, OriginAmendment, OriginView, ProposalRef, SourcedRef};
use crate::{resolve, Moment, Reader};

impl Reader<'_> {
    /// Each line of `doc`'s text at a moment with where its wording came from: the tabling,
    /// a revision, or an accepted amendment (who proposed it, when, and the source).
    pub fn blame(&self, doc: &str, moment: &Moment) -> Result<BlameView> {
        let name = resolve::document(self.store, doc)?;
        let meeting = resolve::meeting(self.store, &name.meeting())?;
        let (at, rec) = self.resolve_moment(moment, meeting.zone)?;
        let view = self.document_at(&name, &at, rec.as_ref())?;
        let Some(state) = view.state else {
            return Err(QueryError::Refused(format!("{name} was not yet tabled at that moment")));
        };
        let Some(text) = &state.text else {
            return Err(QueryError::Refused(format!("the sources give no text of {name}")));
        };
        // Lines no amendment or revision touched keep the wording of the document's first event.
        let first = self
            .store
            .stream(name.as_str())?
            .into_iter()
            .next()
            .map(|r| Origin { event: EventRef::of(&r), amendment: None });
        let mut lines = Vec::new();
        for line in text.lines() {
            let origin = line.path.as_ref().and_then(|p| state.origins.get(p)).or(first.as_ref());
            let label = line.path.as_ref().and_then(|p| text.clause(p)).and_then(|c| c.label.clone());
            lines.push(BlameLine {
                path: line.path.as_ref().map(ToString::to_string),
                label,
                depth: line.path.as_ref().map_or(0, |p| p.clauses.len()),
                text: line.text,
                origin: origin.map(|o| self.origin(o, &state)).transpose()?,
            });
        }
        Ok(BlameView { document: name, at: minutes_core::time::rfc3339(&at), lines, meeting })
    }

    fn origin(&self, o: &Origin, state: &DocumentState) -> Result<OriginView> {
        let source = |id| -> Result<Option<minutes_core::event::Source>> {
            Ok(self.store.event(&id)?.and_then(|r: Recorded| r.event.source))
        };
        let amendment = match o.amendment.as_ref().and_then(|id| state.amendment(id)) {
            Some(x) => Some(OriginAmendment {
                id: x.id.clone(),
                proposed_by: x.proposed_by.clone(),
                body: x.body.clone(),
                summary: x.summary.clone(),
                proposed: ProposalRef {
                    id: x.proposed.id,
                    occurred: x.proposed.occurred,
                    source: source(x.proposed.id)?,
                },
            }),
            None => None,
        };
        Ok(OriginView {
            event: SourcedRef {
                id: o.event.id,
                type_name: o.event.type_name,
                occurred: o.event.occurred,
                seq: o.event.seq,
                source: source(o.event.id)?,
            },
            amendment,
        })
    }
}
