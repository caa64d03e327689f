//! Reads at scale, each next to the same SQL through rusqlite with no permitdesk code (the
//! engine floor): the first page of every queue, the nine tab counts, and search.
//!
//! `cargo bench --bench queues` (see benches/common/mod.rs for the store and quick mode).

mod common;

use common::{Samples, USER, raw_count, raw_rows, today};
use criterion::{BenchmarkId, Criterion};
use permitdesk::console::app::list::PAGE_ROWS;
use permitdesk::domain::{Filter, Queue};
use permitdesk::store::search::{employer_code, match_query};
use permitdesk::store::{QueueQuery, SEARCH_DRIVE_LIMIT, Store};
use rusqlite::Connection;
use rusqlite::ToSql;

const ROWS: &str = common::ROW_COLUMNS;

fn query(queue: Queue, search: Option<&str>) -> QueueQuery {
    QueueQuery {
        queue,
        filter: Filter::All,
        search: search.map(str::to_string),
        user: USER.into(),
        today: today(),
        sort: Default::default(),
        after: None,
        limit: PAGE_ROWS,
    }
}

/// The WHERE clause and parameters the store builds for a queue, written out by hand.
fn raw_where(queue: Queue) -> (&'static str, Vec<String>) {
    match queue {
        Queue::MyCases => ("WHERE assignee = ? AND open = 1", vec![USER.to_string()]),
        Queue::Overdue => ("WHERE open = 1 AND due_key < ?", vec![today().to_string()]),
        Queue::Closed => ("WHERE open = 0", vec![]),
        Queue::All => ("", vec![]),
        stage => (
            "WHERE stage = ?",
            vec![stage.stage().expect("stage").as_str().to_string()],
        ),
    }
}

fn raw_page(conn: &Connection, queue: Queue) -> usize {
    let (cond, params) = raw_where(queue);
    let sql = format!("SELECT {ROWS} FROM cases {cond} ORDER BY due_key, case_no LIMIT ?");
    let limit = PAGE_ROWS as i64 + 1;
    let mut p: Vec<&dyn ToSql> = params.iter().map(|s| s as &dyn ToSql).collect();
    p.push(&limit);
    raw_rows(conn, &sql, &p).len()
}

/// The store's own way to a queue's total: the stage counts for a whole stage, Closed or All,
/// an index count otherwise.
fn raw_queue_count(conn: &Connection, queue: Queue) -> i64 {
    let stages: Option<Vec<&str>> = match queue {
        Queue::MyCases | Queue::Overdue => None,
        Queue::Closed => Some(vec![
            "completed",
            "refused",
            "not_accepted",
            "withdrawn",
            "lapsed",
        ]),
        Queue::All => Some(Vec::new()),
        stage => Some(vec![stage.stage().expect("stage").as_str()]),
    };
    if let Some(stages) = stages {
        let mut stmt = conn
            .prepare_cached("SELECT stage, n FROM stage_counts")
            .expect("prepare");
        let rows: Vec<(String, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        return rows
            .iter()
            .filter(|(s, _)| stages.is_empty() || stages.contains(&s.as_str()))
            .map(|(_, n)| n)
            .sum();
    }
    let (cond, params) = raw_where(queue);
    let sql = format!("SELECT count(*) FROM cases {cond}");
    let p: Vec<&dyn ToSql> = params.iter().map(|s| s as &dyn ToSql).collect();
    raw_count(conn, &sql, &p)
}

fn raw_tab_counts(conn: &Connection) -> i64 {
    let mut stmt = conn
        .prepare_cached("SELECT stage, n FROM stage_counts")
        .expect("prepare");
    let stages: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let mine = raw_count(
        conn,
        "SELECT count(*) FROM cases WHERE assignee = ?1 AND open = 1",
        &[&USER],
    );
    let overdue = raw_count(
        conn,
        "SELECT count(*) FROM cases WHERE open = 1 AND due_key < ?1",
        &[&today().to_string()],
    );
    stages.len() as i64 + mine + overdue
}

/// What the store decides for a search, from the same statements.
enum RawPlan {
    /// Full-text: the FTS5 query, and whether it walks the queue (many matches).
    Text(String, bool),
    /// A whole employer code: the code, and whether it walks the queue (many cases).
    Employer(String, bool),
}

/// The same two statements the store runs for a search: how many match (up to the limit), then
/// the page from the index (few matches) or along the queue's index (many).
fn raw_search_plan(conn: &Connection, typed: &str) -> RawPlan {
    if let Some(code) = employer_code(typed) {
        let cases = raw_count(
            conn,
            "SELECT count(*) FROM (SELECT 1 FROM cases WHERE employer_uscc = ?1 LIMIT ?2)",
            &[&code, &(SEARCH_DRIVE_LIMIT + 1)],
        );
        return RawPlan::Employer(code, cases > SEARCH_DRIVE_LIMIT);
    }
    let m = match_query(typed).expect("a query");
    // A single letter or digit walks without counting first (as the store does).
    if typed.chars().count() == 1 && typed.is_ascii() {
        return RawPlan::Text(m, true);
    }
    let matches = raw_count(
        conn,
        "SELECT count(*) FROM (SELECT 1 FROM case_search WHERE case_search MATCH ?1 LIMIT ?2)",
        &[&m, &(SEARCH_DRIVE_LIMIT + 1)],
    );
    RawPlan::Text(m, matches > SEARCH_DRIVE_LIMIT)
}

fn raw_search_page(conn: &Connection, typed: &str) -> usize {
    let limit = PAGE_ROWS as i64 + 1;
    let (sql, term) = match raw_search_plan(conn, typed) {
        RawPlan::Text(m, true) => (
            format!(
                "SELECT {ROWS} FROM cases \
                 WHERE +id IN (SELECT rowid FROM case_search WHERE case_search MATCH ?) \
                 ORDER BY due_key, case_no LIMIT ?"
            ),
            m,
        ),
        RawPlan::Text(m, false) => (
            format!(
                "SELECT {ROWS} FROM case_search CROSS JOIN cases ON cases.id = case_search.rowid \
                 WHERE case_search MATCH ? ORDER BY due_key, case_no LIMIT ?"
            ),
            m,
        ),
        RawPlan::Employer(code, true) => (
            format!(
                "SELECT {ROWS} FROM cases WHERE +employer_uscc = ? \
                 ORDER BY due_key, case_no LIMIT ?"
            ),
            code,
        ),
        RawPlan::Employer(code, false) => (
            format!(
                "SELECT {ROWS} FROM cases INDEXED BY cases_by_employer WHERE employer_uscc = ? \
                 ORDER BY due_key, case_no LIMIT ?"
            ),
            code,
        ),
    };
    raw_rows(conn, &sql, &[&term, &limit]).len()
}

fn raw_search_count(conn: &Connection, typed: &str) -> i64 {
    match raw_search_plan(conn, typed) {
        RawPlan::Text(m, true) => raw_count(
            conn,
            "SELECT count(*) FROM case_search WHERE case_search MATCH ?1",
            &[&m],
        ),
        RawPlan::Text(m, false) => raw_count(
            conn,
            "SELECT count(*) FROM case_search CROSS JOIN cases ON cases.id = case_search.rowid \
             WHERE case_search MATCH ?",
            &[&m],
        ),
        RawPlan::Employer(code, _) => raw_count(
            conn,
            "SELECT count(*) FROM cases WHERE employer_uscc = ?1",
            &[&code],
        ),
    }
}

/// Search terms taken from the store itself, so they match whatever store is measured.
struct Terms {
    name_prefix: String,
    passport: String,
    employer_code: String,
    employer_code_typical: String,
}

fn terms(conn: &Connection) -> Terms {
    // A surname prefix of a case in the middle of the store, the passport of another, and the
    // USCC of the employer with the most cases (the worst case for an exact code).
    let (name, passport): (String, String) = conn
        .query_row(
            "SELECT applicant_name, passport_no FROM cases WHERE id = (SELECT max(id) / 2 FROM cases)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a case");
    let (employer_code, employer_code_typical) = common::employer_codes(conn);
    let word = name
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap_or(&name);
    let name_prefix: String = word.chars().take(4).collect();
    Terms {
        name_prefix: name_prefix.to_lowercase(),
        passport,
        employer_code,
        employer_code_typical,
    }
}

fn bench_first_pages(c: &mut Criterion, store: &Store, raw: &Connection) {
    let mut group = c.benchmark_group("first_page");
    let samples = Samples::new();
    for queue in Queue::TABS {
        let q = query(queue, None);
        store.page(&q).expect("warm");
        group.bench_function(BenchmarkId::new("app", queue.as_str()), |b| {
            b.iter_custom(|iters| samples.timed(iters, || store.page(&q).expect("page").rows.len()))
        });
        samples.report(&format!("first_page/app/{queue}"));
        raw_page(raw, queue);
        group.bench_function(BenchmarkId::new("raw", queue.as_str()), |b| {
            b.iter_custom(|iters| samples.timed(iters, || raw_page(raw, queue)))
        });
        samples.report(&format!("first_page/raw/{queue}"));
        // What the console's worker does for a page: the page and the total for the title.
        group.bench_function(BenchmarkId::new("app_with_total", queue.as_str()), |b| {
            b.iter_custom(|iters| {
                samples.timed(iters, || {
                    (
                        store.page(&q).expect("page").rows.len(),
                        store.count(&q).expect("count"),
                    )
                })
            })
        });
        samples.report(&format!("first_page_with_total/app/{queue}"));
        group.bench_function(BenchmarkId::new("raw_with_total", queue.as_str()), |b| {
            b.iter_custom(|iters| {
                samples.timed(iters, || {
                    (raw_page(raw, queue), raw_queue_count(raw, queue))
                })
            })
        });
        samples.report(&format!("first_page_with_total/raw/{queue}"));
    }
    group.finish();
}

fn bench_tab_counts(c: &mut Criterion, store: &Store, raw: &Connection) {
    let mut group = c.benchmark_group("tab_counts");
    let samples = Samples::new();
    store.tab_counts(USER, today()).expect("warm");
    group.bench_function("app", |b| {
        b.iter_custom(|iters| {
            samples.timed(iters, || store.tab_counts(USER, today()).expect("counts"))
        })
    });
    samples.report("tab_counts/app");
    raw_tab_counts(raw);
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| samples.timed(iters, || raw_tab_counts(raw)))
    });
    samples.report("tab_counts/raw");
    group.finish();
}

fn bench_search(c: &mut Criterion, store: &Store, raw: &Connection) {
    let t = terms(raw);
    let mut group = c.benchmark_group("search");
    let samples = Samples::new();
    let cases: Vec<(&str, String)> = vec![
        ("name_prefix", t.name_prefix.clone()),
        ("passport", t.passport.clone()),
        ("employer_code", t.employer_code.clone()),
        ("employer_code_typical", t.employer_code_typical.clone()),
        // Short prefixes: the worst cases of search as you type.
        ("one_letter", t.name_prefix.chars().take(1).collect()),
        ("two_letters", t.name_prefix.chars().take(2).collect()),
        ("cjk_char", "王".to_string()),
    ];
    for (label, typed) in &cases {
        eprintln!("search {label}: {typed:?}");
        let q = query(Queue::All, Some(typed));
        store.page(&q).expect("warm");
        group.bench_function(BenchmarkId::new("app", label), |b| {
            b.iter_custom(|iters| samples.timed(iters, || store.page(&q).expect("page").rows.len()))
        });
        samples.report(&format!("search/app/{label}"));
        raw_search_page(raw, typed);
        group.bench_function(BenchmarkId::new("raw", label), |b| {
            b.iter_custom(|iters| samples.timed(iters, || raw_search_page(raw, typed)))
        });
        samples.report(&format!("search/raw/{label}"));
        group.bench_function(BenchmarkId::new("app_with_total", label), |b| {
            b.iter_custom(|iters| {
                samples.timed(iters, || {
                    (
                        store.page(&q).expect("page").rows.len(),
                        store.count(&q).expect("count"),
                    )
                })
            })
        });
        samples.report(&format!("search_with_total/app/{label}"));
        group.bench_function(BenchmarkId::new("raw_with_total", label), |b| {
            b.iter_custom(|iters| {
                samples.timed(iters, || {
                    (raw_search_page(raw, typed), raw_search_count(raw, typed))
                })
            })
        });
        samples.report(&format!("search_with_total/raw/{label}"));
    }
    group.finish();
}

fn main() {
    let path = common::bench_db();
    let store = common::open_store(&path);
    let raw = common::raw_connection(&path);
    let mut c = common::criterion().configure_from_args();
    bench_first_pages(&mut c, &store, &raw);
    bench_tab_counts(&mut c, &store, &raw);
    bench_search(&mut c, &store, &raw);
    c.final_summary();
}
