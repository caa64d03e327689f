//! Dated steps and how they are driven through the domain. A plan (see `plan`) is a list of
//! steps with gaps between them; `resolve` turns the gaps into office dates, and `walk` takes
//! each step through `domain::decide` exactly as a person or the upstream system would.

mod cast;
mod env;
mod walk;

pub(crate) use cast::{Cast, generated_approvers, generated_supervisors};
pub(crate) use env::Env;
pub(crate) use walk::{Refused, office_time, walk};

use crate::domain::Checklist;
use crate::domain::case::{ExamReport, Verdict};
use chrono::{Days, Months, NaiveDate};

/// Who takes a step. Approver slot 3 is `former.staff`, who left the office some months ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    System,
    Admin,
    Approver(u8),
    Supervisor(u8),
    Clerk(u8),
}

impl Who {
    pub(crate) const FORMER: Who = Who::Approver(3);

    fn office(self) -> bool {
        self != Who::System
    }
}

/// What a step does. `Enter` is the applicant crossing the border: it has a date but no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Submit,
    Claim,
    /// A supervisor gives the case to an approver (slot as in `Who::Approver`).
    Assign(u8),
    Accept,
    Return(&'static str),
    Resubmit,
    NotAccept(&'static str),
    Recommend(Verdict, &'static str),
    Sign(Verdict, &'static str),
    SendBack(&'static str),
    Extend(u8, &'static str),
    Note(&'static str),
    Enter,
    RecordEntry,
    ECard,
    VerifyReturn(&'static str),
    Verify,
    Lapse(&'static str),
    Reopen(&'static str),
    Withdraw(&'static str),
}

/// The distance from the previous step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gap {
    /// `n` working days later (0: the same day, or the next working day).
    Wd(u8),
    /// `n` calendar days later.
    Cal(u16),
    /// The first working day on or after the date, plus `n` working days (legacy restarts).
    After(NaiveDate, u8),
    /// `n` calendar days after the verification window opened (and not before the previous step).
    Window(u16),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Step {
    pub op: Op,
    pub who: Who,
    pub gap: Gap,
}

/// A planned case: its steps, and optionally one step pinned to a date (open cases are pinned so
/// their governing timer is in the wanted state today; closed cases start on `start`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    pub steps: Vec<Step>,
    pub anchor: Option<(usize, NaiveDate)>,
    /// The applicant was already in China on this day before the application (legacy,
    /// new_notification).
    pub entered: Option<NaiveDate>,
}

impl Draft {
    pub(crate) fn push(&mut self, op: Op, who: Who, gap: Gap) -> usize {
        self.steps.push(Step { op, who, gap });
        self.steps.len() - 1
    }

    pub(crate) fn last(&self) -> usize {
        self.steps.len() - 1
    }

    pub(crate) fn pin_last(&mut self, day: NaiveDate) {
        self.anchor = Some((self.last(), day));
    }
}

/// The dates of a draft's steps: forward from the first step on `start` when nothing is pinned,
/// otherwise backward and forward from the pinned step; forward steps never pass today.
pub(crate) fn resolve(env: &Env, draft: &Draft, start: NaiveDate, dates: &mut Vec<NaiveDate>) {
    let n = draft.steps.len();
    dates.clear();
    dates.resize(n, start);
    let (k, pinned) = draft.anchor.unwrap_or((0, start));
    dates[k] = if draft.steps[k].who.office() {
        env.prev_working(pinned)
    } else {
        pinned
    };
    for j in (0..k).rev() {
        let later = dates[j + 1];
        let gap = draft.steps[j + 1].gap;
        let mut d = match gap {
            Gap::Wd(0) => later,
            Gap::Wd(w) => env.sub_working(later, w),
            Gap::Cal(c) => later - Days::new(u64::from(c)),
            Gap::After(_, _) | Gap::Window(_) => later,
        };
        if draft.steps[j].who.office() {
            d = env.prev_working(d);
        }
        dates[j] = d;
    }
    let clamp = draft.anchor.is_some();
    let mut entry = draft.entered;
    let mut notified: Option<NaiveDate> = None;
    for j in 0..n {
        let step = draft.steps[j];
        if j > k {
            let prev = dates[j - 1];
            let office = step.who.office();
            let mut d = match step.gap {
                Gap::Wd(0) => prev,
                Gap::Wd(w) => env.calendar.add_working_days(prev, u32::from(w)),
                Gap::Cal(c) => prev + Days::new(u64::from(c)),
                Gap::After(day, w) => {
                    let first = env.next_working(day.max(prev));
                    env.calendar.add_working_days(first, u32::from(w))
                }
                Gap::Window(c) => {
                    let window = match (entry, notified) {
                        (Some(e), Some(n)) => e.max(n),
                        (Some(e), None) => e,
                        (None, Some(n)) => n,
                        (None, None) => prev,
                    };
                    prev.max(window + Days::new(u64::from(c)))
                }
            };
            if office {
                d = env.next_working(d);
            }
            if clamp && d > env.today {
                d = env.today;
                if office {
                    d = env.prev_working(d);
                }
                d = d.max(prev);
            }
            dates[j] = d;
        }
        match step.op {
            Op::Enter => entry = Some(dates[j]),
            Op::Sign(Verdict::Approve, _) => notified = Some(dates[j]),
            _ => {}
        }
    }
}

/// The window-opening day of a resolved draft (for exam-report planning).
pub(crate) fn window_start(draft: &Draft, dates: &[NaiveDate]) -> Option<NaiveDate> {
    let mut entry = draft.entered;
    let mut notified = None;
    for (step, day) in draft.steps.iter().zip(dates) {
        match step.op {
            Op::Enter => entry = Some(*day),
            Op::Sign(Verdict::Approve, _) => notified = Some(*day),
            _ => {}
        }
    }
    match (entry, notified) {
        (Some(e), Some(n)) => Some(e.max(n)),
        (e, n) => e.or(n),
    }
}

/// A domestic exam report issued so that it expires after today but before the verification
/// window that opened on `window` closes.
pub(crate) fn expiring_report(
    env: &Env,
    window: NaiveDate,
    rng: &mut fastrand::Rng,
) -> Option<ExamReport> {
    let closes = env.policy.verification_due(window);
    let room = (closes - env.today).num_days().max(2) - 1;
    let expires = closes - Days::new(rng.u64(1..=room as u64));
    let months = env.policy.exam_report_valid_months;
    let mut issued = expires.checked_sub_months(Months::new(months))?;
    // Month ends stretch a report's validity by a day or three.
    while Checklist::exam_valid_through(issued, months) >= closes {
        issued = issued.pred_opt()?;
    }
    Some(ExamReport {
        issued_on: issued,
        domestic: true,
        institution: Some(super::pools::exam_institution(rng).to_string()),
    })
}
