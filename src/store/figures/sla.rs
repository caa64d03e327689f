//! The overdue trend and the SLA as supervisors read them: from the kept figures (`kept.rs`),
//! a few indexed sums whatever the size of the store. What counts is documented in
//! `history.rs`, whose replay of the audit history gives the same figures and is what they are
//! tested against.

use super::super::Store;
use super::super::error::{Result, SqlContext, StoreError};
use super::days_before;
use crate::domain::{Category, TimerKind};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TrendPoint {
    pub day: NaiveDate,
    pub overdue: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Trend {
    /// Oldest day first; the last point is today.
    pub points: Vec<TrendPoint>,
}

/// Met and missed runs of one stage timer, for one category or (`category: None`) all of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaRow {
    pub timer: TimerKind,
    pub category: Option<Category>,
    pub met: i64,
    pub ended_late: i64,
    pub running_overdue: i64,
    /// `ended_late + running_overdue`.
    pub missed: i64,
    /// `met + missed`.
    pub counted: i64,
    /// `met / counted`, `None` when nothing counted.
    pub share_met: Option<f64>,
    /// Withdrawn by the employer on or before the due day: not counted.
    pub withdrawn: i64,
    /// Verifications after the window ended that a supervisor allowed (`allow_late`); counted in
    /// `ended_late`.
    pub allowed_late: i64,
    /// Runs that started in the period (the case entered the stage; a resubmission into
    /// pre-audit starts a new run, a reopened verification window does not).
    pub started: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `min(to, today)`: runs still going are judged as of this day.
    pub as_of: NaiveDate,
    /// Per timer (pre-audit, decision, verification): one row per category the timer applies to,
    /// then the timer's row over all categories.
    pub rows: Vec<SlaRow>,
}

/// The longest trend computed, in days.
pub const MAX_TREND_DAYS: u32 = 366;

pub const SLA_TIMERS: [TimerKind; 3] = [
    TimerKind::PreAudit,
    TimerKind::Decision,
    TimerKind::Verification,
];

/// How the runs of one timer and category counted in a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Counts {
    pub started: i64,
    pub met: i64,
    /// Ended late, not counting `allowed_late`.
    pub late: i64,
    pub allowed_late: i64,
    pub running_overdue: i64,
    pub withdrawn: i64,
}

impl Counts {
    fn plus(self, o: Counts) -> Counts {
        Counts {
            started: self.started + o.started,
            met: self.met + o.met,
            late: self.late + o.late,
            allowed_late: self.allowed_late + o.allowed_late,
            running_overdue: self.running_overdue + o.running_overdue,
            withdrawn: self.withdrawn + o.withdrawn,
        }
    }
}

/// Counts by timer and category (`as_str` of each).
pub(super) type Tallied = BTreeMap<(&'static str, &'static str), Counts>;

/// The days of a trend of `days` days ending with `today` (1 to 366), oldest first.
pub(super) fn trend_days(today: NaiveDate, days: u32) -> Vec<NaiveDate> {
    (0..i64::from(days.clamp(1, MAX_TREND_DAYS)))
        .rev()
        .map(|n| days_before(today, n))
        .collect()
}

/// The SLA's rows from the counts of the period.
pub(super) fn report(
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    tally: &Tallied,
) -> SlaReport {
    let mut rows = Vec::new();
    for timer in SLA_TIMERS {
        let mut all = Counts::default();
        for category in Category::ALL {
            if timer == TimerKind::Verification && !category.needs_verification() {
                continue;
            }
            let counts = tally
                .get(&(timer.as_str(), category.as_str()))
                .copied()
                .unwrap_or_default();
            all = all.plus(counts);
            rows.push(sla_row(timer, Some(*category), counts));
        }
        rows.push(sla_row(timer, None, all));
    }
    SlaReport {
        from,
        to,
        as_of,
        rows,
    }
}

fn sla_row(timer: TimerKind, category: Option<Category>, c: Counts) -> SlaRow {
    let ended_late = c.late + c.allowed_late;
    let missed = ended_late + c.running_overdue;
    let counted = c.met + missed;
    SlaRow {
        timer,
        category,
        met: c.met,
        ended_late,
        running_overdue: c.running_overdue,
        missed,
        counted,
        share_met: (counted > 0).then(|| c.met as f64 / counted as f64),
        withdrawn: c.withdrawn,
        allowed_late: c.allowed_late,
        started: c.started,
    }
}

fn timer_of(name: &str) -> Option<TimerKind> {
    SLA_TIMERS.into_iter().find(|t| t.as_str() == name)
}

pub(super) fn check_period(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if from > to {
        return Err(StoreError::Invalid {
            field: "--from".into(),
            message: format!("{from} is after --to {to}"),
        });
    }
    Ok(())
}

impl Store {
    /// The overdue count at the end of each of the `days` days ending with `today` (1 to 366),
    /// from the kept figures.
    pub fn overdue_trend(&self, today: NaiveDate, days: u32) -> Result<Trend> {
        let days = trend_days(today, days);
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return Ok(Trend { points: Vec::new() });
        };
        let _snapshot = self.snapshot()?;
        let ctx = "reading the overdue trend";
        let mut overdue: i64 = self
            .conn
            .prepare_cached("SELECT coalesce(sum(n), 0) FROM figure_overdue WHERE day <= ?1")
            .ctx(ctx)?
            .query_row([first.to_string()], |r| r.get(0))
            .ctx(ctx)?;
        let changes: BTreeMap<NaiveDate, i64> = self
            .conn
            .prepare_cached("SELECT day, n FROM figure_overdue WHERE day > ?1 AND day <= ?2")
            .ctx(ctx)?
            .query_map([first.to_string(), last.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .ctx(ctx)?
            .collect::<rusqlite::Result<_>>()
            .ctx(ctx)?;
        let points = days
            .iter()
            .map(|day| {
                if day > first {
                    overdue += changes.get(day).copied().unwrap_or(0);
                }
                TrendPoint { day: *day, overdue }
            })
            .collect();
        Ok(Trend { points })
    }

    /// The share of deadlines met per stage timer and category over `[from, to]`, from the kept
    /// figures; see `history.rs` for what counts.
    pub fn sla(&self, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<SlaReport> {
        check_period(from, to)?;
        let end = to.min(today);
        let mut tally = Tallied::new();
        if from <= end {
            let _snapshot = self.snapshot()?;
            let ctx = "reading the SLA figures";
            let (from_s, end_s) = (from.to_string(), end.to_string());
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT timer, category, sum(started), sum(met), sum(late), sum(allowed_late),
                         sum(withdrawn)
                     FROM figure_days WHERE day >= ?1 AND day <= ?2 AND until > ?2
                     GROUP BY timer, category",
                )
                .ctx(ctx)?;
            let mut rows = stmt.query([&from_s, &end_s]).ctx(ctx)?;
            while let Some(r) = rows.next().ctx(ctx)? {
                let key = (
                    r.get::<_, String>(0).ctx(ctx)?,
                    r.get::<_, String>(1).ctx(ctx)?,
                );
                let Some(key) = figure_key(&key.0, &key.1) else {
                    continue;
                };
                let c = tally.entry(key).or_default();
                c.started += r.get::<_, i64>(2).ctx(ctx)?;
                c.met += r.get::<_, i64>(3).ctx(ctx)?;
                c.late += r.get::<_, i64>(4).ctx(ctx)?;
                c.allowed_late += r.get::<_, i64>(5).ctx(ctx)?;
                c.withdrawn += r.get::<_, i64>(6).ctx(ctx)?;
            }
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT timer, category, sum(n) FROM figure_running
                     WHERE due >= ?1 AND day <= ?2 GROUP BY timer, category",
                )
                .ctx(ctx)?;
            let mut rows = stmt.query([&from_s, &end_s]).ctx(ctx)?;
            while let Some(r) = rows.next().ctx(ctx)? {
                let key = (
                    r.get::<_, String>(0).ctx(ctx)?,
                    r.get::<_, String>(1).ctx(ctx)?,
                );
                let Some(key) = figure_key(&key.0, &key.1) else {
                    continue;
                };
                tally.entry(key).or_default().running_overdue += r.get::<_, i64>(2).ctx(ctx)?;
            }
        }
        Ok(report(from, to, end, &tally))
    }
}

/// A timer and category as the tables name them; anything else is not a figure (`check` reports
/// such rows).
fn figure_key(timer: &str, category: &str) -> Option<(&'static str, &'static str)> {
    let category: Category = category.parse().ok()?;
    Some((timer_of(timer)?.as_str(), category.as_str()))
}
