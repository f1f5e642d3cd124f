//! Fuzz target: `checks::amendment_engine` on every input (`cargo fuzz run amendment_engine`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::amendment_engine(data));
