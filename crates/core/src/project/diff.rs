//! What changed in a text between two moments, clause by clause, with the words inserted and
//! deleted.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::text::{ClausePath, Text};

/// How one line of the text changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The clause or section is new.
    Inserted,
    /// The clause or section is gone.
    Deleted,
    /// Its words changed.
    Changed,
}

/// A run of words, kept, inserted or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Words {
    /// `equal`, `insert` or `delete`.
    pub op: &'static str,
    /// The words, spaces included.
    pub text: String,
}

/// One changed line: a clause, a section heading, the title or the preamble.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineChange {
    /// The clause or section path; `title` or `preamble` for those lines.
    pub path: String,
    /// How it changed.
    pub change: ChangeKind,
    /// The line before, if it existed.
    pub old: Option<String>,
    /// The line after, if it exists.
    pub new: Option<String>,
    /// The words, marked.
    pub words: Vec<Words>,
}

/// The changes from `old` to `new`, in the order of the new text (deleted lines where they
/// stood).
pub fn diff(old: Option<&Text>, new: Option<&Text>) -> Vec<LineChange> {
    let keyed = |t: Option<&Text>| -> Vec<(String, String)> {
        t.map(|t| {
            t.lines()
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    let key = match (&l.path, i) {
                        (Some(p), _) => p.to_string(),
                        (None, 0) => "title".to_string(),
                        (None, _) => "preamble".to_string(),
                    };
                    (key, l.text)
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let (a, b) = (keyed(old), keyed(new));
    let mut out = Vec::new();
    let mut ai = 0;
    for (key, text) in &b {
        // Lines of the old text that are gone, up to the next line still present.
        if let Some(pos) = a.iter().position(|(k, _)| k == key) {
            while ai < pos {
                if !b.iter().any(|(k, _)| *k == a[ai].0) {
                    out.push(deleted(&a[ai]));
                }
                ai += 1;
            }
            ai = ai.max(pos + 1);
            let was = &a[pos].1;
            if was != text {
                out.push(LineChange {
                    path: key.clone(),
                    change: ChangeKind::Changed,
                    old: Some(was.clone()),
                    new: Some(text.clone()),
                    words: words(was, text),
                });
            }
        } else {
            // Old lines that are gone and stood right here come first.
            while ai < a.len() && !b.iter().any(|(k, _)| *k == a[ai].0) {
                out.push(deleted(&a[ai]));
                ai += 1;
            }
            out.push(LineChange {
                path: key.clone(),
                change: ChangeKind::Inserted,
                old: None,
                new: Some(text.clone()),
                words: vec![Words { op: "insert", text: text.clone() }],
            });
        }
    }
    for rest in &a[ai.min(a.len())..] {
        if !b.iter().any(|(k, _)| *k == rest.0) {
            out.push(deleted(rest));
        }
    }
    out
}

fn deleted((key, text): &(String, String)) -> LineChange {
    LineChange {
        path: key.clone(),
        change: ChangeKind::Deleted,
        old: Some(text.clone()),
        new: None,
        words: vec![Words { op: "delete", text: text.clone() }],
    }
}

/// A word-by-word comparison, adjacent runs of the same kind merged. A wording that was not
/// recorded is replaced whole: its words were never known, so none of them is "kept".
pub fn words(old: &str, new: &str) -> Vec<Words> {
    if old.contains(crate::text::NOT_RECORDED) || new.contains(crate::text::NOT_RECORDED) {
        return vec![
            Words { op: "delete", text: old.to_string() },
            Words { op: "insert", text: new.to_string() },
        ];
    }
    let mut out: Vec<Words> = Vec::new();
    for c in TextDiff::from_words(old, new).iter_all_changes() {
        let op = match c.tag() {
            ChangeTag::Equal => "equal",
            ChangeTag::Insert => "insert",
            ChangeTag::Delete => "delete",
        };
        match out.last_mut() {
            Some(w) if w.op == op => w.text.push_str(c.value()),
            _ => out.push(Words { op, text: c.value().to_string() }),
        }
    }
    out
}

/// Marks words for a terminal: `[-deleted-]` and `{+inserted+}`.
pub fn marked(words: &[Words]) -> String {
    words
        .iter()
        .map(|w| match w.op {
            "insert" => format!("{{+{}+}}", w.text),
            "delete" => format!("[-{}-]", w.text),
            _ => w.text.clone(),
        })
        .collect()
}

/// Whether a path names a clause rather than a section (for people reading a diff).
pub fn is_clause(path: &str) -> bool {
    ClausePath::parse(path).is_ok_and(|p| !p.clauses.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::parse;

    #[test]
    fn changed_inserted_and_deleted_clauses_are_found_with_their_words() {
        let a = parse("# T\nP\n== s\na) in all international forums\nb) gone\n").unwrap();
        let b =
            parse("# T\nP\n== s\na) in all relevant international forums\n== {new} requests\n| new words\n")
                .unwrap();
        let d = diff(Some(&a), Some(&b));
        let kinds: Vec<_> = d.iter().map(|c| (c.path.as_str(), c.change.clone())).collect();
        assert_eq!(
            kinds,
            [
                ("s/a", ChangeKind::Changed),
                ("s/b", ChangeKind::Deleted),
                ("new", ChangeKind::Inserted),
                ("new/p1", ChangeKind::Inserted)
            ]
        );
        assert_eq!(marked(&d[0].words), "a) in all {+relevant +}international forums");
    }

    #[test]
    fn an_unrecorded_wording_is_replaced_whole() {
        let a = parse("# T\nP\n== s\na) [wording not recorded in the sources]\n").unwrap();
        let b = parse("# T\nP\n== s\na) the wording now\n").unwrap();
        let d = diff(Some(&a), Some(&b));
        assert_eq!(marked(&d[0].words), "[-a) [wording not recorded in the sources]-]{+a) the wording now+}");
    }

    #[test]
    fn equal_texts_have_no_changes() {
        let a = parse("# T\nP\n== s\na) x\n").unwrap();
        assert!(diff(Some(&a), Some(&a)).is_empty());
    }
}
