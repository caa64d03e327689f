//! The overdue trend and the SLA rebuilt from the audit history: what the kept figures
//! (`kept.rs`, read by `sla.rs`) must equal, and how `figure_cases` finds the cases behind a past
//! trend point. Inside one read transaction, the relevant cases' ids are read first, then
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
//! - `started`: runs that started in the period (the case entered the stage; a resubmission into
//!   pre-audit starts a new run, a reopened verification window does not).
//!
//! An event's day is its date, or the newest earlier event's of the case if that is later (a
//! case's clock never runs backwards): the state at the end of day D is what the events of the
//! days up to D make.

use super::super::Store;
use super::super::error::{Result, SqlContext};
use super::super::event_row::{self, EVENT_COLUMNS};
use super::FigureCases;
use super::sla::{Counts, SlaReport, Tallied, Trend, TrendPoint, check_period, report, trend_days};
use crate::domain::{Action, Case, Category, DeadlineState, Event, Stage, TimerKind, apply};
use chrono::{Days, NaiveDate};

/// What a replay read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayStats {
    pub cases: u64,
    pub events: u64,
    /// Cases whose history could not be read or replayed (run `permitdesk check`); left out.
    pub unreadable: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Started,
    Met,
    Late,
    RunningOverdue,
    Withdrawn,
    AllowedLate,
}

/// One timer run that ended: `(timer, due, ended, by withdrawal, verified late as allowed)`.
type Ended = (TimerKind, NaiveDate, NaiveDate, bool, bool);

impl Store {
    /// Streams the histories of the cases that may have been open during `[since, until]`, each
    /// cut at the end of `until`, one case at a time; `f(id, case_no, events)` returns false when
    /// the history does not replay, and the case is then reported as unreadable.
    fn for_each_history(
        &self,
        since: NaiveDate,
        until: NaiveDate,
        mut f: impl FnMut(i64, &str, &[Event]) -> bool,
    ) -> Result<ReplayStats> {
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
            .prepare_cached(&format!(
                "SELECT e.seq, {EVENT_COLUMNS} FROM events e WHERE e.case_id = ?1 ORDER BY e.seq"
            ))
            .ctx("preparing the history read")?;
        let mut stats = ReplayStats::default();
        let mut events: Vec<Event> = Vec::new();
        for (id, case_no) in &cases {
            events.clear();
            let mut bad = false;
            let mut rows = stmt.query([id]).ctx("reading the history")?;
            while let Some(row) = rows.next().ctx("reading the history")? {
                let seq = row.get(0).ctx("reading the history")?;
                let parsed = event_row::decode(row, 1, seq).ok();
                match parsed {
                    Some(event) if event.date() <= until => events.push(event),
                    // Every later event happens after `until` too (see the module docs).
                    Some(_) => break,
                    None => {
                        bad = true;
                        break;
                    }
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
    ) -> Result<ReplayStats> {
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return Ok(ReplayStats::default());
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

    /// The overdue count at the end of each of the `days` days ending with `today` (1 to 366),
    /// replayed from the histories: the reference `overdue_trend` is tested against.
    pub fn overdue_trend_replayed(
        &self,
        today: NaiveDate,
        days: u32,
    ) -> Result<(Trend, ReplayStats)> {
        let days = trend_days(today, days);
        let mut counts = vec![0i64; days.len()];
        let stats = self.replay_overdue(&days, |k, _| counts[k] += 1)?;
        let points = days
            .iter()
            .zip(counts)
            .map(|(day, overdue)| TrendPoint { day: *day, overdue })
            .collect();
        Ok((Trend { points }, stats))
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

    /// The SLA over `[from, to]` replayed from the histories: the reference `sla` is tested
    /// against.
    pub fn sla_replayed(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<(SlaReport, ReplayStats)> {
        check_period(from, to)?;
        let end = to.min(today);
        let mut tally = Tallied::new();
        let mut stats = ReplayStats::default();
        if from <= end {
            stats = self.for_each_history(from, end, |_, _, events| {
                let Some((category, outcomes)) = self.sla_outcomes(events, from, end) else {
                    return false;
                };
                for (timer, outcome) in outcomes {
                    let key = (timer.as_str(), category.as_str());
                    let c: &mut Counts = tally.entry(key).or_default();
                    match outcome {
                        Outcome::Started => c.started += 1,
                        Outcome::Met => c.met += 1,
                        Outcome::Late => c.late += 1,
                        Outcome::AllowedLate => c.allowed_late += 1,
                        Outcome::RunningOverdue => c.running_overdue += 1,
                        Outcome::Withdrawn => c.withdrawn += 1,
                    }
                }
                true
            })?;
        }
        Ok((report(from, to, end, &tally), stats))
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
        let mut started: Vec<(TimerKind, NaiveDate)> = Vec::new();
        let mut case: Option<Case> = None;
        let mut day = NaiveDate::MIN;
        for event in events {
            let next = apply(case.as_ref(), event).ok()?;
            day = day.max(event.date());
            let before = case.as_ref().map(|c| c.stage);
            if next.stage == Stage::PreAudit && before != Some(Stage::PreAudit) {
                started.push((TimerKind::PreAudit, day));
            }
            if next.decision.is_some() && case.as_ref().is_none_or(|c| c.decision.is_none()) {
                started.push((TimerKind::Decision, day));
            }
            let reentered = matches!(before, Some(Stage::Verification | Stage::Lapsed));
            if next.stage == Stage::Verification && !reentered {
                started.push((TimerKind::Verification, day));
            }
            if let Some(prev) = &case {
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
        outcomes.extend(
            started
                .into_iter()
                .filter(|(_, day)| (from..=end).contains(day))
                .map(|(timer, _)| (timer, Outcome::Started)),
        );
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
