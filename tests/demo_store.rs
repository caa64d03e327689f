//! The demo store: deterministic, complete (every stage, timer state and special case), and
//! consistent (every case replays from its history; `check` finds nothing).

use chrono::NaiveDate;
use permitdesk::demo::{DEMO_USERS, DemoOptions, DemoSummary, build};
use permitdesk::domain::case::Verdict;
use permitdesk::domain::{
    Action, Calendar, Case, DeadlineState, Event, Filter, Queue, Role, Stage, TimerKind,
};
use permitdesk::store::{QueueQuery, Store};
use std::collections::{BTreeMap, BTreeSet};

const CASES: u64 = 300;
const SEED: u64 = 20_261_126;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("date")
}

struct Built {
    _dir: tempfile::TempDir,
    store: Store,
    summary: DemoSummary,
}

fn build_demo(seed: u64, cases: u64, login: Option<&str>) -> Built {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.db");
    let mut store = Store::open(&path, Calendar::embedded()).expect("open store");
    let opts = DemoOptions {
        cases,
        seed,
        today: today(),
        os_login: login.map(str::to_string),
    };
    let mut calls = Vec::new();
    let summary = build(&mut store, &opts, &mut |done, total| {
        calls.push((done, total))
    })
    .expect("demo builds");
    assert_eq!(
        calls.last(),
        Some(&(cases, cases)),
        "progress reaches the total"
    );
    assert!(
        calls.windows(2).all(|w| w[0].0 < w[1].0),
        "progress only grows"
    );
    Built {
        _dir: dir,
        store,
        summary,
    }
}

fn all_case_numbers(store: &Store) -> Vec<String> {
    let page = store
        .page(&QueueQuery {
            queue: Queue::All,
            filter: Filter::All,
            search: None,
            user: "admin".into(),
            today: today(),
            sort: Default::default(),
            after: None,
            limit: 1_000_000,
        })
        .expect("page");
    assert!(page.next.is_none());
    page.rows.into_iter().map(|r| r.case_no).collect()
}

fn all_cases(store: &Store) -> Vec<Case> {
    let mut numbers = all_case_numbers(store);
    numbers.sort();
    numbers
        .iter()
        .map(|n| store.case(n).expect("case"))
        .collect()
}

fn events(store: &Store, case_no: &str) -> Vec<Event> {
    store.events(case_no).expect("events")
}

#[test]
fn the_same_seed_builds_the_same_store_and_another_seed_does_not() {
    let a = build_demo(SEED, CASES, Some("tester"));
    let b = build_demo(SEED, CASES, Some("tester"));
    assert_eq!(a.summary, b.summary);
    let (cases_a, cases_b) = (all_cases(&a.store), all_cases(&b.store));
    assert_eq!(cases_a.len() as u64, CASES);
    for (x, y) in cases_a.iter().zip(&cases_b) {
        let (jx, jy) = (
            serde_json::to_string(x).expect("json"),
            serde_json::to_string(y).expect("json"),
        );
        assert_eq!(jx, jy, "case {} differs between two builds", x.case_no);
    }
    for case in cases_a.iter().step_by(7) {
        let (ex, ey) = (
            events(&a.store, &case.case_no),
            events(&b.store, &case.case_no),
        );
        assert_eq!(
            serde_json::to_string(&ex).expect("json"),
            serde_json::to_string(&ey).expect("json"),
            "history of {} differs",
            case.case_no
        );
    }
    let head = |s: &Store| s.check(today(), None).expect("check").chain_head;
    assert_eq!(
        head(&a.store),
        head(&b.store),
        "the audit chains are identical"
    );

    let c = build_demo(SEED + 1, CASES, Some("tester"));
    assert_ne!(
        head(&a.store),
        head(&c.store),
        "another seed gives another store"
    );
}

#[test]
fn the_demo_store_is_complete_and_consistent() {
    let built = build_demo(SEED, CASES, Some("tester"));
    let store = &built.store;
    let report = store.check(today(), None).expect("check runs");
    assert!(
        report.problems.is_empty(),
        "check found problems: {:#?}",
        report.problems
    );
    assert_eq!(report.cases, CASES);
    assert_eq!(report.events, built.summary.events);

    let cases = all_cases(store);
    let clocks = store.clocks(today());

    // Case numbers: GZ{year}-{serial}, serials counting submissions of the year in order.
    let mut by_year: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    for c in &cases {
        let (year, serial) = c
            .case_no
            .trim_start_matches("GZ")
            .split_once('-')
            .expect("GZyyyy-nnnnnn");
        assert_eq!(
            year,
            c.submitted_at.format("%Y").to_string(),
            "{}",
            c.case_no
        );
        assert_eq!(serial.len(), 6);
        by_year
            .entry(year.to_string())
            .or_default()
            .push((c.submitted_at.to_rfc3339(), serial.parse().expect("serial")));
    }
    for list in by_year.values_mut() {
        list.sort_by_key(|(_, serial)| *serial);
        assert!(
            list.windows(2).all(|w| w[0].0 <= w[1].0),
            "serials follow submission order"
        );
        assert_eq!(list.first().map(|x| x.1), Some(1));
    }

    // Every stage.
    let stages: BTreeSet<Stage> = cases.iter().map(|c| c.stage).collect();
    for stage in Stage::ALL {
        assert!(stages.contains(stage), "no case in stage {stage}");
    }
    let open = cases.iter().filter(|c| c.is_open()).count();
    assert!(
        open * 100 / cases.len() <= 30,
        "{open} open cases of {}",
        cases.len()
    );

    // Every state of the governing timer; met on the timers of closed cases.
    let mut states: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &cases {
        if let Some(d) = clocks.governing(c) {
            *states.entry(d.state.as_str()).or_default() += 1;
        }
    }
    for state in ["on_track", "due_soon", "overdue", "paused"] {
        assert!(
            states.contains_key(state),
            "no governing timer is {state}: {states:?}"
        );
    }
    let met = cases
        .iter()
        .filter(|c| !c.is_open())
        .flat_map(|c| clocks.all(c))
        .any(|d| d.state == DeadlineState::Met);
    assert!(met, "no closed case met its deadlines");
    let overdue = |timer: TimerKind, beyond: i64| {
        cases.iter().any(|c| {
            clocks.governing(c).is_some_and(|d| {
                d.timer == timer && d.state == DeadlineState::Overdue && d.days_left < Some(-beyond)
            })
        })
    };
    assert!(
        overdue(TimerKind::Verification, 30),
        "no verification over 30 days late"
    );
    assert!(overdue(TimerKind::Decision, 0), "no overdue decision");
    assert!(overdue(TimerKind::PreAudit, 0), "no overdue pre-audit");

    // Returned from both stages; recommendations both ways.
    let returned_from: BTreeSet<_> = cases.iter().filter_map(|c| c.returned_from).collect();
    assert!(returned_from.contains(&Stage::PreAudit) && returned_from.contains(&Stage::Review));
    let verdicts: BTreeSet<_> = cases
        .iter()
        .filter(|c| c.stage == Stage::Decision)
        .filter_map(|c| {
            c.recommendation
                .as_ref()
                .map(|r| format!("{:?}", r.verdict))
        })
        .collect();
    assert_eq!(
        verdicts.len(),
        2,
        "decisions wait on both verdicts: {verdicts:?}"
    );
    assert!(cases.iter().any(|c| {
        c.stage == Stage::Decision
            && c.recommendation
                .as_ref()
                .is_some_and(|r| r.verdict == Verdict::Refuse)
    }));

    // Every kind, category and legacy.
    let kinds: BTreeSet<_> = cases.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds.len(), 7, "{kinds:?}");
    let categories: BTreeSet<_> = cases.iter().map(|c| c.category.as_str()).collect();
    assert_eq!(categories.len(), 3);
    assert!(cases.iter().any(|c| c.legacy
        && c.submitted_at.date_naive() < NaiveDate::from_ymd_opt(2024, 12, 1).expect("date")));

    // Claims by the three approvers, and unclaimed work.
    let holders: BTreeSet<_> = cases.iter().filter_map(|c| c.assignee()).collect();
    for approver in ["li.wei", "chen.yu", "zhao.min"] {
        assert!(
            holders.contains(approver),
            "{approver} holds nothing: {holders:?}"
        );
    }
    assert!(
        !holders.contains("former.staff"),
        "a disabled user holds a case"
    );
    assert!(
        cases
            .iter()
            .any(|c| c.stage.is_claimable() && c.claim.is_none())
    );

    // Entry before the Notification; exam reports expiring before the window closes.
    assert!(
        cases
            .iter()
            .any(|c| matches!((c.entry_date, c.notified_on), (Some(e), Some(n)) if e < n))
    );
    assert!(cases.iter().any(|c| clocks.exam_report_expires_first(c)));
    assert!(cases.iter().any(|c| c.verification_returns > 0));
    assert!(cases.iter().any(|c| {
        c.decision
            .as_ref()
            .is_some_and(|d| d.extension_days.is_some())
    }));

    // A lapsed case reopened into verification.
    let reopened = cases
        .iter()
        .filter(|c| c.stage == Stage::Verification)
        .any(|c| {
            events(store, &c.case_no)
                .iter()
                .any(|e| matches!(e.action, Action::Reopen { .. }))
        });
    assert!(reopened, "no lapsed case was reopened into verification");

    // Native scripts.
    let scripts = |pred: fn(char) -> bool| {
        cases
            .iter()
            .filter_map(|c| c.applicant.name_native.as_deref())
            .any(|n| n.chars().any(pred))
    };
    assert!(
        scripts(|ch| ('\u{4E00}'..='\u{9FFF}').contains(&ch)),
        "no Chinese/Japanese native names"
    );
    assert!(
        scripts(|ch| ('\u{0400}'..='\u{04FF}').contains(&ch)),
        "no Cyrillic native names"
    );

    // Events: never after today, always in office hours, in order within a case; every action.
    let mut actions = BTreeSet::new();
    for c in &cases {
        let history = events(store, &c.case_no);
        assert!(
            history.windows(2).all(|w| w[0].at <= w[1].at),
            "{} is out of order",
            c.case_no
        );
        for e in &history {
            assert!(
                e.date() <= today(),
                "{} has an event after today",
                c.case_no
            );
            let t = e.at.format("%H:%M:%S").to_string();
            assert!(
                ("08:30:00".."17:31:00").contains(&t.as_str()),
                "{} at {t}",
                c.case_no
            );
            actions.insert(e.action.name());
        }
    }
    for action in [
        "submit",
        "claim",
        "assign",
        "approve",
        "return",
        "resubmit",
        "not_accept",
        "refuse",
        "send_back",
        "withdraw",
        "record_entry",
        "e_card_registered",
        "verify",
        "lapse",
        "reopen",
        "extend",
        "note",
    ] {
        assert!(actions.contains(action), "no {action} event: {actions:?}");
    }
}

#[test]
fn demo_users_and_settings() {
    let built = build_demo(SEED, 100, Some("tester"));
    let store = &built.store;
    let users = store.users().expect("users");
    for (name, roles, active) in DEMO_USERS {
        let user = users
            .iter()
            .find(|u| u.name == *name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(&user.roles, roles, "{name}");
        assert_eq!(user.active, *active, "{name}");
    }
    let former = users
        .iter()
        .find(|u| u.name == "former.staff")
        .expect("former.staff");
    assert!(!former.active);
    let tester = users
        .iter()
        .find(|u| u.name == "tester")
        .expect("the OS login is a user");
    for role in [Role::Clerk, Role::Approver, Role::Supervisor, Role::Admin] {
        assert!(tester.roles.contains(&role), "tester lacks {role}");
    }
    assert!(store.settings().made_by_demo);
    assert!(store.settings().trust_declared_user);
    assert_eq!(built.summary.users.len(), DEMO_USERS.len() + 1);

    // A demo login that is a demo user, or not a valid name, is not added again.
    for login in ["li.wei", "bad name!"] {
        let again = build_demo(SEED, 100, Some(login));
        assert_eq!(again.store.users().expect("users").len(), DEMO_USERS.len());
    }
}

#[test]
fn a_demo_needs_an_empty_store_and_100_cases() {
    let built = build_demo(SEED, 100, None);
    let mut store = built.store;
    let opts = DemoOptions {
        cases: 100,
        seed: SEED,
        today: today(),
        os_login: None,
    };
    assert!(
        build(&mut store, &opts, &mut |_, _| {}).is_err(),
        "a store with cases is refused"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut empty = Store::open(&dir.path().join("x.db"), Calendar::embedded()).expect("open");
    let small = DemoOptions { cases: 99, ..opts };
    assert!(
        build(&mut empty, &small, &mut |_, _| {}).is_err(),
        "fewer than 100 cases is refused"
    );
}

/// Any day works as today: holidays, weekends, the reform's first months, years the holiday
/// calendar does not hold. The domain must accept every planned step (debug builds stop at the
/// first refused one) and the store must replay.
#[test]
fn every_today_gives_a_store_that_replays() {
    for (today, seed) in [
        ("2025-02-01", 1),
        ("2025-10-01", 2),
        ("2026-02-17", 3),
        ("2026-05-31", 4),
        ("2027-03-15", 5),
    ] {
        let today: NaiveDate = today.parse().expect("date");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store =
            Store::open(&dir.path().join("demo.db"), Calendar::embedded()).expect("open");
        let opts = DemoOptions {
            cases: 150,
            seed,
            today,
            os_login: None,
        };
        let summary = build(&mut store, &opts, &mut |_, _| {})
            .unwrap_or_else(|e| panic!("today {today}: {e}"));
        assert_eq!(summary.cases, 150);
        let report = store.check(today, None).expect("check");
        assert!(
            report.problems.is_empty(),
            "today {today}: {:#?}",
            report.problems
        );
        let stages: BTreeSet<Stage> = all_case_numbers_on(&store, today)
            .iter()
            .map(|n| store.case(n).expect("case").stage)
            .collect();
        for stage in Stage::ALL {
            assert!(
                stages.contains(stage),
                "today {today}: no case in stage {stage}"
            );
        }
        for n in all_case_numbers_on(&store, today) {
            for e in events(&store, &n) {
                assert!(
                    e.date() <= today,
                    "today {today}: {n} has an event on {}",
                    e.date()
                );
            }
        }
    }
}

fn all_case_numbers_on(store: &Store, today: NaiveDate) -> Vec<String> {
    store
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
        .collect()
}

/// Issue 15: the demo built on three other days (before Spring Festival, just after National Day,
/// next January) passes `check` on that day.
#[test]
fn the_demo_on_other_days_of_the_year_passes_check() {
    for day in ["2026-02-10", "2026-10-09", "2027-01-20"] {
        let today: NaiveDate = day.parse().expect("date");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store =
            Store::open(&dir.path().join("demo.db"), Calendar::embedded()).expect("open store");
        let opts = DemoOptions {
            cases: CASES,
            seed: SEED,
            today,
            os_login: None,
        };
        build(&mut store, &opts, &mut |_, _| {}).expect("demo builds");
        let report = store.check(today, None).expect("check runs");
        assert!(report.ok(), "{day}: {:?}", report.problems);
    }
}

/// Staff grow with the caseload (issue 18): past 20,000 cases the office has more approvers
/// than its named ones, so nobody holds more than about 300 open cases, and every one of them
/// was added, as a user, before acting. With one team li.wei held 379 at 25,000 cases.
#[test]
fn a_big_demo_has_the_staff_its_caseload_needs() {
    let built = build_demo(SEED, 25_000, None);
    let workload = built.store.workload(today()).expect("workload");
    let busiest = workload
        .rows
        .iter()
        .max_by_key(|row| row.open)
        .expect("approvers hold cases");
    assert!(
        busiest.open <= 300,
        "{} holds {} open cases",
        busiest.assignee,
        busiest.open
    );
    let holders = workload.rows.iter().filter(|row| row.open > 0).count();
    assert!(holders > 3, "only {holders} people hold cases");
    for (name, _, _) in DEMO_USERS {
        assert!(built.summary.users.contains(&name.to_string()), "{name}");
    }
    assert!(
        built
            .store
            .check(today(), None)
            .expect("check")
            .problems
            .is_empty(),
        "the generated staff's actions replay against their accounts"
    );
}
