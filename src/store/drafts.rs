//! Drafts of typed reasons, per user, case and action.

use super::Store;
use super::error::{Result, SqlContext};
use rusqlite::{OptionalExtension, params};

impl Store {
    pub fn draft(&self, user: &str, case_no: &str, action: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT text FROM drafts WHERE user = ?1 AND case_no = ?2 AND action = ?3",
            )
            .ctx("preparing the draft read")?
            .query_row(params![user, case_no, action], |r| r.get(0))
            .optional()
            .ctx("reading a draft")
    }

    /// Every draft the user has, as (case number, action, text).
    pub fn drafts_of(&self, user: &str) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT case_no, action, text FROM drafts WHERE user = ?1 ORDER BY updated_at",
            )
            .ctx("preparing the draft list")?;
        let rows = stmt
            .query_map([user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ctx("listing drafts")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("listing drafts")
    }

    /// Saves (or with empty text, deletes) a draft.
    pub fn save_draft(
        &mut self,
        user: &str,
        case_no: &str,
        action: &str,
        text: &str,
    ) -> Result<()> {
        let now = self.clock(None).now().to_rfc3339();
        self.write("saving a draft", |tx, _, _| {
            if text.trim().is_empty() {
                tx.execute(
                    "DELETE FROM drafts WHERE user = ?1 AND case_no = ?2 AND action = ?3",
                    params![user, case_no, action],
                )
                .ctx("deleting a draft")?;
            } else {
                tx.execute(
                    "INSERT INTO drafts (user, case_no, action, text, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (user, case_no, action) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
                    params![user, case_no, action, text, now],
                )
                .ctx("saving a draft")?;
            }
            Ok(())
        })
    }
}
