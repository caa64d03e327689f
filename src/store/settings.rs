//! The office's changeover day (`policy.changeover`): changed by an admin like every setting
//! (audited, src/store/admin.rs), but never to a day the cases already in the store contradict.

use super::Store;
use super::error::{Result, SqlContext, StoreError};
use chrono::NaiveDate;
use rusqlite::Connection;

/// At most this many cases of each rule are read; `check` lists fewer.
const MAX_READ: usize = 51;

/// The cases that contradict `changeover` (YYYY-MM-DD), with what each does: a `new_notification`
/// or `e_certificate` submitted before it (FAQ Q9, Q10), or a legacy case whose pre-audit run
/// ended before it, although its pre-audit restarts on it (FAQ Q8).
pub(super) fn changeover_conflicts(
    conn: &Connection,
    changeover: &str,
) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    let early: Vec<(String, String, String)> = conn
        .prepare_cached(
            "SELECT case_no, kind, substr(submitted_at, 1, 10) FROM cases
             WHERE kind IN ('new_notification', 'e_certificate')
               AND substr(submitted_at, 1, 10) < ?1
             ORDER BY case_no LIMIT ?2",
        )
        .ctx("checking submissions before the changeover day")?
        .query_map(rusqlite::params![changeover, MAX_READ as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .ctx("checking submissions before the changeover day")?
        .collect::<rusqlite::Result<_>>()
        .ctx("checking submissions before the changeover day")?;
    for (case_no, kind, on) in early {
        found.push((
            case_no,
            format!(
                "a {kind} case submitted on {on}, before the changeover day {changeover}; such \
                 cases exist only from that day (FAQ Q9, Q10)"
            ),
        ));
    }
    let legacy: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT case_no, coalesce(json_extract(data, '$.pre_audit.paused_since'),
                                      json_extract(data, '$.pre_audit.ended')) AS ended
             FROM cases
             WHERE legacy = 1 AND json_extract(data, '$.pre_audit.started') < ?1 AND ended < ?1
             ORDER BY case_no LIMIT ?2",
        )
        .ctx("checking legacy pre-audit runs")?
        .query_map(rusqlite::params![changeover, MAX_READ as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .ctx("checking legacy pre-audit runs")?
        .collect::<rusqlite::Result<_>>()
        .ctx("checking legacy pre-audit runs")?;
    for (case_no, ended) in legacy {
        found.push((
            case_no,
            format!(
                "a legacy case whose pre-audit ended on {ended}, before the changeover day \
                 {changeover} it restarts on (FAQ Q8)"
            ),
        ));
    }
    Ok(found)
}

/// The earliest changeover day accepted: the card integration is of 2024; a day decades
/// earlier is a typing error.
const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

impl Store {
    /// Sets the changeover day (admins only, audited as a policy change); refused when a case in
    /// the store contradicts the new day, or the day is in the future.
    pub fn set_changeover(
        &mut self,
        by: &str,
        changeover: NaiveDate,
        today: Option<NaiveDate>,
    ) -> Result<()> {
        self.require_admin(by, "changing the changeover day")?;
        let today_is = self.clock(today).today();
        if changeover > today_is || changeover < EARLIEST {
            return Err(StoreError::Invalid {
                field: "changeover".into(),
                message: format!(
                    "{changeover} is not a changeover day: give the day the office switched to \
                     the card integration, from {EARLIEST} to today ({today_is})"
                ),
            });
        }
        let conflicts = changeover_conflicts(&self.conn, &changeover.to_string())?;
        if let Some((case_no, what)) = conflicts.first() {
            return Err(StoreError::Invalid {
                field: "changeover".into(),
                message: format!(
                    "{} case(s) contradict it (first: {case_no}, {what}); nothing was changed",
                    if conflicts.len() >= MAX_READ {
                        format!("{MAX_READ} or more")
                    } else {
                        conflicts.len().to_string()
                    }
                ),
            });
        }
        let mut policy = self.settings.policy.clone();
        policy.changeover = changeover;
        self.set_policy(by, policy, today)
    }
}
