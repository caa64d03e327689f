//! Issue 15's property: for random histories (demo stores built through the domain from random
//! seeds on random days), every open case in the Overdue queue has a governing timer running past
//! its due day, and every case whose governing timer runs past its due day is in the queue: no
//! exceptions (a returned case, paused, is never there; an in-China case in verification is).

use chrono::{Days, NaiveDate};
use permitdesk::demo::{DemoOptions, build};
use permitdesk::domain::{Calendar, DeadlineState, Filter, Queue};
use permitdesk::store::{QueueQuery, Store};
use std::collections::BTreeSet;

fn queue(store: &Store, queue: Queue, today: NaiveDate) -> Vec<String> {
    store
        .page(&QueueQuery {
            queue,
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

#[test]
fn the_overdue_queue_is_exactly_the_cases_whose_governing_timer_is_overdue() {
    let mut rng = fastrand::Rng::with_seed(15);
    let first = NaiveDate::from_ymd_opt(2025, 8, 1).expect("date");
    for _ in 0..6 {
        let seed = rng.u64(..);
        let today = first + Days::new(rng.u64(0..540));
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store =
            Store::open(&dir.path().join("demo.db"), Calendar::embedded()).expect("open");
        let opts = DemoOptions {
            cases: 150,
            seed,
            today,
            os_login: None,
        };
        build(&mut store, &opts, &mut |_, _| {}).expect("demo builds");
        let listed: BTreeSet<String> = queue(&store, Queue::Overdue, today).into_iter().collect();
        let clocks = store.clocks(today);
        let mut expected = BTreeSet::new();
        for case_no in queue(&store, Queue::All, today) {
            let case = store.case(&case_no).expect("case");
            let overdue = clocks
                .governing(&case)
                .is_some_and(|d| d.state == DeadlineState::Overdue);
            if case.is_open() && overdue {
                expected.insert(case_no);
            }
        }
        assert_eq!(listed, expected, "seed {seed}, today {today}");
        let report = store.check(today, None).expect("check");
        assert!(
            report.problems.is_empty(),
            "seed {seed}, today {today}: {:?}",
            report.problems
        );
    }
}
