//! The text at a moment marked with every change since tabling, each change attributed to the
//! amendment (or revision) that made it: its proposer and its source. The page and the exports
//! draw on it.

use minutes_core::event::{EventKind, Recorded};
use minutes_core::project::diff::{diff, ChangeKind, LineChange};
use minutes_core::project::document::DocumentState;
use minutes_core::project::{effective, replay_order};
use minutes_core::text::Text;
use minutes_core::time::{rfc3339, Certainty};

use crate::error::{QueryError, Result};
use crate::view::{Attribution, MarkedLine, MarkedRun, MarkedText, SourcedRef};
use crate::{resolve, Moment, Reader};

/// The words one step of the fold put in and took out of one line.
struct Step {
    change: usize,
    path: String,
    inserted: Vec<String>,
    deleted: Vec<String>,
}

impl Reader<'_> {
    /// `doc`'s text at a moment, every change since it was tabled marked and attributed.
    pub fn marked_text(&self, doc: &str, moment: &Moment) -> Result<MarkedText> {
        let name = resolve::document(self.store, doc)?;
        let meeting = resolve::meeting(self.store, &name.meeting())?;
        let (at, rec) = self.resolve_moment(moment, meeting.zone)?;
        let mut events: Vec<Recorded> =
            effective(&self.store.document_events_at(name.as_str(), &at)?, rec.as_ref());
        events.retain(|r| r.event.occurred.certainty(&at) == Certainty::Certain);
        replay_order(&mut events);
        // Fold step by step, noting each change of the text and what made it.
        let mut state: Option<DocumentState> = None;
        let mut base: Option<Text> = None;
        let mut changes: Vec<Attribution> = Vec::new();
        let mut steps: Vec<Step> = Vec::new();
        for r in &events {
            let before = state.as_ref().and_then(|s| s.text.clone());
            DocumentState::apply(&mut state, r);
            let after = state.as_ref().and_then(|s| s.text.clone());
            if base.is_none() {
                base.clone_from(&after);
                continue;
            }
            if before == after {
                continue;
            }
            let (amendment, proposed_by, summary) = match (&r.event.kind, &state) {
                (EventKind::AmendmentAccepted(a), Some(s)) => {
                    let x = s.amendment(&a.amendment);
                    (
                        Some(a.amendment.clone()),
                        x.map(|x| x.proposed_by.clone()).unwrap_or_default(),
                        x.map(|x| x.summary.clone()).unwrap_or_default(),
                    )
                }
                (EventKind::DocumentRevised(v), _) => (
                    None,
                    r.event.actors.clone(),
                    format!("revised{}", v.symbol.as_ref().map(|s| format!(" as {s}")).unwrap_or_default()),
                ),
                _ => (None, r.event.actors.clone(), r.event.type_name().to_string()),
            };
            let change = changes.len();
            changes.push(Attribution {
                amendment,
                proposed_by,
                summary,
                event: SourcedRef {
                    id: r.event.id,
                    type_name: r.event.type_name(),
                    occurred: r.event.occurred,
                    seq: r.seq,
                    source: r.event.source.clone(),
                },
            });
            for c in diff(before.as_ref(), after.as_ref()) {
                let mut step =
                    Step { change, path: c.path.clone(), inserted: Vec::new(), deleted: Vec::new() };
                for w in &c.words {
                    match w.op {
                        "insert" => step.inserted.push(w.text.trim().to_string()),
                        "delete" => step.deleted.push(w.text.trim().to_string()),
                        _ => {}
                    }
                }
                steps.push(step);
            }
        }
        let Some(s) = &state else {
            return Err(QueryError::Refused(format!("{name} was not yet tabled at that moment")));
        };
        let Some(now) = &s.text else {
            return Err(QueryError::Refused(format!("the sources give no text of {name}")));
        };
        let lines = mark(base.as_ref(), now, &steps);
        Ok(MarkedText {
            document: name,
            at: rfc3339(&at.with_timezone(&meeting.zone).fixed_offset()),
            lines,
            changes,
            meeting,
        })
    }
}

/// Every line of `now`, and the lines of `base` it lost where they stood, with the words
/// changed since `base` attributed to the step that made them.
fn mark(base: Option<&Text>, now: &Text, steps: &[Step]) -> Vec<MarkedLine> {
    let changed = diff(base, Some(now));
    let depth = |path: &str| path.matches('/').count();
    let attribute = |path: &str, op: &str, text: &str| -> Option<usize> {
        let t = text.trim();
        let runs = |s: &Step| if op == "insert" { s.inserted.clone() } else { s.deleted.clone() };
        // The latest step on the line that put in (or took out) these words, else the latest
        // step on the line at all.
        let mut on_line = steps.iter().rev().filter(|s| s.path == path);
        on_line
            .clone()
            .find(|s| runs(s).iter().any(|w| !w.is_empty() && (w.contains(t) || t.contains(w.as_str()))))
            .or_else(|| on_line.next())
            .map(|s| s.change)
    };
    let line = |c: &LineChange| MarkedLine {
        depth: depth(&c.path),
        change: match c.change {
            ChangeKind::Inserted => "inserted",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Changed => "changed",
        },
        runs: c
            .words
            .iter()
            .map(|w| MarkedRun {
                op: w.op,
                text: w.text.clone(),
                change: (w.op != "equal").then(|| attribute(&c.path, w.op, &w.text)).flatten(),
            })
            .collect(),
        path: c.path.clone(),
    };
    let mut out = Vec::new();
    let mut ci = 0;
    for (i, l) in now.lines().into_iter().enumerate() {
        let key = match (&l.path, i) {
            (Some(p), _) => p.to_string(),
            (None, 0) => "title".to_string(),
            (None, _) => "preamble".to_string(),
        };
        while ci < changed.len() && changed[ci].change == ChangeKind::Deleted && changed[ci].path != key {
            out.push(line(&changed[ci]));
            ci += 1;
        }
        if ci < changed.len() && changed[ci].path == key {
            out.push(line(&changed[ci]));
            ci += 1;
        } else {
            let runs = vec![MarkedRun { op: "equal", text: l.text, change: None }];
            out.push(MarkedLine { depth: depth(&key), change: "kept", runs, path: key });
        }
    }
    out.extend(changed[ci..].iter().map(line));
    out
}
