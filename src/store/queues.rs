//! Queue pages with keyset pagination over indexes that match each queue's filter and order, and
//! the tab counts. No query ever loads a whole queue.

use super::Store;
use super::cases::{CaseRow, ROW_COLUMNS, read_row};
use super::error::{Result, SqlContext};
use crate::domain::{Filter, Queue, Stage, TimerKind};
use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::Serialize;

/// Where the next page starts: just after this row in the queue's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub due_key: String,
    pub case_no: String,
}

/// The columns a queue can be ordered by; each is served by an index in every stage queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    /// Most urgent deadline first, then case number.
    #[default]
    Deadline,
    CaseNo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

#[derive(Debug, Clone)]
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

#[derive(Debug, Clone)]
pub struct Page {
    pub rows: Vec<CaseRow>,
    /// Set when more rows follow.
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    fn queue_conditions(&self, q: &QueueQuery) -> Conditions {
        let mut c = Conditions::new();
        let today = q.today.to_string();
        match q.queue {
            Queue::MyCases => c.push("assignee = ? AND open = 1", [text(&q.user)]),
            Queue::Overdue => c.push("due_key < ?", [text(&today)]),
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
            Filter::Overdue => c.push("due_key < ?", [text(&today)]),
            Filter::Legacy => c.push("legacy = 1", []),
            Filter::DueSoon => {
                let clocks = self.clocks(q.today);
                let working = clocks.due_soon_limit(TimerKind::Decision).to_string();
                let calendar = clocks.due_soon_limit(TimerKind::Verification).to_string();
                c.push(
                    "due_key >= ? AND ((timer = 'verification' AND due_key <= ?) \
                     OR (timer <> 'verification' AND due_key <= ?))",
                    [text(&today), text(calendar), text(working)],
                );
            }
        }
        if let Some(typed) = q.search.as_deref() {
            match super::search::match_query(typed) {
                Some(m) => c.push(
                    "id IN (SELECT rowid FROM case_search WHERE case_search MATCH ?)",
                    [text(m)],
                ),
                None => c.push("0", []),
            }
        }
        c
    }

    /// One page of a queue in its order: most urgent deadline first, then case number.
    pub fn page(&self, q: &QueueQuery) -> Result<Page> {
        let mut c = self.queue_conditions(q);
        if let Some(after) = &q.after {
            match q.sort.column {
                SortColumn::Deadline => {
                    c.push(q.sort.after(), [text(&after.due_key), text(&after.case_no)])
                }
                SortColumn::CaseNo => c.push(q.sort.after(), [text(&after.case_no)]),
            }
        }
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM cases {} {} LIMIT ?",
            c.where_clause(),
            q.sort.order_by()
        );
        c.params.push(Value::Integer(q.limit as i64 + 1));
        let clocks = self.clocks(q.today);
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .ctx("preparing a queue query")?;
        let mut rows = stmt
            .query_map(rusqlite::params_from_iter(c.params.iter()), |r| {
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
    pub fn count(&self, q: &QueueQuery) -> Result<i64> {
        let c = self.queue_conditions(q);
        let sql = format!("SELECT count(*) FROM cases {}", c.where_clause());
        self.conn
            .prepare_cached(&sql)
            .ctx("preparing a count")?
            .query_row(rusqlite::params_from_iter(c.params.iter()), |r| r.get(0))
            .ctx("counting a queue")
    }

    /// The nine tab counts: stage tabs from the trigger-kept table, the rest from indexes.
    pub fn tab_counts(&self, user: &str, today: NaiveDate) -> Result<TabCounts> {
        let mut per_stage = std::collections::HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT stage, n FROM stage_counts")
            .ctx("preparing the tab counts")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .ctx("reading the tab counts")?;
        for row in rows {
            let (stage, n) = row.ctx("reading the tab counts")?;
            if let Ok(stage) = stage.parse::<Stage>() {
                per_stage.insert(stage, n);
            }
        }
        let stage_count = |s: Stage| per_stage.get(&s).copied().unwrap_or(0);
        let mine: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM cases WHERE assignee = ?1 AND open = 1")
            .ctx("preparing the tab counts")?
            .query_row([user], |r| r.get(0))
            .ctx("counting my cases")?;
        let overdue: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM cases WHERE due_key < ?1")
            .ctx("preparing the tab counts")?
            .query_row([today.to_string()], |r| r.get(0))
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
        let mut c = self.queue_conditions(q);
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT {ROW_COLUMNS} FROM cases {} {} LIMIT ?",
            c.where_clause(),
            q.sort.order_by()
        );
        c.params.push(Value::Integer(q.limit as i64));
        let mut stmt = self.conn.prepare(&sql).ctx("preparing a query plan")?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(c.params.iter()), |r| {
                r.get::<_, String>(3)
            })
            .ctx("explaining a queue query")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("explaining a queue query")
    }
}
