//! Proofs an observer can check without the whole log: that an event is in the log's Merkle
//! tree (inclusion) and that a later tree extends an earlier one (consistency), RFC 9162, with
//! every hash in hex. The store builds them (`minutes_store::merkle`); this wraps them as views.

use minutes_core::id::EventId;
use minutes_store::merkle::{hex, ProofRefusal};
use serde::Serialize;

use crate::error::{QueryError, Result};
use crate::Reader;

/// An inclusion proof: the event's leaf and the audit path from it to the root of the tree of
/// `size` leaves.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InclusionView {
    /// The event's id.
    pub event: String,
    /// Its seq.
    pub seq: u64,
    /// Its leaf index (0-based, in seq order).
    pub index: u64,
    /// The tree's size.
    pub size: u64,
    /// The tree's root, hex.
    pub root: String,
    /// The leaf bytes, as text (UTF-8): `seq\nstream\nversion\npayload`.
    pub leaf: String,
    /// SHA-256(0x00 || leaf), hex.
    pub leaf_hash: String,
    /// The audit path, leaf to root, hex.
    pub path: Vec<String>,
}

/// A consistency proof between the tree of `from` leaves and the tree of `size`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsistencyView {
    /// The earlier size.
    pub from: u64,
    /// The earlier tree's root, hex.
    pub from_root: String,
    /// The later size.
    pub size: u64,
    /// The later tree's root, hex.
    pub root: String,
    /// The consistency proof, hex.
    pub proof: Vec<String>,
}

fn refused(r: ProofRefusal) -> QueryError {
    QueryError::Refused(r.to_string())
}

impl Reader<'_> {
    /// The inclusion proof of event `id` (a UUID) in the tree of the first `size` leaves
    /// (default: the whole log).
    pub fn inclusion(&self, id: &str, size: Option<u64>) -> Result<InclusionView> {
        let uuid = uuid::Uuid::parse_str(id.trim())
            .map_err(|e| QueryError::Refused(format!("'{id}' is not an event id (a UUID): {e}")))?;
        let p = self.store().inclusion_proof(&EventId(uuid), size)?.map_err(refused)?;
        Ok(InclusionView {
            event: EventId(uuid).to_string(),
            seq: p.seq,
            index: p.index,
            size: p.size,
            root: hex(&p.root),
            leaf: p.leaf,
            leaf_hash: hex(&p.leaf_hash),
            path: p.path.iter().map(hex).collect(),
        })
    }

    /// The consistency proof of the tree of the first `from` leaves with the tree of the first
    /// `size` (default: the whole log).
    pub fn consistency(&self, from: u64, size: Option<u64>) -> Result<ConsistencyView> {
        let p = self.store().consistency_proof(from, size)?.map_err(refused)?;
        Ok(ConsistencyView {
            from: p.from,
            from_root: hex(&p.from_root),
            size: p.size,
            root: hex(&p.root),
            proof: p.proof.iter().map(hex).collect(),
        })
    }
}
