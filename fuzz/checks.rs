//! What each fuzz target checks of one input, shared by the fuzz targets (`fuzz_targets/`) and
//! by the replay of the committed corpora in the test suite (`crates/core/tests/fuzz_corpora.rs`):
//! no input makes the code panic, and what reads writes back the same.

// Each fuzz target uses one of these.
#![allow(dead_code)]

use minutes_core::amend::{self, Operation};
use minutes_core::event::Event;
use minutes_core::record;
use minutes_core::text::{self, Text};

/// The event decoder: any bytes are refused or read; an event read writes back the same.
pub fn event_decoder(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(e) = Event::from_json(s) {
        let again = Event::from_json(&e.to_json()).expect("an event written is read back");
        assert_eq!(again, e, "an event reads back what it wrote");
        // The canonical data written straight from the fields is the one a sorted Value writes.
        let value = serde_json::to_string(&e.kind.data().expect("data")).expect("a Value writes");
        assert_eq!(e.kind.data_json().expect("data").get(), value, "canonical data without a Value");
    }
}

/// The record-file parser (TOML): any text is refused or loaded, never a panic.
pub fn record_file(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = record::load("fuzz.toml", s, &|_| Some("# T\nP\n== s\na) words\n".to_string()));
}

/// The text format: any text is refused or read; a text read writes back the same.
pub fn text_format(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(t) = text::parse(s) {
        let again = text::parse(&text::write(&t)).expect("a text written is read back");
        assert_eq!(again, t, "the review format reads back what it writes");
    }
}

/// The amendment engine: a text (review format) and operations (JSON), split at the first NUL
/// byte: applying never panics, keeps keys valid, and agrees with checking and applying in place.
pub fn amendment_engine(data: &[u8]) {
    let Some(cut) = data.iter().position(|b| *b == 0) else { return };
    let (Ok(src), Ok(ops)) = (std::str::from_utf8(&data[..cut]), std::str::from_utf8(&data[cut + 1..]))
    else {
        return;
    };
    let (Ok(t), Ok(ops)) = (text::parse(src), serde_json::from_str::<Vec<Operation>>(ops)) else { return };
    let applied: Result<Text, _> = amend::apply(&t, &ops);
    assert_eq!(amend::check(&t, &ops).is_ok(), applied.is_ok(), "check agrees with apply");
    let mut in_place = t.clone();
    let done = amend::apply_in_place(&mut in_place, &ops);
    match applied {
        Ok(a) => {
            assert!(done.is_ok());
            assert_eq!(in_place, a, "in place agrees with a copy");
            assert!(a.validate().is_ok(), "keys stay valid and unique");
        }
        Err(_) => {
            assert!(done.is_err());
            assert_eq!(in_place, t, "a failed amendment leaves the text as it was");
        }
    }
}
