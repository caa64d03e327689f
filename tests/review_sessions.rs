//! Review sessions in the store (src/store/review.rs): sessions of several people on one queue
//! race, each on its own connection and thread, and the claims keep them apart; a session is
//! its owner's only.

use chrono::NaiveDate;
use permitdesk::demo::{DemoOptions, build};
use permitdesk::domain::{Action, Calendar, Filter, Queue, Stage};
use permitdesk::store::{QueueQuery, Request, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use tempfile::TempDir;

fn today() -> NaiveDate {
    "2026-11-26".parse().expect("date")
}

fn demo(cases: u64) -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("dir");
    let path = dir.path().join("demo.db");
    let mut store = Store::open(&path, Calendar::embedded()).expect("store");
    let options = DemoOptions {
        cases,
        seed: 5,
        today: today(),
        os_login: None,
    };
    build(&mut store, &options, &mut |_, _| {}).expect("demo");
    (dir, path)
}

fn query(user: &str) -> QueueQuery {
    QueueQuery {
        queue: Queue::PreAudit,
        filter: Filter::Unclaimed,
        search: None,
        user: user.into(),
        today: today(),
        sort: Default::default(),
        after: None,
        limit: 100,
    }
}

/// One person's session run to its end: each case taken is returned at once; the cases taken.
fn run_session(path: &Path, user: &str, start: &Barrier) -> Vec<String> {
    let mut store = Store::open(path, Calendar::embedded()).expect("store");
    let q = query(user);
    start.wait();
    let mut turn = store.review_start(&q).expect("start");
    let mut taken = Vec::new();
    while let Some(case) = turn.taken.clone() {
        assert!(
            case.claimed,
            "{user}: unclaimed cases only, so each is claimed"
        );
        let outcome = store.act(Request {
            case_no: case.case_no.clone(),
            user: user.into(),
            action: Action::Return {
                reason: format!("returned by {user}"),
            },
            expect_version: None,
            expect_stage: Some(Stage::PreAudit),
            today: Some(today()),
        });
        // The case is this session's alone: nobody else's action or claim came in between.
        outcome.unwrap_or_else(|e| panic!("{user} returns {}: {e}", case.case_no));
        taken.push(case.case_no);
        turn = store.review_next(turn.session, &q).expect("next");
    }
    let summary = store.review_end(turn.session, user, today()).expect("end");
    assert_eq!(summary.handled(), taken.len(), "{user}");
    assert!(
        summary.skipped().is_empty(),
        "{user}: {:?}",
        summary.skipped()
    );
    taken
}

#[test]
fn sessions_racing_on_one_queue_never_share_a_case() {
    let (_dir, path) = demo(3000);
    let store = Store::open(&path, Calendar::embedded()).expect("store");
    let unclaimed: BTreeSet<String> = store
        .page(&query("li.wei"))
        .expect("queue")
        .rows
        .into_iter()
        .map(|r| r.case_no)
        .collect();
    assert!(
        unclaimed.len() >= 6,
        "a queue worth racing on: {unclaimed:?}"
    );
    drop(store);

    let people = ["li.wei", "chen.yu", "zhao.min"];
    let start = Arc::new(Barrier::new(people.len()));
    let handles: Vec<_> = people
        .iter()
        .map(|user| {
            let (path, start, user) = (path.clone(), start.clone(), user.to_string());
            std::thread::spawn(move || (user.clone(), run_session(&path, &user, &start)))
        })
        .collect();
    let mut by_case: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for handle in handles {
        let (user, taken) = handle.join().expect("a session thread");
        for case_no in taken {
            by_case.entry(case_no).or_default().push(user.clone());
        }
    }
    let shared: Vec<_> = by_case.iter().filter(|(_, who)| who.len() > 1).collect();
    assert!(shared.is_empty(), "cases given to two sessions: {shared:?}");
    let handled: BTreeSet<String> = by_case.keys().cloned().collect();
    assert_eq!(handled, unclaimed, "every unclaimed case was taken once");

    let store = Store::open(&path, Calendar::embedded()).expect("store");
    let work = store.review_workload(today(), today()).expect("workload");
    let total: i64 = work.iter().map(|r| r.handled).sum();
    assert_eq!(total as usize, unclaimed.len(), "{work:?}");
    assert!(
        work.iter().all(|r| r.sessions == 1 && r.skipped == 0),
        "{work:?}"
    );
    assert!(store.check(today(), None).expect("check").ok());
}

#[test]
fn a_session_is_its_owners_only_and_ends_once() {
    let (_dir, path) = demo(1000);
    let mut store = Store::open(&path, Calendar::embedded()).expect("store");
    let turn = store.review_start(&query("li.wei")).expect("start");
    let case_no = turn.taken.clone().expect("a case").case_no;
    assert!(store.review_next(turn.session, &query("chen.yu")).is_err());
    assert!(store.review_end(turn.session, "chen.yu", today()).is_err());
    assert_eq!(
        store.case(&case_no).expect("case").assignee(),
        Some("li.wei"),
        "another's attempt changed nothing"
    );
    let summary = store
        .review_end(turn.session, "li.wei", today())
        .expect("end");
    // The case on screen when the session ended is released, not counted as skipped (until
    // issue 14 it was: only `s` is a skip).
    assert!(summary.skipped().is_empty(), "{summary:?}");
    assert_eq!(summary.handled(), 0);
    assert_eq!(summary.steps.len(), 1, "the case taken is in the summary");
    assert_eq!(store.case(&case_no).expect("case").assignee(), None);
    let work = store.review_workload(today(), today()).expect("workload");
    assert_eq!(
        work.iter()
            .map(|r| (r.user.as_str(), r.sessions, r.handled, r.skipped))
            .collect::<Vec<_>>(),
        [("li.wei", 1, 0, 0)]
    );
    assert!(store.check(today(), None).expect("check").ok());
    // An ended session ends once: ending it again writes nothing and reads the same summary
    // back (until issue 14 it was an error; a console whose user was disabled mid-session asks
    // for the summary of the session the disable ended).
    let head = store.check(today(), None).expect("check").chain_head;
    assert_eq!(
        store
            .review_end(turn.session, "li.wei", today())
            .expect("read back"),
        summary,
        "an ended session ends once"
    );
    assert_eq!(store.check(today(), None).expect("check").chain_head, head);
    assert!(store.review_end(turn.session, "chen.yu", today()).is_err());
}

/// The workload figures come from what the store recorded when each case was closed; `check`
/// reads each outcome from the audit events again, so one edited by hand is named.
#[test]
fn an_outcome_edited_by_hand_is_named_by_check() {
    let (_dir, path) = demo(1000);
    let mut store = Store::open(&path, Calendar::embedded()).expect("store");
    let q = query("li.wei");
    let turn = store.review_start(&q).expect("start");
    let returned = turn.taken.clone().expect("a case").case_no;
    store
        .act(Request {
            case_no: returned.clone(),
            user: "li.wei".into(),
            action: Action::Return {
                reason: "missing degree".into(),
            },
            expect_version: None,
            expect_stage: Some(Stage::PreAudit),
            today: Some(today()),
        })
        .expect("return");
    let turn = store.review_next(turn.session, &q).expect("next");
    let skipped = turn.taken.clone().expect("a second case").case_no;
    let turn = store.review_next(turn.session, &q).expect("skip");
    store
        .review_end(turn.session, "li.wei", today())
        .expect("end");
    assert!(store.check(today(), None).expect("check").ok());
    drop(store);

    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.execute(
        "UPDATE review_steps SET outcome = 'approve' WHERE case_no = ?1",
        [&skipped],
    )
    .expect("inflate");
    drop(conn);
    let store = Store::open(&path, Calendar::embedded()).expect("store");
    let report = store.check(today(), None).expect("check");
    assert!(
        report.problems.iter().any(|p| p.ends_with(&format!(
            "{skipped} is recorded as approve but the audit events give skipped"
        ))),
        "{:#?}",
        report.problems
    );
    assert!(
        !report.problems.iter().any(|p| p.contains(&returned)),
        "{:#?}",
        report.problems
    );
    drop(store);

    // A handled case counted as a skip too (the skips are counted from their own flag).
    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.execute(
        "UPDATE review_steps SET skipped = 1 WHERE case_no = ?1",
        [&returned],
    )
    .expect("inflate the skips");
    drop(conn);
    let store = Store::open(&path, Calendar::embedded()).expect("store");
    let report = store.check(today(), None).expect("check");
    assert!(
        report.problems.iter().any(|p| p.ends_with(&format!(
            "{returned} is recorded as both return and skipped"
        ))),
        "{:#?}",
        report.problems
    );
}

/// An admin disables a user in the middle of a session: the disable (audited as ever, naming the
/// claim it released) ends the session in the same transaction, the case on screen not counted;
/// the user's next turn is refused because they are disabled, not because nobody holds the case;
/// their console still gets the summary of the session the disable ended.
#[test]
fn disabling_a_user_ends_their_session_and_releases_its_claim() {
    let (_dir, path) = demo(1000);
    let mut store = Store::open(&path, Calendar::embedded()).expect("store");
    let q = query("li.wei");
    let turn = store.review_start(&q).expect("start");
    let returned = turn.taken.clone().expect("a case").case_no;
    store
        .act(Request {
            case_no: returned.clone(),
            user: "li.wei".into(),
            action: Action::Return {
                reason: "missing degree".into(),
            },
            expect_version: None,
            expect_stage: Some(Stage::PreAudit),
            today: Some(today()),
        })
        .expect("return");
    let turn = store.review_next(turn.session, &q).expect("next");
    let on_screen = turn.taken.clone().expect("a second case").case_no;
    assert_eq!(
        store.case(&on_screen).expect("case").assignee(),
        Some("li.wei")
    );

    let released = store
        .disable_user("admin", "li.wei", Some(today()))
        .expect("disable");
    assert!(released.contains(&on_screen), "{released:?}");
    assert_eq!(store.case(&on_screen).expect("case").assignee(), None);
    let log = store.admin_log(None, None).expect("log");
    assert!(
        matches!(
            &log[0].event.change,
            permitdesk::domain::AdminChange::UserDisable { name, released }
                if name == "li.wei" && released.contains(&on_screen)
        ),
        "{:?}",
        log[0]
    );

    // The next turn: refused for the account, in words.
    let next = store.review_next(turn.session, &q).expect_err("refused");
    assert_eq!(next.exit_code(), 3);
    assert_eq!(
        next.to_string(),
        "your account li.wei is disabled; ask an admin to enable it"
    );
    // An action on the case: the same, not "nobody holds this case".
    let act = store
        .act(Request {
            case_no: on_screen.clone(),
            user: "li.wei".into(),
            action: Action::Return {
                reason: "missing contract".into(),
            },
            expect_version: None,
            expect_stage: None,
            today: Some(today()),
        })
        .expect_err("refused");
    assert!(
        act.to_string()
            .starts_with("your account li.wei is disabled"),
        "{act}"
    );

    // Ended by the disable: the summary as it ended, the case on screen neither handled nor
    // skipped, and nothing more written.
    let head = store.check(today(), None).expect("check").chain_head;
    let summary = store
        .review_end(turn.session, "li.wei", today())
        .expect("the summary of the ended session");
    assert_eq!(summary.handled(), 1);
    assert!(summary.skipped().is_empty(), "{summary:?}");
    assert_eq!(summary.steps.len(), 2);
    let report = store.check(today(), None).expect("check");
    assert_eq!(report.chain_head, head, "reading it back wrote nothing");
    assert!(report.ok(), "{:#?}", report.problems);
    let work = store.review_workload(today(), today()).expect("workload");
    assert_eq!(
        work.iter()
            .map(|r| (r.user.as_str(), r.sessions, r.handled, r.skipped))
            .collect::<Vec<_>>(),
        [("li.wei", 1, 1, 0)]
    );
}
