//! `minutes state`: a document at a moment: status, where it stands, text, amendments.

use std::io::Write;

use minutes_core::project::document::document_at;
use minutes_core::project::effective;
use minutes_core::time::TimeArg;

use crate::context::{self, Context};
use crate::error::Result;
use crate::render;

/// Show a document as it stood at a moment: its status, the body before which it stood, its
/// text with the amendments certainly accepted by then, every amendment with its fate, and the
/// events that may or may not have happened yet.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  minutes state wtpf-13/opinion-3 --at \"2013-05-15 10:15\"\n  minutes state WTPF-13/5 --at 2013-05-16T12:00:00+02:00 --json")]
pub struct Args {
    /// The document: its name (wtpf-13/opinion-3) or a symbol (WTPF-13/5)
    document: String,
    /// The moment [default: now]
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    at: Option<TimeArg>,
    /// Answer as the record stood at this moment of recording, before later corrections
    #[arg(long, value_name = "R", value_parser = super::time_arg)]
    as_recorded_at: Option<TimeArg>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let store = ctx.read()?;
    let doc = context::document(&store, &a.document)?;
    let (m, events) = context::document_events(&store, &doc)?;
    let at = match &a.at {
        Some(t) => super::resolve(t, m.zone)?,
        None => ctx.now,
    };
    let recorded = a.as_recorded_at.as_ref().map(|t| super::resolve(t, m.zone)).transpose()?;
    let view = document_at(&effective(&events, recorded.as_ref()), &at);
    let version = events.len() as u64;
    if a.json {
        writeln!(out, "{}", render::state_json(&doc, &at, m.zone, version, &view))?;
    } else {
        write!(out, "{}", render::state_text(&doc, &at, &m, version, &view))?;
    }
    Ok(())
}
