//! Fuzz target: `checks::record_file` on every input (`cargo fuzz run record_file`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::record_file(data));
