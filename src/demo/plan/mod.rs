//! The steps that take a demo case to its goal, and the dates they fall on.

mod draft;

use super::goals::{At, COVERAGE, Goal, Spec, State, choose_category, choose_kind, random_spec};
use super::timeline::{Draft, Env, Op, Who, expiring_report, resolve, window_start};
use crate::domain::case::ExamReport;
use crate::domain::{Category, Kind};
use chrono::{Days, NaiveDate, NaiveTime};
use draft::draft;

/// Everything decided about a case before it is driven through the domain.
pub(crate) struct Plan {
    pub kind: Kind,
    pub category: Category,
    pub legacy: bool,
    pub draft: Draft,
    pub dates: Vec<NaiveDate>,
    pub submitted_time: NaiveTime,
    /// `former.staff` is replaced by this approver (the case is too recent for them).
    pub stand_in: Option<u8>,
    pub exam_report: Option<ExamReport>,
    /// Documents found deficient at pre-audit (bit per entry of `DOCUMENTS`).
    pub bad_documents: u8,
}

impl Plan {
    pub(crate) fn submitted(&self) -> NaiveDate {
        self.dates[0]
    }
}

pub(crate) fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}

pub(crate) fn chance(rng: &mut fastrand::Rng, percent: u32) -> bool {
    rng.u32(0..1000) < percent * 10
}

pub(crate) fn permille(rng: &mut fastrand::Rng, p: u32) -> bool {
    rng.u32(0..1000) < p
}

/// An approver slot: li.wei, chen.yu and zhao.min, or `former.staff` (slot 3) on older cases.
fn approver(rng: &mut fastrand::Rng) -> u8 {
    match rng.u32(0..100) {
        0..36 => 0,
        36..68 => 1,
        68..90 => 2,
        _ => 3,
    }
}

/// An offset back from today with the wanted state, from a start table.
fn start_offset(
    rng: &mut fastrand::Rng,
    env: &Env,
    lists: &[Vec<u16>; 3],
    due: State,
    office: bool,
) -> u16 {
    let (list, late30) = match due {
        State::OnTrack => (&lists[0], false),
        State::DueSoon => (&lists[1], false),
        State::Overdue => (&lists[2], false),
        State::Late30 => (&lists[2], true),
    };
    let candidates: &[u16] = if late30 {
        // Overdue by more than 30 days: nobody has lapsed these yet.
        let late = u16::try_from(env.policy.verification_calendar_days + 30).unwrap_or(60);
        let from = list.partition_point(|&o| o <= late);
        let to = list.partition_point(|&o| o <= late + 60);
        &list[from.min(to)..to]
    } else if due == State::Overdue {
        // Mostly a few days late; a few stuck for weeks.
        let r = rng.u32(0..100);
        let span = if r < 65 {
            5
        } else if r < 90 {
            12
        } else {
            25
        };
        &list[..list.len().min(span)]
    } else {
        list
    };
    let fallback = lists
        .iter()
        .find(|l| !l.is_empty())
        .and_then(|l| l.first())
        .copied();
    for _ in 0..8 {
        let Some(&off) =
            (!candidates.is_empty()).then(|| &candidates[rng.usize(..candidates.len())])
        else {
            break;
        };
        if !office || env.is_working(env.ago(off)) {
            return off;
        }
    }
    candidates.first().copied().or(fallback).unwrap_or(0)
}

/// A recent day, mostly within two weeks.
fn recent(rng: &mut fastrand::Rng, short: u16, medium: u16, long: u16) -> u16 {
    match rng.u32(0..100) {
        0..70 => rng.u16(0..=short),
        70..95 => rng.u16(short..=medium),
        _ => rng.u16(medium..=long),
    }
}

/// From this age (days since submission) on, cases are as likely to be closed as ever.
const CLOSED_BY_AGE: u32 = 60;

/// Submissions over ~2 years, twice as dense today as at the start of the window.
fn sample_start(rng: &mut fastrand::Rng, env: &Env, latest: NaiveDate) -> NaiveDate {
    let d = 730.0_f64;
    let x_max = ((latest - env.window_start).num_days().max(0)) as f64;
    let g = x_max + x_max * x_max / (2.0 * d);
    let mut s = latest;
    // Employers submit online on weekends and holidays too, but far less.
    for _ in 0..4 {
        let y = rng.f64() * g;
        let x = d * ((1.0 + 2.0 * y / d).sqrt() - 1.0);
        s = env.window_start + Days::new(x.floor().clamp(0.0, x_max) as u64);
        if env.is_working(s) || chance(rng, 25) {
            break;
        }
    }
    s
}

/// Plans case `index` of a build.
pub(crate) fn plan(env: &Env, index: u64, rng: &mut fastrand::Rng) -> Plan {
    let mut spec = match usize::try_from(index).ok().and_then(|i| COVERAGE.get(i)) {
        Some(s) => *s,
        None => random_spec(rng, env),
    };
    if spec.legacy && !env.legacy_ok {
        spec.legacy = false;
    }
    let kind = choose_kind(rng, &spec);
    plan_kind(env, spec, kind, rng)
}

fn plan_kind(env: &Env, spec: Spec, kind: Kind, rng: &mut fastrand::Rng) -> Plan {
    let category = choose_category(rng, &spec);
    let legacy = spec.legacy && kind == Kind::OverseasNew;
    let may_enter_first = legacy || kind == Kind::NewNotification;
    // An applicant already in China never waits for entry: signing starts the window.
    let awaits_entry = matches!(spec.goal, Goal::Notified | Goal::Withdrawn(At::Notified));
    let entered_first = may_enter_first
        && !awaits_entry
        && spec.entered.unwrap_or_else(|| {
            let p = if legacy { 70 } else { 60 };
            // Open verification timers are pinned to the entry day unless the applicant entered first.
            chance(rng, p)
        });
    let (draft, bad_documents) = draft(rng, env, spec.goal, kind, category, legacy, entered_first);
    let mut dates = Vec::with_capacity(draft.steps.len());
    if draft.anchor.is_some() {
        resolve(env, &draft, env.today, &mut dates);
    } else {
        let first = if legacy {
            // Submitted in the three months before the changeover, in transit on it.
            let changeover = env.policy.changeover;
            let lo = changeover
                .checked_sub_days(Days::new(90))
                .unwrap_or(changeover);
            env.prev_working(lo + Days::new(rng.u64(0..88)))
        } else {
            resolve(env, &draft, env.ago(650), &mut dates);
            let span = (dates[dates.len() - 1] - dates[0]).num_days().max(0) as u64;
            // Recent submissions are mostly still open: a closed case of that age is less likely.
            let latest = env.today - Days::new(span);
            let mut start = sample_start(rng, env, latest);
            for _ in 0..12 {
                let age = (env.today - start).num_days();
                if rng.f64() * f64::from(CLOSED_BY_AGE) < age as f64 {
                    break;
                }
                start = sample_start(rng, env, latest);
            }
            start
        };
        let mut start = first;
        for _ in 0..6 {
            resolve(env, &draft, start, &mut dates);
            let over = (dates[dates.len() - 1] - env.today).num_days();
            if over <= 0 {
                break;
            }
            start = start - Days::new(over as u64 + rng.u64(0..4));
        }
        // Nothing but a legacy case was submitted before the card integration: a plan that
        // fits between the changeover day and today starts on the changeover day (only a demo
        // dated soon after the changeover has plans too long for that).
        let changeover = env.policy.changeover;
        if !legacy && dates[0] < changeover {
            let mut since = Vec::with_capacity(dates.len());
            resolve(env, &draft, changeover, &mut since);
            if since.last().is_some_and(|last| *last <= env.today) {
                dates = since;
            }
        }
    }
    // Only a demo dated soon after the changeover gets here: these kinds did not exist before
    // it, so the case becomes one of a kind that did (the domain refuses the others).
    if !legacy
        && dates[0] < env.policy.changeover
        && matches!(kind, Kind::NewNotification | Kind::ECertificate)
    {
        let spec = Spec {
            entered: Some(false),
            ..spec
        };
        let kind = if kind == Kind::NewNotification {
            Kind::OverseasNew
        } else {
            Kind::DomesticNew
        };
        return plan_kind(env, spec, kind, rng);
    }
    let mut draft = draft;
    let submitted = dates[0];
    if entered_first {
        let back = if legacy {
            rng.u64(30..=400)
        } else {
            rng.u64(20..=300)
        };
        draft.entered = Some(submitted - Days::new(back));
    }
    let exam_expiring = matches!(
        spec.goal,
        Goal::Verification {
            exam_expiring: true,
            ..
        }
    );
    let in_china =
        entered_first || matches!(kind, Kind::DomesticNew | Kind::Extension | Kind::Change);
    let exam_report = if exam_expiring {
        window_start(&draft, &dates).and_then(|w| expiring_report(env, w, rng))
    } else {
        match kind {
            Kind::ECertificate | Kind::Cancellation => None,
            _ if in_china => Some(ExamReport {
                issued_on: submitted - Days::new(rng.u64(5..=90)),
                domestic: true,
                institution: Some(super::pools::exam_institution(rng).to_string()),
            }),
            _ => Some(ExamReport {
                issued_on: submitted - Days::new(rng.u64(10..=60)),
                domestic: false,
                institution: None,
            }),
        }
    };
    let uses_former = draft
        .steps
        .iter()
        .zip(&dates)
        .filter(|(s, _)| s.who == Who::FORMER || s.op == Op::Assign(3))
        .map(|(_, d)| *d)
        .max();
    let stand_in = match uses_former {
        Some(last) if spec.goal.is_open() || last >= env.leave_day => Some(rng.u8(0..3)),
        _ => None,
    };
    Plan {
        kind,
        category,
        legacy,
        draft,
        dates,
        submitted_time: super::timeline::office_time(rng),
        stand_in,
        exam_report,
        bad_documents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Calendar, Clock, Policy};

    #[test]
    fn plans_follow_the_offices_changeover_day() {
        let policy = Policy {
            changeover: NaiveDate::from_ymd_opt(2025, 3, 3).unwrap_or(NaiveDate::MIN),
            ..Policy::default()
        };
        let today = NaiveDate::from_ymd_opt(2026, 5, 31).unwrap_or(NaiveDate::MIN);
        let clock = Clock::new(chrono_tz::Asia::Shanghai, Some(today));
        let env = Env::new(Calendar::embedded(), policy.clone(), today, clock);
        let mut legacy = 0;
        for index in 0..600 {
            let mut rng = fastrand::Rng::with_seed(index);
            let plan = plan(&env, index, &mut rng);
            if plan.legacy {
                legacy += 1;
                let claimed = plan
                    .draft
                    .steps
                    .iter()
                    .zip(&plan.dates)
                    .find(|(step, _)| step.op == Op::Claim)
                    .map(|(_, day)| *day);
                assert!(
                    claimed.is_some_and(|day| day >= policy.changeover),
                    "case {index}: a legacy case claimed on {claimed:?}"
                );
            } else {
                assert!(
                    plan.submitted() >= policy.changeover,
                    "case {index}: a {} case submitted on {}",
                    plan.kind,
                    plan.submitted()
                );
            }
        }
        assert!(legacy > 0, "no legacy case among 600");
    }
}
