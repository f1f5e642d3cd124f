//! The procedural rules: what may follow what. One function, [`check`], judges a proposed event
//! against the latest state of its meeting and document, before anything is appended.

use std::collections::HashSet;

use thiserror::Error;

use crate::amend::{self, AmendError};
use crate::event::{Event, EventKind, Phase};
use crate::id::{ActorId, AmendmentId, BodyId, DocumentName, MeetingId, ProposalId};
use crate::ledger::StreamIndex;
use crate::project::document::{AmendmentStatus, DocumentState, Status};
use crate::project::meeting::MeetingState;
use crate::text::TextError;
use crate::time::{self, rfc3339, Timestamp};

/// Why an event may not be appended.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    /// The meeting was never declared.
    #[error("meeting '{0}' was never declared (a MeetingDeclared event must come first)")]
    UnknownMeeting(MeetingId),
    /// The meeting is declared already.
    #[error("meeting '{0}' is already declared")]
    MeetingExists(MeetingId),
    /// A document belongs to another meeting than the event.
    #[error("document '{document}' does not belong to meeting '{meeting}'")]
    ForeignDocument {
        /// The document.
        document: DocumentName,
        /// The event's meeting.
        meeting: MeetingId,
    },
    /// The document does not exist (was never tabled).
    #[error("document '{0}' does not exist (it was never tabled)")]
    UnknownDocument(DocumentName),
    /// The document was tabled already.
    #[error("document '{0}' is already tabled")]
    DocumentExists(DocumentName),
    /// The actor is not registered in the meeting.
    #[error("actor '{0}' is not registered in the meeting")]
    UnknownActor(ActorId),
    /// The actor id is registered already.
    #[error("actor '{0}' is already registered")]
    ActorExists(ActorId),
    /// The body is not declared in the meeting.
    #[error("body '{0}' is not a body of the meeting")]
    UnknownBody(BodyId),
    /// The body id is declared already.
    #[error("body '{0}' is already a body of the meeting")]
    BodyExists(BodyId),
    /// The event type needs a field the event lacks, or must not have one it has.
    #[error("{type_name} {why}")]
    Shape {
        /// The event type.
        type_name: &'static str,
        /// What is wrong.
        why: String,
    },
    /// The occurred window is not a window.
    #[error("occurred: {0}")]
    Window(String),
    /// The window lies outside the meeting's dates and the event is not marked as such.
    #[error("occurred {at} lies outside the meeting's dates ({first} to {last}); mark the event \"phase\": \"preparatory\" or \"follow_up\" if it belongs before or after")]
    OutsideMeeting {
        /// The offending bound.
        at: String,
        /// The meeting's first day.
        first: String,
        /// The meeting's last day.
        last: String,
    },
    /// An amendment id is taken already.
    #[error("amendment '{0}' is already proposed for this document")]
    AmendmentExists(AmendmentId),
    /// The amendment was never proposed.
    #[error("amendment '{0}' was never proposed for this document")]
    UnknownAmendment(AmendmentId),
    /// The amendment's fate is decided already.
    #[error("amendment '{id}' is already {status}; only a pending amendment can be {action}")]
    AmendmentDecided {
        /// The amendment.
        id: AmendmentId,
        /// Its fate.
        status: &'static str,
        /// What was attempted.
        action: &'static str,
    },
    /// A proposal without its words cannot be accepted.
    #[error(
        "amendment '{0}' was recorded without its words (wording_known: false), so it cannot be accepted"
    )]
    NoWording(AmendmentId),
    /// The amendment does not apply to the text.
    #[error("amendment '{id}' does not apply to the text: {error}")]
    DoesNotApply {
        /// The amendment.
        id: AmendmentId,
        /// The failing operation.
        error: AmendError,
    },
    /// The document has no text to amend.
    #[error("document '{0}' has no text in the record, so an amendment with operations cannot apply to it")]
    NoText(DocumentName),
    /// The document's status does not allow the event.
    #[error("document '{document}' is {status}; {why}")]
    Status {
        /// The document.
        document: DocumentName,
        /// Its status.
        status: &'static str,
        /// What the event needs.
        why: &'static str,
    },
    /// A text is not well formed.
    #[error("text: {0}")]
    Text(TextError),
    /// A procedural proposal id is taken already.
    #[error("procedural proposal '{0}' is already made")]
    ProposalExists(ProposalId),
    /// A correction that cannot be made.
    #[error("correction: {0}")]
    Correction(String),
    /// The procedural proposal was never made, or was withdrawn already.
    #[error("procedural proposal '{0}' was never made or is already withdrawn")]
    UnknownProposal(ProposalId),
}

/// The latest state an event is judged against.
pub struct Context<'a> {
    /// The event's meeting, if declared.
    pub meeting: Option<&'a MeetingState>,
    /// The event's document, if it has one and it was tabled.
    pub document: Option<&'a DocumentState>,
    /// Whether another document exists (for events that name several).
    pub document_exists: &'a dyn Fn(&DocumentName) -> bool,
    /// The index of the event's own stream (for corrections).
    pub stream: &'a StreamIndex,
}

/// Judges `e` against the latest state: `Ok` if it may be appended.
pub fn check(e: &Event, ctx: &Context<'_>) -> Result<(), RuleError> {
    let name = e.type_name();
    let shape = |why: &str| RuleError::Shape { type_name: name, why: why.to_string() };
    check_window(e)?;
    if let EventKind::MeetingDeclared(d) = &e.kind {
        if ctx.meeting.is_some() {
            return Err(RuleError::MeetingExists(e.meeting.clone()));
        }
        if e.document.is_some() {
            return Err(shape("is about the meeting: its document must be null"));
        }
        time::zone(&d.time_zone).map_err(|err| shape(&format!("time_zone: {err}")))?;
        if d.first_day > d.last_day {
            return Err(shape("first_day comes after last_day"));
        }
        let mut seen = HashSet::new();
        if let Some(b) = d.bodies.iter().find(|b| !seen.insert(&b.id)) {
            return Err(RuleError::BodyExists(b.id.clone()));
        }
        if let Some(b) = e.body.as_ref().filter(|b| !seen.contains(b)) {
            return Err(RuleError::UnknownBody(b.clone()));
        }
        if let Some(a) = e.actors.first() {
            // No actor can be registered before the meeting that registers it.
            return Err(RuleError::UnknownActor(a.clone()));
        }
        return Ok(());
    }
    let m = ctx.meeting.ok_or_else(|| RuleError::UnknownMeeting(e.meeting.clone()))?;
    match (e.follows, e.precedes) {
        (Some(_), Some(_)) => return Err(shape("gives both follows and precedes; give one place at most")),
        (Some(x), None) | (None, Some(x)) if x == e.id => {
            return Err(shape("names itself in follows or precedes"))
        }
        _ => {}
    }
    // A correction is made when the record learns of a mistake, often long after the meeting.
    if !matches!(e.kind, EventKind::EventCorrected(_)) {
        check_dates(e, m)?;
    }
    if let Some(d) = &e.document {
        if d.meeting() != e.meeting {
            return Err(RuleError::ForeignDocument { document: d.clone(), meeting: e.meeting.clone() });
        }
    }
    if let Some(b) = &e.body {
        if !m.has_body(b) {
            return Err(RuleError::UnknownBody(b.clone()));
        }
    }
    if let Some(a) = e.actors.iter().find(|a| !m.actors.contains_key(*a)) {
        return Err(RuleError::UnknownActor(a.clone()));
    }
    let about_meeting = matches!(
        e.kind,
        EventKind::BodyEstablished(_)
            | EventKind::ActorRegistered(_)
            | EventKind::AttendanceRecorded(_)
            | EventKind::MeetingOpened(_)
            | EventKind::MeetingClosed(_)
            | EventKind::SessionOpened(_)
            | EventKind::SessionSuspended(_)
            | EventKind::SessionResumed(_)
            | EventKind::SessionClosed(_)
            | EventKind::OfficerElected(_)
            | EventKind::OfficeHeld(_)
            | EventKind::ProceduralProposalMade(_)
            | EventKind::ProceduralProposalWithdrawn(_)
    );
    let needs_body = matches!(
        e.kind,
        EventKind::SessionOpened(_)
            | EventKind::SessionSuspended(_)
            | EventKind::SessionResumed(_)
            | EventKind::SessionClosed(_)
            | EventKind::OfficerElected(_)
            | EventKind::OfficeHeld(_)
            | EventKind::DocumentReferred(_)
            | EventKind::ItemTakenUp(_)
            | EventKind::DraftEndorsed(_)
            | EventKind::DraftNotEndorsed(_)
            | EventKind::DraftAdopted(_)
    );
    if about_meeting && e.document.is_some() {
        return Err(shape("is about the meeting or a body: its document must be null"));
    }
    if needs_body && e.body.is_none() {
        return Err(shape("needs the body it happened in (\"body\")"));
    }
    let is_statement = matches!(e.kind, EventKind::StatementMade(_) | EventKind::EventCorrected(_));
    if !about_meeting && !is_statement && e.document.is_none() {
        return Err(shape("is about a document: its document must be given"));
    }

    // The document, for every document event but the one that brings it in.
    let doc = || -> Result<&DocumentState, RuleError> {
        match (&e.document, ctx.document) {
            (_, Some(s)) => Ok(s),
            (Some(d), None) => Err(RuleError::UnknownDocument(d.clone())),
            (None, None) => Err(shape("is about a document: its document must be given")),
        }
    };
    let status_is = |s: &DocumentState, ok: &[Status], why: &'static str| {
        if ok.contains(&s.status) {
            Ok(())
        } else {
            Err(RuleError::Status { document: s.document.clone(), status: status_name(s.status), why })
        }
    };
    const OPEN: &[Status] = &[Status::Tabled, Status::UnderConsideration, Status::Endorsed];

    match &e.kind {
        EventKind::MeetingDeclared(_) => Ok(()),
        EventKind::BodyEstablished(b) => {
            if m.has_body(&b.established.id) {
                Err(RuleError::BodyExists(b.established.id.clone()))
            } else {
                Ok(())
            }
        }
        EventKind::ActorRegistered(a) => {
            if m.actors.contains_key(&a.actor) {
                return Err(RuleError::ActorExists(a.actor.clone()));
            }
            match &a.affiliation {
                Some(x) if !m.actors.contains_key(x) => Err(RuleError::UnknownActor(x.clone())),
                _ => Ok(()),
            }
        }
        EventKind::OfficerElected(_) => {
            if e.actors.len() == 1 {
                Ok(())
            } else {
                Err(shape("names exactly one actor: the person elected"))
            }
        }
        EventKind::OfficeHeld(_) => {
            if e.actors.len() == 1 {
                Ok(())
            } else {
                Err(shape("names exactly one actor: the person who held the office"))
            }
        }
        EventKind::AttendanceRecorded(_)
        | EventKind::MeetingOpened(_)
        | EventKind::MeetingClosed(_)
        | EventKind::SessionOpened(_)
        | EventKind::SessionSuspended(_)
        | EventKind::SessionResumed(_)
        | EventKind::SessionClosed(_) => Ok(()),
        EventKind::StatementMade(_) => match &e.document {
            Some(d) if ctx.document.is_none() => Err(RuleError::UnknownDocument(d.clone())),
            _ => Ok(()),
        },
        EventKind::ProceduralProposalMade(p) => {
            if m.proposals.contains_key(&p.proposal) {
                return Err(RuleError::ProposalExists(p.proposal.clone()));
            }
            if let Some(d) = p.documents.iter().find(|d| d.meeting() != e.meeting) {
                return Err(RuleError::ForeignDocument { document: d.clone(), meeting: e.meeting.clone() });
            }
            match p.documents.iter().find(|d| !(ctx.document_exists)(d)) {
                Some(d) => Err(RuleError::UnknownDocument(d.clone())),
                None => Ok(()),
            }
        }
        EventKind::ProceduralProposalWithdrawn(p) => match m.proposals.get(&p.proposal) {
            Some(x) if !x.withdrawn => Ok(()),
            _ => Err(RuleError::UnknownProposal(p.proposal.clone())),
        },
        EventKind::DocumentTabled(t) => {
            if let (Some(d), Some(_)) = (&e.document, ctx.document) {
                return Err(RuleError::DocumentExists(d.clone()));
            }
            if let Some(text) = &t.text {
                text.validate().map_err(RuleError::Text)?;
            }
            Ok(())
        }
        EventKind::DocumentRevised(r) => {
            let s = doc()?;
            if let Some(text) = &r.text {
                text.validate().map_err(RuleError::Text)?;
            }
            status_is(s, OPEN, "only a document still open can be revised")
        }
        EventKind::DocumentReferred(_) | EventKind::ItemTakenUp(_) => {
            status_is(doc()?, OPEN, "only a document still open can be taken up")
        }
        EventKind::AmendmentProposed(p) => {
            let s = doc()?;
            if !open_then(s, e) {
                status_is(s, OPEN, "amendments can only be proposed to a document still open")?;
            }
            if s.amendment(&p.amendment).is_some() {
                return Err(RuleError::AmendmentExists(p.amendment.clone()));
            }
            match (p.wording_known, p.operations.is_empty()) {
                (false, false) => Err(shape("has operations but says wording_known: false")),
                (true, true) => Err(shape("says wording_known: true but has no operations; record the words as operations, or set wording_known: false")),
                (false, true) => Ok(()),
                (true, false) => applies(s, &p.amendment, &p.operations),
            }
        }
        EventKind::AmendmentWithdrawn(a) => pending(doc()?, e, &a.amendment, "withdrawn").map(|_| ()),
        EventKind::AmendmentReferredToReport(a) => {
            pending(doc()?, e, &a.amendment, "referred to the report").map(|_| ())
        }
        EventKind::AmendmentRejected(a) => pending(doc()?, e, &a.amendment, "rejected").map(|_| ()),
        EventKind::AmendmentTransferred(a) => {
            pending(doc()?, e, &a.amendment, "transferred")?;
            if a.to.meeting() != e.meeting {
                return Err(RuleError::ForeignDocument {
                    document: a.to.clone(),
                    meeting: e.meeting.clone(),
                });
            }
            if (ctx.document_exists)(&a.to) {
                Ok(())
            } else {
                Err(RuleError::UnknownDocument(a.to.clone()))
            }
        }
        EventKind::AmendmentSourced(c) => {
            let s = doc()?;
            if s.amendment(&c.amendment).is_none() {
                return Err(RuleError::UnknownAmendment(c.amendment.clone()));
            }
            if c.contribution.meeting() != e.meeting {
                return Err(RuleError::ForeignDocument {
                    document: c.contribution.clone(),
                    meeting: e.meeting.clone(),
                });
            }
            if (ctx.document_exists)(&c.contribution) {
                Ok(())
            } else {
                Err(RuleError::UnknownDocument(c.contribution.clone()))
            }
        }
        EventKind::AmendmentSuperseded(a) => {
            let s = doc()?;
            pending(s, e, &a.amendment, "superseded")?;
            match s.amendment(&a.by) {
                Some(_) if a.by != a.amendment => Ok(()),
                Some(_) => Err(shape("names the amendment itself as the one agreed in its place")),
                None => Err(RuleError::UnknownAmendment(a.by.clone())),
            }
        }
        EventKind::AmendmentRevised(r) => {
            let s = doc()?;
            pending(s, e, &r.amendment, "revised")?;
            match (r.wording_known, r.operations.is_empty()) {
                (false, false) => Err(shape("has operations but says wording_known: false")),
                (true, true) => Err(shape("says wording_known: true but has no operations; record the words as operations, or set wording_known: false")),
                (false, true) => Ok(()),
                (true, false) => applies(s, &r.amendment, &r.operations),
            }
        }
        EventKind::AmendmentAccepted(a) => {
            let s = doc()?;
            let am = pending(s, e, &a.amendment, "accepted")?;
            if !am.wording_known {
                return Err(RuleError::NoWording(a.amendment.clone()));
            }
            applies(s, &a.amendment, &am.operations)
        }
        EventKind::DraftEndorsed(d) => {
            let s = doc()?;
            if open_then(s, e) {
                // Recorded late: judged as of its own time, before the document closed.
            } else if m.rules.endorsement_requires_consideration {
                status_is(
                    s,
                    &[Status::UnderConsideration],
                    "a draft is endorsed only after a body has taken it up",
                )?;
            } else {
                status_is(s, OPEN, "only a document still open can be endorsed")?;
            }
            if let Some(b) = d.submitted_to.as_ref().filter(|b| !m.has_body(b)) {
                return Err(RuleError::UnknownBody(b.clone()));
            }
            for id in &d.amendments {
                match s.amendment(id) {
                    None => return Err(RuleError::UnknownAmendment(id.clone())),
                    Some(a) if a.status != AmendmentStatus::Accepted => {
                        return Err(shape(&format!(
                            "lists amendment '{id}', which is {} rather than accepted",
                            amendment_status_name(a.status)
                        )))
                    }
                    Some(_) => {}
                }
            }
            Ok(())
        }
        EventKind::DraftNotEndorsed(_) => {
            let s = doc()?;
            if m.rules.endorsement_requires_consideration {
                status_is(
                    s,
                    &[Status::UnderConsideration],
                    "a draft is judged only after a body has taken it up",
                )
            } else {
                status_is(s, OPEN, "only a document still open can be judged")
            }
        }
        EventKind::DraftAdopted(_) => {
            let s = doc()?;
            if m.rules.adoption_requires_endorsement {
                status_is(s, &[Status::Endorsed], "a draft is adopted only after a body endorsed it")
            } else {
                status_is(s, OPEN, "only a document still open can be adopted")
            }
        }
        EventKind::DocumentWithdrawn(_) => {
            status_is(doc()?, OPEN, "only a document still open can be withdrawn")
        }
        EventKind::EventCorrected(c) => {
            if !ctx.stream.contains(&c.corrects) {
                return Err(RuleError::Correction(format!(
                    "event {} is not in the stream of {} (a correction belongs to the stream of the event it corrects: the same document, or the meeting)",
                    c.corrects,
                    e.stream()
                )));
            }
            if ctx.stream.is_correction(&c.corrects) {
                return Err(RuleError::Correction(format!(
                    "event {} is itself a correction; record the withdrawn event again instead",
                    c.corrects
                )));
            }
            if ctx.stream.is_corrected(&c.corrects) {
                return Err(RuleError::Correction(format!("event {} is already corrected", c.corrects)));
            }
            if e.actors.is_empty() && e.recorded_by.is_none() {
                return Err(shape(
                    "names who corrected the record (\"actors\", or the clerk in \"recorded_by\")",
                ));
            }
            if c.reason.trim().is_empty() {
                return Err(shape("gives the reason for the correction"));
            }
            Ok(())
        }
    }
}

fn applies(s: &DocumentState, id: &AmendmentId, ops: &[amend::Operation]) -> Result<(), RuleError> {
    let text = s.text.as_ref().ok_or_else(|| RuleError::NoText(s.document.clone()))?;
    // A text is valid when tabled or revised, and every operation checks the keys it brings
    // in (well formed, unique among their siblings), so an amendment that applies leaves its
    // text valid: whether it applies is all there is to check.
    amend::check(text, ops).map_err(|error| RuleError::DoesNotApply { id: id.clone(), error })
}

/// Whether `e`, about a document that is closed now, happened while it was still open: its
/// window ends before the start of the window of the event that closed the document (an event
/// recorded late, a correction's replacement, is judged as of its own time).
fn open_then(s: &DocumentState, e: &Event) -> bool {
    matches!((e.occurred.to, s.closed_from), (Some(to), Some(closed)) if to < closed)
}

fn pending<'a>(
    s: &'a DocumentState,
    e: &Event,
    id: &AmendmentId,
    action: &'static str,
) -> Result<&'a crate::project::document::Amendment, RuleError> {
    if !matches!(s.status, Status::Tabled | Status::UnderConsideration | Status::Endorsed) && !open_then(s, e)
    {
        return Err(RuleError::Status {
            document: s.document.clone(),
            status: status_name(s.status),
            why: "the fate of an amendment is decided only while its document is open; an adopted text is never changed",
        });
    }
    let a = s.amendment(id).ok_or_else(|| RuleError::UnknownAmendment(id.clone()))?;
    if a.status == AmendmentStatus::Pending {
        Ok(a)
    } else {
        Err(RuleError::AmendmentDecided { id: id.clone(), status: amendment_status_name(a.status), action })
    }
}

fn check_window(e: &Event) -> Result<(), RuleError> {
    match (e.occurred.from, e.occurred.to) {
        (None, None) => Err(RuleError::Window("from and to are both null; give at least one bound".into())),
        (Some(a), Some(b)) if b < a => {
            Err(RuleError::Window(format!("ends ({}) before it starts ({})", rfc3339(&b), rfc3339(&a))))
        }
        _ => Ok(()),
    }
}

fn check_dates(e: &Event, m: &MeetingState) -> Result<(), RuleError> {
    let (start, end) = (m.start(), m.end());
    let outside = |t: &Timestamp| RuleError::OutsideMeeting {
        at: rfc3339(t),
        first: m.first_day.to_string(),
        last: m.last_day.to_string(),
    };
    match e.phase {
        Phase::Meeting => {
            for t in [e.occurred.from, e.occurred.to].iter().flatten() {
                if *t < start || *t > end {
                    return Err(outside(t));
                }
            }
            Ok(())
        }
        Phase::Preparatory => match e.occurred.from {
            Some(t) if t >= end => Err(RuleError::Window(format!(
                "a preparatory event starts before the meeting ends; {} is after it",
                rfc3339(&t)
            ))),
            _ => Ok(()),
        },
        Phase::Unknown => match e.occurred.to {
            Some(t) if t > end => Err(outside(&t)),
            _ => Ok(()),
        },
        Phase::FollowUp => match e.occurred.to {
            Some(t) if t < start => Err(RuleError::Window(format!(
                "a follow-up event ends after the meeting starts; {} is before it",
                rfc3339(&t)
            ))),
            _ => Ok(()),
        },
    }
}

/// The status as the JSON output spells it.
pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Tabled => "tabled",
        Status::UnderConsideration => "under_consideration",
        Status::Endorsed => "endorsed",
        Status::NotEndorsed => "not_endorsed",
        Status::Adopted => "adopted",
        Status::Withdrawn => "withdrawn",
    }
}

/// The amendment status as the JSON output spells it.
pub fn amendment_status_name(s: AmendmentStatus) -> &'static str {
    match s {
        AmendmentStatus::Pending => "pending",
        AmendmentStatus::Accepted => "accepted",
        AmendmentStatus::Withdrawn => "withdrawn",
        AmendmentStatus::ReferredToReport => "referred_to_report",
        AmendmentStatus::Rejected => "rejected",
        AmendmentStatus::Transferred => "transferred",
        AmendmentStatus::Superseded => "superseded",
    }
}
