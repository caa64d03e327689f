//! Dated steps and how they are driven through the domain. A plan (see `plan.rs`) is a list of
//! steps with gaps between them; `resolve` turns the gaps into office dates, and `walk` takes
//! each step through `domain::decide` exactly as a person or the upstream system would.

use crate::domain::case::{ExamReport, Verdict};
use crate::domain::{
    Action, Actor, Calendar, Case, Checklist, Clock, Clocks, Context, DeadlineState, Directory,
    Event, Policy, Presenter, Role, Submission, TimerKind, decide, submit,
};
use chrono::{Days, Months, NaiveDate, NaiveTime, Timelike};

/// The day the card integration reform took effect; legacy cases restart on or after it.
pub(crate) const REFORM: NaiveDate = match NaiveDate::from_ymd_opt(2024, 12, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// How far back start-date tables reach, in days.
const TABLE_DAYS: u16 = 260;

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
        let window = u64::from(policy.verification_calendar_days);
        for off in 0..=TABLE_DAYS {
            let start = today - Days::new(u64::from(off));
            let d = clocks.deadline(
                TimerKind::Verification,
                start,
                Some(start + Days::new(window)),
                None,
            );
            if let Some(i) = index(d.state) {
                verification.by_state[i].push(off);
            }
        }
        Env {
            window_start: today - Days::new(730),
            leave_day: today - Days::new(200),
            legacy_ok: today >= NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or(REFORM),
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
    fn sub_working(&self, mut d: NaiveDate, n: u8) -> NaiveDate {
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

/// The demo users as the domain sees them, all active (history predates `former.staff` leaving).
pub(crate) struct Cast {
    pub system: Actor,
    pub admin: Actor,
    pub approvers: [Actor; 4],
    pub supervisors: [Actor; 2],
    pub clerks: [Actor; 2],
}

impl Cast {
    pub(crate) fn new() -> Cast {
        let person = |name: &str, roles: &[Role]| Actor {
            name: name.to_string(),
            roles: roles.to_vec(),
            active: true,
        };
        Cast {
            system: Actor::system(),
            admin: person("admin", &[Role::Admin]),
            approvers: [
                person("li.wei", &[Role::Approver]),
                person("chen.yu", &[Role::Approver]),
                person("zhao.min", &[Role::Approver]),
                person("former.staff", &[Role::Approver]),
            ],
            supervisors: [
                person("wang.fang", &[Role::Supervisor]),
                person("sun.lei", &[Role::Supervisor]),
            ],
            clerks: [
                person("liu.yang", &[Role::Clerk]),
                person("zhou.na", &[Role::Clerk]),
            ],
        }
    }

    pub(crate) fn actor(&self, who: Who) -> &Actor {
        match who {
            Who::System => &self.system,
            Who::Admin => &self.admin,
            Who::Approver(i) => &self.approvers[usize::from(i) % 4],
            Who::Supervisor(i) => &self.supervisors[usize::from(i) % 2],
            Who::Clerk(i) => &self.clerks[usize::from(i) % 2],
        }
    }
}

impl Directory for Cast {
    fn actor(&self, name: &str) -> Option<Actor> {
        self.approvers
            .iter()
            .chain(&self.supervisors)
            .chain(&self.clerks)
            .chain([&self.admin])
            .find(|a| a.name == name)
            .cloned()
    }
}

const OPEN_SECS: u32 = 8 * 3600 + 30 * 60;
const CLOSE_SECS: u32 = 17 * 3600 + 30 * 60;

/// A random office time, 08:30:00-17:30:00.
pub(crate) fn office_time(rng: &mut fastrand::Rng) -> NaiveTime {
    secs_time(rng.u32(OPEN_SECS..=CLOSE_SECS))
}

fn secs_time(secs: u32) -> NaiveTime {
    NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or(NaiveTime::MIN)
}

/// A passing on-site checklist on `day`, reusing the applicant's report when it is domestic and
/// still valid, otherwise a new domestic report issued after entry.
fn checklist(rng: &mut fastrand::Rng, case: &Case, day: NaiveDate, valid_months: u32) -> Checklist {
    let oldest = Checklist::oldest_exam_accepted(day, valid_months);
    let reusable = case
        .exam_report
        .as_ref()
        .filter(|r| r.domestic && r.issued_on >= oldest && r.issued_on <= day);
    let (issued, institution) = match reusable {
        Some(r) => (r.issued_on, r.institution.clone()),
        None => {
            let entry = case.entry_date.unwrap_or(day).max(oldest);
            let span = (day - entry).num_days().clamp(0, 25) as u64;
            let issued = day - Days::new(rng.u64(0..=span));
            (
                issued,
                Some(super::pools::exam_institution(rng).to_string()),
            )
        }
    };
    let presented_by = match rng.u8(0..10) {
        0..=4 => Presenter::Applicant,
        5..=8 => Presenter::Handler,
        _ => Presenter::Agent,
    };
    Checklist {
        presented_by,
        originals: true,
        sealed_copies: true,
        visa_valid_until: Some(day + Days::new(rng.u64(60..=720))),
        exam_issued_on: Some(issued),
        exam_domestic: true,
        exam_institution: institution,
    }
}

/// A planned step the domain refused: a bug in the plan.
#[derive(Debug)]
pub(crate) struct Refused {
    pub message: String,
}

/// Drives the case through every step; returns the final case and its events. `former` says
/// whether `former.staff` still works here for this case (otherwise slot 3 is `stand_in`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn walk(
    env: &Env,
    cast: &Cast,
    draft: &Draft,
    dates: &[NaiveDate],
    submission: Submission,
    first_time: NaiveTime,
    stand_in: Option<u8>,
    rng: &mut fastrand::Rng,
) -> (Option<Case>, Vec<Event>, Option<Refused>) {
    let case_no = submission.case_no.clone();
    let mut submission = Some(submission);
    let mut events = Vec::with_capacity(draft.steps.len());
    let mut case: Option<Case> = None;
    let mut last: Option<(NaiveDate, u32)> = None;
    let mut entry = draft.entered;
    for (j, (step, &day)) in draft.steps.iter().zip(dates).enumerate() {
        if step.op == Op::Enter {
            entry = Some(day);
            continue;
        }
        let secs = match last {
            None => first_time.num_seconds_from_midnight(),
            Some((d, prev)) if d == day => {
                if prev + 60 < CLOSE_SECS {
                    (prev + rng.u32(60..=2400)).min(CLOSE_SECS)
                } else {
                    prev + rng.u32(1..=20)
                }
            }
            Some(_) => rng.u32(OPEN_SECS..=CLOSE_SECS),
        };
        last = Some((day, secs));
        let now = env.clock.at(day, secs_time(secs));
        let ctx = Context {
            now,
            clocks: Clocks {
                calendar: &env.calendar,
                policy: &env.policy,
                today: day,
            },
            directory: cast,
        };
        let who = match (step.who, stand_in) {
            (Who::FORMER, Some(i)) => Who::Approver(i),
            (who, _) => who,
        };
        let actor = cast.actor(who);
        // A claim the actor still holds (a returned case goes back to its holder) is kept.
        // A claim the approver still holds (a returned case goes back to its holder) is kept.
        let op = match (step.op, stand_in) {
            (Op::Assign(3), Some(i)) => Op::Assign(i),
            (op, _) => op,
        };
        let wanted = match op {
            Op::Claim => Some(actor),
            Op::Assign(i) => Some(cast.actor(Who::Approver(i))),
            _ => None,
        };
        if let Some(holder) = wanted {
            if case.as_ref().and_then(Case::assignee) == Some(holder.name.as_str()) {
                continue;
            }
        }
        let refused = |message: String| Some(Refused { message });
        let result = match (&case, op, submission.take()) {
            (None, Op::Submit, Some(first)) => submit(first, actor, &ctx),
            (Some(current), op, None) if op != Op::Submit => {
                let action = action(op, current, day, entry, env, cast, rng);
                decide(current, actor, action, &ctx)
            }
            (_, op, _) => {
                let message = format!("{case_no}: planned step {j} ({op:?}) does not fit the case");
                return (case, events, refused(message));
            }
        };
        match result {
            Ok((next, event)) => {
                case = Some(next);
                events.push(event);
            }
            Err(refusal) => {
                let message = format!(
                    "{case_no}: planned step {j} ({:?} by {} on {day}) was refused: {refusal}",
                    step.op, actor.name
                );
                return (case, events, refused(message));
            }
        }
    }
    (case, events, None)
}

fn action(
    op: Op,
    case: &Case,
    day: NaiveDate,
    entry: Option<NaiveDate>,
    env: &Env,
    cast: &Cast,
    rng: &mut fastrand::Rng,
) -> Action {
    let text = |s: &str| s.to_string();
    match op {
        Op::Claim => Action::Claim,
        Op::Assign(i) => Action::Assign {
            assignee: cast.actor(Who::Approver(i)).name.clone(),
        },
        Op::Accept => Action::Approve { note: None },
        Op::Return(why) | Op::VerifyReturn(why) => Action::Return { reason: text(why) },
        Op::Resubmit => Action::Resubmit,
        Op::NotAccept(why) => Action::NotAccept { reason: text(why) },
        Op::Recommend(Verdict::Approve, why) | Op::Sign(Verdict::Approve, why) => Action::Approve {
            note: (!why.is_empty()).then(|| text(why)),
        },
        Op::Recommend(Verdict::Refuse, why) | Op::Sign(Verdict::Refuse, why) => {
            Action::Refuse { reason: text(why) }
        }
        Op::SendBack(why) => Action::SendBack { reason: text(why) },
        Op::Extend(days, why) => Action::Extend {
            days: u32::from(days),
            reason: text(why),
        },
        Op::Note(why) => Action::Note { text: text(why) },
        // `walk` never asks for Submit or Enter here.
        Op::Submit | Op::Enter | Op::RecordEntry => Action::RecordEntry {
            date: entry.unwrap_or(day).min(day),
        },
        Op::ECard => Action::ECardRegistered { date: day },
        Op::Verify => Action::Verify {
            checklist: checklist(rng, case, day, env.policy.exam_report_valid_months),
        },
        Op::Lapse(why) => Action::Lapse { reason: text(why) },
        Op::Reopen(why) => Action::Reopen { reason: text(why) },
        Op::Withdraw(why) => Action::Withdraw { reason: text(why) },
    }
}

/// A domestic exam report issued so that it expires after today but before the verification
/// window that opened on `window` closes.
pub(crate) fn expiring_report(
    env: &Env,
    window: NaiveDate,
    rng: &mut fastrand::Rng,
) -> Option<ExamReport> {
    let closes = window + Days::new(u64::from(env.policy.verification_calendar_days));
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
