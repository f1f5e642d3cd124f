//! End-to-end tests of `minutes`: the binary on temporary stores and on the bundled record.
//! One test binary; `minutes_tests::TestEnv` is the only way a test runs the command. Golden
//! files live in `snapshots/`; refresh them with `INSTA_UPDATE=always cargo test`.

mod commands;
mod guarantees;
mod hostile;
mod record;
mod walkthrough;
