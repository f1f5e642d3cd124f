//! `minutes replay`: a meeting's events in the order they happened.

use std::io::Write;

use minutes_core::time::TimeArg;
use minutes_query::ReplayFilter;

use crate::context::Context;
use crate::error::Result;
use crate::render;

/// Replay a meeting: its events whose window overlaps [--from, --to), ordered by the start of
/// their window, then in the order the record gives events that share a start, then by the
/// order they were recorded. Actor registrations and the events a correction withdrew are listed
/// after the timeline (with --all, in it); --json prints every event.
///
/// Example: minutes replay wtpf-13 --from "2013-05-15 09:30" --to "2013-05-15 10:10"
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes replay wtpf-13\n  minutes replay wtpf-13 --actor turkey\n  minutes replay wtpf-13 --from 2013-05-15T00:00:00+02:00 --to \"2013-05-16 00:00\" --body \"Working Group 3\" --json"
)]
pub struct Args {
    /// The meeting (wtpf-13)
    meeting: String,
    /// Only events whose window ends at or after T
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    from: Option<TimeArg>,
    /// Only events whose window starts before T
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    to: Option<TimeArg>,
    /// Only events in this body (its id, wg-1, or its printed name, "Working Group 1")
    #[arg(long)]
    body: Option<String>,
    /// Only events by this actor (id or any printed name), and the fates of their proposals
    #[arg(long)]
    actor: Option<String>,
    /// Only events about this document (name or symbol)
    #[arg(long)]
    document: Option<String>,
    /// Answer as the record stood at this moment of recording, before later corrections
    #[arg(long, value_name = "R", value_parser = super::time_arg)]
    as_recorded_at: Option<TimeArg>,
    /// Show the actor registrations (bookkeeping) and the events a correction withdrew in the
    /// timeline, not after it
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    format: super::FormatArgs,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let filter = ReplayFilter {
        from: a.from,
        to: a.to,
        body: a.body,
        actor: a.actor,
        document: a.document,
        as_recorded_at: a.as_recorded_at,
        all: a.all || a.format.json(),
    };
    let view = ctx.ask(|q| q.replay(&a.meeting, &filter))?;
    render::events(out, &view, a.format.json())
}
