//! The typed answers: one struct per question, each deriving `Serialize`. The JSON a front end
//! prints is the struct itself; the human text is rendered from the same struct. Fields marked
//! `skip` carry what a person's rendering needs beside the data (the meeting's names and zone).

use minutes_core::id::{ActorId, AmendmentId, BodyId, DocumentName, EventId};
use minutes_core::project::diff::LineChange;
use minutes_core::project::meeting::MeetingState;
use minutes_core::project::EventRef;
use minutes_core::time::Window;
use serde::Serialize;

/// An event named by what it is, for lists of uncertain or related events.
#[derive(Debug, Clone, Serialize)]
pub struct EventSummary {
    /// The event's id.
    pub id: EventId,
    /// Its type.
    #[serde(rename = "type")]
    pub type_name: &'static str,
    /// When it occurred.
    pub occurred: Window,
    /// Its place in the log.
    pub seq: u64,
    /// What happened, in a line for a person.
    pub description: String,
    /// The amendment it proposes or decides, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amendment: Option<AmendmentId>,
    /// Who proposed that amendment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<Vec<ActorId>>,
    /// What that amendment proposes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The fate it records (`accepted`, `withdrawn`...), for a fate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fate: Option<&'static str>,
}

/// An amendment and its fate at the moment asked.
#[derive(Debug, Clone, Serialize)]
pub struct AmendmentView {
    /// Its id.
    pub id: AmendmentId,
    /// Who proposed it (empty when the sources name nobody).
    pub proposed_by: Vec<ActorId>,
    /// Its fate: `pending`, `accepted`, `withdrawn`, `referred_to_report`, `rejected`,
    /// `transferred`, `superseded`.
    pub status: &'static str,
    /// False when the sources report it without its words.
    pub wording_known: bool,
    /// What it proposes.
    pub summary: String,
    /// The body it was proposed in.
    pub body: Option<BodyId>,
    /// The proposal event.
    pub proposed: EventRef,
    /// The event that decided it, if any.
    pub decided: Option<EventRef>,
    /// Its changes to the text (empty when the wording is not known), for the exports that
    /// show what an amendment changes; not part of `state --json`.
    #[serde(skip)]
    pub operations: Vec<minutes_core::amend::Operation>,
    /// The contribution it came from, when the sources say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contribution: Option<minutes_core::id::DocumentName>,
}

/// Why an amendment may be pending at the moment asked, though not certainly.
#[derive(Debug, Clone, Serialize)]
pub struct MaybePending {
    /// The amendment.
    pub id: AmendmentId,
    /// Who proposed it.
    pub proposed_by: Vec<ActorId>,
    /// What it proposes.
    pub summary: String,
    /// `proposal_uncertain` (it may not have been proposed yet) or `fate_uncertain` (it may
    /// already have been decided).
    pub why: &'static str,
    /// The fate that may already have been recorded, for `fate_uncertain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fate: Option<&'static str>,
}

/// Two pending amendments of one document that touch the same words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// One amendment.
    pub amendment: AmendmentId,
    /// The other, proposed earlier.
    pub with: AmendmentId,
    /// The words (or the clause) both touch.
    pub words: String,
}

/// A section or clause of the text, with its path, its label as printed and its words.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseNode {
    /// Its path (`recognizing/c/iv`; a section's key alone).
    pub path: String,
    /// A section's heading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// A clause's label as printed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A clause's words (null when the sources do not give them); absent for a section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<Option<String>>,
    /// Its clauses or sub-clauses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<ClauseNode>,
}

/// `state`: a document at a moment.
#[derive(Debug, Clone, Serialize)]
pub struct StateView {
    /// The document's name.
    pub document: DocumentName,
    /// The moment asked, RFC 3339 in the meeting's zone.
    pub at: String,
    /// The moment of recording asked, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_recorded_at: Option<String>,
    /// Its status at that moment; null if not yet tabled.
    pub status: Option<&'static str>,
    /// The stream's version now (what `--expected-version` compares with).
    pub version: u64,
    /// The body that had it before it.
    pub body: Option<BodyId>,
    /// Its title.
    pub title: Option<String>,
    /// What kind of document it is (for the exports, which name the document type by it).
    #[serde(skip)]
    pub kind: Option<minutes_core::event::DocumentKind>,
    /// Who submitted it (for the exports); not part of `state --json`.
    #[serde(skip)]
    pub submitted_by: Vec<ActorId>,
    /// Its symbols, the latest last.
    pub symbols: Vec<String>,
    /// The whole text in force, as printed; null when the sources give none.
    pub text: Option<String>,
    /// The text's sections and clauses as a tree.
    pub clauses: Vec<ClauseNode>,
    /// Every amendment whose proposal is certain by then.
    pub amendments: Vec<AmendmentView>,
    /// Amendments that may be pending, though not certainly (their proposal or their fate is
    /// uncertain at that moment).
    pub may_be_pending: Vec<MaybePending>,
    /// Pending amendments that touch the same words.
    pub conflicts: Vec<Conflict>,
    /// The document's events uncertain at that moment.
    pub uncertain: Vec<EventSummary>,
    /// Accepted amendments that no longer applied when folded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// What the read passed over (a derived snapshot that did not hold): the answer is the
    /// log's all the same.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The meeting, for names and the zone.
    #[serde(skip)]
    pub meeting: MeetingState,
}

/// An amendment accepted between two moments, as `diff` lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptedView {
    /// Its id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: AmendmentId,
    /// Who proposed it.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub proposed_by: Vec<ActorId>,
    /// What it proposes.
    pub summary: String,
    /// The acceptance.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::EventRefSchema>))]
    pub accepted: Option<EventRef>,
}

/// `diff`: what changed in a document's text between two moments.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffView {
    /// The document's name.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub document: DocumentName,
    /// The earlier moment, RFC 3339.
    pub from: String,
    /// The later moment, RFC 3339.
    pub to: String,
    /// The event the earlier moment was anchored on, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub from_event: Option<EventId>,
    /// The event the later moment was anchored on, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub to_event: Option<EventId>,
    /// Amendments accepted in between.
    pub amendments: Vec<AcceptedView>,
    /// The changed lines.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::schema::LineChangeSchema>))]
    pub changes: Vec<LineChange>,
    /// The meeting, for names and the zone.
    #[serde(skip)]
    pub meeting: MeetingState,
}

/// Where a line's wording came from.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OriginView {
    /// The event that gave it.
    pub event: SourcedRef,
    /// The amendment, when the wording came from one.
    pub amendment: Option<OriginAmendment>,
}

/// An event with its source.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourcedRef {
    /// The event's id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: EventId,
    /// Its type.
    #[serde(rename = "type")]
    pub type_name: &'static str,
    /// When it occurred.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::WindowSchema))]
    pub occurred: Window,
    /// Its place in the log.
    pub seq: u64,
    /// Where the record took it from.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::SourceSchema>))]
    pub source: Option<minutes_core::event::Source>,
}

/// The amendment a wording came from.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OriginAmendment {
    /// Its id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: AmendmentId,
    /// Who proposed it.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub proposed_by: Vec<ActorId>,
    /// The body it was proposed in.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub body: Option<BodyId>,
    /// What it proposes.
    pub summary: String,
    /// The proposal, with its source.
    pub proposed: ProposalRef,
}

/// A proposal event, with its source.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalRef {
    /// The event's id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: EventId,
    /// When it occurred.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::WindowSchema))]
    pub occurred: Window,
    /// Where the record took it from.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::SourceSchema>))]
    pub source: Option<minutes_core::event::Source>,
}

/// One line of `blame`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlameLine {
    /// The line's path (null for title and preamble).
    pub path: Option<String>,
    /// The clause's label as printed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// How deep the line sits: 0 for title, preamble and headings, 1 for a clause, 2 for a
    /// sub-clause...
    #[serde(skip)]
    pub depth: usize,
    /// The line as printed.
    pub text: String,
    /// Where its wording came from.
    pub origin: Option<OriginView>,
}

/// `blame`: each line of the text at a moment with where its wording came from.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlameView {
    /// The document's name.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub document: DocumentName,
    /// The moment, RFC 3339.
    pub at: String,
    /// The lines.
    pub lines: Vec<BlameLine>,
    /// The meeting, for names and the zone.
    #[serde(skip)]
    pub meeting: MeetingState,
}

/// One event of a replay or a history: the event as the log holds it, and how a person reads
/// it. Serializes as the event itself (`replay --json`, which `import` reads back).
#[derive(Debug, Clone)]
pub struct EventEntry {
    /// The event as recorded.
    pub recorded: minutes_core::event::Recorded,
    /// What happened, in a line.
    pub description: String,
    /// For a proposal in a history: the amendment's fate as the record stands, and when.
    pub fate: Option<(&'static str, Option<Window>)>,
}

impl Serialize for EventEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.recorded;
        let raw =
            serde_json::value::RawValue::from_string(r.event.to_json_recorded(r.seq, r.version, &r.hash))
                .map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

/// `replay` and `history`: events in replay order.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct EventsView {
    /// The events.
    pub events: Vec<EventEntry>,
    /// The events set aside from the timeline (replay without `all`): actor registrations and
    /// events a correction withdrew, in replay order, shown after it.
    #[serde(skip)]
    pub bookkeeping: Vec<EventEntry>,
    /// The meeting, for names and the zone.
    #[serde(skip)]
    pub meeting: Option<MeetingState>,
}

/// A document in a meeting's listing.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentEntry {
    /// Its name.
    pub name: DocumentName,
    /// Its title.
    pub title: String,
    /// Its symbols, the latest last.
    pub symbols: Vec<String>,
    /// Its status (after all its events, or at the moment asked); null if not yet tabled.
    pub status: Option<&'static str>,
    /// The body that has it before it.
    pub body: Option<BodyId>,
    /// Its stream version now.
    pub version: u64,
    /// How many amendments (proposed by the moment) are pending.
    pub pending: usize,
}

/// A body's sessions in a meeting's listing.
#[derive(Debug, Clone, Serialize)]
pub struct SessionEntry {
    /// The body.
    pub body: BodyId,
    /// When it opened.
    pub opened: Window,
    /// When it closed, if it did.
    pub closed: Option<Window>,
    /// `open`, `suspended` or `closed` at the moment asked.
    pub state: &'static str,
}

/// An actor in a meeting's listing.
#[derive(Debug, Clone, Serialize)]
pub struct ActorEntry {
    /// Its id.
    pub id: ActorId,
    /// Its printed name.
    pub name: String,
    /// What kind of participant.
    pub kind: minutes_core::event::ActorKind,
    /// Other printed names.
    pub aliases: Vec<String>,
    /// For a person, whom they belong to.
    pub affiliation: Option<ActorId>,
}

/// A body in a meeting's listing.
#[derive(Debug, Clone, Serialize)]
pub struct BodyEntry {
    /// Its id.
    pub id: BodyId,
    /// Its printed name.
    pub name: String,
    /// Its officers: role and person.
    pub officers: Vec<(minutes_core::event::Role, ActorId)>,
}

/// `ls`: a meeting's bodies, sessions, actors and documents.
#[derive(Debug, Clone, Serialize)]
pub struct ListingView {
    /// The meeting's id.
    pub meeting: minutes_core::id::MeetingId,
    /// Its title.
    pub title: String,
    /// Where it is held.
    pub venue: String,
    /// Its time zone.
    pub time_zone: String,
    /// Its first and last day.
    pub days: (chrono::NaiveDate, chrono::NaiveDate),
    /// The meeting stream's version (what `--expected-version` compares with for events
    /// about the meeting or a body).
    pub version: u64,
    /// The moment the statuses are given at, if one was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Its bodies.
    pub bodies: Vec<BodyEntry>,
    /// Its sessions.
    pub sessions: Vec<SessionEntry>,
    /// Its actors.
    pub actors: Vec<ActorEntry>,
    /// Its documents.
    pub documents: Vec<DocumentEntry>,
    /// The meeting, for names and the zone.
    #[serde(skip)]
    pub state: MeetingState,
}

/// A run of a marked text: words kept since tabling, or inserted or deleted by an amendment.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkedRun {
    /// `equal`, `insert` or `delete`.
    pub op: &'static str,
    /// The words.
    pub text: String,
    /// For a change, the index in [`MarkedText::changes`] of the amendment (or revision) that
    /// made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<usize>,
}

/// One line of a marked text.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkedLine {
    /// The line's path (`title`, `preamble`, a section key or a clause path).
    pub path: String,
    /// How deep it sits (0 for title, preamble and headings).
    pub depth: usize,
    /// `kept`, `inserted`, `deleted` or `changed` since tabling.
    pub change: &'static str,
    /// The line's runs.
    pub runs: Vec<MarkedRun>,
}

/// A change of a marked text with its attribution.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attribution {
    /// The amendment, or null for a revision of the whole text.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub amendment: Option<AmendmentId>,
    /// Who proposed it (or submitted the revision).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub proposed_by: Vec<ActorId>,
    /// What it proposes.
    pub summary: String,
    /// The event that made the change take effect (the acceptance, or the revision).
    pub event: SourcedRef,
}

/// The text at a moment marked with every change since tabling and who made it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkedText {
    /// The document's name.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub document: DocumentName,
    /// The moment, RFC 3339.
    pub at: String,
    /// The lines, in the order of the text (deleted lines where they stood).
    pub lines: Vec<MarkedLine>,
    /// The changes, each with its amendment, proposer and source.
    pub changes: Vec<Attribution>,
    /// The meeting, for names and the zone.
    #[serde(skip)]
    pub meeting: MeetingState,
}
