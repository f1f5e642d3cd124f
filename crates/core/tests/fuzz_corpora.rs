//! A short replay of the fuzz corpora (`fuzz/corpus/`, grown by `cargo fuzz run TARGET`): every
//! input the fuzzers kept goes once more through the same checks (`fuzz/checks.rs`), so what a
//! fuzzer found stays fixed in the ordinary test suite.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)] // a check that fails has found something

#[path = "../../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: {} fails its check", path.display());
        n += 1;
    }
    assert!(n > 0, "the corpus of {target} is empty");
}

#[test]
fn the_event_decoder_corpus_replays() {
    replay("event_decoder", checks::event_decoder);
}

#[test]
fn the_record_file_corpus_replays() {
    replay("record_file", checks::record_file);
}

#[test]
fn the_text_format_corpus_replays() {
    replay("text_format", checks::text_format);
}

#[test]
fn the_amendment_engine_corpus_replays() {
    replay("amendment_engine", checks::amendment_engine);
}
