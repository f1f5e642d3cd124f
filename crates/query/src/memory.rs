//! A record kept decoded in memory, for a long-lived front end (`minutes serve`): every event
//! of the log once decoded, indexed by id and stream, with each meeting's and document's latest
//! state and each meeting's timeline kept current as events are applied. It answers the
//! [`Lookup`]s of a state query and of the recording verbs without reading the store or
//! decoding JSON; the front end feeds it the rows appended since (in log order) as it learns
//! of them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use minutes_core::event::{EventKind, Recorded};
use minutes_core::id::{DocumentName, EventId, MeetingId};
use minutes_core::ledger::Ledger;
use minutes_core::project::document::{document_at, DocumentAt, DocumentState};
use minutes_core::project::effective_refs;
use minutes_core::project::meeting::MeetingState;
use minutes_core::project::timeline::Timeline;
use minutes_core::time::Timestamp;
use minutes_store::DocumentNaming;

use crate::error::Result;
use crate::lookup::{find_document, no_meeting, Lookup};

/// The decoded log and the states folded from it.
#[derive(Default)]
pub struct Memory {
    /// The seq of the last event applied.
    head: u64,
    /// Each stream's events, in stream order. A stream's name is shared by the indexes below
    /// (one allocation a stream, not three an event).
    streams: HashMap<Arc<str>, Vec<Recorded>>,
    /// Every event in log order: its stream and place in it.
    log: Vec<(u64, Arc<str>, usize)>,
    /// Where each event sits: its stream and place in it.
    by_id: HashMap<EventId, (Arc<str>, usize)>,
    /// The latest states of every meeting and document (as the write path folds them).
    ledger: Ledger,
    /// Each meeting's timeline, learned from its own stream.
    timelines: HashMap<MeetingId, Timeline>,
    /// The documents as their tablings and revisions name them, in log order.
    namings: Vec<DocumentNaming>,
    /// The documents each amendment id was proposed to, by meeting.
    proposals: HashMap<(MeetingId, String), Vec<DocumentName>>,
}

impl Memory {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// The seq of the last event applied (0 when none).
    pub fn head(&self) -> u64 {
        self.head
    }

    /// How many events it holds.
    pub fn len(&self) -> usize {
        self.log.len()
    }

    /// Whether it holds no event.
    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// The events after `seq`, at most `limit`, in log order.
    pub fn events_after(&self, seq: u64, limit: usize) -> Vec<&Recorded> {
        let start = self.log.partition_point(|x| x.0 <= seq);
        self.log[start..].iter().take(limit).map(|(_, s, i)| &self.streams[s][*i]).collect()
    }

    /// Applies rows read from the log after [`Memory::head`], in log order; rows it holds
    /// already are passed over.
    pub fn apply(&mut self, rows: Vec<Recorded>) {
        let mut touched: Vec<Arc<str>> = Vec::new();
        // Whether a meeting's timeline must be built from its stream below: a stream new to
        // the memory, or a timeline a correction dropped.
        let mut rebuild = false;
        for r in rows {
            if r.seq <= self.head {
                continue;
            }
            self.head = r.seq;
            let e = &r.event;
            let stream: Arc<str> = match self.streams.get_key_value(e.stream()) {
                Some((name, _)) => Arc::clone(name),
                None => {
                    rebuild = true;
                    Arc::from(e.stream())
                }
            };
            let i = self.streams.get(&*stream).map_or(0, Vec::len);
            self.by_id.insert(e.id, (Arc::clone(&stream), i));
            self.log.push((r.seq, Arc::clone(&stream), i));
            match (&e.kind, &e.document) {
                (EventKind::DocumentTabled(t), Some(d)) => self.namings.push(DocumentNaming {
                    document: d.clone(),
                    title: t.title.clone(),
                    symbols: t.symbol.iter().cloned().collect(),
                }),
                (EventKind::DocumentRevised(rv), Some(d)) => {
                    if let (Some(n), Some(s)) =
                        (self.namings.iter_mut().find(|n| &n.document == d), &rv.symbol)
                    {
                        n.symbols.push(s.clone());
                    }
                }
                (EventKind::AmendmentProposed(p), Some(d)) => {
                    let docs = self
                        .proposals
                        .entry((e.meeting.clone(), p.amendment.as_str().to_string()))
                        .or_default();
                    if !docs.contains(d) {
                        docs.push(d.clone());
                        docs.sort();
                    }
                }
                _ => {}
            }
            // A stream the ledger holds folds the event in; one it does not hold yet, or whose
            // state a correction made stale, is folded anew from its events below.
            if self.ledger.has_stream(&stream) {
                self.ledger.extend(&r);
            }
            if e.document.is_none() {
                let correction = matches!(e.kind, EventKind::EventCorrected(_));
                match self.timelines.get_mut(&e.meeting) {
                    Some(t) if !correction => t.learn(e),
                    _ => {
                        self.timelines.remove(&e.meeting);
                        rebuild = true;
                    }
                }
            }
            if !touched.contains(&stream) {
                touched.push(stream.clone());
            }
            self.streams.entry(stream).or_default().push(r);
        }
        for stream in touched {
            if !self.ledger.has_stream(&stream) {
                self.prime(&stream);
            }
        }
        if !rebuild {
            return;
        }
        let missing: Vec<MeetingId> = self
            .streams
            .keys()
            .filter_map(|s| MeetingId::new(s).ok())
            .filter(|m| !self.timelines.contains_key(m))
            .collect();
        for m in missing {
            let t = Timeline::new(effective_refs(self.stream(m.as_str()), None));
            self.timelines.insert(m, t);
        }
    }

    /// A stream's events, in stream order.
    fn stream(&self, stream: &str) -> &[Recorded] {
        self.streams.get(stream).map_or(&[], Vec::as_slice)
    }

    /// Folds a stream's latest state anew from its events.
    fn prime(&mut self, stream: &str) {
        let events = self.streams.get(stream).map_or(&[][..], Vec::as_slice);
        if let Ok(d) = DocumentName::new(stream) {
            self.ledger.prime_document(&d, events);
        } else if let Ok(m) = MeetingId::new(stream) {
            self.ledger.prime_meeting(&m, events);
        }
    }
}

impl Lookup for Memory {
    fn meetings(&self) -> Result<Vec<String>> {
        let mut all: Vec<String> = Vec::new();
        for r in self.streams.values().filter_map(|s| s.first()) {
            let m = r.event.meeting.as_str();
            if !all.iter().any(|x| x == m) {
                all.push(m.to_string());
            }
        }
        all.sort();
        Ok(all)
    }

    fn meeting(&self, id: &MeetingId) -> Result<Cow<'_, MeetingState>> {
        match self.ledger.meeting(id) {
            Some(m) => Ok(Cow::Borrowed(m)),
            None => Err(no_meeting(id, &self.meetings()?)),
        }
    }

    fn timeline(&self, id: &MeetingId) -> Result<Cow<'_, Timeline>> {
        Ok(match self.timelines.get(id) {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(Timeline::new(std::iter::empty())),
        })
    }

    fn document(&self, s: &str) -> Result<DocumentName> {
        find_document(s, |d| Ok(self.streams.contains_key(d.as_str())), &self.namings)
    }

    fn document_at(&self, doc: &DocumentName, at: &Timestamp, rec: Option<&Timestamp>) -> Result<DocumentAt> {
        Ok(document_at(effective_refs(self.stream(doc.as_str()), rec), at))
    }

    fn stream_version(&self, stream: &str) -> Result<u64> {
        Ok(self.streams.get(stream).map_or(0, |ix| ix.len() as u64))
    }

    fn event(&self, id: &EventId) -> Result<Option<Cow<'_, Recorded>>> {
        Ok(self.by_id.get(id).map(|(s, i)| Cow::Borrowed(&self.streams[s][*i])))
    }

    fn latest_document(&self, d: &DocumentName) -> Result<Option<Cow<'_, DocumentState>>> {
        Ok(self.ledger.document(d).map(Cow::Borrowed))
    }

    fn amendment_documents(&self, m: &MeetingId, amendment: &str) -> Result<Vec<DocumentName>> {
        Ok(self.proposals.get(&(m.clone(), amendment.to_string())).cloned().unwrap_or_default())
    }

    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}
