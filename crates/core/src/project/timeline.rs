//! The meeting timeline: which events a replay shows, and how a person reads each one.

use std::collections::HashMap;
use std::fmt::Write;

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
        self.proposers_of(e).unwrap_or(&[])
    }

    /// Whether `e`'s line names who proposed what it decides (an amendment's fate or a
    /// procedural proposal's withdrawal): else what the timeline learned of proposals is not
    /// read.
    pub fn names_proposers(e: &Event) -> bool {
        decided_amendment(e).is_some() || matches!(e.kind, EventKind::ProceduralProposalWithdrawn(_))
    }

    /// Who proposed what `e` decides, when the timeline learned the proposal.
    fn proposers_of(&self, e: &Event) -> Option<&[ActorId]> {
        if let (Some(a), Some(d)) = (decided_amendment(e), &e.document) {
            return self.proposers.get(&(d.clone(), a.clone())).map(Vec::as_slice);
        }
        if let EventKind::ProceduralProposalWithdrawn(p) = &e.kind {
            return self.procedural.get(&p.proposal).map(Vec::as_slice);
        }
        None
    }

    /// A document's title, or its name.
    pub fn title<'a>(&'a self, d: &'a DocumentName) -> &'a str {
        self.titles.get(d).map_or(d.as_str(), String::as_str)
    }

    /// One line for a person: who did what to which document.
    pub fn describe(&self, e: &Event) -> String {
        View { base: self, over: None }.describe(e)
    }

    /// `e`'s line as `base` would write it after learning, in order, what this timeline
    /// learned, without copying `base`: this one must have learned only events about documents
    /// (those leave the meeting's state alone; its own meeting is not read).
    pub fn describe_over(&self, base: &Timeline, e: &Event) -> String {
        View { base, over: Some(self) }.describe(e)
    }
}

/// What a line is written from: a timeline, and what another learned after it.
#[derive(Clone, Copy)]
struct View<'a> {
    base: &'a Timeline,
    over: Option<&'a Timeline>,
}

impl<'a> View<'a> {
    /// A document's title, or its name: the first title learned wins, as
    /// [`Timeline::name_document`] keeps it.
    fn title(&self, d: &'a DocumentName) -> &'a str {
        self.base
            .titles
            .get(d)
            .or_else(|| self.over.and_then(|o| o.titles.get(d)))
            .map_or(d.as_str(), String::as_str)
    }

    /// Who proposed what `e` decides: the proposal learned last wins, as
    /// [`Timeline::learn`] keeps it.
    fn proposed_by(&self, e: &Event) -> &'a [ActorId] {
        self.over.and_then(|o| o.proposers_of(e)).or_else(|| self.base.proposers_of(e)).unwrap_or(&[])
    }

    fn describe(&self, e: &Event) -> String {
        // The line is written into one buffer; the names, titles and bodies are borrowed.
        let mut line = String::with_capacity(160);
        let _ = self.write_line(&mut line, e);
        line
    }

    /// Writes [`Timeline::describe`]'s line into `out`.
    fn write_line(&self, out: &mut String, e: &Event) -> std::fmt::Result {
        let meeting = self.base.meeting.as_ref();
        let who = Names { ids: &e.actors, meeting };
        let named = !e.actors.is_empty();
        let who_or = || if named { who.to_string() } else { unnamed(e, meeting) };
        let doc = e.document.as_ref().map(|d| Doc { title: self.title(d), name: d });
        let doc = DocOr(doc);
        let by = |e: &Event| ProposedBy(Names { ids: self.proposed_by(e), meeting });
        let body_of = match (&e.body, meeting) {
            (Some(b), Some(m)) => m.body_name(b),
            (Some(b), None) => b.as_str(),
            (None, _) => "the meeting",
        };
        match &e.kind {
            EventKind::MeetingDeclared(d) => {
                write!(out, "Meeting declared: {} ({}, {} to {})", d.title, d.venue, d.first_day, d.last_day)?
            }
            EventKind::BodyEstablished(b) => write!(out, "{} established", b.established.name)?,
            EventKind::ActorRegistered(a) => write!(out, "{} registered", a.name)?,
            EventKind::AttendanceRecorded(a) => write!(out, "Attendance: {}", a.summary)?,
            EventKind::MeetingOpened(_) => out.push_str("Meeting opened"),
            EventKind::MeetingClosed(_) => out.push_str("Meeting closed"),
            EventKind::SessionOpened(_) => write!(out, "{body_of} opened its session")?,
            EventKind::SessionSuspended(s) => match s.duration_minutes {
                Some(n) => write!(out, "{body_of} adjourned for {n} minutes")?,
                None => write!(out, "{body_of} adjourned")?,
            },
            EventKind::SessionResumed(_) => write!(out, "{body_of} resumed")?,
            EventKind::SessionClosed(_) => write!(out, "{body_of} closed its session")?,
            EventKind::OfficerElected(o) => {
                let role = match o.role {
                    Role::Chairman => "Chairman",
                    Role::ViceChairman => "Vice-Chairman",
                };
                write!(out, "{who} elected {role} of {body_of}")?
            }
            EventKind::OfficeHeld(o) => {
                let role = match o.role {
                    Role::Chairman => "chaired",
                    Role::ViceChairman => "was Vice-Chairman of",
                };
                write!(out, "{who} {role} {body_of} (how is not recorded)")?
            }
            EventKind::StatementMade(s) => {
                let stance = match s.stance {
                    Stance::Support => " in support",
                    Stance::Clarification => " for clarification",
                    Stance::Opposition => " against",
                    Stance::Other => "",
                };
                let on = if doc.0.is_some() { " on " } else { "" };
                write!(out, "{} spoke{stance}{on}{doc}: {}", who_or(), s.summary)?
            }
            EventKind::DocumentTabled(t) => {
                write!(out, "{doc} tabled")?;
                if let Some(s) = &t.symbol {
                    write!(out, " as {s}")?;
                }
                if named {
                    write!(out, " by {who}")?;
                }
            }
            EventKind::DocumentRevised(r) => {
                write!(out, "{doc} revised")?;
                if let Some(s) = &r.symbol {
                    write!(out, " as {s}")?;
                }
            }
            EventKind::DocumentReferred(_) => write!(out, "{doc} referred to {body_of}")?,
            EventKind::ItemTakenUp(t) => match t.order {
                Some(n) => write!(out, "{body_of} took up {doc} (item {n})")?,
                None => write!(out, "{body_of} took up {doc}")?,
            },
            EventKind::AmendmentProposed(p) => {
                let words = if p.wording_known { "" } else { " (wording not recorded)" };
                write!(out, "{} proposed amendment {} to {doc}: {}{words}", who_or(), p.amendment, p.summary)?
            }
            EventKind::AmendmentWithdrawn(a) => {
                write!(out, "Amendment {} to {doc} withdrawn{}", a.amendment, by(e))?
            }
            EventKind::AmendmentReferredToReport(a) => {
                write!(out, "Amendment {} to {doc}{} referred to the Chairman's report", a.amendment, by(e))?
            }
            EventKind::AmendmentAccepted(a) => {
                // How it was decided is in the JSON; the line says only when it is not known.
                let how = if a.decided_by.is_none() { " (how it was decided is not recorded)" } else { "" };
                write!(out, "Amendment {} to {doc}{} accepted{how}", a.amendment, by(e))?
            }
            EventKind::AmendmentRevised(r) => {
                let words = if r.wording_known { "" } else { " (wording not recorded)" };
                write!(out, "Amendment {} to {doc}{} revised: {}{words}", r.amendment, by(e), r.summary)?
            }
            EventKind::AmendmentSourced(c) => write!(
                out,
                "Amendment {} to {doc}{} came from {} ({})",
                c.amendment,
                by(e),
                self.title(&c.contribution),
                c.contribution
            )?,
            EventKind::AmendmentTransferred(a) => write!(
                out,
                "Amendment {} to {doc}{} to be discussed under {} ({}) instead",
                a.amendment,
                by(e),
                self.title(&a.to),
                a.to
            )?,
            EventKind::AmendmentSuperseded(a) => {
                write!(out, "Amendment {} to {doc}{} superseded by amendment {}", a.amendment, by(e), a.by)?
            }
            EventKind::AmendmentRejected(a) => {
                write!(out, "Amendment {} to {doc}{} rejected", a.amendment, by(e))?
            }
            EventKind::ProceduralProposalMade(p) => write!(out, "{} proposed: {}", who_or(), p.summary)?,
            EventKind::ProceduralProposalWithdrawn(p) => {
                write!(out, "Procedural proposal {}{} withdrawn", p.proposal, by(e))?
            }
            EventKind::DraftEndorsed(d) => {
                write!(out, "{body_of} endorsed {doc} ")?;
                if d.amendments.is_empty() {
                    out.push_str("unaltered");
                } else {
                    out.push_str("with amendments ");
                    for (k, a) in d.amendments.iter().enumerate() {
                        if k > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(a.as_str());
                    }
                }
            }
            EventKind::DraftNotEndorsed(_) => write!(out, "{body_of} did not endorse {doc}")?,
            EventKind::DraftAdopted(_) => write!(out, "{body_of} adopted {doc}")?,
            EventKind::DocumentWithdrawn(_) => write!(out, "{doc} withdrawn{}", ProposedBy(who))?,
            EventKind::EventCorrected(c) => {
                let keeper = if named { who.to_string() } else { "the record keeper".to_string() };
                write!(
                    out,
                    "Correction by {keeper}: event {} withdrawn from the record ({})",
                    c.corrects, c.reason
                )?
            }
        }
        match e.phase {
            Phase::Preparatory => out.push_str(" [preparatory]"),
            Phase::FollowUp => out.push_str(" [follow-up]"),
            Phase::Unknown => out.push_str(" [time not given]"),
            Phase::Meeting => {}
        }
        if e.account == Account::Observer {
            write!(out, " [{}]", observer_label(e))?;
        }
        Ok(())
    }
}

/// The amendment whose fate (or change) `e` records.
fn decided_amendment(e: &Event) -> Option<&AmendmentId> {
    match &e.kind {
        EventKind::AmendmentWithdrawn(a) => Some(&a.amendment),
        EventKind::AmendmentRevised(a) => Some(&a.amendment),
        EventKind::AmendmentSourced(a) => Some(&a.amendment),
        EventKind::AmendmentTransferred(a) => Some(&a.amendment),
        EventKind::AmendmentSuperseded(a) => Some(&a.amendment),
        EventKind::AmendmentReferredToReport(a) => Some(&a.amendment),
        EventKind::AmendmentAccepted(a) => Some(&a.amendment),
        EventKind::AmendmentRejected(a) => Some(&a.amendment),
        _ => None,
    }
}

/// Actors' printed names, as [`MeetingState::names`] joins them ("A, B and C"), written
/// without building the list first.
#[derive(Clone, Copy)]
struct Names<'a> {
    ids: &'a [ActorId],
    meeting: Option<&'a MeetingState>,
}

impl std::fmt::Display for Names<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.ids.len();
        for (k, a) in self.ids.iter().enumerate() {
            // Without a declared meeting the ids are listed with commas only.
            let sep = match (self.meeting, k) {
                (_, 0) => "",
                (Some(_), k) if k == n - 1 => " and ",
                _ => ", ",
            };
            f.write_str(sep)?;
            f.write_str(match self.meeting {
                Some(m) => m.actor_name(a),
                None => a.as_str(),
            })?;
        }
        Ok(())
    }
}

/// " (proposed by A and B)", or nothing when no proposer is known.
struct ProposedBy<'a>(Names<'a>);

impl std::fmt::Display for ProposedBy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.ids.is_empty() {
            return Ok(());
        }
        write!(f, " (proposed by {})", self.0)
    }
}

/// A document as a line names it: "Title (name)".
struct Doc<'a> {
    title: &'a str,
    name: &'a DocumentName,
}

/// A document's name in a line, or nothing for an event of no document.
struct DocOr<'a>(Option<Doc<'a>>);

impl std::fmt::Display for DocOr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(d) => write!(f, "{} ({})", d.title, d.name),
            None => Ok(()),
        }
    }
}

/// Who acted, for an event that names no actor: what its source says ("the floor", "some
/// delegates"), else the body it happened in, else "unnamed participants".
fn unnamed(e: &Event, meeting: Option<&MeetingState>) -> String {
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
