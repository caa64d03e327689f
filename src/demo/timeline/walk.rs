//! Taking a resolved draft through the domain, step by step, as the office's users.

use super::cast::Crew;
use super::{Draft, Env, Op, Who};
use crate::domain::case::Verdict;
use crate::domain::{
    Action, Case, Checklist, Clocks, Context, Event, Presenter, Submission, VisaKind, decide,
    submit,
};
use chrono::{Days, NaiveDate, NaiveTime, Timelike};

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
                Some(crate::demo::pools::exam_institution(rng).to_string()),
            )
        }
    };
    let presented_by = match rng.u8(0..10) {
        0..=4 => Presenter::Applicant,
        5..=8 => Presenter::Handler,
        _ => Presenter::Agent,
    };
    let valid_days = rng.u64(60..=720);
    // Derived from draws already made, so the demo's other cases stay as they were: a short
    // validity is the Z visa the applicant entered on, a long one the residence permit since.
    let visa_kind = if valid_days < 180 {
        VisaKind::WorkVisa
    } else {
        VisaKind::WorkResidencePermit
    };
    Checklist {
        presented_by,
        power_of_attorney: presented_by == Presenter::Agent,
        originals: true,
        sealed_copies: true,
        visa_kind: Some(visa_kind),
        visa_valid_until: Some(day + Days::new(valid_days)),
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
    crew: &Crew,
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
            directory: crew.cast,
        };
        let who = match (step.who, stand_in) {
            (Who::FORMER, Some(i)) => Who::Approver(i),
            (who, _) => who,
        };
        let actor = crew.actor(who);
        // A claim the actor still holds (a returned case goes back to its holder) is kept.
        let op = match (step.op, stand_in) {
            (Op::Assign(3), Some(i)) => Op::Assign(i),
            (op, _) => op,
        };
        let wanted = match op {
            Op::Claim => Some(actor),
            Op::Assign(i) => Some(crew.actor(Who::Approver(i))),
            _ => None,
        };
        if let Some(holder) = wanted {
            if case.as_ref().and_then(Case::assignee) == Some(holder.name.as_str()) {
                continue;
            }
        }
        let refused = |message: String| Some(Refused { message });
        // A verification the plan's office days pushed past the window: a supervisor allows it
        // first, as the office would have to.
        if let Some(current) = case.as_ref().filter(|c| op == Op::Verify && late(c, &ctx)) {
            let whys = crate::demo::texts::ALLOW_LATES;
            let why = whys[rng.usize(..whys.len())];
            let allow = Action::AllowLate {
                reason: why.to_string(),
            };
            let supervisor = crew.actor(Who::Supervisor(0));
            match decide(current, supervisor, allow, &ctx) {
                Ok((next, event)) => {
                    case = Some(next);
                    events.push(event);
                }
                Err(refusal) => {
                    let message = format!("{case_no}: allowing step {j} late: {refusal}");
                    return (case, events, refused(message));
                }
            }
        }
        let result = match (&case, op, submission.take()) {
            (None, Op::Submit, Some(first)) => submit(first, actor, &ctx),
            (Some(current), op, None) if op != Op::Submit => {
                let action = action(op, current, day, entry, env, crew, rng);
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

/// Whether verifying `case` now needs a supervisor's allowance first.
fn late(case: &Case, ctx: &Context) -> bool {
    case.late_allowed.is_none()
        && ctx
            .clocks
            .verification(case)
            .is_some_and(|w| w.state == crate::domain::DeadlineState::Overdue)
}

fn action(
    op: Op,
    case: &Case,
    day: NaiveDate,
    entry: Option<NaiveDate>,
    env: &Env,
    crew: &Crew,
    rng: &mut fastrand::Rng,
) -> Action {
    let text = |s: &str| s.to_string();
    match op {
        Op::Claim => Action::Claim,
        Op::Assign(i) => Action::Assign {
            assignee: crew.actor(Who::Approver(i)).name.clone(),
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
