//! The append-only SQLite log.
