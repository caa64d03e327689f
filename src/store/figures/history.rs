//! Figures rebuilt from the audit history rather than from the cases' current rows: the overdue
//! trend and the SLA. Inside one read transaction, the relevant cases' ids are read first, then
//! each case's events in order through the `events_by_case` index, one case at a time (nothing is
//! sorted in bulk, one history is in memory at once), and folded through `domain::apply`, the
//! same function `check` replays with; deadlines are then derived with today's calendar and
//! policy, exactly as the stored `due_key` is.
//!
//! Only cases that may have been open at some point in the window are read: those open now, and
//! those last written on or after the window's first day (a case is written when it closes, so a
//! case closed before the window was last written before it). Cases submitted after the window
//! are skipped too.
//!
//! Trend: for each day D, the number of cases whose governing timer (`Clocks { today: D }
//! .governing`) is running and past its due day at the end of D, i.e. what the Overdue queue
//! would have shown that evening. Its last point equals today's Overdue count.
//!
//! SLA over `[from, to]`, evaluated as of `end = min(to, today)`, per stage timer and category:
//! - a timer run counts in the period in which it ENDED: met if it ended on or before its due
//!   day, missed ("ended_late") otherwise. Runs end: pre-audit when the case leaves pre-audit
//!   (accepted, returned for correction, not accepted, withdrawn; each resubmission starts a new
//!   run); decision when it is signed or the case withdrawn (returns pause it, they do not end
//!   it); verification when the applicant is verified, the case lapses or is withdrawn. A
//!   reopened window is running again: its lapse no longer counts, it counts when it ends anew.
//! - a run the employer withdrew on or before its due day is not the office's result: it is not
//!   counted (shown as `withdrawn`); withdrawn after its due day, it was missed already.
//! - a run still running at `end`, already overdue then, whose due day lies in the period, counts
//!   as missed ("running_overdue"): the office missed it in this period even though it has not
//!   ended. Such a run counts again (as ended late) in the period in which it finally ends.
//!   Paused runs (returned for correction) count only once they end.

use super::super::Store;
use super::super::error::{Result, SqlContext};
use super::{FigureCases, days_before};
use crate::domain::{Action, Case, Category, DeadlineState, Event, Stage, TimerKind, apply};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TrendPoint {
    pub day: NaiveDate,
    pub overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Trend {
    /// Oldest day first; the last point is today.
    pub points: Vec<TrendPoint>,
    pub cases_replayed: u64,
    pub events_replayed: u64,
    /// Cases whose history could not be read or replayed (run `permitdesk check`); left out.
    pub unreadable: Vec<String>,
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
    pub cases_replayed: u64,
    pub unreadable: Vec<String>,
}

/// The longest trend computed, in days.
pub const MAX_TREND_DAYS: u32 = 366;

pub const SLA_TIMERS: [TimerKind; 3] = [
    TimerKind::PreAudit,
    TimerKind::Decision,
    TimerKind::Verification,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Met,
    Late,
    RunningOverdue,
    Withdrawn,
    AllowedLate,
}

/// One timer run that ended: `(timer, due, ended, by withdrawal, verified late as allowed)`.
type Ended = (TimerKind, NaiveDate, NaiveDate, bool, bool);

#[derive(Default)]
struct Stats {
    cases: u64,
    events: u64,
    unreadable: Vec<String>,
}

impl Store {
    /// Streams the histories of the cases that may have been open during `[since, until]`, each
    /// cut at the end of `until`, one case at a time; `f(id, case_no, events)` returns false when
    /// the history does not replay, and the case is then reported as unreadable.
    fn for_each_history(
        &self,
        since: NaiveDate,
        until: NaiveDate,
        mut f: impl FnMut(i64, &str, &[Event]) -> bool,
    ) -> Result<Stats> {
        let after_until = until
            .checked_add_days(Days::new(1))
            .unwrap_or(NaiveDate::MAX);
        // One read transaction: one snapshot for the whole replay, and the file lock taken once
        // rather than once per case.
        let _snapshot = self.snapshot()?;
        let cases: Vec<(i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, case_no FROM cases
                 WHERE id IN (SELECT id FROM cases WHERE open = 1
                              UNION SELECT id FROM cases WHERE updated_at >= ?1)
                   AND submitted_at < ?2
                 ORDER BY id",
            )
            .ctx("preparing the history read")?
            .query_map(
                rusqlite::params![since.to_string(), after_until.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("reading the history")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading the history")?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT payload FROM events WHERE case_id = ?1 ORDER BY seq")
            .ctx("preparing the history read")?;
        let mut stats = Stats::default();
        let mut events: Vec<Event> = Vec::new();
        for (id, case_no) in &cases {
            events.clear();
            let mut bad = false;
            let mut rows = stmt.query([id]).ctx("reading the history")?;
            while let Some(row) = rows.next().ctx("reading the history")? {
                let payload = row.get_ref(0).ctx("reading the history")?;
                let parsed = payload
                    .as_str()
                    .ok()
                    .and_then(|p| serde_json::from_str::<Event>(p).ok());
                match parsed {
                    Some(event) if event.date() <= until => events.push(event),
                    Some(_) => {}
                    None => bad = true,
                }
            }
            stats.cases += 1;
            stats.events += events.len() as u64;
            if bad || !f(*id, case_no, &events) {
                stats.unreadable.push(case_no.clone());
            }
        }
        Ok(stats)
    }

    /// For each of `days` (ascending), calls `overdue(index, case id)` for every case whose
    /// governing timer was overdue at the end of that day.
    fn replay_overdue(
        &self,
        days: &[NaiveDate],
        mut overdue: impl FnMut(usize, i64),
    ) -> Result<Stats> {
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return Ok(Stats::default());
        };
        let clocks: Vec<_> = days.iter().map(|d| self.clocks(*d)).collect();
        let mut marks = Vec::new();
        self.for_each_history(*first, *last, |id, _, events| {
            marks.clear();
            let mut case: Option<Case> = None;
            let mut next = 0;
            for (k, day) in days.iter().enumerate() {
                while let Some(event) = events.get(next).filter(|e| e.date() <= *day) {
                    match apply(case.as_ref(), event) {
                        Ok(c) => case = Some(c),
                        Err(_) => return false,
                    }
                    next += 1;
                }
                let late = case.as_ref().and_then(|c| clocks[k].governing(c));
                if late.is_some_and(|d| d.state == DeadlineState::Overdue) {
                    marks.push(k);
                }
            }
            for k in &marks {
                overdue(*k, id);
            }
            true
        })
    }

    /// The overdue count at the end of each of the `days` days ending with `today` (1 to 366).
    pub fn overdue_trend(&self, today: NaiveDate, days: u32) -> Result<Trend> {
        let days: Vec<NaiveDate> = (0..i64::from(days.clamp(1, MAX_TREND_DAYS)))
            .rev()
            .map(|n| days_before(today, n))
            .collect();
        let mut counts = vec![0i64; days.len()];
        let stats = self.replay_overdue(&days, |k, _| counts[k] += 1)?;
        Ok(Trend {
            points: days
                .iter()
                .zip(counts)
                .map(|(day, overdue)| TrendPoint { day: *day, overdue })
                .collect(),
            cases_replayed: stats.cases,
            events_replayed: stats.events,
            unreadable: stats.unreadable,
        })
    }

    /// The cases overdue at the end of `day` (a trend point), as their current rows.
    pub(super) fn overdue_on_cases(
        &self,
        day: NaiveDate,
        today: NaiveDate,
        limit: usize,
    ) -> Result<FigureCases> {
        let mut ids = Vec::new();
        self.replay_overdue(&[day], |_, id| ids.push(id))?;
        Ok(FigureCases {
            total: ids.len() as i64,
            rows: self.rows_by_id(&ids, today, limit)?,
        })
    }

    /// The share of deadlines met per stage timer and category over `[from, to]`; see the
    /// module documentation for what counts.
    pub fn sla(&self, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<SlaReport> {
        if from > to {
            return Err(super::super::StoreError::Invalid {
                field: "--from".into(),
                message: format!("{from} is after --to {to}"),
            });
        }
        let end = to.min(today);
        let mut tally: BTreeMap<(usize, usize), [i64; 5]> = BTreeMap::new();
        let mut stats = Stats::default();
        if from <= end {
            stats = self.for_each_history(from, end, |_, _, events| {
                let Some((category, outcomes)) = self.sla_outcomes(events, from, end) else {
                    return false;
                };
                for (timer, outcome) in outcomes {
                    let i = SLA_TIMERS.iter().position(|t| *t == timer).unwrap_or(0);
                    tally.entry((i, category as usize)).or_default()[outcome as usize] += 1;
                }
                true
            })?;
        }
        let mut rows = Vec::new();
        for (i, timer) in SLA_TIMERS.iter().enumerate() {
            let mut all = [0i64; 5];
            for category in Category::ALL {
                if *timer == TimerKind::Verification && !category.needs_verification() {
                    continue;
                }
                let counts = tally
                    .get(&(i, *category as usize))
                    .copied()
                    .unwrap_or_default();
                for (a, c) in all.iter_mut().zip(counts) {
                    *a += c;
                }
                rows.push(sla_row(*timer, Some(*category), counts));
            }
            rows.push(sla_row(*timer, None, all));
        }
        Ok(SlaReport {
            from,
            to,
            as_of: end,
            rows,
            cases_replayed: stats.cases,
            unreadable: stats.unreadable,
        })
    }

    /// Every timer run of one case that counts in `[from, end]`, or `None` if it does not replay.
    fn sla_outcomes(
        &self,
        events: &[Event],
        from: NaiveDate,
        end: NaiveDate,
    ) -> Option<(Category, Vec<(TimerKind, Outcome)>)> {
        let clocks = self.clocks(end);
        let mut ended: Vec<Ended> = Vec::new();
        let mut case: Option<Case> = None;
        for event in events {
            let next = apply(case.as_ref(), event).ok()?;
            if let Some(prev) = &case {
                let day = event.date();
                let withdrawn = matches!(event.action, Action::Withdraw { .. });
                if prev.stage == Stage::Lapsed && next.stage == Stage::Verification {
                    if let Some(i) = ended.iter().rposition(|e| e.0 == TimerKind::Verification) {
                        ended.remove(i);
                    }
                }
                if prev.stage == Stage::PreAudit && next.stage != Stage::PreAudit {
                    if let Some(due) = clocks.pre_audit(prev).due {
                        ended.push((TimerKind::PreAudit, due, day, withdrawn, false));
                    }
                }
                let was_running = prev.decision.as_ref().is_some_and(|c| c.ended.is_none());
                let now_ended = next.decision.as_ref().is_some_and(|c| c.ended.is_some());
                if was_running && now_ended {
                    if let Some(deadline) = clocks.decision(&next) {
                        // A run returned after its due day was missed, even if the case was then
                        // signed on the day of its resubmission.
                        let due = match (deadline.state, deadline.due) {
                            (DeadlineState::Missed, _) => day.pred_opt(),
                            (_, due) => due,
                        };
                        if let Some(due) = due {
                            ended.push((TimerKind::Decision, due, day, withdrawn, false));
                        }
                    }
                }
                if prev.stage == Stage::Verification && next.stage != Stage::Verification {
                    if let Some(due) = clocks.verification(prev).and_then(|d| d.due) {
                        ended.push((TimerKind::Verification, due, day, withdrawn, event.late));
                    }
                }
            }
            case = Some(next);
        }
        let case = case?;
        let mut outcomes: Vec<(TimerKind, Outcome)> = ended
            .into_iter()
            .filter(|(_, _, day, _, _)| (from..=end).contains(day))
            .map(|(timer, due, day, withdrawn, late)| {
                let outcome = match (day <= due, withdrawn) {
                    (true, true) => Outcome::Withdrawn,
                    (true, false) => Outcome::Met,
                    (false, _) if late => Outcome::AllowedLate,
                    (false, _) => Outcome::Late,
                };
                (timer, outcome)
            })
            .collect();
        let running = [
            Some(clocks.pre_audit(&case)),
            clocks.decision(&case),
            clocks.verification(&case),
        ];
        for deadline in running.into_iter().flatten() {
            let overdue = deadline.state == DeadlineState::Overdue;
            if overdue && deadline.due.is_some_and(|due| due >= from) {
                outcomes.push((deadline.timer, Outcome::RunningOverdue));
            }
        }
        // A decision run paused (returned) after its due day is not overdue while the employer
        // corrects, but the office had already missed it.
        if let Some(clock) = case.decision.as_ref().filter(|c| c.ended.is_none()) {
            let paused = clocks
                .decision(&case)
                .is_some_and(|d| d.state == DeadlineState::Paused);
            let overran = crate::domain::deadline::decision_overran_before_pause(
                clock,
                case.category,
                &self.settings.policy,
                &self.calendar,
            );
            if paused && overran.is_some_and(|due| (from..=end).contains(&due)) {
                outcomes.push((TimerKind::Decision, Outcome::RunningOverdue));
            }
        }
        Some((case.category, outcomes))
    }
}

fn sla_row(timer: TimerKind, category: Option<Category>, counts: [i64; 5]) -> SlaRow {
    let met = counts[Outcome::Met as usize];
    let allowed_late = counts[Outcome::AllowedLate as usize];
    let ended_late = counts[Outcome::Late as usize] + allowed_late;
    let running_overdue = counts[Outcome::RunningOverdue as usize];
    let missed = ended_late + running_overdue;
    let counted = met + missed;
    SlaRow {
        timer,
        category,
        met,
        ended_late,
        running_overdue,
        missed,
        counted,
        share_met: (counted > 0).then(|| met as f64 / counted as f64),
        withdrawn: counts[Outcome::Withdrawn as usize],
        allowed_late,
    }
}
