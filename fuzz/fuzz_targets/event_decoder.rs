//! Fuzz target: `checks::event_decoder` on every input (`cargo fuzz run event_decoder`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::event_decoder(data));
