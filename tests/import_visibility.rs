//! An import's cases appear together when its last transaction commits (issue 16, item 2):
//! stopped half-way, the batch is in no queue, count, search, figure or action; a second file
//! waits for it; running the first again makes every case visible at once.

use permitdesk::domain::case::Submission;
use permitdesk::domain::{Action, Queue, Stage};
use permitdesk::store::import::ImportBatch;
use permitdesk::store::{Store, StoreError};
use tempfile::TempDir;

mod store_support;
use store_support::{act, day, new_store, query, submission};

const GOOD: u32 = 1200;

fn batch(checksum: &str, cases: u64) -> ImportBatch {
    ImportBatch {
        name: format!("{checksum}.jsonl"),
        checksum: checksum.into(),
        cases,
    }
}

fn import(
    store: &mut Store,
    batch: &ImportBatch,
    lines: Vec<(u64, Submission)>,
) -> Result<u64, StoreError> {
    store.import_cases(
        "admin",
        batch,
        lines.into_iter(),
        Some(day("2026-11-20")),
        &|_| {},
    )
}

fn good_lines(from_line: u64) -> Vec<(u64, Submission)> {
    (1..=GOOD)
        .map(|n| (u64::from(n), submission(n, None)))
        .filter(|(line, _)| *line > from_line)
        .collect()
}

fn all_count(store: &Store) -> i64 {
    store.count(&query(Queue::All, None)).expect("count")
}

fn claim(store: &mut Store, case_no: &str) -> Result<i64, StoreError> {
    act(store, case_no, "li.wei", Action::Claim)
}

#[test]
fn a_stopped_import_shows_nothing_until_it_is_finished() {
    let dir = TempDir::new().expect("dir");
    let mut store = new_store(dir.path());
    // One visible case before the import, claimable.
    import(
        &mut store,
        &batch("before", 1),
        vec![(1, submission(9999, None))],
    )
    .expect("one case");
    assert_eq!(all_count(&store), 1);

    // The file's last line repeats its first case number: the import stops in its last
    // transaction, after the earlier ones committed.
    let first = batch("first", u64::from(GOOD) + 1);
    let mut lines = good_lines(0);
    lines.push((u64::from(GOOD) + 1, submission(1, None)));
    let stopped = import(&mut store, &first, lines);
    assert!(
        matches!(stopped, Err(StoreError::Invalid { .. })),
        "{stopped:?}"
    );
    let written = store
        .import_resume_point("first")
        .expect("resume point")
        .expect("the import stopped part-way");
    assert!(written > 0, "no transaction committed before the bad line");

    // None of it is visible.
    assert_eq!(all_count(&store), 1, "All counts the hidden batch");
    let tabs = store.tab_counts("li.wei", day("2026-11-26")).expect("tabs");
    assert_eq!(tabs.get(Queue::PreAudit), 1, "the Pre-audit tab counts it");
    let page = store.page(&query(Queue::All, None)).expect("page");
    assert_eq!(page.rows.len(), 1);
    let searched = store
        .count(&query(Queue::All, Some("TS2026-000001")))
        .expect("search");
    assert_eq!(searched, 0, "search finds a hidden case");
    let name_search = store
        .count(&query(Queue::PreAudit, Some("LI WEI")))
        .expect("search");
    assert_eq!(name_search, 1, "a name search counts hidden cases");
    assert!(matches!(
        store.case("TS2026-000001"),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        claim(&mut store, "TS2026-000001"),
        Err(StoreError::NotFound { .. })
    ));
    let workload = store.workload(day("2026-11-26")).expect("workload");
    assert_eq!(workload.unclaimed, 1, "the workload's unclaimed counts it");
    let report = store.check(day("2026-11-26"), None).expect("check");
    assert!(report.ok(), "{:?}", report.problems);
    assert!(
        report.warnings.iter().any(|w| w.contains("first.jsonl")),
        "{:?}",
        report.warnings
    );

    // Another file waits for the unfinished one, whatever it holds, and writes nothing.
    let other = import(
        &mut store,
        &batch("second", 1),
        vec![(1, submission(5000, None))],
    );
    let Err(refusal) = other else {
        panic!("a second import ran beside an unfinished one");
    };
    assert!(matches!(refusal, StoreError::UnfinishedImport { .. }));
    assert_eq!(refusal.exit_code(), 4);
    assert!(refusal.to_string().contains("first.jsonl"), "{refusal}");

    // Meanwhile the office works: a claim, and a case opened by other means is numbered above
    // the batch's block.
    claim(&mut store, "TS2026-009999").expect("a visible case can be claimed");

    // The same file, corrected, again: the rest is written and everything appears at once.
    let finished = batch("first", u64::from(GOOD));
    import(&mut store, &finished, good_lines(written)).expect("the rest");
    assert_eq!(all_count(&store), i64::from(GOOD) + 1);
    let tabs = store.tab_counts("li.wei", day("2026-11-26")).expect("tabs");
    assert_eq!(tabs.get(Queue::PreAudit), i64::from(GOOD) + 1);
    assert_eq!(
        store.case("TS2026-000001").expect("visible").stage,
        Stage::PreAudit
    );
    claim(&mut store, "TS2026-000001").expect("claimable once visible");
    let report = store.check(day("2026-11-26"), None).expect("check");
    assert!(report.ok(), "{:?}", report.problems);
    assert!(report.warnings.iter().all(|w| !w.contains("unfinished")));
    import(
        &mut store,
        &batch("second", 1),
        vec![(1, submission(5000, None))],
    )
    .expect("the second file, once the first has finished");
}
