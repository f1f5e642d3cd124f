//! `minutes history`: every event about a document in order, proposals with their fates.

use std::io::Write;

use minutes_core::event::EventKind;
use minutes_core::project::document::document_latest;
use minutes_core::project::{effective, replay_order};
use minutes_core::project::timeline::{Filter, Timeline};
use minutes_core::rules::amendment_status_name;
use minutes_core::time::show_window;

use crate::context::{self, Context};
use crate::error::Result;
use crate::render;

/// List every event about a document in the order it happened; each proposed amendment shows
/// what became of it.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  minutes history wtpf-13/opinion-5\n  minutes history \"WTPF-13/5 rev. 1\" --json")]
pub struct Args {
    #[command(flatten)]
    doc: super::DocumentArgs,
    /// Print JSON Lines, one event an object
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let store = ctx.read()?;
    let doc = context::document(&store, &a.doc.document)?;
    let m = context::meeting(&store, &doc.meeting())?;
    let recorded = a.doc.as_recorded_at.as_ref().map(|t| super::resolve(t, m.zone)).transpose()?;
    let mut events = effective(&store.meeting(&doc.meeting())?, recorded.as_ref());
    let timeline = Timeline::new(&events);
    let latest = document_latest(events.iter().filter(|r| r.event.document.as_ref() == Some(&doc)));
    replay_order(&mut events);
    let filter = Filter { document: Some(doc.clone()), ..Filter::default() };
    for r in events.iter().filter(|r| timeline.keeps(&filter, &r.event)) {
        if a.json {
            writeln!(out, "{}", render::event_json(r))?;
            continue;
        }
        let mut line = render::event_line(r, &timeline, m.zone);
        if let (EventKind::AmendmentProposed(p), Some(s)) = (&r.event.kind, &latest) {
            if let Some(am) = s.amendment(&p.amendment) {
                let when = am.decided.as_ref().map(|d| format!(" ({})", show_window(&d.occurred, m.zone))).unwrap_or_default();
                line.push_str(&format!("  → {}{when}", amendment_status_name(am.status).replace('_', " ")));
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}
