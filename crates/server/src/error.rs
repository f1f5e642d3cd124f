//! The server's errors: why it cannot start, and how a failed request maps to an HTTP status
//! (the command line's exit-code meanings: refused 400, stale 409, busy 503, full 507).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minutes_query::QueryError;
use minutes_store::StoreError;
use serde::Serialize;
use thiserror::Error;

/// Why the server cannot start or stopped.
#[derive(Debug, Error)]
pub enum ServerError {
    /// A tokens file or variable that does not read.
    #[error("{0}")]
    Tokens(String),
    /// An address or TLS setting refused before binding.
    #[error("{0}")]
    Config(String),
    /// The store cannot be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Binding or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A request's failure: its status and the message the command line would print.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The message.
    pub message: String,
}

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, as the command line says it.
    pub error: String,
}

impl ApiError {
    /// An error with a status and a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }

    /// A request refused (400).
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let status = match &e {
            StoreError::Refused { .. } => StatusCode::BAD_REQUEST,
            StoreError::Stale { .. } => StatusCode::CONFLICT,
            StoreError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            StoreError::Full => StatusCode::INSUFFICIENT_STORAGE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, e.to_string())
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Refused(m) | QueryError::Usage(m) => Self::refused(m),
            QueryError::NoStore(m) => Self::new(StatusCode::INTERNAL_SERVER_ERROR, m),
            QueryError::Store(s) => s.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(ErrorBody { error: self.message })).into_response()
    }
}
