//! A document at a moment as Akoma Ntoso 3.0 (OASIS LegalDocML) XML.
//!
//! The draft is a `statement` (an Opinion states a view and invites; it enacts nothing, so
//! neither `act` nor `bill` fits): its title in the `preface`, its preamble line in the
//! `preamble`, each section a `section` and each clause a `clause` whose `eId` is made from
//! its path (`recognizing/b/iv` is `sec_recognizing__clause_b__clause_iv`), so an eId names
//! the same clause at every moment. The metadata names the moment and the log position in the
//! FRBR expression, the lifecycle as `eventRef`s, the procedure as workflow `step`s taken by
//! bodies, and the actors as TLC references. Each amendment whose proposal is certain by
//! then is an `amendment` document whose `mod`s and `quotedText`s point (`for`) at the eIds
//! they change, its fate a workflow step. [`document`] prints all of them as one
//! `documentCollection`; [`files`] writes each as its own `akomaNtoso` file.

use std::collections::BTreeSet;

use chrono_tz::Tz;
use minutes_core::amend::Operation;
use minutes_core::event::{ActorKind, DocumentKind, EventKind, Recorded};
use minutes_core::id::ActorId;
use minutes_core::project::meeting::MeetingState;
use minutes_core::text::{ClausePath, NOT_RECORDED};
use minutes_query::view::{AmendmentView, ClauseNode, StateView};
use minutes_query::{Moment, Reader};

use crate::common::{certain_history, local, parse_at, source_line};
use crate::error::{ExportError, Result};
use crate::xml::{xml_document, El};

/// The Akoma Ntoso 3.0 namespace.
pub const NAMESPACE: &str = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0";

/// The eId of the section or clause at `path`: `sec_KEY` then `__clause_KEY` per level.
pub fn eid(path: &ClausePath) -> String {
    let mut s = format!("sec_{}", path.section);
    for c in &path.clauses {
        s.push_str("__clause_");
        s.push_str(c);
    }
    s
}

/// The eId of the clause at a path written as text (`recognizing/b/iv`).
pub fn eid_of(path: &str) -> String {
    match ClausePath::parse(path) {
        Ok(p) => eid(&p),
        Err(_) => format!("sec_{}", path.replace('/', "__clause_")),
    }
}

/// `doc` at `moment` with its amendments, as one `akomaNtoso` document holding a
/// `documentCollection`: the statement first, then one `amendment` per amendment.
pub fn document(reader: &Reader<'_>, doc: &str, moment: &Moment) -> Result<String> {
    let ctx = Context::read(reader, doc, moment)?;
    let refs = ctx.references();
    let mut body = El::new("collectionBody");
    body.push(El::new("component").attr("eId", "cmp_1").child(ctx.statement(None, "")));
    for (i, a) in ctx.state.amendments.iter().enumerate() {
        body.push(
            El::new("component").attr("eId", format!("cmp_{}", i + 2)).child(ctx.amendment(a, None, "")),
        );
    }
    let title = format!("{}, with its amendments, at {}", ctx.title(), ctx.state.at);
    let collection = El::new("documentCollection")
        .attr("name", "documentWithAmendments")
        .child(
            El::new("meta")
                .child(ctx.identification("documentCollection", &format!("{}-with-amendments", ctx.slug())))
                .child(refs),
        )
        .child(El::new("preface").child(El::new("p").child(El::new("docTitle").text(title))))
        .child(body);
    xml_document(&El::new("akomaNtoso").attr("xmlns", NAMESPACE).child(collection))
}

/// `doc` at `moment` as separate files, each its own `akomaNtoso` document: `SLUG.xml` (the
/// statement) and `SLUG.AMENDMENT.xml` per amendment, whose `for`s point into `SLUG.xml`.
pub fn files(reader: &Reader<'_>, doc: &str, moment: &Moment) -> Result<Vec<(String, String)>> {
    let ctx = Context::read(reader, doc, moment)?;
    let main = format!("{}.xml", ctx.slug());
    let root = |d: El| El::new("akomaNtoso").attr("xmlns", NAMESPACE).child(d);
    let mut out = vec![(main.clone(), xml_document(&root(ctx.statement(Some(ctx.references()), "")))?)];
    for a in &ctx.state.amendments {
        let xml = xml_document(&root(ctx.amendment(a, Some(ctx.references()), &main)))?;
        out.push((format!("{}.{}.xml", ctx.slug(), a.id.as_str()), xml));
    }
    Ok(out)
}

/// What one export reads: the state at T, the document's events certain by then.
struct Context {
    state: StateView,
    events: Vec<Recorded>,
    zone: Tz,
    /// The position in the log the expression is as of: the last event about the document
    /// certain at T (0 when none).
    position: u64,
}

impl Context {
    fn read(reader: &Reader<'_>, doc: &str, moment: &Moment) -> Result<Self> {
        let state = reader.state(doc, moment)?;
        if state.status.is_none() {
            return Err(ExportError::Query(minutes_query::QueryError::Refused(format!(
                "{} was not yet tabled at {}",
                state.document, state.at
            ))));
        }
        let at = parse_at(&state.at).ok_or_else(|| ExportError::Xml(format!("bad moment {}", state.at)))?;
        let events = certain_history(reader, state.document.as_str(), moment, &at)?;
        let position = events
            .iter()
            .filter(|r| r.event.document.as_ref() == Some(&state.document))
            .map(|r| r.seq)
            .max()
            .unwrap_or(0);
        let zone = state.meeting.zone;
        Ok(Self { state, events, zone, position })
    }

    fn m(&self) -> &MeetingState {
        &self.state.meeting
    }

    fn slug(&self) -> &str {
        self.state.document.slug()
    }

    fn title(&self) -> String {
        self.state.title.clone().unwrap_or_else(|| self.state.document.to_string())
    }

    fn doc_type(&self) -> &'static str {
        "statement"
    }

    /// `/akn/int/TYPE/MEETING/SLUG`.
    fn work_uri(&self, doc_type: &str, slug: &str) -> String {
        format!("/akn/int/{doc_type}/{}/{slug}", self.m().id.as_str())
    }

    /// The expression: the work as it stood at T, as of the log position.
    fn expression_uri(&self, doc_type: &str, slug: &str) -> String {
        format!("{}/eng@{}", self.work_uri(doc_type, slug), self.state.at)
    }

    fn tabled(&self) -> String {
        self.events
            .iter()
            .find(|r| matches!(r.event.kind, EventKind::DocumentTabled(_)))
            .and_then(|r| r.event.occurred.to.or(r.event.occurred.from))
            .map(|t| local(&t, self.zone))
            .unwrap_or_else(|| self.state.at.clone())
    }

    fn identification(&self, doc_type: &str, slug: &str) -> El {
        let work = self.work_uri(doc_type, slug);
        let expr = self.expression_uri(doc_type, slug);
        let author = self
            .state
            .submitted_by
            .first()
            .map(|a| format!("#{}", a.as_str()))
            .unwrap_or_else(|| format!("#{}", self.m().id.as_str()));
        let mut work_el = El::new("FRBRWork")
            .child(El::new("FRBRthis").attr("value", format!("{work}/!main")))
            .child(El::new("FRBRuri").attr("value", work.clone()));
        for s in &self.state.symbols {
            work_el.push(El::new("FRBRalias").attr("value", s.clone()).attr("name", "symbol"));
        }
        let work_el = work_el
            .child(El::new("FRBRdate").attr("date", self.tabled()).attr("name", "tabled"))
            .child(El::new("FRBRauthor").attr("href", author.clone()))
            .child(El::new("FRBRcountry").attr("value", "int"))
            .child(El::new("FRBRsubtype").attr("value", kind_name(self.state.kind)))
            .child(El::new("FRBRname").attr("value", self.title()));
        let expr_el = El::new("FRBRExpression")
            .child(El::new("FRBRthis").attr("value", format!("{expr}/!main")))
            .child(El::new("FRBRuri").attr("value", expr.clone()))
            .child(
                El::new("FRBRalias")
                    .attr("value", format!("{} as of log seq {}", self.state.document, self.position))
                    .attr("name", "logPosition"),
            )
            .child(El::new("FRBRdate").attr("date", self.state.at.clone()).attr("name", "stateAt"))
            .child(El::new("FRBRauthor").attr("href", author))
            .child(El::new("FRBRversionNumber").attr("value", format!("seq-{}", self.position)))
            .child(El::new("FRBRlanguage").attr("language", "eng"));
        let manif = El::new("FRBRManifestation")
            .child(El::new("FRBRthis").attr("value", format!("{expr}/!main.xml")))
            .child(El::new("FRBRuri").attr("value", format!("{expr}.akn")))
            .child(El::new("FRBRdate").attr("date", self.state.at.clone()).attr("name", "exported"))
            .child(El::new("FRBRauthor").attr("href", "#minutes"))
            .child(El::new("FRBRformat").attr("value", "application/akn+xml"));
        El::new("identification").attr("source", "#minutes").child(work_el).child(expr_el).child(manif)
    }

    /// The TLC references: the meeting, its bodies, its actors, the concepts the steps
    /// name, the program that wrote the file, and each source cited.
    fn references(&self) -> El {
        let m = self.m();
        let mut seen = BTreeSet::new();
        let mut refs = El::new("references").attr("source", "#minutes");
        let mut add = |refs: &mut El, tag: &str, eid: String, href: String, show: String| {
            if seen.insert(eid.clone()) {
                refs.push(El::new(tag).attr("eId", eid).attr("href", href).attr("showAs", show));
            }
        };
        for (i, s) in self.sources().iter().enumerate() {
            add(
                &mut refs,
                "passiveRef",
                format!("src_{}", i + 1),
                format!("sources/{}", uri_part(&s.0)),
                s.0.clone(),
            );
        }
        add(
            &mut refs,
            "TLCOrganization",
            "minutes".into(),
            "/ontology/organization/minutes".into(),
            "minutes (the record's program)".into(),
        );
        add(
            &mut refs,
            "TLCOrganization",
            m.id.as_str().into(),
            format!("/ontology/organization/{}", m.id.as_str()),
            m.title.clone(),
        );
        for b in &m.bodies {
            add(
                &mut refs,
                "TLCOrganization",
                b.id.as_str().into(),
                format!("/ontology/organization/{}/{}", m.id.as_str(), b.id.as_str()),
                b.name.clone(),
            );
        }
        for (id, a) in &m.actors {
            let (tag, kind) = match a.kind {
                ActorKind::Person => ("TLCPerson", "person"),
                _ => ("TLCOrganization", "organization"),
            };
            add(
                &mut refs,
                tag,
                id.as_str().into(),
                format!("/ontology/{kind}/{}/{}", m.id.as_str(), id.as_str()),
                a.name.clone(),
            );
        }
        for c in CONCEPTS {
            add(
                &mut refs,
                "TLCConcept",
                format!("concept_{c}"),
                format!("/ontology/concept/minutes/{c}"),
                c.to_string(),
            );
        }
        refs
    }

    /// The source files cited by the events, each once, in order of first citation.
    fn sources(&self) -> Vec<(String, ())> {
        let mut out: Vec<(String, ())> = Vec::new();
        let mut all: Vec<&Recorded> = self.events.iter().collect();
        all.sort_by_key(|r| r.seq);
        for r in all {
            if let Some(s) = &r.event.source {
                if !out.iter().any(|(f, _)| f == &s.file) {
                    out.push((s.file.clone(), ()));
                }
            }
        }
        out
    }

    fn source_ref(&self, r: &Recorded) -> String {
        r.event
            .source
            .as_ref()
            .and_then(|s| self.sources().iter().position(|(f, _)| f == &s.file))
            .map(|i| format!("#src_{}", i + 1))
            .unwrap_or_else(|| "#minutes".to_string())
    }

    fn when(&self, r: &Recorded) -> String {
        r.event
            .occurred
            .to
            .or(r.event.occurred.from)
            .map(|t| local(&t, self.zone))
            .unwrap_or_else(|| self.state.at.clone())
    }

    fn agent(&self, r: &Recorded) -> String {
        match (&r.event.body, r.event.actors.first()) {
            (Some(b), _) => format!("#{}", b.as_str()),
            (None, Some(a)) => format!("#{}", a.as_str()),
            (None, None) => format!("#{}", self.m().id.as_str()),
        }
    }

    /// The lifecycle and the workflow of the document's own events (and, with `amendment`,
    /// of that amendment's).
    fn lifecycle_and_workflow(
        &self,
        amendment: Option<&AmendmentView>,
        prefix: &str,
    ) -> (Option<El>, Option<El>) {
        let mut life = El::new("lifecycle").attr("source", "#minutes");
        let mut flow = El::new("workflow").attr("source", "#minutes");
        for (n, r) in self.events.iter().enumerate() {
            let own = amendment_of(r);
            if amendment.map(|a| own == Some(a.id.as_str())).unwrap_or(true) {
                let Some((concept, event_type)) = concept_of(&r.event.kind) else { continue };
                // The statement's lifecycle: its own events, and the acceptances that changed it.
                if amendment.is_none() && (own.is_none() || event_type == Some("amendment")) {
                    life.push(
                        El::new("eventRef")
                            .attr("eId", format!("{prefix}evt_{}", n + 1))
                            .attr("date", self.when(r))
                            .attr("source", self.source_ref(r))
                            .attr("refersTo", format!("#concept_{concept}"))
                            .attr_opt("type", event_type),
                    );
                }
                let actors: Vec<String> = r.event.actors.iter().map(|a| format!("#{}", a.as_str())).collect();
                flow.push(
                    El::new("step")
                        .attr("eId", format!("{prefix}wf_{}", n + 1))
                        .attr("date", self.when(r))
                        .attr("by", self.agent(r))
                        .attr_opt("refersTo", (!actors.is_empty()).then(|| actors.join(" ")))
                        .attr("outcome", format!("#concept_{concept}")),
                );
            }
        }
        ((!life.is_empty()).then_some(life), (!flow.is_empty()).then_some(flow))
    }

    fn statement(&self, refs: Option<El>, _target: &str) -> El {
        let (life, flow) = self.lifecycle_and_workflow(None, "");
        let mut meta = El::new("meta").child(self.identification(self.doc_type(), self.slug()));
        if let Some(l) = life {
            meta.push(l);
        }
        if let Some(f) = flow {
            meta.push(f);
        }
        if let Some(r) = refs {
            meta.push(r);
        }
        let text_title = self.state.text.as_ref().and_then(|t| t.lines().next().map(str::to_string));
        let mut preface = El::new("preface")
            .child(El::new("p").child(El::new("docTitle").text(text_title.unwrap_or_else(|| self.title()))));
        if let Some(s) = self.state.symbols.last() {
            preface.push(El::new("p").child(El::new("docNumber").text(s.clone())));
        }
        if let Some(s) = self.state.status {
            preface.push(El::new("p").child(El::new("docStatus").text(s)));
        }
        let mut st = El::new("statement")
            .attr("name", kind_name(self.state.kind))
            .attr("contains", if self.accepted_any() { "singleVersion" } else { "originalVersion" })
            .child(meta)
            .child(preface);
        let preamble = self.state.text.as_ref().and_then(|t| t.lines().nth(1).map(str::to_string));
        if let Some(p) = preamble.filter(|p| !p.is_empty()) {
            st.push(El::new("preamble").child(El::new("p").text(p)));
        }
        let mut main = El::new("mainBody");
        for s in &self.state.clauses {
            main.push(section(s));
        }
        if main.is_empty() {
            main.push(El::new("p").text("[the sources give no text of this document]"));
        }
        st.child(main)
    }

    fn accepted_any(&self) -> bool {
        self.state.amendments.iter().any(|a| a.status == "accepted")
    }

    fn amendment(&self, a: &AmendmentView, refs: Option<El>, target: &str) -> El {
        let prefix = format!("amd_{}__", a.id.as_str());
        let slug = format!("{}-{}", self.slug(), a.id.as_str());
        let (_, flow) = self.lifecycle_and_workflow(Some(a), &prefix);
        let mut meta = El::new("meta").child(self.amendment_identification(a, &slug));
        if let Some(f) = flow {
            meta.push(f);
        }
        if let Some(r) = refs {
            meta.push(r);
        }
        let names = self.m().names(&a.proposed_by);
        let by = if names.is_empty() { "the sources name nobody".to_string() } else { names };
        let mut proponents = El::new("p").text("Proposed by ");
        if a.proposed_by.is_empty() {
            proponents.push_text(by.clone());
        }
        for (i, p) in a.proposed_by.iter().enumerate() {
            if i > 0 {
                proponents.push_text(", ");
            }
            proponents.push(
                El::new("docProponent")
                    .attr("refersTo", format!("#{}", p.as_str()))
                    .text(self.m().actor_name(p).to_string()),
            );
        }
        let body = a.body.as_ref().map(|b| format!(" in {}", self.m().body_name(b))).unwrap_or_default();
        proponents.push_text(format!("{body}."));
        let preface = El::new("preface")
            .child(El::new("p").child(El::new("docTitle").text(format!(
                "Amendment {} to {}",
                a.id.as_str(),
                self.title()
            ))))
            .child(proponents)
            .child(El::new("p").text("Fate: ").child(El::new("docStatus").text(self.fate(a))));
        let mut content = El::new("amendmentContent");
        if a.operations.is_empty() {
            content.push(El::new("p").text(if a.wording_known {
                "The amendment changes no words."
            } else {
                "The sources report this proposal without its words."
            }));
        }
        for (i, op) in a.operations.iter().enumerate() {
            content.push(El::new("p").child(modification(op, &format!("{prefix}mod_{}", i + 1), target)));
        }
        let mut justification = El::new("amendmentJustification").child(El::new("p").text(a.summary.clone()));
        if let Some(r) = self.events.iter().find(|r| r.event.id == a.proposed.id) {
            if let Some(s) = &r.event.source {
                justification.push(El::new("p").text(format!("Source: {}", source_line(s))));
            }
        }
        El::new("amendment").attr("name", "amendment").child(meta).child(preface).child(
            El::new("amendmentBody")
                .child(El::new("amendmentHeading").child(El::new("p").text(format!(
                    "Amendment {} to {}",
                    a.id.as_str(),
                    self.state.document
                ))))
                .child(content)
                .child(justification),
        )
    }

    fn fate(&self, a: &AmendmentView) -> String {
        match &a.decided {
            Some(d) => format!(
                "{} ({})",
                a.status,
                d.occurred.to.or(d.occurred.from).map(|t| local(&t, self.zone)).unwrap_or_default()
            ),
            None => a.status.to_string(),
        }
    }

    fn amendment_identification(&self, a: &AmendmentView, slug: &str) -> El {
        let work = self.work_uri("amendment", slug);
        let expr = self.expression_uri("amendment", slug);
        let date = a
            .proposed
            .occurred
            .to
            .or(a.proposed.occurred.from)
            .map(|t| local(&t, self.zone))
            .unwrap_or_else(|| self.state.at.clone());
        let author = a
            .proposed_by
            .first()
            .map(|p: &ActorId| format!("#{}", p.as_str()))
            .unwrap_or_else(|| format!("#{}", self.m().id.as_str()));
        El::new("identification")
            .attr("source", "#minutes")
            .child(
                El::new("FRBRWork")
                    .child(El::new("FRBRthis").attr("value", format!("{work}/!main")))
                    .child(El::new("FRBRuri").attr("value", work.clone()))
                    .child(El::new("FRBRdate").attr("date", date).attr("name", "proposed"))
                    .child(El::new("FRBRauthor").attr("href", author.clone()))
                    .child(El::new("FRBRcountry").attr("value", "int"))
                    .child(El::new("FRBRname").attr("value", a.id.as_str().to_string())),
            )
            .child(
                El::new("FRBRExpression")
                    .child(El::new("FRBRthis").attr("value", format!("{expr}/!main")))
                    .child(El::new("FRBRuri").attr("value", expr.clone()))
                    .child(El::new("FRBRdate").attr("date", self.state.at.clone()).attr("name", "stateAt"))
                    .child(El::new("FRBRauthor").attr("href", author))
                    .child(El::new("FRBRversionNumber").attr("value", format!("seq-{}", self.position)))
                    .child(El::new("FRBRlanguage").attr("language", "eng")),
            )
            .child(
                El::new("FRBRManifestation")
                    .child(El::new("FRBRthis").attr("value", format!("{expr}/!main.xml")))
                    .child(El::new("FRBRuri").attr("value", format!("{expr}.akn")))
                    .child(El::new("FRBRdate").attr("date", self.state.at.clone()).attr("name", "exported"))
                    .child(El::new("FRBRauthor").attr("href", "#minutes")),
            )
    }
}

/// The concepts the lifecycle and workflow name.
const CONCEPTS: &[&str] = &[
    "tabled",
    "revised",
    "referred",
    "takenUp",
    "proposed",
    "withdrawn",
    "referredToReport",
    "accepted",
    "rejected",
    "endorsed",
    "notEndorsed",
    "adopted",
    "documentWithdrawn",
];

/// The concept of an event, and its AKN event type when it changes the text or ends it.
fn concept_of(k: &EventKind) -> Option<(&'static str, Option<&'static str>)> {
    Some(match k {
        EventKind::DocumentTabled(_) => ("tabled", Some("generation")),
        EventKind::DocumentRevised(_) => ("revised", Some("amendment")),
        EventKind::DocumentReferred(_) => ("referred", None),
        EventKind::ItemTakenUp(_) => ("takenUp", None),
        EventKind::AmendmentProposed(_) => ("proposed", None),
        EventKind::AmendmentWithdrawn(_) => ("withdrawn", None),
        EventKind::AmendmentReferredToReport(_) => ("referredToReport", None),
        EventKind::AmendmentAccepted(_) => ("accepted", Some("amendment")),
        EventKind::AmendmentRejected(_) => ("rejected", None),
        EventKind::DraftEndorsed(_) => ("endorsed", None),
        EventKind::DraftNotEndorsed(_) => ("notEndorsed", None),
        EventKind::DraftAdopted(_) => ("adopted", None),
        EventKind::DocumentWithdrawn(_) => ("documentWithdrawn", Some("repeal")),
        _ => return None,
    })
}

/// The amendment an event proposes or decides.
fn amendment_of(r: &Recorded) -> Option<&str> {
    match &r.event.kind {
        EventKind::AmendmentProposed(p) => Some(p.amendment.as_str()),
        EventKind::AmendmentWithdrawn(a) => Some(a.amendment.as_str()),
        EventKind::AmendmentReferredToReport(a) => Some(a.amendment.as_str()),
        EventKind::AmendmentAccepted(a) => Some(a.amendment.as_str()),
        EventKind::AmendmentRejected(a) => Some(a.amendment.as_str()),
        _ => None,
    }
}

fn kind_name(k: Option<DocumentKind>) -> &'static str {
    match k {
        Some(DocumentKind::DraftOpinion) => "draftOpinion",
        Some(DocumentKind::Contribution) => "contribution",
        Some(DocumentKind::InformationDocument) => "informationDocument",
        Some(DocumentKind::Report) => "report",
        Some(DocumentKind::Draft) | None => "draft",
    }
}

/// A section of the text with its clauses.
fn section(s: &ClauseNode) -> El {
    let mut el = El::new("section").attr("eId", eid_of(&s.path));
    if let Some(h) = &s.heading {
        el.push(El::new("heading").text(h.clone()));
    }
    if s.clauses.is_empty() {
        return el.child(El::new("content").child(El::new("p")));
    }
    el.children(s.clauses.iter().map(clause))
}

/// A clause: its label as `num`, its words as paragraphs (in `intro` before sub-clauses).
fn clause(c: &ClauseNode) -> El {
    let mut el = El::new("clause").attr("eId", eid_of(&c.path));
    if let Some(l) = &c.label {
        el.push(El::new("num").text(l.clone()));
    }
    let words = c.words.clone().flatten().unwrap_or_else(|| NOT_RECORDED.to_string());
    let paras = words.split('\n').map(|p| El::new("p").text(p.to_string()));
    if c.clauses.is_empty() {
        el.child(El::new("content").children(paras))
    } else {
        el.child(El::new("intro").children(paras)).children(c.clauses.iter().map(clause))
    }
}

/// One operation as a `mod`: what it does, in words, with the words it takes out and puts in
/// as `quotedText`, each pointing (`for`) at the eId it changes in `target` (a file, or this one).
fn modification(op: &Operation, eid_here: &str, target: &str) -> El {
    let at = |p: &ClausePath| format!("{target}#{}", eid(p));
    let q = |s: &str, f: &str| {
        El::new("quotedText").attr("startQuote", "“").attr("endQuote", "”").attr("for", f).text(s.to_string())
    };
    let m = El::new("mod").attr("eId", eid_here);
    match op {
        Operation::InsertWords { path, before, after, words, .. } => {
            let (rel, anchor) = match (before, after) {
                (Some(b), _) => ("before", b.as_str()),
                (None, Some(a)) => ("after", a.as_str()),
                (None, None) => ("at", ""),
            };
            m.attr("for", at(path))
                .text(format!("In {path}, insert "))
                .child(q(words.trim(), &at(path)))
                .text(format!(" {rel} "))
                .child(q(anchor, &at(path)))
        }
        Operation::ReplaceWords { path, old, new, .. } => m
            .attr("for", at(path))
            .text(format!("In {path}, replace "))
            .child(q(old, &at(path)))
            .text(" with ")
            .child(q(new, &at(path))),
        Operation::DeleteWords { path, old, .. } => {
            m.attr("for", at(path)).text(format!("In {path}, delete ")).child(q(old.trim(), &at(path)))
        }
        Operation::InsertClause { parent, after, clause } => {
            let place = match after.as_deref() {
                Some("^") => "at the start".to_string(),
                Some(a) => format!("after {}", parent.child(a)),
                None => "at the end".to_string(),
            };
            let new = parent.child(&clause.key);
            m.attr("for", at(parent))
                .text(format!("In {parent}, {place}, insert the clause {new}: "))
                .child(q(&clause.render(), &at(&new)))
        }
        Operation::ReplaceClause { path, clause } => m
            .attr("for", at(path))
            .text(format!("Replace the clause {path} with: "))
            .child(q(&clause.render(), &at(path))),
        Operation::DeleteClause { path } => {
            m.attr("for", at(path)).text(format!("Delete the clause {path}."))
        }
        Operation::InsertSection { after, section } => {
            let new = ClausePath { section: section.key.clone(), clauses: vec![] };
            let place = match after.as_deref() {
                Some("^") => "at the start".to_string(),
                Some(a) => format!("after the section {a}"),
                None => "at the end".to_string(),
            };
            let mut words = vec![section.heading.clone()];
            words.extend(section.clauses.iter().map(|c| c.render()));
            m.attr("for", at(&new))
                .text(format!("Insert, {place}, the section {}: ", section.key))
                .child(q(&words.join(" "), &at(&new)))
        }
        Operation::DeleteSection { key } => {
            let p = ClausePath { section: key.clone(), clauses: vec![] };
            m.attr("for", at(&p)).text(format!("Delete the section {key}."))
        }
    }
}

/// A file name as a URI path segment: unreserved characters kept, the rest percent-encoded.
fn uri_part(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
