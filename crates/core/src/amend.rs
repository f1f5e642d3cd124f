//! Amendments to a text: insert, replace or delete words at an anchor inside a clause; insert,
//! replace or delete a whole clause or section. Applying an operation whose target or anchor
//! is not there is an error that names it.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::text::{Clause, ClausePath, Section, Text};

/// One change to a text. An amendment is a list of these, applied in order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operation {
    /// Inserts `words` just before or just after an anchor inside a clause (exactly one of the two).
    InsertWords {
        /// The clause.
        path: ClausePath,
        /// Insert right before this run of words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<String>,
        /// Insert right after this run of words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
        /// What to insert, spaces included.
        words: String,
        /// Which occurrence of the anchor (1-based) when it occurs more than once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        occurrence: Option<usize>,
    },
    /// Replaces a run of words inside a clause.
    ReplaceWords {
        /// The clause.
        path: ClausePath,
        /// The words replaced.
        old: String,
        /// The words put in their place.
        new: String,
        /// Which occurrence (1-based) when `old` occurs more than once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        occurrence: Option<usize>,
    },
    /// Deletes a run of words inside a clause.
    DeleteWords {
        /// The clause.
        path: ClausePath,
        /// The words deleted, spaces included.
        old: String,
        /// Which occurrence (1-based) when `old` occurs more than once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        occurrence: Option<usize>,
    },
    /// Inserts a clause into a section or as a sub-clause, after a sibling or at the end.
    InsertClause {
        /// The section (`considering`) or parent clause (`recognizing/l`).
        parent: ClausePath,
        /// The sibling it follows; at the start with `"^"`; at the end when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
        /// The new clause.
        clause: Clause,
    },
    /// Replaces a whole clause (its label, words and sub-clauses).
    ReplaceClause {
        /// The clause.
        path: ClausePath,
        /// What stands there afterwards (its key may differ).
        clause: Clause,
    },
    /// Deletes a whole clause with its sub-clauses.
    DeleteClause {
        /// The clause.
        path: ClausePath,
    },
    /// Inserts a section after another, at the start with `"^"`, or at the end.
    InsertSection {
        /// The section it follows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
        /// The new section.
        section: Section,
    },
    /// Deletes a section with its clauses.
    DeleteSection {
        /// The section's key.
        key: String,
    },
}

/// Written with its keys in sorted order, the tag `op` among them: the store's canonical form,
/// so that an operation is written once, straight from its fields (a derived tagged enum writes
/// the tag first).
impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        match self {
            Self::InsertWords { path, before, after, words, occurrence } => {
                if let Some(a) = after {
                    m.serialize_entry("after", a)?;
                }
                if let Some(b) = before {
                    m.serialize_entry("before", b)?;
                }
                if let Some(o) = occurrence {
                    m.serialize_entry("occurrence", o)?;
                }
                m.serialize_entry("op", "insert_words")?;
                m.serialize_entry("path", path)?;
                m.serialize_entry("words", words)?;
            }
            Self::ReplaceWords { path, old, new, occurrence } => {
                m.serialize_entry("new", new)?;
                if let Some(o) = occurrence {
                    m.serialize_entry("occurrence", o)?;
                }
                m.serialize_entry("old", old)?;
                m.serialize_entry("op", "replace_words")?;
                m.serialize_entry("path", path)?;
            }
            Self::DeleteWords { path, old, occurrence } => {
                if let Some(o) = occurrence {
                    m.serialize_entry("occurrence", o)?;
                }
                m.serialize_entry("old", old)?;
                m.serialize_entry("op", "delete_words")?;
                m.serialize_entry("path", path)?;
            }
            Self::InsertClause { parent, after, clause } => {
                if let Some(a) = after {
                    m.serialize_entry("after", a)?;
                }
                m.serialize_entry("clause", clause)?;
                m.serialize_entry("op", "insert_clause")?;
                m.serialize_entry("parent", parent)?;
            }
            Self::ReplaceClause { path, clause } => {
                m.serialize_entry("clause", clause)?;
                m.serialize_entry("op", "replace_clause")?;
                m.serialize_entry("path", path)?;
            }
            Self::DeleteClause { path } => {
                m.serialize_entry("op", "delete_clause")?;
                m.serialize_entry("path", path)?;
            }
            Self::InsertSection { after, section } => {
                if let Some(a) = after {
                    m.serialize_entry("after", a)?;
                }
                m.serialize_entry("op", "insert_section")?;
                m.serialize_entry("section", section)?;
            }
            Self::DeleteSection { key } => {
                m.serialize_entry("key", key)?;
                m.serialize_entry("op", "delete_section")?;
            }
        }
        m.end()
    }
}

/// The same operations read externally tagged (`{"delete_clause": {"path": ...}}`): a reader
/// that tracks the path of a refused field follows the fields of such an enum, not those of
/// the internally tagged form. Used only to name the field of an operation that was refused.
#[derive(Deserialize)]
#[serde(remote = "Operation", rename_all = "snake_case", deny_unknown_fields)]
enum Tracked {
    InsertWords {
        path: ClausePath,
        #[serde(default)]
        before: Option<String>,
        #[serde(default)]
        after: Option<String>,
        words: String,
        #[serde(default)]
        occurrence: Option<usize>,
    },
    ReplaceWords {
        path: ClausePath,
        old: String,
        new: String,
        #[serde(default)]
        occurrence: Option<usize>,
    },
    DeleteWords {
        path: ClausePath,
        old: String,
        #[serde(default)]
        occurrence: Option<usize>,
    },
    InsertClause {
        parent: ClausePath,
        #[serde(default)]
        after: Option<String>,
        clause: Clause,
    },
    ReplaceClause {
        path: ClausePath,
        clause: Clause,
    },
    DeleteClause {
        path: ClausePath,
    },
    InsertSection {
        #[serde(default)]
        after: Option<String>,
        section: Section,
    },
    DeleteSection {
        key: String,
    },
}

#[derive(Deserialize)]
#[allow(dead_code)] // read only for the error it gives
struct TrackedOperation(#[serde(with = "Tracked")] Operation);

/// For an operation (`{"op": ..., ...}`) that does not read: the path of the refused field
/// inside it (`path`, `clause.words`) and what is wrong; `None` if it reads, or has no `op`.
pub(crate) fn refused_field(op: &serde_json::Value) -> Option<(String, String)> {
    let mut fields = op.as_object()?.clone();
    let tag = fields.remove("op")?.as_str()?.to_string();
    let tagged =
        serde_json::Value::Object(std::iter::once((tag, serde_json::Value::Object(fields))).collect());
    let err = serde_path_to_error::deserialize::<_, TrackedOperation>(&tagged).err()?;
    let path = err
        .path()
        .iter()
        .skip(1)
        .map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => format!("[{index}]"),
            other => format!(".{other}"),
        })
        .collect::<String>();
    Some((path, err.inner().to_string()))
}

impl Operation {
    /// The clause whose words the operation edits, for an edit of words; `None` for an
    /// operation on clauses or sections, which may bring keys in or take them out.
    pub fn words_of(&self) -> Option<&ClausePath> {
        match self {
            Self::InsertWords { path, .. }
            | Self::ReplaceWords { path, .. }
            | Self::DeleteWords { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The key of the section the operation works in; `None` for one that inserts or deletes
    /// a section.
    pub fn section_key(&self) -> Option<&str> {
        match self {
            Self::InsertWords { path, .. }
            | Self::ReplaceWords { path, .. }
            | Self::DeleteWords { path, .. }
            | Self::ReplaceClause { path, .. }
            | Self::DeleteClause { path } => Some(&path.section),
            Self::InsertClause { parent, .. } => Some(&parent.section),
            Self::InsertSection { .. } | Self::DeleteSection { .. } => None,
        }
    }
}

/// What an operation touches in a text: a run of words inside a clause (as a byte range of
/// its words), or a whole clause or section with everything under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touch {
    /// Words `range` of the clause at `path` (an insertion touches its anchor).
    Words {
        /// The clause.
        path: ClausePath,
        /// Byte range in the clause's words.
        range: std::ops::Range<usize>,
        /// The words themselves.
        words: String,
    },
    /// The clause or section at `path` and everything under it.
    Whole {
        /// The clause or section (a path without clause keys).
        path: ClausePath,
    },
}

impl Touch {
    fn within(inner: &ClausePath, outer: &ClausePath) -> bool {
        inner.section == outer.section
            && inner.clauses.len() >= outer.clauses.len()
            && inner.clauses[..outer.clauses.len()] == outer.clauses[..]
    }

    /// The words both touch, if they overlap: the words of the overlap for two edits of
    /// words, else the path of the clause or section both reach.
    pub fn overlap(&self, other: &Touch) -> Option<String> {
        match (self, other) {
            (
                Touch::Words { path: p, range: a, words: wa },
                Touch::Words { path: q, range: b, words: wb },
            ) => {
                let meet = p == q && a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1);
                meet.then(|| {
                    if wa.len() <= wb.len() {
                        format!("'{wa}' in {p}")
                    } else {
                        format!("'{wb}' in {p}")
                    }
                })
            }
            (Touch::Whole { path: p }, Touch::Words { path: q, .. } | Touch::Whole { path: q })
            | (Touch::Words { path: q, .. }, Touch::Whole { path: p }) => {
                if Self::within(q, p) {
                    Some(q.to_string())
                } else if Self::within(p, q) {
                    Some(p.to_string())
                } else {
                    None
                }
            }
        }
    }
}

/// What each operation of an amendment touches in `text` (operations whose target is not
/// there touch nothing: applying them fails anyway, and says so).
pub fn touches(text: &Text, ops: &[Operation]) -> Vec<Touch> {
    let words = |path: &ClausePath, anchor: &str, occurrence: Option<usize>| {
        find_words(text, path, anchor, occurrence, 1).ok().map(|at| Touch::Words {
            path: path.clone(),
            range: at..at + anchor.len(),
            words: anchor.to_string(),
        })
    };
    ops.iter()
        .filter_map(|op| match op {
            Operation::InsertWords { path, before, after, occurrence, .. } => {
                let anchor = before.as_deref().or(after.as_deref())?;
                words(path, anchor, *occurrence)
            }
            Operation::ReplaceWords { path, old, occurrence, .. }
            | Operation::DeleteWords { path, old, occurrence } => words(path, old, *occurrence),
            Operation::ReplaceClause { path, .. } | Operation::DeleteClause { path } => {
                Some(Touch::Whole { path: path.clone() })
            }
            Operation::InsertClause { parent, clause, .. } => {
                Some(Touch::Whole { path: parent.child(&clause.key) })
            }
            Operation::InsertSection { section, .. } => {
                Some(Touch::Whole { path: ClausePath { section: section.key.clone(), clauses: vec![] } })
            }
            Operation::DeleteSection { key } => {
                Some(Touch::Whole { path: ClausePath { section: key.clone(), clauses: vec![] } })
            }
        })
        .collect()
}

/// The first place two amendments' operations both touch in `text`, if any: the words (or
/// the clause) that make them conflict.
pub fn conflict(text: &Text, a: &[Operation], b: &[Operation]) -> Option<String> {
    let (ta, tb) = (touches(text, a), touches(text, b));
    ta.iter().find_map(|x| tb.iter().find_map(|y| x.overlap(y)))
}

/// Why an operation could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AmendError {
    /// The path names no section or clause of the text.
    #[error("operation {op}: there is no {what} {path} in the text")]
    NoTarget {
        /// 1-based index of the operation in its amendment.
        op: usize,
        /// `section` or `clause`.
        what: &'static str,
        /// The missing path.
        path: String,
    },
    /// The anchor words are not in the clause.
    #[error("operation {op}: the words '{anchor}' are not in {path}")]
    NoAnchor {
        /// 1-based index of the operation.
        op: usize,
        /// The clause.
        path: String,
        /// The words looked for.
        anchor: String,
    },
    /// The anchor occurs more than once and no occurrence was given.
    #[error(
        "operation {op}: the words '{anchor}' occur {count} times in {path}; say which with \"occurrence\""
    )]
    Ambiguous {
        /// 1-based index of the operation.
        op: usize,
        /// The clause.
        path: String,
        /// The words looked for.
        anchor: String,
        /// How often they occur.
        count: usize,
    },
    /// The clause's wording is not recorded, so no words can be found in it.
    #[error("operation {op}: the wording of {path} is not recorded in the sources, so words cannot be changed inside it; replace the whole clause")]
    UnknownWording {
        /// 1-based index of the operation.
        op: usize,
        /// The clause.
        path: String,
    },
    /// The operation is not well formed (both anchors, an empty anchor, a key already taken).
    #[error("operation {op}: {why}")]
    Malformed {
        /// 1-based index of the operation.
        op: usize,
        /// What is wrong.
        why: String,
    },
}

/// Applies `ops` in order to a copy of `text`; the first failing operation stops it.
pub fn apply(text: &Text, ops: &[Operation]) -> Result<Text, AmendError> {
    let mut t = text.clone();
    apply_all(&mut t, ops)?;
    Ok(t)
}

fn apply_all(t: &mut Text, ops: &[Operation]) -> Result<(), AmendError> {
    for (i, op) in ops.iter().enumerate() {
        apply_one(t, op, i + 1)?;
    }
    Ok(())
}

/// Applies `ops` to `text` itself, all or nothing: on an error the text is as it was. One
/// operation (most amendments) changes the text without copying it, since every operation
/// checks everything before it changes anything; several are applied to a copy of the
/// sections they work in (of the whole text when one inserts or deletes a section).
pub fn apply_in_place(text: &mut Text, ops: &[Operation]) -> Result<(), AmendError> {
    if let [op] = ops {
        return apply_one(text, op, 1);
    }
    let Some(at) = sections_worked(text, ops) else {
        *text = apply(text, ops)?;
        return Ok(());
    };
    let mut part = cut_down(text, &at);
    apply_all(&mut part, ops)?;
    for (i, worked) in at.into_iter().zip(part.sections) {
        text.sections[i] = worked;
    }
    Ok(())
}

/// The indices of the sections `ops` work in, when none of them inserts or deletes a section
/// (those work on the list of sections itself): the only ones they can change or fail on.
fn sections_worked(text: &Text, ops: &[Operation]) -> Option<Vec<usize>> {
    let keys = ops.iter().map(Operation::section_key).collect::<Option<Vec<&str>>>()?;
    Some((0..text.sections.len()).filter(|&i| keys.contains(&text.sections[i].key.as_str())).collect())
}

/// A copy of `text` holding only the sections at `at`, in order: where operations that work
/// inside those sections apply exactly as in the whole text.
fn cut_down(text: &Text, at: &[usize]) -> Text {
    Text {
        title: String::new(),
        preamble: String::new(),
        sections: at.iter().map(|&i| text.sections[i].clone()).collect(),
    }
}

/// Whether `ops` apply to `text`, without keeping the result: one edit of words is checked
/// where it stands, anything else on a copy of the sections it works in.
pub fn check(text: &Text, ops: &[Operation]) -> Result<(), AmendError> {
    match ops {
        [Operation::InsertWords { path, before, after, occurrence, .. }] => {
            let (anchor, _) = insert_anchor(before, after, 1)?;
            find_words(text, path, anchor, *occurrence, 1).map(|_| ())
        }
        [Operation::ReplaceWords { path, old, occurrence, .. }
        | Operation::DeleteWords { path, old, occurrence }] => {
            find_words(text, path, old, *occurrence, 1).map(|_| ())
        }
        _ => match sections_worked(text, ops) {
            Some(at) => apply_all(&mut cut_down(text, &at), ops),
            None => apply(text, ops).map(|_| ()),
        },
    }
}

fn apply_one(t: &mut Text, op: &Operation, n: usize) -> Result<(), AmendError> {
    let malformed = |why: String| AmendError::Malformed { op: n, why };
    match op {
        Operation::InsertWords { path, before, after, words, occurrence } => {
            let (anchor, is_before) = insert_anchor(before, after, n)?;
            edit_words(t, path, anchor, *occurrence, n, |w, at| {
                let pos = if is_before { at } else { at + anchor.len() };
                w.insert_str(pos, words);
            })
        }
        Operation::ReplaceWords { path, old, new, occurrence } => {
            edit_words(t, path, old, *occurrence, n, |w, at| w.replace_range(at..at + old.len(), new))
        }
        Operation::DeleteWords { path, old, occurrence } => {
            edit_words(t, path, old, *occurrence, n, |w, at| w.replace_range(at..at + old.len(), ""))
        }
        Operation::InsertClause { parent, after, clause } => {
            clause
                .validate(&parent.to_string())
                .map_err(|e| malformed(format!("the clause brought in: {e}")))?;
            let siblings = children_mut(t, parent).ok_or_else(|| no_target(n, parent))?;
            if siblings.iter().any(|c| c.key == clause.key) {
                return Err(malformed(format!("{} already has a clause with key '{}'", parent, clause.key)));
            }
            let at = position(siblings.iter().map(|c| c.key.as_str()), after.as_deref())
                .ok_or_else(|| no_target(n, &parent.child(after.as_deref().unwrap_or_default())))?;
            siblings.insert(at, clause.clone());
            Ok(())
        }
        Operation::ReplaceClause { path, clause } => {
            clause
                .validate(&path.to_string())
                .map_err(|e| malformed(format!("the clause brought in: {e}")))?;
            let (parent, key) = split(path).ok_or_else(|| no_target(n, path))?;
            let siblings = children_mut(t, &parent).ok_or_else(|| no_target(n, path))?;
            if clause.key != key && siblings.iter().any(|c| c.key == clause.key) {
                return Err(malformed(format!("{parent} already has a clause with key '{}'", clause.key)));
            }
            let slot = siblings.iter_mut().find(|c| c.key == key).ok_or_else(|| no_target(n, path))?;
            *slot = clause.clone();
            Ok(())
        }
        Operation::DeleteClause { path } => {
            let (parent, key) = split(path).ok_or_else(|| no_target(n, path))?;
            let siblings = children_mut(t, &parent).ok_or_else(|| no_target(n, path))?;
            let at = siblings.iter().position(|c| c.key == key).ok_or_else(|| no_target(n, path))?;
            siblings.remove(at);
            Ok(())
        }
        Operation::InsertSection { after, section } => {
            section.validate().map_err(|e| malformed(format!("the section brought in: {e}")))?;
            if t.sections.iter().any(|s| s.key == section.key) {
                return Err(malformed(format!("the text already has a section with key '{}'", section.key)));
            }
            let at =
                position(t.sections.iter().map(|s| s.key.as_str()), after.as_deref()).ok_or_else(|| {
                    AmendError::NoTarget { op: n, what: "section", path: after.clone().unwrap_or_default() }
                })?;
            t.sections.insert(at, section.clone());
            Ok(())
        }
        Operation::DeleteSection { key } => {
            let at = t.sections.iter().position(|s| &s.key == key).ok_or_else(|| AmendError::NoTarget {
                op: n,
                what: "section",
                path: key.clone(),
            })?;
            t.sections.remove(at);
            Ok(())
        }
    }
}

/// The anchor of an insertion of words, and whether the words go before it.
fn insert_anchor<'a>(
    before: &'a Option<String>,
    after: &'a Option<String>,
    n: usize,
) -> Result<(&'a str, bool), AmendError> {
    match (before, after) {
        (Some(b), None) => Ok((b, true)),
        (None, Some(a)) => Ok((a, false)),
        _ => Err(AmendError::Malformed {
            op: n,
            why: "insert_words takes exactly one of \"before\" and \"after\"".into(),
        }),
    }
}

/// Where to insert among siblings: after `after`, at the start for `^`, at the end for none.
fn position<'a>(mut keys: impl Iterator<Item = &'a str>, after: Option<&str>) -> Option<usize> {
    match after {
        None => Some(keys.count()),
        Some("^") => Some(0),
        Some(k) => keys.position(|x| x == k).map(|i| i + 1),
    }
}

fn no_target(op: usize, path: &ClausePath) -> AmendError {
    let what = if path.clauses.is_empty() { "section" } else { "clause" };
    AmendError::NoTarget { op, what, path: path.to_string() }
}

fn split(path: &ClausePath) -> Option<(ClausePath, String)> {
    let mut parent = path.clone();
    let key = parent.clauses.pop()?;
    Some((parent, key))
}

/// The clause list under a section or a clause.
fn children_mut<'a>(t: &'a mut Text, path: &ClausePath) -> Option<&'a mut Vec<Clause>> {
    let mut list = &mut t.sections.iter_mut().find(|s| s.key == path.section)?.clauses;
    for k in &path.clauses {
        list = &mut list.iter_mut().find(|c| &c.key == k)?.clauses;
    }
    Some(list)
}

fn clause_mut<'a>(t: &'a mut Text, path: &ClausePath) -> Option<&'a mut Clause> {
    let (parent, key) = split(path)?;
    children_mut(t, &parent)?.iter_mut().find(|c| c.key == key)
}

fn edit_words(
    t: &mut Text,
    path: &ClausePath,
    anchor: &str,
    occurrence: Option<usize>,
    n: usize,
    edit: impl FnOnce(&mut String, usize),
) -> Result<(), AmendError> {
    let at = find_words(t, path, anchor, occurrence, n)?;
    let words = clause_mut(t, path).and_then(|c| c.words.as_mut()).ok_or_else(|| no_target(n, path))?;
    edit(words, at);
    Ok(())
}

/// Where the anchor words stand in the clause's words (the `occurrence`-th, or the only one).
fn find_words(
    t: &Text,
    path: &ClausePath,
    anchor: &str,
    occurrence: Option<usize>,
    n: usize,
) -> Result<usize, AmendError> {
    if anchor.is_empty() {
        return Err(AmendError::Malformed { op: n, why: "the anchor words are empty".into() });
    }
    let c = t.clause(path).ok_or_else(|| no_target(n, path))?;
    let words =
        c.words.as_ref().ok_or_else(|| AmendError::UnknownWording { op: n, path: path.to_string() })?;
    let hits: Vec<usize> = words.match_indices(anchor).map(|(i, _)| i).collect();
    let at = match (hits.len(), occurrence) {
        (0, _) => None,
        (1, None) => Some(hits[0]),
        (count, None) => {
            return Err(AmendError::Ambiguous {
                op: n,
                path: path.to_string(),
                anchor: anchor.to_string(),
                count,
            })
        }
        (_, Some(k)) => k.checked_sub(1).and_then(|i| hits.get(i).copied()),
    };
    at.ok_or_else(|| AmendError::NoAnchor { op: n, path: path.to_string(), anchor: anchor.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::parse;

    #[test]
    fn amendments_conflict_where_they_touch_the_same_words_or_clause() {
        let t = parse("# T\nP\n== resolves\n1) to protect pedestrians and riders on the bridge\n2) to light the bridge\n").unwrap();
        let p = |s: &str| ClausePath::parse(s).unwrap();
        let replace = |path: &str, old: &str| {
            vec![Operation::ReplaceWords {
                path: p(path),
                old: old.into(),
                new: "x".into(),
                occurrence: None,
            }]
        };
        let insert_after = |path: &str, anchor: &str| {
            vec![Operation::InsertWords {
                path: p(path),
                before: None,
                after: Some(anchor.into()),
                words: " and cyclists".into(),
                occurrence: None,
            }]
        };
        // Overlapping runs of words in one clause.
        assert_eq!(
            conflict(
                &t,
                &replace("resolves/1", "pedestrians and riders"),
                &replace("resolves/1", "riders on")
            )
            .as_deref(),
            Some("'riders on' in resolves/1")
        );
        // An insertion at an anchor another amendment replaces.
        assert!(conflict(
            &t,
            &insert_after("resolves/1", "pedestrians"),
            &replace("resolves/1", "pedestrians")
        )
        .is_some());
        // Different words of one clause, or another clause: no conflict.
        assert_eq!(
            conflict(&t, &replace("resolves/1", "pedestrians"), &replace("resolves/1", "bridge")),
            None
        );
        assert_eq!(conflict(&t, &replace("resolves/1", "bridge"), &replace("resolves/2", "bridge")), None);
        // A whole clause deleted conflicts with any edit inside it.
        let delete = vec![Operation::DeleteClause { path: p("resolves/2") }];
        assert_eq!(conflict(&t, &delete, &replace("resolves/2", "light")).as_deref(), Some("resolves/2"));
        let section = vec![Operation::DeleteSection { key: "resolves".into() }];
        assert!(conflict(&t, &replace("resolves/1", "riders"), &section).is_some());
    }

    fn text() -> Text {
        parse(
            "# T\nP\n== invite\n| Member States to:\n{bullet-2} · enable exchange points;\n\
             {bullet-3} · promote public policies aimed at permitting operators to interconnect.\n\
             == recalling\na) [wording not recorded in the sources]\n",
        )
        .unwrap()
    }

    fn path(s: &str) -> ClausePath {
        ClausePath::parse(s).unwrap()
    }

    fn check(ops: &[Operation], at: &str, expect: &str) {
        let t = apply(&text(), ops).unwrap();
        assert_eq!(t.clause(&path(at)).map(|c| c.render()).as_deref(), Some(expect));
    }

    #[test]
    fn words_are_replaced_inserted_and_deleted_at_their_anchor() {
        check(
            &[Operation::ReplaceWords {
                path: path("invite/bullet-3"),
                old: "permitting".into(),
                new: "encouraging".into(),
                occurrence: None,
            }],
            "invite/bullet-3",
            "· promote public policies aimed at encouraging operators to interconnect.",
        );
        check(
            &[Operation::InsertWords {
                path: path("invite/bullet-2"),
                before: None,
                after: Some("exchange points".into()),
                words: ", especially in developing countries".into(),
                occurrence: None,
            }],
            "invite/bullet-2",
            "· enable exchange points, especially in developing countries;",
        );
        check(
            &[Operation::DeleteWords {
                path: path("invite/bullet-2"),
                old: "exchange ".into(),
                occurrence: None,
            }],
            "invite/bullet-2",
            "· enable points;",
        );
    }

    #[test]
    fn a_missing_target_or_anchor_is_named() {
        let e = apply(&text(), &[Operation::DeleteClause { path: path("invite/bullet-9") }]).unwrap_err();
        assert_eq!(e.to_string(), "operation 1: there is no clause invite/bullet-9 in the text");
        let op = Operation::ReplaceWords {
            path: path("invite/bullet-2"),
            old: "nowhere".into(),
            new: "x".into(),
            occurrence: None,
        };
        let e = apply(&text(), &[op]).unwrap_err();
        assert_eq!(e.to_string(), "operation 1: the words 'nowhere' are not in invite/bullet-2");
        let op = Operation::DeleteWords { path: path("recalling/a"), old: "x".into(), occurrence: None };
        assert!(matches!(apply(&text(), &[op]), Err(AmendError::UnknownWording { .. })));
    }

    #[test]
    fn an_unrecorded_wording_is_replaced_by_a_whole_clause() {
        let clause = Clause {
            key: "a".into(),
            label: Some("a)".into()),
            words: Some("Relevant Paragraphs".into()),
            clauses: vec![],
        };
        check(
            &[Operation::ReplaceClause { path: path("recalling/a"), clause }],
            "recalling/a",
            "a) Relevant Paragraphs",
        );
    }

    #[test]
    fn sections_and_clauses_are_inserted_in_place() {
        let section =
            Section { key: "requests".into(), heading: "Requests Secretary-General".into(), clauses: vec![] };
        let t =
            apply(&text(), &[Operation::InsertSection { after: Some("invite".into()), section }]).unwrap();
        let keys: Vec<_> = t.sections.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["invite", "requests", "recalling"]);
        let clause = Clause {
            key: "bullet-1".into(),
            label: Some("·".into()),
            words: Some("first".into()),
            clauses: vec![],
        };
        let t = apply(
            &t,
            &[Operation::InsertClause { parent: path("invite"), after: Some("p1".into()), clause }],
        )
        .unwrap();
        let keys: Vec<_> = t.section("invite").unwrap().clauses.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["p1", "bullet-1", "bullet-2", "bullet-3"]);
    }
}
