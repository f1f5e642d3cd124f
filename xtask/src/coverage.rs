//! `cargo xtask coverage`: every sentence of the WTPF-13 sources, with the events that cite it or
//! the reason it is left out (`events/wtpf-13/coverage.toml`, keyed by the sentence's text).
//!
//! Each source is split into sentences: each line, each table cell (a tab-separated field), each
//! list item, and inside them each sentence (ending in `.`, `?`, `!` or `;` before a space and a
//! capital, a digit or a quote). An event cites a sentence when its quote, in its source file,
//! overlaps it (whitespace runs count as one space), or when the event holds the sentence's words
//! as its data (an amendment's words, a draft's text), or its note quotes the sentence. A sentence that reports a proposal, a fate,
//! an intervention, a decision, a session or an attendance cannot be left out by a reason. The
//! run fails when a sentence of Part I or Annex I of the Final Report has neither an event nor a
//! reason, when a reason leaves out such a reporting sentence, or names a sentence no source
//! has (a changed source reopens its sentences).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{bail, Context};
use minutes_core::event::Event;

/// The Final Report, whose Part I and Annex I must be covered whole.
const REPORT: &str = "002_01700a06b6d0c7d8.txt";

/// Words that mark a sentence reporting a proposal, a fate, an intervention, a decision, a
/// session or an attendance (lower case, matched at the start of a word).
const REPORTING: &[&str] = &[
    "proposed",
    "proposal",
    "suggested",
    "suggestion",
    "withdrew",
    "withdrawn",
    "insist",
    "accepted",
    "agreed",
    "endorsed",
    "adopted",
    "elected",
    "decided",
    "requested",
    "supported",
    "stressed",
    "expressed",
    "highlighted",
    "clarified",
    "emphasized",
    "thanked",
    "presented",
    "introduced",
    "intervened",
    "met ",
    "session",
    "attended",
    "participated",
    "opened",
    "closed",
    "adjourn",
    "chaired",
    "considered",
    "submitted",
    "consulted",
    "called for",
    "noted",
    "stated",
    "urged",
    "pushed back",
    "resisted",
    "took note",
    "convened",
    "debated",
    "invited",
];

/// One sentence of a source.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// The source file.
    pub file: String,
    /// Part I, Part II, Annex I (the Final Report), or the whole file.
    pub part: &'static str,
    /// Its text, whitespace runs as one space.
    pub text: String,
    /// Its span in the file's squashed text.
    span: (usize, usize),
}

/// What the reasons file says of one sentence.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Reason {
    source: String,
    sentence: String,
    reason: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonsFile {
    #[serde(default)]
    reason: Vec<Reason>,
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a sentence reports something the record must hold as an event.
pub fn reports(sentence: &str) -> bool {
    let lower = format!(" {} ", sentence.to_lowercase());
    REPORTING.iter().any(|k| {
        lower.match_indices(k).any(|(i, _)| {
            let before = lower[..i].chars().next_back().unwrap_or(' ');
            !before.is_alphanumeric()
        })
    })
}

/// The part of the Final Report a line belongs to, as the lines go by.
fn part_of(line: &str, current: &'static str) -> &'static str {
    match line.trim() {
        "PART I" => "Part I",
        "PART II" => "Part II",
        "ANNEX I" => "Annex I",
        _ => current,
    }
}

/// Splits a source into its sentences, with their spans in the squashed text.
pub fn sentences(file: &str, text: &str) -> Vec<Sentence> {
    let whole = squash(text);
    let mut out = Vec::new();
    let mut from = 0;
    let mut part = if file == REPORT { "Part I" } else { "whole" };
    for line in text.lines() {
        if file == REPORT {
            part = part_of(line, part);
        }
        for cell in line.split('\t') {
            let cell = cell.trim().trim_start_matches('·').trim();
            for s in split_sentences(cell) {
                let s = squash(s);
                if s.is_empty() || !s.chars().any(char::is_alphanumeric) {
                    continue;
                }
                let Some(at) = whole[from..].find(&s).map(|i| i + from) else { continue };
                from = at + s.len();
                out.push(Sentence { file: file.to_string(), part, text: s, span: (at, from) });
            }
        }
    }
    out
}

/// The sentences of one line or cell.
fn split_sentences(cell: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes: Vec<(usize, char)> = cell.char_indices().collect();
    let mut start = 0;
    for (k, &(i, c)) in bytes.iter().enumerate() {
        if !matches!(c, '.' | '?' | '!' | ';') {
            continue;
        }
        let next = bytes.get(k + 1).map(|x| x.1);
        let after = bytes.get(k + 2).map(|x| x.1);
        let ends = matches!(next, Some(n) if n.is_whitespace())
            && matches!(after, Some(a) if a.is_uppercase() || a.is_ascii_digit() || matches!(a, '“' | '"' | '(' | '['));
        // Not after an abbreviation or an initial (Mr., Dr., H.E., Y.J.).
        let word: String = cell[start..i]
            .split_whitespace()
            .last()
            .unwrap_or("")
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .to_string();
        let abbreviation =
            matches!(word.as_str(), "Mr" | "Ms" | "Dr" | "Mme" | "H.E" | "Rev" | "No" | "St" | "para")
                || (word.chars().count() <= 3 && word.chars().all(|c| c.is_uppercase() || c == '.'));
        if ends && !abbreviation {
            out.push(&cell[start..=i]);
            start = i + c.len_utf8();
        }
    }
    if start < cell.len() {
        out.push(&cell[start..]);
    }
    out
}

/// The result of a coverage run.
pub struct Coverage {
    /// Every sentence, with the ids of the events citing it and the reason it is left out.
    pub lines: Vec<(Sentence, Vec<String>, Option<String>)>,
    /// What is wrong.
    pub problems: Vec<String>,
}

/// Computes the coverage of the sources by the record and the reasons file.
pub fn compute(root: &Path) -> anyhow::Result<Coverage> {
    let dir = root.join("events/wtpf-13");
    let events = load_events(&dir)?;
    let reasons_path = dir.join("coverage.toml");
    let reasons: ReasonsFile = toml::from_str(
        &std::fs::read_to_string(&reasons_path)
            .with_context(|| format!("reading {}", reasons_path.display()))?,
    )
    .with_context(|| format!("reading {}", reasons_path.display()))?;
    let mut by_sentence: HashMap<(String, String), String> = HashMap::new();
    let mut problems = Vec::new();
    for r in &reasons.reason {
        if by_sentence.insert((r.source.clone(), squash(&r.sentence)), r.reason.clone()).is_some() {
            problems.push(format!(
                "coverage.toml: the sentence {:?} of {} has two reasons",
                r.sentence, r.source
            ));
        }
    }
    let mut files: Vec<String> = std::fs::read_dir(dir.join("sources"))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    files.sort();
    // Each event's data as squashed text, with JSON's escapes undone, for words it holds.
    let worded: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            let data = e.kind.data().unwrap_or_default();
            let mut words = Vec::new();
            collect_strings(&data, &mut words);
            (e.id.to_string(), squash(&words.join(" | ")))
        })
        .collect();
    let mut lines = Vec::new();
    let mut used = std::collections::HashSet::new();
    for f in &files {
        let text = std::fs::read_to_string(dir.join("sources").join(f))?;
        let whole = squash(&text);
        // Where each event's quote lies in this file.
        let mut cited: Vec<((usize, usize), String)> = Vec::new();
        for e in events.iter().filter(|e| e.source.as_ref().is_some_and(|s| &s.file == f)) {
            let q = squash(&e.source.as_ref().map(|s| s.quote.clone()).unwrap_or_default());
            if q.is_empty() {
                continue;
            }
            for (at, _) in whole.match_indices(&q) {
                cited.push(((at, at + q.len()), e.id.to_string()));
            }
        }
        for s in sentences(f, &text) {
            let mut ids: Vec<String> = cited
                .iter()
                .filter(|((a, b), _)| *a < s.span.1 && s.span.0 < *b)
                .map(|(_, id)| id.clone())
                .collect();
            // Words an event holds as its data (an amendment's words, a document's text).
            let bare = s.text.trim_matches(|c: char| matches!(c, '“' | '”' | '"' | ';' | ',' | '.' | ' '));
            if ids.is_empty() && bare.len() >= 20 {
                ids.extend(worded.iter().filter(|(_, w)| w.contains(bare)).map(|(id, _)| id.clone()));
            }
            // A note that quotes the sentence (in double quotes) cites it too.
            let stem = s.text.trim_end_matches([':', '.', ' ']);
            if ids.is_empty() && stem.len() >= 20 {
                let quoted = format!("\"{stem}");
                ids.extend(
                    events
                        .iter()
                        .filter(|e| e.source.as_ref().is_some_and(|x| &x.file == f))
                        .filter(|e| e.note.as_deref().is_some_and(|n| squash(n).contains(&quoted)))
                        .map(|e| e.id.to_string()),
                );
            }
            let key = (f.clone(), s.text.clone());
            let reason = by_sentence.get(&key).cloned();
            if reason.is_some() {
                used.insert(key);
            }
            if let Some(r) = &reason {
                if reports(&s.text) && ids.is_empty() {
                    problems.push(format!(
                        "{f} ({}): {:?} reports a proposal, a fate, an intervention, a decision, a session or an attendance; it cannot be left out ({r:?}): record it as an event",
                        s.part, s.text
                    ));
                }
            }
            let required = f == REPORT && matches!(s.part, "Part I" | "Annex I");
            if required && ids.is_empty() && reason.is_none() {
                problems.push(format!(
                    "{f} ({}): no event cites {:?} and no reason leaves it out",
                    s.part, s.text
                ));
            }
            lines.push((s, ids, reason));
        }
    }
    for r in &reasons.reason {
        if !used.contains(&(r.source.clone(), squash(&r.sentence))) {
            problems.push(format!(
                "coverage.toml: no sentence of {} reads {:?} (the source changed, or the sentence is split otherwise)",
                r.source, r.sentence
            ));
        }
    }
    Ok(Coverage { lines, problems })
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

fn load_events(dir: &Path) -> anyhow::Result<Vec<Event>> {
    Ok(crate::check_record::load(dir)?.0)
}

/// The counts per source and part: sentences, cited by an event, left out with a reason, neither.
pub fn counts(c: &Coverage) -> BTreeMap<(String, &'static str), (usize, usize, usize, usize)> {
    let mut out: BTreeMap<(String, &'static str), (usize, usize, usize, usize)> = BTreeMap::new();
    for (s, ids, reason) in &c.lines {
        let e = out.entry((s.file.clone(), s.part)).or_default();
        e.0 += 1;
        if !ids.is_empty() {
            e.1 += 1;
        } else if reason.is_some() {
            e.2 += 1;
        } else {
            e.3 += 1;
        }
    }
    out
}

/// Runs the report: every sentence, then the counts; fails listing every problem.
pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let c = compute(root)?;
    let quiet = args.iter().any(|a| a == "--summary");
    if !quiet {
        for (s, ids, reason) in &c.lines {
            let what = match (ids.is_empty(), reason) {
                (false, _) => format!("events {}", ids.join(", ")),
                (true, Some(r)) => format!("left out: {r}"),
                (true, None) => "NEITHER an event nor a reason".to_string(),
            };
            println!("{} [{}] {:?}\n    -> {what}", s.file, s.part, s.text);
        }
    }
    println!("| source | part | sentences | cited by events | left out with a reason | neither |");
    println!("|---|---|---|---|---|---|");
    for ((f, part), (n, cited, reasoned, neither)) in counts(&c) {
        println!("| `{f}` | {part} | {n} | {cited} | {reasoned} | {neither} |");
    }
    for p in &c.problems {
        eprintln!("{p}");
    }
    if !c.problems.is_empty() {
        bail!("coverage: {} problems", c.problems.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_their_ends_but_not_after_titles_and_initials() {
        let s = sentences("x.txt", "· Mr D. Cavalcanti chaired it. The group met.\tA cell; Another part\n");
        let texts: Vec<_> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["Mr D. Cavalcanti chaired it.", "The group met.", "A cell;", "Another part"]);
    }

    #[test]
    fn reporting_sentences_are_recognised() {
        assert!(reports("Turkey proposed the addition of a word."));
        assert!(reports("Working Group 2 met on 15 May."));
        assert!(!reports("The Internet Society is a global, nonprofit organization."));
    }

    /// The bundled record covers Part I and Annex I of the Final Report whole, and no reason
    /// leaves out a sentence that reports a fact.
    #[test]
    fn the_record_covers_its_sources() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let c = compute(&root).unwrap();
        assert!(c.problems.is_empty(), "{}", c.problems.join("\n"));
    }
}
