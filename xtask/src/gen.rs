//! `cargo xtask gen N [--seed S]`: a seeded generator of synthetic but realistic meeting records,
//! printed as JSON Lines that `minutes import` takes into an empty store.
//!
//! Each meeting is declared with its bodies, registers its delegations, tables tens of draft
//! texts (tens of clauses each), then, day by day, its bodies open and close sessions while the
//! drafts move through procedure in an interleaved order: referred, taken up, debated
//! (statements), amended (real operations that apply to the text as it stands), endorsed and
//! adopted, or withdrawn. Ids are random UUIDv4, as a foreign client may make them. The same
//! seed always gives the same file; every event passes the procedural rules in file order (the
//! generator keeps each draft's current text and checks every amendment with `amend::apply`).

use std::io::Write;

use minutes_core::amend::{self, Operation};
use minutes_core::text::{Clause, ClausePath, Section, Text};
use serde_json::{json, Value};

const WORDS: &[&str] = &[
    "the",
    "development",
    "of",
    "broadband",
    "infrastructure",
    "and",
    "access",
    "to",
    "information",
    "communication",
    "technologies",
    "in",
    "developing",
    "countries",
    "Member",
    "States",
    "Sector",
    "Members",
    "regulatory",
    "framework",
    "capacity",
    "building",
    "international",
    "cooperation",
    "Internet",
    "exchange",
    "points",
    "investment",
    "policy",
    "stakeholders",
    "multistakeholder",
    "model",
    "governance",
    "public",
    "private",
    "sector",
    "enabling",
    "environment",
    "for",
    "sustainable",
    "growth",
    "innovation",
    "security",
    "confidence",
    "trust",
    "use",
    "of",
    "ICTs",
    "relevant",
    "organizations",
    "Secretary-General",
    "report",
    "Bureau",
    "Telecommunication",
    "Development",
    "Standardization",
    "Radiocommunication",
    "study",
    "groups",
    "resources",
    "spectrum",
    "management",
    "emerging",
    "markets",
    "affordable",
    "services",
    "rural",
    "areas",
    "digital",
    "divide",
    "national",
    "strategies",
    "best",
    "practices",
    "experience",
    "sharing",
    "a",
    "with",
    "by",
    "on",
    "all",
    "its",
    "their",
    "further",
    "encourage",
    "promote",
    "support",
];

const SECTIONS: &[(&str, &str)] = &[
    ("considering", "considering"),
    ("recognizing", "recognizing"),
    ("noting", "noting"),
    ("emphasizing", "emphasizing"),
    ("is-of-the-view", "is of the view"),
    ("invites", "invites"),
    ("invites-member-states", "invites Member States"),
    ("requests-secretary-general", "requests the Secretary-General"),
];

const ZONES: &[&str] =
    &["Europe/Zurich", "Europe/London", "Africa/Nairobi", "Europe/Paris", "Africa/Cairo", "Asia/Dubai"];

const STATES: &[&str] = &[
    "argentina",
    "australia",
    "bahrain",
    "brazil",
    "canada",
    "china",
    "egypt",
    "france",
    "germany",
    "ghana",
    "india",
    "indonesia",
    "iran",
    "italy",
    "japan",
    "kenya",
    "korea",
    "mexico",
    "nigeria",
    "norway",
    "poland",
    "russia",
    "saudi-arabia",
    "senegal",
    "south-africa",
    "spain",
    "sweden",
    "switzerland",
    "tunisia",
    "turkey",
    "uae",
    "united-kingdom",
    "united-states",
    "uruguay",
    "viet-nam",
    "zimbabwe",
];

/// Options of one generation.
pub struct Options {
    /// How many events to print.
    pub events: u64,
    /// The seed.
    pub seed: u64,
}

/// Runs `gen` from its command-line arguments, printing to stdout.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut events = None;
    let mut seed = 1;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seed" => seed = it.next().ok_or_else(|| anyhow::anyhow!("--seed needs a value"))?.parse()?,
            n if events.is_none() => events = Some(n.replace('_', "").parse()?),
            other => anyhow::bail!("unexpected argument '{other}'; usage: cargo xtask gen N [--seed S]"),
        }
    }
    let events = events.ok_or_else(|| anyhow::anyhow!("usage: cargo xtask gen N [--seed S] > file.jsonl"))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let written = generate(&Options { events, seed }, &mut |line| {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")
    });
    match written {
        // `gen N | head` is fine.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        other => other?,
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Generates `opts.events` events, handing each JSON line (without newline) to `emit`.
pub fn generate(opts: &Options, emit: &mut dyn FnMut(&str) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut g = Gen { rng: fastrand::Rng::with_seed(opts.seed), left: opts.events };
    let mut m = 0;
    while g.left > 0 {
        g.meeting(m, emit)?;
        m += 1;
    }
    Ok(())
}

struct Gen {
    rng: fastrand::Rng,
    left: u64,
}

/// What a draft does next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Refer,
    TakeUp,
    Debate,
    Amend,
    Endorse,
    Adopt,
    Done,
}

struct Draft {
    name: String,
    text: Text,
    body: &'static str,
    next: Step,
    amendments_left: u32,
    statements_left: u32,
    amendment_no: u32,
    clause_no: u32,
    accepted: Vec<String>,
    pending: Option<(String, Vec<Operation>)>,
    withdraw: bool,
}

/// One meeting's clock: UTC times between 08:00 and 14:00 of its days, so that every zone of
/// [`ZONES`] keeps them inside the meeting's dates.
struct Clock {
    day0: chrono::NaiveDate,
    days: u32,
    minute: u32, // minutes since day0 08:00, counting only the 6 working hours a day
}

impl Clock {
    fn at(&self, m: u32) -> String {
        let day = (m / 360).min(self.days - 1);
        let within = if m / 360 >= self.days { 359 } else { m % 360 };
        let d = self.day0 + chrono::Days::new(u64::from(day));
        let t = d.and_hms_opt(8, 0, 0).unwrap_or_default() + chrono::Duration::minutes(i64::from(within));
        format!("{}Z", t.format("%Y-%m-%dT%H:%M:%S"))
    }
    fn window(&self, len: u32) -> Value {
        json!({"from": self.at(self.minute), "to": self.at(self.minute + len)})
    }
}

impl Gen {
    fn uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        self.rng.fill(&mut b);
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
    }

    fn words(&mut self, lo: usize, hi: usize) -> String {
        let n = self.rng.usize(lo..=hi);
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(WORDS[self.rng.usize(..WORDS.len())]);
        }
        s
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        emit: &mut dyn FnMut(&str) -> std::io::Result<()>,
        meeting: &str,
        type_name: &str,
        document: Option<&str>,
        body: Option<&str>,
        actors: &[&str],
        occurred: Value,
        phase: Option<&str>,
        data: Value,
    ) -> std::io::Result<bool> {
        if self.left == 0 {
            return Ok(false);
        }
        self.left -= 1;
        let mut e = json!({
            "id": self.uuid(),
            "type": type_name,
            "v": 1,
            "meeting": meeting,
            "document": document,
            "body": body,
            "actors": actors,
            "occurred": occurred,
            "source": {"file": "synthetic", "section": "generated", "quote": "a synthetic event"},
            "data": data,
        });
        if let (Some(p), Some(o)) = (phase, e.as_object_mut()) {
            o.insert("phase".into(), json!(p));
        }
        emit(&e.to_string())?;
        Ok(self.left > 0)
    }

    fn text(&mut self, title: &str) -> Text {
        let n_sections = self.rng.usize(3..=5);
        let mut picks: Vec<usize> = (0..SECTIONS.len()).collect();
        self.rng.shuffle(&mut picks);
        let mut picks = picks[..n_sections].to_vec();
        picks.sort_unstable();
        let mut sections = Vec::new();
        for i in picks {
            let (key, heading) = SECTIONS[i];
            let n = self.rng.usize(3..=9);
            let clauses = (0..n)
                .map(|c| {
                    let key = letter(c);
                    let sub = if self.rng.u8(..10) == 0 {
                        (0..self.rng.usize(2..=3))
                            .map(|s| Clause {
                                key: format!("{}", s + 1),
                                label: Some(format!("{})", s + 1)),
                                words: Some(self.words(6, 14)),
                                clauses: vec![],
                            })
                            .collect()
                    } else {
                        vec![]
                    };
                    Clause {
                        label: Some(format!("{key})")),
                        key,
                        words: Some(self.words(10, 30)),
                        clauses: sub,
                    }
                })
                .collect();
            sections.push(Section { key: key.into(), heading: heading.into(), clauses });
        }
        Text { title: title.to_uppercase(), preamble: "The Forum,".into(), sections }
    }

    /// An amendment's operations: one to three, each checked against the text as it stands.
    fn operations(&mut self, d: &mut Draft) -> Vec<Operation> {
        let mut ops = Vec::new();
        let mut text = d.text.clone();
        for _ in 0..self.rng.usize(1..=3) {
            for _attempt in 0..4 {
                let op = self.operation(&text, d);
                if let Ok(t) = amend::apply(&text, std::slice::from_ref(&op)) {
                    text = t;
                    ops.push(op);
                    break;
                }
            }
        }
        if ops.is_empty() {
            let section = text.sections[0].key.clone();
            d.clause_no += 1;
            ops.push(Operation::InsertClause {
                parent: ClausePath { section, clauses: vec![] },
                after: None,
                clause: Clause {
                    key: format!("new-{}", d.clause_no),
                    label: None,
                    words: Some(self.words(8, 20)),
                    clauses: vec![],
                },
            });
        }
        ops
    }

    fn operation(&mut self, text: &Text, d: &mut Draft) -> Operation {
        let s = &text.sections[self.rng.usize(..text.sections.len())];
        let section = ClausePath { section: s.key.clone(), clauses: vec![] };
        let pick = self.rng.u8(..10);
        if s.clauses.is_empty() || pick >= 8 {
            d.clause_no += 1;
            let after = if s.clauses.is_empty() || self.rng.bool() {
                None
            } else {
                Some(s.clauses[self.rng.usize(..s.clauses.len())].key.clone())
            };
            return Operation::InsertClause {
                parent: section,
                after,
                clause: Clause {
                    key: format!("new-{}", d.clause_no),
                    label: None,
                    words: Some(self.words(8, 24)),
                    clauses: vec![],
                },
            };
        }
        let c = &s.clauses[self.rng.usize(..s.clauses.len())];
        let path = section.child(&c.key);
        let words: Vec<&str> =
            c.words.as_deref().unwrap_or("").split(' ').filter(|w| !w.is_empty()).collect();
        if words.len() < 4 || pick == 7 {
            if s.clauses.len() > 2 && self.rng.bool() {
                return Operation::DeleteClause { path };
            }
            return Operation::ReplaceClause {
                path,
                clause: Clause {
                    key: c.key.clone(),
                    label: c.label.clone(),
                    words: Some(self.words(10, 26)),
                    clauses: vec![],
                },
            };
        }
        let at = self.rng.usize(..words.len() - 2);
        let len = self.rng.usize(1..=3).min(words.len() - at);
        let run = words[at..at + len].join(" ");
        let full = words.join(" ");
        // Which occurrence of the run this is, counting matches that start before it.
        let start = words[..at].iter().map(|w| w.len() + 1).sum::<usize>();
        let occurrence = full.match_indices(&run).take_while(|(i, _)| *i <= start).count();
        let total = full.matches(&run).count();
        let occurrence = (total > 1).then_some(occurrence);
        match pick {
            0..=3 => Operation::ReplaceWords { path, old: run, new: self.words(1, 4), occurrence },
            4 | 5 => Operation::InsertWords {
                path,
                before: None,
                after: Some(run),
                words: format!(" {}", self.words(1, 5)),
                occurrence,
            },
            _ => Operation::DeleteWords { path, old: format!(" {run}"), occurrence: None },
        }
    }

    fn meeting(&mut self, i: u64, emit: &mut dyn FnMut(&str) -> std::io::Result<()>) -> std::io::Result<()> {
        let id = format!("gen-{i:06}");
        let m = id.as_str();
        let zone = ZONES[self.rng.usize(..ZONES.len())];
        let base = chrono::NaiveDate::from_ymd_opt(2000, 1, 3).unwrap_or_default();
        let day0 = base + chrono::Days::new(i * 9 + self.rng.u64(0..4));
        let days = self.rng.u32(2..=4);
        let last = day0 + chrono::Days::new(u64::from(days - 1));
        let n_wg = self.rng.usize(2..=4);
        let bodies: Vec<String> =
            std::iter::once("plenary".to_string()).chain((1..=n_wg).map(|k| format!("wg-{k}"))).collect();
        let body_names: &[&'static str] = &["plenary", "wg-1", "wg-2", "wg-3", "wg-4"];
        let prep =
            |d: chrono::NaiveDate| format!("{}T09:00:00Z", (d - chrono::Days::new(30)).format("%Y-%m-%d"));
        let prep_window = json!({"from": prep(day0), "to": prep(day0)});
        let declared = json!({
            "title": format!("Synthetic Policy Forum {i}"),
            "venue": "Conference Centre",
            "time_zone": zone,
            "first_day": day0.format("%Y-%m-%d").to_string(),
            "last_day": last.format("%Y-%m-%d").to_string(),
            "bodies": bodies.iter().map(|b| json!({"id": b, "name": if b == "plenary" { "Plenary".to_string() } else { format!("Working Group {}", &b[3..]) }})).collect::<Vec<_>>(),
        });
        if !self.event(
            emit,
            m,
            "MeetingDeclared",
            None,
            None,
            &[],
            prep_window.clone(),
            Some("preparatory"),
            declared,
        )? {
            return Ok(());
        }
        let mut actors: Vec<&'static str> = STATES.to_vec();
        self.rng.shuffle(&mut actors);
        actors.truncate(self.rng.usize(12..=STATES.len()));
        for a in &actors {
            let data = json!({"actor": a, "name": title_case(a), "kind": "member_state"});
            if !self.event(
                emit,
                m,
                "ActorRegistered",
                None,
                None,
                &[],
                prep_window.clone(),
                Some("preparatory"),
                data,
            )? {
                return Ok(());
            }
        }
        let mut clock = Clock { day0, days, minute: 0 };
        if !self.event(
            emit,
            m,
            "MeetingOpened",
            None,
            Some("plenary"),
            &[],
            clock.window(15),
            None,
            json!({}),
        )? {
            return Ok(());
        }
        for b in &body_names[..=n_wg] {
            let chair = actors[self.rng.usize(..actors.len())];
            if !self.event(
                emit,
                m,
                "OfficerElected",
                None,
                Some(b),
                &[chair],
                clock.window(30),
                None,
                json!({"role": "chairman"}),
            )? {
                return Ok(());
            }
        }
        // The drafts, tabled before the meeting.
        let n_docs = self.rng.usize(15..=45);
        let mut drafts = Vec::new();
        for k in 0..n_docs {
            let name = format!("{m}/draft-{}", k + 1);
            let title = format!("Draft Opinion {}: {}", k + 1, self.words(3, 7));
            let text = self.text(&title);
            let by = actors[self.rng.usize(..actors.len())];
            let data = json!({"kind": "draft_opinion", "title": title, "symbol": format!("GEN-{i}/{}", k + 1), "text": text});
            let window = json!({"from": null, "to": format!("{}T00:00:00Z", day0.format("%Y-%m-%d"))});
            if !self.event(
                emit,
                m,
                "DocumentTabled",
                Some(&name),
                None,
                &[by],
                window,
                Some("preparatory"),
                data,
            )? {
                return Ok(());
            }
            drafts.push(Draft {
                name,
                text,
                body: body_names[1 + k % n_wg],
                next: Step::Refer,
                amendments_left: self.rng.u32(2..=12),
                statements_left: self.rng.u32(2..=10),
                amendment_no: 0,
                clause_no: 0,
                accepted: Vec::new(),
                pending: None,
                withdraw: self.rng.u8(..20) == 0,
            });
        }
        // The days: sessions open, drafts move in an interleaved order, sessions close.
        let steps: u32 = drafts.iter().map(|d| 4 + 2 * d.amendments_left + d.statements_left).sum();
        let dt = ((days * 360 - 30) / steps.max(1)).max(1);
        let mut day_open = u32::MAX;
        loop {
            let open: Vec<usize> = (0..drafts.len()).filter(|&k| drafts[k].next != Step::Done).collect();
            if open.is_empty() {
                break;
            }
            let today = (clock.minute / 360).min(days - 1);
            if today != day_open {
                if day_open != u32::MAX {
                    for b in &body_names[..=n_wg] {
                        if !self.event(emit, m, "SessionClosed", None, Some(b), &[], json!({"from": clock.at(day_open * 360 + 340), "to": clock.at(day_open * 360 + 359)}), None, json!({}))? {
                            return Ok(());
                        }
                    }
                }
                day_open = today;
                for b in &body_names[..=n_wg] {
                    if !self.event(
                        emit,
                        m,
                        "SessionOpened",
                        None,
                        Some(b),
                        &[],
                        json!({"from": clock.at(today * 360), "to": clock.at(today * 360 + 10)}),
                        None,
                        json!({}),
                    )? {
                        return Ok(());
                    }
                }
                if self.rng.u8(..3) == 0 {
                    let b = body_names[self.rng.usize(1..=n_wg)];
                    if !self.event(
                        emit,
                        m,
                        "SessionSuspended",
                        None,
                        Some(b),
                        &[],
                        clock.window(20),
                        None,
                        json!({"minutes": 30}),
                    )? {
                        return Ok(());
                    }
                    if !self.event(
                        emit,
                        m,
                        "SessionResumed",
                        None,
                        Some(b),
                        &[],
                        json!({"from": clock.at(clock.minute + 20), "to": clock.at(clock.minute + 50)}),
                        None,
                        json!({}),
                    )? {
                        return Ok(());
                    }
                }
            }
            let k = open[self.rng.usize(..open.len())];
            clock.minute += dt;
            if !self.step(emit, m, &mut drafts[k], &actors, &clock, dt)? {
                return Ok(());
            }
        }
        let end = (days - 1) * 360;
        for b in &body_names[..=n_wg] {
            if !self.event(
                emit,
                m,
                "SessionClosed",
                None,
                Some(b),
                &[],
                json!({"from": clock.at(end + 330), "to": clock.at(end + 345)}),
                None,
                json!({}),
            )? {
                return Ok(());
            }
        }
        self.event(
            emit,
            m,
            "MeetingClosed",
            None,
            Some("plenary"),
            &[],
            json!({"from": clock.at(end + 345), "to": clock.at(end + 359)}),
            None,
            json!({}),
        )?;
        Ok(())
    }

    /// Moves one draft one step on.
    fn step(
        &mut self,
        emit: &mut dyn FnMut(&str) -> std::io::Result<()>,
        m: &str,
        d: &mut Draft,
        actors: &[&'static str],
        clock: &Clock,
        dt: u32,
    ) -> std::io::Result<bool> {
        let doc = d.name.clone();
        let w = clock.window(dt.min(20));
        let actor = actors[self.rng.usize(..actors.len())];
        match d.next {
            Step::Refer => {
                d.next = Step::TakeUp;
                self.event(emit, m, "DocumentReferred", Some(&doc), Some(d.body), &[], w, None, json!({}))
            }
            Step::TakeUp => {
                d.next = Step::Debate;
                let order = self.rng.u32(1..=20);
                self.event(
                    emit,
                    m,
                    "ItemTakenUp",
                    Some(&doc),
                    Some(d.body),
                    &[],
                    w,
                    None,
                    json!({ "order": order }),
                )
            }
            Step::Debate if d.statements_left > 0 && (d.amendments_left == 0 || self.rng.bool()) => {
                d.statements_left -= 1;
                let stance = ["support", "clarification", "opposition", "other"][self.rng.usize(..4)];
                let data = json!({"stance": stance, "summary": self.words(6, 16)});
                self.event(emit, m, "StatementMade", Some(&doc), Some(d.body), &[actor], w, None, data)
            }
            Step::Debate if d.amendments_left > 0 => {
                d.amendments_left -= 1;
                d.amendment_no += 1;
                let id = format!("a{}-{actor}", d.amendment_no);
                let known = self.rng.u8(..10) != 0;
                let ops = if known { self.operations(d) } else { Vec::new() };
                let data = json!({"amendment": id, "summary": self.words(4, 10), "wording_known": known, "operations": ops});
                d.next = Step::Amend;
                d.pending = Some((id, ops));
                self.event(emit, m, "AmendmentProposed", Some(&doc), Some(d.body), &[actor], w, None, data)
            }
            Step::Debate => {
                if d.withdraw {
                    d.next = Step::Done;
                    return self.event(
                        emit,
                        m,
                        "DocumentWithdrawn",
                        Some(&doc),
                        None,
                        &[actor],
                        w,
                        None,
                        json!({}),
                    );
                }
                d.next = Step::Endorse;
                self.step(emit, m, d, actors, clock, dt)
            }
            Step::Amend => {
                let (id, ops) = d.pending.take().unwrap_or_default();
                d.next = Step::Debate;
                let roll = self.rng.u8(..20);
                let (type_name, data) = if !ops.is_empty() && roll < 11 {
                    match amend::apply(&d.text, &ops) {
                        Ok(t) => {
                            d.text = t;
                            d.accepted.push(id.clone());
                            ("AmendmentAccepted", json!({"amendment": id, "decided_by": "consensus"}))
                        }
                        Err(_) => ("AmendmentWithdrawn", json!({"amendment": id})),
                    }
                } else if !ops.is_empty() && roll < 14 {
                    ("AmendmentRejected", json!({"amendment": id, "decided_by": "vote"}))
                } else if roll < 17 {
                    ("AmendmentWithdrawn", json!({"amendment": id}))
                } else {
                    ("AmendmentReferredToReport", json!({"amendment": id}))
                };
                self.event(emit, m, type_name, Some(&doc), Some(d.body), &[], w, None, data)
            }
            Step::Endorse => {
                d.next = Step::Adopt;
                let data = json!({"amendments": d.accepted, "submitted_to": "plenary"});
                self.event(emit, m, "DraftEndorsed", Some(&doc), Some(d.body), &[], w, None, data)
            }
            Step::Adopt => {
                d.next = Step::Done;
                self.event(emit, m, "DraftAdopted", Some(&doc), Some("plenary"), &[], w, None, json!({}))
            }
            Step::Done => Ok(true),
        }
    }
}

fn letter(i: usize) -> String {
    let l = (b'a' + (i % 26) as u8) as char;
    if i < 26 {
        l.to_string()
    } else {
        format!("{l}{}", i / 26)
    }
}

fn title_case(s: &str) -> String {
    s.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use minutes_core::event::Event;
    use minutes_store::Store;

    use super::*;

    #[test]
    fn every_generated_event_passes_the_rules_in_file_order() {
        let mut lines = Vec::new();
        generate(&Options { events: 6000, seed: 7 }, &mut |l| {
            lines.push(l.to_string());
            Ok(())
        })
        .expect("generates");
        assert_eq!(lines.len(), 6000);
        let events: Vec<Event> = lines.iter().map(|l| Event::from_json(l).expect("parses")).collect();
        let mut store = Store::memory().expect("store");
        let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").expect("time");
        store.append(&events, None, now).expect("every event passes the rules");
        let types: std::collections::BTreeSet<&str> = events.iter().map(Event::type_name).collect();
        for t in ["AmendmentAccepted", "AmendmentProposed", "DraftAdopted", "StatementMade", "SessionOpened"]
        {
            assert!(types.contains(t), "{t} is generated");
        }
    }

    #[test]
    fn state_from_the_index_and_from_snapshots_equals_the_full_fold_on_random_queries() {
        use minutes_core::project::document::document_at;
        let mut events = Vec::new();
        generate(&Options { events: 3000, seed: 11 }, &mut |l| {
            events.push(Event::from_json(l).expect("parses"));
            Ok(())
        })
        .expect("generates");
        let mut store = Store::memory().expect("store");
        let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").expect("time");
        store.append(&events, None, now).expect("appends");
        let docs: Vec<_> = events
            .iter()
            .filter(|e| e.type_name() == "DocumentTabled")
            .filter_map(|e| Some((e.document.clone()?, e.occurred.to?)))
            .collect();
        let mut rng = fastrand::Rng::with_seed(5);
        let show = |v: &minutes_core::project::document::DocumentAt| {
            format!(
                "{:?} {:?} {:?}",
                v.state.as_ref().map(|s| serde_json::to_string(s).unwrap_or_default()),
                v.state.as_ref().map(|s| format!("{:?}", s.origins)),
                v.uncertain
            )
        };
        store.rebuild_snapshots(None).expect("snapshots");
        for _ in 0..300 {
            let (d, t0) = &docs[rng.usize(..docs.len())];
            let at = *t0 + chrono::Duration::seconds(rng.i64(-3600..5 * 24 * 3600));
            let full = show(&document_at(&store.stream(d.as_str()).expect("stream"), &at));
            let part = store.document_events_at(d.as_str(), &at).expect("indexed");
            assert_eq!(show(&document_at(&part, &at)), full, "{d} at {at}");
            assert_eq!(
                show(&store.document_state_at(d.as_str(), &at).expect("snapshot")),
                full,
                "{d} at {at}, from a snapshot"
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_file() {
        let run = |seed| {
            let mut out = String::new();
            generate(&Options { events: 500, seed }, &mut |l| {
                out.push_str(l);
                Ok(())
            })
            .expect("generates");
            out
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }
}
