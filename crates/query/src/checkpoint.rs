//! Signed checkpoints of the log, in the format transparency logs share (C2SP
//! `tlog-checkpoint`, signed as a C2SP `signed-note` with an Ed25519 key): a secretariat
//! publishes one at the close of each session, and an observer later proves, holding the
//! record, that it extends what was published.
//!
//! The checkpoint's text is three lines: the origin `minutes/<store id>` (the store id is the
//! first 16 hex digits of the log's first leaf hash, so it names this log and no other), the
//! tree size in decimal, and the tree's root in base64; the signature lines follow a blank
//! line. Keys are C2SP note keys (`PRIVATE+KEY+NAME+ID+...` and `NAME+ID+...`).

use base64::Engine as _;
use minutes_store::merkle::hex;
use serde::Serialize;
use signed_note::{Note, StandardSigner, StandardVerifier, VerifierList};

use crate::error::{QueryError, Result};
use crate::Reader;

/// A checkpoint a log was checked against.
#[derive(Debug, Clone, Serialize)]
pub struct CheckpointView {
    /// The checkpoint's origin line.
    pub origin: String,
    /// The tree size it names.
    pub size: u64,
    /// The root it names, hex.
    pub root: String,
    /// The log's size now.
    pub log_size: u64,
    /// The key that signed it (`NAME+ID`).
    pub signed_by: String,
}

/// A new signing key and its verifier key, C2SP note keys for `name`.
pub fn generate_key(name: &str) -> Result<(String, String)> {
    if !signed_note::is_key_name_valid(name) {
        return Err(QueryError::Usage(format!(
            "'{name}' is not a key name: a key name is not empty and has no spaces or '+'"
        )));
    }
    Ok(signed_note::generate_key(&mut rand_core::OsRng, name))
}

impl Reader<'_> {
    /// The origin line of this log's checkpoints: `minutes/` and the first 16 hex digits of its
    /// first leaf hash. An empty log has none.
    pub fn checkpoint_origin(&self) -> Result<String> {
        let first = self
            .store()
            .consistency_proof(1, None)?
            .map_err(|_| QueryError::Refused("the log is empty: there is nothing to checkpoint".into()))?;
        Ok(format!("minutes/{}", &hex(&first.from_root)[..16]))
    }

    /// The log's checkpoint now, signed with the C2SP note key `skey`.
    pub fn checkpoint(&self, skey: &str) -> Result<String> {
        let signer = StandardSigner::new(skey.trim()).map_err(|e| {
            QueryError::Refused(format!(
                "the signing key does not read ({e}): it is a C2SP note key, PRIVATE+KEY+NAME+ID+KEY"
            ))
        })?;
        let origin = self.checkpoint_origin()?;
        let head =
            self.store().consistency_proof(1, None)?.map_err(|e| QueryError::Refused(e.to_string()))?;
        let root = base64::engine::general_purpose::STANDARD.encode(head.root);
        let text = format!("{origin}\n{}\n{root}\n", head.size);
        let mut note = Note::new(text.as_bytes(), &[])
            .map_err(|e| QueryError::Refused(format!("the checkpoint is not a note: {e}")))?;
        note.add_sigs(&[&signer])
            .map_err(|e| QueryError::Refused(format!("the checkpoint cannot be signed: {e}")))?;
        String::from_utf8(note.to_bytes()).map_err(|e| QueryError::Refused(e.to_string()))
    }

    /// Checks that this log extends `checkpoint` (a signed note): it is signed by the key
    /// `vkey`, names this log's origin, and the log's tree of that size has that root.
    pub fn check_checkpoint(&self, checkpoint: &str, vkey: &str) -> Result<CheckpointView> {
        let verifier = StandardVerifier::new(vkey.trim()).map_err(|e| {
            QueryError::Refused(format!(
                "the verifier key does not read ({e}): it is a C2SP note key, NAME+ID+KEY"
            ))
        })?;
        // NAME+ID+KEY: a name has no '+', the id is hex; the key (base64) may hold '+'.
        let signed_by = vkey.trim().splitn(3, '+').take(2).collect::<Vec<_>>().join("+");
        let note = Note::from_bytes(checkpoint.as_bytes())
            .map_err(|e| QueryError::Refused(format!("the checkpoint is not a signed note: {e}")))?;
        note.verify(&VerifierList::new(vec![Box::new(verifier)])).map_err(|e| {
            QueryError::Refused(format!("the checkpoint's signature does not verify with {signed_by}: {e}"))
        })?;
        let text = String::from_utf8_lossy(note.text()).to_string();
        let mut lines = text.lines();
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next()) else {
            return Err(QueryError::Refused(
                "the checkpoint does not have an origin, a size and a root".into(),
            ));
        };
        let size: u64 = size
            .parse()
            .map_err(|_| QueryError::Refused(format!("the checkpoint's size '{size}' is not a number")))?;
        let root = base64::engine::general_purpose::STANDARD
            .decode(root)
            .map_err(|_| QueryError::Refused("the checkpoint's root is not base64".into()))?;
        let mine = self.checkpoint_origin()?;
        if origin != mine {
            return Err(QueryError::Refused(format!(
                "the checkpoint is of another log ({origin}); this one is {mine}"
            )));
        }
        let log_size = self.store().tree_size()?;
        if size == 0 || size > log_size {
            return Err(QueryError::Refused(format!(
                "the checkpoint names {size} events but the log holds {log_size}: the log does not extend it (cut off?)"
            )));
        }
        let at =
            self.store().consistency_proof(size, None)?.map_err(|e| QueryError::Refused(e.to_string()))?;
        if at.from_root.as_slice() != root.as_slice() {
            return Err(QueryError::Refused(format!(
                "the log's first {size} events do not have the checkpoint's root: the log was rewritten since it was signed"
            )));
        }
        Ok(CheckpointView { origin: origin.to_string(), size, root: hex(&at.from_root), log_size, signed_by })
    }
}
