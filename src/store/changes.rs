//! What committed since a point, for `serve` to tell its consoles: the audit events after a
//! sequence number and a fingerprint of the users table (a disabled user's sessions close).

use super::Store;
use super::error::{Result, SqlContext};

/// More changed cases than this in one step is reported as "everything changed".
const MAX_NAMED: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// The newest audit event's sequence number.
    pub seq: i64,
    /// The cases those events touched, or empty when there were too many to name.
    pub cases: Vec<String>,
    /// Changes whenever a user is added, enabled, disabled or given other roles.
    pub users: String,
}

impl Store {
    pub fn changes_since(&self, seq: i64) -> Result<Changes> {
        let newest: i64 = self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))
            .ctx("reading the newest audit event")?;
        let mut cases = Vec::new();
        if newest > seq {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT DISTINCT c.case_no FROM events e JOIN cases c ON c.id = e.case_id
                     WHERE e.seq > ?1 LIMIT ?2",
                )
                .ctx("preparing the change scan")?;
            cases = stmt
                .query_map(rusqlite::params![seq, MAX_NAMED as i64 + 1], |r| r.get(0))
                .ctx("reading changed cases")?
                .collect::<rusqlite::Result<Vec<String>>>()
                .ctx("reading changed cases")?;
            if cases.len() > MAX_NAMED {
                cases.clear();
            }
        }
        let users: String = self
            .conn
            .query_row(
                "SELECT coalesce(group_concat(name || ':' || roles || ':' || active, ','), '')
                 FROM (SELECT name, roles, active FROM users ORDER BY name)",
                [],
                |r| r.get(0),
            )
            .ctx("reading the users")?;
        Ok(Changes {
            seq: newest,
            cases,
            users,
        })
    }
}
