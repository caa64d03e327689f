//! The supervisor dashboard, in sections a console asks for one at a time and draws as each
//! arrives: none waits for another, and none reads a case row per case.

use super::super::Store;
use super::super::error::{Result, SqlContext};
use super::super::visibility::{Hidden, VISIBLE_CASES};
use super::{Bucket, EmployerCount, OPEN_CONFLICT_CASES, TREND_DAYS, Trend, Where, WorkloadRow};
use crate::domain::{Filter, Queue};
use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

/// The supervisor dashboard's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub today: NaiveDate,
    /// The Overdue queue's count (every governing timer).
    pub overdue: i64,
    pub overdue_verifications: i64,
    /// Overdue verification windows by days overdue, the four bands in order.
    pub verification_buckets: Vec<(Bucket, i64)>,
    /// Overdue verification windows by employer, most first.
    pub verifications_by_employer: Vec<EmployerCount>,
    pub decisions_to_sign: i64,
    /// Running deadlines due soon (the `due-soon` filter over all cases).
    pub due_soon: i64,
    pub unclaimed_stale: i64,
    /// Cases with an upstream conflict nobody has resolved yet.
    pub open_conflict_cases: i64,
    pub workload: Vec<WorkloadRow>,
    /// The overdue count at the end of each of the last 30 days.
    pub trend: Trend,
}

/// One section of the dashboard, each one store job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DashboardSection {
    /// The headline counts.
    Headline,
    /// Overdue verification windows by days overdue and by employer.
    Verifications,
    Workload,
    Trend,
}

impl DashboardSection {
    /// In the order a console asks for them: the cheapest first.
    pub const ALL: [DashboardSection; 4] = [
        DashboardSection::Headline,
        DashboardSection::Trend,
        DashboardSection::Verifications,
        DashboardSection::Workload,
    ];
}

/// The figures of one section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DashboardPart {
    Headline {
        overdue: i64,
        overdue_verifications: i64,
        decisions_to_sign: i64,
        due_soon: i64,
        unclaimed_stale: i64,
        open_conflict_cases: i64,
    },
    Verifications {
        buckets: Vec<(Bucket, i64)>,
        by_employer: Vec<EmployerCount>,
    },
    Workload(Vec<WorkloadRow>),
    Trend(Trend),
}

impl DashboardPart {
    pub fn section(&self) -> DashboardSection {
        match self {
            DashboardPart::Headline { .. } => DashboardSection::Headline,
            DashboardPart::Verifications { .. } => DashboardSection::Verifications,
            DashboardPart::Workload(_) => DashboardSection::Workload,
            DashboardPart::Trend(_) => DashboardSection::Trend,
        }
    }
}

impl Dashboard {
    /// A dashboard of `today` with no figures yet.
    pub fn empty(today: NaiveDate) -> Dashboard {
        Dashboard {
            today,
            ..Dashboard::default()
        }
    }

    /// Takes in the figures of one section.
    pub fn apply(&mut self, part: DashboardPart) {
        match part {
            DashboardPart::Headline {
                overdue,
                overdue_verifications,
                decisions_to_sign,
                due_soon,
                unclaimed_stale,
                open_conflict_cases,
            } => {
                self.overdue = overdue;
                self.overdue_verifications = overdue_verifications;
                self.decisions_to_sign = decisions_to_sign;
                self.due_soon = due_soon;
                self.unclaimed_stale = unclaimed_stale;
                self.open_conflict_cases = open_conflict_cases;
            }
            DashboardPart::Verifications {
                buckets,
                by_employer,
            } => {
                self.verification_buckets = buckets;
                self.verifications_by_employer = by_employer;
            }
            DashboardPart::Workload(rows) => self.workload = rows,
            DashboardPart::Trend(trend) => self.trend = trend,
        }
    }
}

impl Store {
    /// The whole dashboard, its sections read in one snapshot.
    pub fn dashboard(&self, today: NaiveDate) -> Result<Dashboard> {
        let _snapshot = self.snapshot()?;
        let mut dashboard = Dashboard::empty(today);
        for section in DashboardSection::ALL {
            dashboard.apply(self.dashboard_part(section, today)?);
        }
        Ok(dashboard)
    }

    /// The figures of one section of the dashboard.
    pub fn dashboard_part(
        &self,
        section: DashboardSection,
        today: NaiveDate,
    ) -> Result<DashboardPart> {
        Ok(match section {
            DashboardSection::Headline => self.headline(today)?,
            DashboardSection::Verifications => {
                let overdue = self.overdue_report(today)?;
                let mut by_employer: Vec<EmployerCount> = overdue
                    .by_employer
                    .iter()
                    .filter(|e| e.counts.verification > 0)
                    .map(|e| EmployerCount {
                        employer_name: e.employer_name.clone(),
                        employer_uscc: e.employer_uscc.clone(),
                        count: e.counts.verification,
                    })
                    .collect();
                by_employer
                    .sort_by(|a, b| (b.count, &a.employer_uscc).cmp(&(a.count, &b.employer_uscc)));
                DashboardPart::Verifications {
                    buckets: overdue
                        .by_bucket
                        .iter()
                        .map(|b| (b.bucket, b.counts.verification))
                        .collect(),
                    by_employer,
                }
            }
            DashboardSection::Workload => DashboardPart::Workload(self.workload(today)?.rows),
            DashboardSection::Trend => DashboardPart::Trend(self.overdue_trend(today, TREND_DAYS)?),
        })
    }

    fn headline(&self, today: NaiveDate) -> Result<DashboardPart> {
        let _snapshot = self.snapshot()?;
        let ctx = "counting overdue cases";
        // As `overdue_report` counts them (its totals equal the Overdue queue).
        let by_timer: Vec<(String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT coalesce(timer, ''), count(*) FROM cases INDEXED BY cases_open_due
                 WHERE open = 1 AND due_key < ?1 GROUP BY 1",
            )
            .ctx(ctx)?
            .query_map([today.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx(ctx)?
            .collect::<rusqlite::Result<_>>()
            .ctx(ctx)?;
        // The `due-soon` filter over all cases, counted on the open cases' index: only open
        // cases have a running deadline.
        // Without the cases of an unfinished import (src/store/visibility.rs).
        let (due_soon_condition, params) = self.due_soon(today);
        let hidden = Hidden::read(&self.conn)?.bounds().map(Value::Integer);
        let due_soon: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM cases INDEXED BY cases_open_due
                 WHERE open = 1 AND {due_soon_condition} AND {VISIBLE_CASES}"
            ))
            .ctx("counting deadlines due soon")?
            .query_row(
                rusqlite::params_from_iter(params.iter().chain(hidden.iter())),
                |r| r.get(0),
            )
            .ctx("counting deadlines due soon")?;
        let count = |queue, filter| self.count(&self.queue(queue, filter, "", today));
        Ok(DashboardPart::Headline {
            overdue: by_timer.iter().map(|(_, n)| n).sum(),
            overdue_verifications: by_timer
                .iter()
                .filter(|(t, _)| t == "verification")
                .map(|(_, n)| n)
                .sum(),
            decisions_to_sign: count(Queue::Decision, Filter::All)?,
            due_soon,
            unclaimed_stale: self.count_where(&self.unclaimed_stale_where(today))?,
            open_conflict_cases: self
                .count_where(Where::default().push(OPEN_CONFLICT_CASES, []))?,
        })
    }
}
