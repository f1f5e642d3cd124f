//! The OpenAPI schemas of the core types the views carry (feature `openapi`, for the server):
//! each struct here has the JSON shape the core type serializes to, so a view's schema is
//! the shape of the JSON it prints. They exist only as schemas; nothing constructs them.

#![allow(dead_code)]

use utoipa::ToSchema;

/// An event's time window (`minutes_core::time::Window`): RFC 3339 with offsets; at most one
/// bound null.
#[derive(ToSchema)]
pub struct WindowSchema {
    /// The earliest moment it can have happened.
    #[schema(format = DateTime)]
    from: Option<String>,
    /// The moment by which it had certainly happened.
    #[schema(format = DateTime)]
    to: Option<String>,
}

/// Where the record takes a fact from (`minutes_core::event::Source`).
#[derive(ToSchema)]
pub struct SourceSchema {
    /// The source file.
    file: String,
    /// Its section.
    section: String,
    /// An exact quote of it.
    quote: String,
}

/// A short reference to an event (`minutes_core::project::EventRef`).
#[derive(ToSchema)]
pub struct EventRefSchema {
    /// The event's id.
    id: String,
    /// Its type.
    #[schema(rename = "type")]
    type_name: String,
    /// When it occurred.
    occurred: WindowSchema,
    /// Its place in the log.
    seq: u64,
}

/// How a line changed (`minutes_core::project::diff::ChangeKind`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ChangeKindSchema {
    /// The clause or section is new.
    Inserted,
    /// It is gone.
    Deleted,
    /// Its words changed.
    Changed,
}

/// A run of words (`minutes_core::project::diff::Words`).
#[derive(ToSchema)]
pub struct WordsSchema {
    /// `equal`, `insert` or `delete`.
    op: String,
    /// The words, spaces included.
    text: String,
}

/// One changed line (`minutes_core::project::diff::LineChange`).
#[derive(ToSchema)]
pub struct LineChangeSchema {
    /// The clause or section path; `title` or `preamble`.
    path: String,
    /// How it changed.
    change: ChangeKindSchema,
    /// The line before, if it existed.
    old: Option<String>,
    /// The line after, if it exists.
    new: Option<String>,
    /// The words, marked.
    words: Vec<WordsSchema>,
}
