//! `minutes history`: every event about a document in order, proposals with their fates.

use std::io::Write;

use crate::context::Context;
use crate::error::Result;
use crate::render;

/// List every event about a document in the order it happened; each proposed amendment shows
/// what became of it.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes history wtpf-13/opinion-5\n  minutes history \"WTPF-13/5 rev. 1\" --json   # Brazil's draft, by its symbol"
)]
pub struct Args {
    #[command(flatten)]
    doc: super::DocumentArgs,
    #[command(flatten)]
    format: super::FormatArgs,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let view = ctx.ask(|q| q.history(&a.doc.document, a.doc.as_recorded_at))?;
    render::events(out, &view, a.format.json())
}
