//! Fuzz target: `checks::text_format` on every input (`cargo fuzz run text_format`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::text_format(data));
