//! Documents and timelines out of a record, for other people's tools: a document at a moment
//! as Akoma Ntoso 3.0 XML ([`akn`]), Markdown or HTML with its changes marked ([`marked`]); a
//! meeting's timeline as CSV or JSON Lines ([`timeline`]) or Popolo JSON ([`popolo`]); and the
//! report of a meeting written from its events ([`report`]).
//!
//! Every answer comes from `minutes_query` (state, marked text, history, replay, listing):
//! this crate only writes them out, and it never touches the store itself.

pub mod akn;
mod common;
mod error;
pub mod marked;
pub mod popolo;
pub mod report;
pub mod timeline;
mod xml;

pub use error::{ExportError, Result};
