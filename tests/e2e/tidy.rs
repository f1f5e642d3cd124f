//! Tidy checks of the code's shape that the compiler cannot see.

use minutes_tests::root;

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &str) -> Vec<(String, String)> {
    fn walk(p: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(p).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.display().to_string(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join(dir), &mut out);
    out
}

/// The command line parses and formats; every question is answered in `crates/query`, so the
/// server and the exports give the same answers. A fold, a projection or a read of a stream in
/// `crates/cli` is query logic in the wrong place.
#[test]
fn no_query_logic_lives_in_the_cli() {
    let forbidden = [
        "document_at(",
        "document_latest(",
        "effective(",
        "effective_refs(",
        "replay_order(",
        "Timeline::new(",
        ".stream(",
        ".meeting(&",
        "document_state_at(",
        "symbol_key(",
        "MeetingState::apply(",
        "DocumentState::apply(",
    ];
    let mut found = Vec::new();
    for (path, text) in sources("crates/cli/src") {
        for f in forbidden {
            if text.contains(f) {
                found.push(format!("{path}: {f}"));
            }
        }
    }
    assert!(found.is_empty(), "query logic in crates/cli (move it to crates/query):\n{}", found.join("\n"));
}

/// The exports write out what `crates/query` answers: they never read the store themselves
/// (no SQL, no rusqlite, no store handle), so an export says what `state` and `replay` say.
#[test]
fn the_exports_ask_the_query_layer_and_never_the_store() {
    let forbidden = ["rusqlite", "minutes_store", "SELECT ", ".store()", "document_state_at("];
    let mut found = Vec::new();
    for (path, text) in sources("crates/export/src") {
        for f in forbidden {
            if text.contains(f) {
                found.push(format!("{path}: {f}"));
            }
        }
    }
    let manifest = std::fs::read_to_string(root().join("crates/export/Cargo.toml")).unwrap();
    assert!(
        !manifest.contains("minutes-store") && !manifest.contains("rusqlite"),
        "crates/export depends on the store"
    );
    assert!(found.is_empty(), "store access in crates/export (ask crates/query):\n{}", found.join("\n"));
}
