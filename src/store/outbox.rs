//! The outbox's marks: which local decisions went into which outbox file. A file is planned (its
//! outbox sequence range, audit range and chain head fixed in the store) before it is written,
//! and marked written after; its content is a pure function of the plan and the append-only
//! audit chain, so a crash in between rewrites the very same file under the very same name.

use super::Store;
use super::error::{Result, SqlContext, StoreError};
use super::event_row::{self, EVENT_COLUMNS};
use super::meta;
use super::upstream::require_role;
use crate::domain::{Case, Event, Role, Stage, replay};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The actions that go upstream when a person (not the sync) takes them.
pub const OUTBOX_ACTIONS: &[&str] = &[
    "approve",
    "return",
    "refuse",
    "not_accept",
    "send_back",
    "withdraw",
    "resubmit",
    "record_entry",
    "correct_entry",
    "verify",
    "lapse",
    "reopen",
    "extend",
];

/// The same list as SQL, written out so no SQL is ever built from data.
const OUTBOX_FILTER: &str = "actor <> 'system' AND action IN ('approve', 'return', 'refuse', \
     'not_accept', 'send_back', 'withdraw', 'resubmit', 'record_entry', 'correct_entry', 'verify', \
     'lapse', 'reopen', 'extend')";

/// Audit events up to here were looked at and held nothing for the outbox.
const SCANNED_THROUGH: &str = "outbox_scanned_through";

/// A planned outbox file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxFile {
    pub name: String,
    pub first_seq: i64,
    pub last_seq: i64,
    pub audit_after: i64,
    pub audit_through: i64,
    pub head_seq: i64,
    pub head_hash: String,
}

impl OutboxFile {
    pub fn records(&self) -> i64 {
        self.last_seq - self.first_seq + 1
    }
}

/// The case as it stood right after the event: what upstream needs to act on the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseAfter {
    pub stage: Stage,
    pub version: i64,
    pub permit_no: Option<String>,
    pub decision_doc_no: Option<String>,
    pub notified_on: Option<NaiveDate>,
    pub entry_date: Option<NaiveDate>,
}

/// One outbox line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRecord {
    pub outbox_seq: i64,
    pub audit_seq: i64,
    pub audit_hash: String,
    pub event: Event,
    pub case: CaseAfter,
}

fn read_file(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxFile> {
    Ok(OutboxFile {
        name: r.get(0)?,
        first_seq: r.get(1)?,
        last_seq: r.get(2)?,
        audit_after: r.get(3)?,
        audit_through: r.get(4)?,
        head_seq: r.get(5)?,
        head_hash: r.get(6)?,
    })
}

const FILE_COLUMNS: &str =
    "name, first_seq, last_seq, audit_after, audit_through, head_seq, head_hash";

/// `permitdesk-000000000001-000000000250.jsonl`: the outbox sequence range, so the name of a
/// rewritten file never changes.
pub fn file_name(first_seq: i64, last_seq: i64) -> String {
    format!("permitdesk-{first_seq:012}-{last_seq:012}.jsonl")
}

/// Replays the case's history up to and including audit event `seq`.
fn case_at(conn: &Connection, case_id: i64, seq: i64) -> Result<Case> {
    let events = event_row::history(conn, case_id, Some(seq))?;
    replay(events.iter())?.ok_or_else(|| StoreError::NotFound {
        case_no: format!("case id {case_id}"),
    })
}

impl Store {
    /// Files planned but not yet recorded as written, oldest first.
    pub fn pending_outbox_files(&self) -> Result<Vec<OutboxFile>> {
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM outbox_files WHERE written_at IS NULL ORDER BY first_seq"
        );
        let mut stmt = self.conn.prepare(&sql).ctx("preparing the outbox read")?;
        let rows = stmt.query_map([], read_file).ctx("reading the outbox")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading the outbox")
    }

    /// Fixes the next outbox file: up to `max_records` local decisions after the last exported
    /// one, numbered after the last outbox sequence. `None` when there is nothing new.
    pub fn plan_outbox_file(
        &mut self,
        user: &str,
        max_records: usize,
        today: Option<NaiveDate>,
    ) -> Result<Option<OutboxFile>> {
        let now = self.clock(today).now().to_rfc3339();
        self.write("planning an outbox file", |tx, _, _| {
            require_role(tx, user, Role::Admin, "sync")?;
            let last: Option<(i64, i64)> = tx
                .query_row(
                    "SELECT last_seq, audit_through FROM outbox_files ORDER BY first_seq DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .ctx("reading the outbox mark")?;
            let (last_seq, exported) = last.unwrap_or((0, 0));
            let scanned: i64 = meta::get(tx, SCANNED_THROUGH)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let after = exported.max(scanned);
            let head = super::chain::head(tx)?;
            let sql = format!(
                "SELECT seq FROM events WHERE seq > ?1 AND seq <= ?2 AND {OUTBOX_FILTER}
                 ORDER BY seq LIMIT ?3"
            );
            let seqs: Vec<i64> = tx
                .prepare_cached(&sql)
                .ctx("preparing the outbox scan")?
                .query_map(params![after, head.seq, max_records.max(1) as i64], |r| {
                    r.get(0)
                })
                .ctx("scanning for local decisions")?
                .collect::<rusqlite::Result<_>>()
                .ctx("scanning for local decisions")?;
            let Some(&last_found) = seqs.last() else {
                meta::set(tx, SCANNED_THROUGH, &head.seq.to_string())?;
                return Ok(None);
            };
            let through = if seqs.len() >= max_records.max(1) {
                last_found
            } else {
                head.seq
            };
            let first_seq = last_seq + 1;
            let file = OutboxFile {
                name: file_name(first_seq, last_seq + seqs.len() as i64),
                first_seq,
                last_seq: last_seq + seqs.len() as i64,
                audit_after: after,
                audit_through: through,
                head_seq: head.seq,
                head_hash: head.hash,
            };
            tx.execute(
                "INSERT INTO outbox_files (first_seq, last_seq, audit_after, audit_through,
                     head_seq, head_hash, name, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    file.first_seq,
                    file.last_seq,
                    file.audit_after,
                    file.audit_through,
                    file.head_seq,
                    file.head_hash,
                    file.name,
                    now
                ],
            )
            .ctx("planning an outbox file")?;
            Ok(Some(file))
        })
    }

    /// The lines of a planned file, rebuilt from the audit chain: always the same for a plan.
    pub fn outbox_records(&self, file: &OutboxFile) -> Result<Vec<OutboxRecord>> {
        let sql = format!(
            "SELECT e.seq, e.case_id, coalesce(e.hash, lower(hex(e.digest))), {EVENT_COLUMNS}
             FROM events e
             WHERE e.seq > ?1 AND e.seq <= ?2 AND {OUTBOX_FILTER} ORDER BY e.seq"
        );
        let mut stmt = self.conn.prepare(&sql).ctx("preparing the outbox read")?;
        let mut rows = stmt
            .query(params![file.audit_after, file.audit_through])
            .ctx("reading local decisions")?;
        let mut found = Vec::new();
        while let Some(r) = rows.next().ctx("reading local decisions")? {
            let seq: i64 = r.get(0).ctx("reading local decisions")?;
            let case_id: i64 = r.get(1).ctx("reading local decisions")?;
            let hash: String = r.get(2).ctx("reading local decisions")?;
            found.push((seq, case_id, hash, event_row::decode(r, 3, seq)?));
        }
        if found.len() as i64 != file.records() {
            return Err(StoreError::Damaged(format!(
                "outbox file {} was planned with {} records but the audit chain now gives {}; run `permitdesk check`",
                file.name,
                file.records(),
                found.len()
            )));
        }
        let mut records = Vec::with_capacity(found.len());
        for (i, (seq, case_id, hash, event)) in found.into_iter().enumerate() {
            let case = case_at(&self.conn, case_id, seq)?;
            records.push(OutboxRecord {
                outbox_seq: file.first_seq + i as i64,
                audit_seq: seq,
                audit_hash: hash,
                event,
                case: CaseAfter {
                    stage: case.stage,
                    version: case.version,
                    permit_no: case.permit_no,
                    decision_doc_no: case.decision_doc_no,
                    notified_on: case.notified_on,
                    entry_date: case.entry_date,
                },
            });
        }
        Ok(records)
    }

    /// Records that the planned file is in the outbox.
    pub fn mark_outbox_written(
        &mut self,
        user: &str,
        file: &OutboxFile,
        today: Option<NaiveDate>,
    ) -> Result<()> {
        let now = self.clock(today).now().to_rfc3339();
        self.write("recording an outbox file", |tx, _, _| {
            require_role(tx, user, Role::Admin, "sync")?;
            tx.execute(
                "UPDATE outbox_files SET written_at = ?1 WHERE first_seq = ?2 AND written_at IS NULL",
                params![now, file.first_seq],
            )
            .ctx("recording an outbox file")?;
            Ok(())
        })
    }

    /// The last outbox sequence number handed out (0 before the first).
    pub fn last_outbox_seq(&self) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT coalesce(max(last_seq), 0) FROM outbox_files",
                [],
                |r| r.get(0),
            )
            .ctx("reading the outbox mark")
    }
}
