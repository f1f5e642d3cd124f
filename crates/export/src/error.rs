//! The export crate's errors: what the query layer refused, and a writer that failed.

use thiserror::Error;

/// The export crate's result.
pub type Result<T, E = ExportError> = std::result::Result<T, E>;

/// Everything an export can fail with; front ends pick their exit code by kind.
#[derive(Debug, Error)]
pub enum ExportError {
    /// The question was refused or failed in the query layer (an unknown name, a bad time).
    #[error(transparent)]
    Query(#[from] minutes_query::QueryError),
    /// The format does not fit what was asked (a timeline format for a document, say).
    #[error("{0}")]
    Usage(String),
    /// An XML writer failed (it writes to memory, so only on a bug).
    #[error("the XML writer failed: {0}")]
    Xml(String),
    /// The CSV or JSON writer failed (it writes to memory, so only on a bug).
    #[error("the writer failed: {0}")]
    Write(String),
}
