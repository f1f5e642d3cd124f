//! `minutes import`: append the events of JSON Lines files (or record files), all or nothing.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use minutes_core::event::Event;
use minutes_core::id::MeetingId;
use minutes_core::record;
use minutes_query::zones::{StoreZones, Zones};
use minutes_store::{ImportError, StoreError};

use crate::context::Context;
use crate::error::{CliError, Result};

/// The most one event may take, in bytes of JSON.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// Append the events in the files, all or nothing: one bad event and nothing is written, with a
/// message naming the file, line and problem. Events already in the log (same id, same content)
/// are skipped.
///
/// A file is JSON Lines (one event an object, as `replay --json` prints them), or a record file
/// (`.toml`, as in events/) whose texts are read beside it. `-` is standard input (JSON Lines);
/// a pipe or a FIFO works too. When every event carries the `seq` a replay printed, they are
/// appended in that original order.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes import day-1.jsonl day-2.jsonl\n  cat day-1.jsonl | minutes import -\n  minutes replay wtpf-13 --json > copy.jsonl && minutes --db copy.db init --empty && minutes --db copy.db import copy.jsonl"
)]
pub struct Args {
    /// The files to import (`-` for standard input)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print one JSON object: imported, existed
    #[arg(long)]
    json: bool,
}

/// Where one event is: a line of a JSON Lines file (where it starts, for reading it again), or
/// an event of a record file; and the `seq` it carried (as `replay --json` prints). Kept small:
/// an import holds one for every event it appends.
struct Entry {
    /// The file, by its index among the arguments.
    file: u32,
    /// The 1-based line (JSON Lines) or event (record file).
    line: u32,
    /// The byte offset of the line, or the index among the record file's events.
    pos: u64,
    /// The `seq` it carried, if every event so far carried one (0 otherwise).
    seq: u64,
}

/// Runs the command. Regular JSON Lines files whose first event carries no `seq` are read in one
/// pass ([`one_pass`]). Otherwise a first pass checks every line's JSON and notes where it is and the `seq`
/// it carries; the second reads the events one at a time into one transaction, so memory stays
/// flat however large the files. Input that cannot be read twice (standard input, a pipe, a
/// FIFO: anything but a regular file) is copied to an unnamed temporary file as the first pass
/// reads it, and the second pass reads that copy: all the waiting for input is done before the
/// transaction takes the write lock.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    // No write creates a store: a missing one is named before any file is read.
    let mut store = ctx.write()?;
    let progress = Progress::new(&a.files);
    if one_pass(&a.files) {
        let done = import_in_one_pass(&mut store, &a.files, ctx.now, &progress)?;
        progress.done();
        return report(ctx, &a, done, out);
    }
    let names: Vec<String> = a.files.iter().map(|f| name_of(f)).collect();
    let mut entries = Vec::new();
    let mut records: Vec<Vec<Event>> = Vec::new();
    let mut spools: Vec<Option<File>> = Vec::new();
    let mut all_seq = true;
    for (i, f) in a.files.iter().enumerate() {
        let (record, spool) = scan(f, i, &mut entries, &mut all_seq, &progress)?;
        records.push(record);
        spools.push(spool);
    }
    // A replay prints events in the order they happened, not the order they were recorded; when
    // every event carries the `seq` a replay printed, append them in that original order, so
    // the procedural rules see each after what it followed.
    if all_seq {
        entries.sort_by_key(|e| e.seq);
    }
    progress.appending(entries.len());
    let done = {
        let mut readers: Vec<Option<BufReader<File>>> = a.files.iter().map(|_| None).collect();
        let mut i = 0;
        // Local times are read in the zone of a meeting declared earlier in the import, or of
        // one the store holds (looked up, once, through a second connection: the store itself
        // is busy importing). The store runs `next` on a reader thread of its own, which owns
        // these.
        let zones = Zones::default();
        let lookup = StoreZones::new(store.path());
        let (entries, records, names, spools, progress) = (&entries, &records, &names, &spools, &progress);
        let (files, readers) = (&a.files, &mut readers);
        let next = move || {
            let e = entries.get(i)?;
            i += 1;
            progress.appended(i);
            let f = e.file as usize;
            let input = Input { path: &files[f], name: &names[f], spool: spools[f].as_ref() };
            let zone_of = |m: &MeetingId| zones.of(m, || lookup.zone(m));
            let event = read_event(e, &input, &mut readers[f], &records[f], &zone_of);
            if let Ok(event) = &event {
                zones.learn(event);
            }
            Some(event)
        };
        match store.import(next, ctx.now) {
            Ok(done) => Ok(done),
            Err(ImportError::Input(e)) => Err(e),
            Err(ImportError::Store(StoreError::Refused { index, id, refusal })) => {
                let e = &entries[index];
                let at = if records[e.file as usize].is_empty() {
                    format!(":{}", e.line)
                } else {
                    format!(", event {}", e.line)
                };
                Err(CliError::Refused(format!(
                    "{}{at}: event {id}: {refusal}; nothing was imported",
                    names[e.file as usize]
                )))
            }
            Err(ImportError::Store(other)) => Err(other.into()),
        }
    }?;
    progress.done();
    report(ctx, &a, done, out)
}

/// Prints what an import did.
fn report(ctx: &Context, a: &Args, done: minutes_store::Imported, out: &mut impl Write) -> Result<()> {
    if a.json {
        writeln!(out, "{}", serde_json::json!({ "imported": done.appended, "existed": done.existed }))?;
        return Ok(());
    }
    writeln!(
        out,
        "imported {} event{} into {} ({} already in the log)",
        done.appended,
        if done.appended == 1 { "" } else { "s" },
        ctx.db.path.display(),
        done.existed
    )?;
    Ok(())
}

/// The name of standard input in arguments.
const STDIN: &str = "-";

/// How a file is named in messages.
fn name_of(path: &Path) -> String {
    if path == Path::new(STDIN) {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}

/// Where the second pass reads a file: the file itself, or the copy the first pass spooled.
struct Input<'a> {
    path: &'a Path,
    name: &'a str,
    spool: Option<&'a File>,
}

/// Reads the event an entry points at (local times in JSON read with `zone_of`).
fn read_event(
    e: &Entry,
    input: &Input<'_>,
    reader: &mut Option<BufReader<File>>,
    record: &[Event],
    zone_of: &dyn Fn(&MeetingId) -> Option<Tz>,
) -> Result<Event> {
    let name = input.name;
    let refused = |m: String| CliError::Refused(format!("{name}:{}: {m}", e.line));
    if !record.is_empty() {
        return record
            .get(e.pos as usize)
            .cloned()
            .ok_or_else(|| refused("the record file changed while it was read".into()));
    }
    let offset = e.pos;
    let cannot = |err: std::io::Error| CliError::Refused(format!("{name}: cannot be read: {err}"));
    if reader.is_none() {
        let file = match input.spool {
            Some(spool) => spool.try_clone(),
            None => File::open(input.path),
        };
        *reader = Some(BufReader::new(file.map_err(cannot)?));
    }
    let Some(r) = reader.as_mut() else { return Err(refused("cannot be read".into())) };
    if r.stream_position().map_err(cannot)? != offset {
        r.seek(SeekFrom::Start(offset)).map_err(cannot)?;
    }
    let mut buf = Vec::new();
    r.take(MAX_EVENT_BYTES as u64 + 1).read_until(b'\n', &mut buf).map_err(cannot)?;
    let text = std::str::from_utf8(&buf)
        .map_err(|err| refused(format!("not UTF-8 (byte {})", err.valid_up_to())))?;
    Event::from_json_in(text.trim().trim_start_matches('\u{feff}'), zone_of)
        .map_err(|err| refused(err.to_string()))
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
            indicatif::ProgressStyle::with_template(
                "reading {bar:40} {bytes}/{total_bytes} {msg} ({eta} left)",
            )
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
            b.set_length(events as u64);
        }
    }

    fn appended(&self, n: usize) {
        if let Some(b) = &self.0 {
            if n % 4096 == 0 {
                b.set_message(format!("judged and appended {n} events in one transaction"));
            }
        }
    }

    fn done(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// The first pass over one file: checks that each line is JSON of at most 1 MiB in UTF-8 and
/// notes where it starts and the `seq` it carries; a record file is read whole (they are small).
/// Returns the record file's events, and the copy of an input that cannot be read twice.
fn scan(
    path: &Path,
    file: usize,
    entries: &mut Vec<Entry>,
    all_seq: &mut bool,
    progress: &Progress,
) -> Result<(Vec<Event>, Option<File>)> {
    let name = name_of(path);
    let cannot = |e: std::io::Error| CliError::Refused(format!("{name}: cannot be read: {e}"));
    if path.extension().is_some_and(|x| x == "toml") {
        let src = std::fs::read_to_string(path).map_err(cannot)?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let read_text = |p: &str| std::fs::read_to_string(dir.join(p)).ok();
        let loaded = record::load(&name, &src, &read_text).map_err(|e| CliError::Refused(e.to_string()))?;
        let file = u32::try_from(file).map_err(|_| CliError::Refused("too many files".into()))?;
        let line = |k: usize| {
            u32::try_from(k + 1).map_err(|_| CliError::Refused(format!("{name}: more than 4 billion events")))
        };
        for k in 0..loaded.len() {
            entries.push(Entry { file, line: line(k)?, pos: k as u64, seq: 0 });
        }
        *all_seq &= loaded.is_empty();
        return Ok((loaded, None));
    }
    let spool = || {
        tempfile::tempfile().map_err(|e| {
            CliError::Refused(format!("{name}: no temporary file to hold it while it is read: {e}"))
        })
    };
    let (input, spool): (Box<dyn Read>, Option<File>) = if path == Path::new(STDIN) {
        (Box::new(std::io::stdin().lock()), Some(spool()?))
    } else {
        let f = File::open(path).map_err(cannot)?;
        // A pipe, a FIFO, a terminal, a socket: read once, so it is copied as it is read.
        let regular = f.metadata().map(|m| m.is_file()).unwrap_or(false);
        (Box::new(f), if regular { None } else { Some(spool()?) })
    };
    let mut reader = BufReader::new(Tee { input, copy: spool.as_ref().map(std::io::BufWriter::new) });
    let mut buf = Vec::new();
    let mut offset = 0u64;
    for line_no in 1.. {
        buf.clear();
        // Read at most one byte past the limit, so an overlong line is refused without being
        // read whole.
        let n = (&mut reader).take(MAX_EVENT_BYTES as u64 + 1).read_until(b'\n', &mut buf).map_err(cannot)?;
        if n == 0 {
            break;
        }
        let start = offset;
        offset += n as u64;
        progress.read(n, entries.len());
        let Some(text) = line_text(&buf, &name, line_no)? else { continue };
        // Only the syntax and the `seq` matter here; the event itself is decoded (and any other
        // problem named) in the second pass.
        let seq = seq_of(text).map_err(|e| syntax_error(&name, line_no, &e))?;
        *all_seq &= seq.is_some();
        let file = u32::try_from(file).map_err(|_| CliError::Refused("too many files".into()))?;
        let line = u32::try_from(line_no)
            .map_err(|_| CliError::Refused(format!("{name}: more than 4 billion lines")))?;
        entries.push(Entry { file, line, pos: start, seq: seq.unwrap_or(0) });
    }
    if let Some(copy) = reader.get_mut().copy.as_mut() {
        copy.flush().map_err(cannot)?;
    }
    drop(reader);
    Ok((Vec::new(), spool))
}

/// The event of one line read from a file, trimmed (a byte-order mark too); `None` for a
/// blank line; refused when it is longer than an event may be or not UTF-8.
fn line_text<'a>(buf: &'a [u8], name: &str, line_no: usize) -> Result<Option<&'a str>> {
    if buf.len() > MAX_EVENT_BYTES && !buf.ends_with(b"\n") {
        return Err(CliError::Refused(format!(
            "{name}:{line_no}: the line is longer than 1 MiB, the most one event may take"
        )));
    }
    let text = std::str::from_utf8(buf)
        .map_err(|e| CliError::Refused(format!("{name}:{line_no}: not UTF-8 (byte {})", e.valid_up_to())))?;
    let text = text.trim().trim_start_matches('\u{feff}');
    Ok((!text.is_empty()).then_some(text))
}

/// The `seq` a line of JSON carries, if any; an error only when it is not JSON at all.
fn seq_of(text: &str) -> std::result::Result<Option<u64>, serde_json::Error> {
    if text.starts_with('{') {
        match serde_json::from_str::<SeqOnly>(text) {
            Ok(s) => Ok(s.seq.as_ref().and_then(serde_json::Value::as_u64)),
            Err(e) if e.is_syntax() || e.is_eof() || e.is_io() => Err(e),
            Err(_) => Ok(None),
        }
    } else {
        serde_json::from_str::<serde::de::IgnoredAny>(text).map(|_| None)
    }
}

/// A line that is not JSON, named as the first pass names it.
fn syntax_error(name: &str, line_no: usize, e: &serde_json::Error) -> CliError {
    CliError::Refused(format!("{name}:{line_no}: {e}"))
}

/// Whether the files can be imported in one pass: regular JSON Lines files whose first event
/// carries no `seq`. Then the events are appended in the order of the files, whatever the
/// others carry, and nothing needs to be known before the first is appended: each line is read,
/// checked and decoded as the transaction goes (a line that is not an event stops it, and
/// nothing is written). Standard input, pipes and record files, and a replay's output (whose
/// order is restored from the `seq`s), take the two passes.
fn one_pass(files: &[PathBuf]) -> bool {
    let regular = |f: &PathBuf| {
        f != Path::new(STDIN)
            && !f.extension().is_some_and(|x| x == "toml")
            && std::fs::metadata(f).is_ok_and(|m| m.is_file())
    };
    if files.is_empty() || !files.iter().all(regular) {
        return false;
    }
    let Ok(file) = File::open(&files[0]) else { return false };
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    for line_no in 1.. {
        buf.clear();
        match (&mut reader).take(MAX_EVENT_BYTES as u64 + 1).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(_) => {}
        }
        match line_text(&buf, "", line_no) {
            Ok(None) => continue,
            Ok(Some(text)) => return matches!(seq_of(text), Ok(None)),
            Err(_) => return false,
        }
    }
    false
}

/// The one-pass import (see [`one_pass`]): the store's reader thread reads the files in turn.
/// Returns what was imported, or the refusal named by file and line.
fn import_in_one_pass(
    store: &mut minutes_store::Store,
    files: &[PathBuf],
    now: minutes_core::time::Timestamp,
    progress: &Progress,
) -> Result<minutes_store::Imported> {
    let names: Vec<String> = files.iter().map(|f| name_of(f)).collect();
    // Where the events yielded were, for naming a refused one: the file and line of the
    // first event of each run of consecutive lines (a new file, or after blank lines).
    let mut places: Vec<Place> = Vec::new();
    let mut yielded = 0;
    let zones = Zones::default();
    let lookup = StoreZones::new(store.path());
    let (names_ref, places_ref) = (&names, &mut places);
    let mut file = 0;
    let mut reader: Option<BufReader<File>> = None;
    let mut line_no = 0;
    let mut buf = Vec::new();
    let next = move || loop {
        let name = names_ref.get(file)?;
        let cannot = |e: std::io::Error| CliError::Refused(format!("{name}: cannot be read: {e}"));
        if reader.is_none() {
            match File::open(&files[file]) {
                Ok(f) => reader = Some(BufReader::with_capacity(1 << 16, f)),
                Err(e) => return Some(Err(cannot(e))),
            }
            line_no = 0;
        }
        let r = reader.as_mut()?;
        buf.clear();
        let n = match r.take(MAX_EVENT_BYTES as u64 + 1).read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) => return Some(Err(cannot(e))),
        };
        if n == 0 {
            reader = None;
            file += 1;
            continue;
        }
        line_no += 1;
        progress.read(n, yielded);
        let text = match line_text(&buf, name, line_no) {
            Ok(Some(text)) => text,
            Ok(None) => continue,
            Err(e) => return Some(Err(e)),
        };
        if !places_ref.last().is_some_and(|p| p.file == file && p.line + (yielded - p.first) == line_no) {
            places_ref.push(Place { first: yielded, file, line: line_no });
        }
        yielded += 1;
        let zone_of = |m: &MeetingId| zones.of(m, || lookup.zone(m));
        let event = Event::from_json_in(text, &zone_of).map_err(|err| match seq_of(text) {
            Err(e) => syntax_error(name, line_no, &e),
            Ok(_) => CliError::Refused(format!("{name}:{line_no}: {err}")),
        });
        if let Ok(event) = &event {
            zones.learn(event);
        }
        return Some(event);
    };
    match store.import(next, now) {
        Ok(done) => Ok(done),
        Err(ImportError::Input(e)) => Err(e),
        Err(ImportError::Store(StoreError::Refused { index, id, refusal })) => {
            let at = places.partition_point(|p| p.first <= index).saturating_sub(1);
            let (name, line) =
                places.get(at).map_or(("", 0), |p| (names[p.file].as_str(), p.line + (index - p.first)));
            Err(CliError::Refused(format!("{name}:{line}: event {id}: {refusal}; nothing was imported")))
        }
        Err(ImportError::Store(other)) => Err(other.into()),
    }
}

/// Where a run of events on consecutive lines starts: the index of its first event among those
/// yielded, its file (by index) and line.
struct Place {
    first: usize,
    file: usize,
    line: usize,
}

/// A reader that writes what it reads to `copy` too (the spool of an input read once).
struct Tee<'a> {
    input: Box<dyn Read>,
    copy: Option<std::io::BufWriter<&'a File>>,
}

impl Read for Tee<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.input.read(buf)?;
        if let Some(copy) = self.copy.as_mut() {
            copy.write_all(&buf[..n])?;
        }
        Ok(n)
    }
}

/// The one field the first pass reads.
#[derive(serde::Deserialize)]
struct SeqOnly {
    #[serde(default)]
    seq: Option<serde_json::Value>,
}
