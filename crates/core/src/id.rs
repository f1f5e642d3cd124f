//! Validated names: meetings, documents, actors, bodies, amendments and events.
//!
//! Every id a user types or a file holds passes through one of these constructors, so the rest of
//! the code never sees a malformed name.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;
use uuid::Uuid;

/// A name that is not of the form its kind requires.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind} '{value}' is not valid: {why}")]
pub struct IdError {
    /// What kind of name it was meant to be (`meeting id`, `document name`...).
    pub kind: &'static str,
    /// The rejected text.
    pub value: String,
    /// Why it was rejected.
    pub why: &'static str,
}

const SLUG_RULE: &str = "use 1 to 64 lowercase letters, digits, '-' or '.', starting with a letter or digit";

fn check_slug(kind: &'static str, s: &str) -> Result<(), IdError> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(IdError { kind, value: s.to_string(), why: SLUG_RULE })
    }
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Checks `s` and wraps it.
            pub fn new(s: &str) -> Result<Self, IdError> {
                check_slug($kind, s)?;
                Ok(Self(s.to_string()))
            }
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(CheckedStr(Self::new))
            }
        }
    };
}

slug_id!(
    /// A meeting's id, such as `wtpf-13`.
    MeetingId,
    "meeting id"
);
slug_id!(
    /// An actor's id within its meeting (`turkey`, `isoc`, `petko-kantchev`).
    ActorId,
    "actor id"
);
slug_id!(
    /// A body of a meeting (`plenary`, `wg-2`).
    BodyId,
    "body id"
);
slug_id!(
    /// An amendment's id within its document (`op3-turkey-requests-sg`).
    AmendmentId,
    "amendment id"
);
slug_id!(
    /// A procedural proposal's id within its meeting (`merge-op3-op4-turkey`).
    ProposalId,
    "proposal id"
);

/// A document's name: `MEETING/SLUG`, such as `wtpf-13/opinion-3`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocumentName {
    full: String,
    split: usize,
}

impl DocumentName {
    /// Checks `s` (`meeting/slug`, both parts slugs) and wraps it.
    pub fn new(s: &str) -> Result<Self, IdError> {
        let err = |why| IdError { kind: "document name", value: s.to_string(), why };
        let (m, d) =
            s.split_once('/').ok_or_else(|| err("write it as MEETING/SLUG, e.g. wtpf-13/opinion-3"))?;
        check_slug("document name", m).map_err(|_| err(SLUG_RULE))?;
        check_slug("document name", d).map_err(|_| err(SLUG_RULE))?;
        Ok(Self { full: s.to_string(), split: m.len() })
    }
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.full
    }
    /// The meeting part of the name.
    pub fn meeting(&self) -> MeetingId {
        MeetingId(self.full[..self.split].to_string())
    }
    /// The slug after the meeting.
    pub fn slug(&self) -> &str {
        &self.full[self.split + 1..]
    }
}

impl fmt::Display for DocumentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

impl std::str::FromStr for DocumentName {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::new(s)
    }
}

impl Serialize for DocumentName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.full)
    }
}

impl<'de> Deserialize<'de> for DocumentName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(CheckedStr(Self::new))
    }
}

/// Reads a string and checks it with the id's constructor, from the borrowed text where the
/// input allows (one copy, into the id, instead of two).
struct CheckedStr<F>(F);

impl<'de, T, F: FnOnce(&str) -> Result<T, IdError>> serde::de::Visitor<'de> for CheckedStr<F> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
        (self.0)(s).map_err(E::custom)
    }
}

/// An event's id: a UUID chosen by whoever created the event, never changed by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub Uuid);

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Who recorded an event: a clerk's name (`Ana Ruiz`, `secretariat-desk-2`), 1 to 64
/// characters, not blank, without control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Clerk(String);

/// The longest clerk's name, in characters.
pub const CLERK_MAX_CHARS: usize = 64;

impl Clerk {
    /// Checks `s` and wraps it.
    pub fn new(s: &str) -> Result<Self, IdError> {
        let err = |why| IdError { kind: "clerk", value: s.to_string(), why };
        if s.trim().is_empty() {
            return Err(err("give a name of 1 to 64 characters, not blank"));
        }
        if s.chars().count() > CLERK_MAX_CHARS {
            return Err(err("a clerk's name has at most 64 characters"));
        }
        if s.chars().any(char::is_control) {
            return Err(err("a clerk's name holds no control characters (tabs, newlines...)"));
        }
        Ok(Self(s.to_string()))
    }
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Clerk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Clerk {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::new(s)
    }
}

impl Serialize for Clerk {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Clerk {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(CheckedStr(Self::new))
    }
}

/// A document symbol reduced to what matters for matching: case, spaces, dashes and hyphens dropped.
///
/// `WTPF-13/5 rev. 1`, `wtpf 13/5 Rev.1` and `WTPF‑13/5 rev.1` (non-breaking hyphen) all reduce to
/// `wtpf13/5rev.1`.
pub fn symbol_key(symbol: &str) -> String {
    symbol
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}'
                )
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_split_into_meeting_and_slug() {
        let d = DocumentName::new("wtpf-13/opinion-3").unwrap();
        assert_eq!(d.meeting().as_str(), "wtpf-13");
        assert_eq!(d.slug(), "opinion-3");
        assert!(DocumentName::new("wtpf-13").is_err());
        assert!(DocumentName::new("WTPF-13/opinion-3").is_err());
        assert!(DocumentName::new("wtpf-13/").is_err());
    }

    #[test]
    fn clerks_are_short_non_blank_names_without_control_characters() {
        assert_eq!(Clerk::new("Ana Ruiz").unwrap().as_str(), "Ana Ruiz");
        assert!(Clerk::new("Zoë Ødegård").is_ok());
        assert!(Clerk::new(&"x".repeat(64)).is_ok());
        for bad in ["", "   ", "ana\nruiz", "ana\truiz", "\u{7f}"] {
            assert!(Clerk::new(bad).is_err(), "{bad:?}");
        }
        assert!(Clerk::new(&"x".repeat(65)).unwrap_err().to_string().contains("at most 64"));
    }

    #[test]
    fn symbols_match_whatever_their_dashes_spaces_and_case() {
        assert_eq!(symbol_key("WTPF-13/5 rev. 1"), symbol_key("wtpf 13/5 Rev.1"));
        assert_eq!(symbol_key("WTPF\u{2011}13/6"), symbol_key("WTPF-13/6"));
        assert_eq!(symbol_key("WTPF–13/4"), "wtpf13/4");
        assert_ne!(symbol_key("WTPF-13/5"), symbol_key("WTPF-13/5 rev. 1"));
    }
}
