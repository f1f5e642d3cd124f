//! `minutes blame`: each line of a document's text with the event that gave it its wording.

use std::io::Write;

use minutes_core::time::TimeArg;
use minutes_query::Moment;

use crate::context::Context;
use crate::error::Result;
use crate::render;

/// Show each line of a document's text as it stood at a moment, with the event that gave it
/// its current wording: the tabling of the draft, a revision, or an accepted amendment (who
/// proposed it, when, and the source that says so).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes blame wtpf-13/opinion-2\n  minutes blame wtpf-13/opinion-5 --at \"2013-05-16 12:00\" --json"
)]
pub struct Args {
    #[command(flatten)]
    doc: super::DocumentArgs,
    /// The moment [default: now]
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    at: Option<TimeArg>,
    #[command(flatten)]
    format: super::FormatArgs,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let moment = Moment { at: a.at, as_recorded_at: a.doc.as_recorded_at };
    let view = ctx.ask(|q| q.blame(&a.doc.document, &moment))?;
    if a.format.json() {
        writeln!(out, "{}", serde_json::to_string(&view).unwrap_or_default())?;
    } else {
        write!(out, "{}", render::blame(&view))?;
    }
    Ok(())
}
