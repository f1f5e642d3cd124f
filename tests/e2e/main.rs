//! End-to-end tests of `minutes`: the binary on temporary stores and on the bundled record.
//! One test binary; `minutes_tests::TestEnv` is the only way a test runs the command. Golden
//! files live in `snapshots/`; refresh them with `INSTA_UPDATE=always cargo test`.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

mod backup;
mod checkpoints;
mod columns;
mod commands;
mod corrections;
mod creation;
mod disk;
mod escaping;
mod exports;
mod guarantees;
mod hostile;
mod hosts;
mod imports;
mod input;
mod page;
mod proofs;
mod reading;
mod record;
mod recording;
mod report;
mod schema;
mod serve;
mod servers;
mod snapshots;
mod stores;
mod tidy;
mod upgrade;
mod views;
mod walkthrough;
