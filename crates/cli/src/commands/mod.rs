//! The subcommands: one file each, with an `Args` struct (its doc comments are the `--help`
//! text) and a `run` function. One flat `match` dispatches.

mod append;
mod backup;
mod blame;
mod checkpoint;
mod diff;
mod export;
mod history;
mod import;
mod init;
mod ls;
mod migrate;
mod proof;
mod record;
mod replay;
mod report;
mod serve;
mod snapshots;
mod state;
mod sync;
mod upgrade;
mod verify;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use minutes_core::id::Clerk;
use minutes_core::time::TimeArg;
use minutes_query::Location;

use crate::context::Context;
use crate::error::CliError;

/// Record, replay and query the procedural history of formal meetings.
///
/// Every procedural event (a draft tabled, an amendment proposed, withdrawn or accepted, a draft
/// endorsed or adopted) is an immutable fact in an append-only SQLite log; the state of any
/// document, its status and its full text, is rebuilt from it at any moment. Without a store,
/// read commands read the bundled record of WTPF-13 (Geneva, 14-16 May 2013).
#[derive(Parser)]
#[command(name = "minutes", version, propagate_version = true, max_term_width = 100)]
struct Cli {
    /// The store: one SQLite file, or a PostgreSQL database named by a URL without a password
    /// (postgres://HOST[:PORT]/DATABASE?user=USER; the password comes from PGPASSFILE, ~/.pgpass
    /// or PGPASSWORD) [default: $MINUTES_DB, else ./minutes.db]. A store named here or by
    /// MINUTES_DB must exist (only `init` creates one); reads never write to it
    #[arg(long, global = true, value_name = "PATH|URL")]
    db: Option<PathBuf>,

    /// Who is recording: stamped as "recorded_by" on the events written without one
    #[arg(long, global = true, value_name = "NAME", env = "MINUTES_CLERK", value_parser = clerk_arg)]
    clerk: Option<Clerk>,

    /// A key file kept outside the store: snapshots are signed with it when built and must be
    /// signed with it to be trusted when read (without it only their digest is checked)
    #[arg(long, global = true, value_name = "FILE", env = "MINUTES_SNAPSHOT_KEY")]
    snapshot_key: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Replay(replay::Args),
    State(state::Args),
    History(history::Args),
    Diff(diff::Args),
    Blame(blame::Args),
    Export(export::Args),
    Report(report::Args),
    Import(import::Args),
    Append(append::Args),
    Record(Box<record::Args>),
    Verify(verify::Args),
    Proof(proof::Args),
    Init(init::Args),
    Snapshots(snapshots::Args),
    #[command(visible_alias = "show")]
    Ls(ls::Args),
    Backup(backup::Args),
    Upgrade(upgrade::Args),
    Checkpoint(checkpoint::Args),
    Keygen(checkpoint::KeygenArgs),
    Serve(serve::Args),
    Migrate(migrate::Args),
    Sync(sync::Args),
}

/// Parses the command line, runs the command, prints any error and picks the exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let ctx = match context(cli.db, cli.clerk, cli.snapshot_key) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let out = &mut std::io::stdout().lock();
    let result = match cli.command {
        Command::Replay(a) => replay::run(&ctx, a, out),
        Command::State(a) => state::run(&ctx, a, out),
        Command::History(a) => history::run(&ctx, a, out),
        Command::Diff(a) => diff::run(&ctx, a, out),
        Command::Blame(a) => blame::run(&ctx, a, out),
        Command::Export(a) => export::run(&ctx, a, out),
        Command::Report(a) => report::run(&ctx, a, out),
        Command::Import(a) => import::run(&ctx, a, out),
        Command::Append(a) => append::run(&ctx, a, out),
        Command::Record(a) => record::run(&ctx, *a, out),
        Command::Verify(a) => verify::run(&ctx, a, out),
        Command::Proof(a) => proof::run(&ctx, a, out),
        Command::Init(a) => init::run(&ctx, a, out),
        Command::Snapshots(a) => snapshots::run(&ctx, a, out),
        Command::Ls(a) => ls::run(&ctx, a, out),
        Command::Backup(a) => backup::run(&ctx, a, out),
        Command::Upgrade(a) => upgrade::run(&ctx, a, out),
        Command::Checkpoint(a) => checkpoint::run(&ctx, a, out),
        Command::Keygen(a) => checkpoint::keygen(a, out),
        Command::Serve(a) => serve::run(&ctx, a, out),
        Command::Migrate(a) => migrate::run(&ctx, a, out),
        Command::Sync(a) => sync::run(&ctx, a, out),
    };
    let flushed = out.flush().map_err(CliError::from);
    match result.and(flushed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn fail(e: CliError) -> ExitCode {
    let code = e.exit_code();
    if code != 0 {
        say(&e.to_string());
    }
    ExitCode::from(code)
}

/// The one way a message reaches stderr (`minutes: MESSAGE`): messages echo input and the log
/// (names, fields, paths, words), so they are shown escaped, as every rendering is.
pub(crate) fn say(message: &str) {
    eprintln!("minutes: {}", crate::render::printable_text(message));
}

fn context(db: Option<PathBuf>, clerk: Option<Clerk>, key: Option<PathBuf>) -> Result<Context, CliError> {
    let db = Location::choose(db, std::env::var_os("MINUTES_DB").map(PathBuf::from));
    // MINUTES_NOW pins the clock (for tests and for recording a past meeting reproducibly).
    let now = match std::env::var("MINUTES_NOW") {
        Ok(s) => chrono::DateTime::parse_from_rfc3339(&s)
            .map_err(|_| CliError::Usage(format!("MINUTES_NOW '{s}' is not RFC 3339 with an offset")))?,
        Err(_) => chrono::Utc::now().fixed_offset(),
    };
    let snapshot_key = key
        .map(|k| {
            let bytes = std::fs::read(&k).map_err(|e| {
                CliError::Refused(format!("the snapshot key {} cannot be read: {e}", k.display()))
            })?;
            // A key written by an editor keeps its final newline out of the key.
            let bytes = bytes.strip_suffix(b"\n").map(<[u8]>::to_vec).unwrap_or(bytes);
            if bytes.len() < 16 {
                return Err(CliError::Refused(format!(
                    "the snapshot key {} holds {} bytes: a key needs at least 16",
                    k.display(),
                    bytes.len()
                )));
            }
            Ok(bytes)
        })
        .transpose()?;
    Ok(Context { db, now, clerk, snapshot_key })
}

/// The document a command reads, and which record: as it stands, or as it stood when the
/// record knew only what was recorded by a moment.
#[derive(clap::Args)]
struct DocumentArgs {
    /// The document: its name (wtpf-13/opinion-3) or a symbol (WTPF-13/5)
    document: String,
    /// Answer as the record stood at this moment of recording, before later corrections
    #[arg(long, value_name = "R", value_parser = time_arg)]
    as_recorded_at: Option<TimeArg>,
}

/// How a command prints its answer: for a person, or as JSON.
#[derive(clap::Args)]
struct FormatArgs {
    /// Print for a person (text) or as JSON
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<Format>,
    /// Print JSON (the same as --format json)
    #[arg(long, conflicts_with = "format")]
    json: bool,
}

/// An output format.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// For a person to read.
    Text,
    /// JSON.
    Json,
}

impl FormatArgs {
    /// Whether to print JSON.
    fn json(&self) -> bool {
        self.json || self.format == Some(Format::Json)
    }
}

/// Reads a clerk's name (`--clerk`, `MINUTES_CLERK`).
fn clerk_arg(s: &str) -> Result<Clerk, String> {
    Clerk::new(s).map_err(|e| e.to_string())
}

/// Reads a time argument: RFC 3339 with an offset, or `YYYY-MM-DD HH:MM` in the meeting's zone.
fn time_arg(s: &str) -> Result<TimeArg, String> {
    TimeArg::parse(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    /// The command-line reference, `crates/cli/CLI.md`, is generated from the clap
    /// definitions above; this test fails when it is stale. `UPDATE_CLI_DOC=1 cargo test -p
    /// minutes-cli` writes it anew.
    #[test]
    fn the_cli_reference_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("CLI.md");
        let options = clap_markdown::MarkdownOptions::new().show_footer(false).show_table_of_contents(true);
        let fresh = format!(
            "<!-- Generated from the clap definitions of crates/cli/src/commands by `UPDATE_CLI_DOC=1 cargo test -p minutes-cli`; do not edit. -->\n\n{}",
            clap_markdown::help_markdown_custom::<super::Cli>(&options)
        );
        if std::env::var_os("UPDATE_CLI_DOC").is_some() {
            std::fs::write(&path, &fresh).expect("CLI.md is writable");
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            kept == fresh,
            "crates/cli/CLI.md is stale: run `UPDATE_CLI_DOC=1 cargo test -p minutes-cli` and commit it"
        );
    }
}
