//! The days-overdue bands of the dashboard and `report overdue`.

use chrono::{Days, NaiveDate};
use serde::Serialize;

/// Days-overdue bands of the dashboard and `report overdue` (calendar days past the due day).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
pub enum Bucket {
    #[serde(rename = "1-7")]
    Days1To7,
    #[serde(rename = "8-14")]
    Days8To14,
    #[serde(rename = "15-30")]
    Days15To30,
    #[serde(rename = "over 30")]
    Over30,
}

impl Bucket {
    pub const ALL: [Bucket; 4] = [
        Bucket::Days1To7,
        Bucket::Days8To14,
        Bucket::Days15To30,
        Bucket::Over30,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Bucket::Days1To7 => "1-7",
            Bucket::Days8To14 => "8-14",
            Bucket::Days15To30 => "15-30",
            Bucket::Over30 => "over 30",
        }
    }

    /// Days overdue, inclusive; `None` for no upper bound.
    pub fn days(self) -> (i64, Option<i64>) {
        match self {
            Bucket::Days1To7 => (1, Some(7)),
            Bucket::Days8To14 => (8, Some(14)),
            Bucket::Days15To30 => (15, Some(30)),
            Bucket::Over30 => (31, None),
        }
    }

    /// The band of a timer `days` past its due day; `None` when it is not overdue.
    pub fn of(days: i64) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| {
            let (lo, hi) = b.days();
            days >= lo && hi.is_none_or(|hi| days <= hi)
        })
    }

    /// The due days that fall in this band today: `(earliest, latest)`, `None` for no bound.
    pub(super) fn due_range(self, today: NaiveDate) -> (Option<NaiveDate>, NaiveDate) {
        let (lo, hi) = self.days();
        (hi.map(|hi| days_before(today, hi)), days_before(today, lo))
    }
}

/// `day - n` calendar days, saturating at the earliest date.
pub(crate) fn days_before(day: NaiveDate, n: i64) -> NaiveDate {
    u64::try_from(n)
        .ok()
        .and_then(|n| day.checked_sub_days(Days::new(n)))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_partition_every_overdue_day() {
        assert_eq!(Bucket::of(0), None);
        assert_eq!(Bucket::of(1), Some(Bucket::Days1To7));
        assert_eq!(Bucket::of(7), Some(Bucket::Days1To7));
        assert_eq!(Bucket::of(8), Some(Bucket::Days8To14));
        assert_eq!(Bucket::of(30), Some(Bucket::Days15To30));
        assert_eq!(Bucket::of(31), Some(Bucket::Over30));
        let today: NaiveDate = "2026-03-01".parse().expect("date");
        let (earliest, latest) = Bucket::Days8To14.due_range(today);
        assert_eq!(
            earliest.map(|d| d.to_string()).as_deref(),
            Some("2026-02-15")
        );
        assert_eq!(latest.to_string(), "2026-02-21");
    }
}
