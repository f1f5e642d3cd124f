//! The command's one error type: its kind picks the exit code. The store's and the query
//! layer's errors are kept as they are, typed, until `commands::run` prints them.

use minutes_query::QueryError;
use minutes_store::StoreError;
use thiserror::Error;

/// The command's result.
pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// Everything a command can fail with, by exit code.
#[derive(Debug, Error)]
pub enum CliError {
    /// Input refused by the command line itself: a file that cannot be read, a flag's value
    /// that does not parse as what it names. Exit 1.
    #[error("{0}")]
    Refused(String),
    /// A usage error. Exit 2.
    #[error("{0}")]
    Usage(String),
    /// The store could not be read or written, as the command line found it (a backup
    /// destination taken, an acknowledgement missing). Exit 4.
    #[error("{0}")]
    Failed(String),
    /// What the store said: its kind picks the code (refused 1, conflict 3, failure 4).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// What the query layer said: its kind picks the code.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A refusal of one input, placed: the file and line (or standard input) it came from.
    #[error("{place}: {error}")]
    Input {
        /// Where the refused input came from (`standard input:3`, `day.jsonl:12`).
        place: String,
        /// The refusal.
        error: Box<CliError>,
    },
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
            Self::Failed(_) => 4,
            Self::Store(e) => store_code(e),
            Self::Query(e) => match e {
                QueryError::Refused(_) => 1,
                QueryError::Usage(_) => 2,
                QueryError::NoStore(_) => 4,
                QueryError::Store(e) => store_code(e),
            },
            Self::Input { error, .. } => error.exit_code(),
            Self::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Self::Output(_) => 4,
        }
    }

    /// A refusal (exit 1) placed at `place`; any other error (a conflict, a store failure) is
    /// not the input's and stays as it is.
    pub fn within(self, place: impl Into<String>) -> Self {
        if self.exit_code() == 1 {
            Self::Input { place: place.into(), error: Box::new(self) }
        } else {
            self
        }
    }
}

/// The exit code of what the store said.
fn store_code(e: &StoreError) -> u8 {
    match e {
        StoreError::Refused { .. } => 1,
        StoreError::Stale { .. } | StoreError::Busy => 3,
        _ => 4,
    }
}

impl From<minutes_export::ExportError> for CliError {
    fn from(e: minutes_export::ExportError) -> Self {
        match e {
            minutes_export::ExportError::Query(q) => q.into(),
            minutes_export::ExportError::Usage(m) => Self::Usage(m),
            other => Self::Failed(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_pick_the_exit_code_and_only_refusals_are_placed() {
        assert_eq!(CliError::from(StoreError::Busy).exit_code(), 3);
        assert_eq!(CliError::from(StoreError::Full).exit_code(), 4);
        assert_eq!(CliError::from(QueryError::Usage("u".into())).exit_code(), 2);
        assert_eq!(CliError::from(QueryError::Store(StoreError::Busy)).exit_code(), 3);
        assert_eq!(CliError::from(QueryError::NoStore("n".into())).exit_code(), 4);
        let placed = CliError::Refused("no such actor 'x'".into()).within("day.jsonl:3");
        assert_eq!((placed.exit_code(), placed.to_string().as_str()), (1, "day.jsonl:3: no such actor 'x'"));
        let busy = CliError::from(StoreError::Busy).within("day.jsonl:3");
        assert!(matches!(busy, CliError::Store(StoreError::Busy)), "{busy}");
    }
}
