//! The domain of minutes: what a meeting record is made of, with no I/O.
//!
//! Events go in, state comes out. The clock and id generation are passed in from the edge, so
//! every function here is deterministic and every test can pin them.

pub mod amend;
pub mod event;
pub mod id;
pub mod ledger;
pub mod project;
pub mod record;
pub mod rules;
pub mod text;
pub mod time;
pub mod upcast;
