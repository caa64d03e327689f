//! What happens to each demo case: a goal (the stage it ends in today and the state of its
//! governing timer), a kind and category that fit it, and the steps that lead there.

use super::timeline::{Draft, Env, Gap, Op, REFORM, Who, expiring_report, resolve, window_start};
use crate::domain::case::{ExamReport, Verdict};
use crate::domain::{Category, Kind};
use chrono::{Days, NaiveDate, NaiveTime};

/// The running state wanted for an open case's governing timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    OnTrack,
    DueSoon,
    Overdue,
    /// Overdue by more than 30 days (verification windows nobody closed).
    Late30,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    PreAudit,
    Returned,
    Review,
    Notified,
    Verification,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    Completed,
    Refused,
    NotAccepted,
    Withdrawn(At),
    Lapsed,
    /// Lapsed, reopened by a supervisor and then verified.
    ReopenedVerified,
    PreAudit {
        due: Due,
        claimed: bool,
        after_return: bool,
    },
    Returned {
        from_review: bool,
    },
    Review {
        due: Due,
        claimed: bool,
        extended: bool,
        sent_back: bool,
    },
    Decision {
        refuse: bool,
        due: Due,
        extended: bool,
    },
    Notified,
    Verification {
        due: Due,
        reopened: bool,
        exam_expiring: bool,
        returned: bool,
    },
}

impl Goal {
    fn is_open(self) -> bool {
        matches!(
            self,
            Goal::PreAudit { .. }
                | Goal::Returned { .. }
                | Goal::Review { .. }
                | Goal::Decision { .. }
                | Goal::Notified
                | Goal::Verification { .. }
        )
    }

    /// Goals only cases that issue a Notification can reach.
    fn needs_notification(self) -> bool {
        matches!(
            self,
            Goal::Notified
                | Goal::Verification { .. }
                | Goal::Lapsed
                | Goal::ReopenedVerified
                | Goal::Withdrawn(At::Notified | At::Verification)
        )
    }

    fn needs_verification(self) -> bool {
        matches!(
            self,
            Goal::Verification { .. }
                | Goal::Lapsed
                | Goal::ReopenedVerified
                | Goal::Withdrawn(At::Verification)
        )
    }
}

/// A goal with optional constraints on the case it applies to.
#[derive(Debug, Clone, Copy)]
struct Spec {
    goal: Goal,
    kind: Option<Kind>,
    category: Option<Category>,
    legacy: bool,
    entered: Option<bool>,
}

const fn spec(goal: Goal) -> Spec {
    Spec {
        goal,
        kind: None,
        category: None,
        legacy: false,
        entered: None,
    }
}

const fn with(goal: Goal, kind: Kind, category: Category, entered: Option<bool>) -> Spec {
    Spec {
        goal,
        kind: Some(kind),
        category: Some(category),
        legacy: false,
        entered,
    }
}

use Due::*;

/// Cases every demo store has, whatever its size: each stage, timer state and special case.
const COVERAGE: &[Spec] = &[
    spec(Goal::PreAudit {
        due: OnTrack,
        claimed: true,
        after_return: false,
    }),
    spec(Goal::PreAudit {
        due: DueSoon,
        claimed: false,
        after_return: false,
    }),
    spec(Goal::PreAudit {
        due: Overdue,
        claimed: true,
        after_return: false,
    }),
    spec(Goal::PreAudit {
        due: Overdue,
        claimed: false,
        after_return: true,
    }),
    spec(Goal::Returned { from_review: false }),
    spec(Goal::Returned { from_review: true }),
    spec(Goal::Review {
        due: OnTrack,
        claimed: true,
        extended: false,
        sent_back: false,
    }),
    spec(Goal::Review {
        due: DueSoon,
        claimed: true,
        extended: true,
        sent_back: false,
    }),
    spec(Goal::Review {
        due: Overdue,
        claimed: true,
        extended: false,
        sent_back: false,
    }),
    spec(Goal::Review {
        due: OnTrack,
        claimed: false,
        extended: false,
        sent_back: false,
    }),
    spec(Goal::Review {
        due: Overdue,
        claimed: true,
        extended: false,
        sent_back: true,
    }),
    spec(Goal::Decision {
        refuse: false,
        due: OnTrack,
        extended: false,
    }),
    spec(Goal::Decision {
        refuse: false,
        due: DueSoon,
        extended: false,
    }),
    spec(Goal::Decision {
        refuse: false,
        due: Overdue,
        extended: false,
    }),
    spec(Goal::Decision {
        refuse: true,
        due: OnTrack,
        extended: false,
    }),
    spec(Goal::Decision {
        refuse: true,
        due: Overdue,
        extended: true,
    }),
    with(Goal::Notified, Kind::OverseasNew, Category::B, None),
    with(Goal::Notified, Kind::OverseasNew, Category::A, None),
    with(
        Goal::Verification {
            due: OnTrack,
            reopened: false,
            exam_expiring: false,
            returned: false,
        },
        Kind::OverseasNew,
        Category::B,
        None,
    ),
    with(
        Goal::Verification {
            due: DueSoon,
            reopened: false,
            exam_expiring: false,
            returned: false,
        },
        Kind::OverseasNew,
        Category::C,
        None,
    ),
    with(
        Goal::Verification {
            due: Overdue,
            reopened: false,
            exam_expiring: false,
            returned: true,
        },
        Kind::OverseasNew,
        Category::B,
        None,
    ),
    with(
        Goal::Verification {
            due: Late30,
            reopened: false,
            exam_expiring: false,
            returned: false,
        },
        Kind::OverseasNew,
        Category::C,
        None,
    ),
    with(
        Goal::Verification {
            due: Late30,
            reopened: true,
            exam_expiring: false,
            returned: false,
        },
        Kind::OverseasNew,
        Category::B,
        None,
    ),
    with(
        Goal::Verification {
            due: OnTrack,
            reopened: false,
            exam_expiring: true,
            returned: false,
        },
        Kind::NewNotification,
        Category::B,
        Some(true),
    ),
    with(
        Goal::Verification {
            due: DueSoon,
            reopened: false,
            exam_expiring: true,
            returned: true,
        },
        Kind::NewNotification,
        Category::C,
        Some(true),
    ),
    with(Goal::Completed, Kind::OverseasNew, Category::B, None),
    with(Goal::Completed, Kind::OverseasNew, Category::A, None),
    with(
        Goal::Completed,
        Kind::NewNotification,
        Category::C,
        Some(true),
    ),
    with(Goal::Completed, Kind::ECertificate, Category::B, None),
    with(Goal::Completed, Kind::DomesticNew, Category::A, None),
    with(Goal::Completed, Kind::Extension, Category::B, None),
    with(Goal::Completed, Kind::Change, Category::C, None),
    with(Goal::Completed, Kind::Cancellation, Category::B, None),
    spec(Goal::Refused),
    spec(Goal::NotAccepted),
    spec(Goal::Withdrawn(At::PreAudit)),
    spec(Goal::Withdrawn(At::Review)),
    with(
        Goal::Withdrawn(At::Notified),
        Kind::OverseasNew,
        Category::B,
        None,
    ),
    with(Goal::Lapsed, Kind::OverseasNew, Category::C, None),
    with(Goal::ReopenedVerified, Kind::OverseasNew, Category::B, None),
    Spec {
        goal: Goal::Completed,
        kind: Some(Kind::OverseasNew),
        category: Some(Category::B),
        legacy: true,
        entered: Some(true),
    },
    Spec {
        goal: Goal::Returned { from_review: false },
        kind: Some(Kind::OverseasNew),
        category: Some(Category::C),
        legacy: true,
        entered: Some(true),
    },
];

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

/// Submitted documents, in order; the bits of `Plan::bad_documents`.
pub(crate) const DOCUMENTS: &[&str] = &[
    "passport",
    "employment_contract",
    "degree_certificate",
    "criminal_record",
    "work_experience",
    "exam_report",
    "photo",
];

/// Pre-audit return reasons (一次性告知), with the documents each one finds deficient.
const PRE_AUDIT_RETURNS: &[(&str, u8)] = &[
    (
        "一次性告知：请补正学历证书的认证文件（经中国驻外使领馆认证或附学位认证报告）。",
        0b100,
    ),
    (
        "一次性告知：无犯罪记录证明已超过6个月有效期，请重新提交经认证的无犯罪记录证明。",
        0b1000,
    ),
    (
        "一次性告知：劳动合同未加盖单位公章，且缺少岗位及薪酬条款，请补正后重新提交。",
        0b10,
    ),
    (
        "一次性告知：1. 工作资历证明未注明起止时间；2. 护照信息页扫描件不清晰。请一并补正。",
        0b10001,
    ),
    (
        "一次性告知：体检报告缺少检查结论页，请补充完整的体检报告。",
        0b100000,
    ),
    (
        "一次性告知：1. 证件照不符合要求（需白底近期免冠照片）；2. 学历证书缺少中文译本。请一并补正。",
        0b1000100,
    ),
];
const RESTART: &str = "证卡融合改革：原在途的工作许可证申请转为重新审批，请按新流程补正材料后重新提交（一次性告知）。";
const REVIEW_RETURNS: &[&str] = &[
    "审查中发现申请人工作资历与拟聘岗位不符，请补充相关工作经历证明。",
    "请补充说明拟聘岗位薪酬标准及社会保险缴纳安排。",
    "计点积分中的薪酬项与劳动合同不一致，请补充近期工资证明或更正合同。",
];
const NOT_ACCEPTED: &[&str] = &[
    "用人单位注册地不属于本机关管辖范围，不予受理，请向注册地受理机构申报。",
    "申请人年龄超过规定上限且不符合高端人才例外情形，不予受理。",
    "同一申请人已有在办的工作许可申请，重复申报，不予受理。",
];
const REFUSE_REASONS: &[&str] = &[
    "申请人学历及工作经历不符合相应类别条件，建议不予许可。",
    "经核查，学历证书认证信息与原件不符，建议不予许可。",
    "用人单位本年度C类外国人配额已用完，建议不予许可。",
];
const SIGN_REFUSE: &str = "同意审查意见，不予许可。";
const SIGN_AGAINST_APPROVAL: &str = "经复核，申请人专业与拟聘岗位不匹配，不予许可。";
const SIGN_AGAINST_REFUSAL: &str = "经复核，单位补充的工作经历证明符合条件，同意许可。";
const RECOMMEND_NOTES: &[&str] = &["", "", "", "材料齐全，符合条件，建议准予许可。"];
const SIGN_NOTES: &[&str] = &["", "", "", "", "同意。"];
const SEND_BACKS: &[&str] = &[
    "请补充核实申请人工作资历证明的真实性后重新提出审查意见。",
    "审查意见未说明计点积分依据，请补充后重新提交。",
];
const EXTENSIONS: &[&str] = &[
    "需征求行业主管部门意见，延长审查期限。",
    "申请人学历认证需向境外机构核实，延长审查期限。",
];
const NOTES: &[&str] = &[
    "已电话联系单位经办人，告知办理要求。",
    "单位经办人来电询问办理进度，已答复。",
    "申请人为重点人才计划入选者，优先办理。",
];
const VERIFY_RETURNS: &[&str] = &[
    "现场核验：体检报告非境内检验检疫机构出具，请提交境内体检报告。",
    "现场核验：复印件未加盖单位公章，请补正后再次核验。",
    "现场核验：代理人未提供授权委托书，请补正。",
    "现场核验：未携带学历证书原件，请携带原件再次核验。",
];
const LAPSES: &[&str] = &[
    "入境后30日内未办理现场核验，逾期未核验，按规定办结。",
    "已超过现场核验期限，经多次提醒单位仍未到场，逾期未核验。",
];
const REOPENS: &[&str] = &[
    "单位提交情况说明（申请人因病住院未能按期核验），同意恢复核验。",
    "申请人已到窗口办理，经负责人同意恢复核验。",
];
const WITHDRAW_ASKED: &[&str] = &["用人单位申请撤回。", "申请人放弃来华工作，单位申请撤回。"];
const WITHDRAW_UPSTREAM: &str = "用人单位通过系统撤回申请。";

fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}

fn chance(rng: &mut fastrand::Rng, percent: u32) -> bool {
    rng.u32(0..1000) < percent * 10
}

fn permille(rng: &mut fastrand::Rng, p: u32) -> bool {
    rng.u32(0..1000) < p
}

fn random_spec(rng: &mut fastrand::Rng, env: &Env) -> Spec {
    let due = |rng: &mut fastrand::Rng, on: u32, soon: u32| {
        let r = rng.u32(0..100);
        if r < on {
            OnTrack
        } else if r < on + soon {
            DueSoon
        } else {
            Overdue
        }
    };
    let r = rng.u32(0..10_000);
    let goal = match r {
        0..160 => Goal::PreAudit {
            due: due(rng, 40, 35),
            claimed: chance(rng, 60),
            after_return: chance(rng, 15),
        },
        160..280 => Goal::Returned {
            from_review: chance(rng, 40),
        },
        280..520 => Goal::Review {
            due: due(rng, 50, 25),
            claimed: chance(rng, 85),
            extended: chance(rng, 8),
            sent_back: chance(rng, 5),
        },
        520..620 => Goal::Decision {
            refuse: chance(rng, 15),
            due: due(rng, 50, 30),
            extended: chance(rng, 6),
        },
        620..950 => Goal::Notified,
        950..1200 => {
            let mut d = due(rng, 55, 20);
            if d == Overdue && chance(rng, 40) {
                d = Late30;
            }
            let reopened = d == Late30 && chance(rng, 8);
            Goal::Verification {
                due: d,
                reopened,
                exam_expiring: d != Overdue && d != Late30 && chance(rng, 5),
                returned: chance(rng, 12),
            }
        }
        1200..1600 => Goal::Refused,
        1600..1820 => Goal::NotAccepted,
        1820..2100 => Goal::Withdrawn(match rng.u8(0..10) {
            0..=2 => At::PreAudit,
            3..=4 => At::Returned,
            5..=6 => At::Review,
            7..=8 => At::Notified,
            _ => At::Verification,
        }),
        2100..2160 => Goal::Lapsed,
        2160..2170 => Goal::ReopenedVerified,
        _ => Goal::Completed,
    };
    let legacy = env.legacy_ok
        && !goal.is_open()
        && !matches!(goal, Goal::Withdrawn(At::PreAudit) | Goal::NotAccepted)
        && chance(rng, 2);
    let legacy_straggler =
        env.legacy_ok && matches!(goal, Goal::Returned { from_review: false }) && chance(rng, 2);
    Spec {
        goal,
        kind: None,
        category: None,
        legacy: legacy || legacy_straggler,
        entered: None,
    }
}

fn choose_kind(rng: &mut fastrand::Rng, spec: &Spec) -> Kind {
    if spec.legacy {
        return Kind::OverseasNew;
    }
    if let Some(kind) = spec.kind {
        return kind;
    }
    if spec.goal.needs_notification() {
        return if chance(rng, 87) {
            Kind::OverseasNew
        } else {
            Kind::NewNotification
        };
    }
    match rng.u32(0..100) {
        0..48 => Kind::OverseasNew,
        48..55 => Kind::NewNotification,
        55..64 => Kind::ECertificate,
        64..73 => Kind::DomesticNew,
        73..88 => Kind::Extension,
        88..96 => Kind::Change,
        _ => Kind::Cancellation,
    }
}

fn choose_category(rng: &mut fastrand::Rng, spec: &Spec) -> Category {
    if let Some(c) = spec.category {
        return c;
    }
    if spec.goal.needs_verification() {
        return if chance(rng, 59) {
            Category::B
        } else {
            Category::C
        };
    }
    match rng.u32(0..100) {
        0..15 => Category::A,
        15..65 => Category::B,
        _ => Category::C,
    }
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
    due: Due,
    office: bool,
) -> u16 {
    let (list, late30) = match due {
        OnTrack => (&lists[0], false),
        DueSoon => (&lists[1], false),
        Overdue => (&lists[2], false),
        Late30 => (&lists[2], true),
    };
    let candidates: &[u16] = if late30 {
        let from = list.partition_point(|&o| o <= 60);
        let to = list.partition_point(|&o| o <= 150);
        &list[from.min(to)..to]
    } else if due == Overdue {
        let r = rng.u32(0..100);
        let span = if r < 65 {
            6
        } else if r < 90 {
            20
        } else {
            45
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

/// Submissions over ~2 years, twice as dense today as at the start of the window.
fn sample_start(rng: &mut fastrand::Rng, env: &Env, latest: NaiveDate) -> NaiveDate {
    let d = 730.0_f64;
    let x_max = ((latest - env.window_start).num_days().max(0)) as f64;
    let g = x_max + x_max * x_max / (2.0 * d);
    let y = rng.f64() * g;
    let x = d * ((1.0 + 2.0 * y / d).sqrt() - 1.0);
    let mut s = env.window_start + Days::new(x.floor().clamp(0.0, x_max) as u64);
    if !env.is_working(s) && chance(rng, 80) {
        s = env.prev_working(s);
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
            sample_start(rng, env, env.today - Days::new(span))
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
                issued_on: submitted - Days::new(rng.u64(5..=150)),
                domestic: true,
                institution: Some(super::pools::exam_institution(rng).to_string()),
            }),
            _ => Some(ExamReport {
                issued_on: submitted - Days::new(rng.u64(10..=120)),
                domestic: false,
                institution: None,
            }),
        }
    };
    let uses_former = draft
        .steps
        .iter()
        .zip(&dates)
        .filter(|(s, _)| s.who == Who::FORMER)
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
    // No supervisor assignments: an `assign` event does not read back (its `to` clashes with the
    // event's own `to` when the action is flattened into it).
    let claim = |d: &mut Draft, _rng: &mut fastrand::Rng, who: u8, gap: u8| {
        d.push(Op::Claim, Who::Approver(who), Gap::Wd(gap));
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
