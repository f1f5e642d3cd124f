//! The command's one error type: its kind picks the exit code.

use minutes_query::QueryError;
use minutes_store::StoreError;
use thiserror::Error;

/// The command's result.
pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// Everything a command can fail with, by exit code.
#[derive(Debug, Error)]
pub enum CliError {
    /// Input refused: a bad event, an unknown name, a file that cannot be read; or a log that
    /// failed verification. Exit 1.
    #[error("{0}")]
    Refused(String),
    /// A usage error. Exit 2.
    #[error("{0}")]
    Usage(String),
    /// A concurrent writer came first, or the database stayed busy; nothing was written. Exit 3.
    #[error("{0}")]
    Conflict(String),
    /// The store could not be read or written, or a named store does not exist. Exit 4.
    #[error("{0}")]
    Store(String),
    /// Output could not be written (a closed pipe ends the command quietly).
    #[error("{0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Refused(_) => 1,
            Self::Usage(_) => 2,
            Self::Conflict(_) => 3,
            Self::Store(_) => 4,
            Self::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Self::Output(_) => 4,
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused { .. } => Self::Refused(e.to_string()),
            StoreError::Stale { .. } | StoreError::Busy => Self::Conflict(e.to_string()),
            _ => Self::Store(e.to_string()),
        }
    }
}

impl From<QueryError> for CliError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Refused(m) => Self::Refused(m),
            QueryError::Usage(m) => Self::Usage(m),
            QueryError::NoStore(m) => Self::Store(m),
            QueryError::Store(s) => s.into(),
        }
    }
}

impl From<minutes_export::ExportError> for CliError {
    fn from(e: minutes_export::ExportError) -> Self {
        match e {
            minutes_export::ExportError::Query(q) => q.into(),
            minutes_export::ExportError::Usage(m) => Self::Usage(m),
            other => Self::Store(other.to_string()),
        }
    }
}
