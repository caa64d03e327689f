//! Issue 18's property: the figures kept as cases change (the dashboard's trend, `report sla`)
//! equal what a replay of the audit history gives, for random histories: demo stores built from
//! random seeds on random days, then days of random actions through the store; after a calendar
//! and a policy change; and `check` agrees. The replay (`*_replayed`) is the reference. And
//! every figure of the dashboard is as many cases as the list behind it.

use chrono::{Days, NaiveDate};
use permitdesk::demo::{DemoOptions, build};
use permitdesk::domain::{
    Action, Calendar, Checklist, Filter, Policy, Presenter, Queue, Stage, TimerKind, VisaKind,
};
use permitdesk::store::{Figure, QueueQuery, Request, Store};

/// The cases an action may still change: open ones, and lapsed ones (which may be reopened).
fn cases(store: &Store, today: NaiveDate) -> Vec<String> {
    let all: Vec<String> = store
        .page(&QueueQuery {
            queue: Queue::All,
            filter: Filter::All,
            search: None,
            user: "admin".into(),
            today,
            sort: Default::default(),
            after: None,
            limit: 100_000,
        })
        .expect("page")
        .rows
        .into_iter()
        .map(|r| r.case_no)
        .collect();
    all.into_iter()
        .filter(|no| {
            let case = store.case(no).expect("case");
            case.is_open() || case.stage == Stage::Lapsed
        })
        .collect()
}

/// The kept trend and SLA against the replay, as of `today` and of earlier days.
fn assert_kept_equals_replayed(store: &Store, today: NaiveDate, what: &str) {
    for (as_of, days) in [(today, 366), (today - Days::new(100), 30)] {
        let kept = store.overdue_trend(as_of, days).expect("trend");
        let (replayed, stats) = store.overdue_trend_replayed(as_of, days).expect("replay");
        assert!(
            stats.unreadable.is_empty(),
            "{what}: {:?}",
            stats.unreadable
        );
        assert_eq!(kept, replayed, "{what}: trend of {days} days to {as_of}");
    }
    let periods = [
        (today - Days::new(30), today),
        (today - Days::new(365), today),
        (today - Days::new(200), today - Days::new(100)),
        (today - Days::new(10), today + Days::new(20)),
        (today + Days::new(1), today + Days::new(5)),
        (today - Days::new(800), today - Days::new(1)),
    ];
    for (from, to) in periods {
        let kept = store.sla(from, to, today).expect("sla");
        let (replayed, stats) = store.sla_replayed(from, to, today).expect("replay");
        assert!(
            stats.unreadable.is_empty(),
            "{what}: {:?}",
            stats.unreadable
        );
        assert_eq!(kept, replayed, "{what}: sla {from} to {to}");
    }
}

/// Every figure of the dashboard is as many cases as the list behind it (the queues' own
/// queries), and its trend ends on today's Overdue count.
fn assert_dashboard_matches_its_cases(store: &Store, today: NaiveDate, what: &str) {
    let d = store.dashboard(today).expect("dashboard");
    let total = |figure: Figure| store.figure_cases(&figure, today, 0).expect("cases").total;
    let verification = Some(TimerKind::Verification);
    assert_eq!(d.overdue, total(Figure::Overdue { timer: None }), "{what}");
    assert_eq!(
        d.overdue_verifications,
        total(Figure::Overdue {
            timer: verification
        }),
        "{what}"
    );
    assert_eq!(
        d.decisions_to_sign,
        total(Figure::DecisionsToSign),
        "{what}"
    );
    assert_eq!(d.due_soon, total(Figure::DueSoon), "{what}");
    assert_eq!(d.unclaimed_stale, total(Figure::UnclaimedStale), "{what}");
    assert_eq!(
        d.open_conflict_cases,
        total(Figure::OpenConflicts),
        "{what}"
    );
    for (bucket, n) in &d.verification_buckets {
        let figure = Figure::OverdueBucket {
            timer: verification,
            bucket: *bucket,
        };
        assert_eq!(*n, total(figure), "{what}: {bucket:?}");
    }
    for e in &d.verifications_by_employer {
        let figure = Figure::OverdueEmployer {
            uscc: e.employer_uscc.clone(),
            timer: verification,
        };
        assert_eq!(e.count, total(figure), "{what}: {}", e.employer_uscc);
    }
    for row in &d.workload {
        let open = Figure::Workload {
            assignee: row.assignee.clone(),
            overdue_only: false,
        };
        let overdue = Figure::Workload {
            assignee: row.assignee.clone(),
            overdue_only: true,
        };
        assert_eq!(
            (row.open, row.overdue),
            (total(open), total(overdue)),
            "{what}: {}",
            row.assignee
        );
    }
    assert_eq!(
        d.trend.points.last().map(|p| p.overdue),
        Some(d.overdue),
        "{what}"
    );
}

fn assert_checks(store: &Store, today: NaiveDate, what: &str) {
    let report = store.check(today, None).expect("check");
    assert!(report.problems.is_empty(), "{what}: {:?}", report.problems);
}

fn checklist(on: NaiveDate) -> Checklist {
    Checklist {
        presented_by: Presenter::Applicant,
        power_of_attorney: false,
        originals: true,
        sealed_copies: true,
        visa_kind: Some(VisaKind::WorkVisa),
        visa_valid_until: Some(on + Days::new(365)),
        exam_issued_on: Some(on - Days::new(20)),
        exam_domestic: true,
        exam_institution: Some("Guangdong International Travel Healthcare Center".into()),
    }
}

/// One random action that fits the case's stage, by someone who may take it (the holder, if the
/// case has one); refusals are part of the game. Whether the action committed.
fn random_action(
    store: &mut Store,
    rng: &mut fastrand::Rng,
    all: &[String],
    day: NaiveDate,
) -> bool {
    let Some(case_no) = all.get(rng.usize(..all.len().max(1))) else {
        return false;
    };
    let Ok(case) = store.case(case_no) else {
        return false;
    };
    let pick = |rng: &mut fastrand::Rng, xs: &[&'static str]| xs[rng.usize(..xs.len())];
    let approver = pick(rng, &["li.wei", "chen.yu", "zhao.min"]);
    let supervisor = pick(rng, &["wang.fang", "sun.lei"]);
    let clerk = pick(rng, &["liu.yang", "zhou.na"]);
    let reason = || "1. Checked".to_string();
    let (user, action) = match case.stage {
        Stage::PreAudit | Stage::Review => {
            let user = case.assignee().unwrap_or(approver).to_string();
            let action = match rng.u8(..8) {
                0 => Action::Release,
                1 => Action::Return { reason: reason() },
                2 if case.stage == Stage::PreAudit => Action::NotAccept { reason: reason() },
                2 => Action::Refuse { reason: reason() },
                3 if case.stage == Stage::Review => Action::Extend {
                    days: rng.u32(1..6),
                    reason: reason(),
                },
                _ => Action::Approve { note: None },
            };
            (user, action)
        }
        Stage::Decision => {
            let action = match rng.u8(..6) {
                0 => Action::SendBack { reason: reason() },
                1 => Action::Refuse { reason: reason() },
                2 => Action::Extend {
                    days: rng.u32(1..6),
                    reason: reason(),
                },
                _ => Action::Approve { note: None },
            };
            (supervisor.to_string(), action)
        }
        Stage::Notified => (
            clerk.to_string(),
            Action::RecordEntry {
                date: day - Days::new(rng.u64(0..4)),
            },
        ),
        Stage::Verification => match rng.u8(..5) {
            0 => (
                supervisor.to_string(),
                Action::AllowLate { reason: reason() },
            ),
            1 => (clerk.to_string(), Action::Lapse { reason: reason() }),
            2 => (
                clerk.to_string(),
                Action::CorrectEntry {
                    date: day - Days::new(rng.u64(0..10)),
                    reason: reason(),
                },
            ),
            _ => (
                clerk.to_string(),
                Action::Verify {
                    checklist: checklist(day),
                },
            ),
        },
        Stage::Lapsed => (supervisor.to_string(), Action::Reopen { reason: reason() }),
        _ => (
            approver.to_string(),
            Action::Note {
                text: "called the employer".into(),
            },
        ),
    };
    let request = |action: Action| Request {
        case_no: case_no.clone(),
        user: user.clone(),
        action,
        expect_version: None,
        expect_stage: None,
        today: Some(day),
    };
    if case.assignee().is_none() && matches!(case.stage, Stage::PreAudit | Stage::Review) {
        let _ = store.act(request(Action::Claim));
    }
    store.act(request(action)).is_ok()
}

fn demo(dir: &tempfile::TempDir, seed: u64, today: NaiveDate, cases: u64) -> Store {
    let mut store = Store::open(&dir.path().join("demo.db"), Calendar::embedded()).expect("open");
    let opts = DemoOptions {
        cases,
        seed,
        today,
        os_login: None,
    };
    build(&mut store, &opts, &mut |_, _| {}).expect("demo builds");
    store
}

#[test]
fn kept_figures_equal_the_replayed_ones_after_random_histories() {
    let mut rng = fastrand::Rng::with_seed(18);
    let first = NaiveDate::from_ymd_opt(2025, 8, 1).expect("date");
    for _ in 0..4 {
        let seed = rng.u64(..);
        let start = first + Days::new(rng.u64(0..540));
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = demo(&dir, seed, start, 150);
        let what = format!("seed {seed}, built on {start}");
        assert_kept_equals_replayed(&store, start, &what);
        assert_dashboard_matches_its_cases(&store, start, &what);
        let mut day = start;
        let mut committed = 0;
        for k in 1..=15u64 {
            day = start + Days::new(k);
            let all = cases(&store, day);
            for _ in 0..20 {
                committed += usize::from(random_action(&mut store, &mut rng, &all, day));
            }
            if k == 8 {
                // Disabling a holder releases their claims (src/store/users.rs).
                store
                    .disable_user("admin", "chen.yu", Some(day))
                    .expect("disable");
            }
            if k % 5 == 0 {
                let what = format!("{what}, acted to {day}");
                assert_kept_equals_replayed(&store, day, &what);
                assert_dashboard_matches_its_cases(&store, day, &what);
            }
        }
        assert!(
            committed >= 100,
            "{what}: only {committed} actions committed"
        );
        assert_checks(&store, day, &what);
    }
}

/// A calendar with one more week off in each of 2025 and 2026 than the embedded one.
fn calendar_with_a_week_off() -> Calendar {
    let text = Calendar::embedded().text().replace(
        "holidays = [\n  [\"2025-01-01\", \"2025-01-01\"], # New Year",
        "holidays = [\n  [\"2025-01-01\", \"2025-01-01\"], # New Year\n  [\"2025-06-16\", \"2025-06-20\"], # a week off",
    );
    let text = text.replace(
        "holidays = [\n  [\"2026-01-01\", \"2026-01-03\"], # New Year",
        "holidays = [\n  [\"2026-01-01\", \"2026-01-03\"], # New Year\n  [\"2026-07-13\", \"2026-07-17\"], # a week off",
    );
    assert_ne!(
        text,
        Calendar::embedded().text(),
        "the weeks off were added"
    );
    Calendar::from_toml_str(&text, "week-off.toml").expect("calendar")
}

#[test]
fn kept_figures_follow_a_calendar_and_a_policy_change() {
    let today = NaiveDate::from_ymd_opt(2026, 8, 20).expect("date");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = demo(&dir, 7, today, 400);
    let figures = |store: &Store| {
        (
            store.overdue_trend(today, 366).expect("trend"),
            store
                .sla(today - Days::new(400), today, today)
                .expect("sla"),
        )
    };
    let before = figures(&store);
    store
        .install_calendar("admin", calendar_with_a_week_off())
        .expect("install");
    assert_kept_equals_replayed(&store, today, "after the calendar change");
    assert_ne!(before, figures(&store), "a week off moved some due days");
    assert_checks(&store, today, "after the calendar change");
    let policy = Policy {
        pre_audit_working_days: 3,
        decision_working_days_bc: 8,
        verification_calendar_days: 25,
        ..Policy::default()
    };
    store
        .set_policy("admin", policy, Some(today))
        .expect("policy");
    assert_kept_equals_replayed(&store, today, "after the policy change");
    assert_checks(&store, today, "after the policy change");
}
