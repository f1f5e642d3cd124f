//! `minutes ls`: a meeting's bodies, sessions, actors and documents.

use std::io::Write;

use minutes_core::time::TimeArg;

use crate::context::Context;
use crate::error::Result;
use crate::render;

/// List a meeting: its bodies (with officers), sessions, actors (with the names they go by)
/// and documents, each document with its status, symbols and stream version (the number
/// `--expected-version` compares with). Statuses are as the record stands after all its
/// events, or at --at.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes ls wtpf-13\n  minutes ls wtpf-13 --at \"2013-05-15 12:00\" --json"
)]
pub struct Args {
    /// The meeting (wtpf-13)
    meeting: String,
    /// Give the documents' statuses at this moment
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    at: Option<TimeArg>,
    #[command(flatten)]
    format: super::FormatArgs,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let view = ctx.ask(|q| q.listing(&a.meeting, a.at))?;
    if a.format.json() {
        writeln!(out, "{}", serde_json::to_string(&view).unwrap_or_default())?;
    } else {
        write!(out, "{}", render::listing(&view))?;
    }
    Ok(())
}
