//! When the calendar or the policy changes (or the code's deadline arithmetic, `RULES_VERSION`),
//! every stored due day and every kept figure is derived again.

use super::Store;
use super::case_row::{self, CASE_COLUMNS};
use super::cases::derive;
use super::error::{Result, SqlContext};
use super::figures::kept;
use super::meta;
use crate::domain::Case;

/// Cases per transaction of the recompute: each one's history is read and folded again.
const RECOMPUTE_CHUNK: usize = 500;

impl Store {
    /// The rules the stored deadlines are computed with: this version's, the store's calendar and
    /// its policy.
    fn rules_fingerprint(&self) -> String {
        format!(
            "{}:{}:{}",
            crate::domain::deadline::RULES_VERSION,
            self.calendar.fingerprint(),
            serde_json::to_string(&self.settings.policy).unwrap_or_default()
        )
    }

    /// Whether the stored deadlines were computed with the rules this process computes them with
    /// (a store opened read-only is not brought up to date: see `check`).
    pub fn rules_current(&self) -> Result<bool> {
        Ok(meta::get(&self.conn, meta::RULES_FINGERPRINT)?.as_deref()
            == Some(self.rules_fingerprint().as_str()))
    }

    /// Recomputes every stored due date and every case's kept figures when the calendar or the
    /// policy changed since the last time this store was opened, in short transactions so
    /// consoles never wait long; each one holds the deadlines of its cases and their figures.
    pub(crate) fn refresh_deadlines_if_rules_changed(&mut self) -> Result<()> {
        if self.rules_current()? {
            return Ok(());
        }
        let fingerprint = self.rules_fingerprint();
        let today = self.clock(None).today();
        let mut after = 0i64;
        // Each batch is read inside the transaction that rewrites it, so an action committed
        // between two batches is never overwritten with what was read before it.
        while let Some(last) = self.write(
            "recomputing deadlines after a calendar change",
            |tx, settings, calendar| {
                let sql = format!(
                    "SELECT id, open, {CASE_COLUMNS} FROM cases WHERE id > ?1 ORDER BY id LIMIT ?2"
                );
                let mut select = tx
                    .prepare_cached(&sql)
                    .ctx("reading cases to recompute deadlines")?;
                let mut rows = select
                    .query(rusqlite::params![after, RECOMPUTE_CHUNK as i64])
                    .ctx("reading cases to recompute deadlines")?;
                // (id, the case when open)
                let mut batch: Vec<(i64, Option<Case>)> = Vec::new();
                while let Some(r) = rows.next().ctx("reading cases to recompute deadlines")? {
                    let id = r.get(0).ctx("reading cases to recompute deadlines")?;
                    let open: bool = r.get(1).ctx("reading cases to recompute deadlines")?;
                    batch.push((
                        id,
                        if open {
                            Some(case_row::decode(r, 2)?)
                        } else {
                            None
                        },
                    ));
                }
                let clocks = settings.clocks(calendar, today);
                let mut stmt = tx
                    .prepare_cached(
                        "UPDATE cases SET timer = ?1, timer_started = ?2, due = ?3, due_key = ?4
                         WHERE id = ?5",
                    )
                    .ctx("preparing the deadline update")?;
                for (id, case) in &batch {
                    let Some(case) = case else { continue };
                    let d = derive(case, &clocks);
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
