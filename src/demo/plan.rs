//! The steps that take a demo case to its goal, and the dates they fall on.

use super::goals::{At, COVERAGE, Goal, State, choose_category, choose_kind, random_spec};
use super::texts::*;
use super::timeline::{Draft, Env, Gap, Op, REFORM, Who, expiring_report, resolve, window_start};
use crate::domain::case::{ExamReport, Verdict};
use crate::domain::{Category, Kind};
use chrono::{Days, NaiveDate, NaiveTime};

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
    let category = choose_category(rng, &spec);
    let legacy = spec.legacy && kind == Kind::OverseasNew;
    let may_enter_first = legacy || kind == Kind::NewNotification;
    let entered_first = may_enter_first
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
            let lo = NaiveDate::from_ymd_opt(2024, 9, 2).unwrap_or(REFORM);
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

/// The steps to a goal. Open goals pin one step so that today sees the wanted timer state.
fn draft(
    rng: &mut fastrand::Rng,
    env: &Env,
    goal: Goal,
    kind: Kind,
    category: Category,
    legacy: bool,
    entered_first: bool,
) -> (Draft, u8) {
    let mut d = Draft::default();
    let mut bad = 0u8;
    let a1 = approver(rng);
    let sup = rng.u8(0..2);
    let clerk = rng.u8(0..2);
    let system_or_admin = |rng: &mut fastrand::Rng| {
        if chance(rng, 92) {
            Who::System
        } else {
            Who::Admin
        }
    };
    d.push(Op::Submit, Who::System, Gap::Cal(0));
    if legacy {
        d.push(
            Op::Claim,
            Who::Approver(a1),
            Gap::After(REFORM, rng.u8(0..6)),
        );
        d.push(
            Op::Return(RESTART),
            Who::Approver(a1),
            Gap::Wd(rng.u8(0..2)),
        );
        if let Goal::Returned { .. } = goal {
            return (d, bad);
        }
        d.push(Op::Resubmit, Who::System, Gap::Cal(rng.u16(3..=30)));
    }
    // Now and then a supervisor hands the case out instead of the approver claiming it.
    let claim = |d: &mut Draft, rng: &mut fastrand::Rng, who: u8, gap: u8| {
        if chance(rng, 8) {
            d.push(Op::Assign(who), Who::Supervisor(sup), Gap::Wd(gap));
        } else {
            d.push(Op::Claim, Who::Approver(who), Gap::Wd(gap));
        }
    };
    // Pre-audit.
    if let Goal::PreAudit {
        due,
        claimed,
        after_return,
    } = goal
    {
        let budget = env.policy.pre_audit_working_days as usize;
        if after_return {
            {
                let g = rng.u8(0..2);
                claim(&mut d, rng, a1, g);
            }
            let (why, docs) = pick(rng, PRE_AUDIT_RETURNS);
            bad |= docs;
            d.push(Op::Return(why), Who::Approver(a1), Gap::Wd(rng.u8(0..2)));
            d.push(
                Op::Resubmit,
                system_or_admin(rng),
                Gap::Cal(rng.u16(1..=10)),
            );
        }
        let off = start_offset(rng, env, &env.working[budget].by_state, due, false);
        d.pin_last(env.ago(off));
        if claimed {
            {
                let g = rng.u8(0..2);
                claim(&mut d, rng, a1, g);
            }
        }
        return (d, bad);
    }
    {
        let g = rng.u8(0..3);
        claim(&mut d, rng, a1, g);
    }
    match goal {
        Goal::Returned { from_review: false } => {
            let (why, docs) = pick(rng, PRE_AUDIT_RETURNS);
            d.push(Op::Return(why), Who::Approver(a1), Gap::Wd(rng.u8(0..2)));
            d.pin_last(env.ago(recent(rng, 14, 45, 120)));
            return (d, bad | docs);
        }
        Goal::NotAccepted => {
            d.push(
                Op::NotAccept(pick(rng, NOT_ACCEPTED)),
                Who::Approver(a1),
                Gap::Wd(rng.u8(0..3)),
            );
            return (d, bad);
        }
        Goal::Withdrawn(At::PreAudit) => {
            d.push(
                Op::Withdraw(pick(rng, WITHDRAW_ASKED)),
                Who::Approver(a1),
                Gap::Wd(rng.u8(0..3)),
            );
            return (d, bad);
        }
        _ => {}
    }
    let pre_return = chance(rng, 15) || goal == Goal::Withdrawn(At::Returned);
    if pre_return {
        let (why, docs) = pick(rng, PRE_AUDIT_RETURNS);
        bad |= docs;
        d.push(Op::Return(why), Who::Approver(a1), Gap::Wd(rng.u8(0..2)));
        if goal == Goal::Withdrawn(At::Returned) {
            d.push(
                Op::Withdraw(WITHDRAW_UPSTREAM),
                Who::System,
                Gap::Cal(rng.u16(3..=25)),
            );
            return (d, bad);
        }
        d.push(
            Op::Resubmit,
            system_or_admin(rng),
            Gap::Cal(rng.u16(1..=12)),
        );
        {
            let g = rng.u8(0..2);
            claim(&mut d, rng, a1, g);
        }
    }
    let accept = d.push(Op::Accept, Who::Approver(a1), Gap::Wd(rng.u8(0..3)));
    // Review.
    let reviewer = if chance(rng, 4) {
        Who::Supervisor(1 - sup)
    } else if chance(rng, 70) {
        Who::Approver(a1)
    } else {
        Who::Approver(approver(rng))
    };
    let review_claim = |d: &mut Draft, rng: &mut fastrand::Rng, gap: u8| match reviewer {
        Who::Approver(i) => claim(d, rng, i, gap),
        who => {
            d.push(Op::Claim, who, Gap::Wd(gap));
        }
    };
    let quick = category == Category::A;
    let recommend_gap = |rng: &mut fastrand::Rng| if quick { rng.u8(0..3) } else { rng.u8(1..7) };
    match goal {
        Goal::Review {
            due,
            claimed,
            extended,
            sent_back,
        } => {
            let ext = if extended { rng.u8(3..=10) } else { 0 };
            let budget = env.decision_budget(category, ext);
            let off = start_offset(rng, env, &env.working[budget].by_state, due, true);
            d.anchor = Some((accept, env.ago(off)));
            if claimed || sent_back {
                {
                    let g = rng.u8(0..3);
                    review_claim(&mut d, rng, g);
                }
            }
            if extended {
                d.push(
                    Op::Extend(ext, pick(rng, EXTENSIONS)),
                    Who::Supervisor(sup),
                    Gap::Wd(rng.u8(1..3)),
                );
            }
            if sent_back {
                d.push(
                    Op::Recommend(Verdict::Approve, ""),
                    reviewer,
                    Gap::Wd(recommend_gap(rng)),
                );
                d.push(
                    Op::SendBack(pick(rng, SEND_BACKS)),
                    Who::Supervisor(sup),
                    Gap::Wd(rng.u8(0..2)),
                );
            }
            return (d, bad);
        }
        Goal::Decision {
            refuse,
            due,
            extended,
        } => {
            let ext = if extended { rng.u8(3..=10) } else { 0 };
            let budget = env.decision_budget(category, ext);
            let off = start_offset(rng, env, &env.working[budget].by_state, due, true);
            d.anchor = Some((accept, env.ago(off)));
            {
                let g = rng.u8(0..3);
                review_claim(&mut d, rng, g);
            }
            if extended {
                d.push(
                    Op::Extend(ext, pick(rng, EXTENSIONS)),
                    Who::Supervisor(sup),
                    Gap::Wd(rng.u8(1..3)),
                );
            }
            let op = if refuse {
                Op::Recommend(Verdict::Refuse, pick(rng, REFUSE_REASONS))
            } else {
                Op::Recommend(Verdict::Approve, pick(rng, RECOMMEND_NOTES))
            };
            d.push(op, reviewer, Gap::Wd(recommend_gap(rng)));
            return (d, bad);
        }
        Goal::Returned { from_review: true } => {
            {
                let g = rng.u8(0..2);
                review_claim(&mut d, rng, g);
            }
            d.push(
                Op::Return(pick(rng, REVIEW_RETURNS)),
                reviewer,
                Gap::Wd(rng.u8(1..3)),
            );
            d.pin_last(env.ago(recent(rng, 14, 40, 90)));
            return (d, bad);
        }
        _ => {}
    }
    {
        let g = rng.u8(0..4);
        review_claim(&mut d, rng, g);
    }
    if chance(rng, 7) {
        d.push(
            Op::Return(pick(rng, REVIEW_RETURNS)),
            reviewer,
            Gap::Wd(rng.u8(1..4)),
        );
        d.push(
            Op::Resubmit,
            system_or_admin(rng),
            Gap::Cal(rng.u16(2..=15)),
        );
        {
            let g = rng.u8(0..2);
            review_claim(&mut d, rng, g);
        }
    }
    if chance(rng, 5) {
        d.push(Op::Note(pick(rng, NOTES)), reviewer, Gap::Wd(rng.u8(0..2)));
    }
    if goal == Goal::Withdrawn(At::Review) {
        d.push(
            Op::Withdraw(pick(rng, WITHDRAW_ASKED)),
            reviewer,
            Gap::Wd(rng.u8(1..4)),
        );
        return (d, bad);
    }
    if chance(rng, 4) {
        d.push(
            Op::Extend(rng.u8(3..=10), pick(rng, EXTENSIONS)),
            Who::Supervisor(sup),
            Gap::Wd(rng.u8(1..3)),
        );
    }
    let refused = goal == Goal::Refused;
    // Rarely the supervisor signs against the recommendation.
    let against = if refused {
        chance(rng, 15)
    } else {
        permille(rng, 5)
    };
    let recommend_refusal = refused != against;
    let recommendation = if recommend_refusal {
        Op::Recommend(Verdict::Refuse, pick(rng, REFUSE_REASONS))
    } else {
        Op::Recommend(Verdict::Approve, pick(rng, RECOMMEND_NOTES))
    };
    d.push(recommendation, reviewer, Gap::Wd(recommend_gap(rng)));
    if chance(rng, 3) {
        d.push(
            Op::SendBack(pick(rng, SEND_BACKS)),
            Who::Supervisor(sup),
            Gap::Wd(rng.u8(0..2)),
        );
        d.push(recommendation, reviewer, Gap::Wd(rng.u8(1..4)));
    }
    // A supervisor who reviewed is never the signer: the other one signs.
    let signer = Who::Supervisor(sup);
    let sign = match (refused, against) {
        (true, false) => Op::Sign(Verdict::Refuse, SIGN_REFUSE),
        (true, true) => Op::Sign(Verdict::Refuse, SIGN_AGAINST_APPROVAL),
        (false, true) => Op::Sign(Verdict::Approve, SIGN_AGAINST_REFUSAL),
        (false, false) => Op::Sign(Verdict::Approve, pick(rng, SIGN_NOTES)),
    };
    d.push(sign, signer, Gap::Wd(rng.u8(0..3)));
    if refused || !kind.issues_notification() {
        return (d, bad);
    }
    // Notified: waiting for entry.
    let sign_step = d.last();
    match goal {
        Goal::Notified => {
            d.pin_last(env.ago(recent(rng, 30, 75, 150)));
            return (d, bad);
        }
        Goal::Withdrawn(At::Notified) => {
            d.push(
                Op::Withdraw(WITHDRAW_UPSTREAM),
                Who::System,
                Gap::Cal(rng.u16(20..=120)),
            );
            return (d, bad);
        }
        _ => {}
    }
    let recorder = if chance(rng, 70) {
        Who::Clerk(clerk)
    } else {
        Who::System
    };
    let verification_due = match goal {
        Goal::Verification { due, .. } => Some(due),
        _ => None,
    };
    let reopened_open = matches!(goal, Goal::Verification { reopened: true, .. });
    let pin_window = |d: &mut Draft, rng: &mut fastrand::Rng, step: usize, office: bool| {
        if let Some(due) = verification_due {
            let mut off = start_offset(rng, env, &env.verification.by_state, due, office);
            if reopened_open {
                off = off.max(60);
            }
            d.anchor = Some((step, env.ago(off)));
        }
    };
    if entered_first {
        pin_window(&mut d, rng, sign_step, true);
    } else {
        d.push(Op::Enter, Who::System, Gap::Cal(rng.u16(7..=80)));
        let enter = d.last();
        pin_window(&mut d, rng, enter, false);
    }
    if category == Category::A {
        if chance(rng, 50) {
            d.push(Op::ECard, Who::System, Gap::Cal(rng.u16(1..=5)));
        }
        d.push(Op::RecordEntry, recorder, Gap::Cal(rng.u16(0..=5)));
        return (d, bad);
    }
    d.push(Op::RecordEntry, recorder, Gap::Cal(rng.u16(0..=5)));
    if chance(rng, 50) {
        d.push(Op::ECard, Who::System, Gap::Cal(rng.u16(1..=8)));
    }
    match goal {
        Goal::Verification { reopened: true, .. } => {
            d.push(
                Op::Lapse(pick(rng, LAPSES)),
                Who::Supervisor(sup),
                Gap::Window(rng.u16(31..=45)),
            );
            d.push(
                Op::Reopen(pick(rng, REOPENS)),
                Who::Supervisor(sup),
                Gap::Cal(rng.u16(2..=12)),
            );
            return (d, bad);
        }
        Goal::Verification { returned, .. } => {
            if returned {
                d.push(
                    Op::VerifyReturn(pick(rng, VERIFY_RETURNS)),
                    Who::Clerk(clerk),
                    Gap::Cal(rng.u16(1..=10)),
                );
            }
            return (d, bad);
        }
        Goal::Withdrawn(At::Verification) => {
            d.push(
                Op::Withdraw(WITHDRAW_UPSTREAM),
                Who::System,
                Gap::Cal(rng.u16(3..=25)),
            );
            return (d, bad);
        }
        _ => {}
    }
    if chance(rng, 10) {
        d.push(
            Op::VerifyReturn(pick(rng, VERIFY_RETURNS)),
            Who::Clerk(clerk),
            Gap::Window(rng.u16(3..=20)),
        );
    }
    match goal {
        Goal::Lapsed => {
            d.push(
                Op::Lapse(pick(rng, LAPSES)),
                Who::Supervisor(sup),
                Gap::Window(rng.u16(31..=75)),
            );
        }
        Goal::ReopenedVerified => {
            d.push(
                Op::Lapse(pick(rng, LAPSES)),
                Who::Supervisor(sup),
                Gap::Window(rng.u16(31..=50)),
            );
            d.push(
                Op::Reopen(pick(rng, REOPENS)),
                Who::Supervisor(sup),
                Gap::Cal(rng.u16(1..=10)),
            );
            d.push(Op::Verify, Who::Clerk(clerk), Gap::Cal(rng.u16(1..=7)));
        }
        _ => {
            let late = if chance(rng, 3) {
                rng.u16(31..=40)
            } else {
                rng.u16(3..=29)
            };
            d.push(Op::Verify, Who::Clerk(clerk), Gap::Window(late));
        }
    }
    (d, bad)
}
