//! `import`: a validated file of submissions opens its cases through the domain in short
//! transactions, each committing with the file's progress mark: the whole file is checked before
//! anything is written, and a run that stops is completed, exactly once, by running it again.

use super::Store;
use super::cases;
use super::chain;
use super::error::{Result, SqlContext, StoreError};
use super::figures::kept;
use super::figures::ledger::{Ledger, Tally};
use super::upstream::NoDirectory;
use super::upstream::require_role;
use crate::domain::{Context, Refusal, Role, Submission, submit};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use std::time::{Duration, Instant};

impl Store {
    /// Which of `case_nos` are already in the store.
    pub fn existing_case_numbers<'a>(
        &self,
        case_nos: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT case_no FROM cases WHERE case_no = ?1")
            .ctx("preparing the case lookup")?;
        let mut found = Vec::new();
        for case_no in case_nos {
            if let Some(no) = stmt
                .query_row([case_no], |r| r.get::<_, String>(0))
                .optional()
                .ctx("looking a case up")?
            {
                found.push(no);
            }
        }
        Ok(found)
    }

    /// Checks, without writing, that `user` is an active admin (import, sync); `what` names the
    /// task in the refusal.
    pub fn require_admin(&self, user: &str, what: &str) -> Result<()> {
        require_role(&self.conn, user, Role::Admin, what).map(|_| ())
    }

    /// Where an earlier run of the same batch (by checksum) stopped: the last line it applied,
    /// when that run did not finish. `None` for a batch never started or wholly applied.
    pub fn import_resume_point(&self, checksum: &str) -> Result<Option<u64>> {
        self.conn
            .prepare_cached(
                "SELECT applied_through FROM import_batches WHERE checksum = ?1 AND status = 'applying'",
            )
            .ctx("preparing the import progress read")?
            .query_row([checksum], |r| r.get::<_, i64>(0))
            .optional()
            .ctx("reading the import progress")
            .map(|line| line.map(|l| l.max(0) as u64))
    }

    /// Opens every submission as a new case, as `user` (an admin). The caller has validated the
    /// whole batch (and skipped the lines an earlier run applied, see `import_resume_point`).
    /// Cases are written in transactions of at most `IMPORT_CHUNK` cases or about
    /// `IMPORT_CHUNK_TIME`, each committing together with the batch's progress mark (its
    /// checksum and the last line applied), so other writers never wait long and a run that
    /// stops is completed by running the same file again: every case exactly once.
    /// `progress` is told how many are done after every chunk.
    pub fn import_cases(
        &mut self,
        user: &str,
        batch: &ImportBatch,
        submissions: impl Iterator<Item = (u64, Submission)>,
        today: Option<NaiveDate>,
        progress: &dyn Fn(u64),
    ) -> Result<u64> {
        let clock = self.clock(today);
        // Statement journals in memory: every case insert opens one (its trigger), and on a
        // file they were a third of an import's time (docs/PERFORMANCE.md).
        self.conn
            .pragma_update(None, "temp_store", "MEMORY")
            .ctx("preparing the import")?;
        let mut rest = submissions.peekable();
        let mut done = 0u64;
        loop {
            let (applied, finished) = self.write("importing cases", |tx, settings, calendar| {
                let started = Instant::now();
                let actor = require_role(tx, user, Role::Admin, "import")?;
                let now = clock.now();
                let clocks = settings.clocks(calendar, now.date_naive());
                let ctx = Context {
                    now,
                    clocks,
                    directory: &NoDirectory,
                };
                let stamp = now.to_rfc3339();
                let mut next_id = reserve_block(tx, batch, &stamp)?;
                let mut head = chain::head(tx)?;
                let mut entries = Vec::new();
                let mut figures = Tally::default();
                let mut last_line = None;
                while entries.is_empty()
                    || (entries.len() < IMPORT_CHUNK && started.elapsed() < IMPORT_CHUNK_TIME)
                {
                    let Some((line, submission)) = rest.next() else {
                        break;
                    };
                    let (case, event) = submit(submission, &actor, &ctx)?;
                    let id = cases::insert_row(tx, next_id, &case, &clocks, &stamp).map_err(
                        |e| match e {
                            StoreError::Refused(Refusal::Duplicate { case_no }) => {
                                StoreError::Invalid {
                                    field: "case_no".into(),
                                    message: format!("{case_no} already exists in the store"),
                                }
                            }
                            other => other,
                        },
                    )?;
                    next_id = next_id.map(|id| id - 1);
                    entries.push((id, super::search::index_text(&case)));
                    let ledger = Ledger::submitted(&event, &case, &clocks);
                    kept::record_new(tx, id, &ledger, case.category, &mut figures)?;
                    head = chain::append(tx, &head, id, &event)?;
                    last_line = Some(line);
                }
                cases::index(tx, &entries)?;
                figures.prune();
                kept::flush(tx, &figures)?;
                let finished = rest.peek().is_none();
                if finished {
                    publish_block(tx, &batch.checksum)?;
                }
                tx.prepare_cached(
                    "UPDATE import_batches SET name = ?2,
                         applied_through = max(applied_through, ?3), applied = applied + ?4,
                         status = ?5, finished_at = ?6
                     WHERE checksum = ?1",
                )
                .ctx("preparing the import progress mark")?
                .execute(params![
                    batch.checksum,
                    batch.name,
                    last_line.unwrap_or(0) as i64,
                    entries.len() as i64,
                    if finished { "applied" } else { "applying" },
                    finished.then_some(&stamp),
                ])
                .ctx("recording the import progress")?;
                if finished {
                    super::admin::record(
                        tx,
                        &actor.name,
                        now,
                        crate::domain::AdminChange::ImportApplied {
                            file: batch.name.clone(),
                            checksum: batch.checksum.clone(),
                            cases: batch.cases,
                        },
                    )?;
                }
                Ok((entries.len() as u64, finished))
            })?;
            done += applied;
            progress(done);
            if finished {
                return Ok(done);
            }
            self.let_waiting_writers_in();
        }
    }
}

/// The id of the batch's next case, from the top of its block down (src/store/visibility.rs):
/// a new batch reserves `batch.cases` ids above every case in the store and records them, before
/// its first case is written, so the tab counts leave its cases out. `None` for a batch begun
/// before blocks existed: its cases are numbered as any other and were live as they came.
/// Refuses to begin a batch while another import is unfinished.
fn reserve_block(tx: &Connection, batch: &ImportBatch, stamp: &str) -> Result<Option<i64>> {
    let known: Option<(Option<i64>, i64)> = tx
        .prepare_cached("SELECT last_id, applied FROM import_batches WHERE checksum = ?1")
        .ctx("preparing the import progress read")?
        .query_row([&batch.checksum], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .ctx("reading the import progress")?;
    if let Some((last_id, applied)) = known {
        return Ok(last_id.map(|last| last - applied));
    }
    let other: Option<(String, i64, i64)> = tx
        .prepare_cached(
            "SELECT name, applied, cases FROM import_batches
             WHERE status = 'applying' AND first_id IS NOT NULL LIMIT 1",
        )
        .ctx("preparing the unfinished import read")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .ctx("reading the unfinished import")?;
    if let Some((name, applied, total)) = other {
        return Err(StoreError::UnfinishedImport {
            name,
            applied: applied.max(0) as u64,
            total: total.max(0) as u64,
        });
    }
    let top: i64 = tx
        .query_row("SELECT coalesce(max(id), 0) FROM cases", [], |r| r.get(0))
        .ctx("reading the highest case id")?;
    let first = top + 1;
    let last = top + batch.cases.max(1) as i64;
    tx.prepare_cached(
        "INSERT INTO import_batches (checksum, name, cases, applied_through, applied, status,
             started_at, first_id, last_id)
         VALUES (?1, ?2, ?3, 0, 0, 'applying', ?4, ?5, ?6)",
    )
    .ctx("preparing the import progress mark")?
    .execute(params![
        batch.checksum,
        batch.name,
        batch.cases as i64,
        stamp,
        first,
        last
    ])
    .ctx("recording the import's block of case ids")?;
    Ok(Some(last))
}

/// The batch's last transaction: its block joins the tab counts, which the insert trigger left
/// it out of, in the transaction that marks it applied and so makes it visible.
fn publish_block(tx: &Connection, checksum: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO stage_counts (stage, n)
             SELECT stage, count(*) FROM import_batches b CROSS JOIN cases
             WHERE b.checksum = ?1 AND b.first_id IS NOT NULL
                 AND cases.id BETWEEN b.first_id AND b.last_id
             GROUP BY stage
         ON CONFLICT (stage) DO UPDATE SET n = n + excluded.n",
    )
    .ctx("preparing the import's tab counts")?
    .execute([checksum])
    .ctx("adding the import's cases to the tab counts")?;
    Ok(())
}

/// A batch that began to be applied and has not finished: an import or an upstream sync that
/// was stopped, or is running now. Running it again finishes it. A sync's events so far are
/// live; an import's cases are hidden until it finishes (src/store/visibility.rs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfinishedBatch {
    /// `import` or `sync`.
    pub kind: &'static str,
    pub name: String,
    pub applied: u64,
    /// Cases in the import file, or lines in the upstream batch.
    pub total: u64,
    pub started_at: String,
}

impl std::fmt::Display for UnfinishedBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = if self.kind == "import" {
            "cases"
        } else {
            "lines"
        };
        write!(
            f,
            "unfinished {} batch {}: {} of {} {unit} applied since {}",
            self.kind, self.name, self.applied, self.total, self.started_at
        )
    }
}

impl UnfinishedBatch {
    /// What finishes it.
    pub fn how_to_finish(&self) -> &'static str {
        if self.kind == "import" {
            "its cases are hidden until an admin runs the same `permitdesk import FILE` again"
        } else {
            "an admin runs `permitdesk sync` again"
        }
    }
}

impl Store {
    /// Import and sync batches begun and not finished, oldest first.
    pub fn unfinished_batches(&self) -> Result<Vec<UnfinishedBatch>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT 'import', name, applied, cases, started_at FROM import_batches
                     WHERE status = 'applying'
                 UNION ALL
                 SELECT 'sync', name, applied + skipped + conflicts, lines, started_at
                     FROM sync_batches WHERE status = 'applying'
                 ORDER BY 5",
            )
            .ctx("preparing the unfinished batches")?;
        let rows = stmt
            .query_map([], |r| {
                let kind: String = r.get(0)?;
                Ok(UnfinishedBatch {
                    kind: if kind == "import" { "import" } else { "sync" },
                    name: r.get(1)?,
                    applied: r.get::<_, i64>(2)?.max(0) as u64,
                    total: r.get::<_, i64>(3)?.max(0) as u64,
                    started_at: r.get(4)?,
                })
            })
            .ctx("reading the unfinished batches")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading the unfinished batches")
    }
}

/// An import file as the progress mark knows it.
#[derive(Debug, Clone)]
pub struct ImportBatch {
    /// The file as named on the command line.
    pub name: String,
    /// SHA-256 of the file's bytes, hex.
    pub checksum: String,
    /// Good records in the whole file.
    pub cases: u64,
}

/// Cases per import transaction, at most.
pub const IMPORT_CHUNK: usize = 500;
/// About how long one import transaction holds the write lock.
pub const IMPORT_CHUNK_TIME: Duration = Duration::from_millis(50);
