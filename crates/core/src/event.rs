//! Events: the facts of a meeting record, named in the past tense, and their JSON form.
//!
//! An event is one JSON object: an envelope (`id`, `type`, `v`, `meeting`, `document`, `body`,
//! `actors`, `occurred`, `recorded_at`, `recorded_by`, `source`...) and the `data` of its type.
//! Events are a file format: a variant is never renamed or reused, and an older shape is
//! upgraded on read.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use thiserror::Error;

use crate::amend::Operation;
use crate::id::{ActorId, AmendmentId, BodyId, Clerk, DocumentName, EventId, MeetingId, ProposalId};
use crate::text::Text;
use crate::time::{self, Timestamp, Window, TIME_FORMS};

/// The schema version each event type is written with today, from the registry
/// ([`EventKind::REGISTRY`]). A type's version goes up when its `data` changes shape; the
/// upcasters of `crate::upcast` turn older shapes into this one on read.
pub fn schema_version(type_name: &str) -> u32 {
    EventKind::version_of(type_name)
}

/// One fact of the record.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Chosen by whoever created the event; the store never changes it.
    pub id: EventId,
    /// The meeting it belongs to.
    pub meeting: MeetingId,
    /// The document it is about, or `None` for an event about the meeting or a body.
    pub document: Option<DocumentName>,
    /// The body in which it happened (`plenary`, `wg-2`), if any.
    pub body: Option<BodyId>,
    /// Who acted: the proposer, the speaker, the submitter; empty when the sources name nobody.
    pub actors: Vec<ActorId>,
    /// The window in which it certainly happened.
    pub occurred: Window,
    /// When the record learned of it; the store stamps it when the input leaves it out.
    pub recorded_at: Option<Timestamp>,
    /// Who recorded it (a clerk's name); the store stamps its current clerk, if it has one,
    /// when the input leaves it out. Absent from the JSON when `None`.
    pub recorded_by: Option<Clerk>,
    /// Before, during or after the meeting's own dates.
    pub phase: Phase,
    /// Whether the official record or an observer's account reports it.
    pub account: Account,
    /// Where the record took it from.
    pub source: Option<Source>,
    /// A remark of the recorder (a discrepancy between sources, say).
    pub note: Option<String>,
    /// Among the events whose windows start together, this one comes right after the event
    /// named (the order the sources tell). Absent from the JSON when `None`.
    pub follows: Option<EventId>,
    /// Among the events whose windows start together, this one comes right before the event
    /// named. Absent from the JSON when `None`.
    pub precedes: Option<EventId>,
    /// What happened.
    pub kind: EventKind,
}

/// An event as the log holds it, with what the store assigned.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The order of appending, from 1.
    pub seq: u64,
    /// The event's position in its stream (its document, or the meeting), from 1.
    pub version: u64,
    /// The hash-chain value of the row, hex.
    pub hash: String,
    /// The event itself.
    pub event: Event,
}

/// Where a fact comes from: a file, a section of it, and a short exact quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The source file's name (for the bundled record, a seed file).
    pub file: String,
    /// The section (`Annex I, 2`).
    pub section: String,
    /// Words exactly as the source prints them.
    pub quote: String,
}

/// When an event happened relative to the meeting's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// During the meeting (its time must lie within the meeting's dates).
    #[default]
    Meeting,
    /// Before the meeting: the Informal Experts Group, the Strategic Dialogue.
    Preparatory,
    /// After the meeting.
    FollowUp,
    /// The sources do not say whether before or during the meeting (an "earlier" suggestion).
    Unknown,
}

/// Who reports an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Account {
    /// The meeting's official record.
    #[default]
    Official,
    /// An observer's account (a blog post, a press release): not in the official record.
    Observer,
}

/// A body of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// Its id (`wg-2`).
    pub id: BodyId,
    /// Its name as printed (`Working Group 2`).
    pub name: String,
}

/// Procedural rules a meeting may relax; carried by its declaration, so the same log is judged
/// the same way on every machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// A draft must be endorsed before the plenary adopts it.
    pub adoption_requires_endorsement: bool,
    /// A draft must be under a body's consideration before it is endorsed or not endorsed.
    pub endorsement_requires_consideration: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Self { adoption_requires_endorsement: true, endorsement_requires_consideration: true }
    }
}

/// What kind of participant an actor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A Member State.
    MemberState,
    /// A Sector Member.
    SectorMember,
    /// Any other organisation (the secretariat, a UN entity, a civil society group).
    Organisation,
    /// A person (an officer, a speaker).
    Person,
}

/// What kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A draft opinion (or resolution) that may be endorsed and adopted.
    DraftOpinion,
    /// A contribution by a member.
    Contribution,
    /// An information document.
    InformationDocument,
    /// A report (the Secretary-General's).
    Report,
    /// Any other draft (a forerunner text).
    Draft,
}

/// How a body decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Without objection.
    Consensus,
    /// By a vote.
    Vote,
    /// As the chair ruled.
    Chair,
}

/// The tenor of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// In support.
    Support,
    /// Asking for or giving a clarification.
    Clarification,
    /// Against.
    Opposition,
    /// Neither: an address, thanks, a report.
    Other,
}

/// An officer's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Chairman of the body.
    Chairman,
    /// Vice-Chairman of the body.
    ViceChairman,
}

/// One stored event type: the name its rows carry in `type` and the schema version (`v`) it is
/// written with today. The names are a file format, written out here and never derived from
/// the Rust names, so that renaming a struct cannot rename a stored type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredType {
    /// The name in `type`.
    pub name: &'static str,
    /// The current schema version; older versions are upgraded by `crate::upcast`.
    pub version: u32,
}

macro_rules! data {
    ($($(#[$doc:meta])* $name:ident as $stored:literal, version $ver:literal { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? })*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[serde(deny_unknown_fields)]
            pub struct $name { $($(#[$fdoc])* pub $field: $ty,)* }
        )*

        /// What happened: one variant per event type, each with its data.
        #[derive(Debug, Clone, PartialEq)]
        pub enum EventKind { $($(#[$doc])* $name($name),)* }

        impl EventKind {
            /// The registry of stored types: every type's stored name and current version.
            pub const REGISTRY: &'static [StoredType] = &[$(StoredType { name: $stored, version: $ver }),*];

            /// Every event type's stored name.
            pub const TYPES: &'static [&'static str] = &[$($stored),*];

            /// The type's name, as stored in `type`.
            pub fn type_name(&self) -> &'static str {
                match self { $(Self::$name(_) => $stored,)* }
            }

            /// The schema version type `type_name` is written with today (1 for a name the
            /// registry does not hold, which decoding refuses anyway).
            pub fn version_of(type_name: &str) -> u32 {
                match type_name { $($stored => $ver,)* _ => 1 }
            }

            /// The `data` object.
            pub fn data(&self) -> Result<Value, serde_json::Error> {
                match self { $(Self::$name(d) => serde_json::to_value(d),)* }
            }

            /// The `data` object as canonical JSON text (every object's keys sorted, as a
            /// `Value` writes them): written straight from the fields, and through a `Value`
            /// only when some object's keys come out of order.
            pub fn data_json(&self) -> Result<Box<RawValue>, serde_json::Error> {
                let direct = match self { $(Self::$name(d) => serde_json::value::to_raw_value(d),)* };
                match direct {
                    Ok(direct) if keys_sorted(direct.get().as_bytes()) => Ok(direct),
                    _ => serde_json::value::to_raw_value(&self.data()?),
                }
            }

            /// Reads `data` as the fields of type `type_name`, current version.
            pub fn decode(type_name: &str, data: Value) -> Result<Self, DecodeError> {
                let bad = |e: serde_path_to_error::Error<serde_json::Error>| DecodeError::Data {
                    type_name: type_name.to_string(),
                    error: in_data(&data, &e),
                };
                match type_name {
                    $($stored => serde_path_to_error::deserialize(&data).map(Self::$name).map_err(bad),)*
                    other => Err(DecodeError::UnknownType(other.to_string())),
                }
            }

            /// Reads `data` (JSON text) straight into the fields of type `type_name`, current
            /// version, without building a `Value` first.
            fn decode_str(type_name: &str, data: &str) -> Result<Self, serde_json::Error> {
                match type_name {
                    $($stored => serde_json::from_str(data).map(Self::$name),)*
                    other => Err(serde::de::Error::custom(format_args!("unknown event type '{other}'"))),
                }
            }
        }
    };
}

// Fields are declared in alphabetical order, as the canonical form sorts them: a type's data is
// then written in one pass straight from its fields (`EventKind::data_json`; a type declared
// otherwise is still written right, through a sorted `Value`, only slower).
data! {
    /// A meeting was declared: it exists from this event on. The first event of its stream.
    MeetingDeclared as "MeetingDeclared", version 1 {
        /// Its bodies (plenary, working groups...).
        bodies: Vec<Body>,
        /// Its first day.
        first_day: NaiveDate,
        /// Its last day.
        last_day: NaiveDate,
        /// Procedural rules, where the meeting's procedure differs from the default.
        #[serde(default)]
        rules: Rules,
        /// IANA time zone of its local times (`Europe/Zurich`).
        time_zone: String,
        /// The meeting's title.
        title: String,
        /// Where it is held.
        venue: String,
    }
    /// A body was established during the meeting (a working group).
    BodyEstablished as "BodyEstablished", version 1 {
        /// The new body.
        established: Body,
    }
    /// An actor was registered in the meeting, with the names the sources print for it.
    ActorRegistered as "ActorRegistered", version 1 {
        /// Its id.
        actor: ActorId,
        /// For a person: the Member State or organisation they belong to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        affiliation: Option<ActorId>,
        /// Other printed forms of its name.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        aliases: Vec<String>,
        /// What kind of participant.
        kind: ActorKind,
        /// Its name as the sources print it.
        name: String,
    }
    /// Attendance as the record reports it (each count only where the sources give it).
    AttendanceRecorded as "AttendanceRecorded", version 1 {
        /// Delegates.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delegates: Option<u32>,
        /// Member States represented.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member_states: Option<u32>,
        /// Sector Members represented.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sector_members: Option<u32>,
        /// The attendance in words, as reported.
        summary: String,
    }
    /// The meeting was opened.
    MeetingOpened as "MeetingOpened", version 1 {}
    /// The meeting was closed.
    MeetingClosed as "MeetingClosed", version 1 {}
    /// A body began a session.
    SessionOpened as "SessionOpened", version 1 {}
    /// A body's session was suspended (an adjournment). Version 2: `minutes` became
    /// `duration_minutes` (the old name read like the program's).
    SessionSuspended as "SessionSuspended", version 2 {
        /// How long, in minutes, if the sources say.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_minutes: Option<u32>,
    }
    /// A suspended session was resumed.
    SessionResumed as "SessionResumed", version 1 {}
    /// A body's session was closed.
    SessionClosed as "SessionClosed", version 1 {}
    /// An officer was elected for a body (the envelope's `body`; its first actor is the person).
    OfficerElected as "OfficerElected", version 1 {
        /// The office.
        role: Role,
    }
    /// The envelope's one actor held an office of the body (chaired it, say); the sources do
    /// not say how they came to it.
    OfficeHeld as "OfficeHeld", version 1 {
        /// The office.
        role: Role,
    }
    /// Someone spoke (the envelope's actors), about a document or not.
    StatementMade as "StatementMade", version 1 {
        /// The statement's tenor.
        stance: Stance,
        /// What was said, in a line.
        summary: String,
    }
    /// A document was tabled: it exists from this event on. The first event of its stream.
    DocumentTabled as "DocumentTabled", version 1 {
        /// The document this one is a forerunner of, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        forerunner_of: Option<DocumentName>,
        /// What kind of document.
        kind: DocumentKind,
        /// Its official symbol (`WTPF-13/5`), if it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        symbol: Option<String>,
        /// Its text, when the sources give it; `None` otherwise.
        #[serde(default)]
        text: Option<Text>,
        /// Its title.
        title: String,
    }
    /// A new version of a document was tabled under its own symbol.
    DocumentRevised as "DocumentRevised", version 1 {
        /// The new version's symbol (`WTPF-13/5 rev. 1`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        symbol: Option<String>,
        /// Its text, when the sources give it; `None` otherwise.
        #[serde(default)]
        text: Option<Text>,
    }
    /// A document was referred to a body (the envelope's `body`) for consideration.
    DocumentReferred as "DocumentReferred", version 1 {}
    /// A body took the document up, in the order given.
    ItemTakenUp as "ItemTakenUp", version 1 {
        /// Its place in the body's order of business, if the sources give it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order: Option<u32>,
    }
    /// An amendment was proposed by the envelope's actors.
    AmendmentProposed as "AmendmentProposed", version 1 {
        /// Its id within the document.
        amendment: AmendmentId,
        /// The changes to the text; empty when the wording is not known.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        operations: Vec<Operation>,
        /// What it proposes, in a line.
        summary: String,
        /// False when the sources report the proposal without its words.
        wording_known: bool,
    }
    /// An amendment was withdrawn (its proposer would not insist).
    AmendmentWithdrawn as "AmendmentWithdrawn", version 1 {
        /// The amendment.
        amendment: AmendmentId,
    }
    /// An amendment was referred to the chairman's report instead of the text.
    AmendmentReferredToReport as "AmendmentReferredToReport", version 1 {
        /// The amendment.
        amendment: AmendmentId,
    }
    /// An amendment was accepted: its operations now apply to the text. Version 2: `decided_by`
    /// may be absent, when the sources do not say how it was decided.
    AmendmentAccepted as "AmendmentAccepted", version 2 {
        /// The amendment.
        amendment: AmendmentId,
        /// How; absent when the sources do not say (version 2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decided_by: Option<Decision>,
    }
    /// A pending amendment's wording was revised in discussion: its operations are now these.
    AmendmentRevised as "AmendmentRevised", version 1 {
        /// The amendment.
        amendment: AmendmentId,
        /// The changes to the text now; empty when the wording is not known.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        operations: Vec<Operation>,
        /// What it proposes now, in a line.
        summary: String,
        /// False when the revised words are not given either.
        wording_known: bool,
    }
    /// The amendment came from a contribution (a document of the meeting, `contribution`): the
    /// proposal the contribution made, presented in the body.
    AmendmentSourced as "AmendmentSourced", version 1 {
        /// The amendment.
        amendment: AmendmentId,
        /// The contribution it came from.
        contribution: DocumentName,
    }
    /// The proposer agreed to take the amendment up under another item (`to`) instead.
    AmendmentTransferred as "AmendmentTransferred", version 1 {
        /// The amendment.
        amendment: AmendmentId,
        /// The document under which it is to be discussed.
        to: DocumentName,
    }
    /// Another text (`by`, an amendment of the same document) was agreed in place of the
    /// amendment, which was not itself accepted.
    AmendmentSuperseded as "AmendmentSuperseded", version 1 {
        /// The amendment.
        amendment: AmendmentId,
        /// The amendment agreed in its place.
        by: AmendmentId,
    }
    /// An amendment was rejected.
    AmendmentRejected as "AmendmentRejected", version 1 {
        /// The amendment.
        amendment: AmendmentId,
        /// How.
        decided_by: Decision,
    }
    /// A procedural proposal was made (merging two drafts, say).
    ProceduralProposalMade as "ProceduralProposalMade", version 1 {
        /// The documents it concerns.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        documents: Vec<DocumentName>,
        /// Its id within the meeting.
        proposal: ProposalId,
        /// What it proposes, in a line.
        summary: String,
    }
    /// A procedural proposal was withdrawn.
    ProceduralProposalWithdrawn as "ProceduralProposalWithdrawn", version 1 {
        /// The proposal.
        proposal: ProposalId,
    }
    /// A body endorsed a draft, unaltered or with the listed amendments.
    DraftEndorsed as "DraftEndorsed", version 1 {
        /// The accepted amendments it was endorsed with; empty for unaltered.
        #[serde(default)]
        amendments: Vec<AmendmentId>,
        /// The body it was submitted to (`plenary`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        submitted_to: Option<BodyId>,
    }
    /// A body did not endorse a draft.
    DraftNotEndorsed as "DraftNotEndorsed", version 1 {}
    /// The plenary adopted a draft.
    DraftAdopted as "DraftAdopted", version 1 {}
    /// A document was withdrawn by its submitters.
    DocumentWithdrawn as "DocumentWithdrawn", version 1 {}
    /// An earlier event of the same stream was a mistake of the record: it is withdrawn from
    /// the record (never edited away). The envelope's actors corrected it; a replacement, if
    /// any, is an ordinary event appended after this one.
    EventCorrected as "EventCorrected", version 1 {
        /// The event withdrawn from the record.
        corrects: EventId,
        /// Why.
        reason: String,
    }
}

/// Where the caller finds the time zone of a meeting it knows (`None`: not known), for the
/// local times of input ([`Event::from_json_in`]).
pub type ZoneOf<'a> = &'a dyn Fn(&MeetingId) -> Option<Tz>;

/// An event that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// Not JSON, or the envelope's fields are missing or of the wrong kind.
    #[error("{0}")]
    Json(String),
    /// The type is not one minutes knows.
    #[error("unknown event type '{0}'")]
    UnknownType(String),
    /// The type's schema version is not one this program reads.
    #[error(
        "event type {type_name} has schema version {v}; this program reads version {}",
        schema_version(type_name)
    )]
    Version {
        /// The type.
        type_name: String,
        /// The version found.
        v: u32,
    },
    /// The `data` does not fit the type.
    #[error("{error} (data of {type_name})")]
    Data {
        /// The type.
        type_name: String,
        /// The field's path (`data.operations[0].path`) and what serde said.
        error: String,
    },
}

/// The envelope as read: the data still raw (a `Value`, or the JSON text itself), store-assigned
/// fields accepted and ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent<D> {
    // Required but for input that lets it be derived from the content (`Event::from_json_in`).
    #[serde(default)]
    id: Option<EventId>,
    #[serde(rename = "type")]
    type_name: String,
    v: u32,
    meeting: MeetingId,
    document: Option<DocumentName>,
    #[serde(default)]
    body: Option<BodyId>,
    #[serde(default)]
    actors: Vec<ActorId>,
    occurred: Window,
    #[serde(default, deserialize_with = "crate::time::opt_timestamp")]
    recorded_at: Option<Timestamp>,
    #[serde(default)]
    recorded_by: Option<Clerk>,
    #[serde(default)]
    phase: Phase,
    #[serde(default)]
    account: Account,
    source: Option<Source>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    follows: Option<EventId>,
    #[serde(default)]
    precedes: Option<EventId>,
    data: D,
    // Assigned by the store; ignored on input.
    #[serde(default, rename = "seq")]
    _seq: Option<Strict>,
    #[serde(default, rename = "version")]
    _version: Option<Strict>,
    #[serde(default, rename = "hash")]
    _hash: Option<Strict>,
    #[serde(default, rename = "prev_hash")]
    _prev_hash: Option<Strict>,
}

/// The envelope as written, in a fixed field order so the stored bytes are canonical.
#[derive(Serialize)]
struct OutEvent<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
    id: &'a EventId,
    #[serde(rename = "type")]
    type_name: &'a str,
    v: u32,
    meeting: &'a MeetingId,
    document: &'a Option<DocumentName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u64>,
    body: &'a Option<BodyId>,
    actors: &'a [ActorId],
    occurred: &'a Window,
    recorded_at: &'a Option<Timestamp>,
    // Absent when `None`, so events recorded before the field existed keep their bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded_by: &'a Option<Clerk>,
    #[serde(skip_serializing_if = "is_default")]
    phase: Phase,
    #[serde(skip_serializing_if = "is_default")]
    account: Account,
    source: &'a Option<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: &'a Option<String>,
    // Absent when `None`, so events recorded before the fields existed keep their bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    follows: &'a Option<EventId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    precedes: &'a Option<EventId>,
    data: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<&'a str>,
}

/// Whether every object in `json` (JSON text as serde_json writes it) has its keys in strictly
/// increasing byte order, none of them escaped: then the text is the one a `Value`, whose maps
/// are sorted, would write. Reads the text once without allocating beyond the nesting.
pub(crate) fn keys_sorted(json: &[u8]) -> bool {
    // One frame a container open: `None` for an array, `Some(last key)` for an object.
    let mut open: Vec<Option<Option<&[u8]>>> = Vec::new();
    let mut key_next = false;
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'{' => {
                open.push(Some(None));
                key_next = true;
            }
            b'[' => {
                open.push(None);
                key_next = false;
            }
            b'}' | b']' => {
                open.pop();
                key_next = false;
            }
            b',' => key_next = matches!(open.last(), Some(Some(_))),
            b'"' => {
                let start = i + 1;
                let mut end = start;
                while end < json.len() && json[end] != b'"' {
                    if json[end] == b'\\' {
                        if key_next {
                            return false;
                        }
                        end += 1;
                    }
                    end += 1;
                }
                if key_next {
                    let key = &json[start..end.min(json.len())];
                    match open.last_mut() {
                        Some(Some(last)) => {
                            if last.is_some_and(|l| key <= l) {
                                return false;
                            }
                            *last = Some(key);
                        }
                        _ => return false,
                    }
                    key_next = false;
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    true
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

impl Event {
    /// Reads an event from JSON, upgrading an older shape of its type first.
    ///
    /// An event of its type's current version is read in one pass, its `data` straight into
    /// the type's fields (serde refuses a field given twice); anything else (an older shape to
    /// upgrade, or input to refuse) goes through a strict `Value`, which upgrades it or names
    /// what is wrong, with the path of the field (`occurred.from`, `data.operations[0].path`).
    pub fn from_json(s: &str) -> Result<Self, DecodeError> {
        match Self::from_json_current(s, false) {
            Some(e) => Ok(e),
            None => Self::from_value(parse_json(s)?),
        }
    }

    /// Reads an event as a person or a tool gives it (`append`, `import`): as
    /// [`Event::from_json`], and also
    ///
    /// - `occurred.from`, `occurred.to` and `recorded_at` may be `YYYY-MM-DD HH:MM`, read in the
    ///   meeting's time zone: `zone_of` gives the zone of a meeting the caller knows, and a
    ///   `MeetingDeclared` uses its own `data.time_zone`. A local time of a meeting whose zone
    ///   is not known, or one the clocks skipped, is refused; the event keeps the resolved time,
    ///   RFC 3339 with its offset.
    /// - without an `id`, the event gets [`Event::content_id`], so the same content given twice
    ///   is one event.
    pub fn from_json_in(s: &str, zone_of: ZoneOf<'_>) -> Result<Self, DecodeError> {
        match Self::from_json_current(s, true) {
            Some(e) => Ok(e),
            None => Self::decode_value(parse_json(s)?, Some(zone_of)),
        }
    }

    /// The one-pass read of an event of a current version; `None` for anything else. Without
    /// an `id`, the event gets its content id if `derive_id`, else `None`.
    fn from_json_current(s: &str, derive_id: bool) -> Option<Self> {
        let raw: RawEvent<&serde_json::value::RawValue> = serde_json::from_str(s).ok()?;
        if raw.v != schema_version(&raw.type_name) || (raw.id.is_none() && !derive_id) {
            return None;
        }
        let kind = EventKind::decode_str(&raw.type_name, raw.data.get()).ok()?;
        Some(raw.into_event(kind))
    }

    /// Reads an event from a JSON value, upgrading an older shape of its type first. A refusal
    /// names the field's path.
    pub fn from_value(v: Value) -> Result<Self, DecodeError> {
        Self::decode_value(v, None)
    }

    /// The strict read: upgrades, resolves local times (with `zone_of`, the input path; without
    /// it, a local time is refused) and derives a missing id (only with `zone_of`).
    fn decode_value(mut v: Value, zone_of: Option<ZoneOf<'_>>) -> Result<Self, DecodeError> {
        if !v.is_object() {
            return Err(DecodeError::Json("an event is a JSON object ({...})".into()));
        }
        crate::upcast::upgrade(&mut v)?;
        resolve_local_times(&mut v, zone_of)?;
        let mut raw: RawEvent<Value> =
            serde_path_to_error::deserialize(v).map_err(|e| DecodeError::Json(at_path("", &e)))?;
        if raw.id.is_none() && zone_of.is_none() {
            return Err(DecodeError::Json("missing field `id`".into()));
        }
        if !EventKind::TYPES.contains(&raw.type_name.as_str()) {
            return Err(DecodeError::UnknownType(raw.type_name));
        }
        if raw.v != schema_version(&raw.type_name) {
            return Err(DecodeError::Version { type_name: raw.type_name, v: raw.v });
        }
        let kind = EventKind::decode(&raw.type_name, std::mem::take(&mut raw.data))?;
        Ok(raw.into_event(kind))
    }

    /// The id derived from the event's content as given: a UUID (version 8) made of the first
    /// 16 bytes of the SHA-256 of its canonical JSON without `id`, `recorded_at` and
    /// `recorded_by`. Pure: the same content has the same id on every machine, so a retry of
    /// an event given without an id is the same event (and a no-op), and two events of
    /// identical content without ids are one event.
    pub fn content_id(&self) -> EventId {
        use sha2::{Digest, Sha256};
        let content = self.write_with(&EventId(uuid::Uuid::nil()), &None, &None, None);
        let digest = Sha256::digest(content.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        EventId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
    }

    /// The event as canonical JSON: the bytes the store keeps and hashes.
    pub fn to_json(&self) -> String {
        self.write(None)
    }

    /// The event as `replay --json` prints it: with `seq`, `version` and `hash`.
    pub fn to_json_recorded(&self, seq: u64, version: u64, hash: &str) -> String {
        self.write(Some((seq, version, hash)))
    }

    fn write(&self, stored: Option<(u64, u64, &str)>) -> String {
        self.write_with(&self.id, &self.recorded_at, &self.recorded_by, stored)
    }

    /// The JSON of the event with these `id`, `recorded_at` and `recorded_by`.
    fn write_with(
        &self,
        id: &EventId,
        recorded_at: &Option<Timestamp>,
        recorded_by: &Option<Clerk>,
        stored: Option<(u64, u64, &str)>,
    ) -> String {
        // Serializing plain data structs and strings into a String cannot fail; a Null data
        // would only show a bug in a Serialize impl of ours.
        let data = self.kind.data_json().ok();
        let out = OutEvent {
            seq: stored.map(|s| s.0),
            id,
            type_name: self.kind.type_name(),
            v: schema_version(self.kind.type_name()),
            meeting: &self.meeting,
            document: &self.document,
            version: stored.map(|s| s.1),
            body: &self.body,
            actors: &self.actors,
            occurred: &self.occurred,
            recorded_at,
            recorded_by,
            phase: self.phase,
            account: self.account,
            source: &self.source,
            note: &self.note,
            follows: &self.follows,
            precedes: &self.precedes,
            data,
            hash: stored.map(|s| s.2),
        };
        serde_json::to_string(&out).unwrap_or_default()
    }

    /// The stream the event belongs to: its document, or the meeting itself.
    pub fn stream(&self) -> &str {
        match &self.document {
            Some(d) => d.as_str(),
            None => self.meeting.as_str(),
        }
    }

    /// The type's name.
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }
}

impl<D> RawEvent<D> {
    /// The event this envelope holds, with its data read as `kind`; without an id, its
    /// content id.
    fn into_event(self, kind: EventKind) -> Event {
        let given = self.id;
        let mut e = Event {
            id: given.unwrap_or(EventId(uuid::Uuid::nil())),
            meeting: self.meeting,
            document: self.document,
            body: self.body,
            actors: self.actors,
            occurred: self.occurred,
            recorded_at: self.recorded_at,
            recorded_by: self.recorded_by,
            phase: self.phase,
            account: self.account,
            source: self.source,
            note: self.note,
            follows: self.follows,
            precedes: self.precedes,
            kind,
        };
        if given.is_none() {
            e.id = e.content_id();
        }
        e
    }
}

/// What serde said, after the path of the field it is about (`prefix` first, for the data).
fn at_path(prefix: &str, e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    let path = match (prefix, path.as_str()) {
        (p, ".") => p.to_string(),
        ("", p) => p.to_string(),
        (p, q) if q.starts_with('[') => format!("{p}{q}"),
        (p, q) => format!("{p}.{q}"),
    };
    if path.is_empty() {
        e.inner().to_string()
    } else {
        format!("{path}: {}", e.inner())
    }
}

/// What serde said of `data`, after the refused field's path (`data.operations[0].path`): for
/// a field inside an amendment operation, which serde reads without tracking the path, the
/// operation is read again to find it.
fn in_data(data: &Value, e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let mut at = Some(data);
    for seg in e.path().iter() {
        at = match seg {
            serde_path_to_error::Segment::Seq { index } => at.and_then(|v| v.get(index)),
            serde_path_to_error::Segment::Map { key } => at.and_then(|v| v.get(key)),
            _ => None,
        };
    }
    let element = matches!(e.path().iter().next_back(), Some(serde_path_to_error::Segment::Seq { .. }));
    match at.filter(|_| element).and_then(crate::amend::refused_field) {
        Some((inner, message)) => {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { format!(".{path}") };
            format!("data{path}{inner}: {message}")
        }
        None => at_path("data", e),
    }
}

/// The envelope's time fields that may be given as local times.
const TIME_FIELDS: [(&str, Option<&str>); 3] =
    [("occurred", Some("from")), ("occurred", Some("to")), ("recorded_at", None)];

/// Rewrites each time field given as `YYYY-MM-DD HH:MM` to RFC 3339 with its offset, read in
/// the meeting's zone (`zone_of`; a `MeetingDeclared` gives its own). Anything else is left for
/// the deserializer to accept or refuse.
fn resolve_local_times(v: &mut Value, zone_of: Option<ZoneOf<'_>>) -> Result<(), DecodeError> {
    let mut zone: Option<Option<Tz>> = None;
    for (outer, inner) in TIME_FIELDS {
        let field = match inner {
            Some(i) => v.get(outer).and_then(|o| o.get(i)),
            None => v.get(outer),
        };
        let Some(text) = field.and_then(Value::as_str) else { continue };
        let Some(local) = local_time(text) else { continue };
        let name = inner.map_or_else(|| outer.to_string(), |i| format!("{outer}.{i}"));
        let tz = *zone.get_or_insert_with(|| meeting_zone(v, zone_of));
        let Some(tz) = tz else {
            let meeting = v.get("meeting").and_then(Value::as_str).unwrap_or("?");
            return Err(DecodeError::Json(format!(
                "{name}: '{text}' is a local time, but the time zone of meeting '{meeting}' is not known here; \
                 declare the meeting first, or use {TIME_FORMS}"
            )));
        };
        let t = time::local(tz, local).map_err(|e| DecodeError::Json(format!("{name}: {e}")))?;
        let resolved = Value::String(time::rfc3339(&t));
        let slot = match inner {
            Some(i) => v.get_mut(outer).and_then(|o| o.get_mut(i)),
            None => v.get_mut(outer),
        };
        if let Some(slot) = slot {
            *slot = resolved;
        }
    }
    Ok(())
}

/// `YYYY-MM-DD HH:MM` (a local time), for a text that is not an instant already.
fn local_time(text: &str) -> Option<NaiveDateTime> {
    if DateTime::parse_from_rfc3339(text).is_ok() || text.parse::<Timestamp>().is_ok() {
        return None;
    }
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M").ok()
}

/// The zone local times of the event `v` are read in: a declaration's own, else the caller's.
fn meeting_zone(v: &Value, zone_of: Option<ZoneOf<'_>>) -> Option<Tz> {
    if v.get("type").and_then(Value::as_str) == Some("MeetingDeclared") {
        let name = v.get("data").and_then(|d| d.get("time_zone")).and_then(Value::as_str)?;
        return time::zone(name).ok();
    }
    let meeting = MeetingId::new(v.get("meeting").and_then(Value::as_str)?).ok()?;
    zone_of.and_then(|f| f(&meeting))
}

/// Parses JSON, refusing an object that holds the same key twice: other tools may read the
/// first value where serde would keep the last, so such input has no one meaning.
pub fn parse_json(s: &str) -> Result<Value, DecodeError> {
    let strict: Strict = serde_json::from_str(s).map_err(|e| DecodeError::Json(e.to_string()))?;
    Ok(strict.0)
}

/// A JSON value read with duplicate keys refused.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            if out.contains_key(&k) {
                return Err(serde::de::Error::custom(format!("the key \"{k}\" appears twice in one object")));
            }
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_sorted_reads_nesting_strings_and_escapes() {
        assert!(keys_sorted(br#"{"a":1,"b":{"a":[{"x":"}","y":"\"{"}],"c":null},"c":"z"}"#));
        assert!(!keys_sorted(br#"{"b":1,"a":2}"#));
        assert!(!keys_sorted(br#"{"a":{"z":1,"y":2},"b":3}"#));
        assert!(!keys_sorted(br#"{"a":1,"a":2}"#), "a key twice");
        assert!(!keys_sorted(br#"{"a\"":1}"#), "an escaped key is left to a Value");
        assert!(keys_sorted(br#"[{"a":1},{"a":1}]"#), "each object on its own");
        assert!(keys_sorted(br#"{"":1,"a":[1,"b",{"":2}]}"#));
    }

    use super::*;

    #[test]
    fn a_key_twice_in_one_object_is_refused() {
        let e = parse_json(r#"{"a": {"name": "x", "name": "y"}}"#).unwrap_err();
        assert!(e.to_string().contains("\"name\" appears twice"), "{e}");
        assert!(parse_json(r#"{"a": [{"name": "x"}, {"name": "y"}], "b": 1.5}"#).is_ok());
    }

    const PROPOSED: &str = r#"{"id":"0196c0de-0000-7000-8000-000000000001","type":"AmendmentProposed","v":1,
        "meeting":"wtpf-13","document":"wtpf-13/opinion-3","body":"wg-2","actors":["turkey"],
        "occurred":{"from":"2013-05-15T09:30:00+02:00","to":"2013-05-15T10:10:00+02:00"},
        "source":{"file":"002.txt","section":"Annex I, 2","quote":"Turkey proposed"},
        "data":{"amendment":"op3-turkey","summary":"adds a request","wording_known":false}}"#;

    /// The one-pass read and the strict `Value` read agree: the same event, or the same refusal.
    #[test]
    fn the_one_pass_read_agrees_with_the_strict_read() {
        let strict = |s: &str| parse_json(s).and_then(Event::from_value);
        let with = |from: &str, to: &str| PROPOSED.replace(from, to);
        let cases = [
            PROPOSED.to_string(),
            // A key twice: in the envelope, in a nested object, in the data.
            with(r#""body":"wg-2","#, r#""body":"wg-2","body":"wg-1","#),
            with(r#""section":"Annex I, 2","#, r#""section":"Annex I, 2","section":"x","#),
            with(r#""summary":"adds a request","#, r#""summary":"adds a request","summary":"x","#),
            with(r#""v":1,"#, r#""v":1,"seq":{"a":1,"a":2},"#),
            // Times: the strict RFC 3339 form, chrono's lenient forms, and bad ones.
            with("2013-05-15T09:30:00+02:00", "2013-05-15 09:30:00+02:00"),
            with("2013-05-15T09:30:00+02:00", "2013-05-15T07:30:00.250Z"),
            with("2013-05-15T09:30:00+02:00", "2013-05-15T09:30"),
            with(r#""from":"2013-05-15T09:30:00+02:00","#, ""),
            // Types, versions, ids, shapes.
            with(r#""v":1"#, r#""v":2"#),
            with("AmendmentProposed", "AmendmentMade"),
            with(r#""meeting":"wtpf-13""#, r#""meeting":"WTPF 13""#),
            with(r#""wording_known":false"#, r#""wording_known":"no""#),
            with(r#""wording_known":false"#, r#""wording_known":false,"extra":1"#),
            "[1, 2]".to_string(),
            "{".to_string(),
            // Fields of the wrong kind, named by their path.
            with(r#""v":1"#, r#""v":"1""#),
            with(r#""actors":["turkey"]"#, r#""actors":["turkey","Turkey"]"#),
            with(
                r#""wording_known":false"#,
                r#""wording_known":true,"operations":[{"op":"delete_clause","path":7}]"#,
            ),
            with(r#""wording_known":false"#, r#""wording_known":true,"operations":[{"op":"delete_clause"}]"#),
            // Local times: refused without a zone (from_json has none), whatever the path.
            with("2013-05-15T09:30:00+02:00", "2013-05-15 09:30"),
            // Without an id.
            with(r#""id":"0196c0de-0000-7000-8000-000000000001","#, ""),
        ];
        for case in &cases {
            let fast = Event::from_json(case);
            let slow = strict(case);
            assert_eq!(
                fast.as_ref().map_err(ToString::to_string),
                slow.as_ref().map_err(ToString::to_string),
                "{case}"
            );
        }
        assert!(Event::from_json(&cases[1]).unwrap_err().to_string().contains("\"body\" appears twice"));
        assert!(Event::from_json(&cases[4]).unwrap_err().to_string().contains("\"a\" appears twice"));
        let err = |i: usize| Event::from_json(&cases[i]).unwrap_err().to_string();
        assert!(
            err(7).starts_with("occurred.from: '2013-05-15T09:30' is not a time; use RFC 3339"),
            "{}",
            err(7)
        );
        assert!(err(7).contains("YYYY-MM-DD HH:MM in the meeting's time zone"), "{}", err(7));
        assert!(err(12).starts_with("data.wording_known: invalid type"), "{}", err(12));
        assert!(err(12).ends_with("(data of AmendmentProposed)"), "{}", err(12));
        assert!(err(13).starts_with("data.extra: unknown field `extra`"), "{}", err(13));
        assert!(err(16).starts_with("v: invalid type: string \"1\""), "{}", err(16));
        assert!(err(17).starts_with("actors[1]: actor id 'Turkey' is not valid"), "{}", err(17));
        assert!(err(18).starts_with("data.operations[0].path: "), "{}", err(18));
        assert!(err(19).starts_with("data.operations[0]: missing field `path`"), "{}", err(19));
        assert!(err(20).starts_with("occurred.from: '2013-05-15 09:30' is a local time"), "{}", err(20));
        assert_eq!(err(21), "missing field `id`");
    }

    #[test]
    fn an_event_reads_and_writes_back_the_same() {
        let e = Event::from_json(PROPOSED).unwrap();
        assert_eq!(e.type_name(), "AmendmentProposed");
        assert_eq!(e.stream(), "wtpf-13/opinion-3");
        let again = Event::from_json(&e.to_json()).unwrap();
        assert_eq!(again, e);
        assert!(e.to_json().contains(r#""recorded_at":null"#));
    }

    #[test]
    fn unknown_types_fields_and_versions_are_refused() {
        let t = PROPOSED.replace("AmendmentProposed", "AmendmentTeleported");
        assert_eq!(Event::from_json(&t).unwrap_err(), DecodeError::UnknownType("AmendmentTeleported".into()));
        let f = PROPOSED.replace(r#""wording_known":false"#, r#""wording_known":false,"colour":"red""#);
        assert!(Event::from_json(&f).unwrap_err().to_string().contains("unknown field `colour`"));
        let v = PROPOSED.replace(r#""v":1"#, r#""v":7"#);
        assert!(matches!(Event::from_json(&v), Err(DecodeError::Version { v: 7, .. })));
    }

    #[test]
    fn recorded_by_is_read_written_and_absent_when_none() {
        let e = Event::from_json(PROPOSED).unwrap();
        assert_eq!(e.recorded_by, None);
        assert!(!e.to_json().contains("recorded_by"), "{}", e.to_json());
        let by = PROPOSED.replace(r#""v":1,"#, r#""v":1,"recorded_by":"Ana Ruiz","#);
        let e = Event::from_json(&by).unwrap();
        assert_eq!(e.recorded_by.as_ref().map(Clerk::as_str), Some("Ana Ruiz"));
        assert!(e.to_json().contains(r#""recorded_at":null,"recorded_by":"Ana Ruiz","#), "{}", e.to_json());
        assert_eq!(Event::from_json(&e.to_json()).unwrap(), e);
        for bad in [r#""""#, r#""a\nb""#, "7"] {
            let b = PROPOSED.replace(r#""v":1,"#, &format!(r#""v":1,"recorded_by":{bad},"#));
            assert!(Event::from_json(&b).is_err(), "{b}");
        }
    }

    fn zurich(m: &MeetingId) -> Option<Tz> {
        (m.as_str() == "wtpf-13").then_some(chrono_tz::Europe::Zurich)
    }

    #[test]
    fn input_reads_local_times_in_the_meetings_zone() {
        let local = PROPOSED
            .replace("2013-05-15T09:30:00+02:00", "2013-05-15 09:30")
            .replace(r#""v":1,"#, r#""v":1,"recorded_at":"2026-03-29 03:30","#);
        let e = Event::from_json_in(&local, &zurich).unwrap();
        let given = Event::from_json(PROPOSED).unwrap();
        assert_eq!(e.occurred, given.occurred);
        assert!(e.to_json().contains(r#""from":"2013-05-15T09:30:00+02:00""#), "{}", e.to_json());
        assert!(e.to_json().contains(r#""recorded_at":"2026-03-29T03:30:00+02:00""#), "{}", e.to_json());
        // RFC 3339 input reads as before.
        assert_eq!(Event::from_json_in(PROPOSED, &zurich).unwrap(), given);
        // A meeting whose zone is not known.
        let err = Event::from_json_in(&local, &|_| None).unwrap_err().to_string();
        assert!(err.starts_with("occurred.from: '2013-05-15 09:30' is a local time"), "{err}");
        assert!(err.contains("time zone of meeting 'wtpf-13' is not known"), "{err}");
        // A time the clocks skipped.
        let gap = PROPOSED.replace("2013-05-15T10:10:00+02:00", "2013-03-31 02:30");
        let err = Event::from_json_in(&gap, &zurich).unwrap_err().to_string();
        assert_eq!(
            err,
            "occurred.to: '2013-03-31 02:30' does not exist in Europe/Zurich (the clocks skipped it)"
        );
        // Neither form.
        let bad = PROPOSED.replace("2013-05-15T09:30:00+02:00", "15/05/2013 09:30");
        let err = Event::from_json_in(&bad, &zurich).unwrap_err().to_string();
        assert!(err.starts_with("occurred.from: '15/05/2013 09:30' is not a time; use RFC 3339"), "{err}");
    }

    #[test]
    fn a_declaration_reads_local_times_in_its_own_zone() {
        let declared = r#"{"id":"0196c0de-0000-7000-8000-000000000002","type":"MeetingDeclared","v":1,
            "meeting":"new-one","document":null,"occurred":{"from":"2030-01-10 09:00","to":"2030-01-10 09:00"},
            "source":null,"phase":"preparatory","data":{"title":"T","venue":"V","time_zone":"America/New_York",
            "first_day":"2030-03-02","last_day":"2030-03-02","bodies":[]}}"#;
        let e = Event::from_json_in(declared, &|_| None).unwrap();
        assert_eq!(e.occurred.from.map(|t| time::rfc3339(&t)).as_deref(), Some("2030-01-10T09:00:00-05:00"));
    }

    #[test]
    fn an_event_without_an_id_gets_the_id_of_its_content() {
        let no_id = PROPOSED.replace(r#""id":"0196c0de-0000-7000-8000-000000000001","#, "");
        let a = Event::from_json_in(&no_id, &zurich).unwrap();
        assert_eq!(a.id.0.get_version_num(), 8);
        assert_eq!(a.id, a.content_id());
        // The same content, however written: the same id; recorded_at and recorded_by do not count.
        let respaced = no_id
            .replace(r#""v":1,"#, r#""v": 1, "recorded_at": "2026-01-01T00:00:00Z", "recorded_by": "Ana","#);
        let local = no_id.replace("2013-05-15T09:30:00+02:00", "2013-05-15 09:30");
        assert_eq!(Event::from_json_in(&respaced, &zurich).unwrap().id, a.id);
        // (a local time goes through the strict read: both reads derive the same id)
        assert_eq!(Event::from_json_in(&local, &zurich).unwrap().id, a.id);
        // Other content, another id; an explicit id is kept.
        let other = no_id.replace("adds a request", "adds two requests");
        assert_ne!(Event::from_json_in(&other, &zurich).unwrap().id, a.id);
        assert_eq!(
            Event::from_json_in(PROPOSED, &zurich).unwrap().id,
            Event::from_json(PROPOSED).unwrap().id
        );
        // The id is pinned: it is part of the file format.
        assert_eq!(a.id.to_string(), "5927a09b-8ff5-8694-997e-c2a234f3bc57");
    }

    #[test]
    fn store_assigned_fields_are_ignored_on_input() {
        let e = Event::from_json(PROPOSED).unwrap();
        let printed = e.to_json_recorded(12, 3, "abcd");
        assert_eq!(Event::from_json(&printed).unwrap(), e);
    }
}
