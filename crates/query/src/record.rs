//! Recording by procedural verbs: a clerk says what happened ("Ben Okafor proposed to replace
//! '10 per night' with '8 per night'") and this module builds the one event that says it,
//! judges it through [`Store::append`] (the same rules as any append) and reports what was
//! recorded. Every front end records alike: the command line only parses flags into a
//! [`Request`].

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveTime};
use minutes_core::amend::Operation;
use minutes_core::event::{
    ActorKind, ActorRegistered, AmendmentAccepted, AmendmentProposed, AmendmentReferredToReport,
    AmendmentRejected, AmendmentWithdrawn, AttendanceRecorded, Body, BodyEstablished, Decision, DocumentKind,
    DocumentReferred, DocumentRevised, DocumentTabled, DocumentWithdrawn, DraftAdopted, DraftEndorsed,
    DraftNotEndorsed, Event, EventCorrected, EventKind, ItemTakenUp, MeetingClosed, MeetingDeclared,
    MeetingOpened, OfficerElected, Phase, ProceduralProposalMade, ProceduralProposalWithdrawn, Role, Rules,
    SessionClosed, SessionOpened, SessionResumed, SessionSuspended, Source, Stance, StatementMade,
};
use minutes_core::id::{ActorId, AmendmentId, BodyId, DocumentName, EventId, MeetingId, ProposalId};
use minutes_core::project::document::{AmendmentStatus, DocumentState};
use minutes_core::project::meeting::MeetingState;
use minutes_core::project::timeline::Timeline;
use minutes_core::rules::RuleError;
use minutes_core::text::{Clause, ClausePath, Section, Text};
use minutes_core::time::{self, TimeArg, Timestamp, Window};
use minutes_store::{Appended, Refusal, Store, StoreError};

use crate::lookup::Lookup;
use serde::Serialize;

use crate::error::{QueryError, Result};
use crate::resolve;

/// How many taken generated amendment ids a proposal steps past before it gives up.
const GENERATED_TRIES: u64 = 64;

/// A time as a clerk types it: a full time, or a bare `HH:MM` (that minute today in the
/// meeting's zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// RFC 3339 or `YYYY-MM-DD HH:MM`.
    Full(TimeArg),
    /// `HH:MM` today.
    Today(NaiveTime),
}

impl TimeSpec {
    /// Reads RFC 3339, `YYYY-MM-DD HH:MM` or `HH:MM`.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        if let Ok(t) = NaiveTime::parse_from_str(s.trim(), "%H:%M") {
            return Ok(Self::Today(t));
        }
        TimeArg::parse(s).map(Self::Full).map_err(|e| format!("{e}, or HH:MM for that minute today"))
    }

    fn resolve(&self, zone: chrono_tz::Tz, now: Timestamp) -> Result<Timestamp> {
        match self {
            Self::Full(t) => resolve::time(t, zone),
            Self::Today(t) => {
                let today = now.with_timezone(&zone).date_naive();
                time::local(zone, today.and_time(*t)).map_err(|e| QueryError::Usage(e.to_string()))
            }
        }
    }
}

/// When the event happened: now, a moment, or a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum When {
    /// The clock's now.
    #[default]
    Now,
    /// One moment.
    At(TimeSpec),
    /// A window; one bound may be open.
    Window(Option<TimeSpec>, Option<TimeSpec>),
}

/// What every recorded event carries besides its verb: when, on what authority, a note.
#[derive(Debug, Clone, Default)]
pub struct Envelope {
    /// When it happened.
    pub when: When,
    /// Where the record takes it from.
    pub source: Option<Source>,
    /// The recorder's remark.
    pub note: Option<String>,
    /// Before or after the meeting's dates (default: during; a declaration is placed by its
    /// time).
    pub phase: Option<Phase>,
}

/// One operation of a proposal as a clerk states it; words are whole words (the separating
/// space is the verb's business).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpSpec {
    /// Insert words right after or before an anchor.
    InsertWords {
        /// The clause.
        path: String,
        /// The words inserted.
        words: String,
        /// The anchor, and whether the words go after it (else before).
        anchor: String,
        /// After (true) or before the anchor.
        after: bool,
        /// Which occurrence of the anchor.
        occurrence: Option<usize>,
    },
    /// Replace words.
    ReplaceWords {
        /// The clause.
        path: String,
        /// The words replaced.
        old: String,
        /// Their replacement.
        new: String,
        /// Which occurrence.
        occurrence: Option<usize>,
    },
    /// Delete words (and one separating space).
    DeleteWords {
        /// The clause.
        path: String,
        /// The words deleted.
        words: String,
        /// Which occurrence.
        occurrence: Option<usize>,
    },
    /// Insert a clause under a section or clause, after a sibling (`^`: at the start; none: at the end).
    InsertClause {
        /// The section or parent clause.
        parent: String,
        /// The sibling it follows.
        after: Option<String>,
        /// The new clause.
        clause: Clause,
    },
    /// Replace a whole clause.
    ReplaceClause {
        /// The clause.
        path: String,
        /// What stands there afterwards.
        clause: Clause,
    },
    /// Delete a whole clause.
    DeleteClause {
        /// The clause.
        path: String,
    },
    /// Insert a section after another (`^`: at the start; none: at the end).
    InsertSection {
        /// The section it follows.
        after: Option<String>,
        /// The new section.
        section: Section,
    },
    /// Delete a section.
    DeleteSection {
        /// Its key.
        key: String,
    },
}

/// A key made from a printed label (`1 bis)` -> `1bis`): its letters and digits, lowercase.
fn key_of_label(label: &str) -> Option<String> {
    let k: String =
        label.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    (!k.is_empty()).then_some(k)
}

impl OpSpec {
    /// A clause inserted under `parent` (a section or clause), after the sibling `after` (`^`:
    /// at the start; none: at the end). Its key is `key`, else made from its label.
    pub fn insert_clause(
        parent: String,
        after: Option<String>,
        key: Option<String>,
        label: Option<String>,
        words: String,
    ) -> Result<Self> {
        let key = key
            .filter(|k| !k.is_empty())
            .or_else(|| label.as_deref().and_then(key_of_label))
            .ok_or_else(|| {
                QueryError::Usage(format!(
                    "--insert-clause {parent} needs --key K (or a --label to take it from)"
                ))
            })?;
        Ok(Self::InsertClause {
            parent,
            after,
            clause: Clause { key, label, words: Some(words), clauses: Vec::new() },
        })
    }

    /// A whole clause replaced; its key is `key`, else the path's last step (the label stays as
    /// printed unless another is given).
    pub fn replace_clause(path: String, key: Option<String>, label: Option<String>, words: String) -> Self {
        let key = key.unwrap_or_else(|| path.rsplit('/').next().unwrap_or_default().to_string());
        Self::ReplaceClause { path, clause: Clause { key, label, words: Some(words), clauses: Vec::new() } }
    }

    /// A section inserted after the section `after` (`^`: at the start; none: at the end), with
    /// its heading and clauses (each its label, if printed, and words). Its key is `key`, else
    /// made from the heading; a clause's key is made from its label, else `pN`.
    pub fn insert_section(
        after: Option<String>,
        key: Option<String>,
        heading: String,
        clauses: Vec<(Option<String>, String)>,
    ) -> Self {
        let key = key.unwrap_or_else(|| minutes_core::text::slug(&heading));
        let clauses = clauses
            .into_iter()
            .enumerate()
            .map(|(i, (label, words))| {
                let key = label.as_deref().and_then(key_of_label).unwrap_or_else(|| format!("p{}", i + 1));
                Clause { key, label, words: Some(words), clauses: Vec::new() }
            })
            .collect();
        Self::InsertSection { after, section: Section { key, heading, clauses } }
    }
}

/// An amendment's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Withdrawn by its proposer.
    Withdraw,
    /// Accepted.
    Accept(Decision),
    /// Rejected.
    Reject(Decision),
    /// Referred to the chairman's report.
    Refer,
}

/// What happened, one variant per verb.
#[derive(Debug, Clone)]
pub enum Verb {
    /// A meeting declared.
    Declare {
        /// Its id.
        meeting: String,
        /// Title.
        title: String,
        /// Venue.
        venue: String,
        /// IANA zone.
        zone: String,
        /// First day.
        first_day: NaiveDate,
        /// Last day.
        last_day: NaiveDate,
        /// Bodies: id and name.
        bodies: Vec<(String, String)>,
        /// Procedural rules.
        rules: Rules,
    },
    /// A body established.
    Body {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
        /// The body that established it.
        by_body: Option<String>,
    },
    /// An actor registered.
    Actor {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
        /// Its kind.
        kind: ActorKind,
        /// Other printed names.
        aliases: Vec<String>,
        /// A person's State or organisation.
        affiliation: Option<String>,
    },
    /// Attendance recorded.
    Attendance {
        /// The body.
        body: Option<String>,
        /// In words.
        summary: String,
        /// Delegates.
        delegates: Option<u32>,
        /// Member States.
        member_states: Option<u32>,
        /// Sector Members.
        sector_members: Option<u32>,
    },
    /// The meeting opened.
    OpenMeeting {
        /// The body.
        body: Option<String>,
    },
    /// The meeting closed.
    CloseMeeting {
        /// The body.
        body: Option<String>,
    },
    /// A session opened.
    OpenSession {
        /// The body.
        body: String,
    },
    /// A session suspended.
    Suspend {
        /// The body.
        body: String,
        /// For how long.
        duration_minutes: Option<u32>,
    },
    /// A session resumed.
    Resume {
        /// The body.
        body: String,
    },
    /// A session closed.
    CloseSession {
        /// The body.
        body: String,
    },
    /// An officer elected.
    Elect {
        /// Who.
        actor: String,
        /// To what.
        role: Role,
        /// Of which body.
        body: String,
    },
    /// A statement.
    Statement {
        /// Who spoke.
        by: Vec<String>,
        /// About what document, if any.
        doc: Option<String>,
        /// Tenor.
        stance: Stance,
        /// In a line.
        summary: String,
        /// Where.
        body: Option<String>,
    },
    /// A document tabled.
    Table {
        /// Its name, MEETING/SLUG.
        doc: String,
        /// Kind.
        kind: DocumentKind,
        /// Title.
        title: String,
        /// Symbol.
        symbol: Option<String>,
        /// Its text, parsed from the review format.
        text: Option<Text>,
        /// Submitters.
        by: Vec<String>,
        /// Tabled before.
        body: Option<String>,
        /// Forerunner of.
        forerunner_of: Option<String>,
    },
    /// A document revised.
    Revise {
        /// The document.
        doc: String,
        /// New symbol.
        symbol: Option<String>,
        /// New text.
        text: Option<Text>,
        /// By.
        by: Vec<String>,
        /// Where (default: the body that has the document).
        body: Option<String>,
    },
    /// A document referred to a body.
    ReferDoc {
        /// The document.
        doc: String,
        /// To.
        body: String,
    },
    /// A document withdrawn.
    WithdrawDoc {
        /// The document.
        doc: String,
        /// By.
        by: Vec<String>,
        /// Where (default: the body that has it).
        body: Option<String>,
    },
    /// An item taken up.
    TakeUp {
        /// The document.
        doc: String,
        /// By.
        body: String,
        /// Order of business.
        order: Option<u32>,
    },
    /// An amendment proposed.
    Propose {
        /// The document.
        doc: String,
        /// Proposers.
        by: Vec<String>,
        /// Operations; empty with `unworded`.
        ops: Vec<OpSpec>,
        /// Reported without its words.
        unworded: bool,
        /// Its id (default: generated from the document).
        amendment: Option<String>,
        /// Summary (default: the operations described).
        summary: Option<String>,
        /// Where (default: the body that has the document).
        body: Option<String>,
    },
    /// An amendment's fate.
    Fate {
        /// The amendment.
        amendment: String,
        /// Its document (default: the one document of the meeting that has it).
        doc: Option<String>,
        /// Which fate.
        fate: Fate,
        /// Who (the proposer withdrawing, say).
        by: Vec<String>,
        /// Where (default: where it was proposed).
        body: Option<String>,
    },
    /// A procedural proposal made.
    Procedural {
        /// Its id.
        id: String,
        /// In a line.
        summary: String,
        /// Documents.
        docs: Vec<String>,
        /// By.
        by: Vec<String>,
        /// Where.
        body: Option<String>,
    },
    /// A procedural proposal withdrawn.
    WithdrawProcedural {
        /// Its id.
        id: String,
        /// By.
        by: Vec<String>,
        /// Where.
        body: Option<String>,
    },
    /// A draft endorsed.
    Endorse {
        /// The document.
        doc: String,
        /// By.
        body: String,
        /// With these amendments (default: those accepted in that body); empty: unaltered.
        amendments: Option<Vec<String>>,
        /// Submitted to (default: the plenary, else the meeting's first other body).
        submitted_to: Option<String>,
    },
    /// A draft not endorsed.
    NotEndorse {
        /// The document.
        doc: String,
        /// By.
        body: String,
    },
    /// A draft adopted.
    Adopt {
        /// The document.
        doc: String,
        /// By (default: the body it was submitted to).
        body: Option<String>,
    },
    /// An earlier event corrected.
    Correct {
        /// The event.
        event: EventId,
        /// Why.
        reason: String,
        /// Who corrected it.
        by: Vec<String>,
    },
}

impl Verb {
    /// The event type the verb records.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Declare { .. } => "MeetingDeclared",
            Self::Body { .. } => "BodyEstablished",
            Self::Actor { .. } => "ActorRegistered",
            Self::Attendance { .. } => "AttendanceRecorded",
            Self::OpenMeeting { .. } => "MeetingOpened",
            Self::CloseMeeting { .. } => "MeetingClosed",
            Self::OpenSession { .. } => "SessionOpened",
            Self::Suspend { .. } => "SessionSuspended",
            Self::Resume { .. } => "SessionResumed",
            Self::CloseSession { .. } => "SessionClosed",
            Self::Elect { .. } => "OfficerElected",
            Self::Statement { .. } => "StatementMade",
            Self::Table { .. } => "DocumentTabled",
            Self::Revise { .. } => "DocumentRevised",
            Self::ReferDoc { .. } => "DocumentReferred",
            Self::WithdrawDoc { .. } => "DocumentWithdrawn",
            Self::TakeUp { .. } => "ItemTakenUp",
            Self::Propose { .. } => "AmendmentProposed",
            Self::Fate { fate: Fate::Withdraw, .. } => "AmendmentWithdrawn",
            Self::Fate { fate: Fate::Accept(_), .. } => "AmendmentAccepted",
            Self::Fate { fate: Fate::Reject(_), .. } => "AmendmentRejected",
            Self::Fate { fate: Fate::Refer, .. } => "AmendmentReferredToReport",
            Self::Procedural { .. } => "ProceduralProposalMade",
            Self::WithdrawProcedural { .. } => "ProceduralProposalWithdrawn",
            Self::Endorse { .. } => "DraftEndorsed",
            Self::NotEndorse { .. } => "DraftNotEndorsed",
            Self::Adopt { .. } => "DraftAdopted",
            Self::Correct { .. } => "EventCorrected",
        }
    }

    /// The amendment the verb names, when the clerk gave it.
    fn amendment(&self) -> Option<&str> {
        match self {
            Self::Propose { amendment, .. } => amendment.as_deref(),
            Self::Fate { amendment, .. } => Some(amendment),
            _ => None,
        }
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct Request {
    /// The meeting, for verbs about the meeting or a body (default: the store's one meeting);
    /// a document's verbs take it from the document.
    pub meeting: Option<String>,
    /// What happened.
    pub verb: Verb,
    /// When, on what authority.
    pub envelope: Envelope,
    /// The event's id (default: a new UUIDv7): a retry with the same id is a no-op.
    pub id: Option<EventId>,
    /// Append only if the event's stream is still at this version.
    pub expected_version: Option<u64>,
}

/// Two pending amendments that touch the same words.
#[derive(Debug, Clone, Serialize)]
pub struct Overlap {
    /// The other amendment.
    pub with: AmendmentId,
    /// What both touch.
    pub words: String,
}

/// What was recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    /// Its place in the log.
    pub seq: u64,
    /// Its id.
    pub id: EventId,
    /// Its position in its stream.
    pub version: u64,
    /// Its type.
    #[serde(rename = "type")]
    pub type_name: &'static str,
    /// The document, if any.
    pub document: Option<DocumentName>,
    /// The amendment it names, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amendment: Option<AmendmentId>,
    /// True when the log held it already (a retry): nothing was written.
    pub existed: bool,
    /// What happened, in a line.
    pub description: String,
    /// Pending amendments of the same document that touch the same words as this proposal.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Overlap>,
}

/// Builds the event a request describes, against the log as it stands, without writing: what
/// `--dry-run` prints. Nothing is judged but the names it resolves.
pub fn build(store: &dyn Lookup, now: Timestamp, req: &Request) -> Result<Event> {
    let id = req.id.unwrap_or_else(|| EventId(uuid::Uuid::now_v7()));
    Ok(Builder::new(store, now, req)?.event(id)?.0)
}

/// Where a recorded event is appended: the store itself (the command line), or a front end's
/// group-commit writer over the same log (the server), which looks names up in what it keeps.
pub trait Target {
    /// Where the names, defaults and a retry's original are looked up.
    fn store(&self) -> &dyn Lookup;
    /// Appends one event durably, judged by the rules, with the expected-version rule.
    fn append_one(
        &mut self,
        event: &Event,
        expected: Option<u64>,
        now: Timestamp,
    ) -> std::result::Result<Appended, StoreError>;
}

impl Target for Store {
    fn store(&self) -> &dyn Lookup {
        self
    }

    fn append_one(
        &mut self,
        event: &Event,
        expected: Option<u64>,
        now: Timestamp,
    ) -> std::result::Result<Appended, StoreError> {
        let mut done = self.append(std::slice::from_ref(event), expected, now)?;
        done.pop().ok_or_else(|| StoreError::Io(std::io::Error::other("the store acknowledged no event")))
    }
}

/// Records a request: a retry of an id already in the log for the same verb and target is a
/// no-op that answers with the original; otherwise the event is built, judged by the rules
/// through [`Store::append`] (or the target's writer) and appended durably. A generated
/// amendment id that another clerk took meanwhile is stepped past.
///
/// A front end that appends asynchronously takes the same steps itself: [`retry_of`], then
/// [`draft`], its own append, [`steps_past`] on a refusal, and [`recorded`].
pub fn record<T: Target + ?Sized>(target: &mut T, now: Timestamp, req: &Request) -> Result<Recorded> {
    if let Some(r) = retry_of(target.store(), req)? {
        return Ok(r);
    }
    let id = req.id.unwrap_or_else(|| EventId(uuid::Uuid::now_v7()));
    let mut skip = 0;
    loop {
        let d = draft(target.store(), now, req, id)?;
        match target.append_one(&d.event, req.expected_version, now) {
            Ok(x) => return recorded(target.store(), d, x),
            Err(e) if steps_past(&e, &d, skip) => skip += 1,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The answer to a request whose id the log holds already (a retry of the same verb about
/// the same target: the original; another verb is refused); `None` when it is new.
pub fn retry_of(store: &dyn Lookup, req: &Request) -> Result<Option<Recorded>> {
    match req.id {
        Some(id) => match store.event(&id)? {
            Some(r) => retried(store, req, &r).map(Some),
            None => Ok(None),
        },
        None => Ok(None),
    }
}

/// A verb's event, built against the log as it stands, with its line; not yet appended.
pub struct Draft {
    /// The event.
    pub event: Event,
    /// Whether its amendment id was generated (and may be stepped past).
    generated: bool,
    /// What happened, in a line.
    description: String,
}

/// Builds and describes the event of a request, with id `id`, against the log as it stands.
pub fn draft(store: &dyn Lookup, now: Timestamp, req: &Request, id: EventId) -> Result<Draft> {
    let builder = Builder::new(store, now, req)?;
    let (event, generated) = builder.event(id)?;
    let description = builder.describe(&event);
    Ok(Draft { event, generated, description })
}

/// Whether a refused append of `d` is tried again, built anew: its generated amendment id
/// was taken meanwhile, and it was tried `tries` times already.
pub fn steps_past(e: &StoreError, d: &Draft, tries: u64) -> bool {
    matches!(e, StoreError::Refused { refusal: Refusal::Rule(RuleError::AmendmentExists(_)), .. })
        && d.generated
        && tries < GENERATED_TRIES
}

/// Whether [`recorded`] reads the record after the append (the conflicts of a proposal): a
/// front end whose lookups lag the log brings them up first only then.
pub fn reads_after(e: &Event) -> bool {
    matches!(e.kind, EventKind::AmendmentProposed(_))
}

/// What recording `d` answers, once appended as `x`; `store` must see the append when
/// [`reads_after`] says so.
pub fn recorded(store: &dyn Lookup, d: Draft, x: Appended) -> Result<Recorded> {
    let conflicts = overlaps(store, &d.event)?;
    let event = d.event;
    Ok(Recorded {
        seq: x.seq,
        id: x.id,
        version: x.version,
        type_name: event.type_name(),
        amendment: amendment_of(&event.kind).cloned(),
        document: event.document,
        existed: x.existed,
        description: d.description,
        conflicts,
    })
}

/// The answer to a retry: the original event, if it is the same verb about the same target.
fn retried(store: &dyn Lookup, req: &Request, r: &minutes_core::event::Recorded) -> Result<Recorded> {
    let e = &r.event;
    let want_doc = match doc_of(&req.verb) {
        Some(d) => Some(
            store
                .document(d)
                .or_else(|_| DocumentName::new(d).map_err(|x| QueryError::Refused(x.to_string())))?,
        ),
        None => None,
    };
    let amendment = amendment_of(&e.kind);
    let same = e.type_name() == req.verb.type_name()
        && (want_doc.is_none() || want_doc == e.document)
        && req.verb.amendment().map_or(true, |a| amendment.is_some_and(|x| x.as_str() == a));
    if !same {
        return Err(QueryError::Refused(format!(
            "event {} is already in the log as a {}{}; a retry must record the same thing (use a new --id, or none)",
            e.id,
            e.type_name(),
            e.document.as_ref().map(|d| format!(" about {d}")).unwrap_or_default()
        )));
    }
    let timeline = store.timeline(&e.meeting)?;
    Ok(Recorded {
        seq: r.seq,
        id: e.id,
        version: r.version,
        type_name: e.type_name(),
        document: e.document.clone(),
        amendment: amendment.cloned(),
        existed: true,
        description: timeline.describe(e),
        conflicts: Vec::new(),
    })
}

fn doc_of(v: &Verb) -> Option<&str> {
    match v {
        Verb::Table { doc, .. }
        | Verb::Revise { doc, .. }
        | Verb::ReferDoc { doc, .. }
        | Verb::WithdrawDoc { doc, .. }
        | Verb::TakeUp { doc, .. }
        | Verb::Propose { doc, .. }
        | Verb::Endorse { doc, .. }
        | Verb::NotEndorse { doc, .. }
        | Verb::Adopt { doc, .. } => Some(doc),
        Verb::Fate { doc, .. } => doc.as_deref(),
        Verb::Statement { doc, .. } => doc.as_deref(),
        _ => None,
    }
}

fn amendment_of(k: &EventKind) -> Option<&AmendmentId> {
    match k {
        EventKind::AmendmentProposed(p) => Some(&p.amendment),
        EventKind::AmendmentWithdrawn(a) => Some(&a.amendment),
        EventKind::AmendmentReferredToReport(a) => Some(&a.amendment),
        EventKind::AmendmentAccepted(a) => Some(&a.amendment),
        EventKind::AmendmentRejected(a) => Some(&a.amendment),
        _ => None,
    }
}

/// The pending amendments of a just-proposed amendment's document that touch its words (for
/// `record propose` and `append` to warn of; empty for any other event).
pub fn overlaps(store: &dyn Lookup, e: &Event) -> Result<Vec<Overlap>> {
    let (EventKind::AmendmentProposed(p), Some(doc)) = (&e.kind, &e.document) else { return Ok(Vec::new()) };
    let Some(s) = store.latest_document(doc)? else {
        return Ok(Vec::new());
    };
    Ok(crate::state::conflicts(&s)
        .into_iter()
        .filter_map(|c| {
            if c.amendment == p.amendment {
                Some(Overlap { with: c.with, words: c.words })
            } else if c.with == p.amendment {
                Some(Overlap { with: c.amendment, words: c.words })
            } else {
                None
            }
        })
        .collect())
}

/// What building an event needs: the store, the clock, the meeting.
struct Builder<'a> {
    store: &'a dyn Lookup,
    now: Timestamp,
    req: &'a Request,
    meeting: Option<Cow<'a, MeetingState>>,
}

fn refused(s: impl Into<String>) -> QueryError {
    QueryError::Refused(s.into())
}

fn id_of<T>(r: std::result::Result<T, minutes_core::id::IdError>) -> Result<T> {
    r.map_err(|e| refused(e.to_string()))
}

impl<'a> Builder<'a> {
    fn new(store: &'a dyn Lookup, now: Timestamp, req: &'a Request) -> Result<Self> {
        let meeting = match &req.verb {
            Verb::Declare { .. } => None,
            Verb::Correct { event, .. } => {
                let r =
                    store.event(event)?.ok_or_else(|| refused(format!("event {event} is not in the log")))?;
                Some(store.meeting(&r.event.meeting)?)
            }
            v => {
                let id = match doc_of(v) {
                    Some(d) => store.document(d).map(|d| d.meeting()).or_else(|e| match v {
                        Verb::Table { .. } => id_of(DocumentName::new(d)).map(|d| d.meeting()),
                        _ => Err(e),
                    })?,
                    None => match &req.meeting {
                        Some(m) => resolve::meeting_id(m)?,
                        None => only_meeting(store)?,
                    },
                };
                Some(store.meeting(&id)?)
            }
        };
        Ok(Self { store, now, req, meeting })
    }

    fn meeting(&self) -> Result<&MeetingState> {
        self.meeting.as_deref().ok_or_else(|| refused("no meeting"))
    }

    fn body(&self, b: &str) -> Result<BodyId> {
        resolve::body(self.meeting()?, b)
    }

    fn opt_body(&self, b: &Option<String>) -> Result<Option<BodyId>> {
        b.as_deref().map(|b| self.body(b)).transpose()
    }

    fn actors(&self, by: &[String]) -> Result<Vec<ActorId>> {
        let m = self.meeting()?;
        by.iter().map(|a| resolve::actor(m, a)).collect()
    }

    fn doc(&self, d: &str) -> Result<(DocumentName, Cow<'a, DocumentState>)> {
        let name = self.store.document(d)?;
        let s = self
            .store
            .latest_document(&name)?
            .ok_or_else(|| refused(format!("document '{name}' was never tabled")))?;
        Ok((name, s))
    }

    fn window(&self, zone: chrono_tz::Tz) -> Result<Window> {
        let r = |t: &TimeSpec| t.resolve(zone, self.now);
        Ok(match &self.req.envelope.when {
            When::Now => Window::at(self.now.with_timezone(&zone).fixed_offset()),
            When::At(t) => Window::at(r(t)?),
            When::Window(from, to) => {
                let w =
                    Window { from: from.as_ref().map(r).transpose()?, to: to.as_ref().map(r).transpose()? };
                if let (Some(a), Some(b)) = (w.from, w.to) {
                    if b < a {
                        return Err(QueryError::Usage("--to comes before --from".into()));
                    }
                }
                w
            }
        })
    }

    /// The event; and whether its
    /// amendment id was generated.
    fn event(&self, id: EventId) -> Result<(Event, bool)> {
        let env = &self.req.envelope;
        let mut generated = false;
        let zone = match (&self.req.verb, &self.meeting) {
            (Verb::Declare { zone, .. }, _) => time::zone(zone).map_err(|e| refused(e.to_string()))?,
            (_, Some(m)) => m.zone,
            (_, None) => return Err(refused("no meeting")),
        };
        let occurred = self.window(zone)?;
        let mut phase = env.phase.unwrap_or_default();
        let mut document = None;
        let mut body = None;
        let mut actors = Vec::new();
        let meeting_id = self.meeting.as_ref().map(|m| m.id.clone());
        let kind = match &self.req.verb {
            Verb::Declare { meeting, title, venue, zone: z, first_day, last_day, bodies, rules } => {
                let start = time::start_of_day(zone, *first_day).map_err(|e| refused(e.to_string()))?;
                let after = time::start_of_day(zone, *last_day + chrono::Days::new(1))
                    .map_err(|e| refused(e.to_string()))?;
                if env.phase.is_none() {
                    if occurred.to.is_some_and(|t| t <= start) {
                        phase = Phase::Preparatory;
                    } else if occurred.from.is_some_and(|t| t >= after) {
                        phase = Phase::FollowUp;
                    }
                }
                let bodies = bodies
                    .iter()
                    .map(|(id, name)| Ok(Body { id: id_of(BodyId::new(id))?, name: name.clone() }))
                    .collect::<Result<Vec<_>>>()?;
                return Ok((
                    Event {
                        id,
                        meeting: id_of(MeetingId::new(meeting))?,
                        document: None,
                        body: None,
                        actors: vec![],
                        occurred,
                        recorded_at: None,
                        recorded_by: None,
                        phase,
                        account: Default::default(),
                        source: env.source.clone(),
                        note: env.note.clone(),
                        follows: None,
                        precedes: None,
                        kind: EventKind::MeetingDeclared(MeetingDeclared {
                            title: title.clone(),
                            venue: venue.clone(),
                            time_zone: z.clone(),
                            first_day: *first_day,
                            last_day: *last_day,
                            bodies,
                            rules: rules.clone(),
                        }),
                    },
                    false,
                ));
            }
            Verb::Body { id: b, name, by_body } => {
                body = self.opt_body(by_body)?;
                EventKind::BodyEstablished(BodyEstablished {
                    established: Body { id: id_of(BodyId::new(b))?, name: name.clone() },
                })
            }
            Verb::Actor { id: a, name, kind, aliases, affiliation } => {
                let affiliation =
                    affiliation.as_deref().map(|x| resolve::actor(self.meeting()?, x)).transpose()?;
                EventKind::ActorRegistered(ActorRegistered {
                    actor: id_of(ActorId::new(a))?,
                    name: name.clone(),
                    kind: *kind,
                    aliases: aliases.clone(),
                    affiliation,
                })
            }
            Verb::Attendance { body: b, summary, delegates, member_states, sector_members } => {
                body = self.opt_body(b)?;
                EventKind::AttendanceRecorded(AttendanceRecorded {
                    summary: summary.clone(),
                    delegates: *delegates,
                    member_states: *member_states,
                    sector_members: *sector_members,
                })
            }
            Verb::OpenMeeting { body: b } => {
                body = self.opt_body(b)?;
                EventKind::MeetingOpened(MeetingOpened {})
            }
            Verb::CloseMeeting { body: b } => {
                body = self.opt_body(b)?;
                EventKind::MeetingClosed(MeetingClosed {})
            }
            Verb::OpenSession { body: b } => {
                body = Some(self.body(b)?);
                EventKind::SessionOpened(SessionOpened {})
            }
            Verb::Suspend { body: b, duration_minutes } => {
                body = Some(self.body(b)?);
                EventKind::SessionSuspended(SessionSuspended { duration_minutes: *duration_minutes })
            }
            Verb::Resume { body: b } => {
                body = Some(self.body(b)?);
                EventKind::SessionResumed(SessionResumed {})
            }
            Verb::CloseSession { body: b } => {
                body = Some(self.body(b)?);
                EventKind::SessionClosed(SessionClosed {})
            }
            Verb::Elect { actor, role, body: b } => {
                body = Some(self.body(b)?);
                actors = self.actors(std::slice::from_ref(actor))?;
                EventKind::OfficerElected(OfficerElected { role: *role })
            }
            Verb::Statement { by, doc, stance, summary, body: b } => {
                actors = self.actors(by)?;
                if let Some(d) = doc {
                    let (name, s) = self.doc(d)?;
                    body = s.body.clone();
                    document = Some(name);
                }
                if b.is_some() {
                    body = self.opt_body(b)?;
                }
                EventKind::StatementMade(StatementMade { stance: *stance, summary: summary.clone() })
            }
            Verb::Table { doc, kind, title, symbol, text, by, body: b, forerunner_of } => {
                document = Some(id_of(DocumentName::new(doc))?);
                actors = self.actors(by)?;
                body = self.opt_body(b)?;
                let forerunner_of = forerunner_of.as_deref().map(|d| self.store.document(d)).transpose()?;
                EventKind::DocumentTabled(DocumentTabled {
                    kind: *kind,
                    title: title.clone(),
                    symbol: symbol.clone(),
                    text: text.clone(),
                    forerunner_of,
                })
            }
            Verb::Revise { doc, symbol, text, by, body: b } => {
                let (name, s) = self.doc(doc)?;
                document = Some(name);
                actors = self.actors(by)?;
                body = if b.is_some() { self.opt_body(b)? } else { s.body.clone() };
                EventKind::DocumentRevised(DocumentRevised { symbol: symbol.clone(), text: text.clone() })
            }
            Verb::ReferDoc { doc, body: b } => {
                document = Some(self.doc(doc)?.0);
                body = Some(self.body(b)?);
                EventKind::DocumentReferred(DocumentReferred {})
            }
            Verb::WithdrawDoc { doc, by, body: b } => {
                let (name, s) = self.doc(doc)?;
                document = Some(name);
                actors = self.actors(by)?;
                body = if b.is_some() { self.opt_body(b)? } else { s.body.clone() };
                EventKind::DocumentWithdrawn(DocumentWithdrawn {})
            }
            Verb::TakeUp { doc, body: b, order } => {
                document = Some(self.doc(doc)?.0);
                body = Some(self.body(b)?);
                EventKind::ItemTakenUp(ItemTakenUp { order: *order })
            }
            Verb::Propose { doc, by, ops, unworded, amendment, summary, body: b } => {
                let (name, s) = self.doc(doc)?;
                actors = self.actors(by)?;
                body = if b.is_some() { self.opt_body(b)? } else { s.body.clone() };
                if *unworded && !ops.is_empty() {
                    return Err(QueryError::Usage(
                        "--unworded records a proposal without its words: give no operations with it".into(),
                    ));
                }
                if !*unworded && ops.is_empty() {
                    return Err(QueryError::Usage(
                        "a proposal needs its operations (--clause PATH --replace OLD --with NEW, ...), or --unworded when the sources do not give its words".into(),
                    ));
                }
                let operations =
                    ops.iter().map(|o| operation(o, s.text.as_ref())).collect::<Result<Vec<_>>>()?;
                let amendment = match amendment {
                    Some(a) => {
                        let a = id_of(AmendmentId::new(a))?;
                        // Amendment ids are unique within the meeting: a fate names one alone.
                        let taken = self.store.amendment_documents(&name.meeting(), a.as_str())?;
                        if let Some(other) = taken.iter().find(|d| **d != name) {
                            return Err(refused(format!(
                                "amendment '{a}' is already proposed to {other}: amendment ids are unique within the meeting (choose another --amendment, or none to have one made)"
                            )));
                        }
                        a
                    }
                    None => {
                        generated = true;
                        generated_id(&name, &s)?
                    }
                };
                let summary = match summary {
                    Some(x) => x.clone(),
                    None if *unworded => "an amendment reported without its words".to_string(),
                    None => ops.iter().map(describe_op).collect::<Vec<_>>().join("; "),
                };
                document = Some(name);
                EventKind::AmendmentProposed(AmendmentProposed {
                    amendment,
                    summary,
                    wording_known: !*unworded,
                    operations,
                })
            }
            Verb::Fate { amendment, doc, fate, by, body: b } => {
                let a = id_of(AmendmentId::new(amendment))?;
                let (name, s) = match doc {
                    Some(d) => self.doc(d)?,
                    None => self.find_amendment(&a)?,
                };
                let proposed_in = s.amendment(&a).and_then(|x| x.body.clone());
                document = Some(name);
                actors = self.actors(by)?;
                body = if b.is_some() { self.opt_body(b)? } else { proposed_in.or_else(|| s.body.clone()) };
                let amendment = a;
                match fate {
                    Fate::Withdraw => EventKind::AmendmentWithdrawn(AmendmentWithdrawn { amendment }),
                    Fate::Refer => {
                        EventKind::AmendmentReferredToReport(AmendmentReferredToReport { amendment })
                    }
                    Fate::Accept(d) => {
                        EventKind::AmendmentAccepted(AmendmentAccepted { amendment, decided_by: Some(*d) })
                    }
                    Fate::Reject(d) => {
                        EventKind::AmendmentRejected(AmendmentRejected { amendment, decided_by: *d })
                    }
                }
            }
            Verb::Procedural { id: p, summary, docs, by, body: b } => {
                actors = self.actors(by)?;
                body = self.opt_body(b)?;
                let documents = docs.iter().map(|d| self.store.document(d)).collect::<Result<Vec<_>>>()?;
                EventKind::ProceduralProposalMade(ProceduralProposalMade {
                    proposal: id_of(ProposalId::new(p))?,
                    summary: summary.clone(),
                    documents,
                })
            }
            Verb::WithdrawProcedural { id: p, by, body: b } => {
                actors = self.actors(by)?;
                body = self.opt_body(b)?;
                EventKind::ProceduralProposalWithdrawn(ProceduralProposalWithdrawn {
                    proposal: id_of(ProposalId::new(p))?,
                })
            }
            Verb::Endorse { doc, body: b, amendments, submitted_to } => {
                let (name, s) = self.doc(doc)?;
                let by = self.body(b)?;
                let amendments = match amendments {
                    Some(list) => {
                        list.iter().map(|a| id_of(AmendmentId::new(a))).collect::<Result<Vec<_>>>()?
                    }
                    None => s
                        .amendments
                        .iter()
                        .filter(|a| a.status == AmendmentStatus::Accepted && a.body.as_ref() == Some(&by))
                        .map(|a| a.id.clone())
                        .collect(),
                };
                let m = self.meeting()?;
                let submitted_to = match submitted_to {
                    Some(t) => Some(self.body(t)?),
                    None => m
                        .bodies
                        .iter()
                        .find(|x| x.id.as_str() == "plenary" && x.id != by)
                        .or_else(|| m.bodies.iter().find(|x| x.id != by))
                        .map(|x| x.id.clone()),
                };
                document = Some(name);
                body = Some(by);
                EventKind::DraftEndorsed(DraftEndorsed { amendments, submitted_to })
            }
            Verb::NotEndorse { doc, body: b } => {
                document = Some(self.doc(doc)?.0);
                body = Some(self.body(b)?);
                EventKind::DraftNotEndorsed(DraftNotEndorsed {})
            }
            Verb::Adopt { doc, body: b } => {
                let (name, s) = self.doc(doc)?;
                body = match b {
                    Some(b) => Some(self.body(b)?),
                    None => Some(s.body.clone().ok_or_else(|| {
                        refused(format!("{name} is before no body; say which body adopted it with --body"))
                    })?),
                };
                document = Some(name);
                EventKind::DraftAdopted(DraftAdopted {})
            }
            Verb::Correct { event, reason, by } => {
                let r = self
                    .store
                    .event(event)?
                    .ok_or_else(|| refused(format!("event {event} is not in the log")))?;
                document = r.event.document.clone();
                actors = self.actors(by)?;
                EventKind::EventCorrected(EventCorrected { corrects: *event, reason: reason.clone() })
            }
        };
        let meeting = meeting_id.ok_or_else(|| refused("no meeting"))?;
        let event = Event {
            id,
            meeting,
            document,
            body,
            actors,
            occurred,
            recorded_at: None,
            recorded_by: None,
            phase,
            account: Default::default(),
            source: env.source.clone(),
            note: env.note.clone(),
            follows: None,
            precedes: None,
            kind,
        };
        Ok((event, generated))
    }

    /// The one document of the meeting that has amendment `a`.
    fn find_amendment(&self, a: &AmendmentId) -> Result<(DocumentName, Cow<'a, DocumentState>)> {
        let m = self.meeting()?;
        let mut found = Vec::new();
        for d in self.store.amendment_documents(&m.id, a.as_str())? {
            if let Some(s) = self.store.latest_document(&d)? {
                if s.amendment(a).is_some() {
                    found.push((d, s));
                }
            }
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(refused(format!("no document of {} has an amendment '{a}'", m.id))),
            _ => Err(refused(format!(
                "amendment '{a}' is proposed to several documents ({}); say which with --doc",
                found.iter().map(|f| f.0.as_str()).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// The event's line, as replay prints it: the meeting's timeline, having learned the
    /// event, its document's title and its document's amendments.
    fn describe(&self, e: &Event) -> String {
        let base = match &self.meeting {
            Some(m) => {
                self.store.timeline(&m.id).unwrap_or_else(|_| Cow::Owned(Timeline::new(std::iter::empty())))
            }
            None => Cow::Owned(Timeline::new(std::iter::empty())),
        };
        let Some(d) = &e.document else {
            // An event of the meeting itself may change the meeting the line names.
            let mut t = base.into_owned();
            t.learn(e);
            return t.describe(e);
        };
        // An event about a document leaves the meeting alone: what it adds is learned beside
        // the meeting's timeline, which is not copied.
        let mut over = Timeline::new(std::iter::empty());
        over.learn(e);
        if let Ok((_, s)) = self.doc(d.as_str()) {
            over.name_document(d, &s.title);
            // The proposers, when the line names them.
            if Timeline::names_proposers(e) {
                for a in &s.amendments {
                    if let Ok(Some(r)) = self.store.event(&a.proposed.id) {
                        over.learn(&r.event);
                    }
                }
            }
        }
        over.describe_over(&base, e)
    }
}

/// The store's one meeting, for verbs about a meeting when none is named.
fn only_meeting(store: &dyn Lookup) -> Result<MeetingId> {
    let all = store.meetings()?;
    match all.as_slice() {
        [one] => resolve::meeting_id(one),
        [] => {
            Err(refused("the store holds no meeting; declare one first (minutes record declare MEETING ...)"))
        }
        many => Err(QueryError::Usage(format!(
            "the store holds several meetings ({}); say which with --meeting",
            many.join(", ")
        ))),
    }
}

/// `SLUG-amendment-N`: N counts the document's amendments, past any id already taken (the
/// state is read again on each try, so one a concurrent clerk took is stepped past).
fn generated_id(doc: &DocumentName, s: &DocumentState) -> Result<AmendmentId> {
    let mut n = s.amendments.len() as u64 + 1;
    loop {
        let suffix = format!("-amendment-{n}");
        let slug: String = doc.slug().chars().take(64 - suffix.len()).collect();
        let id = id_of(AmendmentId::new(&format!("{}{suffix}", slug.trim_end_matches(['-', '.']))))?;
        if s.amendment(&id).is_none() {
            return Ok(id);
        }
        n += 1;
    }
}

fn path(p: &str) -> Result<ClausePath> {
    ClausePath::parse(p).map_err(|e| refused(e.to_string()))
}

/// An operation as the text takes it: words inserted or deleted with their separating space.
fn operation(o: &OpSpec, text: Option<&Text>) -> Result<Operation> {
    Ok(match o {
        OpSpec::InsertWords { path: p, words, anchor, after, occurrence } => {
            let words = words.trim();
            if *after {
                Operation::InsertWords {
                    path: path(p)?,
                    before: None,
                    after: Some(anchor.clone()),
                    words: format!(" {words}"),
                    occurrence: *occurrence,
                }
            } else {
                Operation::InsertWords {
                    path: path(p)?,
                    before: Some(anchor.clone()),
                    after: None,
                    words: format!("{words} "),
                    occurrence: *occurrence,
                }
            }
        }
        OpSpec::ReplaceWords { path: p, old, new, occurrence } => Operation::ReplaceWords {
            path: path(p)?,
            old: old.clone(),
            new: new.clone(),
            occurrence: *occurrence,
        },
        OpSpec::DeleteWords { path: p, words, occurrence } => {
            let cp = path(p)?;
            let clause_words = text.and_then(|t| t.clause(&cp)).and_then(|c| c.words.as_deref());
            let (old, occurrence) = match clause_words {
                Some(w) => with_space(w, words, *occurrence),
                None => (words.clone(), *occurrence),
            };
            Operation::DeleteWords { path: cp, old, occurrence }
        }
        OpSpec::InsertClause { parent, after, clause } => {
            Operation::InsertClause { parent: path(parent)?, after: after.clone(), clause: clause.clone() }
        }
        OpSpec::ReplaceClause { path: p, clause } => {
            let cp = path(p)?;
            let mut clause = clause.clone();
            // The label stays as printed unless the clerk gives another.
            if clause.label.is_none() {
                clause.label = text.and_then(|t| t.clause(&cp)).and_then(|c| c.label.clone());
            }
            Operation::ReplaceClause { path: cp, clause }
        }
        OpSpec::DeleteClause { path: p } => Operation::DeleteClause { path: path(p)? },
        OpSpec::InsertSection { after, section } => {
            Operation::InsertSection { after: after.clone(), section: section.clone() }
        }
        OpSpec::DeleteSection { key } => Operation::DeleteSection { key: key.clone() },
    })
}

/// The words to delete with one separating space (the one before them, else the one after),
/// and which occurrence of that run is the one meant. When the words are not there, they are
/// left as given, for the rules to name.
fn with_space(clause: &str, words: &str, occurrence: Option<usize>) -> (String, Option<usize>) {
    let hits: Vec<usize> = clause.match_indices(words).map(|(i, _)| i).collect();
    let Some(&at) = hits.get(occurrence.unwrap_or(1).saturating_sub(1)) else {
        return (words.to_string(), occurrence);
    };
    let end = at + words.len();
    let (start, run) = if at > 0 && clause[..at].ends_with(' ') {
        (at - 1, format!(" {words}"))
    } else if clause[end..].starts_with(' ') {
        (at, format!("{words} "))
    } else {
        (at, words.to_string())
    };
    let runs: Vec<usize> = clause.match_indices(&run).map(|(i, _)| i).collect();
    let k = runs.iter().position(|&i| i == start).map(|i| i + 1);
    let occurrence = if runs.len() > 1 { k } else { None };
    (run, occurrence)
}

/// An operation in words, for a summary the clerk did not write.
fn describe_op(o: &OpSpec) -> String {
    match o {
        OpSpec::InsertWords { path, words, anchor, after, .. } => {
            format!("insert '{words}' {} '{anchor}' in {path}", if *after { "after" } else { "before" })
        }
        OpSpec::ReplaceWords { path, old, new, .. } => format!("replace '{old}' with '{new}' in {path}"),
        OpSpec::DeleteWords { path, words, .. } => format!("delete '{words}' from {path}"),
        OpSpec::InsertClause { parent, clause, .. } => format!("insert clause {parent}/{}", clause.key),
        OpSpec::ReplaceClause { path, .. } => format!("replace clause {path}"),
        OpSpec::DeleteClause { path } => format!("delete clause {path}"),
        OpSpec::InsertSection { section, .. } => format!("insert section '{}'", section.heading),
        OpSpec::DeleteSection { key } => format!("delete section {key}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_words_take_one_separating_space() {
        assert_eq!(with_space("a fee of 10 per night;", "per night", None), (" per night".into(), None));
        assert_eq!(with_space("only boats pay", "only", None), ("only ".into(), None));
        assert_eq!(with_space("x", "x", None), ("x".into(), None));
        assert_eq!(with_space("a b a b", "b", Some(2)), (" b".into(), Some(2)));
    }

    #[test]
    fn bare_minutes_are_today_in_the_zone() {
        let now = chrono::DateTime::parse_from_rfc3339("2030-03-01T23:30:00Z").unwrap_or_default();
        let zone = time::zone("Europe/Zurich").unwrap_or(chrono_tz::UTC);
        let t = TimeSpec::parse("10:15").unwrap_or(TimeSpec::Today(NaiveTime::MIN)).resolve(zone, now).ok();
        assert_eq!(t.map(|t| time::rfc3339(&t)), Some("2030-03-02T10:15:00+01:00".to_string()));
    }
}
