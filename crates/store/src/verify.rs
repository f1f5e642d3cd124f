//! Verifying the log: every row decodes, agrees with its own payload, and continues the hash
//! chain. The chain catches any row changed, deleted, inserted or reordered without re-hashing
//! everything after it; an anchored head (`verify --head`) catches a cut-off tail or a log
//! rewritten from the start.

use std::collections::HashMap;

use rusqlite::params;

use crate::error::{Result, StoreError};
use crate::{row_hash, schema, upcast, Store};

/// The first thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The first bad row's seq (for a missing head: the last row's).
    pub seq: u64,
    /// What is wrong with it.
    pub what: String,
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// How many rows were read.
    pub events: u64,
    /// The last row's hash, hex; `None` for an empty log.
    pub head: Option<String>,
    /// The first problem, if any.
    pub problem: Option<Problem>,
}

impl Report {
    /// Whether the log is sound.
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

struct Row {
    seq: u64,
    id: String,
    stream: String,
    version: u64,
    type_name: String,
    v: i64,
    meeting: String,
    occurred_from: Option<String>,
    occurred_to: Option<String>,
    payload: String,
    hash: String,
}

impl Store {
    /// Checks the whole log. With `head`, also checks that the log still holds that hash and
    /// extends it (the chain verifies up to it and beyond).
    pub fn verify(&self, head: Option<&str>) -> Result<Report> {
        let mut stmt = self.conn.prepare(schema::ALL_ROWS).map_err(StoreError::from_sqlite)?;
        let mut rows = stmt.query([]).map_err(StoreError::from_sqlite)?;
        let mut prev = String::new();
        let mut expected_seq = 1;
        let mut versions: HashMap<String, u64> = HashMap::new();
        let mut events = 0;
        let mut problem = None;
        let mut saw_head = false;
        while let Some(r) = rows.next().map_err(StoreError::from_sqlite)? {
            let row = Row {
                seq: r.get::<_, i64>(0).map_err(StoreError::from_sqlite)? as u64,
                id: r.get(1).map_err(StoreError::from_sqlite)?,
                stream: r.get(2).map_err(StoreError::from_sqlite)?,
                version: r.get::<_, i64>(3).map_err(StoreError::from_sqlite)? as u64,
                type_name: r.get(4).map_err(StoreError::from_sqlite)?,
                v: r.get(5).map_err(StoreError::from_sqlite)?,
                meeting: r.get(6).map_err(StoreError::from_sqlite)?,
                occurred_from: r.get(7).map_err(StoreError::from_sqlite)?,
                occurred_to: r.get(8).map_err(StoreError::from_sqlite)?,
                payload: r.get(10).map_err(StoreError::from_sqlite)?,
                hash: r.get(11).map_err(StoreError::from_sqlite)?,
            };
            events += 1;
            if problem.is_none() {
                let version = versions.entry(row.stream.clone()).or_insert(0);
                *version += 1;
                problem = check_row(&row, expected_seq, &prev, *version).map(|what| Problem { seq: row.seq, what });
            }
            if head == Some(row.hash.as_str()) && problem.is_none() {
                saw_head = true;
            }
            expected_seq = row.seq + 1;
            prev = row.hash;
        }
        let last = if events == 0 { None } else { Some(prev) };
        if let (Some(h), None) = (head, &problem) {
            if !saw_head {
                let known = self
                    .conn
                    .query_row(schema::FIND_HASH, params![h], |r| r.get::<_, i64>(0))
                    .ok();
                let what = match known {
                    Some(_) => format!("the anchored head {h} is in the log but the chain does not verify up to it"),
                    None => format!("the log does not contain the anchored head {h}: it was cut off or rewritten"),
                };
                problem = Some(Problem { seq: expected_seq.saturating_sub(1), what });
            }
        }
        Ok(Report { events, head: last, problem })
    }
}

fn check_row(row: &Row, expected_seq: u64, prev: &str, version: u64) -> Option<String> {
    if row.seq != expected_seq {
        return Some(format!("seq {} follows seq {}: a row is missing or was inserted", row.seq, expected_seq - 1));
    }
    let want = row_hash(prev, row.seq, &row.stream, row.version, &row.payload);
    if want != row.hash {
        return Some("its hash does not match its content and the row before it: the row was changed, or a row before it was removed or inserted".into());
    }
    if row.version != version {
        return Some(format!("its version in stream {} is {}, expected {version}", row.stream, row.version));
    }
    let e = match upcast::decode(&row.payload) {
        Ok(e) => e,
        Err(err) => return Some(format!("its payload does not decode: {err}")),
    };
    let utc = |t: Option<minutes_core::time::Timestamp>| {
        t.map(|t| t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    };
    let columns_agree = e.id.to_string() == row.id
        && e.stream() == row.stream
        && e.type_name() == row.type_name
        && row.v >= 1
        && e.meeting.as_str() == row.meeting
        && utc(e.occurred.from) == row.occurred_from
        && utc(e.occurred.to) == row.occurred_to;
    if !columns_agree {
        return Some("its columns disagree with its payload".into());
    }
    None
}
