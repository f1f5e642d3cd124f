//! Nothing the input or the log holds reaches the terminal raw: control characters and the
//! bidirectional controls are shown escaped, in error messages and in human renderings alike.

use minutes_tests::{root, TestEnv};

/// Whether `s` holds a character a terminal would act on or reorder text by.
fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
        })
        .collect()
}

#[test]
fn a_refused_import_names_a_hostile_field_escaped() {
    let env = TestEnv::new();
    env.ok(&["init", "--empty"]);
    let bad = env.file(
        "bad.json",
        "{\"id\":\"0190f3a0-0000-7000-8000-00000000e0ff\",\"\\u001b]0;pwned\\u0007\":1,\"\\u202e\\u2066\\u200f\":2}\n",
    );
    let r = env.run(&["import", &bad.display().to_string()]);
    assert_eq!(r.code, 1, "{}", r.golden());
    assert_eq!(raw_controls(&r.stderr), Vec::<char>::new(), "{:?}", r.stderr);
    assert!(r.stderr.contains(r"\u{1b}]0;pwned\u{7}"), "{}", r.golden());
}

#[test]
fn a_title_with_a_right_to_left_override_is_shown_escaped() {
    let env = TestEnv::new();
    env.ok(&["init", "--empty"]);
    let dir = root().join("events/examples/harbour-board");
    let setup = std::fs::read_to_string(dir.join("setup.toml")).unwrap().replace(
        "title = \"Example Harbour Board",
        "title = \"Evil \u{202e}txt.exe\u{2069}\u{200e} Example Harbour Board",
    );
    env.file("by-law-7.txt", &std::fs::read_to_string(dir.join("by-law-7.txt")).unwrap());
    let file = env.file("setup.toml", &setup);
    env.ok(&["import", &file.display().to_string()]);
    let r = env.ok(&["ls", "example-harbour"]);
    assert_eq!(raw_controls(&r.stdout), Vec::<char>::new(), "{:?}", r.stdout);
    assert!(r.stdout.contains(r"Evil \u{202e}txt.exe\u{2069}\u{200e} Example"), "{}", r.golden());
}
