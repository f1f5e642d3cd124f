//! Reading the log: a stream, a meeting, one event, the documents' symbols.

use minutes_core::event::{Event, EventKind, Recorded};
use minutes_core::id::{DocumentName, EventId, MeetingId};
use rusqlite::params;

use crate::error::{Result, StoreError};
use crate::{schema, Store};

/// A document as its tabling and revisions name it.
#[derive(Debug, Clone)]
pub struct DocumentNaming {
    /// Its name.
    pub document: DocumentName,
    /// Its title.
    pub title: String,
    /// Its symbols, in order.
    pub symbols: Vec<String>,
}

/// A row as every read selects it (`seq, version, hash, payload`), not yet decoded.
pub(crate) type Row = (u64, u64, String, String);

/// Takes the columns every read selects from a result row.
pub(crate) fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, r.get(2)?, r.get(3)?))
}

/// Decodes a row's payload into the recorded event; a payload that does not decode is a
/// corrupt store.
pub(crate) fn decode((seq, version, hash, payload): Row) -> Result<Recorded> {
    let event = Event::from_json(&payload).map_err(|error| StoreError::Corrupt { seq, error })?;
    Ok(Recorded { seq, version, hash, event })
}

impl Store {
    /// A stream's events (a document's, or a meeting's own) in order.
    pub fn stream(&self, stream: &str) -> Result<Vec<Recorded>> {
        self.query(&schema::stream(), params![stream])
    }

    /// Every event of a meeting, in appending order.
    pub fn meeting(&self, meeting: &MeetingId) -> Result<Vec<Recorded>> {
        self.query(&schema::meeting(), params![meeting.as_str()])
    }

    /// The event with this id, if the log holds it.
    pub fn event(&self, id: &EventId) -> Result<Option<Recorded>> {
        Ok(self.query(&schema::by_id(), params![id.to_string()])?.into_iter().next())
    }

    /// At most `limit` events appended after `seq`, in log order: what a live feed sends next.
    pub fn events_after(&self, seq: u64, limit: u64) -> Result<Vec<Recorded>> {
        self.query(&schema::after_limit(), params![seq as i64, limit.min(i64::MAX as u64) as i64])
    }

    /// The seq of the last event appended (0 for an empty log): what a read reflects.
    pub fn head_seq(&self) -> Result<u64> {
        let v: i64 =
            self.conn.query_row(schema::HEAD_SEQ, [], |r| r.get(0)).map_err(StoreError::from_sqlite)?;
        Ok(v as u64)
    }

    /// A number that changes whenever another connection commits to the store (SQLite's
    /// `data_version`): a cheap way for a reader to notice appends by other processes.
    pub fn data_version(&self) -> Result<i64> {
        self.conn.query_row(schema::DATA_VERSION, [], |r| r.get(0)).map_err(StoreError::from_sqlite)
    }

    /// A stream's version: how many events it holds.
    pub fn stream_version(&self, stream: &str) -> Result<u64> {
        let v: i64 = self
            .conn
            .query_row(schema::STREAM_VERSION, params![stream], |r| r.get(0))
            .map_err(StoreError::from_sqlite)?;
        Ok(v as u64)
    }

    /// How many events the log holds.
    pub fn count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(schema::COUNT, [], |r| r.get(0)).map_err(StoreError::from_sqlite)?;
        Ok(n as u64)
    }

    /// The meetings the log holds events of.
    pub fn meetings(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(schema::MEETINGS).map_err(StoreError::from_sqlite)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(StoreError::from_sqlite)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(StoreError::from_sqlite)
    }

    /// Every document with its title and symbols, from its tabling and revisions.
    pub fn documents(&self) -> Result<Vec<DocumentNaming>> {
        let mut out: Vec<DocumentNaming> = Vec::new();
        for r in self.query(&schema::document_namings(), [])? {
            let Some(d) = r.event.document.clone() else { continue };
            match &r.event.kind {
                EventKind::DocumentTabled(t) => out.push(DocumentNaming {
                    document: d,
                    title: t.title.clone(),
                    symbols: t.symbol.iter().cloned().collect(),
                }),
                EventKind::DocumentRevised(rv) => {
                    if let (Some(n), Some(s)) = (out.iter_mut().find(|n| n.document == d), &rv.symbol) {
                        n.symbols.push(s.clone());
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// The documents of `meeting` an amendment with id `amendment` was proposed to (amendment
    /// ids are meant to be unique within a meeting; a log may hold one in several documents).
    pub fn amendment_documents(&self, meeting: &MeetingId, amendment: &str) -> Result<Vec<DocumentName>> {
        let mut stmt =
            self.conn.prepare_cached(schema::AMENDMENT_STREAMS).map_err(StoreError::from_sqlite)?;
        let rows = stmt
            .query_map(params![meeting.as_str(), amendment], |r| r.get::<_, String>(0))
            .map_err(StoreError::from_sqlite)?;
        let mut out = Vec::new();
        for r in rows {
            let s = r.map_err(StoreError::from_sqlite)?;
            // A row's stream is checked on append; one that is not a name is a corrupt store.
            if let Ok(d) = DocumentName::new(&s) {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// The rows a query of [`schema`] selects, decoded.
    pub(crate) fn query(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Recorded>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(StoreError::from_sqlite)?;
        let rows = stmt.query_map(params, row).map_err(StoreError::from_sqlite)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(decode(row.map_err(StoreError::from_sqlite)?)?);
        }
        Ok(out)
    }
}
