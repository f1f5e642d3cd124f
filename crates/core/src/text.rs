//! The text of a document: a title, a preamble line, and sections (considering, recognizing,
//! invites...) of labelled clauses with sub-clauses, each addressable by a stable path.
//!
//! Texts are written for review in a plain format that mirrors the printed page (see
//! [`parse`]) and carried in events as JSON. Keys are fixed when a text is first written, so a
//! path keeps naming the same clause whatever is inserted around it later.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What a clause whose wording the sources do not give prints as.
pub const NOT_RECORDED: &str = "[wording not recorded in the sources]";

/// A document's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// The line before the first section (`The fifth World Telecommunication/ICT Policy Forum (Geneva, 2013),`).
    pub preamble: String,
    /// The sections in order.
    pub sections: Vec<Section>,
    /// The title line as printed (`OPINION 3:  Supporting Capacity Building...`).
    pub title: String,
}

/// A section: a heading such as `recognizing further` and its clauses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The clauses in order.
    #[serde(default)]
    pub clauses: Vec<Clause>,
    /// The heading as printed.
    pub heading: String,
    /// The section's key, unique in the text (`recognizing-further`).
    pub key: String,
}

/// A clause: an optional label as printed (`a)`, `1)`, `·`), its words, and its sub-clauses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Sub-clauses in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<Clause>,
    /// The clause's key, unique among its siblings (`a`, `iv`, `bullet-2`).
    pub key: String,
    /// The label as printed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The words; `None` when the sources do not give them. Paragraphs are separated by `\n`.
    pub words: Option<String>,
}

/// The address of a section (`considering`) or of a clause inside one (`recognizing/l/2`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClausePath {
    /// The section key.
    pub section: String,
    /// Clause keys from the section down; empty for the section itself.
    pub clauses: Vec<String>,
}

/// A path that is not of the form `section[/clause...]`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("'{0}' is not a clause path; write SECTION/CLAUSE[/SUB-CLAUSE], e.g. considering/a")]
pub struct PathError(pub String);

impl ClausePath {
    /// Parses `section/clause/...`.
    pub fn parse(s: &str) -> Result<Self, PathError> {
        let mut parts = s.split('/');
        let section = parts.next().filter(|p| valid_key(p)).ok_or_else(|| PathError(s.to_string()))?;
        let clauses: Vec<String> = parts.map(str::to_string).collect();
        if clauses.iter().any(|c| !valid_key(c)) {
            return Err(PathError(s.to_string()));
        }
        Ok(Self { section: section.to_string(), clauses })
    }

    /// The path of a child clause.
    pub fn child(&self, key: &str) -> Self {
        let mut c = self.clone();
        c.clauses.push(key.to_string());
        c
    }
}

impl fmt::Display for ClausePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.section)?;
        for c in &self.clauses {
            write!(f, "/{c}")?;
        }
        Ok(())
    }
}

impl Serialize for ClausePath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClausePath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 80
        && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A text whose keys are missing, malformed or repeated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// A key is not lowercase letters, digits and dashes.
    #[error("key '{0}' is not valid; use lowercase letters, digits and '-'")]
    BadKey(String),
    /// Two siblings share a key.
    #[error("key '{0}' is used twice")]
    DuplicateKey(String),
    /// A line of the text format could not be read.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl Text {
    /// Checks that every key is well formed and unique among its siblings.
    pub fn validate(&self) -> Result<(), TextError> {
        let repeated = first_repeat(&self.sections, |s| &s.key);
        for (i, s) in self.sections.iter().enumerate() {
            if !valid_key(&s.key) {
                return Err(TextError::BadKey(s.key.clone()));
            }
            if repeated == Some(i) {
                return Err(TextError::DuplicateKey(s.key.clone()));
            }
            validate_clauses(&s.key, &s.clauses)?;
        }
        Ok(())
    }

    /// The text as the contract prints it: the title, the preamble, then each heading and each
    /// clause (label, a space, its words) on its own line, sub-clauses after their clause.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        for line in self.lines() {
            out.push(line.text);
        }
        out.join("\n")
    }

    /// The rendered lines, each with the path it comes from (`None` for title and preamble).
    pub fn lines(&self) -> Vec<TextLine> {
        let mut out = vec![
            TextLine { path: None, text: self.title.clone() },
            TextLine { path: None, text: self.preamble.clone() },
        ];
        for s in &self.sections {
            let path = ClausePath { section: s.key.clone(), clauses: vec![] };
            out.push(TextLine { path: Some(path.clone()), text: s.heading.clone() });
            push_clauses(&path, &s.clauses, &mut out);
        }
        out
    }

    /// The section with this key.
    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }

    /// The clause at `path`, if there is one.
    pub fn clause(&self, path: &ClausePath) -> Option<&Clause> {
        let mut list = &self.section(&path.section)?.clauses;
        let mut found = None;
        for k in &path.clauses {
            let c = list.iter().find(|c| &c.key == k)?;
            list = &c.clauses;
            found = Some(c);
        }
        found
    }

    /// Every path in reading order: each section, then its clauses, sub-clauses after their
    /// clause (the paths of [`Text::lines`], without rendering the lines).
    pub fn paths(&self) -> Vec<ClausePath> {
        let mut out = Vec::new();
        for s in &self.sections {
            let path = ClausePath { section: s.key.clone(), clauses: vec![] };
            out.push(path.clone());
            walk_paths(&path, &s.clauses, &mut out);
        }
        out
    }

    /// `root` (a section or a clause) and every path under it, in reading order; none when the
    /// text has no line at `root`.
    pub fn paths_under(&self, root: &ClausePath) -> Vec<ClausePath> {
        let under = if root.clauses.is_empty() {
            self.section(&root.section).map(|s| &s.clauses)
        } else {
            self.clause(root).map(|c| &c.clauses)
        };
        let Some(clauses) = under else { return Vec::new() };
        let mut out = vec![root.clone()];
        walk_paths(root, clauses, &mut out);
        out
    }
}

/// Pushes the path of every clause under `parent`, each before its sub-clauses.
fn walk_paths(parent: &ClausePath, clauses: &[Clause], out: &mut Vec<ClausePath>) {
    for c in clauses {
        let path = parent.child(&c.key);
        out.push(path.clone());
        walk_paths(&path, &c.clauses, out);
    }
}

/// One rendered line of a text and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLine {
    /// The section (no clause keys) or clause the line shows; `None` for title and preamble.
    pub path: Option<ClausePath>,
    /// The line as printed.
    pub text: String,
}

impl Clause {
    /// The clause as one printed line: label, a space, words.
    pub fn render(&self) -> String {
        let words = self.words.as_deref().unwrap_or(NOT_RECORDED);
        match &self.label {
            Some(l) => format!("{l} {words}"),
            None => words.to_string(),
        }
    }
}

fn push_clauses(parent: &ClausePath, clauses: &[Clause], out: &mut Vec<TextLine>) {
    for c in clauses {
        let path = parent.child(&c.key);
        out.push(TextLine { path: Some(path.clone()), text: c.render() });
        push_clauses(&path, &c.clauses, out);
    }
}

impl Clause {
    /// Checks that the clause's key and those of its sub-clauses are well formed and unique
    /// among their siblings (`at` names where it stands, for the message): what an amendment
    /// that brings a clause in must hold.
    pub fn validate(&self, at: &str) -> Result<(), TextError> {
        validate_clauses(&at, std::slice::from_ref(self))
    }
}

impl Section {
    /// Checks that the section's key and its clauses' keys are well formed and unique.
    pub fn validate(&self) -> Result<(), TextError> {
        if !valid_key(&self.key) {
            return Err(TextError::BadKey(self.key.clone()));
        }
        validate_clauses(&self.key.as_str(), &self.clauses)
    }
}

fn validate_clauses(at: &dyn fmt::Display, clauses: &[Clause]) -> Result<(), TextError> {
    let repeated = first_repeat(clauses, |c| &c.key);
    for (i, c) in clauses.iter().enumerate() {
        if !valid_key(&c.key) {
            return Err(TextError::BadKey(format!("{at}/{}", c.key)));
        }
        if repeated == Some(i) {
            return Err(TextError::DuplicateKey(format!("{at}/{}", c.key)));
        }
        if !c.clauses.is_empty() {
            validate_clauses(&Under(at, &c.key), &c.clauses)?;
        }
    }
    Ok(())
}

/// The first item whose key an item before it has. Sibling lists are short, so each is
/// compared with the ones before it; only a long list is indexed.
fn first_repeat<T>(items: &[T], key: impl Fn(&T) -> &str) -> Option<usize> {
    const SHORT: usize = 32;
    if items.len() <= SHORT {
        return (1..items.len()).find(|&i| items[..i].iter().any(|x| key(x) == key(&items[i])));
    }
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items.iter().position(|x| !seen.insert(key(x)))
}

/// Where a sub-clause stands (`parent/key`), written only for a message.
struct Under<'a>(&'a dyn fmt::Display, &'a str);

impl fmt::Display for Under<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.0, self.1)
    }
}

/// Reads a text written in the review format:
///
/// ```text
/// # OPINION 3:  Supporting Capacity Building for the deployment of IPv6
/// The fifth World Telecommunication/ICT Policy Forum (Geneva, 2013),
///
/// == considering
/// a) the success of WTSA Resolution 64 ...
/// l) that the Directors of the TSB and BDT have,
///     1) initiated a project ...
/// | Member States and Sector Members to work in a collaborative manner to:
/// {bullet-2} · enable the emergence of Internet Exchange Points ...
/// + a further paragraph of the clause above
/// ```
///
/// `# ` starts the title; the next line is the preamble; `== ` starts a section (its key is the
/// heading in lowercase with dashes, or `{key}` written first). Every other line is a clause:
/// four spaces of indent per level of sub-clause, an optional `{key}`, a label (`a)`, `1)`,
/// `1.`, `(iv)`, `·`) or `| ` for a clause without one, then the words. A clause's key is its
/// label's letters and digits unless written. `+ ` continues the clause above with a new
/// paragraph. Blank lines and lines whose first non-blank characters are `//` (comments for
/// reviewers) are ignored. Words reading `[wording not recorded in the sources]`
/// are unknown. A tab inside the words reads as one space.
pub fn parse(src: &str) -> Result<Text, TextError> {
    let err = |line: usize, message: String| TextError::Line { line, message };
    let mut title = None;
    let mut preamble = None;
    let mut sections: Vec<Section> = Vec::new();
    // The path of keys to the last clause, for sub-clauses and continuations.
    let mut depth_of_last: Option<usize> = None;
    for (i, raw) in src.lines().enumerate() {
        let n = i + 1;
        // A comment for reviewers is a line whose first non-blank characters are `//`.
        if raw.trim().is_empty() || raw.trim_start().starts_with("//") {
            continue;
        }
        let line = raw.trim_end();
        if title.is_none() {
            let t = line
                .strip_prefix("# ")
                .ok_or_else(|| err(n, "a text starts with '# ' and its title".into()))?;
            title = Some(t.trim().to_string());
            continue;
        }
        // A heading is recognised after any indent, as a comment is, so that no line that reads
        // as one is taken for the preamble or a clause.
        if let Some(h) = line.trim_start().strip_prefix("== ") {
            if preamble.is_none() {
                return Err(err(n, "the preamble line must come before the first section".into()));
            }
            let (key, heading) = split_key(h.trim());
            let heading = heading.trim().to_string();
            let key = key.map(str::to_string).unwrap_or_else(|| slug(&heading));
            if !valid_key(&key) {
                return Err(err(n, format!("section key '{key}' is not valid")));
            }
            if sections.iter().any(|s| s.key == key) {
                return Err(err(
                    n,
                    format!("section key '{key}' is used twice; write another as '== {{key}} heading'"),
                ));
            }
            sections.push(Section { key, heading, clauses: vec![] });
            depth_of_last = None;
            continue;
        }
        if preamble.is_none() {
            preamble = Some(line.trim().to_string());
            continue;
        }
        let Some(section) = sections.last_mut() else {
            return Err(err(n, "a clause must follow a section heading ('== heading')".into()));
        };
        let (indent, body) = indent_of(line);
        if indent % 4 != 0 {
            return Err(err(
                n,
                format!("indent of {indent} spaces; sub-clauses are indented by 4 per level"),
            ));
        }
        let depth = indent / 4;
        if let Some(more) = body.strip_prefix("+ ").or_else(|| (body == "+").then_some("")) {
            let Some(d) = depth_of_last else {
                return Err(err(n, "'+' continues a clause, but there is none above".into()));
            };
            let c = last_at_depth(&mut section.clauses, d)
                .ok_or_else(|| err(n, "no clause to continue".into()))?;
            let w = c.words.get_or_insert_with(String::new);
            w.push('\n');
            w.push_str(&more.trim().replace('\t', " "));
            continue;
        }
        let allowed = depth_of_last.map_or(0, |d| d + 1);
        if depth > allowed {
            return Err(err(
                n,
                format!(
                    "indented {depth} levels but the clause above is at level {}",
                    allowed.saturating_sub(1)
                ),
            ));
        }
        let (key, rest) = split_key(body);
        let (label, words) = split_label(rest);
        let words = words.trim().replace('\t', " ");
        let words = if words == NOT_RECORDED { None } else { Some(words) };
        let siblings = if depth == 0 {
            &mut section.clauses
        } else {
            &mut last_at_depth(&mut section.clauses, depth - 1)
                .ok_or_else(|| err(n, "no parent clause".into()))?
                .clauses
        };
        let key = match key {
            Some(k) => k.to_string(),
            None => label
                .map(label_key)
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| format!("p{}", siblings.len() + 1)),
        };
        if !valid_key(&key) {
            return Err(err(n, format!("clause key '{key}' is not valid")));
        }
        if siblings.iter().any(|c| c.key == key) {
            return Err(err(
                n,
                format!("clause key '{key}' is used twice here; write '{{key}}' before the label"),
            ));
        }
        siblings.push(Clause { key, label: label.map(str::to_string), words, clauses: vec![] });
        depth_of_last = Some(depth);
    }
    let text = Text {
        title: title.ok_or_else(|| err(1, "empty text: it starts with '# ' and its title".into()))?,
        preamble: preamble.unwrap_or_default(),
        sections,
    };
    text.validate()?;
    Ok(text)
}

/// Writes `text` in the review format that [`parse`] reads.
pub fn write(text: &Text) -> String {
    let mut out = format!("# {}\n{}\n", text.title, text.preamble);
    for s in &text.sections {
        out.push_str(&format!("\n== {{{}}} {}\n", s.key, s.heading));
        write_clauses(&s.clauses, 0, &mut out);
    }
    out
}

fn write_clauses(clauses: &[Clause], depth: usize, out: &mut String) {
    for c in clauses {
        let pad = "    ".repeat(depth);
        let words = c.words.as_deref().unwrap_or(NOT_RECORDED);
        let mut paras = words.split('\n');
        let first = paras.next().unwrap_or_default();
        match &c.label {
            Some(l) => out.push_str(&format!("{pad}{{{}}} {l} {first}\n", c.key)),
            None => out.push_str(&format!("{pad}{{{}}} | {first}\n", c.key)),
        }
        for p in paras {
            out.push_str(&format!("{pad}+ {p}\n"));
        }
        write_clauses(&c.clauses, depth + 1, out);
    }
}

fn indent_of(line: &str) -> (usize, &str) {
    let mut n = 0;
    for (i, ch) in line.char_indices() {
        match ch {
            ' ' => n += 1,
            '\t' => n += 4,
            _ => return (n, &line[i..]),
        }
    }
    (n, "")
}

fn split_key(s: &str) -> (Option<&str>, &str) {
    if let Some(rest) = s.strip_prefix('{') {
        if let Some(end) = rest.find('}') {
            return (Some(&rest[..end]), rest[end + 1..].trim_start());
        }
    }
    (None, s)
}

fn split_label(s: &str) -> (Option<&str>, &str) {
    if let Some(rest) = s.strip_prefix("| ").or_else(|| (s == "|").then_some("")) {
        return (None, rest);
    }
    let end = s.find([' ', '\t']).unwrap_or(s.len());
    let token = &s[..end];
    if is_label(token) {
        (Some(token), &s[end..])
    } else {
        (None, s)
    }
}

fn is_label(t: &str) -> bool {
    if matches!(t, "·" | "•" | "-" | "–") {
        return true;
    }
    let inner = t.strip_prefix('(').unwrap_or(t);
    let Some(core) = inner
        .strip_suffix(')')
        .or_else(|| inner.strip_suffix('.').filter(|c| c.chars().all(|ch| ch.is_ascii_digit())))
    else {
        return false;
    };
    !core.is_empty() && core.len() <= 4 && core.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
}

fn label_key(label: &str) -> String {
    label.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()
}

/// A key from a heading: lowercase words joined by dashes (`invites Member States,` →
/// `invites-member-states`).
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for w in s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(w.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()));
    }
    out.truncate(80);
    out.trim_end_matches('-').to_string()
}

fn last_at_depth(clauses: &mut [Clause], depth: usize) -> Option<&mut Clause> {
    let last = clauses.last_mut()?;
    if depth == 0 {
        Some(last)
    } else {
        last_at_depth(&mut last.clauses, depth - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# OPINION 9: Sample
The fifth World Telecommunication/ICT Policy Forum (Geneva, 2013),

== considering
a)\tthe first;
b) [wording not recorded in the sources]
l) that the Directors have,
    1) initiated a project;
    2) established a website
== {invite} invite
| Member States to:
{bullet-1} · promote things;
+ and a second paragraph
";

    #[test]
    fn the_review_format_reads_into_sections_and_clauses() {
        let t = parse(SAMPLE).unwrap();
        assert_eq!(t.title, "OPINION 9: Sample");
        assert_eq!(t.sections[0].key, "considering");
        let p = ClausePath::parse("considering/l/2").unwrap();
        assert_eq!(t.clause(&p).unwrap().words.as_deref(), Some("established a website"));
        assert_eq!(t.clause(&ClausePath::parse("considering/b").unwrap()).unwrap().words, None);
        assert_eq!(t.clause(&ClausePath::parse("invite/p1").unwrap()).unwrap().label, None);
        let b = t.clause(&ClausePath::parse("invite/bullet-1").unwrap()).unwrap();
        assert_eq!(b.words.as_deref(), Some("promote things;\nand a second paragraph"));
    }

    #[test]
    fn rendering_prints_label_space_words_with_unknown_wording_marked() {
        let t = parse(SAMPLE).unwrap();
        let r = t.render();
        assert!(r.starts_with("OPINION 9: Sample\nThe fifth"));
        assert!(r.contains("\nconsidering\na) the first;\nb) [wording not recorded in the sources]\n"));
        assert!(r.contains("\n1) initiated a project;\n"));
        assert!(r.ends_with("invite\nMember States to:\n· promote things;\nand a second paragraph"));
    }

    #[test]
    fn writing_and_reading_back_gives_the_same_text() {
        let t = parse(SAMPLE).unwrap();
        assert_eq!(parse(&write(&t)).unwrap(), t);
    }

    #[test]
    fn repeated_keys_and_bad_indents_name_the_line() {
        let e = parse("# T\nP\n== s\n1. a\n1. b\n").unwrap_err().to_string();
        assert!(e.starts_with("line 5:"), "{e}");
        let e = parse("# T\nP\n== s\na) x\n        1) y\n").unwrap_err().to_string();
        assert!(e.starts_with("line 5:"), "{e}");
        let e = parse("# T\nP\n== s\n== s\n").unwrap_err().to_string();
        assert!(e.starts_with("line 4:"), "{e}");
    }

    #[test]
    fn a_repeated_key_is_named_where_it_first_repeats_in_short_and_long_lists() {
        let clause = |key: &str| Clause { key: key.into(), label: None, words: None, clauses: vec![] };
        for n in [3, 40] {
            let mut clauses: Vec<Clause> = (0..n).map(|i| clause(&format!("c{i}"))).collect();
            clauses.push(clause("c2"));
            clauses.push(clause("c1"));
            let inner = Clause { clauses, ..clause("top") };
            let text = Text {
                title: "T".into(),
                preamble: "P".into(),
                sections: vec![Section { key: "s".into(), heading: "s".into(), clauses: vec![inner] }],
            };
            assert_eq!(text.validate(), Err(TextError::DuplicateKey("s/top/c2".into())), "{n} clauses");
        }
    }
}
