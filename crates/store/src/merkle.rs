//! The log as a Merkle tree: RFC 9162 (Certificate Transparency 2.0) section 2.1, over the rows
//! in `seq` order, so that an observer holding only a tree head (size and root) can check that
//! one event is in the log (an inclusion proof) and that a later log extends the one they saw
//! (a consistency proof) without reading the whole log.
//!
//! **Leaf bytes.** Leaf `i` (counting from 0) is the row of the `i + 1`-th smallest `seq`; its
//! bytes are the UTF-8 of
//!
//! ```text
//! {seq}\n{stream}\n{version}\n{payload}
//! ```
//!
//! `seq` and `version` in decimal without leading zeros, `stream` and `payload` exactly as
//! stored (the payload is the event's JSON text as it was appended), `\n` one byte 0x0A. These
//! are the bytes [`crate::row_hash`] covers, less the previous row's hash: they depend on the
//! stored columns alone, not on SQLite, so any backend holding the same rows has the same tree,
//! and anyone can recompute them from the SQLite file (`SELECT seq, stream, version, payload
//! FROM events ORDER BY seq`).
//!
//! **Hashes** (RFC 9162 2.1.1): a leaf's hash is SHA-256(0x00 || leaf bytes), a node's is
//! SHA-256(0x01 || left || right); the tree of n > 1 leaves splits them at k, the largest power
//! of two smaller than n; the empty tree's root is SHA-256 of no bytes. Proofs are built by the
//! RFC's `PATH` (2.1.3.1) and `PROOF`/`SUBPROOF` (2.1.4.1), and check with its verifiers
//! (2.1.3.2, 2.1.4.2).

use std::fmt;

use minutes_core::id::EventId;
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::{schema, Store};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The leaf bytes of a row (see the module's doc).
pub fn leaf_bytes(seq: u64, stream: &str, version: u64, payload: &str) -> String {
    format!("{seq}\n{stream}\n{version}\n{payload}")
}

/// The leaf hash of a row: SHA-256(0x00 || leaf bytes), without building the bytes.
pub fn row_leaf_hash(seq: u64, stream: &str, version: u64, payload: &str) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(stream.as_bytes());
    h.update(b"\n");
    h.update(version.to_string().as_bytes());
    h.update(b"\n");
    h.update(payload.as_bytes());
    h.finalize().into()
}

/// SHA-256(0x00 || bytes).
pub fn leaf_hash(bytes: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(bytes);
    h.finalize().into()
}

/// SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: SHA-256 of no bytes.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A hash in lower-case hex.
pub fn hex(h: &Hash) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in h {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// The largest power of two smaller than `n` (n > 1).
fn split(n: usize) -> usize {
    debug_assert!(n > 1);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// MTH(D[n]): the root of the tree over these leaf hashes (RFC 9162 2.1.1).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// PATH(m, D[n]): the audit path of leaf `m` (RFC 9162 2.1.3.1), leaf to root. `m < n`.
pub fn inclusion_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let mut path = Vec::new();
    fn walk(m: usize, leaves: &[Hash], path: &mut Vec<Hash>) {
        let n = leaves.len();
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            walk(m, &leaves[..k], path);
            path.push(root(&leaves[k..]));
        } else {
            walk(m - k, &leaves[k..], path);
            path.push(root(&leaves[..k]));
        }
    }
    walk(m, leaves, &mut path);
    path
}

/// PROOF(m, D[n]): the consistency proof of the tree of the first `m` leaves with the tree of
/// all of them (RFC 9162 2.1.4.1). `0 < m <= n`; empty when `m == n`.
pub fn consistency_proof(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    fn sub(m: usize, leaves: &[Hash], whole: bool, proof: &mut Vec<Hash>) {
        let n = leaves.len();
        if m == n {
            if !whole {
                proof.push(root(leaves));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            sub(m, &leaves[..k], whole, proof);
            proof.push(root(&leaves[k..]));
        } else {
            sub(m - k, &leaves[k..], false, proof);
            proof.push(root(&leaves[..k]));
        }
    }
    let mut proof = Vec::new();
    if m > 0 {
        sub(m, leaves, true, &mut proof);
    }
    proof
}

/// The root of a tree whose leaf hashes arrive one at a time, in O(log n) memory: the stack
/// holds the roots of the perfect subtrees the leaves so far decompose into, largest first.
#[derive(Debug, Clone, Default)]
pub struct Streaming {
    stack: Vec<(Hash, u64)>,
    size: u64,
}

impl Streaming {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut h = leaf;
        let mut n = 1;
        while let Some(&(top, size)) = self.stack.last() {
            if size != n {
                break;
            }
            self.stack.pop();
            h = node_hash(&top, &h);
            n *= 2;
        }
        self.stack.push((h, n));
        self.size += 1;
    }

    /// How many leaves it holds.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the tree so far.
    pub fn root(&self) -> Hash {
        let mut it = self.stack.iter().rev();
        let Some(&(mut r, _)) = it.next() else { return empty_root() };
        for (left, _) in it {
            r = node_hash(left, &r);
        }
        r
    }
}

/// An inclusion proof of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inclusion {
    /// The event's leaf index (0-based, in `seq` order).
    pub index: u64,
    /// The event's seq.
    pub seq: u64,
    /// The tree's size.
    pub size: u64,
    /// The tree's root.
    pub root: Hash,
    /// The event's leaf bytes.
    pub leaf: String,
    /// SHA-256(0x00 || leaf).
    pub leaf_hash: Hash,
    /// The audit path, leaf to root.
    pub path: Vec<Hash>,
}

/// A consistency proof between two sizes of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consistency {
    /// The earlier size.
    pub from: u64,
    /// The earlier tree's root.
    pub from_root: Hash,
    /// The later size.
    pub size: u64,
    /// The later tree's root.
    pub root: Hash,
    /// The proof.
    pub proof: Vec<Hash>,
}

/// Why a proof cannot be given: the question is outside the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofRefusal {
    /// The log does not hold the event.
    UnknownEvent(EventId),
    /// A tree size the log does not have: `size` is above `max`, the log's size.
    SizeAbove {
        /// The size asked.
        size: u64,
        /// The log's size.
        max: u64,
    },
    /// The event is not among the tree's leaves.
    NotInTree {
        /// The event.
        id: EventId,
        /// Its leaf index.
        index: u64,
        /// The tree's size.
        size: u64,
    },
    /// A consistency proof from an earlier size needs `0 < from <= size`.
    FromOutOfRange {
        /// The earlier size asked.
        from: u64,
        /// The later size.
        size: u64,
    },
}

impl fmt::Display for ProofRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownEvent(id) => write!(f, "the log holds no event {id}"),
            Self::SizeAbove { size, max } => {
                write!(f, "tree size {size} is out of range: the log has {max} leaves")
            }
            Self::NotInTree { id, index, size } => write!(
                f,
                "event {id} is leaf {index}, not in the tree of size {size} (its first {size} leaves)"
            ),
            Self::FromOutOfRange { from, size } => {
                write!(f, "--from {from} is out of range: it must be between 1 and the tree size {size}")
            }
        }
    }
}

/// The leaf of the event looked for: its index, seq and leaf bytes.
type Found = (u64, u64, String);

impl Store {
    /// Reads the leaf hashes of the log in `seq` order, up to `size` of them (all by default),
    /// and the leaf (index, seq, bytes) of the event `find`, if among them.
    fn leaves(&self, size: Option<u64>, find: Option<&EventId>) -> Result<(Vec<Hash>, u64, Option<Found>)> {
        let total = self.tree_size()?;
        let want = size.unwrap_or(total).min(total);
        let find = find.map(|id| id.to_string());
        let mut hashes = Vec::with_capacity(want as usize);
        let mut found = None;
        let mut index = 0u64;
        // Takes one leaf; false once nothing more is needed.
        let mut visit = |seq: u64, id: &str, stream: &str, version: u64, payload: &str| {
            if find.as_deref() == Some(id) {
                found = Some((index, seq, leaf_bytes(seq, stream, version, payload)));
            }
            if index < want {
                hashes.push(row_leaf_hash(seq, stream, version, payload));
            } else if find.is_none() || found.is_some() {
                return false;
            }
            index += 1;
            true
        };
        match self.db.sqlite() {
            Some(c) => {
                let mut stmt = c.prepare(schema::LEAVES).map_err(StoreError::from_sqlite)?;
                let mut rows = stmt.query([]).map_err(StoreError::from_sqlite)?;
                while let Some(r) = rows.next().map_err(StoreError::from_sqlite)? {
                    let seq = r.get::<_, i64>(0).map_err(StoreError::from_sqlite)? as u64;
                    let id = r.get_ref(1).map_err(StoreError::from_sqlite)?.as_str().unwrap_or_default();
                    let stream = r.get_ref(2).map_err(StoreError::from_sqlite)?.as_str().unwrap_or_default();
                    let version = r.get::<_, i64>(3).map_err(StoreError::from_sqlite)? as u64;
                    let payload = r.get_ref(4).map_err(StoreError::from_sqlite)?.as_str().unwrap_or_default();
                    if !visit(seq, id, stream, version, payload) {
                        break;
                    }
                }
            }
            None => self.db.each(
                schema::LEAVES,
                &[],
                |(seq, id, stream, version, payload): (i64, String, String, i64, String)| {
                    Ok(visit(seq as u64, &id, &stream, version as u64, &payload))
                },
            )?,
        }
        Ok((hashes, total, found))
    }

    /// The log's tree size: how many rows it holds.
    pub fn tree_size(&self) -> Result<u64> {
        let (n,): (i64,) = self.db.query_one(schema::COUNT, &[])?;
        Ok(n as u64)
    }

    /// The inclusion proof of event `id` in the tree of the first `size` leaves (default: the
    /// whole log).
    pub fn inclusion_proof(
        &self,
        id: &EventId,
        size: Option<u64>,
    ) -> Result<std::result::Result<Inclusion, ProofRefusal>> {
        let (leaves, total, found) = self.leaves(size, Some(id))?;
        let size = size.unwrap_or(total);
        if size > total {
            return Ok(Err(ProofRefusal::SizeAbove { size, max: total }));
        }
        let Some((index, seq, leaf)) = found else { return Ok(Err(ProofRefusal::UnknownEvent(*id))) };
        if index >= size {
            return Ok(Err(ProofRefusal::NotInTree { id: *id, index, size }));
        }
        let leaf_hash = leaf_hash(leaf.as_bytes());
        let path = inclusion_path(index as usize, &leaves);
        Ok(Ok(Inclusion { index, seq, size, root: root(&leaves), leaf, leaf_hash, path }))
    }

    /// The consistency proof of the tree of the first `from` leaves with the tree of the first
    /// `size` (default: the whole log).
    pub fn consistency_proof(
        &self,
        from: u64,
        size: Option<u64>,
    ) -> Result<std::result::Result<Consistency, ProofRefusal>> {
        let (leaves, total, _) = self.leaves(size, None)?;
        let size = size.unwrap_or(total);
        if size > total {
            return Ok(Err(ProofRefusal::SizeAbove { size, max: total }));
        }
        if from == 0 || from > size {
            return Ok(Err(ProofRefusal::FromOutOfRange { from, size }));
        }
        let proof = consistency_proof(from as usize, &leaves);
        Ok(Ok(Consistency {
            from,
            from_root: root(&leaves[..from as usize]),
            size,
            root: root(&leaves),
            proof,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("leaf {i}").as_bytes())).collect()
    }

    #[test]
    fn the_empty_root_is_sha256_of_nothing_and_one_leaf_is_its_leaf_hash() {
        assert_eq!(hex(&root(&[])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(&Streaming::new().root()), hex(&empty_root()));
        let l = leaf_hash(b"x");
        assert_eq!(root(&[l]), l);
        let mut want = Sha256::new();
        want.update([0u8, b'x']);
        assert_eq!(l, <Hash>::from(want.finalize()));
    }

    #[test]
    fn the_streaming_root_is_the_recursive_root_at_every_size() {
        let all = leaves(130);
        let mut s = Streaming::new();
        for (n, l) in all.iter().enumerate() {
            assert_eq!(s.root(), root(&all[..n]), "size {n}");
            s.push(*l);
        }
        assert_eq!((s.size(), s.root()), (130, root(&all)));
    }

    #[test]
    fn a_row_leaf_hash_is_the_leaf_hash_of_its_leaf_bytes() {
        let bytes = leaf_bytes(7, "w/a", 3, "{\"id\": 1}");
        assert_eq!(bytes, "7\nw/a\n3\n{\"id\": 1}");
        assert_eq!(row_leaf_hash(7, "w/a", 3, "{\"id\": 1}"), leaf_hash(bytes.as_bytes()));
    }

    #[test]
    fn proof_lengths_follow_the_tree_shape() {
        let all = leaves(7);
        // Leaf 6 of 7 is the lone right leaf of the right subtree: two siblings.
        assert_eq!(inclusion_path(6, &all).len(), 2);
        assert_eq!(inclusion_path(0, &all).len(), 3);
        assert!(consistency_proof(7, &all).is_empty());
        assert_eq!(consistency_proof(4, &all), vec![root(&all[4..])]);
    }
}
