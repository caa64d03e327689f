//! The store against real files: creation, permissions, refusals, concurrency, replay.

use permitdesk::domain::case::Submission;
use permitdesk::domain::{Action, Calendar, Queue, Stage};
use permitdesk::store::import::ImportBatch;
use permitdesk::store::{
    QueueQuery, Request, SEARCH_DRIVE_LIMIT, Sort, SortColumn, Store, StoreError,
};
use tempfile::TempDir;

mod store_support;
use store_support::{act, day, new_store, query, submission};

#[test]
fn a_new_store_is_private_to_owner_and_group() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().expect("dir");
    let store = new_store(dir.path());
    let mode = std::fs::metadata(store.path())
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777 & !0o660, 0, "mode {mode:o}");
    assert_eq!(store.journal_mode().expect("mode"), "wal");
}

#[test]
fn a_bulk_load_needs_the_store_alone_and_ends_in_wal() {
    let dir = TempDir::new().expect("dir");
    let mut store = new_store(dir.path());
    let other = Store::open(store.path(), Calendar::embedded()).expect("second connection");
    let refused = store
        .begin_bulk_load()
        .expect_err("another connection is open");
    assert!(refused.to_string().contains("alone"), "{refused}");
    assert_eq!(store.journal_mode().expect("mode"), "wal");
    drop(other);
    let indexes = |store: &Store| -> Vec<(String, String)> {
        let conn = rusqlite::Connection::open(store.path()).expect("raw");
        conn.prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('cases', 'events')
             ORDER BY name",
        )
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("indexes")
    };
    let before = indexes(&store);
    // Every secondary index of cases and events is set aside, so none is kept row by row.
    let mut named: Vec<&str> = permitdesk::store::SET_ASIDE
        .iter()
        .map(|d| d.trim_start_matches("DROP INDEX "))
        .collect();
    named.sort_unstable();
    assert_eq!(
        named,
        before.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>()
    );
    let set_aside = store.begin_bulk_load().expect("alone now");
    assert_eq!(store.journal_mode().expect("mode"), "memory");
    store
        .submit("system", submission(1, None), Some(day("2026-11-02")))
        .expect("a write during the bulk load");
    store.end_bulk_load(set_aside).expect("end");
    assert_eq!(store.journal_mode().expect("mode"), "wal");
    assert_eq!(
        indexes(&store),
        before,
        "every index is built again as it was"
    );
    drop(store);
    let reopened = Store::open(&dir.path().join("t.db"), Calendar::embedded()).expect("reopen");
    assert_eq!(reopened.journal_mode().expect("mode"), "wal");
    let all = reopened.page(&query(Queue::All, None)).expect("page");
    assert_eq!(all.rows.len(), 1);
}

#[test]
fn an_action_and_its_event_commit_together_and_replay() {
    let dir = TempDir::new().expect("dir");
    let mut store = new_store(dir.path());
    store
        .submit(
            "system",
            submission(1, Some("李伟")),
            Some(day("2026-11-20")),
        )
        .expect("submit");
    act(&mut store, "TS2026-000001", "li.wei", Action::Claim).expect("claim");
    act(
        &mut store,
        "TS2026-000001",
        "li.wei",
        Action::Approve { note: None },
    )
    .expect("accept");
    let case = store.case("TS2026-000001").expect("case");
    assert_eq!(case.stage, Stage::Review);
    assert_eq!(case.version, 3);
    let events = store.events("TS2026-000001").expect("events");
    assert_eq!(events.len(), 3);
    let replayed = permitdesk::domain::replay(&events)
        .expect("replay")
        .expect("case");
    assert_eq!(replayed, case);
    let report = store.check(day("2026-11-26"), None).expect("check");
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.events, 3);
}

#[test]
fn a_refused_action_changes_nothing() {
    let dir = TempDir::new().expect("dir");
    let mut store = new_store(dir.path());
    store
        .submit("system", submission(1, None), Some(day("2026-11-20")))
        .expect("submit");
    act(&mut store, "TS2026-000001", "li.wei", Action::Claim).expect("claim");
    let err = act(
        &mut store,
        "TS2026-000001",
        "chen.yu",
        Action::Approve { note: None },
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), 4);
    let err = store
        .act(Request {
            case_no: "TS2026-000001".into(),
            user: "li.wei".into(),
            action: Action::Release,
            expect_version: Some(1),
            expect_stage: None,
            today: None,
        })
        .unwrap_err();
    assert!(
        matches!(
            &err,
            StoreError::StaleVersion {
                expected: 1,
                actual: 2,
                last_change: permitdesk::store::LastChange::Event {
                    action: permitdesk::domain::ActionKind::Claim,
                    actor,
                    ..
                },
                ..
            } if actor == "li.wei"
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("(last change: li.wei claim at "),
        "{err}"
    );
    assert_eq!(store.case("TS2026-000001").expect("case").version, 2);
    assert_eq!(store.events("TS2026-000001").expect("events").len(), 2);
}

#[test]
fn search_finds_chinese_names_by_any_run_of_characters() {
    let dir = TempDir::new().expect("dir");
    let mut store = new_store(dir.path());
    store
        .submit(
            "system",
            submission(1, Some("李伟明")),
            Some(day("2026-11-20")),
        )
        .expect("submit");
    store
        .submit(
            "system",
            submission(2, Some("王芳")),
            Some(day("2026-11-20")),
        )
        .expect("submit");
    for (typed, expected) in [
        ("李", 1),
        ("伟", 1),
        ("伟明", 1),
        ("李伟明", 1),
        ("明伟", 0),
        ("芳", 1),
        ("e0000000", 2),
        ("E00000002", 1),
        ("TS2026-000002", 1),
        ("lingnan robot", 2),
        ("91440101MA5CQ7H2XC", 2),
    ] {
        let page = store.page(&query(Queue::All, Some(typed))).expect("search");
        assert_eq!(page.rows.len(), expected, "searching {typed}");
    }
}

#[test]
fn a_whole_employer_code_is_searched_through_the_employer_index() {
    let dir = TempDir::new().expect("dir");
    let mut store = new_store(dir.path());
    let big = "91440101MA5CQ7H2XC";
    let first17 = "91440101MA5CQ7H3X";
    let check = permitdesk::domain::ids::uscc_check_char(first17).expect("code");
    let small = format!("{first17}{check}");
    // Enough cases for the big employer that its search walks the queue instead.
    let big_cases = u32::try_from(SEARCH_DRIVE_LIMIT).expect("limit") + 5;
    let set_aside = store.begin_bulk_load().expect("bulk");
    for n in 1..=big_cases + 3 {
        let mut s = submission(n, None);
        if n > big_cases {
            s.employer.uscc = small.clone();
        }
        store
            .submit("system", s, Some(day("2026-11-20")))
            .expect("submit");
    }
    store.end_bulk_load(set_aside).expect("bulk");
    for (typed, code, total) in [
        (
            format!("  {}  ", big.to_lowercase()),
            big,
            i64::from(big_cases),
        ),
        (small.clone(), small.as_str(), 3),
    ] {
        let q = query(Queue::PreAudit, Some(&typed));
        let page = store.page(&q).expect("search");
        assert_eq!(page.rows.len(), (total as usize).min(q.limit), "{typed}");
        assert!(page.rows.iter().all(|r| r.employer.uscc == code), "{typed}");
        assert_eq!(store.count(&q).expect("count"), total, "{typed}");
        let capped = store.count_capped(&q, 1000).expect("count");
        assert_eq!((capped.n, capped.more), (total.min(1000), total > 1000));
        let plan = plan_of(&store, &q);
        assert!(!plan.contains("case_search"), "{typed}: {plan}");
        assert!(!scans_table(&plan), "{typed}: {plan}");
        if total > SEARCH_DRIVE_LIMIT {
            assert!(plan.contains("cases_by_stage"), "walks the queue: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "walks in order: {plan}");
        } else {
            assert!(plan.contains("cases_by_employer"), "reads the code: {plan}");
        }
    }
    // One character off the check character is text, not a code: no case holds it.
    let wrong = format!("{first17}{}", if check == '0' { '1' } else { '0' });
    let page = store
        .page(&query(Queue::All, Some(&wrong)))
        .expect("search");
    assert!(page.rows.is_empty());
}

#[test]
fn keyset_pages_cover_a_queue_exactly_once() {
    let dir = TempDir::new().expect("dir");
    let mut store = new_store(dir.path());
    for n in 1..=23 {
        store
            .submit("system", submission(n, None), Some(day("2026-11-20")))
            .expect("submit");
    }
    let mut q = query(Queue::PreAudit, None);
    q.limit = 5;
    let mut seen = Vec::new();
    loop {
        let page = store.page(&q).expect("page");
        seen.extend(page.rows.iter().map(|r| r.case_no.clone()));
        match page.next {
            Some(cursor) => q.after = Some(cursor),
            None => break,
        }
    }
    assert_eq!(seen.len(), 23);
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 23);
    let counts = store
        .tab_counts("li.wei", day("2026-11-26"))
        .expect("counts");
    assert_eq!(counts.get(Queue::PreAudit), 23);
}

/// The four orders a queue offers.
fn sorts() -> [(&'static str, Sort); 4] {
    let sort = |column, descending| Sort { column, descending };
    [
        ("deadline", sort(SortColumn::Deadline, false)),
        ("deadline desc", sort(SortColumn::Deadline, true)),
        ("case no", sort(SortColumn::CaseNo, false)),
        ("case no desc", sort(SortColumn::CaseNo, true)),
    ]
}

fn plan_of(store: &Store, q: &QueueQuery) -> String {
    store.queue_plan(q).expect("plan").join(" | ")
}

/// Reads the whole table (a SCAN of `cases` that is not an ordered walk of an index).
fn scans_table(plan: &str) -> bool {
    plan.split(" | ")
        .any(|step| step.starts_with("SCAN cases") && !step.contains("INDEX"))
}

#[test]
fn queue_queries_use_their_indexes() {
    let dir = TempDir::new().expect("dir");
    let store = new_store(dir.path());
    for queue in Queue::ALL {
        for (name, sort) in sorts() {
            let plan = plan_of(
                &store,
                &QueueQuery {
                    sort,
                    ..query(queue, None)
                },
            );
            // An ordered walk of an index under a LIMIT is fine; reading the table is not.
            assert!(
                !scans_table(&plan),
                "{queue} by {name} scans the table: {plan}"
            );
            if queue == Queue::Overdue && sort.column == SortColumn::CaseNo {
                // "Overdue" depends on today, so no index can hold it in case-number order: the
                // overdue cases are found by a range of the deadline index and sorted, which is
                // bounded by how many cases are overdue (docs/PERFORMANCE.md).
                assert!(
                    plan.contains("INDEX cases_by_open (open=? AND due_key<?)"),
                    "{queue} by {name} does not read the overdue range: {plan}"
                );
            } else {
                assert!(
                    !plan.contains("TEMP B-TREE"),
                    "{queue} by {name} sorts in memory: {plan}"
                );
            }
        }
    }
    // My cases has its own index in both orders (it used to walk every open case).
    for (name, sort) in sorts() {
        let plan = plan_of(
            &store,
            &QueueQuery {
                sort,
                ..query(Queue::MyCases, None)
            },
        );
        assert!(
            plan.contains("cases_mine") && plan.contains("assignee=? AND open=?"),
            "my cases by {name}: {plan}"
        );
    }
}

/// More cases match than `SEARCH_DRIVE_LIMIT`: the search walks the queue's index in order and
/// tests each row; few match: it starts from the full-text index and sorts those few. Both give
/// the same rows in the same order, page after page, and the same totals.
#[test]
fn search_queries_use_their_indexes_and_agree() {
    let dir = TempDir::new().expect("dir");
    let mut store = new_store(dir.path());
    let many = SEARCH_DRIVE_LIMIT as u32 + 1;
    let mut cases: Vec<(u64, Submission)> = (1..=many)
        .map(|n| (u64::from(n), submission(n, None)))
        .collect();
    for n in many + 1..=many + 5 {
        let mut s = submission(n, None);
        s.applicant.name = "SMIRNOVA OLGA".into();
        cases.push((u64::from(n), s));
    }
    let batch = ImportBatch {
        name: "t.jsonl".into(),
        checksum: "t".into(),
        cases: cases.len() as u64,
    };
    store
        .import_cases(
            "admin",
            &batch,
            cases.into_iter(),
            Some(day("2026-11-20")),
            &|_| {},
        )
        .expect("import");
    act(&mut store, "TS2026-000007", "li.wei", Action::Claim).expect("claim");

    for queue in Queue::ALL {
        for (name, sort) in sorts() {
            let walk = QueueQuery {
                sort,
                ..query(queue, Some("wei"))
            };
            let plan = plan_of(&store, &walk);
            assert!(
                !scans_table(&plan),
                "{queue} by {name}, many matches: {plan}"
            );
            assert!(plan.contains("LIST SUBQUERY"), "{queue} by {name}: {plan}");
            let bounded_sort = queue == Queue::Overdue && sort.column == SortColumn::CaseNo;
            assert!(
                bounded_sort || !plan.contains("TEMP B-TREE"),
                "{queue} by {name}, many matches, sorts in memory: {plan}"
            );
            let drive = QueueQuery {
                sort,
                ..query(queue, Some("smir"))
            };
            let plan = plan_of(&store, &drive);
            assert!(
                plan.starts_with("SCAN case_search VIRTUAL TABLE")
                    && plan.contains("USING INTEGER PRIMARY KEY"),
                "{queue} by {name}, few matches, does not start from the search index: {plan}"
            );
        }
    }

    // Every matching case exactly once, in order, across keyset pages of the walked search.
    let mut q = QueueQuery {
        limit: 300,
        ..query(Queue::PreAudit, Some("wei"))
    };
    let mut seen = Vec::new();
    loop {
        let page = store.page(&q).expect("page");
        seen.extend(
            page.rows
                .iter()
                .map(|r| (r.due_key.clone(), r.case_no.clone())),
        );
        match page.next {
            Some(next) => q.after = Some(next),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "pages are in order and never repeat a case");
    assert_eq!(seen.len(), many as usize);

    let count = |queue: Queue, search: &str| store.count(&query(queue, Some(search))).expect("n");
    assert_eq!(count(Queue::All, "wei"), i64::from(many));
    assert_eq!(count(Queue::PreAudit, "wei"), i64::from(many));
    assert_eq!(count(Queue::MyCases, "wei"), 1);
    assert_eq!(count(Queue::Closed, "wei"), 0);
    assert_eq!(count(Queue::All, "smir"), 5);
    assert_eq!(count(Queue::All, "--"), 0);
    assert_eq!(
        store.count(&query(Queue::PreAudit, None)).expect("n"),
        i64::from(many) + 5
    );
    let capped = store
        .count_capped(&query(Queue::All, Some("wei")), 1000)
        .expect("capped");
    assert_eq!((capped.n, capped.more), (1000, true));
    let capped = store
        .count_capped(&query(Queue::All, Some("smir")), 1000)
        .expect("capped");
    assert_eq!((capped.n, capped.more), (5, false));
}

#[test]
fn foreign_files_and_newer_schemas_are_refused_clearly() {
    let dir = TempDir::new().expect("dir");
    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"this is not a database at all, just some text padding it out",
    )
    .expect("write");
    let err = Store::open(&junk, Calendar::embedded())
        .err()
        .expect("refused");
    assert!(err.to_string().contains("not a permitdesk store"), "{err}");

    let newer = dir.path().join("newer.db");
    drop(new_store(dir.path()));
    std::fs::copy(dir.path().join("t.db"), &newer).expect("copy");
    let conn = rusqlite::Connection::open(&newer).expect("open");
    conn.pragma_update(None, "user_version", 99).expect("bump");
    drop(conn);
    let err = Store::open(&newer, Calendar::embedded())
        .err()
        .expect("refused");
    assert!(err.to_string().contains("newer permitdesk"), "{err}");

    let other = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).expect("open");
    conn.execute_batch("CREATE TABLE t (x)").expect("table");
    drop(conn);
    let err = Store::open(&other, Calendar::embedded())
        .err()
        .expect("refused");
    assert!(err.to_string().contains("other tables"), "{err}");
}

#[test]
fn a_calendar_change_recomputes_stored_deadlines() {
    let dir = TempDir::new().expect("dir");
    let mut store = new_store(dir.path());
    store
        .submit("system", submission(1, None), Some(day("2026-09-28")))
        .expect("submit");
    let due = |store: &Store| {
        store
            .page(&query(Queue::PreAudit, None))
            .expect("page")
            .rows[0]
            .deadline
            .clone()
            .expect("deadline")
            .due
    };
    // 5 working days after Mon 2026-09-28: 09-29, 09-30, then National Day to 10-07, 10-08, 10-09, 10-10 (make-up Saturday).
    assert_eq!(due(&store), Some(day("2026-10-10")));
    let without_makeup = Calendar::from_toml_str(
        &permitdesk::domain::calendar::EMBEDDED_CALENDAR
            .replace("\"2026-10-10\"", "\"2026-10-11\""),
        "edited",
    )
    .expect("calendar");
    store
        .install_calendar("admin", without_makeup)
        .expect("install");
    // Now 10-10 is a rest day and Sunday 10-11 a make-up day: 09-29, 09-30, 10-08, 10-09, 10-11.
    assert_eq!(due(&store), Some(day("2026-10-11")));
    assert!(store.check(day("2026-11-26"), None).expect("check").ok());
}

#[test]
fn concurrent_writers_never_lose_an_update() {
    let dir = TempDir::new().expect("dir");
    let mut store = new_store(dir.path());
    store
        .submit("system", submission(1, None), Some(day("2026-11-20")))
        .expect("submit");
    let path = store.path().to_path_buf();
    drop(store);
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path, Calendar::embedded()).expect("open");
                let mut ok = 0;
                for n in 0..10 {
                    let text = format!("note {i}/{n}");
                    if act(&mut store, "TS2026-000001", "li.wei", Action::Note { text }).is_ok() {
                        ok += 1;
                    }
                }
                ok
            })
        })
        .collect();
    let committed: i64 = threads.into_iter().map(|t| t.join().expect("thread")).sum();
    assert_eq!(committed, 80, "no writer may fail with BUSY");
    let store = Store::open(&path, Calendar::embedded()).expect("open");
    assert_eq!(store.case("TS2026-000001").expect("case").version, 81);
    assert!(store.check(day("2026-11-26"), None).expect("check").ok());
}

/// The built-in calendar with the weeks around the end of November 2026 made holidays.
fn calendar_with_late_november_off() -> Calendar {
    let national_day = r#"["2026-10-01", "2026-10-07"], # National Day"#;
    let embedded = Calendar::embedded();
    assert!(embedded.text().contains(national_day));
    let text = embedded.text().replace(
        national_day,
        &format!("{national_day}\n  [\"2026-11-23\", \"2026-12-04\"], # a test holiday"),
    );
    Calendar::from_toml_str(&text, "other.toml").expect("calendar")
}

#[test]
fn the_store_keeps_its_calendar_whoever_opens_it() {
    let dir = TempDir::new().expect("dir");
    let path = dir.path().join("t.db");
    let mut store = new_store(dir.path());
    store
        .submit("system", submission(1, None), Some(day("2026-11-20")))
        .expect("submit");
    let due = |s: &Store| {
        s.page(&query(Queue::PreAudit, None)).expect("page").rows[0]
            .due_key
            .clone()
    };
    let before = due(&store);
    drop(store);

    let other = calendar_with_late_november_off();
    let mut store = Store::open(&path, other.clone()).expect("reopen");
    assert_eq!(
        due(&store),
        before,
        "an opener's own calendar changes nothing"
    );
    assert_eq!(store.offered_calendar(), Some("other.toml"));
    assert_eq!(
        store.calendar().fingerprint(),
        Calendar::embedded().fingerprint()
    );

    let refused = store
        .install_calendar("li.wei", other.clone())
        .expect_err("only an admin installs a calendar");
    assert_eq!(refused.exit_code(), 3, "{refused}");
    assert_eq!(due(&store), before);
    store.install_calendar("admin", other).expect("install");
    let after = due(&store);
    assert!(after > before, "{before} -> {after}");
    drop(store);

    let store = Store::open(&path, Calendar::embedded()).expect("reopen");
    assert_eq!(due(&store), after, "the installed calendar stays");
    assert_eq!(store.offered_calendar(), Some("embedded"));
}

#[test]
fn a_writer_that_opened_before_an_install_writes_with_the_new_calendar() {
    let dir = TempDir::new().expect("dir");
    let path = dir.path().join("t.db");
    let mut admin = new_store(dir.path());
    let mut long_running = Store::open(&path, Calendar::embedded()).expect("second process");
    admin
        .install_calendar("admin", calendar_with_late_november_off())
        .expect("install");
    long_running
        .submit("system", submission(7, None), Some(day("2026-11-20")))
        .expect("submit");
    let row = &long_running
        .page(&query(Queue::PreAudit, None))
        .expect("page")
        .rows[0];
    // Five working days after Friday 11-20 with 11-23..12-04 off: Mon 12-07 .. Fri 12-11.
    assert!(row.due_key.starts_with("2026-12-11"), "{}", row.due_key);
    drop(long_running);
    let mut reader = Store::open(&path, Calendar::embedded()).expect("a reader");
    admin
        .install_calendar("admin", Calendar::embedded())
        .expect("back to the built-in calendar");
    assert_ne!(
        reader.calendar().fingerprint(),
        Calendar::embedded().fingerprint()
    );
    reader.follow_calendar().expect("follow");
    assert_eq!(
        reader.calendar().fingerprint(),
        Calendar::embedded().fingerprint()
    );
    let check = admin.check(day("2026-11-26"), None).expect("check");
    assert!(check.problems.is_empty(), "{:?}", check.problems);
}
