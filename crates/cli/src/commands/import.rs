//! `minutes import`: append the events of JSON Lines files (or record files), all or nothing.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use minutes_core::event::Event;
use minutes_core::record;
use minutes_store::StoreError;

use crate::context::Context;
use crate::error::{CliError, Result};

/// The most one event may take, in bytes of JSON.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// Append the events in the files, all or nothing: one bad event and nothing is written, with a
/// message naming the file, line and problem. Events already in the log (same id, same content)
/// are skipped.
///
/// A file is JSON Lines (one event an object, as `replay --json` prints them), or a record file
/// (`.toml`, as in events/) whose texts are read beside it. When every event carries the `seq`
/// a replay printed, they are appended in that original order.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  minutes import day-1.jsonl day-2.jsonl\n  minutes replay wtpf-13 --json > copy.jsonl && minutes --db copy.db init --empty && minutes --db copy.db import copy.jsonl")]
pub struct Args {
    /// The files to import
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Where an event came from, for messages, and the `seq` it carried (as `replay --json` prints).
#[derive(Clone)]
struct Origin {
    file: String,
    line: Option<usize>,
    seq: Option<u64>,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let mut events = Vec::new();
    let mut origins = Vec::new();
    let progress = Progress::new(&a.files);
    for f in &a.files {
        read_file(f, &mut events, &mut origins, &progress)?;
    }
    // A replay prints events in the order they happened, not the order they were recorded; when
    // every event carries the `seq` a replay printed, append them in that original order, so
    // the procedural rules see each after what it followed.
    if origins.iter().all(|o| o.seq.is_some()) {
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&i| origins[i].seq);
        events = order.iter().map(|&i| events[i].clone()).collect();
        origins = order.iter().map(|&i| origins[i].clone()).collect();
    }
    progress.appending(events.len());
    let appended = ctx.write(|store| match store.append(&events, None, ctx.now) {
        Err(StoreError::Refused { index, refusal, .. }) => {
            let o = &origins[index];
            let at = o.line.map(|l| format!(":{l}")).unwrap_or_default();
            Err(CliError::Refused(format!("{}{at}: event {}: {refusal}; nothing was imported", o.file, events[index].id)))
        }
        other => Ok(other?),
    })?;
    progress.done();
    let new = appended.iter().filter(|x| !x.existed).count();
    writeln!(
        out,
        "imported {new} event{} into {} ({} already in the log)",
        if new == 1 { "" } else { "s" },
        ctx.db.display(),
        appended.len() - new
    )?;
    Ok(())
}

/// A progress bar on stderr, only when stderr is a terminal: bytes read, then the one
/// transaction that appends them all.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(files: &[PathBuf]) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let total = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("reading {bar:40} {bytes}/{total_bytes} {msg} ({eta} left)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Self(Some(bar))
    }

    fn read(&self, bytes: usize, events: usize) {
        if let Some(b) = &self.0 {
            b.inc(bytes as u64);
            if events % 4096 == 0 {
                b.set_message(format!("{events} events"));
            }
        }
    }

    fn appending(&self, events: usize) {
        if let Some(b) = &self.0 {
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            b.set_message(format!("judging and appending {events} events in one transaction"));
            b.enable_steady_tick(std::time::Duration::from_millis(200));
        }
    }

    fn done(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn read_file(path: &Path, events: &mut Vec<Event>, origins: &mut Vec<Origin>, progress: &Progress) -> Result<()> {
    let name = path.display().to_string();
    let cannot = |e: std::io::Error| CliError::Refused(format!("{name}: cannot be read: {e}"));
    if path.extension().is_some_and(|x| x == "toml") {
        let src = std::fs::read_to_string(path).map_err(cannot)?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let read_text = |p: &str| std::fs::read_to_string(dir.join(p)).ok();
        let loaded = record::load(&name, &src, &read_text).map_err(|e| CliError::Refused(e.to_string()))?;
        for e in loaded {
            origins.push(Origin { file: name.clone(), line: None, seq: None });
            events.push(e);
        }
        return Ok(());
    }
    let mut reader = BufReader::new(File::open(path).map_err(cannot)?);
    let mut buf = Vec::new();
    for line_no in 1.. {
        buf.clear();
        // Read at most one byte past the limit, so an overlong line is refused without being
        // read whole.
        let n = (&mut reader).take(MAX_EVENT_BYTES as u64 + 1).read_until(b'\n', &mut buf).map_err(cannot)?;
        if n == 0 {
            break;
        }
        progress.read(n, events.len());
        if buf.len() > MAX_EVENT_BYTES && !buf.ends_with(b"\n") {
            return Err(CliError::Refused(format!("{name}:{line_no}: the line is longer than 1 MiB, the most one event may take")));
        }
        let text = std::str::from_utf8(&buf)
            .map_err(|e| CliError::Refused(format!("{name}:{line_no}: not UTF-8 (byte {})", e.valid_up_to())))?;
        if text.trim().is_empty() {
            continue;
        }
        let refused = |e: String| CliError::Refused(format!("{name}:{line_no}: {e}"));
        let value = minutes_core::event::parse_json(text.trim().trim_start_matches('\u{feff}')).map_err(|e| refused(e.to_string()))?;
        let seq = value.get("seq").and_then(serde_json::Value::as_u64);
        let e = Event::from_value(value).map_err(|e| refused(e.to_string()))?;
        origins.push(Origin { file: name.clone(), line: Some(line_no), seq });
        events.push(e);
    }
    Ok(())
}
