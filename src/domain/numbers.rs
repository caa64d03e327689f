//! Permit numbers and decision-document numbers. Both come from per-year sequences kept in the
//! store and handed to the domain through [`super::Directory::issue_number`]; the number is
//! written into the event that issues it, so replay rebuilds it without the store.
//!
//! Histories written before the sequences existed carry no number in their events: replay gives
//! them the number the old rule derived from the case number's digits, which is what their cases
//! hold (and what `check` warns about, since such numbers collide).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A yearly sequence of numbers the office issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Series {
    /// The work permit number on the Notification, which the applicant registers the e-card
    /// with (FAQ Q5).
    Permit,
    /// The Decision on Permitting Administrative License (准予行政许可决定书), issued at
    /// verification.
    DecisionDocument,
}

impl Series {
    pub const ALL: [Series; 2] = [Series::Permit, Series::DecisionDocument];

    pub fn as_str(self) -> &'static str {
        match self {
            Series::Permit => "permit",
            Series::DecisionDocument => "decision_document",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Series::Permit => "440100",
            Series::DecisionDocument => "WPD",
        }
    }

    /// The number with serial `serial` (from 1) of `year`.
    pub fn format(self, year: i32, serial: u64) -> String {
        format!("{}{year:04}{serial:08}", self.prefix())
    }

    /// The year and serial of a number of this series, if it is one.
    pub fn parse(self, number: &str) -> Option<(i32, u64)> {
        let rest = number.strip_prefix(self.prefix())?;
        if rest.len() < 12 || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((rest[..4].parse().ok()?, rest[4..].parse().ok()?))
    }
}

/// The number the rule before issue 15 derived from the case number's digits: only for replaying
/// histories written before numbers came from the store's sequences.
pub(crate) fn derived_from_case_no(series: Series, case_no: &str, on: NaiveDate) -> String {
    let digits: String = case_no.chars().filter(char::is_ascii_digit).collect();
    let start = digits.len().saturating_sub(8);
    format!("{}{}{:0>8}", series.prefix(), on.year(), &digits[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for series in Series::ALL {
            let n = series.format(2026, 42);
            assert_eq!(series.parse(&n), Some((2026, 42)));
        }
        assert_eq!(Series::Permit.format(2026, 7), "440100202600000007");
        assert_eq!(Series::Permit.parse("WPD202600000007"), None);
    }
}
