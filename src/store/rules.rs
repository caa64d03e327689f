//! When the calendar or the policy changes (or the code's deadline arithmetic, `RULES_VERSION`),
//! every stored due day and every kept figure is derived again.

use super::Store;
use super::cases::{decode, derive};
use super::error::{Result, SqlContext};
use super::figures::kept;
use super::meta;

/// Cases per transaction of the recompute: each one's history is read and folded again.
const RECOMPUTE_CHUNK: usize = 500;

impl Store {
    /// Recomputes every stored due date and every case's kept figures when the calendar or the
    /// policy changed since the last time this store was opened, in short transactions so
    /// consoles never wait long; each one holds the deadlines of its cases and their figures.
    pub(crate) fn refresh_deadlines_if_rules_changed(&mut self) -> Result<()> {
        let fingerprint = format!(
            "{}:{}:{}",
            crate::domain::deadline::RULES_VERSION,
            self.calendar.fingerprint(),
            serde_json::to_string(&self.settings.policy).unwrap_or_default()
        );
        if meta::get(&self.conn, meta::RULES_FINGERPRINT)?.as_deref() == Some(fingerprint.as_str())
        {
            return Ok(());
        }
        let today = self.clock(None).today();
        let mut after = 0i64;
        // Each batch is read inside the transaction that rewrites it, so an action committed
        // between two batches is never overwritten with what was read before it.
        while let Some(last) = self.write(
            "recomputing deadlines after a calendar change",
            |tx, settings, calendar| {
                let batch: Vec<(i64, String, bool, String)> = tx
                    .prepare_cached(
                        "SELECT id, case_no, open, data FROM cases WHERE id > ?1 ORDER BY id
                         LIMIT ?2",
                    )
                    .ctx("reading cases to recompute deadlines")?
                    .query_map(rusqlite::params![after, RECOMPUTE_CHUNK as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })
                    .ctx("reading cases to recompute deadlines")?
                    .collect::<rusqlite::Result<_>>()
                    .ctx("reading cases to recompute deadlines")?;
                let clocks = settings.clocks(calendar, today);
                let mut stmt = tx
                    .prepare_cached(
                        "UPDATE cases SET timer = ?1, timer_started = ?2, due = ?3, due_key = ?4
                         WHERE id = ?5",
                    )
                    .ctx("preparing the deadline update")?;
                for (id, case_no, _, json) in batch.iter().filter(|c| c.2) {
                    let case = decode(case_no, json)?;
                    let d = derive(&case, &clocks);
                    stmt.execute(rusqlite::params![
                        d.timer,
                        d.timer_started,
                        d.due,
                        d.due_key,
                        id
                    ])
                    .ctx("recomputing a deadline")?;
                }
                let ids: Vec<i64> = batch.iter().map(|c| c.0).collect();
                kept::refold(tx, &ids, &clocks)?;
                Ok(ids.last().copied())
            },
        )? {
            after = last;
            self.let_waiting_writers_in();
        }
        self.write("recording the deadline rules", |tx, _, _| {
            meta::set(tx, meta::RULES_FINGERPRINT, &fingerprint)
        })
    }
}
