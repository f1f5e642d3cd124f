//! Appending: one transaction per batch, every event judged by the procedural rules against
//! the latest state, idempotent by event id, chained by hash.

use std::collections::HashMap;

use minutes_core::event::{Event, Recorded};
use minutes_core::id::{DocumentName, EventId, MeetingId};
use minutes_core::ledger::{streams_read, Ledger};
use minutes_core::time::Timestamp;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::error::{Refusal, Result, StoreError};
use crate::{row_hash, schema, upcast, Store};

/// What became of one appended event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Its place in the log.
    pub seq: u64,
    /// Its id.
    pub id: EventId,
    /// Its position in its stream.
    pub version: u64,
    /// True when the log held it already (a retry): nothing was written for it.
    pub existed: bool,
}

impl Store {
    /// Appends `events` in one transaction, all or nothing. Each is judged by the procedural
    /// rules as if appended alone, in order; an event whose id the log holds with the same
    /// content is a no-op. With `expected`, the (single) event's stream must still be at that
    /// version. `now` stamps events without `recorded_at`. Returns after the commit is durable.
    pub fn append(&mut self, events: &[Event], expected: Option<u64>, now: Timestamp) -> Result<Vec<Appended>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from_sqlite)?;
        let (mut seq, mut prev) = tx
            .query_row(schema::HEAD, [], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)))
            .optional()
            .map_err(StoreError::from_sqlite)?
            .unwrap_or((0, String::new()));
        let mut ledger = Ledger::new();
        let mut in_batch: HashMap<EventId, (Event, Appended)> = HashMap::new();
        let mut out = Vec::with_capacity(events.len());
        {
            let mut insert = tx.prepare_cached(schema::INSERT).map_err(StoreError::from_sqlite)?;
            let mut by_id = tx.prepare_cached(&schema::by_id()).map_err(StoreError::from_sqlite)?;
            let mut stream_rows = tx.prepare_cached(&schema::stream()).map_err(StoreError::from_sqlite)?;
            for (index, given) in events.iter().enumerate() {
                let refused = |refusal: Refusal| StoreError::Refused { index, id: given.id, refusal };
                // A retry of an event already in the log (or earlier in this batch).
                let existing: Option<(Event, Appended)> = match in_batch.get(&given.id) {
                    Some(x) => Some(x.clone()),
                    None => by_id
                        .query_row(params![given.id.to_string()], |r| {
                            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, r.get::<_, String>(3)?))
                        })
                        .optional()
                        .map_err(StoreError::from_sqlite)?
                        .map(|(s, v, payload)| {
                            let e = upcast::decode(&payload).map_err(|error| StoreError::Corrupt { seq: s, error })?;
                            Ok::<_, StoreError>((e, Appended { seq: s, id: given.id, version: v, existed: true }))
                        })
                        .transpose()?,
                };
                if let Some((stored, appended)) = existing {
                    let mut e = given.clone();
                    if e.recorded_at.is_none() {
                        e.recorded_at = stored.recorded_at;
                    }
                    if e != stored {
                        return Err(refused(Refusal::IdTaken(given.id)));
                    }
                    out.push(Appended { existed: true, ..appended });
                    continue;
                }
                for stream in streams_read(given) {
                    if ledger.has_stream(&stream) {
                        continue;
                    }
                    let rows = stream_rows
                        .query_map(params![stream], |r| {
                            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
                        })
                        .map_err(StoreError::from_sqlite)?;
                    let mut recs = Vec::new();
                    for row in rows {
                        let (s, v, hash, payload) = row.map_err(StoreError::from_sqlite)?;
                        let event = upcast::decode(&payload).map_err(|error| StoreError::Corrupt { seq: s, error })?;
                        recs.push(Recorded { seq: s, version: v, hash, event });
                    }
                    match DocumentName::new(&stream) {
                        Ok(d) => ledger.prime_document(&d, &recs),
                        Err(_) => match MeetingId::new(&stream) {
                            Ok(m) => ledger.prime_meeting(&m, &recs),
                            Err(_) => continue,
                        },
                    }
                }
                let stream = given.stream().to_string();
                if let Some(want) = expected {
                    let actual = ledger.version(&stream);
                    if actual != want {
                        return Err(StoreError::Stale { stream, expected: want, actual });
                    }
                }
                let mut e = given.clone();
                e.recorded_at.get_or_insert(now);
                let version = ledger.admit(&e, seq + 1).map_err(|r| refused(Refusal::Rule(r)))?;
                seq += 1;
                let payload = e.to_json();
                let hash = row_hash(&prev, seq, &stream, version, &payload);
                let utc = |t: Option<Timestamp>| t.map(|t| t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
                insert
                    .execute(params![
                        seq as i64,
                        e.id.to_string(),
                        stream,
                        version as i64,
                        e.type_name(),
                        minutes_core::event::CURRENT_VERSION,
                        e.meeting.as_str(),
                        utc(e.occurred.from),
                        utc(e.occurred.to),
                        utc(e.recorded_at).unwrap_or_default(),
                        payload,
                        hash,
                    ])
                    .map_err(StoreError::from_sqlite)?;
                prev = hash;
                let appended = Appended { seq, id: e.id, version, existed: false };
                in_batch.insert(e.id, (e, appended.clone()));
                out.push(appended);
            }
        }
        tx.commit().map_err(StoreError::from_sqlite)?;
        Ok(out)
    }
}
