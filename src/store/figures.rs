//! The supervisors' figures (dashboard and reports), computed against a given `today`.
//!
//! "Overdue" is exactly the Overdue queue's definition: the stored governing timer's due day is
//! before today (`due_key < today`); the stored due day is derived from the case, the policy and
//! the calendar on every write and after every rules change, and `check` verifies it. Every figure
//! can be opened to the cases behind it with [`Store::figure_cases`], in queue order (most urgent
//! first). Figures that the queues already define (overdue, decision, due soon, my cases) are read
//! through the queue queries themselves, so they cannot drift apart. The 30-day trend and the SLA
//! are read from figures kept as cases change (`figures/kept.rs`), which equal what a replay of
//! the audit history gives (`figures/history.rs`, which says what counts).

mod bucket;
mod dashboard;
mod history;
pub(crate) mod kept;
pub(crate) mod ledger;
mod sla;

pub use bucket::Bucket;
pub(crate) use bucket::days_before;
pub use dashboard::{Dashboard, DashboardPart, DashboardSection};

pub use history::ReplayStats;
pub use sla::{SlaReport, SlaRow, Trend, TrendPoint};

use super::Store;
use super::cases::{CaseRow, ROW_COLUMNS, read_row};
use super::error::{Result, SqlContext};
use super::queues::QueueQuery;
use super::visibility::{Hidden, VISIBLE_CASES};
use crate::domain::{Filter, Queue, Role, Stage, TimerKind};
use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many days the dashboard's trend covers, today included.
pub const TREND_DAYS: u32 = 30;

/// Overdue counts by the governing timer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TimerCounts {
    pub pre_audit: i64,
    pub decision: i64,
    pub verification: i64,
    pub total: i64,
}

impl TimerCounts {
    fn add(&mut self, timer: &str, n: i64) {
        match timer {
            "pre_audit" => self.pre_audit += n,
            "decision" => self.decision += n,
            "verification" => self.verification += n,
            _ => {}
        }
        self.total += n;
    }

    pub fn get(&self, timer: TimerKind) -> i64 {
        match timer {
            TimerKind::PreAudit => self.pre_audit,
            TimerKind::Decision => self.decision,
            TimerKind::Verification => self.verification,
            TimerKind::ExamReport => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketRow {
    pub bucket: Bucket,
    pub counts: TimerCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmployerRow {
    pub employer_name: String,
    pub employer_uscc: String,
    pub counts: TimerCounts,
    /// Days past due of the employer's longest-overdue case.
    pub max_days_overdue: i64,
}

/// Every overdue case (the Overdue queue) by days overdue and by employer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueReport {
    pub today: NaiveDate,
    /// Equals the Overdue queue's count.
    pub total: TimerCounts,
    /// The four bands, in order, always all present.
    pub by_bucket: Vec<BucketRow>,
    /// Most overdue cases first, then the longest overdue, then the code.
    pub by_employer: Vec<EmployerRow>,
}

/// One person's open cases (their `my-cases` queue) and how many of them are overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct WorkloadRow {
    pub assignee: String,
    /// False for a disabled user (or one the store does not know) who still holds cases.
    pub active: bool,
    pub open: i64,
    pub overdue: i64,
    pub pre_audit: i64,
    pub review: i64,
    pub returned: i64,
}

impl WorkloadRow {
    /// The row of someone who holds no open case.
    pub fn idle(name: &str, active: bool) -> WorkloadRow {
        WorkloadRow {
            assignee: name.to_string(),
            active,
            open: 0,
            overdue: 0,
            pre_audit: 0,
            review: 0,
            returned: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workload {
    pub today: NaiveDate,
    /// Holders of open cases and every active approver, most open cases first.
    pub rows: Vec<WorkloadRow>,
    /// Cases in pre-audit or review that nobody holds.
    pub unclaimed: i64,
    /// Of those, the ones whose timer started more than one working day before today.
    pub unclaimed_stale: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EmployerCount {
    pub employer_name: String,
    pub employer_uscc: String,
    pub count: i64,
}

/// A figure whose cases can be listed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Figure {
    /// Overdue cases; `None` is the whole Overdue queue.
    Overdue { timer: Option<TimerKind> },
    OverdueBucket {
        timer: Option<TimerKind>,
        bucket: Bucket,
    },
    OverdueEmployer {
        uscc: String,
        timer: Option<TimerKind>,
    },
    /// The Decision queue: recommendations waiting for a signature.
    DecisionsToSign,
    /// Running deadlines due soon.
    DueSoon,
    /// A person's open cases (their `my-cases` queue), or only the overdue ones.
    Workload {
        assignee: String,
        overdue_only: bool,
    },
    /// Unclaimed pre-audit and review cases older than one working day.
    UnclaimedStale,
    /// The cases that were overdue at the end of that day (a trend point), rebuilt from history.
    OverdueOn(NaiveDate),
    /// Cases with an unresolved upstream conflict (`case resolve-conflict`).
    OpenConflicts,
}

/// The cases behind a figure: how many there are, and the first `limit` of them in queue order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FigureCases {
    pub total: i64,
    #[serde(with = "crate::store::cases::rows_with_keys")]
    pub rows: Vec<CaseRow>,
}

/// Conditions and parameters built from fixed SQL fragments only.
#[derive(Default, Clone)]
pub(super) struct Where {
    sql: Vec<&'static str>,
    params: Vec<Value>,
}

impl Where {
    pub(super) fn push(
        &mut self,
        sql: &'static str,
        params: impl IntoIterator<Item = Value>,
    ) -> &mut Self {
        self.sql.push(sql);
        self.params.extend(params);
        self
    }

    fn timer(&mut self, timer: Option<TimerKind>) -> &mut Self {
        if let Some(t) = timer {
            self.push("timer = ?", [text(t.as_str())]);
        }
        self
    }

    fn clause(&self) -> String {
        format!("WHERE {}", self.sql.join(" AND "))
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// Unclaimed pre-audit and review cases: exactly the terms of the `cases_unclaimed` index, so it
/// answers their counts alone.
const UNCLAIMED: &str = "stage IN ('pre_audit', 'review') AND assignee IS NULL";

pub(super) const OPEN_CONFLICT_CASES: &str =
    "case_no IN (SELECT case_no FROM conflicts WHERE resolved_at IS NULL)";

/// SQLite's LIMIT is signed; anything above this is "all".
const MAX_ROWS: usize = 10_000_000;

/// A read transaction: every query made while it is held sees the same committed state, so
/// figures gathered in several queries agree with each other. Dropping it ends it.
pub struct Snapshot<'a> {
    _tx: Option<rusqlite::Transaction<'a>>,
}

impl Store {
    /// Holds one consistent view of the store until dropped (nested calls are no-ops).
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        if !self.conn.is_autocommit() {
            return Ok(Snapshot { _tx: None });
        }
        let tx = self
            .conn
            .unchecked_transaction()
            .ctx("starting a read transaction")?;
        Ok(Snapshot { _tx: Some(tx) })
    }

    pub(super) fn queue(
        &self,
        queue: Queue,
        filter: Filter,
        user: &str,
        today: NaiveDate,
    ) -> QueueQuery {
        QueueQuery {
            queue,
            filter,
            search: None,
            user: user.to_string(),
            today,
            sort: Default::default(),
            after: None,
            limit: 1,
        }
    }

    /// Every overdue case by days overdue and by employer; totals equal the Overdue queue.
    pub fn overdue_report(&self, today: NaiveDate) -> Result<OverdueReport> {
        let today_s = today.to_string();
        let bounds: Vec<String> = [7, 14, 30]
            .iter()
            .map(|n| days_before(today, *n).to_string())
            .collect();
        let mut total = TimerCounts::default();
        let mut buckets: BTreeMap<Bucket, TimerCounts> = Bucket::ALL
            .iter()
            .map(|b| (*b, TimerCounts::default()))
            .collect();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT coalesce(timer, ''), CASE WHEN due_key >= ?2 THEN 0 WHEN due_key >= ?3 THEN 1
                     WHEN due_key >= ?4 THEN 2 ELSE 3 END, count(*)
                 FROM cases INDEXED BY cases_open_due WHERE open = 1 AND due_key < ?1
                 GROUP BY 1, 2",
            )
            .ctx("preparing the overdue figures")?;
        let rows = stmt
            .query_map(
                rusqlite::params![today_s, bounds[0], bounds[1], bounds[2]],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                },
            )
            .ctx("counting overdue cases")?;
        for row in rows {
            let (timer, band, n) = row.ctx("counting overdue cases")?;
            let bucket = Bucket::ALL[band.clamp(0, 3) as usize];
            buckets.entry(bucket).or_default().add(&timer, n);
            total.add(&timer, n);
        }
        let mut employers: BTreeMap<String, EmployerRow> = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT employer_uscc, max(employer_name), coalesce(timer, ''), count(*),
                     min(due_key)
                 FROM cases INDEXED BY cases_open_due WHERE open = 1 AND due_key < ?1
                 GROUP BY employer_uscc, timer",
            )
            .ctx("preparing the overdue figures")?;
        let rows = stmt
            .query_map([&today_s], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, NaiveDate>(4)?,
                ))
            })
            .ctx("counting overdue cases by employer")?;
        for row in rows {
            let (uscc, name, timer, n, oldest) = row.ctx("counting overdue cases by employer")?;
            let days = (today - oldest).num_days();
            let entry = employers
                .entry(uscc.clone())
                .or_insert_with(|| EmployerRow {
                    employer_name: name,
                    employer_uscc: uscc,
                    counts: TimerCounts::default(),
                    max_days_overdue: 0,
                });
            entry.counts.add(&timer, n);
            entry.max_days_overdue = entry.max_days_overdue.max(days);
        }
        let mut by_employer: Vec<EmployerRow> = employers.into_values().collect();
        by_employer.sort_by(|a, b| {
            (b.counts.total, b.max_days_overdue, &a.employer_uscc).cmp(&(
                a.counts.total,
                a.max_days_overdue,
                &b.employer_uscc,
            ))
        });
        Ok(OverdueReport {
            today,
            total,
            by_bucket: buckets
                .into_iter()
                .map(|(bucket, counts)| BucketRow { bucket, counts })
                .collect(),
            by_employer,
        })
    }

    /// Open cases per holder (their `my-cases` queue) and the overdue ones among them.
    pub fn workload(&self, today: NaiveDate) -> Result<Workload> {
        let mut rows: BTreeMap<String, WorkloadRow> = BTreeMap::new();
        for user in self.users()? {
            let approver = user.roles.contains(&Role::Approver);
            if user.active && approver {
                rows.insert(user.name.clone(), WorkloadRow::idle(&user.name, true));
            }
        }
        // Only claimable and returned cases have a holder: a few per person, read from the
        // holders' index alone.
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT assignee, stage, count(*), coalesce(sum(due_key < ?1), 0)
                 FROM cases INDEXED BY cases_held WHERE assignee IS NOT NULL
                 GROUP BY assignee, stage",
            )
            .ctx("preparing the workload")?;
        let held = stmt
            .query_map([today.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .ctx("reading the workload")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading the workload")?;
        let mut found: BTreeMap<String, WorkloadRow> = BTreeMap::new();
        for (assignee, stage, n, overdue) in held {
            let Ok(stage) = stage.parse::<Stage>() else {
                continue;
            };
            if !stage.is_open() {
                continue;
            }
            let row = found
                .entry(assignee.clone())
                .or_insert_with(|| WorkloadRow::idle(&assignee, false));
            row.open += n;
            row.overdue += overdue;
            match stage {
                Stage::PreAudit => row.pre_audit += n,
                Stage::Review => row.review += n,
                Stage::Returned => row.returned += n,
                _ => {}
            }
        }
        for (_, mut row) in found {
            row.active = self.find_actor(&row.assignee)?.is_some_and(|a| a.active);
            rows.insert(row.assignee.clone(), row);
        }
        let mut rows: Vec<WorkloadRow> = rows.into_values().collect();
        rows.sort_by(|a, b| (b.open, &a.assignee).cmp(&(a.open, &b.assignee)));
        let unclaimed = self.count_where(Where::default().push(UNCLAIMED, []))?;
        Ok(Workload {
            today,
            rows,
            unclaimed,
            unclaimed_stale: self.count_where(&self.unclaimed_stale_where(today))?,
        })
    }

    /// The last `timer_started` day that is more than one working day before `today`: the case
    /// has waited through at least two working days (day 0 not counted) without a holder.
    pub fn unclaimed_cutoff(&self, today: NaiveDate) -> NaiveDate {
        let mut day = today;
        for _ in 0..400 {
            day = days_before(day, 1);
            if self.calendar.working_days_between(day, today) >= 2 {
                return day;
            }
        }
        day
    }

    pub(super) fn unclaimed_stale_where(&self, today: NaiveDate) -> Where {
        let mut w = Where::default();
        w.push(UNCLAIMED, []).push(
            "timer_started <= ?",
            [text(self.unclaimed_cutoff(today).to_string())],
        );
        w
    }

    /// `w` without the cases of an unfinished import (src/store/visibility.rs).
    fn visible(&self, w: &Where) -> Result<Where> {
        let mut w = w.clone();
        let hidden = Hidden::read(&self.conn)?;
        if !hidden.is_empty() {
            w.push(VISIBLE_CASES, hidden.bounds().map(Value::Integer));
        }
        Ok(w)
    }

    pub(super) fn count_where(&self, w: &Where) -> Result<i64> {
        let w = self.visible(w)?;
        let sql = format!("SELECT count(*) FROM cases {}", w.clause());
        self.conn
            .prepare_cached(&sql)
            .ctx("preparing a figure")?
            .query_row(rusqlite::params_from_iter(w.params.iter()), |r| r.get(0))
            .ctx("counting a figure")
    }

    fn rows_where(&self, w: &Where, today: NaiveDate, limit: usize) -> Result<Vec<CaseRow>> {
        let w = self.visible(w)?;
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM cases {} ORDER BY due_key, case_no LIMIT ?",
            w.clause()
        );
        let mut params = w.params.clone();
        params.push(Value::Integer(limit.min(MAX_ROWS) as i64));
        let clocks = self.clocks(today);
        self.conn
            .prepare_cached(&sql)
            .ctx("preparing a figure's cases")?
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                read_row(r, &clocks)
            })
            .ctx("reading a figure's cases")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading a figure's cases")
    }

    /// The cases behind a figure, in queue order, at most `limit` of them, and how many there are.
    pub fn figure_cases(
        &self,
        figure: &Figure,
        today: NaiveDate,
        limit: usize,
    ) -> Result<FigureCases> {
        let queue = match figure {
            Figure::Overdue { timer: None } => {
                Some(self.queue(Queue::Overdue, Filter::All, "", today))
            }
            Figure::DecisionsToSign => Some(self.queue(Queue::Decision, Filter::All, "", today)),
            Figure::DueSoon => Some(self.queue(Queue::All, Filter::DueSoon, "", today)),
            Figure::Workload {
                assignee,
                overdue_only,
            } => {
                let filter = if *overdue_only {
                    Filter::Overdue
                } else {
                    Filter::All
                };
                Some(self.queue(Queue::MyCases, filter, assignee, today))
            }
            _ => None,
        };
        if let Some(mut q) = queue {
            q.limit = limit.min(MAX_ROWS);
            let rows = if limit == 0 {
                Vec::new()
            } else {
                self.page(&q)?.rows
            };
            return Ok(FigureCases {
                total: self.count(&q)?,
                rows,
            });
        }
        let today_s = text(today.to_string());
        let mut w = Where::default();
        match figure {
            Figure::Overdue { timer } => {
                w.push("due_key < ?", [today_s]).timer(*timer);
            }
            Figure::OverdueBucket { timer, bucket } => {
                let (earliest, latest) = bucket.due_range(today);
                w.push("due_key < ?", [today_s]);
                w.push("due_key <= ?", [text(latest.to_string())]);
                if let Some(earliest) = earliest {
                    w.push("due_key >= ?", [text(earliest.to_string())]);
                }
                w.timer(*timer);
            }
            Figure::OverdueEmployer { uscc, timer } => {
                w.push("due_key < ? AND employer_uscc = ?", [today_s, text(uscc)])
                    .timer(*timer);
            }
            Figure::UnclaimedStale => w = self.unclaimed_stale_where(today),
            Figure::OpenConflicts => {
                w.push(OPEN_CONFLICT_CASES, []);
            }
            Figure::OverdueOn(day) => return self.overdue_on_cases(*day, today, limit),
            Figure::DecisionsToSign | Figure::DueSoon | Figure::Workload { .. } => {}
        }
        Ok(FigureCases {
            total: self.count_where(&w)?,
            rows: self.rows_where(&w, today, limit)?,
        })
    }

    /// Current rows of the given cases, in queue order.
    fn rows_by_id(&self, ids: &[i64], today: NaiveDate, limit: usize) -> Result<Vec<CaseRow>> {
        let clocks = self.clocks(today);
        let sql = format!("SELECT {ROW_COLUMNS} FROM cases WHERE id = ?1");
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .ctx("preparing a figure's cases")?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            rows.push(
                stmt.query_row([id], |r| read_row(r, &clocks))
                    .ctx("reading a figure's cases")?,
            );
        }
        rows.sort_by(|a, b| (&a.due_key, &a.case_no).cmp(&(&b.due_key, &b.case_no)));
        rows.truncate(limit);
        Ok(rows)
    }
}
