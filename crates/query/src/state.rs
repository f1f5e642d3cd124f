//! `state`: a document at a moment, and the one path every reading of a document's past takes.

use minutes_core::event::{EventKind, Recorded};
use minutes_core::id::{AmendmentId, DocumentName};
use minutes_core::project::document::{Amendment, AmendmentStatus, DocumentAt, DocumentState};
use minutes_core::project::meeting::MeetingState;
use minutes_core::project::timeline::Timeline;
use minutes_core::rules::{amendment_status_name, status_name};
use minutes_core::text::{Clause, Text};
use minutes_core::time::{rfc3339, Timestamp};

use crate::error::Result;
use crate::lookup::Lookup;
use crate::view::{AmendmentView, ClauseNode, Conflict, EventSummary, MaybePending, StateView};
use crate::{Moment, Reader};

impl Reader<'_> {
    /// The document named `doc` (name or symbol) at a moment.
    pub fn state(&self, doc: &str, moment: &Moment) -> Result<StateView> {
        state_of(self.store, self.now, doc, moment)
    }

    /// A document's state and uncertain events at `at`, as the record stands or, with `rec`,
    /// as it stood when only what was recorded by then was known. Every question about a
    /// document's past (state, diff, blame, the marked text) goes through here.
    pub(crate) fn document_at(
        &self,
        doc: &DocumentName,
        at: &Timestamp,
        rec: Option<&Timestamp>,
    ) -> Result<DocumentAt> {
        Lookup::document_at(self.store, doc, at, rec)
    }
}

/// The document named `doc` (name or symbol) at a moment, from any [`Lookup`]: the store (what
/// [`Reader::state`] asks) or a record kept in memory ([`crate::memory::Memory`]); `now` is
/// the default moment.
pub fn state_of<L: Lookup + ?Sized>(l: &L, now: Timestamp, doc: &str, moment: &Moment) -> Result<StateView> {
    let name = l.document(doc)?;
    let meeting = l.meeting(&name.meeting())?;
    let (at, rec) = crate::resolve_moment(now, moment, meeting.zone)?;
    let view = l.document_at(&name, &at, rec.as_ref())?;
    let version = l.stream_version(name.as_str())?;
    let mut timeline = timeline(l, &meeting, &view)?;
    let uncertain = uncertain(l, &view, &mut timeline, &meeting)?;
    let s = view.state.as_ref();
    let (may_be_pending, conflicts) = match s {
        Some(s) => (may_be_pending(s, &uncertain), conflicts(s)),
        None => (Vec::new(), Vec::new()),
    };
    let may_be_pending = {
        let mut all = may_be_pending;
        // Proposals that may not have been made yet.
        for u in uncertain.iter().filter(|u| u.type_name == "AmendmentProposed") {
            if let Some(id) = &u.amendment {
                all.push(MaybePending {
                    id: id.clone(),
                    proposed_by: u.proposed_by.clone().unwrap_or_default(),
                    summary: u.summary.clone().unwrap_or_default(),
                    why: "proposal_uncertain",
                    fate: None,
                });
            }
        }
        all
    };
    Ok(StateView {
        document: name,
        at: rfc3339(&at.with_timezone(&meeting.zone).fixed_offset()),
        as_recorded_at: rec.map(|r| rfc3339(&r.with_timezone(&meeting.zone).fixed_offset())),
        status: s.map(|s| status_name(s.status)),
        version,
        body: s.and_then(|s| s.body.clone()),
        title: s.map(|s| s.title.clone()),
        kind: s.map(|s| s.kind),
        submitted_by: s.map(|s| s.submitted_by.clone()).unwrap_or_default(),
        symbols: s.map(|s| s.symbols.clone()).unwrap_or_default(),
        text: s.and_then(|s| s.text.as_ref()).map(Text::render),
        clauses: s.and_then(|s| s.text.as_ref()).map(clause_tree).unwrap_or_default(),
        amendments: s.map(|s| s.amendments.iter().map(amendment_view).collect()).unwrap_or_default(),
        may_be_pending,
        conflicts,
        uncertain,
        problems: s.map(|s| s.problems.clone()).unwrap_or_default(),
        warnings: l.warnings(),
        meeting: meeting.into_owned(),
    })
}

/// What describing a document's events needs: the meeting's own stream, and the proposals
/// of the amendments a view names.
fn timeline<L: Lookup + ?Sized>(l: &L, meeting: &MeetingState, view: &DocumentAt) -> Result<Timeline> {
    let mut timeline = l.timeline(&meeting.id)?.into_owned();
    if let Some(s) = &view.state {
        timeline.name_document(&s.document, &s.title);
        for a in &s.amendments {
            if let Some(r) = l.event(&a.proposed.id)? {
                timeline.learn(&r.event);
            }
        }
    }
    Ok(timeline)
}

/// The uncertain events of a view, each named by what it is.
fn uncertain<L: Lookup + ?Sized>(
    l: &L,
    view: &DocumentAt,
    timeline: &mut Timeline,
    meeting: &MeetingState,
) -> Result<Vec<EventSummary>> {
    let mut events = Vec::new();
    for u in &view.uncertain {
        if let Some(r) = l.event(&u.id)? {
            timeline.learn(&r.event);
            events.push(r.into_owned());
        }
    }
    Ok(events.iter().map(|r| summary(r, timeline, view.state.as_ref(), &events, meeting)).collect())
}

/// An event named by what it is: its line, and for an amendment's proposal or fate, the
/// amendment, who proposed it and what it proposes.
pub(crate) fn summary(
    r: &Recorded,
    t: &Timeline,
    state: Option<&DocumentState>,
    others: &[Recorded],
    _m: &MeetingState,
) -> EventSummary {
    let e = &r.event;
    let (amendment, fate) = match &e.kind {
        EventKind::AmendmentProposed(p) => (Some(&p.amendment), None),
        EventKind::AmendmentWithdrawn(a) => (Some(&a.amendment), Some("withdrawn")),
        EventKind::AmendmentReferredToReport(a) => (Some(&a.amendment), Some("referred_to_report")),
        EventKind::AmendmentAccepted(a) => (Some(&a.amendment), Some("accepted")),
        EventKind::AmendmentRejected(a) => (Some(&a.amendment), Some("rejected")),
        EventKind::AmendmentTransferred(a) => (Some(&a.amendment), Some("transferred")),
        EventKind::AmendmentSuperseded(a) => (Some(&a.amendment), Some("superseded")),
        EventKind::AmendmentRevised(a) => (Some(&a.amendment), None),
        EventKind::AmendmentSourced(a) => (Some(&a.amendment), None),
        _ => (None, None),
    };
    let proposal = amendment.and_then(|id| proposal_of(id, state, others));
    EventSummary {
        id: e.id,
        type_name: e.type_name(),
        occurred: e.occurred,
        seq: r.seq,
        description: t.describe(e),
        amendment: amendment.cloned(),
        proposed_by: proposal.as_ref().map(|p| p.0.clone()),
        summary: proposal.map(|p| p.1),
        fate,
    }
}

/// Who proposed an amendment and what it proposes: from the state, or from a proposal among
/// `others` (an uncertain one).
fn proposal_of(
    id: &AmendmentId,
    state: Option<&DocumentState>,
    others: &[Recorded],
) -> Option<(Vec<minutes_core::id::ActorId>, String)> {
    if let Some(a) = state.and_then(|s| s.amendment(id)) {
        return Some((a.proposed_by.clone(), a.summary.clone()));
    }
    others.iter().find_map(|r| match &r.event.kind {
        EventKind::AmendmentProposed(p) if &p.amendment == id => {
            Some((r.event.actors.clone(), p.summary.clone()))
        }
        _ => None,
    })
}

/// The certainly proposed amendments that may already have been decided: still pending by
/// the certain events, with a fate among the uncertain ones.
fn may_be_pending(s: &DocumentState, uncertain: &[EventSummary]) -> Vec<MaybePending> {
    s.amendments
        .iter()
        .filter(|a| a.status == AmendmentStatus::Pending)
        .filter_map(|a| {
            let fate = uncertain.iter().find(|u| u.fate.is_some() && u.amendment.as_ref() == Some(&a.id))?;
            Some(MaybePending {
                id: a.id.clone(),
                proposed_by: a.proposed_by.clone(),
                summary: a.summary.clone(),
                why: "fate_uncertain",
                fate: fate.fate,
            })
        })
        .collect()
}

/// Pending amendments that touch the same words of the text in force, each named beside the
/// earlier one it conflicts with.
pub(crate) fn conflicts(s: &DocumentState) -> Vec<Conflict> {
    let Some(text) = &s.text else { return Vec::new() };
    let pending: Vec<&Amendment> = s
        .amendments
        .iter()
        .filter(|a| a.status == AmendmentStatus::Pending && a.wording_known && !a.operations.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, later) in pending.iter().enumerate() {
        for earlier in &pending[..i] {
            if let Some(words) = minutes_core::amend::conflict(text, &later.operations, &earlier.operations) {
                out.push(Conflict { amendment: later.id.clone(), with: earlier.id.clone(), words });
            }
        }
    }
    out
}

/// An amendment as views show it.
pub(crate) fn amendment_view(a: &Amendment) -> AmendmentView {
    AmendmentView {
        id: a.id.clone(),
        proposed_by: a.proposed_by.clone(),
        status: amendment_status_name(a.status),
        wording_known: a.wording_known,
        summary: a.summary.clone(),
        body: a.body.clone(),
        proposed: a.proposed.clone(),
        decided: a.decided.clone(),
        operations: a.operations.clone(),
        contribution: a.contribution.clone(),
    }
}

/// The text's sections and clauses as a tree of paths, labels and words.
pub(crate) fn clause_tree(t: &Text) -> Vec<ClauseNode> {
    fn clauses(parent: &str, cs: &[Clause]) -> Vec<ClauseNode> {
        cs.iter()
            .map(|c| {
                let path = format!("{parent}/{}", c.key);
                ClauseNode {
                    heading: None,
                    label: c.label.clone(),
                    words: Some(c.words.clone()),
                    clauses: clauses(&path, &c.clauses),
                    path,
                }
            })
            .collect()
    }
    t.sections
        .iter()
        .map(|s| ClauseNode {
            path: s.key.clone(),
            heading: Some(s.heading.clone()),
            label: None,
            words: None,
            clauses: clauses(&s.key, &s.clauses),
        })
        .collect()
}
