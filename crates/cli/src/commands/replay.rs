//! `minutes replay`: a meeting's events in the order they happened.

use std::io::Write;

use minutes_core::id::BodyId;
use minutes_core::project::{effective, replay_order};
use minutes_core::project::timeline::{Filter, Timeline};
use minutes_core::time::TimeArg;

use crate::context::{self, Context};
use crate::error::{CliError, Result};
use crate::render;

/// Replay a meeting: its events whose window overlaps [--from, --to), ordered by the start of
/// their window, then by the order they were recorded.
///
/// Example: minutes replay wtpf-13 --from "2013-05-15 09:30" --to "2013-05-15 10:10"
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  minutes replay wtpf-13\n  minutes replay wtpf-13 --actor turkey\n  minutes replay wtpf-13 --from 2013-05-15T00:00:00+02:00 --to \"2013-05-16 00:00\" --body wg-3 --json")]
pub struct Args {
    /// The meeting (wtpf-13)
    meeting: String,
    /// Only events whose window ends at or after T
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    from: Option<TimeArg>,
    /// Only events whose window starts before T
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    to: Option<TimeArg>,
    /// Only events in this body (plenary, wg-1...)
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
    /// Print JSON Lines, one event an object
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let store = ctx.read()?;
    let id = context::meeting_id(&a.meeting)?;
    let m = context::meeting(&store, &id)?;
    let mut filter = Filter {
        from: a.from.as_ref().map(|t| super::resolve(t, m.zone)).transpose()?,
        to: a.to.as_ref().map(|t| super::resolve(t, m.zone)).transpose()?,
        ..Filter::default()
    };
    if let Some(b) = &a.body {
        let body = BodyId::new(b).ok().filter(|b| m.has_body(b));
        let known: Vec<&str> = m.bodies.iter().map(|b| b.id.as_str()).collect();
        filter.body = Some(body.ok_or_else(|| CliError::Refused(format!("'{b}' is not a body of {id}; its bodies: {}", known.join(", "))))?);
    }
    if let Some(x) = &a.actor {
        filter.actor = Some(
            m.find_actor(x).cloned().ok_or_else(|| CliError::Refused(format!("no actor of {id} has the id or name '{x}'")))?,
        );
    }
    if let Some(d) = &a.document {
        filter.document = Some(context::document(&store, d)?);
    }
    let recorded = a.as_recorded_at.as_ref().map(|t| super::resolve(t, m.zone)).transpose()?;
    let mut events = effective(&store.meeting(&id)?, recorded.as_ref());
    let timeline = Timeline::new(&events);
    replay_order(&mut events);
    for r in events.iter().filter(|r| timeline.keeps(&filter, &r.event)) {
        if a.json {
            writeln!(out, "{}", render::event_json(r))?;
        } else {
            writeln!(out, "{}", render::event_line(r, &timeline, m.zone))?;
        }
    }
    Ok(())
}
