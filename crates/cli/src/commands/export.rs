//! `minutes export`: a document at a moment, or a meeting's timeline, in other people's formats.

use std::io::Write;
use std::path::PathBuf;

use minutes_core::time::TimeArg;
use minutes_query::{Moment, ReplayFilter};

use crate::context::Context;
use crate::error::{CliError, Result};

/// Export a document at a moment (akn, md, html, json) or a meeting's timeline (csv, jsonl,
/// popolo), on stdout.
///
/// A document: `akn` is Akoma Ntoso 3.0 XML (valid against the OASIS schema), the draft as a
/// `statement` and each amendment as an `amendment`, all in one `documentCollection` (or, with
/// --split DIR, one file each in DIR); `md` and `html` are the text as a person reads it with
/// every change since tabling marked and footnoted; `json` is the state with the marked text.
/// A meeting: `csv` (a header row, RFC 4180) and `jsonl` are its timeline, one row an event;
/// `popolo` is Popolo JSON with the Popolo-ORI Amendment extension.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes export wtpf-13/opinion-3 --at \"2013-05-15 10:15\" --format akn\n  minutes export wtpf-13/opinion-2 --format html > opinion-2.html\n  minutes export wtpf-13 --format csv --body wg-2 > wg-2.csv"
)]
pub struct Args {
    /// The document (wtpf-13/opinion-3, or a symbol) or, for csv, jsonl and popolo, the meeting
    target: String,
    /// The format
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// A document's moment [default: now]
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    at: Option<TimeArg>,
    /// Answer as the record stood at this moment of recording, before later corrections
    #[arg(long, value_name = "R", value_parser = super::time_arg)]
    as_recorded_at: Option<TimeArg>,
    /// akn: write the statement and each amendment as separate files in DIR (created if
    /// absent) and print their names, instead of one documentCollection on stdout
    #[arg(long, value_name = "DIR")]
    split: Option<PathBuf>,
    /// A timeline's events whose window ends at or after T
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    from: Option<TimeArg>,
    /// A timeline's events whose window starts before T
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    to: Option<TimeArg>,
    /// A timeline's events in this body (id or printed name)
    #[arg(long)]
    body: Option<String>,
    /// A timeline's events by this actor (id or printed name)
    #[arg(long)]
    actor: Option<String>,
    /// A timeline's events about this document (name or symbol)
    #[arg(long)]
    document: Option<String>,
}

/// An export format.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    /// A document as Akoma Ntoso 3.0 XML.
    Akn,
    /// A document as Markdown, its changes marked and footnoted.
    Md,
    /// A document as HTML, its changes marked (ins/del) and footnoted.
    Html,
    /// A document's state with its marked text, as JSON.
    Json,
    /// A meeting's timeline as CSV.
    Csv,
    /// A meeting's timeline as JSON Lines.
    Jsonl,
    /// A meeting as Popolo JSON.
    Popolo,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let moment = Moment { at: a.at, as_recorded_at: a.as_recorded_at };
    let document_format =
        matches!(a.format, ExportFormat::Akn | ExportFormat::Md | ExportFormat::Html | ExportFormat::Json);
    let timeline_flags =
        a.from.is_some() || a.to.is_some() || a.body.is_some() || a.actor.is_some() || a.document.is_some();
    if document_format && timeline_flags {
        return Err(CliError::Usage(
            "--from, --to, --body, --actor and --document filter a meeting's timeline (csv, jsonl, popolo), not a document".into(),
        ));
    }
    if !document_format && a.at.is_some() {
        return Err(CliError::Usage(
            "--at names a document's moment (akn, md, html, json), not a timeline's".into(),
        ));
    }
    if a.split.is_some() && a.format != ExportFormat::Akn {
        return Err(CliError::Usage("--split writes Akoma Ntoso files: use it with --format akn".into()));
    }
    if document_format
        && !a.target.contains('/')
        && ctx.ask(|q| Ok::<_, CliError>(q.listing(&a.target, None).is_ok()))?
    {
        return Err(CliError::Usage(format!(
            "'{}' is a meeting, not a document: a meeting exports as csv, jsonl or popolo; a document (MEETING/SLUG) as akn, md, html or json",
            a.target
        )));
    }
    if !document_format && a.target.contains('/') {
        return Err(CliError::Usage(format!(
            "'{}' is a document: a document exports as akn, md, html or json; a meeting as csv, jsonl or popolo",
            a.target
        )));
    }
    let filter = ReplayFilter {
        from: a.from,
        to: a.to,
        body: a.body,
        actor: a.actor,
        document: a.document,
        as_recorded_at: a.as_recorded_at,
        // A timeline export is data for tools: every event, as `replay --json` prints them.
        all: true,
    };
    let text = match a.format {
        ExportFormat::Akn => match &a.split {
            None => ctx.ask(|q| minutes_export::akn::document(q, &a.target, &moment))?,
            Some(dir) => {
                let files = ctx.ask(|q| minutes_export::akn::files(q, &a.target, &moment))?;
                std::fs::create_dir_all(dir).map_err(|e| {
                    CliError::Refused(format!("the directory {} cannot be created: {e}", dir.display()))
                })?;
                let mut names = String::new();
                for (name, xml) in files {
                    let path = dir.join(&name);
                    std::fs::write(&path, xml).map_err(|e| {
                        CliError::Refused(format!("{} cannot be written: {e}", path.display()))
                    })?;
                    names.push_str(&format!("{}\n", path.display()));
                }
                names
            }
        },
        ExportFormat::Md => ctx.ask(|q| minutes_export::marked::markdown(q, &a.target, &moment))?,
        ExportFormat::Html => ctx.ask(|q| minutes_export::marked::html(q, &a.target, &moment))?,
        ExportFormat::Json => ctx.ask(|q| minutes_export::marked::json(q, &a.target, &moment))?,
        ExportFormat::Csv => ctx.ask(|q| minutes_export::timeline::csv(q, &a.target, &filter))?,
        ExportFormat::Jsonl => ctx.ask(|q| minutes_export::timeline::jsonl(q, &a.target, &filter))?,
        ExportFormat::Popolo => ctx.ask(|q| minutes_export::popolo::popolo(q, &a.target, &filter))?,
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}
