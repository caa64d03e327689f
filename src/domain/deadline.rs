//! Deadlines are never stored as truth: they are derived from a case's raw clock facts, the policy
//! and the holiday calendar, so a calendar correction or an extension changes them everywhere.

use super::calendar::Calendar;
use super::case::{Case, DecisionClock};
use super::model::{Category, Stage};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Bumped whenever the code's deadline arithmetic changes, so every store recomputes its stored
/// due days when a new version first opens it (2: issue 15, pauses and returns).
pub const RULES_VERSION: u32 = 2;

/// The office's deadline rules. The defaults are DOMAIN.md's; a deployment may change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    pub pre_audit_working_days: u32,
    pub decision_working_days_a: u32,
    pub decision_working_days_bc: u32,
    pub verification_calendar_days: u32,
    pub exam_report_valid_months: u32,
    pub due_soon_working_days: u32,
    pub due_soon_calendar_days: u32,
    pub max_extension_days: u32,
    pub four_eyes: bool,
    /// The card integration's changeover day (1 December 2024, FAQ Q8): applications in transit
    /// then (legacy) restarted in pre-audit on it, so their pre-audit clock runs from it.
    pub changeover: NaiveDate,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            pre_audit_working_days: 5,
            decision_working_days_a: 5,
            decision_working_days_bc: 10,
            verification_calendar_days: 30,
            exam_report_valid_months: 6,
            due_soon_working_days: 2,
            due_soon_calendar_days: 5,
            max_extension_days: 10,
            four_eyes: true,
            changeover: NaiveDate::from_ymd_opt(2024, 12, 1).unwrap_or(NaiveDate::MIN),
        }
    }
}

impl Policy {
    pub fn decision_working_days(&self, category: Category) -> u32 {
        match category {
            Category::A => self.decision_working_days_a,
            Category::B | Category::C => self.decision_working_days_bc,
        }
    }

    /// Whether an extension by `days` working days is within the office's limit: the domain's
    /// refusal and the console's extension dialog both ask this.
    pub fn allows_extension(&self, days: u32) -> bool {
        (1..=self.max_extension_days).contains(&days)
    }

    /// The day the verification window that opened on `started` closes.
    pub fn verification_due(&self, started: NaiveDate) -> NaiveDate {
        started + Days::new(u64::from(self.verification_calendar_days))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    PreAudit,
    Decision,
    Verification,
    ExamReport,
}

impl TimerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::PreAudit => "pre_audit",
            TimerKind::Decision => "decision",
            TimerKind::Verification => "verification",
            TimerKind::ExamReport => "exam_report",
        }
    }

    pub fn counts_working_days(self) -> bool {
        matches!(self, TimerKind::PreAudit | TimerKind::Decision)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    OnTrack,
    DueSoon,
    Overdue,
    Paused,
    /// Ended on or before its due day.
    Met,
    /// Ended after its due day.
    Missed,
}

impl DeadlineState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineState::OnTrack => "on_track",
            DeadlineState::DueSoon => "due_soon",
            DeadlineState::Overdue => "overdue",
            DeadlineState::Paused => "paused",
            DeadlineState::Met => "met",
            DeadlineState::Missed => "missed",
        }
    }

    pub fn is_running(self) -> bool {
        matches!(
            self,
            DeadlineState::OnTrack | DeadlineState::DueSoon | DeadlineState::Overdue
        )
    }
}

/// Who an open case without a running timer waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Waiting {
    /// Returned: the employer is correcting the application.
    Correction,
    /// Notified: the applicant has yet to enter China.
    Entry,
}

/// A wait outside the office: see `Clocks::waiting`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wait {
    pub on: Waiting,
    /// The day the case was returned, or the Notification issued.
    pub since: NaiveDate,
    /// Calendar days since then.
    pub days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub timer: TimerKind,
    /// Day 0, not counted.
    pub started: NaiveDate,
    /// The last allowed day; `None` while paused.
    pub due: Option<NaiveDate>,
    /// `due - today` in calendar days (0 on the due day); `None` unless the timer is running.
    pub days_left: Option<i64>,
    pub state: DeadlineState,
    /// The calendar lacks a year this deadline crosses, so Monday-Friday was assumed.
    pub provisional: bool,
    pub ended: Option<NaiveDate>,
}

/// Everything a deadline computation needs besides the case.
#[derive(Debug, Clone, Copy)]
pub struct Clocks<'a> {
    pub calendar: &'a Calendar,
    pub policy: &'a Policy,
    pub today: NaiveDate,
}

impl Clocks<'_> {
    pub fn deadline(
        &self,
        timer: TimerKind,
        started: NaiveDate,
        due: Option<NaiveDate>,
        ended: Option<NaiveDate>,
    ) -> Deadline {
        let provisional = timer.counts_working_days()
            && self
                .calendar
                .is_provisional(started, due.unwrap_or(self.today.max(started)));
        let (state, days_left) = match (due, ended) {
            (None, _) => (DeadlineState::Paused, None),
            (Some(due), Some(ended)) if ended <= due => (DeadlineState::Met, None),
            (Some(_), Some(_)) => (DeadlineState::Missed, None),
            (Some(due), None) => {
                let days_left = (due - self.today).num_days();
                (self.running_state(timer, due), Some(days_left))
            }
        };
        Deadline {
            timer,
            started,
            due,
            days_left,
            state,
            provisional,
            ended,
        }
    }

    fn running_state(&self, timer: TimerKind, due: NaiveDate) -> DeadlineState {
        if self.today > due {
            DeadlineState::Overdue
        } else if due <= self.due_soon_limit(timer) {
            DeadlineState::DueSoon
        } else {
            DeadlineState::OnTrack
        }
    }

    /// The last due day that still counts as "due soon" today, for a timer of this kind.
    pub fn due_soon_limit(&self, timer: TimerKind) -> NaiveDate {
        if timer.counts_working_days() {
            self.calendar
                .add_working_days(self.today, self.policy.due_soon_working_days)
        } else {
            self.today + Days::new(u64::from(self.policy.due_soon_calendar_days))
        }
    }

    /// The pre-audit run. A return for correction ends it (met if on or before the due day),
    /// whatever happens to the case while it is with the employer; a resubmission starts a new
    /// run (issue 15, defect 5).
    pub fn pre_audit(&self, case: &Case) -> Deadline {
        let clock = &case.pre_audit;
        let started = if case.legacy {
            clock.started.max(self.policy.changeover)
        } else {
            clock.started
        };
        let due = self
            .calendar
            .add_working_days(started, self.policy.pre_audit_working_days);
        let ended = clock.paused_since.or(clock.ended);
        self.deadline(TimerKind::PreAudit, started, Some(due), ended)
    }

    pub fn decision(&self, case: &Case) -> Option<Deadline> {
        let clock = case.decision.as_ref()?;
        let due = decision_due(clock, case.category, self.policy, self.calendar);
        let mut deadline = self.deadline(TimerKind::Decision, clock.started, due, clock.ended);
        if deadline.state == DeadlineState::Met
            && decision_overran_before_pause(clock, case.category, self.policy, self.calendar)
                .is_some()
        {
            deadline.state = DeadlineState::Missed;
        }
        Some(deadline)
    }

    pub fn verification(&self, case: &Case) -> Option<Deadline> {
        if !case.category.needs_verification() {
            return None;
        }
        let started = case.verification_start()?;
        let due = self.policy.verification_due(started);
        let ended = match case.stage {
            Stage::Verification => None,
            _ => case.verified_on.or(case.closed_on),
        };
        Some(self.deadline(TimerKind::Verification, started, Some(due), ended))
    }

    /// The exam report's validity, shown only once the applicant is in China.
    pub fn exam_report(&self, case: &Case) -> Option<Deadline> {
        let report = case.exam_report.as_ref()?;
        case.entry_date?;
        if !case.category.needs_verification() {
            return None;
        }
        let expires = super::checklist::Checklist::exam_valid_through(
            report.issued_on,
            self.policy.exam_report_valid_months,
        );
        let ended = case.verified_on.or(case.closed_on);
        Some(self.deadline(
            TimerKind::ExamReport,
            report.issued_on,
            Some(expires),
            ended,
        ))
    }

    /// True when the exam report will expire before the verification window closes.
    pub fn exam_report_expires_first(&self, case: &Case) -> bool {
        if case.stage != Stage::Verification {
            return false;
        }
        match (self.exam_report(case), self.verification(case)) {
            (Some(exam), Some(window)) => match (exam.due, window.due) {
                (Some(expires), Some(closes)) => expires < closes,
                _ => false,
            },
            _ => false,
        }
    }

    /// The timer that governs the case's current stage, if any.
    pub fn governing(&self, case: &Case) -> Option<Deadline> {
        match case.stage {
            Stage::PreAudit => Some(self.pre_audit(case)),
            Stage::Returned => match case.returned_from {
                Some(Stage::Review) => self.decision(case),
                // Nothing of the office's runs while the employer corrects.
                _ => Some(self.deadline(
                    TimerKind::PreAudit,
                    self.pre_audit(case).started,
                    None,
                    None,
                )),
            },
            Stage::Review | Stage::Decision => self.decision(case),
            Stage::Verification => self.verification(case),
            _ => None,
        }
    }

    /// What an open case no timer of the office governs is waiting for, since when, and for how
    /// many calendar days (0 on the day it began). The office's working-day timers do not run
    /// while a case is with the employer or the applicant (DOMAIN.md, "Pauses"), so the wait is
    /// counted in calendar days, as `days_left` is. No law or office policy sets a longest wait.
    pub fn waiting(&self, case: &Case) -> Option<Wait> {
        let (on, since) = match case.stage {
            Stage::Returned => (
                Waiting::Correction,
                match case.returned_from {
                    Some(Stage::Review) => case.decision.as_ref()?.pauses.last()?.from,
                    _ => case.pre_audit.paused_since?,
                },
            ),
            Stage::Notified => (Waiting::Entry, case.notified_on?),
            _ => return None,
        };
        Some(Wait {
            on,
            since,
            days: (self.today - since).num_days().max(0),
        })
    }

    /// Every timer the case has had, running or ended, in the order they start.
    pub fn all(&self, case: &Case) -> Vec<Deadline> {
        let mut all = vec![self.pre_audit(case)];
        all.extend(self.decision(case));
        all.extend(self.verification(case));
        all.extend(self.exam_report(case));
        all
    }
}

/// The decision timer's due day, or `None` while it is paused. Working days inside a pause (after
/// the return day, through the resubmission day) are not counted. A run returned on or after its
/// due day has no working days left: it is due on the day of its resubmission, because the
/// employer's correction time is never the office's delay (issue 15, defect 1).
pub fn decision_due(
    clock: &DecisionClock,
    category: Category,
    policy: &Policy,
    calendar: &Calendar,
) -> Option<NaiveDate> {
    let mut remaining = i64::from(policy.decision_working_days(category))
        + i64::from(clock.extension_days.unwrap_or(0));
    let mut cursor = clock.started;
    for pause in &clock.pauses {
        let used = calendar.working_days_between(cursor, pause.from).max(0);
        remaining = (remaining - used).max(0);
        cursor = pause.until?;
    }
    let remaining = u32::try_from(remaining).unwrap_or(0);
    Some(calendar.add_working_days(cursor, remaining))
}

/// The due day the decision run had already passed when it was returned, if it was: such a run
/// was missed by the office, whatever happens after the employer's correction.
pub fn decision_overran_before_pause(
    clock: &DecisionClock,
    category: Category,
    policy: &Policy,
    calendar: &Calendar,
) -> Option<NaiveDate> {
    let mut remaining = i64::from(policy.decision_working_days(category))
        + i64::from(clock.extension_days.unwrap_or(0));
    let mut cursor = clock.started;
    for pause in &clock.pauses {
        let due_then = calendar.add_working_days(cursor, u32::try_from(remaining).unwrap_or(0));
        if pause.from > due_then {
            return Some(due_then);
        }
        remaining = (remaining - calendar.working_days_between(cursor, pause.from).max(0)).max(0);
        match pause.until {
            Some(until) => cursor = until,
            None => return None,
        }
    }
    None
}
