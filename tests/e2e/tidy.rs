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

/// The crates under `crates/`, by folder name.
fn crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| root().join("crates").join(n).join("Cargo.toml").exists())
        .collect();
    names.sort();
    names
}

/// A source file's code outside its test module, line by line, comments left out.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.trim_start().starts_with("#[cfg(test)]"))
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l))
}

/// ARCHITECTURE.md: `core` never depends on rusqlite, clap or tokio. Checked on the resolved
/// graph (through any crate between), not on its manifest alone.
#[test]
fn core_depends_on_no_sqlite_clap_or_tokio() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Every crate core's normal (not dev) dependencies pull in, for this machine's platform.
    let out = std::process::Command::new(cargo)
        .args(["tree", "-p", "minutes-core", "-e", "normal", "--prefix", "none", "--offline", "--locked"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo tree: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8(out.stdout).unwrap();
    let names: std::collections::BTreeSet<&str> =
        tree.lines().filter_map(|l| l.split_whitespace().next()).collect();
    let banned: Vec<&&str> = names
        .iter()
        .filter(|n| ["rusqlite", "libsqlite3-sys", "clap", "tokio", "postgres", "tokio-postgres"].contains(n))
        .collect();
    assert!(banned.is_empty(), "minutes-core depends on {banned:?}: the domain stays pure");
    assert!(
        names.contains("serde") && names.contains("minutes-core"),
        "the tree lists core's dependencies: {names:?}"
    );
}

/// ARCHITECTURE.md: the store owns every SQL string. A statement in another crate is SQL that
/// no schema version, upgrade or backend sees.
#[test]
fn every_sql_string_lives_in_the_store() {
    let sql = [
        "SELECT ",
        "INSERT INTO",
        "UPDATE events",
        "DELETE FROM",
        "CREATE TABLE",
        "CREATE VIEW",
        "CREATE TRIGGER",
        "CREATE INDEX",
        "DROP TABLE",
        "PRAGMA ",
        "BEGIN IMMEDIATE",
    ];
    let mut found = Vec::new();
    for krate in crates().into_iter().filter(|c| c != "store") {
        for (path, text) in sources(&format!("crates/{krate}/src")) {
            for (n, line) in code_lines(&text) {
                if let Some(s) = sql.iter().find(|s| line.contains(*s)) {
                    found.push(format!("{path}:{n}: {s}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "SQL outside crates/store (move it there):\n{}", found.join("\n"));
}

/// Every source file says what it is for in its first line, a `//!` doc comment.
#[test]
fn every_source_file_starts_with_a_doc_line() {
    let mut missing = Vec::new();
    for dir in ["crates", "xtask", "tests"] {
        for (path, text) in sources(dir) {
            if !text.starts_with("//!") {
                missing.push(path);
            }
        }
    }
    assert!(missing.is_empty(), "files without a leading `//!` line:\n{}", missing.join("\n"));
}

/// Library crates return errors: no `unwrap` or `expect` outside their tests (the command
/// line, at the edge, turns errors into messages). An invariant that truly cannot fail is
/// written as a match or an `unreachable!` with its reason.
#[test]
fn no_unwrap_or_expect_in_library_code() {
    let mut found = Vec::new();
    for krate in crates().into_iter().filter(|c| c != "cli") {
        for (path, text) in sources(&format!("crates/{krate}/src")) {
            for (n, line) in code_lines(&text) {
                if line.contains(".unwrap()") || line.contains(".expect(") {
                    found.push(format!("{path}:{n}: {}", line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "unwrap/expect in library code:\n{}", found.join("\n"));
}
