//! Reading the log: a stream, a meeting, one event, the documents' symbols.

use crate::backend::{DbResult, Value};
use crate::error::{Result, StoreError};
use crate::{schema, Store};
use minutes_core::event::{Event, EventKind, Recorded};
use minutes_core::id::{DocumentName, EventId, MeetingId};

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

/// The columns every read selects, as the backend reads them.
pub(crate) type RawRow = (i64, i64, String, String);

/// A row as the backend read it, its integers as the store counts them.
pub(crate) fn row((seq, version, hash, payload): RawRow) -> Row {
    (seq as u64, version as u64, hash, payload)
}

/// Decodes a row as the backend read it.
pub(crate) fn decode_raw(r: RawRow) -> Result<Recorded> {
    decode(row(r))
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
        self.query(&schema::stream(), &[Value::Text(stream)])
    }

    /// Every event of a meeting, in appending order.
    pub fn meeting(&self, meeting: &MeetingId) -> Result<Vec<Recorded>> {
        self.query(&schema::meeting(), &[Value::Text(meeting.as_str())])
    }

    /// The event with this id, if the log holds it.
    pub fn event(&self, id: &EventId) -> Result<Option<Recorded>> {
        Ok(self.query(&schema::by_id(), &[Value::Text(&id.to_string())])?.into_iter().next())
    }

    /// At most `limit` events appended after `seq`, in log order: what a live feed sends next.
    pub fn events_after(&self, seq: u64, limit: u64) -> Result<Vec<Recorded>> {
        self.query(
            &schema::after_limit(),
            &[Value::Int(seq as i64), Value::Int(limit.min(i64::MAX as u64) as i64)],
        )
    }

    /// The seq of the last event appended (0 for an empty log): what a read reflects.
    pub fn head_seq(&self) -> Result<u64> {
        let (v,): (i64,) = self.db.query_one(schema::HEAD_SEQ, &[])?;
        Ok(v as u64)
    }

    /// A number that changes whenever another connection commits to the store (SQLite's
    /// `data_version`; on PostgreSQL the head seq, which every commit moves): a cheap way for a
    /// reader to notice appends by other processes.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.db.change_token()?)
    }

    /// A stream's version: how many events it holds.
    pub fn stream_version(&self, stream: &str) -> Result<u64> {
        let (v,): (i64,) = self.db.query_one(schema::STREAM_VERSION, &[Value::Text(stream)])?;
        Ok(v as u64)
    }

    /// How many events the log holds.
    pub fn count(&self) -> Result<u64> {
        let (n,): (i64,) = self.db.query_one(schema::COUNT, &[])?;
        Ok(n as u64)
    }

    /// The meetings the log holds events of.
    pub fn meetings(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = self.db.query(schema::MEETINGS, &[])?;
        Ok(rows.into_iter().map(|(m,)| m).collect())
    }

    /// Every document with its title and symbols, from its tabling and revisions.
    pub fn documents(&self) -> Result<Vec<DocumentNaming>> {
        let mut out: Vec<DocumentNaming> = Vec::new();
        for r in self.query(&schema::document_namings(), &[])? {
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
        let sql = self.db.pick(schema::AMENDMENT_STREAMS, schema::pg::AMENDMENT_STREAMS);
        let rows: Vec<(String,)> =
            self.db.query(sql, &[Value::Text(meeting.as_str()), Value::Text(amendment)])?;
        let mut out = Vec::new();
        for (s,) in rows {
            // A row's stream is checked on append; one that is not a name is a corrupt store.
            if let Ok(d) = DocumentName::new(&s) {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// The rows a query of [`schema`] selects, decoded.
    pub(crate) fn query(&self, sql: &str, params: &[Value<'_>]) -> Result<Vec<Recorded>> {
        query_rows(&self.db, sql, params)
    }
}

/// The rows a query of [`schema`] selects, decoded, from a database (in a transaction or not).
pub(crate) fn query_rows(db: &crate::backend::Db, sql: &str, params: &[Value<'_>]) -> Result<Vec<Recorded>> {
    let mut out = Vec::new();
    each_recorded(db, sql, params, |r| {
        out.push(r);
        Ok(true)
    })?;
    Ok(out)
}

/// Runs `f` on each row a query of [`schema`] selects, decoded, in order, without holding
/// them; `f` returns false to stop, and must not use the database.
pub(crate) fn each_recorded(
    db: &crate::backend::Db,
    sql: &str,
    params: &[Value<'_>],
    mut f: impl FnMut(Recorded) -> Result<bool>,
) -> Result<()> {
    let mut bad = None;
    db.each(sql, params, |r: RawRow| -> DbResult<bool> {
        match decode_raw(r).and_then(&mut f) {
            Ok(go_on) => Ok(go_on),
            Err(e) => {
                bad = Some(e);
                Ok(false)
            }
        }
    })?;
    match bad {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
