//! The state of a document: its status, where it stands, its text with accepted amendments
//! applied, every amendment with its fate, and where each clause's wording came from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::amend::{self, Operation};
use crate::event::{DocumentKind, Event, EventKind, Recorded};
use crate::id::{ActorId, AmendmentId, BodyId, DocumentName};
use crate::project::{replay_sort, EventRef};
use crate::text::{ClausePath, Text};
use crate::time::{Certainty, Timestamp};

/// Where a document stands in procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Tabled, not yet before a body.
    Tabled,
    /// Referred to or taken up by a body.
    UnderConsideration,
    /// Endorsed by a body.
    Endorsed,
    /// Not endorsed by a body.
    NotEndorsed,
    /// Adopted by the plenary.
    Adopted,
    /// Withdrawn by its submitters.
    Withdrawn,
}

/// The fate of an amendment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentStatus {
    /// Proposed, not yet decided.
    Pending,
    /// Accepted: its operations apply to the text.
    Accepted,
    /// Withdrawn by its proposer.
    Withdrawn,
    /// Referred to the chairman's report instead of the text.
    ReferredToReport,
    /// Rejected.
    Rejected,
    /// The proposer agreed to take it up under another item instead.
    Transferred,
    /// Another text was agreed in its place.
    Superseded,
}

/// An amendment and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct Amendment {
    /// Its id within the document.
    pub id: AmendmentId,
    /// Who proposed it; empty when the sources name nobody.
    pub proposed_by: Vec<ActorId>,
    /// Its fate so far.
    pub status: AmendmentStatus,
    /// False when the sources report it without its words.
    pub wording_known: bool,
    /// What it proposes, in a line.
    pub summary: String,
    /// The body it was proposed in.
    pub body: Option<BodyId>,
    /// Its changes to the text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<Operation>,
    /// The proposal event.
    pub proposed: EventRef,
    /// The event that decided its fate, if any.
    pub decided: Option<EventRef>,
    /// The contribution it came from, when the sources say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contribution: Option<DocumentName>,
}

/// Where a clause's current wording came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The event that gave it (the tabling, a revision, or an amendment's acceptance).
    pub event: EventRef,
    /// The amendment, when the wording came from one.
    pub amendment: Option<AmendmentId>,
}

/// A document folded from its events.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentState {
    /// Its name.
    pub document: DocumentName,
    /// What kind of document.
    pub kind: DocumentKind,
    /// Its title.
    pub title: String,
    /// Its symbols, the latest last.
    pub symbols: Vec<String>,
    /// Who submitted it.
    pub submitted_by: Vec<ActorId>,
    /// Its status.
    pub status: Status,
    /// The body that has it before it.
    pub body: Option<BodyId>,
    /// Its text in force, if the sources give one.
    pub text: Option<Text>,
    /// Every amendment, in order of proposal.
    pub amendments: Vec<Amendment>,
    /// For each clause path, where its wording came from.
    #[serde(skip)]
    pub origins: BTreeMap<ClausePath, Origin>,
    /// The document it is a forerunner of.
    pub forerunner_of: Option<DocumentName>,
    /// Accepted amendments whose operations no longer applied when folded in this order.
    pub problems: Vec<String>,
    /// When the document closed (adopted, not endorsed, withdrawn): the start of the window of
    /// the event that closed it, if it has one. An event about it recorded later whose window
    /// ends before then is judged as of its own time, when the document was still open.
    #[serde(skip)]
    pub closed_from: Option<crate::time::Timestamp>,
}

impl DocumentState {
    /// Folds one event of the document's stream into `state`. Only `DocumentTabled` brings a
    /// document in; anything before it is ignored. Never fails: an accepted amendment that no
    /// longer applies is noted in `problems`.
    pub fn apply(state: &mut Option<Self>, r: &Recorded) {
        Self::apply_at(state, &r.event, r.seq);
    }

    /// Whether folding an event of this kind can change a document's state: false for the
    /// kinds [`DocumentState::apply_at`] passes over, so that a store need not write anew a
    /// checkpoint of a state only such events followed. Every kind is named, so that a new one
    /// is decided here.
    pub fn changed_by(kind: &EventKind) -> bool {
        use EventKind as K;
        match kind {
            K::MeetingDeclared(_)
            | K::BodyEstablished(_)
            | K::ActorRegistered(_)
            | K::AttendanceRecorded(_)
            | K::MeetingOpened(_)
            | K::MeetingClosed(_)
            | K::SessionOpened(_)
            | K::SessionSuspended(_)
            | K::SessionResumed(_)
            | K::SessionClosed(_)
            | K::OfficerElected(_)
            | K::OfficeHeld(_)
            | K::StatementMade(_)
            | K::ProceduralProposalMade(_)
            | K::ProceduralProposalWithdrawn(_) => false,
            K::DocumentTabled(_)
            | K::DocumentRevised(_)
            | K::DocumentReferred(_)
            | K::ItemTakenUp(_)
            | K::AmendmentProposed(_)
            | K::AmendmentWithdrawn(_)
            | K::AmendmentReferredToReport(_)
            | K::AmendmentAccepted(_)
            | K::AmendmentRevised(_)
            | K::AmendmentSourced(_)
            | K::AmendmentTransferred(_)
            | K::AmendmentSuperseded(_)
            | K::AmendmentRejected(_)
            | K::DraftEndorsed(_)
            | K::DraftNotEndorsed(_)
            | K::DraftAdopted(_)
            | K::DocumentWithdrawn(_)
            | K::EventCorrected(_) => true,
        }
    }

    /// As [`DocumentState::apply`], for an event recorded (or about to be) at `seq`.
    pub fn apply_at(state: &mut Option<Self>, e: &Event, seq: u64) {
        let here = EventRef::at(e, seq);
        if let EventKind::DocumentTabled(t) = &e.kind {
            if state.is_none() {
                if let Some(document) = e.document.clone() {
                    let mut s = Self {
                        document,
                        kind: t.kind,
                        title: t.title.clone(),
                        symbols: t.symbol.iter().cloned().collect(),
                        submitted_by: e.actors.clone(),
                        status: Status::Tabled,
                        body: e.body.clone(),
                        text: t.text.clone(),
                        amendments: Vec::new(),
                        origins: BTreeMap::new(),
                        forerunner_of: t.forerunner_of.clone(),
                        problems: Vec::new(),
                        closed_from: None,
                    };
                    s.set_origins(&here, None, None);
                    *state = Some(s);
                }
            }
            return;
        }
        let Some(s) = state else { return };
        // An event recorded after the document closed whose window ends before its close happened
        // while it was open: it does not reopen it (folds in replay order never see this).
        let late = matches!((e.occurred.to, s.closed_from), (Some(to), Some(c)) if to < c);
        match &e.kind {
            EventKind::DocumentRevised(d) => {
                s.symbols.extend(d.symbol.iter().cloned());
                s.text = d.text.clone();
                s.origins.clear();
                s.set_origins(&here, None, None);
            }
            EventKind::DocumentReferred(_) | EventKind::ItemTakenUp(_) if late => {}
            EventKind::DraftEndorsed(_) | EventKind::DraftNotEndorsed(_) if late => {}
            EventKind::DocumentReferred(_) | EventKind::ItemTakenUp(_) => {
                // A body taking up an endorsed draft (the plenary) does not undo the endorsement.
                if s.status != Status::Endorsed {
                    s.status = Status::UnderConsideration;
                }
                s.body = e.body.clone().or(s.body.take());
            }
            EventKind::AmendmentProposed(p) => s.amendments.push(Amendment {
                id: p.amendment.clone(),
                proposed_by: e.actors.clone(),
                status: AmendmentStatus::Pending,
                wording_known: p.wording_known,
                summary: p.summary.clone(),
                body: e.body.clone(),
                operations: p.operations.clone(),
                proposed: here.clone(),
                decided: None,
                contribution: None,
            }),
            EventKind::AmendmentWithdrawn(a) => s.decide(&a.amendment, AmendmentStatus::Withdrawn, &here),
            EventKind::AmendmentReferredToReport(a) => {
                s.decide(&a.amendment, AmendmentStatus::ReferredToReport, &here)
            }
            EventKind::AmendmentRejected(a) => s.decide(&a.amendment, AmendmentStatus::Rejected, &here),
            EventKind::AmendmentTransferred(a) => s.decide(&a.amendment, AmendmentStatus::Transferred, &here),
            EventKind::AmendmentSuperseded(a) => s.decide(&a.amendment, AmendmentStatus::Superseded, &here),
            EventKind::AmendmentSourced(c) => {
                if let Some(a) = s.amendments.iter_mut().find(|a| a.id == c.amendment) {
                    a.contribution = Some(c.contribution.clone());
                }
            }
            EventKind::AmendmentRevised(r) => {
                if let Some(a) = s.amendments.iter_mut().find(|a| a.id == r.amendment) {
                    a.wording_known = r.wording_known;
                    a.summary = r.summary.clone();
                    a.operations = r.operations.clone();
                }
            }
            EventKind::AmendmentAccepted(a) => {
                s.decide(&a.amendment, AmendmentStatus::Accepted, &here);
                let Some(i) = s.amendments.iter().position(|x| x.id == a.amendment) else { return };
                // Borrowed out of the amendment while the text and origins change.
                let ops = std::mem::take(&mut s.amendments[i].operations);
                if let Some(text) = &mut s.text {
                    match amend::apply_in_place(text, &ops) {
                        Ok(()) => s.set_origins(&here, Some(&a.amendment), Some(&ops)),
                        Err(err) => s.problems.push(format!("amendment {}: {err}", a.amendment)),
                    }
                }
                s.amendments[i].operations = ops;
            }
            EventKind::DraftEndorsed(d) => {
                s.status = Status::Endorsed;
                s.body = d.submitted_to.clone().or(e.body.clone());
            }
            EventKind::DraftNotEndorsed(_) => {
                s.status = Status::NotEndorsed;
                s.body = e.body.clone().or(s.body.take());
                s.closed_from = e.occurred.from;
            }
            EventKind::DraftAdopted(_) => {
                s.status = Status::Adopted;
                s.body = e.body.clone().or(s.body.take());
                s.closed_from = e.occurred.from;
            }
            EventKind::DocumentWithdrawn(_) => {
                s.status = Status::Withdrawn;
                s.closed_from = e.occurred.from;
            }
            _ => {}
        }
    }

    /// The amendment with this id.
    pub fn amendment(&self, id: &AmendmentId) -> Option<&Amendment> {
        self.amendments.iter().find(|a| &a.id == id)
    }

    fn decide(&mut self, id: &AmendmentId, status: AmendmentStatus, at: &EventRef) {
        if let Some(a) = self.amendments.iter_mut().find(|a| &a.id == id) {
            a.status = status;
            a.decided = Some(at.clone());
        }
    }

    /// Records `r` as the origin of the clauses it gave wording to: every clause for a whole
    /// text, or the clauses the operations touched.
    fn set_origins(&mut self, at: &EventRef, amendment: Option<&AmendmentId>, ops: Option<&[Operation]>) {
        let Some(text) = &self.text else { return };
        let origin = Origin { event: at.clone(), amendment: amendment.cloned() };
        let Some(ops) = ops else {
            // A whole text: every clause's wording comes from this event.
            self.origins = text.paths().into_iter().map(|p| (p, origin.clone())).collect();
            return;
        };
        if let Some(edited) = ops.iter().map(Operation::words_of).collect::<Option<Vec<_>>>() {
            // Edits of words only: the clauses stay where they were; the ones edited change origin.
            for path in edited {
                self.origins.insert(path.clone(), origin.clone());
            }
            return;
        }
        // Clauses and sections moved or removed: the origins of paths no longer in the text
        // go, and each path under what an operation brought in takes this origin.
        self.origins.retain(|p, _| present(text, p));
        for op in ops {
            if let Some(path) = op.words_of() {
                // An edit of words gives wording to its clause alone.
                if present(text, path) {
                    self.origins.insert(path.clone(), origin.clone());
                }
            } else if let Some(root) = brought_in(op) {
                for p in text.paths_under(&root) {
                    self.origins.insert(p, origin.clone());
                }
            }
        }
    }
}

/// Whether the text has a line at `p`: a section (no clause keys) or a clause.
fn present(text: &Text, p: &ClausePath) -> bool {
    if p.clauses.is_empty() {
        text.section(&p.section).is_some()
    } else {
        text.clause(p).is_some()
    }
}

/// The clause or section a structural operation brought in, under which every line has its
/// wording from it (edits of words and deletions bring in none).
fn brought_in(op: &Operation) -> Option<ClausePath> {
    match op {
        Operation::InsertWords { .. } | Operation::ReplaceWords { .. } | Operation::DeleteWords { .. } => {
            None
        }
        Operation::ReplaceClause { path, clause } => {
            let mut parent = path.clone();
            parent.clauses.pop();
            Some(parent.child(&clause.key))
        }
        Operation::InsertClause { parent, clause, .. } => Some(parent.child(&clause.key)),
        Operation::InsertSection { section, .. } => {
            Some(ClausePath { section: section.key.clone(), clauses: Vec::new() })
        }
        Operation::DeleteClause { .. } | Operation::DeleteSection { .. } => None,
    }
}

/// A document at a moment: its state from the events certain by then, and the events still
/// uncertain.
#[derive(Debug, Clone)]
pub struct DocumentAt {
    /// The state; `None` if the document was not yet tabled.
    pub state: Option<DocumentState>,
    /// Events whose window contains the moment.
    pub uncertain: Vec<EventRef>,
}

/// Folds a document's events (any order) as they stood at `at`: events certain by then are
/// applied in replay order, events whose window contains `at` are listed as uncertain.
pub fn document_at<'a>(events: impl IntoIterator<Item = &'a Recorded>, at: &Timestamp) -> DocumentAt {
    document_at_from(None, events, at)
}

/// As [`document_at`], starting from `state` (a snapshot of the events before these, all of
/// them certain at `at`) instead of from nothing.
pub fn document_at_from<'a>(
    state: Option<DocumentState>,
    events: impl IntoIterator<Item = &'a Recorded>,
    at: &Timestamp,
) -> DocumentAt {
    let mut sorted: Vec<&Recorded> = events.into_iter().collect();
    replay_sort(&mut sorted, |r| *r);
    let mut state = state;
    let mut uncertain = Vec::new();
    for r in sorted {
        match r.event.occurred.certainty(at) {
            Certainty::Certain => DocumentState::apply(&mut state, r),
            Certainty::Uncertain => uncertain.push(EventRef::of(r)),
            Certainty::NotYet => {}
        }
    }
    DocumentAt { state, uncertain }
}

/// Folds a document's events in the order they were appended, whatever their windows: the
/// latest state, against which a new event is judged.
pub fn document_latest<'a>(events: impl IntoIterator<Item = &'a Recorded>) -> Option<DocumentState> {
    let mut state = None;
    for r in events {
        DocumentState::apply(&mut state, r);
    }
    state
}
