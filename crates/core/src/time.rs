//! Times: the window in which an event occurred, and the time forms users type.
//!
//! The sources rarely give an exact minute, so an event's time is a window `[from, to]` with
//! either bound open when the sources give none. Users ask with RFC 3339 (with an offset) or with
//! `YYYY-MM-DD HH:MM` read in the meeting's own time zone.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An instant with the offset it was written with.
pub type Timestamp = DateTime<FixedOffset>;

/// The accepted time forms, shown in every error about a time.
pub const TIME_FORMS: &str =
    "RFC 3339 with an offset (2013-05-15T12:00:00+02:00 or 2013-05-15T10:00:00Z) or YYYY-MM-DD HH:MM in the meeting's time zone (2013-05-15 12:00)";

/// A time that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimeError {
    /// The text is in none of the accepted forms.
    #[error("'{0}' is not a time; use {TIME_FORMS}")]
    Form(String),
    /// A local time that the clocks skipped (the spring change).
    #[error("'{0}' does not exist in {1} (the clocks skipped it)")]
    Skipped(String, String),
    /// A time outside the years RFC 3339 can write (0000 to 9999, four digits, no sign), as
    /// written or in UTC, the form the store keeps and compares as text.
    #[error(
        "'{0}' is outside the years 0000 to 9999 (in UTC too) that RFC 3339 can write; use {TIME_FORMS}"
    )]
    Range(String),
    /// A time zone name that is not in the IANA database.
    #[error("'{0}' is not an IANA time zone name (such as Europe/Zurich)")]
    Zone(String),
}

/// The window in which an event certainly happened. At most one bound is open (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// The earliest moment it can have happened, if the sources give one.
    #[serde(default, deserialize_with = "opt_timestamp")]
    pub from: Option<Timestamp>,
    /// The moment by which it had certainly happened, if the sources give one.
    #[serde(default, deserialize_with = "opt_timestamp")]
    pub to: Option<Timestamp>,
}

/// Reads an optional timestamp as chrono's serde support does (its lenient `FromStr`), trying
/// the strict RFC 3339 parser first: the form every stored event uses, read several times
/// faster, and from the borrowed text without a copy.
pub fn opt_timestamp<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<Timestamp>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an RFC 3339 timestamp or null")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(self)
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
            let t = match DateTime::parse_from_rfc3339(s) {
                Ok(t) => t,
                // The lenient form still starts with a year of four digits: no sign, no more.
                Err(_) if !four_digit_year(s) => {
                    let form =
                        s.get(..1).is_some_and(|c| c == "+" || c == "-") || s.parse::<Timestamp>().is_ok();
                    return Err(E::custom(if form {
                        TimeError::Range(s.into())
                    } else {
                        TimeError::Form(s.into())
                    }));
                }
                Err(_) => s.parse::<Timestamp>().map_err(|_| E::custom(TimeError::Form(s.to_string())))?,
            };
            in_range(t).map(Some).map_err(|_| E::custom(TimeError::Range(s.to_string())))
        }
    }
    d.deserialize_option(V)
}

/// Whether `s` starts with a year of exactly four digits and its dash.
fn four_digit_year(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// `t`, if its year lies in 0000 to 9999 both as written and in UTC: the range of RFC 3339,
/// and the range in which the store's fixed-width UTC text sorts as time does.
pub fn in_range(t: Timestamp) -> Result<Timestamp, TimeError> {
    use chrono::Datelike;
    let ok = |y: i32| (0..=9999).contains(&y);
    if ok(t.year()) && ok(t.with_timezone(&Utc).year()) {
        Ok(t)
    } else {
        Err(TimeError::Range(rfc3339(&t)))
    }
}

/// Where an event stands at a moment T.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    /// T is at or after the window's end: it had happened.
    Certain,
    /// T lies inside the window: it may or may not have happened yet.
    Uncertain,
    /// T is before the window's start: it had not happened.
    NotYet,
}

impl Window {
    /// An exact moment.
    pub fn at(t: Timestamp) -> Self {
        Self { from: Some(t), to: Some(t) }
    }

    /// Where the event stands at `t`.
    pub fn certainty(&self, t: &Timestamp) -> Certainty {
        match (self.from, self.to) {
            (_, Some(to)) if *t >= to => Certainty::Certain,
            (Some(from), _) if *t < from => Certainty::NotYet,
            _ => Certainty::Uncertain,
        }
    }

    /// Whether the window overlaps the half-open range `[from, to)`; open ends are unbounded.
    pub fn overlaps(&self, from: Option<&Timestamp>, to: Option<&Timestamp>) -> bool {
        let starts_before_end = match (self.from, to) {
            (Some(a), Some(b)) => a < *b,
            _ => true,
        };
        let ends_after_start = match (self.to, from) {
            (Some(a), Some(b)) => a >= *b,
            _ => true,
        };
        starts_before_end && ends_after_start
    }

    /// The key replay orders by: the window's start (an open start sorts first).
    pub fn sort_key(&self) -> Option<DateTime<Utc>> {
        self.from.map(|t| t.with_timezone(&Utc))
    }
}

/// A time as the user typed it, before the meeting's time zone is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    /// RFC 3339 with an offset: an instant already.
    Instant(Timestamp),
    /// `YYYY-MM-DD HH:MM`, to be read in the meeting's time zone.
    Local(NaiveDateTime),
}

impl TimeArg {
    /// Reads one of the accepted forms; anything else is an error that shows them.
    pub fn parse(s: &str) -> Result<Self, TimeError> {
        let t = s.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return in_range(dt).map(Self::Instant).map_err(|_| TimeError::Range(s.to_string()));
        }
        if let Ok(n) = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M") {
            return Ok(Self::Local(n));
        }
        Err(TimeError::Form(s.to_string()))
    }

    /// The instant, reading a local form in `zone`.
    pub fn resolve(&self, zone: Tz) -> Result<Timestamp, TimeError> {
        match self {
            Self::Instant(t) => Ok(*t),
            Self::Local(n) => local(zone, *n),
        }
    }
}

/// Reads `n` as a wall-clock time in `zone`. An ambiguous time (the autumn change) takes the
/// earlier instant; a skipped one is an error.
pub fn local(zone: Tz, n: NaiveDateTime) -> Result<Timestamp, TimeError> {
    match zone.from_local_datetime(&n) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
            in_range(t.fixed_offset()).map_err(|_| TimeError::Range(n.format("%Y-%m-%d %H:%M").to_string()))
        }
        LocalResult::None => {
            Err(TimeError::Skipped(n.format("%Y-%m-%d %H:%M").to_string(), zone.to_string()))
        }
    }
}

/// The start of day `d` in `zone`.
pub fn start_of_day(zone: Tz, d: NaiveDate) -> Result<Timestamp, TimeError> {
    local(zone, d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Parses an IANA zone name.
pub fn zone(name: &str) -> Result<Tz, TimeError> {
    name.parse::<Tz>().map_err(|_| TimeError::Zone(name.to_string()))
}

/// Formats `t` as wall-clock time in `zone` (`2013-05-15 09:30`), for people to read.
pub fn show_local(t: &Timestamp, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// Formats a window for people: `2013-05-15 09:30`, `2013-05-15 09:30–10:10`,
/// `before 2013-05-17 00:00`, `after 2013-05-16 10:45`.
pub fn show_window(w: &Window, zone: Tz) -> String {
    match (w.from, w.to) {
        (Some(a), Some(b)) if a == b => show_local(&a, zone),
        (Some(a), Some(b)) => {
            let (sa, sb) = (show_local(&a, zone), show_local(&b, zone));
            if sa[..10] == sb[..10] {
                format!("{sa}–{}", &sb[11..])
            } else {
                format!("{sa} – {sb}")
            }
        }
        (Some(a), None) => format!("after {}", show_local(&a, zone)),
        (None, Some(b)) => format!("before {}", show_local(&b, zone)),
        (None, None) => "time unknown".to_string(),
    }
}

/// Formats `t` as RFC 3339 with its offset and seconds, as the JSON output prints times.
pub fn rfc3339(t: &Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geneva() -> Tz {
        zone("Europe/Zurich").unwrap()
    }

    #[test]
    fn local_form_is_read_in_the_meetings_zone() {
        let t = TimeArg::parse("2013-05-15 10:15").unwrap().resolve(geneva()).unwrap();
        assert_eq!(rfc3339(&t), "2013-05-15T10:15:00+02:00");
        let z = TimeArg::parse("2013-05-15T08:15:00Z").unwrap().resolve(geneva()).unwrap();
        assert_eq!(t, z);
    }

    #[test]
    fn other_forms_are_refused_with_the_accepted_ones_shown() {
        for bad in ["yesterday", "2013-05-15T10:15:00", "15/05/2013 10:15", ""] {
            let e = TimeArg::parse(bad).unwrap_err().to_string();
            assert!(e.contains("RFC 3339") && e.contains("YYYY-MM-DD HH:MM"), "{e}");
        }
    }

    #[test]
    fn times_outside_the_years_of_rfc_3339_are_refused() {
        let window =
            |from: &str| serde_json::from_str::<Window>(&format!(r#"{{"from": "{from}", "to": null}}"#));
        for bad in [
            "+12030-03-02T11:00:00Z",
            "+2030-03-02T11:00:00Z",
            "-0001-03-02T11:00:00Z",
            "9999-12-31T23:00:00-05:00",
            "0000-01-01T00:30:00+01:00",
        ] {
            let e = window(bad).unwrap_err().to_string();
            assert!(e.contains("0000 to 9999"), "{bad}: {e}");
            assert!(TimeArg::parse(bad).is_err(), "{bad}");
        }
        for good in ["9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2030-03-02T11:00:00+01:00"] {
            assert!(window(good).is_ok(), "{good}");
            assert!(TimeArg::parse(good).is_ok(), "{good}");
        }
        assert!(window("12030-03-02T11:00:00Z").is_err(), "a five-digit year is no time at all");
        let e = TimeArg::parse("9999-12-31T23:00:00-05:00").unwrap_err().to_string();
        assert!(e.contains("0000 to 9999"), "{e}");
        let late = NaiveDateTime::parse_from_str("0000-01-01 00:30", "%Y-%m-%d %H:%M").unwrap();
        assert!(matches!(local(geneva(), late), Err(TimeError::Range(_))));
    }

    #[test]
    fn certainty_follows_the_window() {
        let z = geneva();
        let t = |s: &str| TimeArg::parse(s).unwrap().resolve(z).unwrap();
        let w = Window { from: Some(t("2013-05-15 09:30")), to: Some(t("2013-05-15 10:10")) };
        assert_eq!(w.certainty(&t("2013-05-15 09:00")), Certainty::NotYet);
        assert_eq!(w.certainty(&t("2013-05-15 09:30")), Certainty::Uncertain);
        assert_eq!(w.certainty(&t("2013-05-15 10:10")), Certainty::Certain);
        let open = Window { from: Some(t("2013-05-16 10:45")), to: None };
        assert_eq!(open.certainty(&t("2020-01-01 00:00")), Certainty::Uncertain);
    }

    #[test]
    fn windows_overlap_half_open_ranges() {
        let z = geneva();
        let t = |s: &str| TimeArg::parse(s).unwrap().resolve(z).unwrap();
        let w = Window::at(t("2013-05-15 09:30"));
        assert!(w.overlaps(Some(&t("2013-05-15 09:30")), Some(&t("2013-05-15 10:10"))));
        assert!(!w.overlaps(Some(&t("2013-05-15 08:00")), Some(&t("2013-05-15 09:30"))));
        assert!(w.overlaps(None, None));
    }
}
