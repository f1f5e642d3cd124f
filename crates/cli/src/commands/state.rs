//! `minutes state`: a document at a moment: status, where it stands, text, amendments.

use std::io::Write;

use minutes_core::time::TimeArg;
use minutes_query::Moment;

use crate::context::Context;
use crate::error::Result;
use crate::render;

/// Show a document as it stood at a moment: its status, the body before which it stood, its
/// text with the amendments certainly accepted by then (each clause with its path), every
/// amendment with its fate, the amendments that may be pending, pending amendments that
/// conflict, and the events that may or may not have happened yet.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes state wtpf-13/opinion-3 --at \"2013-05-15 10:15\"\n  minutes state WTPF-13/5 --at 2013-05-16T12:00:00+02:00 --json"
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
    let view = ctx.ask(|q| q.state(&a.doc.document, &moment))?;
    if a.format.json() {
        writeln!(out, "{}", serde_json::to_string(&view).unwrap_or_default())?;
    } else {
        write!(out, "{}", render::state(&view))?;
    }
    Ok(())
}
