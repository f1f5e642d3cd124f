//! The meeting timeline: which events a replay shows, and how a person reads each one.

use std::collections::HashMap;

use crate::event::{Account, Event, EventKind, Phase, Recorded, Role, Stance};
use crate::id::{ActorId, AmendmentId, BodyId, DocumentName, ProposalId};
use crate::project::meeting::MeetingState;
use crate::time::Timestamp;

/// What a replay keeps: events whose window overlaps `[from, to)` and that match every filter
/// given.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep events whose window ends at or after this.
    pub from: Option<Timestamp>,
    /// Keep events whose window starts before this.
    pub to: Option<Timestamp>,
    /// Keep events in this body.
    pub body: Option<BodyId>,
    /// Keep events by this actor, and the fates of their proposals.
    pub actor: Option<ActorId>,
    /// Keep events about this document.
    pub document: Option<DocumentName>,
}

/// What replay needs to know about a whole meeting: its state, the documents' titles, and who
/// proposed each amendment and procedural proposal.
#[derive(Clone)]
pub struct Timeline {
    /// The meeting as declared (when it is).
    pub meeting: Option<MeetingState>,
    titles: HashMap<DocumentName, String>,
    proposers: HashMap<(DocumentName, AmendmentId), Vec<ActorId>>,
    procedural: HashMap<ProposalId, Vec<ActorId>>,
}

impl Timeline {
    /// Learns the meeting from all its events, in appending order.
    pub fn new<'a>(events: impl IntoIterator<Item = &'a Recorded>) -> Self {
        let mut t = Self {
            meeting: None,
            titles: HashMap::new(),
            proposers: HashMap::new(),
            procedural: HashMap::new(),
        };
        for r in events {
            t.learn(&r.event);
        }
        t
    }

    /// Learns one event.
    pub fn learn(&mut self, e: &Event) {
        if e.document.is_none() {
            MeetingState::apply(&mut self.meeting, e);
        }
        match (&e.kind, &e.document) {
            (EventKind::DocumentTabled(t), Some(d)) => {
                self.titles.entry(d.clone()).or_insert_with(|| t.title.clone());
            }
            (EventKind::AmendmentProposed(p), Some(d)) => {
                self.proposers.insert((d.clone(), p.amendment.clone()), e.actors.clone());
            }
            (EventKind::ProceduralProposalMade(p), _) => {
                self.procedural.insert(p.proposal.clone(), e.actors.clone());
            }
            _ => {}
        }
    }

    /// Learns a document's title without its tabling event (a reader that did not load it).
    pub fn name_document(&mut self, d: &DocumentName, title: &str) {
        self.titles.entry(d.clone()).or_insert_with(|| title.to_string());
    }

    /// Whether `e` passes `f`.
    pub fn keeps(&self, f: &Filter, e: &Event) -> bool {
        if !e.occurred.overlaps(f.from.as_ref(), f.to.as_ref()) {
            return false;
        }
        if f.body.as_ref().is_some_and(|b| e.body.as_ref() != Some(b)) {
            return false;
        }
        if let Some(d) = &f.document {
            let about = e.document.as_ref() == Some(d)
                || matches!(&e.kind, EventKind::ProceduralProposalMade(p) if p.documents.contains(d))
                || matches!(&e.kind, EventKind::ProceduralProposalWithdrawn(p)
                    if self.procedural_documents(&p.proposal).contains(d));
            if !about {
                return false;
            }
        }
        if let Some(a) = &f.actor {
            if !e.actors.contains(a) && !self.proposed_by(e).contains(a) {
                return false;
            }
        }
        true
    }

    fn procedural_documents(&self, _p: &ProposalId) -> Vec<DocumentName> {
        self.meeting
            .as_ref()
            .and_then(|m| m.proposals.get(_p))
            .map(|p| p.documents.clone())
            .unwrap_or_default()
    }

    /// Who proposed what `e` decides (an amendment's or a procedural proposal's fate).
    pub fn proposed_by(&self, e: &Event) -> &[ActorId] {
        let amendment = match &e.kind {
            EventKind::AmendmentWithdrawn(a) => Some(&a.amendment),
            EventKind::AmendmentRevised(a) => Some(&a.amendment),
            EventKind::AmendmentSourced(a) => Some(&a.amendment),
            EventKind::AmendmentTransferred(a) => Some(&a.amendment),
            EventKind::AmendmentSuperseded(a) => Some(&a.amendment),
            EventKind::AmendmentReferredToReport(a) => Some(&a.amendment),
            EventKind::AmendmentAccepted(a) => Some(&a.amendment),
            EventKind::AmendmentRejected(a) => Some(&a.amendment),
            _ => None,
        };
        if let (Some(a), Some(d)) = (amendment, &e.document) {
            return self.proposers.get(&(d.clone(), a.clone())).map_or(&[], Vec::as_slice);
        }
        if let EventKind::ProceduralProposalWithdrawn(p) = &e.kind {
            return self.procedural.get(&p.proposal).map_or(&[], Vec::as_slice);
        }
        &[]
    }

    /// A document's title, or its name.
    pub fn title<'a>(&'a self, d: &'a DocumentName) -> &'a str {
        self.titles.get(d).map_or(d.as_str(), String::as_str)
    }

    /// One line for a person: who did what to which document.
    pub fn describe(&self, e: &Event) -> String {
        let names = |ids: &[ActorId]| match &self.meeting {
            Some(m) => m.names(ids),
            None => ids.iter().map(ActorId::as_str).collect::<Vec<_>>().join(", "),
        };
        let who = names(&e.actors);
        let unnamed = unnamed(e, &self.meeting);
        let who_or = || if who.is_empty() { unnamed.clone() } else { who.clone() };
        let doc = e.document.as_ref().map(|d| format!("{} ({d})", self.title(d))).unwrap_or_default();
        let body = |b: &Option<BodyId>| match (b, &self.meeting) {
            (Some(b), Some(m)) => m.body_name(b).to_string(),
            (Some(b), None) => b.to_string(),
            (None, _) => "the meeting".to_string(),
        };
        let mut line = match &e.kind {
            EventKind::MeetingDeclared(d) => {
                format!("Meeting declared: {} ({}, {} to {})", d.title, d.venue, d.first_day, d.last_day)
            }
            EventKind::BodyEstablished(b) => format!("{} established", b.established.name),
            EventKind::ActorRegistered(a) => format!("{} registered", a.name),
            EventKind::AttendanceRecorded(a) => format!("Attendance: {}", a.summary),
            EventKind::MeetingOpened(_) => "Meeting opened".to_string(),
            EventKind::MeetingClosed(_) => "Meeting closed".to_string(),
            EventKind::SessionOpened(_) => format!("{} opened its session", body(&e.body)),
            EventKind::SessionSuspended(s) => match s.duration_minutes {
                Some(n) => format!("{} adjourned for {n} minutes", body(&e.body)),
                None => format!("{} adjourned", body(&e.body)),
            },
            EventKind::SessionResumed(_) => format!("{} resumed", body(&e.body)),
            EventKind::SessionClosed(_) => format!("{} closed its session", body(&e.body)),
            EventKind::OfficerElected(o) => {
                let role = match o.role {
                    Role::Chairman => "Chairman",
                    Role::ViceChairman => "Vice-Chairman",
                };
                format!("{who} elected {role} of {}", body(&e.body))
            }
            EventKind::OfficeHeld(o) => {
                let role = match o.role {
                    Role::Chairman => "chaired",
                    Role::ViceChairman => "was Vice-Chairman of",
                };
                format!("{who} {role} {} (how is not recorded)", body(&e.body))
            }
            EventKind::StatementMade(s) => {
                let stance = match s.stance {
                    Stance::Support => "in support",
                    Stance::Clarification => "for clarification",
                    Stance::Opposition => "against",
                    Stance::Other => "",
                };
                let about = if doc.is_empty() { String::new() } else { format!(" on {doc}") };
                format!(
                    "{} spoke{}{about}: {}",
                    who_or(),
                    if stance.is_empty() { String::new() } else { format!(" {stance}") },
                    s.summary
                )
            }
            EventKind::DocumentTabled(t) => {
                let sym = t.symbol.as_ref().map(|s| format!(" as {s}")).unwrap_or_default();
                let by = if who.is_empty() { String::new() } else { format!(" by {who}") };
                format!("{doc} tabled{sym}{by}")
            }
            EventKind::DocumentRevised(r) => {
                let sym = r.symbol.as_ref().map(|s| format!(" as {s}")).unwrap_or_default();
                format!("{doc} revised{sym}")
            }
            EventKind::DocumentReferred(_) => format!("{doc} referred to {}", body(&e.body)),
            EventKind::ItemTakenUp(t) => match t.order {
                Some(n) => format!("{} took up {doc} (item {n})", body(&e.body)),
                None => format!("{} took up {doc}", body(&e.body)),
            },
            EventKind::AmendmentProposed(p) => {
                let words = if p.wording_known { "" } else { " (wording not recorded)" };
                format!("{} proposed amendment {} to {doc}: {}{words}", who_or(), p.amendment, p.summary)
            }
            EventKind::AmendmentWithdrawn(a) => {
                format!("Amendment {} to {doc} withdrawn{}", a.amendment, by(&names(self.proposed_by(e))))
            }
            EventKind::AmendmentReferredToReport(a) => {
                format!(
                    "Amendment {} to {doc}{} referred to the Chairman's report",
                    a.amendment,
                    by(&names(self.proposed_by(e)))
                )
            }
            EventKind::AmendmentAccepted(a) => {
                // How it was decided is in the JSON; the line says only when it is not known.
                let how = if a.decided_by.is_none() { " (how it was decided is not recorded)" } else { "" };
                format!("Amendment {} to {doc}{} accepted{how}", a.amendment, by(&names(self.proposed_by(e))))
            }
            EventKind::AmendmentRevised(r) => {
                let words = if r.wording_known { "" } else { " (wording not recorded)" };
                format!(
                    "Amendment {} to {doc}{} revised: {}{words}",
                    r.amendment,
                    by(&names(self.proposed_by(e))),
                    r.summary
                )
            }
            EventKind::AmendmentSourced(c) => format!(
                "Amendment {} to {doc}{} came from {} ({})",
                c.amendment,
                by(&names(self.proposed_by(e))),
                self.title(&c.contribution),
                c.contribution
            ),
            EventKind::AmendmentTransferred(a) => format!(
                "Amendment {} to {doc}{} to be discussed under {} ({}) instead",
                a.amendment,
                by(&names(self.proposed_by(e))),
                self.title(&a.to),
                a.to
            ),
            EventKind::AmendmentSuperseded(a) => format!(
                "Amendment {} to {doc}{} superseded by amendment {}",
                a.amendment,
                by(&names(self.proposed_by(e))),
                a.by
            ),
            EventKind::AmendmentRejected(a) => {
                format!("Amendment {} to {doc}{} rejected", a.amendment, by(&names(self.proposed_by(e))))
            }
            EventKind::ProceduralProposalMade(p) => {
                format!("{} proposed: {}", who_or(), p.summary)
            }
            EventKind::ProceduralProposalWithdrawn(p) => {
                format!("Procedural proposal {}{} withdrawn", p.proposal, by(&names(self.proposed_by(e))))
            }
            EventKind::DraftEndorsed(d) => {
                let how = if d.amendments.is_empty() {
                    "unaltered".to_string()
                } else {
                    format!(
                        "with amendments {}",
                        d.amendments.iter().map(AmendmentId::as_str).collect::<Vec<_>>().join(", ")
                    )
                };
                format!("{} endorsed {doc} {how}", body(&e.body))
            }
            EventKind::DraftNotEndorsed(_) => format!("{} did not endorse {doc}", body(&e.body)),
            EventKind::DraftAdopted(_) => format!("{} adopted {doc}", body(&e.body)),
            EventKind::DocumentWithdrawn(_) => format!("{doc} withdrawn{}", by(&who)),
            EventKind::EventCorrected(c) => {
                format!(
                    "Correction by {}: event {} withdrawn from the record ({})",
                    if who.is_empty() { "the record keeper".to_string() } else { who.clone() },
                    c.corrects,
                    c.reason
                )
            }
        };
        match e.phase {
            Phase::Preparatory => line.push_str(" [preparatory]"),
            Phase::FollowUp => line.push_str(" [follow-up]"),
            Phase::Unknown => line.push_str(" [time not given]"),
            Phase::Meeting => {}
        }
        if e.account == Account::Observer {
            line.push_str(&format!(" [{}]", observer_label(e)));
        }
        line
    }
}

/// Who acted, for an event that names no actor: what its source says ("the floor", "some
/// delegates"), else the body it happened in, else "unnamed participants".
fn unnamed(e: &Event, meeting: &Option<MeetingState>) -> String {
    const SAID: &[&str] = &[
        "from the floor",
        "the floor",
        "all delegates",
        "many delegates",
        "some delegates",
        "other delegates",
        "other delegations",
        "a number of delegations",
        "a number of countries",
        "other countries",
        "many governments",
        "some governments",
        "several governments",
        "participants",
        "delegates",
    ];
    let quote = e.source.as_ref().map(|s| s.quote.to_lowercase()).unwrap_or_default();
    if let Some(p) = SAID.iter().find(|p| quote.contains(*p)) {
        let p = p.trim_start_matches("from ");
        let mut c = p.chars();
        return c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default();
    }
    match (&e.body, meeting) {
        (Some(b), Some(m)) => m.body_name(b).to_string(),
        (Some(b), None) => b.to_string(),
        (None, _) => "Unnamed participants".to_string(),
    }
}

/// Whose account an observer's event is, from its source's section ("CDT blog 17 May 2013,
/// para. 4" reads "CDT blog, 17 May"), or the section itself.
fn observer_label(e: &Event) -> String {
    let Some(section) = e.source.as_ref().map(|s| s.section.as_str()) else {
        return "observer account".into();
    };
    let head = section.split(',').next().unwrap_or(section).trim();
    let words: Vec<&str> = head.split_whitespace().collect();
    // "<whose> <day> <Month> <year>"
    if words.len() >= 4 && words[words.len() - 1].len() == 4 && words[words.len() - 3].parse::<u32>().is_ok()
    {
        let n = words.len();
        return format!("{}, {} {}", words[..n - 3].join(" "), words[n - 3], words[n - 2]);
    }
    format!("observer account: {head}")
}

fn by(who: &str) -> String {
    if who.is_empty() {
        String::new()
    } else {
        format!(" (proposed by {who})")
    }
}
