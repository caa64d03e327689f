//! Upstream conflicts: events the sync recorded on a case instead of applying them, listed by
//! `case show` and reports, and resolved by a supervisor with an audited note.

use super::Store;
use super::cases::{self, Outcome};
use super::chain;
use super::error::{Result, SqlContext, StoreError};
use super::upstream::{NoDirectory, require_role};
use super::users;
use crate::domain::{Action, Clocks, Context, Refusal, Role, decide};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// An upstream event recorded on a case instead of being applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub id: i64,
    pub case_no: String,
    pub batch: String,
    pub line: u64,
    pub event: String,
    pub upstream_version: i64,
    pub message: String,
    pub at: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
}

fn read_conflict(r: &rusqlite::Row<'_>) -> rusqlite::Result<Conflict> {
    Ok(Conflict {
        id: r.get(0)?,
        case_no: r.get(1)?,
        batch: r.get(2)?,
        line: r.get::<_, i64>(3)? as u64,
        event: r.get(4)?,
        upstream_version: r.get(5)?,
        message: r.get(6)?,
        at: r.get(7)?,
        resolved_by: r.get(8)?,
        resolved_at: r.get(9)?,
        resolution: r.get(10)?,
    })
}

const CONFLICT_COLUMNS: &str = "id, case_no, batch, line, event, upstream_version, message, at, \
     resolved_by, resolved_at, resolution";

impl Store {
    /// The case's upstream conflicts, oldest first, resolved or not.
    pub fn conflicts(&self, case_no: &str) -> Result<Vec<Conflict>> {
        let sql =
            format!("SELECT {CONFLICT_COLUMNS} FROM conflicts WHERE case_no = ?1 ORDER BY id");
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .ctx("preparing the conflict read")?;
        let rows = stmt
            .query_map([case_no], read_conflict)
            .ctx("reading conflicts")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading conflicts")
    }

    /// Every unresolved conflict in the store, oldest first: what a supervisor has to resolve.
    pub fn open_conflicts(&self) -> Result<Vec<Conflict>> {
        let sql = format!(
            "SELECT {CONFLICT_COLUMNS} FROM conflicts WHERE resolved_at IS NULL ORDER BY at, id"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .ctx("preparing the conflict read")?;
        let rows = stmt.query_map([], read_conflict).ctx("reading conflicts")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading conflicts")
    }

    /// A supervisor marks an upstream conflict resolved, with a reason; the resolution is a
    /// note in the case's audit history, written in the same transaction.
    pub fn resolve_conflict(
        &mut self,
        user: &str,
        case_no: &str,
        id: i64,
        reason: &str,
        today: Option<NaiveDate>,
    ) -> Result<Outcome> {
        let clock = self.clock(today);
        let waiting = format!("resolving conflict #{id} on {case_no}");
        self.write(&waiting, |tx, settings, calendar| {
            let actor = users::require_active(tx, user)?;
            let (case_id, case) =
                cases::load(tx, case_no)?.ok_or_else(|| StoreError::NotFound {
                    case_no: case_no.to_string(),
                })?;
            let found: Option<Option<String>> = tx
                .query_row(
                    "SELECT resolved_by FROM conflicts WHERE id = ?1 AND case_id = ?2",
                    params![id, case_id],
                    |r| r.get(0),
                )
                .optional()
                .ctx("reading the conflict")?;
            match found {
                None => {
                    return Err(StoreError::NoSuchConflict {
                        case_no: case_no.to_string(),
                        id,
                    });
                }
                Some(Some(by)) => {
                    return Err(StoreError::Invalid {
                        field: "--id".into(),
                        message: format!("{case_no}: conflict #{id} was already resolved by {by}"),
                    });
                }
                Some(None) => {}
            }
            if reason.trim().is_empty() {
                return Err(StoreError::Refused(Refusal::MissingResolutionReason {
                    case_no: case_no.to_string(),
                }));
            }
            require_role(tx, user, Role::Supervisor, "resolving an upstream conflict")?;
            let now = clock.now();
            let ctx = Context {
                now,
                clocks: Clocks {
                    calendar,
                    policy: &settings.policy,
                    today: now.date_naive(),
                },
                directory: &NoDirectory,
            };
            let text = format!("resolved upstream conflict #{id}: {reason}");
            let (next, mut event) = decide(&case, &actor, Action::Note { text }, &ctx)?;
            event.role = Role::Supervisor;
            let stamp = now.to_rfc3339();
            cases::update(tx, case_id, &case, &next, &event, &ctx.clocks, &stamp)?;
            let head = chain::append(tx, &chain::head(tx)?, case_id, &event)?;
            tx.execute(
                "UPDATE conflicts SET resolved_by = ?1, resolved_at = ?2, resolution = ?3,
                     resolved_seq = ?4
                 WHERE id = ?5",
                params![user, stamp, reason, head.seq, id],
            )
            .ctx("marking the conflict resolved")?;
            super::admin::record(
                tx,
                user,
                now,
                crate::domain::AdminChange::ConflictResolved {
                    case_no: case_no.to_string(),
                    conflict: id,
                    resolution: reason.to_string(),
                },
            )?;
            Ok(Outcome {
                case: next,
                event,
                seq: head.seq,
            })
        })
    }
}
