//! `minutes record VERB`: one procedural event from flags. The verbs and their defaults live in
//! `minutes_query::record`; this file parses flags into its requests and prints the answer.

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Arg, ArgAction, ArgMatches};
use minutes_core::event::{ActorKind, Decision, DocumentKind, Phase, Role, Rules, Source, Stance};
use minutes_core::id::EventId;
use minutes_core::text::Text;
use minutes_query::record::{self, Envelope, Fate, OpSpec, Request, TimeSpec, Verb, When};
use serde_json::json;

use crate::context::Context;
use crate::error::{CliError, Result};

/// Record one procedural event from flags: no JSON to write.
///
/// The verb builds the event, judges it by the same rules as `append` against the log as it
/// stands and appends it durably, then prints `SEQ ID version V[ amendment A]: WHAT HAPPENED`
/// (`--json`: an object with seq, id, version, type, document, amendment, existed,
/// description, conflicts). Without --expected-version a verb conflicts only with what it
/// decides on (a fate already recorded for the amendment is refused, exit 1, naming it).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes record take-up example-harbour/by-law-7 --body works --at \"2030-03-02 10:05\"\n  minutes record propose --doc example-harbour/by-law-7 --by ben-okafor --clause decides/1 --replace \"10 per night\" --with \"8 per night\" --at \"2030-03-02 10:20\"\n  minutes record accept by-law-7-amendment-1 --decided-by vote --at \"2030-03-02 10:30\""
)]
pub struct Args {
    #[command(subcommand)]
    verb: VerbArgs,
}

/// Flags every verb takes: when, on what authority, and how to write.
#[derive(clap::Args)]
struct Common {
    /// When it happened: RFC 3339, "YYYY-MM-DD HH:MM" in the meeting's zone, or HH:MM (that
    /// minute today in the meeting's zone) [default: now]
    #[arg(long, value_name = "T", value_parser = time_spec, conflicts_with_all = ["from", "to"])]
    at: Option<TimeSpec>,
    /// The start of the window in which it certainly happened (with --to, or alone: no end known)
    #[arg(long, value_name = "T", value_parser = time_spec)]
    from: Option<TimeSpec>,
    /// The end of that window (alone: no start known)
    #[arg(long, value_name = "T", value_parser = time_spec)]
    to: Option<TimeSpec>,
    /// The meeting, for a verb about the meeting or a body [default: the store's one meeting];
    /// a document's verbs take it from the document
    #[arg(long, value_name = "MEETING")]
    meeting: Option<String>,
    /// The source file the fact comes from (with --section and --quote)
    #[arg(long, value_name = "FILE", requires_all = ["section", "quote"])]
    source: Option<String>,
    /// The section of the source
    #[arg(long, value_name = "S", requires = "source")]
    section: Option<String>,
    /// A short exact quote of the source
    #[arg(long, value_name = "Q", requires = "source")]
    quote: Option<String>,
    /// The recorder's remark (a discrepancy between sources, why a window was chosen)
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// For an event before or after the meeting's dates [default: during; a declaration is
    /// placed by its time]
    #[arg(long, value_enum)]
    phase: Option<PhaseArg>,
    /// Append only if the event's stream (its document, or the meeting) still holds N events;
    /// otherwise exit 3
    #[arg(long, value_name = "N")]
    expected_version: Option<u64>,
    /// The event's id [default: a new UUIDv7]. When the log holds this id already for the same
    /// verb and target, print the original and exit 0 (a safe retry)
    #[arg(long, value_name = "UUID")]
    id: Option<uuid::Uuid>,
    /// Print the event as `append` reads it and write nothing. The names are resolved and the
    /// defaults filled in against the store (which must exist), but the rules judge nothing
    #[arg(long)]
    dry_run: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PhaseArg {
    /// Before the meeting's dates.
    Preparatory,
    /// After them.
    FollowUp,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DecidedBy {
    /// Without objection.
    Consensus,
    /// By a vote.
    Vote,
    /// As the chair ruled.
    Chair,
}

impl From<DecidedBy> for Decision {
    fn from(d: DecidedBy) -> Self {
        match d {
            DecidedBy::Consensus => Decision::Consensus,
            DecidedBy::Vote => Decision::Vote,
            DecidedBy::Chair => Decision::Chair,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum KindArg {
    /// A Member State.
    MemberState,
    /// A Sector Member.
    SectorMember,
    /// Any other organisation.
    Organisation,
    /// A person.
    Person,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DocKindArg {
    /// A draft opinion or resolution, to be endorsed and adopted.
    DraftOpinion,
    /// A contribution.
    Contribution,
    /// An information document.
    InformationDocument,
    /// A report.
    Report,
    /// Any other draft.
    Draft,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum StanceArg {
    /// In support.
    Support,
    /// A clarification.
    Clarification,
    /// Against.
    Opposition,
    /// Anything else.
    Other,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    /// Chairman.
    Chairman,
    /// Vice-Chairman.
    ViceChairman,
}

/// The fate verbs' flags.
#[derive(clap::Args)]
struct FateArgs {
    /// The amendment (the id `propose` printed)
    amendment: String,
    /// Its document [default: the one document of the meeting with that amendment]
    #[arg(long, value_name = "DOC")]
    doc: Option<String>,
    /// Who acted (the proposer withdrawing, say); repeat for several
    #[arg(long, value_name = "ACTOR")]
    by: Vec<String>,
    /// The body [default: the one the amendment was proposed in]
    #[arg(long, value_name = "BODY")]
    body: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// The decided fate verbs' flags.
#[derive(clap::Args)]
struct DecidedArgs {
    #[command(flatten)]
    fate: FateArgs,
    /// How it was decided
    #[arg(long, value_enum, default_value = "consensus")]
    decided_by: DecidedBy,
}

#[derive(clap::Subcommand)]
enum VerbArgs {
    /// Declare a meeting: it exists from this event on (before its first day, it is marked
    /// preparatory).
    #[command(
        after_help = "Example:\n  minutes record declare example-harbour --title \"Example Harbour Board\" --venue \"Example Town hall\" --zone Europe/Zurich --first-day 2030-03-02 --last-day 2030-03-02 --body board=\"Harbour Board\" --body works=\"Works Committee\" --at \"2030-02-01 09:00\""
    )]
    Declare {
        /// The meeting's id (lowercase, digits, '-')
        #[arg(id = "new-meeting", value_name = "MEETING")]
        meeting: String,
        /// Its title
        #[arg(long)]
        title: String,
        /// Where it is held
        #[arg(long)]
        venue: String,
        /// Its IANA time zone (Europe/Zurich)
        #[arg(long, value_name = "ZONE")]
        zone: String,
        /// Its first day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        first_day: NaiveDate,
        /// Its last day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        last_day: NaiveDate,
        /// A body, as ID=Name; repeat for each
        #[arg(long = "body", value_name = "ID=NAME", value_parser = body_pair)]
        bodies: Vec<(String, String)>,
        /// The plenary may adopt a draft no body endorsed
        #[arg(long)]
        adopt_without_endorsement: bool,
        /// A body may endorse a draft it has not taken up
        #[arg(long)]
        endorse_without_consideration: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Establish a body (a working group) during the meeting.
    #[command(
        after_help = "Example:\n  minutes record body wg-2 --name \"Working Group 2\" --by-body plenary --at \"2030-03-02 09:10\""
    )]
    Body {
        /// The new body's id
        #[arg(id = "name-id", value_name = "ID")]
        id: String,
        /// Its name as printed
        #[arg(long)]
        name: String,
        /// The body that established it
        #[arg(long, value_name = "BODY")]
        by_body: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Register an actor: a Member State, Sector Member, organisation or person.
    #[command(
        after_help = "Example:\n  minutes record actor ben-okafor --name \"Ben Okafor\" --kind person --alias \"B. Okafor\" --at \"2030-03-02 09:00\""
    )]
    Actor {
        /// The actor's id
        #[arg(id = "name-id", value_name = "ID")]
        id: String,
        /// The name the sources print
        #[arg(long)]
        name: String,
        /// What kind of participant
        #[arg(long, value_enum, default_value = "person")]
        kind: KindArg,
        /// Another printed form of the name; repeat for several
        #[arg(long = "alias", value_name = "NAME")]
        aliases: Vec<String>,
        /// For a person: the State or organisation (an actor id) they belong to
        #[arg(long, value_name = "ACTOR")]
        affiliation: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Record attendance as reported.
    #[command(
        after_help = "Example:\n  minutes record attendance --summary \"9 members present\" --delegates 9 --body board --at \"2030-03-02 09:00\""
    )]
    Attendance {
        /// The attendance in words
        #[arg(long)]
        summary: String,
        /// Delegates
        #[arg(long)]
        delegates: Option<u32>,
        /// Member States represented
        #[arg(long)]
        member_states: Option<u32>,
        /// Sector Members represented
        #[arg(long)]
        sector_members: Option<u32>,
        /// The body
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// The meeting was opened.
    #[command(after_help = "Example:\n  minutes record open-meeting --body board --at \"2030-03-02 09:00\"")]
    OpenMeeting {
        /// The body that opened it
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// The meeting was closed.
    #[command(
        after_help = "Example:\n  minutes record close-meeting --body board --at \"2030-03-02 17:00\""
    )]
    CloseMeeting {
        /// The body that closed it
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A body began a session.
    #[command(after_help = "Example:\n  minutes record open-session --body works --at \"2030-03-02 10:00\"")]
    OpenSession {
        /// The body
        #[arg(long)]
        body: String,
        #[command(flatten)]
        common: Common,
    },
    /// A session was suspended.
    #[command(
        after_help = "Example:\n  minutes record suspend --body works --minutes 15 --at \"2030-03-02 10:40\""
    )]
    Suspend {
        /// The body
        #[arg(long)]
        body: String,
        /// For how many minutes, if known
        #[arg(long = "minutes", value_name = "N")]
        duration_minutes: Option<u32>,
        #[command(flatten)]
        common: Common,
    },
    /// A suspended session was resumed.
    #[command(after_help = "Example:\n  minutes record resume --body works --at \"2030-03-02 10:55\"")]
    Resume {
        /// The body
        #[arg(long)]
        body: String,
        #[command(flatten)]
        common: Common,
    },
    /// A body's session was closed.
    #[command(
        after_help = "Example:\n  minutes record close-session --body works --at \"2030-03-02 11:20\""
    )]
    CloseSession {
        /// The body
        #[arg(long)]
        body: String,
        #[command(flatten)]
        common: Common,
    },
    /// An officer was elected for a body.
    #[command(
        after_help = "Example:\n  minutes record elect ana-ruiz --role chairman --body works --at \"2030-03-02 10:01\""
    )]
    Elect {
        /// Who was elected (an actor id or printed name)
        actor: String,
        /// To what
        #[arg(long, value_enum, default_value = "chairman")]
        role: RoleArg,
        /// Of which body
        #[arg(long)]
        body: String,
        #[command(flatten)]
        common: Common,
    },
    /// Someone spoke, about a document or not.
    #[command(
        after_help = "Example:\n  minutes record statement --by ana-ruiz --doc example-harbour/by-law-7 --stance support --summary \"supported the draft\" --at \"2030-03-02 10:10\""
    )]
    Statement {
        /// Who spoke; repeat for several (none: "some delegates")
        #[arg(long, value_name = "ACTOR")]
        by: Vec<String>,
        /// The document it was about
        #[arg(long, value_name = "DOC")]
        doc: Option<String>,
        /// The statement's tenor
        #[arg(long, value_enum, default_value = "other")]
        stance: StanceArg,
        /// What was said, in a line
        #[arg(long)]
        summary: String,
        /// Where [default: the body that has the document]
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Table a document: it exists from this event on.
    #[command(
        after_help = "Example:\n  minutes record table example-harbour/by-law-7 --title \"Mooring fees for visiting boats\" --symbol HB-2030/7 --text events/examples/harbour-board/by-law-7.txt --by ana-ruiz --body works --at \"2030-03-02 10:00\""
    )]
    Table {
        /// The document's name: MEETING/SLUG
        doc: String,
        /// Its title
        #[arg(long)]
        title: String,
        /// What kind of document
        #[arg(long, value_enum, default_value = "draft-opinion")]
        kind: DocKindArg,
        /// Its official symbol
        #[arg(long)]
        symbol: Option<String>,
        /// Its text, a file in the review format of crates/core/src/text.rs (none: not known)
        #[arg(long, value_name = "FILE")]
        text: Option<PathBuf>,
        /// Its submitters; repeat for several
        #[arg(long, value_name = "ACTOR")]
        by: Vec<String>,
        /// The body it is tabled before
        #[arg(long)]
        body: Option<String>,
        /// The document it is a forerunner of
        #[arg(long, value_name = "DOC")]
        forerunner_of: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A new version of a document, under its own symbol; its text replaces the old.
    #[command(
        after_help = "Example:\n  minutes record revise example-harbour/by-law-7 --symbol \"HB-2030/7 rev. 1\" --text by-law-7-rev1.txt --at \"2030-03-02 12:00\""
    )]
    Revise {
        /// The document
        doc: String,
        /// The new version's symbol
        #[arg(long)]
        symbol: Option<String>,
        /// Its text, in the review format (none: not known)
        #[arg(long, value_name = "FILE")]
        text: Option<PathBuf>,
        /// Who revised it
        #[arg(long, value_name = "ACTOR")]
        by: Vec<String>,
        /// Where [default: the body that has the document]
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Refer a document to a body for consideration.
    #[command(
        after_help = "Example:\n  minutes record refer-doc example-harbour/by-law-7 --body works --at \"2030-03-02 10:02\""
    )]
    ReferDoc {
        /// The document
        doc: String,
        /// The body it is referred to
        #[arg(long)]
        body: String,
        #[command(flatten)]
        common: Common,
    },
    /// The submitters withdrew a document.
    #[command(
        after_help = "Example:\n  minutes record withdraw-doc example-harbour/note-2 --by ana-ruiz --at \"2030-03-02 11:00\""
    )]
    WithdrawDoc {
        /// The document
        doc: String,
        /// Who withdrew it
        #[arg(long, value_name = "ACTOR")]
        by: Vec<String>,
        /// Where [default: the body that has the document]
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A body took a document up.
    #[command(
        after_help = "Example:\n  minutes record take-up example-harbour/by-law-7 --body works --order 1 --at \"2030-03-02 10:05\""
    )]
    TakeUp {
        /// The document
        doc: String,
        /// The body
        #[arg(long)]
        body: String,
        /// Its place in the body's order of business
        #[arg(long)]
        order: Option<u32>,
        #[command(flatten)]
        common: Common,
    },
    /// Propose an amendment: its operations, in order, as flags.
    ///
    /// Edits of words name their clause with --clause PATH (it holds for the operations after
    /// it): --insert WORDS --after ANCHOR (or --before ANCHOR), --replace OLD --with NEW,
    /// --delete WORDS, each optionally followed by --occurrence N. Words are inserted and
    /// deleted as words: the separating space is added or removed for you. Whole clauses and
    /// sections: --insert-clause PARENT[:AFTER] --key K [--label L] --words W (AFTER a
    /// sibling's key, ^ for the start; none: at the end), --replace-clause PATH [--key K]
    /// [--label L] --words W, --delete-clause PATH, --insert-section AFTER (a section key, ^ for
    /// the start, $ for the end) --key K --heading H [--label L] --words W..., --delete-section
    /// KEY. --unworded records a proposal the sources report without its words. Prints the
    /// amendment's id (default: DOC-SLUG-amendment-N); warns on stderr when a pending amendment
    /// of the same document touches the same words.
    #[command(
        after_help = "Examples:\n  minutes record propose --doc example-harbour/by-law-7 --by ben-okafor --clause decides/1 --replace \"10 per night\" --with \"8 per night\" --at \"2030-03-02 10:20\"\n  minutes record propose --doc example-harbour/by-law-7 --by ana-ruiz --clause decides/2 --insert \"and south\" --after \"north\" --clause considering/b --delete \"pier\" --amendment piers\n  minutes record propose --doc example-harbour/by-law-7 --by ben-okafor --insert-clause decides:1 --key 1a --label \"1 bis)\" --words \"to exempt rowing boats;\"\n  minutes record propose --doc example-harbour/by-law-7 --by ben-okafor --unworded --summary \"a change to the fee\""
    )]
    Propose {
        /// The document
        #[arg(long, value_name = "DOC")]
        doc: String,
        /// Who proposed it; repeat for several
        #[arg(long, value_name = "ACTOR")]
        by: Vec<String>,
        /// The amendment's id, unique within the meeting [default: DOC-SLUG-amendment-N]
        #[arg(long, value_name = "ID")]
        amendment: Option<String>,
        /// What it proposes, in a line [default: its operations described]
        #[arg(long)]
        summary: Option<String>,
        /// The sources report the proposal without its words
        #[arg(long)]
        unworded: bool,
        /// Where [default: the body that has the document]
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        ops: Ops,
        #[command(flatten)]
        common: Common,
    },
    /// The proposer withdrew an amendment.
    #[command(
        after_help = "Example:\n  minutes record withdraw by-law-7-amendment-2 --by ben-okafor --at \"2030-03-02 10:25\""
    )]
    Withdraw(FateArgs),
    /// An amendment was accepted: its operations now apply to the text.
    #[command(
        after_help = "Example:\n  minutes record accept by-law-7-amendment-1 --decided-by vote --at \"2030-03-02 10:30\""
    )]
    Accept(DecidedArgs),
    /// An amendment was rejected.
    #[command(
        after_help = "Example:\n  minutes record reject by-law-7-amendment-3 --decided-by vote --at \"2030-03-02 10:35\""
    )]
    Reject(DecidedArgs),
    /// An amendment was referred to the chairman's report instead of the text.
    #[command(
        after_help = "Example:\n  minutes record refer by-law-7-amendment-4 --at \"2030-03-02 10:36\""
    )]
    Refer(FateArgs),
    /// A procedural proposal (merging two drafts, say).
    #[command(
        after_help = "Example:\n  minutes record procedural merge-7-8 --summary \"merge by-laws 7 and 8\" --doc example-harbour/by-law-7 --doc example-harbour/by-law-8 --by ben-okafor --body works --at \"2030-03-02 10:40\""
    )]
    Procedural {
        /// The proposal's id
        #[arg(id = "name-id", value_name = "ID")]
        id: String,
        /// What it proposes, in a line
        #[arg(long)]
        summary: String,
        /// A document it concerns; repeat for several
        #[arg(long = "doc", value_name = "DOC")]
        docs: Vec<String>,
        /// Who proposed it
        #[arg(long, value_name = "ACTOR")]
        by: Vec<String>,
        /// Where
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A procedural proposal was withdrawn.
    #[command(
        after_help = "Example:\n  minutes record withdraw-procedural merge-7-8 --by ben-okafor --body works --at \"2030-03-02 10:45\""
    )]
    WithdrawProcedural {
        /// The proposal's id
        #[arg(id = "name-id", value_name = "ID")]
        id: String,
        /// Who withdrew it
        #[arg(long, value_name = "ACTOR")]
        by: Vec<String>,
        /// Where
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A body endorsed a draft and submitted it on.
    #[command(
        after_help = "Example:\n  minutes record endorse example-harbour/by-law-7 --body works --submitted-to board --from \"2030-03-02 11:00\" --to \"2030-03-02 11:15\""
    )]
    Endorse {
        /// The document
        doc: String,
        /// The body that endorsed it
        #[arg(long)]
        body: String,
        /// An accepted amendment it was endorsed with; repeat [default: those accepted in that body]
        #[arg(long = "amendment", value_name = "ID", conflicts_with = "unaltered")]
        amendments: Vec<String>,
        /// Endorsed without amendments
        #[arg(long)]
        unaltered: bool,
        /// The body it was submitted to [default: the plenary, else the meeting's first other body]
        #[arg(long, value_name = "BODY")]
        submitted_to: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A body did not endorse a draft.
    #[command(
        after_help = "Example:\n  minutes record not-endorse example-harbour/by-law-8 --body works --at \"2030-03-02 11:30\""
    )]
    NotEndorse {
        /// The document
        doc: String,
        /// The body
        #[arg(long)]
        body: String,
        #[command(flatten)]
        common: Common,
    },
    /// The plenary adopted a draft.
    #[command(
        after_help = "Example:\n  minutes record adopt example-harbour/by-law-7 --from \"2030-03-02 15:00\" --to \"2030-03-02 16:00\""
    )]
    Adopt {
        /// The document
        doc: String,
        /// The body that adopted it [default: the body it was submitted to]
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Correct an earlier event: withdraw it from the record, with the reason (never edited
    /// away). Its time defaults to now (a correction may come long after the meeting).
    #[command(
        after_help = "Example:\n  minutes record correct 0190f3a0-0000-7000-8000-00000000e013 --reason \"the vote was recorded in the wrong session\" --by ana-ruiz"
    )]
    Correct {
        /// The event withdrawn from the record (its id)
        event: uuid::Uuid,
        /// Why
        #[arg(long)]
        reason: String,
        /// Who corrected the record; repeat for several
        #[arg(long, value_name = "ACTOR", required = true)]
        by: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let (verb, common) = verb(a.verb)?;
    let envelope = Envelope {
        when: match (common.at, common.from, common.to) {
            (Some(t), _, _) => When::At(t),
            (None, None, None) => When::Now,
            (None, f, t) => When::Window(f, t),
        },
        source: common.source.map(|file| Source {
            file,
            section: common.section.unwrap_or_default(),
            quote: common.quote.unwrap_or_default(),
        }),
        note: common.note,
        phase: common.phase.map(|p| match p {
            PhaseArg::Preparatory => Phase::Preparatory,
            PhaseArg::FollowUp => Phase::FollowUp,
        }),
    };
    let req = Request {
        meeting: common.meeting,
        verb,
        envelope,
        id: common.id.map(EventId),
        expected_version: common.expected_version,
    };
    // No write creates a store: a missing one is named first.
    let mut store = ctx.write()?;
    if common.dry_run {
        let e = record::build(&store, ctx.now, &req)?;
        writeln!(out, "{}", e.to_json())?;
        return Ok(());
    }
    let r = record::record(&mut store, ctx.now, &req)?;
    if common.json {
        let mut v = serde_json::to_value(&r).map_err(|e| CliError::Failed(e.to_string()))?;
        if let Some(o) = v.as_object_mut() {
            o.entry("amendment").or_insert(json!(null));
        }
        writeln!(out, "{v}")?;
    } else {
        let amendment = r.amendment.as_ref().map(|a| format!(" amendment {a}")).unwrap_or_default();
        let again = if r.existed { " (already recorded)" } else { "" };
        writeln!(out, "{} {} version {}{amendment}: {}{again}", r.seq, r.id, r.version, r.description)?;
    }
    out.flush()?;
    for c in &r.conflicts {
        let a = r.amendment.as_ref().map(ToString::to_string).unwrap_or_default();
        super::say(&format!(
            "warning: amendment '{a}' touches {}, as pending amendment '{}' does",
            c.words, c.with
        ));
    }
    Ok(())
}

fn time_spec(s: &str) -> Result<TimeSpec, String> {
    TimeSpec::parse(s)
}

fn body_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((id, name)) if !id.trim().is_empty() && !name.trim().is_empty() => {
            Ok((id.trim().to_string(), name.trim().to_string()))
        }
        _ => Err(format!("'{s}' is not ID=Name (plenary=\"Plenary\")")),
    }
}

fn read_text(p: Option<PathBuf>) -> Result<Option<Text>> {
    let Some(p) = p else { return Ok(None) };
    let src = std::fs::read_to_string(&p).map_err(|e| CliError::Refused(format!("{}: {e}", p.display())))?;
    minutes_core::text::parse(&src).map(Some).map_err(|e| CliError::Refused(format!("{}: {e}", p.display())))
}

fn fate(f: FateArgs, fate: Fate) -> (Verb, Common) {
    (Verb::Fate { amendment: f.amendment, doc: f.doc, fate, by: f.by, body: f.body }, f.common)
}

/// The request's verb from the parsed flags.
fn verb(v: VerbArgs) -> Result<(Verb, Common)> {
    Ok(match v {
        VerbArgs::Declare {
            meeting,
            title,
            venue,
            zone,
            first_day,
            last_day,
            bodies,
            adopt_without_endorsement,
            endorse_without_consideration,
            common,
        } => {
            let rules = Rules {
                adoption_requires_endorsement: !adopt_without_endorsement,
                endorsement_requires_consideration: !endorse_without_consideration,
            };
            (Verb::Declare { meeting, title, venue, zone, first_day, last_day, bodies, rules }, common)
        }
        VerbArgs::Body { id, name, by_body, common } => (Verb::Body { id, name, by_body }, common),
        VerbArgs::Actor { id, name, kind, aliases, affiliation, common } => {
            let kind = match kind {
                KindArg::MemberState => ActorKind::MemberState,
                KindArg::SectorMember => ActorKind::SectorMember,
                KindArg::Organisation => ActorKind::Organisation,
                KindArg::Person => ActorKind::Person,
            };
            (Verb::Actor { id, name, kind, aliases, affiliation }, common)
        }
        VerbArgs::Attendance { summary, delegates, member_states, sector_members, body, common } => {
            (Verb::Attendance { body, summary, delegates, member_states, sector_members }, common)
        }
        VerbArgs::OpenMeeting { body, common } => (Verb::OpenMeeting { body }, common),
        VerbArgs::CloseMeeting { body, common } => (Verb::CloseMeeting { body }, common),
        VerbArgs::OpenSession { body, common } => (Verb::OpenSession { body }, common),
        VerbArgs::Suspend { body, duration_minutes, common } => {
            (Verb::Suspend { body, duration_minutes }, common)
        }
        VerbArgs::Resume { body, common } => (Verb::Resume { body }, common),
        VerbArgs::CloseSession { body, common } => (Verb::CloseSession { body }, common),
        VerbArgs::Elect { actor, role, body, common } => {
            let role = match role {
                RoleArg::Chairman => Role::Chairman,
                RoleArg::ViceChairman => Role::ViceChairman,
            };
            (Verb::Elect { actor, role, body }, common)
        }
        VerbArgs::Statement { by, doc, stance, summary, body, common } => {
            let stance = match stance {
                StanceArg::Support => Stance::Support,
                StanceArg::Clarification => Stance::Clarification,
                StanceArg::Opposition => Stance::Opposition,
                StanceArg::Other => Stance::Other,
            };
            (Verb::Statement { by, doc, stance, summary, body }, common)
        }
        VerbArgs::Table { doc, title, kind, symbol, text, by, body, forerunner_of, common } => {
            let kind = match kind {
                DocKindArg::DraftOpinion => DocumentKind::DraftOpinion,
                DocKindArg::Contribution => DocumentKind::Contribution,
                DocKindArg::InformationDocument => DocumentKind::InformationDocument,
                DocKindArg::Report => DocumentKind::Report,
                DocKindArg::Draft => DocumentKind::Draft,
            };
            (
                Verb::Table { doc, kind, title, symbol, text: read_text(text)?, by, body, forerunner_of },
                common,
            )
        }
        VerbArgs::Revise { doc, symbol, text, by, body, common } => {
            (Verb::Revise { doc, symbol, text: read_text(text)?, by, body }, common)
        }
        VerbArgs::ReferDoc { doc, body, common } => (Verb::ReferDoc { doc, body }, common),
        VerbArgs::WithdrawDoc { doc, by, body, common } => (Verb::WithdrawDoc { doc, by, body }, common),
        VerbArgs::TakeUp { doc, body, order, common } => (Verb::TakeUp { doc, body, order }, common),
        VerbArgs::Propose { doc, by, amendment, summary, unworded, body, ops, common } => {
            (Verb::Propose { doc, by, ops: operations(&ops.0)?, unworded, amendment, summary, body }, common)
        }
        VerbArgs::Withdraw(f) => fate(f, Fate::Withdraw),
        VerbArgs::Refer(f) => fate(f, Fate::Refer),
        VerbArgs::Accept(d) => {
            let by = d.decided_by.into();
            fate(d.fate, Fate::Accept(by))
        }
        VerbArgs::Reject(d) => {
            let by = d.decided_by.into();
            fate(d.fate, Fate::Reject(by))
        }
        VerbArgs::Procedural { id, summary, docs, by, body, common } => {
            (Verb::Procedural { id, summary, docs, by, body }, common)
        }
        VerbArgs::WithdrawProcedural { id, by, body, common } => {
            (Verb::WithdrawProcedural { id, by, body }, common)
        }
        VerbArgs::Endorse { doc, body, amendments, unaltered, submitted_to, common } => {
            let amendments = if unaltered {
                Some(Vec::new())
            } else if amendments.is_empty() {
                None
            } else {
                Some(amendments)
            };
            (Verb::Endorse { doc, body, amendments, submitted_to }, common)
        }
        VerbArgs::NotEndorse { doc, body, common } => (Verb::NotEndorse { doc, body }, common),
        VerbArgs::Adopt { doc, body, common } => (Verb::Adopt { doc, body }, common),
        VerbArgs::Correct { event, reason, by, common } => {
            (Verb::Correct { event: EventId(event), reason, by }, common)
        }
    })
}

/// The operation flags of `propose`, in the order given: clap keeps each flag's values apart,
/// so their command-line indices put them back in sequence.
struct Ops(Vec<(&'static str, String)>);

/// Each operation flag: its name, value name and help.
const OP_FLAGS: &[(&str, &str, &str)] = &[
    ("clause", "PATH", "The clause the edits of words after it apply to (decides/1)"),
    ("insert", "WORDS", "Insert these words (then --after or --before ANCHOR)"),
    ("after", "ANCHOR", "... right after these words"),
    ("before", "ANCHOR", "... right before these words"),
    ("replace", "OLD", "Replace these words (then --with NEW)"),
    ("with", "NEW", "... with these"),
    ("delete", "WORDS", "Delete these words"),
    ("occurrence", "N", "Which occurrence of the words or anchor just named (1-based)"),
    (
        "insert-clause",
        "PARENT[:AFTER]",
        "Insert a clause under a section or clause, after a sibling (^: at the start; none: at the end)",
    ),
    ("replace-clause", "PATH", "Replace a whole clause (then --words, optionally --key, --label)"),
    ("delete-clause", "PATH", "Delete a whole clause"),
    (
        "insert-section",
        "AFTER",
        "Insert a section after this one (^: at the start; $: at the end), then --key, --heading, --words...",
    ),
    ("delete-section", "KEY", "Delete a section"),
    ("key", "K", "The key of the clause or section being inserted"),
    ("label", "L", "The label of the clause being inserted (a), 1 bis))"),
    ("words", "W", "The words of the clause being inserted (for a section: one clause each)"),
    ("heading", "H", "The heading of the section being inserted"),
];

impl clap::FromArgMatches for Ops {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut all = Vec::new();
        for (id, _, _) in OP_FLAGS {
            if let (Some(vals), Some(idx)) = (m.get_many::<String>(id), m.indices_of(id)) {
                all.extend(idx.zip(vals).map(|(i, v)| (i, *id, v.clone())));
            }
        }
        all.sort_by_key(|x| x.0);
        Ok(Self(all.into_iter().map(|(_, id, v)| (id, v)).collect()))
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for Ops {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        OP_FLAGS.iter().fold(cmd, |c, (id, value, help)| {
            c.arg(
                Arg::new(*id)
                    .long(*id)
                    .value_name(*value)
                    .action(ArgAction::Append)
                    .help(*help)
                    .help_heading("Operations"),
            )
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// An operation being read: what its modifiers may still fill in.
enum Draft {
    Done(OpSpec),
    Insert {
        path: String,
        words: String,
        anchor: Option<(String, bool)>,
        occurrence: Option<usize>,
    },
    Replace {
        path: String,
        old: String,
        new: Option<String>,
        occurrence: Option<usize>,
    },
    Delete {
        path: String,
        words: String,
        occurrence: Option<usize>,
    },
    Clause {
        parent: Option<(String, Option<String>)>,
        path: Option<String>,
        key: Option<String>,
        label: Option<String>,
        words: Option<String>,
    },
    Section {
        after: Option<String>,
        key: Option<String>,
        heading: Option<String>,
        label: Option<String>,
        clauses: Vec<(Option<String>, String)>,
    },
}

fn usage(s: impl Into<String>) -> CliError {
    CliError::Usage(s.into())
}

/// Reads the operation flags, in order, into operations.
fn operations(flags: &[(&'static str, String)]) -> Result<Vec<OpSpec>> {
    let mut clause: Option<String> = None;
    let mut drafts: Vec<Draft> = Vec::new();
    let need_clause = |flag: &str, c: &Option<String>| {
        c.clone().ok_or_else(|| {
            usage(format!("--{flag} edits words of a clause: name it first with --clause PATH"))
        })
    };
    for (flag, v) in flags {
        let v = v.clone();
        let last = drafts.last_mut();
        match (*flag, last) {
            ("clause", _) => clause = Some(v),
            ("insert", _) => drafts.push(Draft::Insert {
                path: need_clause(flag, &clause)?,
                words: v,
                anchor: None,
                occurrence: None,
            }),
            ("replace", _) => drafts.push(Draft::Replace {
                path: need_clause(flag, &clause)?,
                old: v,
                new: None,
                occurrence: None,
            }),
            ("delete", _) => {
                drafts.push(Draft::Delete { path: need_clause(flag, &clause)?, words: v, occurrence: None })
            }
            ("delete-clause", _) => drafts.push(Draft::Done(OpSpec::DeleteClause { path: v })),
            ("delete-section", _) => drafts.push(Draft::Done(OpSpec::DeleteSection { key: v })),
            ("insert-clause", _) => {
                let (parent, after) = match v.split_once(':') {
                    Some((p, a)) => (p.to_string(), Some(a.to_string())),
                    None => (v, None),
                };
                drafts.push(Draft::Clause {
                    parent: Some((parent, after)),
                    path: None,
                    key: None,
                    label: None,
                    words: None,
                });
            }
            ("replace-clause", _) => drafts.push(Draft::Clause {
                parent: None,
                path: Some(v),
                key: None,
                label: None,
                words: None,
            }),
            ("insert-section", _) => {
                let after = if v == "$" { None } else { Some(v) };
                drafts.push(Draft::Section {
                    after,
                    key: None,
                    heading: None,
                    label: None,
                    clauses: Vec::new(),
                });
            }
            ("after" | "before", Some(Draft::Insert { anchor: a @ None, .. })) => {
                *a = Some((v, *flag == "after"))
            }
            ("with", Some(Draft::Replace { new: n @ None, .. })) => *n = Some(v),
            (
                "occurrence",
                Some(
                    Draft::Insert { occurrence: o @ None, .. }
                    | Draft::Replace { occurrence: o @ None, .. }
                    | Draft::Delete { occurrence: o @ None, .. },
                ),
            ) => {
                *o = Some(
                    v.parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| usage(format!("--occurrence '{v}' is not a number from 1")))?,
                );
            }
            ("key", Some(Draft::Clause { key: k @ None, .. } | Draft::Section { key: k @ None, .. })) => {
                *k = Some(v)
            }
            (
                "label",
                Some(Draft::Clause { label: l @ None, .. } | Draft::Section { label: l @ None, .. }),
            ) => *l = Some(v),
            ("words", Some(Draft::Clause { words: w @ None, .. })) => *w = Some(v),
            ("words", Some(Draft::Section { label, clauses, .. })) => clauses.push((label.take(), v)),
            ("heading", Some(Draft::Section { heading: h @ None, .. })) => *h = Some(v),
            (flag, _) => {
                return Err(usage(format!(
                    "--{flag} does not follow an operation it belongs to; see minutes record propose --help"
                )))
            }
        }
    }
    drafts.into_iter().map(finish).collect()
}

fn finish(d: Draft) -> Result<OpSpec> {
    Ok(match d {
        Draft::Done(o) => o,
        Draft::Insert { path, words, anchor, occurrence } => {
            let (anchor, after) = anchor.ok_or_else(|| {
                usage(format!("--insert '{words}' needs --after ANCHOR or --before ANCHOR"))
            })?;
            OpSpec::InsertWords { path, words, anchor, after, occurrence }
        }
        Draft::Replace { path, old, new, occurrence } => {
            let new = new.ok_or_else(|| usage(format!("--replace '{old}' needs --with NEW")))?;
            OpSpec::ReplaceWords { path, old, new, occurrence }
        }
        Draft::Delete { path, words, occurrence } => OpSpec::DeleteWords { path, words, occurrence },
        Draft::Clause { parent, path, key, label, words } => {
            let words = words.ok_or_else(|| usage("a clause inserted or replaced needs --words W"))?;
            match (parent, path) {
                (Some((parent, after)), _) => OpSpec::insert_clause(parent, after, key, label, words)?,
                (None, Some(path)) => OpSpec::replace_clause(path, key, label, words),
                (None, None) => return Err(usage("a clause operation without its clause")),
            }
        }
        Draft::Section { after, key, heading, clauses, .. } => {
            let heading = heading.ok_or_else(|| usage("--insert-section needs --heading H"))?;
            OpSpec::insert_section(after, key, heading, clauses)
        }
    })
}
