//! Start-date tables and office days shared by every case of one build.

use crate::domain::{Calendar, Clock, Clocks, DeadlineState, Policy, TimerKind};
use chrono::{Days, Months, NaiveDate};

/// How far back start-date tables reach, in days.
const TABLE_DAYS: u16 = 260;

/// Start days (as offsets back from today) that put a timer of some budget in each running state.
pub(crate) struct Starts {
    /// Indexed by state: 0 on track, 1 due soon, 2 overdue; offsets ascending.
    pub by_state: [Vec<u16>; 3],
}

impl Starts {
    fn new() -> Starts {
        Starts {
            by_state: [Vec::new(), Vec::new(), Vec::new()],
        }
    }
}

/// Everything shared by every case of one build.
pub(crate) struct Env {
    pub calendar: Calendar,
    pub policy: Policy,
    pub today: NaiveDate,
    pub clock: Clock,
    /// First day of the ~2-year submission window.
    pub window_start: NaiveDate,
    /// `former.staff` acted only before this day.
    pub leave_day: NaiveDate,
    /// Legacy cases exist only once the reform is old enough to have been worked through.
    pub legacy_ok: bool,
    /// Working-day timers by budget (index = working days), start days on working days only.
    pub working: Vec<Starts>,
    /// The 30-day verification window, any start day.
    pub verification: Starts,
    /// Working days among the last `TABLE_DAYS` days, as a bit per offset.
    working_day: Vec<bool>,
}

impl Env {
    pub(crate) fn new(calendar: Calendar, policy: Policy, today: NaiveDate, clock: Clock) -> Env {
        let max_budget = policy
            .pre_audit_working_days
            .max(policy.decision_working_days_bc)
            + policy.decision_working_days_a
            + policy.max_extension_days;
        let clocks = Clocks {
            calendar: &calendar,
            policy: &policy,
            today,
        };
        let index = |state: DeadlineState| match state {
            DeadlineState::OnTrack => Some(0),
            DeadlineState::DueSoon => Some(1),
            DeadlineState::Overdue => Some(2),
            _ => None,
        };
        let working_day: Vec<bool> = (0..=TABLE_DAYS)
            .map(|off| calendar.is_working_day(today - Days::new(u64::from(off))))
            .collect();
        let mut working = Vec::new();
        for budget in 0..=max_budget {
            let mut starts = Starts::new();
            for off in 0..=TABLE_DAYS {
                if !working_day[off as usize] {
                    continue;
                }
                let start = today - Days::new(u64::from(off));
                let due = calendar.add_working_days(start, budget);
                let d = clocks.deadline(TimerKind::Decision, start, Some(due), None);
                if let Some(i) = index(d.state) {
                    starts.by_state[i].push(off);
                }
            }
            working.push(starts);
        }
        let mut verification = Starts::new();
        for off in 0..=TABLE_DAYS {
            let start = today - Days::new(u64::from(off));
            let d = clocks.deadline(
                TimerKind::Verification,
                start,
                Some(policy.verification_due(start)),
                None,
            );
            if let Some(i) = index(d.state) {
                verification.by_state[i].push(off);
            }
        }
        // The office's changeover day (a setting), never a date of the generator's own.
        let changeover = policy.changeover;
        Env {
            // Only legacy cases began before the card integration (issue 15, defect 9).
            window_start: (today - Days::new(730)).max(changeover),
            leave_day: today - Days::new(200),
            legacy_ok: changeover
                .checked_add_months(Months::new(6))
                .is_some_and(|d| today >= d),
            calendar,
            policy,
            today,
            clock,
            working,
            verification,
            working_day,
        }
    }

    pub(crate) fn is_working(&self, d: NaiveDate) -> bool {
        match usize::try_from((self.today - d).num_days()) {
            Ok(off) if off < self.working_day.len() => self.working_day[off],
            _ => self.calendar.is_working_day(d),
        }
    }

    pub(crate) fn next_working(&self, mut d: NaiveDate) -> NaiveDate {
        for _ in 0..40 {
            if self.is_working(d) {
                return d;
            }
            d = d + Days::new(1);
        }
        d
    }

    pub(crate) fn prev_working(&self, mut d: NaiveDate) -> NaiveDate {
        for _ in 0..40 {
            if self.is_working(d) {
                return d;
            }
            d = d - Days::new(1);
        }
        d
    }

    /// `n` working days before `d` (a working day itself when `n > 0`).
    pub(super) fn sub_working(&self, mut d: NaiveDate, n: u8) -> NaiveDate {
        let mut left = n;
        while left > 0 {
            d = d - Days::new(1);
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }

    pub(crate) fn ago(&self, days: u16) -> NaiveDate {
        self.today - Days::new(u64::from(days))
    }

    /// The decision budget of a category, plus an extension.
    pub(crate) fn decision_budget(
        &self,
        category: crate::domain::Category,
        extension: u8,
    ) -> usize {
        (self.policy.decision_working_days(category) + u32::from(extension)) as usize
    }
}
