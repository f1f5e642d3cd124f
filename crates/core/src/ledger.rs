//! The latest state of the streams an append touches, and the one place where an event is
//! judged ([`crate::rules::check`]) and then folded in.
//!
//! The store primes a ledger with the streams an incoming batch names (its meeting, its
//! documents) and admits the batch event by event, so a whole import is judged as if each
//! event were appended alone, in order. A ledger keeps states and a small index of each
//! stream's event ids, not the events themselves, so it stays small on a large log; a
//! correction makes its stream's state stale, to be primed again from the log.
//!
//! A stream can also be resumed from a state kept elsewhere (the store's checkpoints) with an
//! index that knows the stream's version and corrections but not every id: the store then
//! [notes](Ledger::note) the one id a correction's judgement needs, and finds a retry by the
//! id in the log itself.

use std::collections::{HashMap, HashSet};

use crate::event::{Event, EventKind, Recorded};
use crate::id::{DocumentName, EventId, MeetingId};
use crate::project::document::{document_latest, DocumentState};
use crate::project::effective_refs;
use crate::project::meeting::MeetingState;
use crate::rules::{self, Context, RuleError};

/// What the rules need to know of a stream's events: which ids it holds, which of them are
/// corrections, and which events were corrected.
#[derive(Debug, Default, Clone)]
pub struct StreamIndex {
    /// How many events the stream holds.
    pub version: u64,
    ids: HashSet<EventId>,
    corrections: HashSet<EventId>,
    corrected: HashSet<EventId>,
}

impl StreamIndex {
    /// Whether the stream holds the event.
    pub fn contains(&self, id: &EventId) -> bool {
        self.ids.contains(id)
    }

    /// Whether the event is a correction.
    pub fn is_correction(&self, id: &EventId) -> bool {
        self.corrections.contains(id)
    }

    /// Whether a correction withdrew the event.
    pub fn is_corrected(&self, id: &EventId) -> bool {
        self.corrected.contains(id)
    }

    /// An index resumed at `version` from a checkpoint: it knows the stream's corrections and
    /// the events they withdrew, but no other id until [`StreamIndex::note`] or a fold adds it.
    pub fn resumed(
        version: u64,
        corrections: impl IntoIterator<Item = EventId>,
        corrected: impl IntoIterator<Item = EventId>,
    ) -> Self {
        Self {
            version,
            ids: HashSet::new(),
            corrections: corrections.into_iter().collect(),
            corrected: corrected.into_iter().collect(),
        }
    }

    /// Notes that the stream holds `id` (a correction, if `is_correction`), as the log says.
    pub fn note(&mut self, id: EventId, is_correction: bool) {
        self.ids.insert(id);
        if is_correction {
            self.corrections.insert(id);
        }
    }

    /// The stream's corrections.
    pub fn corrections(&self) -> impl Iterator<Item = &EventId> {
        self.corrections.iter()
    }

    /// The events a correction of the stream withdrew.
    pub fn corrected(&self) -> impl Iterator<Item = &EventId> {
        self.corrected.iter()
    }

    fn add(&mut self, e: &Event) {
        self.version += 1;
        self.ids.insert(e.id);
        if let EventKind::EventCorrected(c) = &e.kind {
            self.corrections.insert(e.id);
            self.corrected.insert(c.corrects);
        }
    }
}

/// Latest states of meetings and documents, with each stream's index.
#[derive(Default)]
pub struct Ledger {
    meetings: HashMap<MeetingId, Option<MeetingState>>,
    documents: HashMap<DocumentName, Option<DocumentState>>,
    streams: HashMap<String, StreamIndex>,
    stale: HashSet<String>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the stream (a meeting id or a document name) is loaded and its state current.
    pub fn has_stream(&self, stream: &str) -> bool {
        self.streams.contains_key(stream) && !self.stale.contains(stream)
    }

    /// Loads a meeting's stream (its events in appending order).
    pub fn prime_meeting(&mut self, id: &MeetingId, events: &[Recorded]) {
        let mut m = None;
        for r in effective_refs(events, None) {
            MeetingState::apply(&mut m, &r.event);
        }
        self.meetings.insert(id.clone(), m);
        self.index(id.as_str(), events);
    }

    /// Loads a document's stream (its events in appending order).
    pub fn prime_document(&mut self, name: &DocumentName, events: &[Recorded]) {
        self.documents.insert(name.clone(), document_latest(effective_refs(events, None)));
        self.index(name.as_str(), events);
    }

    /// Resumes a document's stream from a state kept since (the fold of its effective events
    /// up to `index.version`), instead of folding the stream.
    pub fn resume_document(&mut self, name: &DocumentName, state: Option<DocumentState>, index: StreamIndex) {
        self.documents.insert(name.clone(), state);
        self.streams.insert(name.as_str().to_string(), index);
        self.stale.remove(name.as_str());
    }

    /// Resumes a meeting's stream from a state kept since, as [`Ledger::resume_document`].
    pub fn resume_meeting(&mut self, id: &MeetingId, state: Option<MeetingState>, index: StreamIndex) {
        self.meetings.insert(id.clone(), state);
        self.streams.insert(id.as_str().to_string(), index);
        self.stale.remove(id.as_str());
    }

    /// The index of a loaded stream.
    pub fn stream_index(&self, stream: &str) -> Option<&StreamIndex> {
        self.streams.get(stream)
    }

    /// Notes that a loaded stream holds `id`, as the log says (see [`StreamIndex::note`]).
    pub fn note(&mut self, stream: &str, id: EventId, is_correction: bool) {
        if let Some(ix) = self.streams.get_mut(stream) {
            ix.note(id, is_correction);
        }
    }

    fn index(&mut self, stream: &str, events: &[Recorded]) {
        let mut ix = StreamIndex::default();
        for r in events {
            ix.add(&r.event);
        }
        self.streams.insert(stream.to_string(), ix);
        self.stale.remove(stream);
    }

    /// Whether the stream is loaded and holds the event: a retry, when `id` is appended again.
    pub fn stream_holds(&self, stream: &str, id: &EventId) -> bool {
        self.streams.get(stream).is_some_and(|ix| ix.contains(id))
    }

    /// Marks a stream's state as no longer current (an event folded in was not written after
    /// all): it is loaded again from the log before it is used.
    pub fn invalidate(&mut self, stream: &str) {
        self.stale.insert(stream.to_string());
    }

    /// How many documents' states are loaded.
    pub fn documents_loaded(&self) -> usize {
        self.documents.len()
    }

    /// Forgets every document's state and index (meetings stay), to be loaded again when
    /// needed: what a large import does to keep its memory flat.
    pub fn forget_documents(&mut self) {
        for d in self.documents.keys() {
            self.streams.remove(d.as_str());
            self.stale.remove(d.as_str());
        }
        self.documents.clear();
    }

    /// How many meetings' states are loaded.
    pub fn meetings_loaded(&self) -> usize {
        self.meetings.len()
    }

    /// Forgets every meeting's state and index, as [`Ledger::forget_documents`] does for
    /// documents.
    pub fn forget_meetings(&mut self) {
        for m in self.meetings.keys() {
            self.streams.remove(m.as_str());
            self.stale.remove(m.as_str());
        }
        self.meetings.clear();
    }

    /// The stream's version: how many events it holds (0 if not loaded).
    pub fn version(&self, stream: &str) -> u64 {
        self.streams.get(stream).map_or(0, |s| s.version)
    }

    /// The latest state of a document, if loaded and tabled.
    pub fn document(&self, name: &DocumentName) -> Option<&DocumentState> {
        self.documents.get(name).and_then(Option::as_ref)
    }

    /// The latest state of a meeting, if loaded and declared.
    pub fn meeting(&self, id: &MeetingId) -> Option<&MeetingState> {
        self.meetings.get(id).and_then(Option::as_ref)
    }

    /// Judges `e` against the latest state and, if it may be appended, folds it in as `seq`.
    /// Returns the event's version in its stream. The streams it names must be loaded.
    pub fn admit(&mut self, e: &Event, seq: u64) -> Result<u64, RuleError> {
        let version = self.judge(e)?;
        self.fold(e, seq);
        Ok(version)
    }

    /// Judges `e` against the latest state without folding it in: the version it would have
    /// in its stream, or why it may not be appended. [`Ledger::record`] folds it in once it is
    /// written. The streams it names must be loaded.
    pub fn judge(&self, e: &Event) -> Result<u64, RuleError> {
        let empty = StreamIndex::default();
        {
            let exists = |d: &DocumentName| self.document(d).is_some();
            let ctx = Context {
                meeting: self.meeting(&e.meeting),
                document: e.document.as_ref().and_then(|d| self.document(d)),
                document_exists: &exists,
                stream: self.streams.get(e.stream()).unwrap_or(&empty),
            };
            rules::check(e, &ctx)?;
        }
        Ok(self.version(e.stream()) + 1)
    }

    /// Folds in an event [`Ledger::judge`] admitted and the store wrote, as `seq`.
    pub fn record(&mut self, e: &Event, seq: u64) {
        self.fold(e, seq);
    }

    /// Folds in an event already in the log (appended by another writer since the ledger was
    /// loaded), if its stream is loaded.
    pub fn extend(&mut self, r: &Recorded) {
        if self.streams.contains_key(r.event.stream()) {
            self.fold(&r.event, r.seq);
        }
    }

    fn fold(&mut self, e: &Event, seq: u64) {
        let stream = e.stream();
        match self.streams.get_mut(stream) {
            Some(ix) => ix.add(e),
            None => self.streams.entry(stream.to_string()).or_default().add(e),
        }
        if matches!(e.kind, EventKind::EventCorrected(_)) {
            // The state must be folded again without the corrected event: the store primes
            // the stream anew from the log before it is read again.
            self.stale.insert(stream.to_string());
            return;
        }
        match &e.document {
            Some(d) => match self.documents.get_mut(d) {
                Some(state) => DocumentState::apply_at(state, e, seq),
                None => DocumentState::apply_at(self.documents.entry(d.clone()).or_default(), e, seq),
            },
            None => match self.meetings.get_mut(&e.meeting) {
                Some(state) => MeetingState::apply(state, e),
                None => MeetingState::apply(self.meetings.entry(e.meeting.clone()).or_default(), e),
            },
        }
    }
}

/// The streams an event's judgement reads: its meeting, its document, and any other document
/// it names.
pub fn streams_read(e: &Event) -> Vec<&str> {
    let mut out = vec![e.meeting.as_str()];
    if let Some(d) = &e.document {
        out.push(d.as_str());
    }
    if let EventKind::ProceduralProposalMade(p) = &e.kind {
        out.extend(p.documents.iter().map(DocumentName::as_str));
    }
    if let EventKind::AmendmentTransferred(t) = &e.kind {
        out.push(t.to.as_str());
    }
    if let EventKind::AmendmentSourced(c) = &e.kind {
        out.push(c.contribution.as_str());
    }
    out
}
