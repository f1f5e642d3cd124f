//! The query layer's errors: what was refused, what was misused, and what the store said.

use minutes_store::StoreError;
use thiserror::Error;

/// The query layer's result.
pub type Result<T, E = QueryError> = std::result::Result<T, E>;

/// Everything a question can fail with; front ends pick their exit code or HTTP status by kind.
#[derive(Debug, Error)]
pub enum QueryError {
    /// Input refused: an unknown name, a bad event, a step the procedure does not allow.
    #[error("{0}")]
    Refused(String),
    /// The question is malformed: a time the clocks skipped, `--from` after `--to`.
    #[error("{0}")]
    Usage(String),
    /// A named store that does not exist, or one that cannot be created here.
    #[error("{0}")]
    NoStore(String),
    /// The store refused, conflicted or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
