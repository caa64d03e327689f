//! Queue pages with keyset pagination over indexes that match each queue's filter and order, and
//! the tab counts. No query ever loads a whole queue.

use super::Store;
use super::cases::{CaseRow, ROW_COLUMNS, read_row};
use super::error::{Result, SqlContext};
use super::visibility::{Hidden, VISIBLE_CASES};
use crate::domain::{Filter, Queue, Stage, TimerKind};
use chrono::NaiveDate;
use rusqlite::params;
use rusqlite::types::Value;
use serde::Serialize;

/// Where the next page starts: just after this row in the queue's order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    pub due_key: String,
    pub case_no: String,
}

/// The columns a queue can be ordered by; each is served by an index in every stage queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SortColumn {
    /// Most urgent deadline first, then case number.
    #[default]
    Deadline,
    CaseNo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Sort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Sort {
    fn order_by(self) -> &'static str {
        match (self.column, self.descending) {
            (SortColumn::Deadline, false) => "ORDER BY due_key, case_no",
            (SortColumn::Deadline, true) => "ORDER BY due_key DESC, case_no DESC",
            (SortColumn::CaseNo, false) => "ORDER BY case_no",
            (SortColumn::CaseNo, true) => "ORDER BY case_no DESC",
        }
    }

    fn after(self) -> &'static str {
        match (self.column, self.descending) {
            (SortColumn::Deadline, false) => "(due_key, case_no) > (?, ?)",
            (SortColumn::Deadline, true) => "(due_key, case_no) < (?, ?)",
            (SortColumn::CaseNo, false) => "case_no > ?",
            (SortColumn::CaseNo, true) => "case_no < ?",
        }
    }
}

impl Cursor {
    pub fn after(row: &CaseRow) -> Cursor {
        Cursor {
            due_key: row.due_key.clone(),
            case_no: row.case_no.clone(),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct QueueQuery {
    pub queue: Queue,
    pub filter: Filter,
    pub search: Option<String>,
    pub user: String,
    pub today: NaiveDate,
    pub sort: Sort,
    pub after: Option<Cursor>,
    pub limit: usize,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Page {
    #[serde(with = "crate::store::cases::rows_with_keys")]
    pub rows: Vec<CaseRow>,
    /// Set when more rows follow.
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TabCounts {
    pub counts: Vec<(Queue, i64)>,
}

impl TabCounts {
    pub fn get(&self, queue: Queue) -> i64 {
        self.counts
            .iter()
            .find(|(q, _)| *q == queue)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
}

/// A search with at most this many matches is read match by match (each case looked up by its
/// rowid, then sorted); one with more walks the queue's own index in order and keeps the rows that
/// match, which stops after a page however many cases match. See docs/PERFORMANCE.md.
pub const SEARCH_DRIVE_LIMIT: i64 = 2000;

/// How a query with a search reaches its rows.
#[derive(Debug, Clone)]
enum SearchPlan {
    /// No search.
    None,
    /// Nothing searchable was typed: no rows.
    Nothing,
    /// Few matches: from the full-text index to the cases.
    Drive(String),
    /// Many matches: along the queue's index, testing each row against the matches.
    Walk(String),
    /// A whole unified social credit code with few cases: from the employer index to the cases.
    EmployerDrive(String),
    /// A whole unified social credit code with many cases: along the queue's index, testing
    /// each row's code (no list of matches to build first, unlike `Walk`).
    EmployerWalk(String),
}

impl SearchPlan {
    /// The FROM clause: a constant fragment (tests/access.rs reviews every SQL `format!`).
    #[allow(clippy::wrong_self_convention)]
    fn from_clause(&self) -> &'static str {
        match self {
            SearchPlan::Drive(_) => {
                "FROM case_search CROSS JOIN cases ON cases.id = case_search.rowid"
            }
            SearchPlan::EmployerDrive(_) => "FROM cases INDEXED BY cases_by_employer",
            _ => "FROM cases",
        }
    }

    /// The plan for counting: a code's cases are counted from the employer index, never by
    /// walking a queue until its end.
    fn for_counting(self) -> SearchPlan {
        match self {
            SearchPlan::EmployerWalk(code) => SearchPlan::EmployerDrive(code),
            other => other,
        }
    }
}

/// A count that stops at a cap: `more` is set when there are more than `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    pub n: i64,
    pub more: bool,
}

/// SQL conditions and their parameters, built from fixed fragments only.
struct Conditions {
    sql: Vec<&'static str>,
    params: Vec<Value>,
}

impl Conditions {
    fn new() -> Self {
        Conditions {
            sql: Vec::new(),
            params: Vec::new(),
        }
    }

    fn push(&mut self, sql: &'static str, params: impl IntoIterator<Item = Value>) {
        self.sql.push(sql);
        self.params.extend(params);
    }

    fn where_clause(&self) -> String {
        if self.sql.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.sql.join(" AND "))
        }
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

impl Store {
    /// How a search reaches its rows: counts the matches up to `SEARCH_DRIVE_LIMIT` first.
    fn search_plan(&self, q: &QueueQuery) -> Result<SearchPlan> {
        let Some(typed) = q.search.as_deref() else {
            return Ok(SearchPlan::None);
        };
        if let Some(code) = super::search::employer_code(typed) {
            return self.employer_plan(code);
        }
        let Some(m) = super::search::match_query(typed) else {
            return Ok(SearchPlan::Nothing);
        };
        // One letter or digit as a prefix matches a large share of any store, and counting its
        // matches costs as much as the search itself (FTS5 merges every term that starts with
        // it): walk without asking.
        let words: Vec<&str> = typed.split_whitespace().collect();
        if let [word] = words[..] {
            let mut chars = word.chars().filter(|c| c.is_alphanumeric());
            if let (Some(c), None) = (chars.next(), chars.next()) {
                if !super::search::is_cjk(c) {
                    return Ok(SearchPlan::Walk(m));
                }
            }
        }
        let many = self.more_than_drive_limit(
            "SELECT count(*) FROM (SELECT 1 FROM case_search WHERE case_search MATCH ?1 LIMIT ?2)",
            &m,
        )?;
        Ok(if many {
            SearchPlan::Walk(m)
        } else {
            SearchPlan::Drive(m)
        })
    }

    fn employer_plan(&self, code: String) -> Result<SearchPlan> {
        let many = self.more_than_drive_limit(
            "SELECT count(*) FROM (SELECT 1 FROM cases WHERE employer_uscc = ?1 LIMIT ?2)",
            &code,
        )?;
        Ok(if many {
            SearchPlan::EmployerWalk(code)
        } else {
            SearchPlan::EmployerDrive(code)
        })
    }

    /// Whether a search term has more than `SEARCH_DRIVE_LIMIT` matches, counted by `count_sql`
    /// (`?1` the term, `?2` the limit), which stops one past the limit.
    fn more_than_drive_limit(&self, count_sql: &'static str, term: &str) -> Result<bool> {
        let matches: i64 = self
            .conn
            .prepare_cached(count_sql)
            .ctx("preparing a search")?
            .query_row(params![term, SEARCH_DRIVE_LIMIT + 1], |r| r.get(0))
            .ctx("searching")?;
        Ok(matches > SEARCH_DRIVE_LIMIT)
    }

    /// The `due-soon` filter: a running deadline due today or within the due-soon limit of its
    /// timer's kind.
    pub(super) fn due_soon(&self, today: NaiveDate) -> (&'static str, [Value; 4]) {
        let clocks = self.clocks(today);
        let working = clocks.due_soon_limit(TimerKind::Decision).to_string();
        let calendar = clocks.due_soon_limit(TimerKind::Verification).to_string();
        // The outer bound keeps the index range short (without it the range runs to NO_DUE and
        // takes in every case without a timer).
        let last = working.clone().max(calendar.clone());
        (
            "due_key >= ? AND due_key <= ? AND ((timer = 'verification' AND due_key <= ?) \
             OR (timer <> 'verification' AND due_key <= ?))",
            [
                text(today.to_string()),
                text(last),
                text(calendar),
                text(working),
            ],
        )
    }

    fn queue_conditions(&self, q: &QueueQuery, search: &SearchPlan) -> Result<Conditions> {
        let mut c = Conditions::new();
        let hidden = Hidden::read(&self.conn)?;
        if !hidden.is_empty() {
            c.push(VISIBLE_CASES, hidden.bounds().map(Value::Integer));
        }
        let today = q.today.to_string();
        match q.queue {
            Queue::MyCases => c.push("assignee = ? AND open = 1", [text(&q.user)]),
            // Only open cases have a running timer (closed ones sort last, at NO_DUE); saying so
            // lets the case-number order walk the open cases instead of every case.
            Queue::Overdue => c.push("open = 1 AND due_key < ?", [text(&today)]),
            Queue::Closed => c.push("open = 0", []),
            Queue::All => {}
            stage_queue => {
                if let Some(stage) = stage_queue.stage() {
                    c.push("stage = ?", [text(stage.as_str())]);
                }
            }
        }
        match q.filter {
            Filter::All => {}
            Filter::Unclaimed => c.push("assignee IS NULL", []),
            Filter::Mine => c.push("assignee = ?", [text(&q.user)]),
            Filter::Overdue if q.queue == Queue::All => {
                c.push("open = 1 AND due_key < ?", [text(&today)])
            }
            Filter::Overdue => c.push("due_key < ?", [text(&today)]),
            Filter::Legacy => c.push("legacy = 1", []),
            Filter::DueSoon => {
                let (sql, params) = self.due_soon(q.today);
                c.push(sql, params);
            }
        }
        match search {
            SearchPlan::None => {}
            SearchPlan::Nothing => c.push("0", []),
            SearchPlan::Drive(m) => c.push("case_search MATCH ?", [text(m)]),
            // `+id`: the matches are a test on each row, never the way in.
            SearchPlan::Walk(m) => c.push(
                "+id IN (SELECT rowid FROM case_search WHERE case_search MATCH ?)",
                [text(m)],
            ),
            SearchPlan::EmployerDrive(code) => c.push("employer_uscc = ?", [text(code)]),
            // `+`: the code is a test on each row, never the way in.
            SearchPlan::EmployerWalk(code) => c.push("+employer_uscc = ?", [text(code)]),
        }
        Ok(c)
    }

    /// The SQL of a page and its parameters.
    pub(super) fn page_sql(&self, q: &QueueQuery) -> Result<(String, Vec<Value>)> {
        let search = self.search_plan(q)?;
        let mut c = self.queue_conditions(q, &search)?;
        if let Some(after) = &q.after {
            match q.sort.column {
                SortColumn::Deadline => {
                    c.push(q.sort.after(), [text(&after.due_key), text(&after.case_no)])
                }
                SortColumn::CaseNo => c.push(q.sort.after(), [text(&after.case_no)]),
            }
        }
        let sql = format!(
            "SELECT {ROW_COLUMNS} {} {} {} LIMIT ?",
            search.from_clause(),
            c.where_clause(),
            q.sort.order_by()
        );
        c.params.push(Value::Integer(q.limit as i64 + 1));
        Ok((sql, c.params))
    }

    /// One page of a queue in its order: most urgent deadline first, then case number.
    pub fn page(&self, q: &QueueQuery) -> Result<Page> {
        let (sql, params) = self.page_sql(q)?;
        let clocks = self.clocks(q.today);
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .ctx("preparing a queue query")?;
        let mut rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                read_row(r, &clocks)
            })
            .ctx("reading a queue")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading a queue")?;
        let next = if rows.len() > q.limit {
            rows.truncate(q.limit);
            rows.last().map(Cursor::after)
        } else {
            None
        };
        Ok(Page { rows, next })
    }

    /// How many cases match the query (queue, filter and search), for titles and search.
    /// Exact; a whole stage, Closed or All is read from the trigger-kept stage counts, and a
    /// search over All from the full-text index alone. `count_capped` stops early.
    pub fn count(&self, q: &QueueQuery) -> Result<i64> {
        if q.filter == Filter::All && q.search.is_none() {
            if let Some(n) = self.whole_queue_count(q.queue)? {
                return Ok(n);
            }
        }
        let search = self.search_plan(q)?.for_counting();
        if let (SearchPlan::Walk(m), Queue::All, Filter::All) = (&search, q.queue, q.filter)
            && Hidden::read(&self.conn)?.is_empty()
        {
            // Every case is in All: the matches are the count, no case needs reading.
            return self
                .conn
                .prepare_cached("SELECT count(*) FROM case_search WHERE case_search MATCH ?1")
                .ctx("preparing a count")?
                .query_row([m], |r| r.get(0))
                .ctx("counting search matches");
        }
        let c = self.queue_conditions(q, &search)?;
        let sql = format!(
            "SELECT count(*) {} {}",
            search.from_clause(),
            c.where_clause()
        );
        self.conn
            .prepare_cached(&sql)
            .ctx("preparing a count")?
            .query_row(rusqlite::params_from_iter(c.params.iter()), |r| r.get(0))
            .ctx("counting a queue")
    }

    /// Counts at most `cap` cases (then `more` is set): the total of a search as you type, which
    /// stays cheap however many cases a short prefix matches ("1000+").
    pub fn count_capped(&self, q: &QueueQuery, cap: i64) -> Result<Count> {
        if q.filter == Filter::All && q.search.is_none() {
            if let Some(n) = self.whole_queue_count(q.queue)? {
                return Ok(Count {
                    n: n.min(cap),
                    more: n > cap,
                });
            }
        }
        let search = self.search_plan(q)?.for_counting();
        let mut c = self.queue_conditions(q, &search)?;
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 {} {} LIMIT ?)",
            search.from_clause(),
            c.where_clause()
        );
        c.params.push(Value::Integer(cap + 1));
        let n: i64 = self
            .conn
            .prepare_cached(&sql)
            .ctx("preparing a count")?
            .query_row(rusqlite::params_from_iter(c.params.iter()), |r| r.get(0))
            .ctx("counting a queue")?;
        Ok(Count {
            n: n.min(cap),
            more: n > cap,
        })
    }

    /// A whole stage queue, Closed or All, from the stage counts; `None` for the others.
    fn whole_queue_count(&self, queue: Queue) -> Result<Option<i64>> {
        let wanted: Vec<Stage> = match queue {
            Queue::All => Stage::ALL.to_vec(),
            Queue::Closed => Stage::ALL
                .iter()
                .copied()
                .filter(|s| !s.is_open())
                .collect(),
            other => match other.stage() {
                Some(stage) => vec![stage],
                None => return Ok(None),
            },
        };
        Ok(Some(
            self.stage_counts()?
                .into_iter()
                .filter(|(stage, _)| wanted.contains(stage))
                .map(|(_, n)| n)
                .sum(),
        ))
    }

    fn stage_counts(&self) -> Result<Vec<(Stage, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT stage, n FROM stage_counts")
            .ctx("preparing the tab counts")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .ctx("reading the tab counts")?;
        let mut out = Vec::new();
        for row in rows {
            let (stage, n) = row.ctx("reading the tab counts")?;
            if let Ok(stage) = stage.parse::<Stage>() {
                out.push((stage, n));
            }
        }
        Ok(out)
    }

    /// The nine tab counts: stage tabs from the trigger-kept table, the rest from indexes.
    pub fn tab_counts(&self, user: &str, today: NaiveDate) -> Result<TabCounts> {
        let per_stage: std::collections::HashMap<Stage, i64> =
            self.stage_counts()?.into_iter().collect();
        let stage_count = |s: Stage| per_stage.get(&s).copied().unwrap_or(0);
        let hidden = Hidden::read(&self.conn)?.bounds();
        let mine: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM cases WHERE assignee = ?1 AND open = 1")
            .ctx("preparing the tab counts")?
            .query_row([user], |r| r.get(0))
            .ctx("counting my cases")?;
        let overdue: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM cases WHERE open = 1 AND due_key < ?1
                     AND cases.id NOT BETWEEN ?2 AND ?3",
            )
            .ctx("preparing the tab counts")?
            .query_row(params![today.to_string(), hidden[0], hidden[1]], |r| {
                r.get(0)
            })
            .ctx("counting overdue cases")?;
        let closed: i64 = Stage::ALL
            .iter()
            .filter(|s| !s.is_open())
            .map(|s| stage_count(*s))
            .sum();
        let counts = Queue::TABS
            .iter()
            .map(|q| {
                let n = match q {
                    Queue::MyCases => mine,
                    Queue::Overdue => overdue,
                    Queue::Closed => closed,
                    other => other.stage().map(stage_count).unwrap_or(0),
                };
                (*q, n)
            })
            .collect();
        Ok(TabCounts { counts })
    }

    /// `EXPLAIN QUERY PLAN` of a queue's first page, for tests and PERFORMANCE.md.
    pub fn queue_plan(&self, q: &QueueQuery) -> Result<Vec<String>> {
        let (sql, params) = self.page_sql(q)?;
        let sql = format!("EXPLAIN QUERY PLAN {sql}");
        let mut stmt = self.conn.prepare(&sql).ctx("preparing a query plan")?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                r.get::<_, String>(3)
            })
            .ctx("explaining a queue query")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("explaining a queue query")
    }
}
