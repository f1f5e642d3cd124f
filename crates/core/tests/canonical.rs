//! The canonical `data` of every event of the bundled record, written straight from its fields
//! (`EventKind::data_json`), is byte for byte the one a sorted `serde_json::Value` writes: the
//! bytes the store keeps and hashes do not depend on which way they were written.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;

use minutes_core::record;

#[test]
fn every_event_of_the_record_writes_the_same_canonical_data_both_ways() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/wtpf-13");
    let read_text = |p: &str| std::fs::read_to_string(dir.join(p)).ok();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.ends_with("coverage.toml"))
        .collect();
    files.sort();
    let (mut events, mut types) = (0, std::collections::BTreeSet::new());
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        for e in record::load(&path.display().to_string(), &src, &read_text).unwrap() {
            let value = serde_json::to_string(&e.kind.data().unwrap()).unwrap();
            assert_eq!(e.kind.data_json().unwrap().get(), value, "{} ({})", e.id, e.type_name());
            events += 1;
            types.insert(e.type_name());
        }
    }
    assert!(events > 300 && types.len() > 20, "{events} events of {} types", types.len());
}
