//! `minutes diff`: what changed in a document's text between two moments.

use std::io::Write;

use minutes_core::id::EventId;
use minutes_core::time::TimeArg;
use minutes_query::diff::Anchor;

use crate::context::Context;
use crate::error::Result;
use crate::render;

/// Show what changed in a document's text between two moments, clause by clause, with the
/// words inserted {+like this+} and deleted [-like this-], and the amendments accepted in
/// between. Either end may be a time or an event (the moment its window ends, when it had
/// certainly happened).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes diff wtpf-13/opinion-5 --from \"2013-05-15 10:00\" --to \"2013-05-16 12:00\"\n  minutes diff wtpf-13/opinion-2 --from \"2013-05-14 00:00\" --to \"2013-05-17 00:00\" --json\n  minutes diff wtpf-13/opinion-2 --from-event 0190f3a0-... --to-event 0190f3a0-..."
)]
pub struct Args {
    #[command(flatten)]
    doc: super::DocumentArgs,
    /// The earlier moment
    #[arg(long, value_name = "T", value_parser = super::time_arg, required_unless_present = "from_event", conflicts_with = "from_event")]
    from: Option<TimeArg>,
    /// The earlier moment: when this event had certainly happened (the end of its window)
    #[arg(long, value_name = "ID", value_parser = event_id)]
    from_event: Option<EventId>,
    /// The later moment [default: now]
    #[arg(long, value_name = "T", value_parser = super::time_arg, conflicts_with = "to_event")]
    to: Option<TimeArg>,
    /// The later moment: when this event had certainly happened
    #[arg(long, value_name = "ID", value_parser = event_id)]
    to_event: Option<EventId>,
    #[command(flatten)]
    format: super::FormatArgs,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let anchor = |t: Option<TimeArg>, e: Option<EventId>| match (t, e) {
        (Some(t), _) => Anchor::Time(t),
        (None, Some(e)) => Anchor::Event(e),
        (None, None) => Anchor::Now,
    };
    let (from, to) = (anchor(a.from, a.from_event), anchor(a.to, a.to_event));
    let view = ctx.ask(|q| q.diff(&a.doc.document, from, to, a.doc.as_recorded_at))?;
    if a.format.json() {
        writeln!(out, "{}", serde_json::to_string(&view).unwrap_or_default())?;
    } else {
        write!(out, "{}", render::diff(&view))?;
    }
    Ok(())
}

/// Reads an event id (a UUID, as `replay --json` and `history --json` print them).
fn event_id(s: &str) -> Result<EventId, String> {
    uuid::Uuid::parse_str(s.trim())
        .map(EventId)
        .map_err(|_| format!("'{s}' is not an event id (a UUID, as replay --json prints them)"))
}
