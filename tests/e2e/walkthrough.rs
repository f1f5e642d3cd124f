//! The README's walk-through of recording a new meeting, run exactly as written.

use std::process::Command;

use minutes_tests::{binary, root, TestEnv, NOW};

/// The shell lines of the README's code block under "Recording a new meeting" that run
/// `minutes`.
fn walkthrough() -> Vec<String> {
    block(1)
}

/// The `minutes` lines of the `n`th code block (1, 3, 5...) of "Recording a new meeting".
fn block(n: usize) -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme.split("## Recording a new meeting").nth(1).expect("the README has the walk-through");
    let section = section.split("\n## ").next().unwrap_or_default();
    let block = section.split("```").nth(n).expect("the walk-through has the code block");
    block.lines().map(str::trim).filter(|l| l.starts_with("minutes ")).map(str::to_string).collect()
}

/// Runs shell lines in `env` with the built `minutes` first on PATH, on the harness's pinned
/// clock (as every other test), so that what the walk-through stamps is the same every run;
/// returns the last stdout.
fn run_lines(env: &TestEnv, lines: &[String]) -> String {
    let bin_dir = binary().parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut last = String::new();
    for line in lines {
        let out = Command::new("sh")
            .args(["-c", line])
            .current_dir(env.dir())
            .env("PATH", &path)
            .env("MINUTES_NOW", NOW)
            .env("TZ", "UTC")
            .env_remove("MINUTES_DB")
            .env_remove("MINUTES_CLERK")
            .output()
            .unwrap();
        assert!(out.status.success(), "`{line}` failed: {}", String::from_utf8_lossy(&out.stderr));
        last = String::from_utf8_lossy(&out.stdout).to_string();
    }
    last
}

/// The README's second block: the same meeting set up from files, as tools write events.
#[test]
fn the_readme_import_and_append_block_works_as_written() {
    let env = TestEnv::new();
    std::os::unix::fs::symlink(root().join("events"), env.dir().join("events")).unwrap();
    let lines = block(3);
    assert!(
        lines.iter().any(|l| l.contains(" import events/examples/"))
            && lines.iter().any(|l| l.contains(" append ")),
        "{lines:?}"
    );
    let last = run_lines(&env, &lines);
    assert!(last.contains("example-harbour/by-law-7") && last.contains("under consideration"), "{last}");
}

#[test]
fn the_readme_walkthrough_works_as_written() {
    let env = TestEnv::new();
    std::os::unix::fs::symlink(root().join("events"), env.dir().join("events")).unwrap();
    let lines = walkthrough();
    assert!(lines.len() >= 6, "the walk-through runs minutes at least six times: {lines:?}");
    // It records with verbs alone: no JSON to write, no UUIDs.
    assert!(lines.iter().any(|l| l.contains(" record propose ")), "{lines:?}");
    assert!(
        lines.iter().all(|l| !l.contains(" append") && !l.contains('<') && !l.contains("0190f3a0")),
        "{lines:?}"
    );
    let last = run_lines(&env, &lines);
    assert!(!last.is_empty());
    // The walk-through ends with the by-law adopted, with the amended fee.
    let out = run_lines(
        &env,
        &["minutes --db council.db state example-harbour/by-law-7 --at '2030-03-02 17:00' --json".into()],
    );
    let state: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(state["status"], "adopted");
    assert!(state["text"].as_str().unwrap().contains("mooring fee of 8 per night"));
}
