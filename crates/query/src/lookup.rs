//! What the questions and the recording verbs look up in a record, as one trait: a store
//! answers from its tables ([`Store`]), a long-lived front end from the decoded events it keeps
//! in memory ([`crate::memory::Memory`]). The state of a document and every recording verb are
//! written once against this trait, so both answer alike. The states and events it hands out
//! are borrowed when the record holds them decoded (memory) and owned when they were just
//! read (the store): a request answered from memory copies none of them.

use std::borrow::Cow;

use minutes_core::event::Recorded;
use minutes_core::id::{symbol_key, DocumentName, EventId, MeetingId};
use minutes_core::project::document::{document_at, DocumentAt, DocumentState};
use minutes_core::project::effective;
use minutes_core::project::meeting::MeetingState;
use minutes_core::project::timeline::Timeline;
use minutes_core::time::Timestamp;
use minutes_store::{DocumentNaming, Store};

use crate::error::{QueryError, Result};

/// The lookups of a record that reading a document's state and recording a verb need.
pub trait Lookup {
    /// The meetings the log holds events of, sorted.
    fn meetings(&self) -> Result<Vec<String>>;
    /// A meeting's state from its own stream; a meeting not in the record is refused.
    fn meeting(&self, id: &MeetingId) -> Result<Cow<'_, MeetingState>>;
    /// What describing a meeting's events needs, learned from the meeting's own stream.
    fn timeline(&self, id: &MeetingId) -> Result<Cow<'_, Timeline>>;
    /// A document by its name or any of its symbols.
    fn document(&self, s: &str) -> Result<DocumentName>;
    /// A document's state and uncertain events at `at` (as recorded by `rec`, when given).
    fn document_at(&self, doc: &DocumentName, at: &Timestamp, rec: Option<&Timestamp>) -> Result<DocumentAt>;
    /// How many events a stream holds.
    fn stream_version(&self, stream: &str) -> Result<u64>;
    /// The event with this id, if the log holds it.
    fn event(&self, id: &EventId) -> Result<Option<Cow<'_, Recorded>>>;
    /// A document's latest state (its effective events in appending order: what the next
    /// append is judged against); `None` for a document not tabled.
    fn latest_document(&self, d: &DocumentName) -> Result<Option<Cow<'_, DocumentState>>>;
    /// The documents of a meeting an amendment with this id was proposed to.
    fn amendment_documents(&self, m: &MeetingId, amendment: &str) -> Result<Vec<DocumentName>>;
    /// What the reads passed over (a snapshot that did not hold).
    fn warnings(&self) -> Vec<String>;
}

impl Lookup for Store {
    fn meetings(&self) -> Result<Vec<String>> {
        Ok(Store::meetings(self)?)
    }

    fn meeting(&self, id: &MeetingId) -> Result<Cow<'_, MeetingState>> {
        crate::resolve::meeting(self, id).map(Cow::Owned)
    }

    fn timeline(&self, id: &MeetingId) -> Result<Cow<'_, Timeline>> {
        Ok(Cow::Owned(Timeline::new(&effective(&self.stream(id.as_str())?, None))))
    }

    fn document(&self, s: &str) -> Result<DocumentName> {
        crate::resolve::document(self, s)
    }

    fn document_at(&self, doc: &DocumentName, at: &Timestamp, rec: Option<&Timestamp>) -> Result<DocumentAt> {
        match rec {
            // The record as it stands: the store reads only the rows that can matter at T,
            // past a snapshot when one holds.
            None => Ok(self.document_state_at(doc.as_str(), at)?),
            // As it stood: the same rows, less what was recorded (or corrected) after `rec`.
            Some(rec) => {
                Ok(document_at(&effective(&self.document_events_at(doc.as_str(), at)?, Some(rec)), at))
            }
        }
    }

    fn stream_version(&self, stream: &str) -> Result<u64> {
        Ok(Store::stream_version(self, stream)?)
    }

    fn event(&self, id: &EventId) -> Result<Option<Cow<'_, Recorded>>> {
        Ok(Store::event(self, id)?.map(Cow::Owned))
    }

    fn latest_document(&self, d: &DocumentName) -> Result<Option<Cow<'_, DocumentState>>> {
        Ok(Store::latest_document(self, d)?.map(Cow::Owned))
    }

    fn amendment_documents(&self, m: &MeetingId, amendment: &str) -> Result<Vec<DocumentName>> {
        Ok(Store::amendment_documents(self, m, amendment)?)
    }

    fn warnings(&self) -> Vec<String> {
        Store::warnings(self)
    }
}

/// Finds a document by its name, if its stream holds events, or by any of its symbols among
/// the namings; else a refusal naming the known documents.
pub(crate) fn find_document(
    s: &str,
    exists: impl Fn(&DocumentName) -> Result<bool>,
    namings: &[DocumentNaming],
) -> Result<DocumentName> {
    if let Ok(d) = DocumentName::new(s) {
        if exists(&d)? {
            return Ok(d);
        }
    }
    let want = symbol_key(s);
    if let Some(n) = namings.iter().find(|n| n.symbols.iter().any(|x| symbol_key(x) == want)) {
        return Ok(n.document.clone());
    }
    let mut names: Vec<&str> = namings.iter().map(|n| n.document.as_str()).collect();
    names.sort_unstable();
    let hint = if names.is_empty() {
        " (the store holds no documents)".to_string()
    } else if names.len() <= 40 {
        format!("; known documents: {}", names.join(", "))
    } else {
        String::new()
    };
    Err(QueryError::Refused(format!("unknown document '{s}': no document has that name or symbol{hint}")))
}

/// The refusal of a meeting not in the record, naming those it holds.
pub(crate) fn no_meeting(id: &MeetingId, known: &[String]) -> QueryError {
    QueryError::Refused(format!(
        "meeting '{id}' is not in the record{}",
        if known.is_empty() {
            " (the store is empty)".to_string()
        } else {
            format!("; it holds: {}", known.join(", "))
        }
    ))
}
