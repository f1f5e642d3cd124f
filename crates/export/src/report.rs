//! The report of a meeting written from its events alone, body by body: when it met, who
//! chaired it, what it considered (documents and contributions), each proposal with who made
//! it and what became of it, the interventions, the endorsements and adoptions, and what was
//! left for the chairman's report; every sentence cites the sources of the events it states.
//! Markdown, or HTML with the meeting's timeline drawn as an SVG (bodies as lanes, sessions
//! as bands, endorsements and adoptions marked).

use std::collections::BTreeMap;

use chrono_tz::Tz;
use minutes_core::event::{DocumentKind, EventKind, Recorded, Role};
use minutes_core::id::{BodyId, DocumentName};
use minutes_core::project::meeting::MeetingState;
use minutes_core::time::{show_local, show_window, Timestamp, Window};
use minutes_query::view::ListingView;
use minutes_query::{Moment, Reader, ReplayFilter};

use crate::common::source_line;
use crate::error::{ExportError, Result};
use crate::xml::{html_document, El};

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown.
    Markdown,
    /// HTML with the SVG timeline.
    Html,
}

/// The report of `meeting` (or of one body), from its events.
pub fn report(reader: &Reader<'_>, meeting: &str, body: Option<&str>, format: Format) -> Result<String> {
    let r = build(reader, meeting, body)?;
    Ok(match format {
        Format::Markdown => markdown(&r),
        Format::Html => html(&r)?,
    })
}

/// One sentence and the sources (numbers in its section's list) it rests on.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// The words.
    pub text: String,
    /// The source numbers, 1-based.
    pub cites: Vec<usize>,
}

/// A part of a body's section: a heading and its sentences.
#[derive(Debug, Clone)]
pub struct Part {
    /// `Meetings`, `Officers`, `Documents considered`...
    pub heading: &'static str,
    /// Its sentences.
    pub sentences: Vec<Sentence>,
}

/// A body's section.
#[derive(Debug, Clone)]
pub struct Section {
    /// The body's id.
    pub body: BodyId,
    /// The body's name.
    pub name: String,
    /// Its parts, in order.
    pub parts: Vec<Part>,
    /// The sources cited, numbered from 1.
    pub sources: Vec<String>,
}

/// The report: the meeting and a section per body that has events.
#[derive(Debug, Clone)]
pub struct Report {
    /// The meeting's title.
    pub title: String,
    /// Where and when.
    pub venue: String,
    /// Its days.
    pub days: String,
    /// The sections.
    pub sections: Vec<Section>,
    /// For the timeline: the meeting's zone, days and every body's sessions and marks.
    lanes: Vec<Lane>,
    span: (Timestamp, Timestamp),
    zone: Tz,
}

#[derive(Debug, Clone)]
struct Lane {
    name: String,
    sessions: Vec<(Window, Option<Window>)>,
    marks: Vec<(Window, String, &'static str)>,
}

/// Builds the report's sentences from the listing and the replay of each body.
pub fn build(reader: &Reader<'_>, meeting: &str, body: Option<&str>) -> Result<Report> {
    let listing = reader.listing(meeting, None)?;
    let all = reader.replay(meeting, &ReplayFilter::default())?;
    let Some(m) = all.meeting.clone() else {
        return Err(ExportError::Usage(format!("{meeting} has no declaration in the record")));
    };
    let wanted: Vec<BodyId> = match body {
        Some(b) => vec![minutes_query::resolve::body(&m, b)?],
        None => m.bodies.iter().map(|b| b.id.clone()).collect(),
    };
    let events: Vec<(Recorded, String)> =
        all.events.into_iter().map(|e| (e.recorded, e.description)).collect();
    let mut kinds: BTreeMap<DocumentName, Option<DocumentKind>> = BTreeMap::new();
    for d in &listing.documents {
        let s = reader.state(d.name.as_str(), &Moment::default())?;
        kinds.insert(d.name.clone(), s.kind);
    }
    let mut sections = Vec::new();
    let mut lanes = Vec::new();
    for b in &wanted {
        let mine: Vec<&(Recorded, String)> =
            events.iter().filter(|(r, _)| r.event.body.as_ref() == Some(b)).collect();
        if mine.is_empty() {
            continue;
        }
        let (section, lane) = body_section(b, &m, &listing, &mine, &kinds, &events);
        sections.push(section);
        lanes.push(lane);
    }
    Ok(Report {
        title: m.title.clone(),
        venue: m.venue.clone(),
        days: if m.first_day == m.last_day {
            format!("on {}", m.first_day)
        } else {
            format!("from {} to {}", m.first_day, m.last_day)
        },
        sections,
        lanes,
        span: (m.start(), m.end()),
        zone: m.zone,
    })
}

/// The sources of one section, numbered as they are first cited.
#[derive(Default)]
struct Cites {
    list: Vec<String>,
}

impl Cites {
    fn of(&mut self, r: &Recorded) -> Vec<usize> {
        let Some(s) = &r.event.source else { return Vec::new() };
        let line = source_line(s);
        match self.list.iter().position(|l| l == &line) {
            Some(i) => vec![i + 1],
            None => {
                self.list.push(line);
                vec![self.list.len()]
            }
        }
    }

    fn all(&mut self, rs: &[&Recorded]) -> Vec<usize> {
        let mut out: Vec<usize> = rs.iter().flat_map(|r| self.of(r)).collect();
        out.dedup();
        out
    }
}

fn sentence(text: String, cites: Vec<usize>) -> Sentence {
    Sentence { text, cites }
}

fn body_section(
    b: &BodyId,
    m: &MeetingState,
    listing: &ListingView,
    mine: &[&(Recorded, String)],
    kinds: &BTreeMap<DocumentName, Option<DocumentKind>>,
    everything: &[(Recorded, String)],
) -> (Section, Lane) {
    let z = m.zone;
    let name = m.body_name(b).to_string();
    let mut cites = Cites::default();
    let mut parts = Vec::new();
    let mut lane = Lane { name: name.clone(), sessions: Vec::new(), marks: Vec::new() };
    let title = |d: &DocumentName| {
        listing
            .documents
            .iter()
            .find(|x| &x.name == d)
            .map(|x| match x.symbols.last() {
                Some(s) => format!("“{}” ({s})", x.title),
                None => format!("“{}”", x.title),
            })
            .unwrap_or_else(|| d.to_string())
    };

    // When it met.
    let mut met = Vec::new();
    let mut open: Option<&Recorded> = None;
    // Where the open session's sentence goes: before what happened during it.
    let mut opened_at = 0;
    for (r, _) in mine {
        match &r.event.kind {
            EventKind::SessionOpened(_) => {
                open = Some(r);
                opened_at = met.len();
            }
            EventKind::SessionClosed(_) => {
                let text = match open {
                    Some(o) => {
                        let (a, b) = (when(&o.event.occurred, z), when(&r.event.occurred, z));
                        match (a.get(..10), b.get(..10)) {
                            (Some(da), Some(db)) if da == db && a.len() > 11 && b.len() > 11 => {
                                format!("{name} met on {da} from {} to {}", &a[11..], &b[11..])
                            }
                            _ => format!("{name} met from {a} to {b}"),
                        }
                    }
                    None => format!("{name} closed a session at {}", when(&r.event.occurred, z)),
                };
                let mut rs = vec![r];
                rs.extend(open);
                let at = if open.is_some() { opened_at.min(met.len()) } else { met.len() };
                met.insert(at, sentence(format!("{text}."), cites.all(&rs)));
                lane.sessions
                    .push((open.map_or(r.event.occurred, |o| o.event.occurred), Some(r.event.occurred)));
                open = None;
            }
            EventKind::SessionSuspended(s) => {
                let how = s.duration_minutes.map(|d| format!(" for {d} minutes")).unwrap_or_default();
                met.push(sentence(
                    format!("It suspended its session{how} at {}.", when(&r.event.occurred, z)),
                    cites.of(r),
                ));
            }
            EventKind::MeetingOpened(_) => {
                met.push(sentence(
                    format!("The {name} opened the meeting at {}.", when(&r.event.occurred, z)),
                    cites.of(r),
                ));
            }
            EventKind::MeetingClosed(_) => {
                met.push(sentence(
                    format!("The {name} closed the meeting at {}.", when(&r.event.occurred, z)),
                    cites.of(r),
                ));
            }
            EventKind::AttendanceRecorded(a) => {
                met.push(sentence(
                    format!(
                        "Attendance: {} ({}).",
                        a.summary.trim_end_matches('.'),
                        when(&r.event.occurred, z)
                    ),
                    cites.of(r),
                ));
            }
            EventKind::BodyEstablished(b) => {
                met.push(sentence(
                    format!(
                        "The {name} established the {} ({}).",
                        b.established.name,
                        when(&r.event.occurred, z)
                    ),
                    cites.of(r),
                ));
            }
            EventKind::SessionResumed(_) => {
                met.push(sentence(format!("It resumed at {}.", when(&r.event.occurred, z)), cites.of(r)));
            }
            _ => {}
        }
    }
    if let Some(o) = open {
        met.push(sentence(
            format!(
                "{name} opened a session at {}; the record gives no closing.",
                when(&o.event.occurred, z)
            ),
            cites.of(o),
        ));
        lane.sessions.push((o.event.occurred, None));
    }
    if met.is_empty() {
        met.push(sentence(format!("The record gives no session of {name}."), Vec::new()));
    }
    parts.push(Part { heading: "Meetings", sentences: met });

    // Who chaired.
    let mut officers = Vec::new();
    for (r, _) in mine {
        if let (EventKind::OfficerElected(o), Some(who)) = (&r.event.kind, r.event.actors.first()) {
            let role = match o.role {
                Role::Chairman => "Chairman",
                Role::ViceChairman => "Vice-Chairman",
            };
            officers
                .push(sentence(format!("{} was elected {role} of {name}.", m.actor_name(who)), cites.of(r)));
        }
    }
    if officers.is_empty() {
        let chairs: Vec<String> = m
            .officers
            .iter()
            .filter(|(x, role, _)| x == b && *role == Role::Chairman)
            .map(|(_, _, who)| m.actor_name(who).to_string())
            .collect();
        officers.push(sentence(
            match chairs.as_slice() {
                [] => format!("The record does not say who chaired {name}."),
                _ => format!("{name} was chaired by {}.", chairs.join(" and ")),
            },
            Vec::new(),
        ));
    }
    parts.push(Part { heading: "Officers", sentences: officers });

    // What it considered: the documents referred to it, taken up, tabled before it or spoken
    // about in it; contributions apart.
    let mut considered: Vec<(DocumentName, Vec<&Recorded>, Vec<String>)> = Vec::new();
    for (r, _) in mine {
        let Some(d) = &r.event.document else { continue };
        let what = match &r.event.kind {
            EventKind::DocumentReferred(_) => {
                Some(format!("referred to it ({})", when(&r.event.occurred, z)))
            }
            EventKind::ItemTakenUp(t) => Some(match t.order {
                Some(n) => format!("taken up as item {n} ({})", when(&r.event.occurred, z)),
                None => format!("taken up ({})", when(&r.event.occurred, z)),
            }),
            EventKind::DocumentTabled(_) => {
                Some(format!("tabled before it ({})", when(&r.event.occurred, z)))
            }
            EventKind::DocumentRevised(v) => Some(format!(
                "revised{} ({})",
                v.symbol.as_ref().map(|s| format!(" as {s}")).unwrap_or_default(),
                when(&r.event.occurred, z)
            )),
            _ => None,
        };
        let entry = match considered.iter().position(|(x, _, _)| x == d) {
            Some(i) => &mut considered[i],
            None => {
                considered.push((d.clone(), Vec::new(), Vec::new()));
                let last = considered.len() - 1;
                &mut considered[last]
            }
        };
        if let Some(w) = what {
            entry.1.push(r);
            entry.2.push(w);
        }
    }
    // Contributions tabled for the body (the tabling names it as the body), though nothing
    // in the body names them.
    for (r, _) in everything {
        if let (EventKind::DocumentTabled(_), Some(d)) = (&r.event.kind, &r.event.document) {
            if r.event.body.as_ref() == Some(b) && !considered.iter().any(|(x, _, _)| x == d) {
                considered.push((
                    d.clone(),
                    vec![r],
                    vec![format!("tabled before it ({})", when(&r.event.occurred, z))],
                ));
            }
        }
    }
    let is_contribution = |d: &DocumentName| {
        matches!(
            kinds.get(d).copied().flatten(),
            Some(DocumentKind::Contribution) | Some(DocumentKind::InformationDocument)
        )
    };
    let mut docs = Vec::new();
    let mut contributions = Vec::new();
    for (d, rs, whats) in &considered {
        let c = cites.all(rs);
        let how = if whats.is_empty() { "before it".to_string() } else { whats.join(", ") };
        let s = sentence(format!("{}: {how}.", title(d)), c);
        if is_contribution(d) {
            contributions.push(s);
        } else {
            docs.push(s);
        }
    }
    if !docs.is_empty() {
        parts.push(Part { heading: "Documents considered", sentences: docs });
    }
    if !contributions.is_empty() {
        parts.push(Part { heading: "Contributions", sentences: contributions });
    }

    // Each proposal and what became of it.
    let mut proposals = Vec::new();
    let mut left = Vec::new();
    for (r, line) in mine {
        match &r.event.kind {
            EventKind::AmendmentProposed(p) => {
                let fate = everything.iter().find(|(x, _)| {
                    x.event.document == r.event.document
                        && match &x.event.kind {
                            EventKind::AmendmentWithdrawn(a) => a.amendment == p.amendment,
                            EventKind::AmendmentReferredToReport(a) => a.amendment == p.amendment,
                            EventKind::AmendmentAccepted(a) => a.amendment == p.amendment,
                            EventKind::AmendmentRejected(a) => a.amendment == p.amendment,
                            EventKind::AmendmentTransferred(a) => a.amendment == p.amendment,
                            EventKind::AmendmentSuperseded(a) => a.amendment == p.amendment,
                            _ => false,
                        }
                });
                let who = m.names(&r.event.actors);
                let doc = r.event.document.as_ref().map(title).unwrap_or_default();
                let mut text = if who.is_empty() {
                    format!(
                        "Amendment {} to {doc} (the sources name no proposer): {}",
                        p.amendment,
                        p.summary.trim_end_matches('.')
                    )
                } else {
                    format!(
                        "{who} proposed amendment {} to {doc}: {}",
                        p.amendment,
                        p.summary.trim_end_matches('.')
                    )
                };
                let who = if who.is_empty() { "no proposer named".to_string() } else { who };
                let mut rs = vec![r];
                match fate {
                    Some((f, _)) => {
                        let what = match &f.event.kind {
                            EventKind::AmendmentWithdrawn(_) => "It was withdrawn".to_string(),
                            EventKind::AmendmentReferredToReport(_) => {
                                "It was referred to the chairman's report".to_string()
                            }
                            EventKind::AmendmentAccepted(a) => match a.decided_by {
                                Some(d) => format!("It was accepted ({})", decision(d)),
                                None => "It was accepted (the sources do not say how)".to_string(),
                            },
                            EventKind::AmendmentTransferred(a) => {
                                format!("Its proposer agreed to discuss it under {} instead", title(&a.to))
                            }
                            EventKind::AmendmentSuperseded(a) => {
                                format!("Another text, amendment {}, was agreed in its place", a.by)
                            }
                            EventKind::AmendmentRejected(a) => {
                                format!("It was rejected ({})", decision(a.decided_by))
                            }
                            _ => String::new(),
                        };
                        text = format!("{text}. {what} ({}).", when(&f.event.occurred, z));
                        rs.push(f);
                        if matches!(f.event.kind, EventKind::AmendmentReferredToReport(_)) {
                            left.push(sentence(
                                format!(
                                    "Amendment {} by {who}: {}.",
                                    p.amendment,
                                    p.summary.trim_end_matches('.')
                                ),
                                cites.all(&[r, f]),
                            ));
                        }
                    }
                    None => text = format!("{text}. The record gives no decision on it."),
                }
                proposals.push(sentence(text, cites.all(&rs)));
            }
            EventKind::ProceduralProposalMade(p) => {
                let withdrawn = everything.iter().find(|(x, _)| {
                    matches!(&x.event.kind, EventKind::ProceduralProposalWithdrawn(w) if w.proposal == p.proposal)
                });
                let who = m.names(&r.event.actors);
                let mut text = format!(
                    "{} proposed: {}",
                    if who.is_empty() { "A delegation" } else { who.as_str() },
                    p.summary.trim_end_matches('.')
                );
                let mut rs = vec![r];
                match withdrawn {
                    Some((w, _)) => {
                        text =
                            format!("{text}. The proposal was withdrawn ({}).", when(&w.event.occurred, z));
                        rs.push(w);
                    }
                    None => text.push('.'),
                }
                proposals.push(sentence(text, cites.all(&rs)));
            }
            EventKind::ProceduralProposalWithdrawn(p) => {
                // A proposal made before the body's events (or in another body) and withdrawn here.
                let made_here = mine.iter().any(|(x, _)| matches!(&x.event.kind, EventKind::ProceduralProposalMade(q) if q.proposal == p.proposal));
                if !made_here {
                    proposals.push(sentence(format!("{line}."), cites.of(r)));
                }
            }
            _ => {}
        }
    }
    if !proposals.is_empty() {
        parts.push(Part { heading: "Proposals", sentences: proposals });
    }

    // Interventions.
    let interventions: Vec<Sentence> = mine
        .iter()
        .filter(|(r, _)| matches!(r.event.kind, EventKind::StatementMade(_)))
        .map(|(r, line)| sentence(format!("{}.", line.trim_end_matches('.')), cites.of(r)))
        .collect();
    if !interventions.is_empty() {
        parts.push(Part { heading: "Interventions", sentences: interventions });
    }

    // Endorsements and adoptions.
    let mut outcomes = Vec::new();
    for (r, _) in mine {
        let doc = r.event.document.as_ref().map(title).unwrap_or_default();
        let at = when(&r.event.occurred, z);
        let text = match &r.event.kind {
            EventKind::DraftEndorsed(e) => {
                let with = if e.amendments.is_empty() {
                    "unaltered".to_string()
                } else {
                    format!(
                        "with amendment{} {}",
                        if e.amendments.len() > 1 { "s" } else { "" },
                        e.amendments.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
                    )
                };
                let to = e
                    .submitted_to
                    .as_ref()
                    .map(|t| format!(" and submitted it to the {}", m.body_name(t)))
                    .unwrap_or_default();
                lane.marks.push((r.event.occurred, format!("endorsed {doc}"), "endorsed"));
                format!("{name} endorsed {doc} {with}{to} ({at}).")
            }
            EventKind::DraftNotEndorsed(_) => {
                lane.marks.push((r.event.occurred, format!("did not endorse {doc}"), "not-endorsed"));
                format!("{name} did not endorse {doc} ({at}).")
            }
            EventKind::DraftAdopted(_) => {
                lane.marks.push((r.event.occurred, format!("adopted {doc}"), "adopted"));
                format!("The {name} adopted {doc} ({at}).")
            }
            EventKind::DocumentWithdrawn(_) => format!("{doc} was withdrawn ({at})."),
            _ => continue,
        };
        outcomes.push(sentence(text, cites.of(r)));
    }
    if !outcomes.is_empty() {
        parts.push(Part { heading: "Endorsements and adoptions", sentences: outcomes });
    }
    if !left.is_empty() {
        parts.push(Part { heading: "Left for the chairman's report", sentences: left });
    }
    (Section { body: b.clone(), name, parts, sources: cites.list }, lane)
}

fn decision(d: minutes_core::event::Decision) -> &'static str {
    match d {
        minutes_core::event::Decision::Consensus => "by consensus",
        minutes_core::event::Decision::Vote => "by vote",
        minutes_core::event::Decision::Chair => "by the chair's ruling",
    }
}

/// A window for a sentence: `2013-05-15 09:30`, `2013-05-15 09:30–10:10`.
fn when(w: &Window, z: Tz) -> String {
    show_window(w, z)
}

fn cite_marks(c: &[usize]) -> String {
    c.iter().map(|n| format!("[{n}]")).collect::<String>()
}

fn markdown(r: &Report) -> String {
    let mut out = format!("# Report: {}\n\nHeld at {} {}. Written from the events of the record; the numbers in brackets cite each section's sources.\n", r.title, r.venue, r.days);
    for s in &r.sections {
        out.push_str(&format!("\n## {}\n", s.name));
        for p in &s.parts {
            out.push_str(&format!("\n### {}\n\n", p.heading));
            for sen in &p.sentences {
                let c = cite_marks(&sen.cites);
                out.push_str(&format!(
                    "- {}{}\n",
                    sen.text,
                    if c.is_empty() { String::new() } else { format!(" {c}") }
                ));
            }
        }
        if !s.sources.is_empty() {
            out.push_str("\n### Sources\n\n");
            for (i, src) in s.sources.iter().enumerate() {
                out.push_str(&format!("{}. {src}\n", i + 1));
            }
        }
    }
    out
}

fn html(r: &Report) -> Result<String> {
    let mut body = El::new("body")
        .child(El::new("h1").text(format!("Report: {}", r.title)))
        .child(El::new("p").text(format!("Held at {} {}. Written from the events of the record; the numbers in brackets cite each section's sources.", r.venue, r.days)))
        .child(El::new("figure").child(svg(r)).child(El::new("figcaption").text("The meeting's days: each body a lane, its sessions as bands, endorsements and adoptions marked.")));
    for s in &r.sections {
        let mut sec =
            El::new("section").attr("id", s.body.as_str()).child(El::new("h2").text(s.name.clone()));
        for p in &s.parts {
            sec.push(El::new("h3").text(p.heading));
            let mut ul = El::new("ul");
            for sen in &p.sentences {
                let mut li = El::new("li").text(sen.text.clone());
                for n in &sen.cites {
                    li.push_text(" ");
                    li.push(
                        El::new("a")
                            .attr("href", format!("#{}-src-{n}", s.body.as_str()))
                            .text(format!("[{n}]")),
                    );
                }
                ul.push(li);
            }
            sec.push(ul);
        }
        if !s.sources.is_empty() {
            sec.push(El::new("h3").text("Sources"));
            let mut ol = El::new("ol");
            for (i, src) in s.sources.iter().enumerate() {
                ol.push(
                    El::new("li").attr("id", format!("{}-src-{}", s.body.as_str(), i + 1)).text(src.clone()),
                );
            }
            sec.push(ol);
        }
        body.push(sec);
    }
    let head = El::new("head")
        .child(El::new("meta").attr("charset", "utf-8"))
        .child(El::new("title").text(format!("Report: {}", r.title)))
        .child(El::new("style").text("body{font-family:Georgia,serif;max-width:60em;margin:2em auto;line-height:1.45}svg{font-family:sans-serif;font-size:11px}"));
    html_document(&El::new("html").attr("lang", "en").child(head).child(body))
}

/// The timeline picture: a lane per body across the meeting's days.
fn svg(r: &Report) -> El {
    let (start, end) = r.span;
    let (left, width, lane_h) = (170.0, 700.0, 34.0);
    let total = (end - start).num_seconds().max(1) as f64;
    let x = |t: &Timestamp| left + width * ((*t - start).num_seconds() as f64 / total).clamp(0.0, 1.0);
    let height = 40.0 + lane_h * r.lanes.len() as f64;
    let mut svg = El::new("svg")
        .attr("xmlns", "http://www.w3.org/2000/svg")
        .attr("width", format!("{}", left + width + 20.0))
        .attr("height", format!("{height}"))
        .attr("role", "img")
        .child(El::new("title").text(format!("Timeline of {}", r.title)));
    // Day lines.
    let mut day = start;
    while day < end {
        let label = show_local(&day, r.zone);
        svg.push(
            El::new("line")
                .attr("x1", f(x(&day)))
                .attr("x2", f(x(&day)))
                .attr("y1", "20")
                .attr("y2", f(height))
                .attr("stroke", "#ccc"),
        );
        svg.push(El::new("text").attr("x", f(x(&day) + 3.0)).attr("y", "14").text(label[..10].to_string()));
        day += chrono::Duration::days(1);
    }
    for (i, lane) in r.lanes.iter().enumerate() {
        let y = 24.0 + lane_h * i as f64;
        svg.push(El::new("text").attr("x", "4").attr("y", f(y + 20.0)).text(lane.name.clone()));
        svg.push(
            El::new("rect")
                .attr("x", f(left))
                .attr("y", f(y))
                .attr("width", f(width))
                .attr("height", f(lane_h - 6.0))
                .attr("fill", "#f6f6f6"),
        );
        for (open, close) in &lane.sessions {
            let a = open.from.or(open.to).unwrap_or(start);
            let b = close.and_then(|c| c.to.or(c.from)).unwrap_or(a);
            if b < start || a > end {
                continue;
            }
            let w = (x(&b) - x(&a)).max(2.0);
            svg.push(
                El::new("rect")
                    .attr("class", "session")
                    .attr("x", f(x(&a)))
                    .attr("y", f(y))
                    .attr("width", f(w))
                    .attr("height", f(lane_h - 6.0))
                    .attr("fill", "#9ec5e8")
                    .child(El::new("title").text(format!(
                        "{}: session {} – {}",
                        lane.name,
                        show_local(&a, r.zone),
                        show_local(&b, r.zone)
                    ))),
            );
        }
        for (w, label, kind) in &lane.marks {
            let Some(t) = w.to.or(w.from) else { continue };
            if t < start || t > end {
                continue;
            }
            let colour = match *kind {
                "adopted" => "#1a7f37",
                "endorsed" => "#d4a72c",
                _ => "#cf222e",
            };
            svg.push(
                El::new("circle")
                    .attr("class", *kind)
                    .attr("cx", f(x(&t)))
                    .attr("cy", f(y + (lane_h - 6.0) / 2.0))
                    .attr("r", "5")
                    .attr("fill", colour)
                    .child(El::new("title").text(format!(
                        "{}: {label} ({})",
                        lane.name,
                        show_window(w, r.zone)
                    ))),
            );
        }
    }
    svg
}

fn f(v: f64) -> String {
    format!("{v:.1}")
}
