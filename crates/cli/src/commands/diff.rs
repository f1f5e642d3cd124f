//! `minutes diff`: what changed in a document's text between two moments.

use std::io::Write;

use minutes_core::project::diff::{diff, marked, ChangeKind};
use minutes_core::project::document::{document_at, AmendmentStatus};
use minutes_core::time::{rfc3339, show_local, show_window, TimeArg};
use serde_json::json;

use crate::context::Context;
use crate::error::Result;
use crate::render;

/// Show what changed in a document's text between two moments, clause by clause, with the
/// words inserted {+like this+} and deleted [-like this-], and the amendments accepted in
/// between.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  minutes diff wtpf-13/opinion-5 --from \"2013-05-15 10:00\" --to \"2013-05-16 12:00\"\n  minutes diff wtpf-13/opinion-2 --from \"2013-05-14 00:00\" --to \"2013-05-17 00:00\" --json")]
pub struct Args {
    #[command(flatten)]
    doc: super::DocumentArgs,
    /// The earlier moment
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    from: TimeArg,
    /// The later moment [default: now]
    #[arg(long, value_name = "T", value_parser = super::time_arg)]
    to: Option<TimeArg>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let super::DocumentRecord { name: doc, meeting: m, events, .. } = a.doc.read(&ctx.read()?)?;
    let from = super::resolve(&a.from, m.zone)?;
    let to = super::moment(a.to.as_ref(), m.zone, ctx.now)?;
    let (before, after) = (document_at(&events, &from), document_at(&events, &to));
    let text = |v: &minutes_core::project::document::DocumentAt| v.state.as_ref().and_then(|s| s.text.clone());
    let changes = diff(text(&before).as_ref(), text(&after).as_ref());
    let accepted_before = |id| {
        before.state.as_ref().and_then(|s| s.amendment(id)).is_some_and(|x| x.status == AmendmentStatus::Accepted)
    };
    let accepted: Vec<_> = after
        .state
        .iter()
        .flat_map(|s| &s.amendments)
        .filter(|x| x.status == AmendmentStatus::Accepted && !accepted_before(&x.id))
        .collect();
    if a.json {
        let amendments: Vec<_> = accepted
            .iter()
            .map(|x| json!({ "id": x.id, "proposed_by": x.proposed_by, "summary": x.summary, "accepted": x.decided.as_ref().map(|d| json!({ "id": d.id, "occurred": d.occurred })) }))
            .collect();
        let v = json!({
            "document": doc,
            "from": rfc3339(&from.with_timezone(&m.zone).fixed_offset()),
            "to": rfc3339(&to.with_timezone(&m.zone).fixed_offset()),
            "amendments": amendments,
            "changes": changes,
        });
        writeln!(out, "{v}")?;
        return Ok(());
    }
    writeln!(out, "{doc}: from {} to {} ({})", show_local(&from, m.zone), show_local(&to, m.zone), m.zone)?;
    if accepted.is_empty() {
        writeln!(out, "No amendment accepted in between.")?;
    } else {
        writeln!(out, "Amendments accepted in between:")?;
        for x in &accepted {
            let who = if x.proposed_by.is_empty() { "(proposer not named)".to_string() } else { m.names(&x.proposed_by) };
            let when = x.decided.as_ref().map(|d| show_window(&d.occurred, m.zone)).unwrap_or_default();
            writeln!(out, "  {}  {}: {}  (accepted {when})", x.id, render::printable(&who), render::printable(&x.summary))?;
        }
    }
    if changes.is_empty() {
        writeln!(out, "The text did not change.")?;
    }
    for c in &changes {
        let sign = match c.change {
            ChangeKind::Inserted => "+",
            ChangeKind::Deleted => "-",
            ChangeKind::Changed => "~",
        };
        writeln!(out, "\n{sign} {}", c.path)?;
        for line in render::printable_text(&marked(&c.words)).lines() {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}
