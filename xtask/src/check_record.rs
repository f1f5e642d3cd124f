//! `cargo xtask check-record`: every record file of events/wtpf-13 loads, and every event cites
//! a quote found, characters exactly as printed, in the source file it names.

use std::path::Path;

use anyhow::{bail, Context};
use minutes_core::event::Event;
use minutes_core::record;

/// Runs the check; fails listing every problem.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let dir = root.join("events/wtpf-13");
    let (events, files) = load(&dir)?;
    let sources = dir.join("sources");
    let read_source = |f: &str| {
        (Path::new(f).components().count() == 1)
            .then(|| std::fs::read_to_string(sources.join(f)).ok())
            .flatten()
    };
    let problems = record::check_sources(&events, &read_source);
    for p in &problems {
        eprintln!("{p}");
    }
    if !problems.is_empty() {
        bail!("{} of {} events fail the source check", problems.len(), events.len());
    }
    println!("check-record: {} events in {} files, every quote found in its source", events.len(), files);
    Ok(())
}

/// The events of the record files of `dir` (every `.toml` but the coverage reasons), in file
/// order, and how many files they came from: what `check-record` and `coverage` both read.
pub fn load(dir: &Path) -> anyhow::Result<(Vec<Event>, usize)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        // The coverage reasons (`cargo xtask coverage`) are not a record file.
        .filter(|p| p.file_name().is_some_and(|n| n != "coverage.toml"))
        .collect();
    files.sort();
    let read_text = |p: &str| std::fs::read_to_string(dir.join(p)).ok();
    let mut events = Vec::new();
    for f in &files {
        let name = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let src = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        events.extend(record::load(&name, &src, &read_text)?);
    }
    Ok((events, files.len()))
}
