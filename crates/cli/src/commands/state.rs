//! `minutes state`: a document at a moment: status, where it stands, text, amendments.

use std::io::Write;

use minutes_core::project::document::document_at;
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
    #[command(flatten)]
    doc: super::DocumentArgs,
    /// The moment [default: now]
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    at: Option<TimeArg>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

/// Runs the command. The record as it stands is asked of the store, which reads only the
/// document's events that can matter at T (through its index, from a snapshot when one
/// holds); the record as it stood (`--as-recorded-at`) is folded from the document's stream.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let store = ctx.read()?;
    let (doc, m, at, version, view) = if a.doc.as_recorded_at.is_none() {
        let doc = context::document(&store, &a.doc.document)?;
        let m = context::meeting(&store, &doc.meeting())?;
        let at = super::moment(a.at.as_ref(), m.zone, ctx.now)?;
        let view = store.document_state_at(doc.as_str(), &at)?;
        let version = store.stream_version(doc.as_str())?;
        (doc, m, at, version, view)
    } else {
        let super::DocumentRecord { name, meeting, events, version } = a.doc.read(&store)?;
        let at = super::moment(a.at.as_ref(), meeting.zone, ctx.now)?;
        let view = document_at(&events, &at);
        (name, meeting, at, version, view)
    };
    if a.json {
        writeln!(out, "{}", render::state_json(&doc, &at, m.zone, version, &view))?;
    } else {
        write!(out, "{}", render::state_text(&doc, &at, &m, version, &view))?;
    }
    Ok(())
}
