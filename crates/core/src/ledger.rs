//! The latest state of the streams an append touches, and the one place where an event is
//! judged ([`crate::rules::check`]) and then folded in.
//!
//! The store primes a ledger with the streams an incoming batch names (its meeting, its
//! documents) and admits the batch event by event, so a whole import is judged as if each
//! event were appended alone, in order.

use std::collections::HashMap;

use crate::event::{Event, EventKind, Recorded};
use crate::id::{DocumentName, MeetingId};
use crate::project::document::DocumentState;
use crate::project::effective;
use crate::project::meeting::MeetingState;
use crate::rules::{self, Context, RuleError};

/// Latest states of meetings and documents, with each stream's version.
#[derive(Default)]
pub struct Ledger {
    meetings: HashMap<MeetingId, Option<MeetingState>>,
    documents: HashMap<DocumentName, Option<DocumentState>>,
    /// Each loaded stream's events, for refolding after a correction and judging one.
    streams: HashMap<String, Vec<Recorded>>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the stream (a meeting id or a document name) is loaded.
    pub fn has_stream(&self, stream: &str) -> bool {
        self.streams.contains_key(stream)
    }

    /// Loads a meeting's stream (its events in appending order).
    pub fn prime_meeting(&mut self, id: &MeetingId, events: &[Recorded]) {
        self.streams.insert(id.to_string(), events.to_vec());
        self.refold_meeting(id);
    }

    /// Loads a document's stream (its events in appending order).
    pub fn prime_document(&mut self, name: &DocumentName, events: &[Recorded]) {
        self.streams.insert(name.to_string(), events.to_vec());
        self.refold_document(name);
    }

    fn refold_meeting(&mut self, id: &MeetingId) {
        let mut m = None;
        for r in effective(self.streams.get(id.as_str()).map_or(&[], Vec::as_slice), None) {
            MeetingState::apply(&mut m, &r.event);
        }
        self.meetings.insert(id.clone(), m);
    }

    fn refold_document(&mut self, name: &DocumentName) {
        let events = effective(self.streams.get(name.as_str()).map_or(&[], Vec::as_slice), None);
        self.documents.insert(name.clone(), crate::project::document::document_latest(&events));
    }

    /// The stream's version: how many events it holds (0 if loaded and empty or not loaded).
    pub fn version(&self, stream: &str) -> u64 {
        self.streams.get(stream).map_or(0, |s| s.len() as u64)
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
    /// Returns the event's version in its stream. The streams it names must be primed.
    pub fn admit(&mut self, e: &Event, seq: u64) -> Result<u64, RuleError> {
        {
            let exists = |d: &DocumentName| self.document(d).is_some();
            let ctx = Context {
                meeting: self.meeting(&e.meeting),
                document: e.document.as_ref().and_then(|d| self.document(d)),
                document_exists: &exists,
                stream: self.streams.get(e.stream()).map_or(&[], Vec::as_slice),
            };
            rules::check(e, &ctx)?;
        }
        let stream = e.stream().to_string();
        let version = self.version(&stream) + 1;
        let r = Recorded { seq, version, hash: String::new(), event: e.clone() };
        self.streams.entry(stream).or_default().push(r.clone());
        let correction = matches!(e.kind, EventKind::EventCorrected(_));
        match (&e.document, correction) {
            (Some(d), true) => self.refold_document(d),
            (None, true) => self.refold_meeting(&e.meeting),
            (Some(d), false) => DocumentState::apply(self.documents.entry(d.clone()).or_default(), &r),
            (None, false) => MeetingState::apply(self.meetings.entry(e.meeting.clone()).or_default(), e),
        }
        Ok(version)
    }
}

/// The streams an event's judgement reads: its meeting, its document, and any other document
/// it names.
pub fn streams_read(e: &Event) -> Vec<String> {
    let mut out = vec![e.meeting.to_string()];
    if let Some(d) = &e.document {
        out.push(d.to_string());
    }
    if let EventKind::ProceduralProposalMade(p) = &e.kind {
        out.extend(p.documents.iter().map(ToString::to_string));
    }
    out
}
