//! Drafts of typed reasons, per user, case and action.

use super::Store;
use super::error::{Result, SqlContext, StoreError};
use crate::domain::ActionKind;
use rusqlite::{OptionalExtension, params};

/// Drafts one person may keep at once; far more than anyone types in parallel.
const MAX_DRAFTS_PER_USER: i64 = 200;

impl Store {
    /// What `user` typed for `action` on `case_no` and did not send.
    pub fn draft(&self, user: &str, case_no: &str, action: ActionKind) -> Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT text FROM drafts WHERE user = ?1 AND case_no = ?2 AND action = ?3",
            )
            .ctx("preparing the draft read")?
            .query_row(params![user, case_no, action.as_str()], |r| r.get(0))
            .optional()
            .ctx("reading a draft")
    }

    /// Every draft the user has, as (case number, action, text), oldest first.
    pub fn drafts_of(&self, user: &str) -> Result<Vec<(String, ActionKind, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT case_no, action, text FROM drafts WHERE user = ?1 ORDER BY updated_at",
            )
            .ctx("preparing the draft list")?;
        let rows = stmt
            .query_map([user], |r| {
                let action: String = r.get(1)?;
                let action = action.parse::<ActionKind>().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?;
                Ok((r.get(0)?, action, r.get(2)?))
            })
            .ctx("listing drafts")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("listing drafts")
    }

    /// Saves (or, empty, discards) what `user` typed for `action` on `case_no`: for a case that
    /// exists, no longer than a reason may be, and a bounded number per person.
    pub fn save_draft(
        &mut self,
        user: &str,
        case_no: &str,
        action: ActionKind,
        text: &str,
    ) -> Result<()> {
        let action = action.as_str();
        let now = self.clock(None).now().to_rfc3339();
        let invalid = |message: String| StoreError::Invalid {
            field: "draft".into(),
            message,
        };
        // A draft is a reason being typed: no longer than any reason may be.
        if text.chars().count() > crate::domain::transition::MAX_TEXT_CHARS {
            return Err(invalid(format!(
                "longer than {} characters",
                crate::domain::transition::MAX_TEXT_CHARS
            )));
        }
        self.write("saving a draft", |tx, _, _| {
            let known: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM cases WHERE case_no = ?1)",
                    [case_no],
                    |r| r.get(0),
                )
                .ctx("looking the draft's case up")?;
            if !known {
                return Err(StoreError::NotFound {
                    case_no: case_no.to_string(),
                });
            }
            let held: i64 = tx
                .query_row("SELECT count(*) FROM drafts WHERE user = ?1", [user], |r| {
                    r.get(0)
                })
                .ctx("counting drafts")?;
            if held >= MAX_DRAFTS_PER_USER && !text.trim().is_empty() {
                let replaces: bool = tx
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM drafts WHERE user = ?1 AND case_no = ?2 AND action = ?3)",
                        params![user, case_no, action],
                        |r| r.get(0),
                    )
                    .ctx("looking a draft up")?;
                if !replaces {
                    return Err(invalid(format!(
                        "{user} already keeps {held} drafts; submit or discard some first"
                    )));
                }
            }
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

impl Store {
    /// How many cases became overdue since `user` last looked (their governing deadline fell due
    /// on or after that day and before today), and that day; then records today as the last look.
    pub fn overdue_since_last_visit(
        &mut self,
        user: &str,
        today: chrono::NaiveDate,
    ) -> Result<(i64, Option<chrono::NaiveDate>)> {
        let today_text = today.to_string();
        self.write("recording your visit", |tx, _, _| {
            let last: Option<String> = tx
                .query_row(
                    "SELECT value FROM user_state WHERE user = ?1 AND key = 'last_visit'",
                    [user],
                    |r| r.get(0),
                )
                .optional()
                .ctx("reading your last visit")?;
            let last = last.and_then(|d| d.parse::<chrono::NaiveDate>().ok());
            let count = match last {
                Some(day) if day < today => tx
                    .query_row(
                        "SELECT count(*) FROM cases WHERE due_key >= ?1 AND due_key < ?2",
                        params![day.to_string(), today_text],
                        |r| r.get(0),
                    )
                    .ctx("counting new overdue cases")?,
                _ => 0,
            };
            tx.execute(
                "INSERT INTO user_state (user, key, value) VALUES (?1, 'last_visit', ?2)
                 ON CONFLICT (user, key) DO UPDATE SET value = excluded.value",
                params![user, today_text],
            )
            .ctx("recording your visit")?;
            Ok((count, last))
        })
    }
}
