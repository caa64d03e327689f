//! `import`: a validated file of submissions opens its cases through the domain, all in one
//! transaction, so a file applies wholly or not at all.

use super::Store;
use super::cases;
use super::chain;
use super::error::{Result, SqlContext, StoreError};
use super::upstream::NoDirectory;
use super::upstream::require_role;
use crate::domain::{Clocks, Context, Refusal, Role, Submission, submit};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;

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

    /// Opens every submission as a new case, as `user` (an admin), in one transaction.
    /// `progress` is told how many are done, now and then.
    pub fn import_cases(
        &mut self,
        user: &str,
        submissions: Vec<Submission>,
        today: Option<NaiveDate>,
        progress: &dyn Fn(u64),
    ) -> Result<u64> {
        let clock = self.clock(today);
        self.write("importing cases", |tx, settings, calendar| {
            let actor = require_role(tx, user, Role::Admin, "import")?;
            let now = clock.now();
            let clocks = Clocks {
                calendar,
                policy: &settings.policy,
                today: now.date_naive(),
            };
            let ctx = Context {
                now,
                clocks,
                directory: &NoDirectory,
            };
            let stamp = now.to_rfc3339();
            let mut head = chain::head(tx)?;
            let mut done = 0u64;
            for submission in submissions {
                let (case, event) = submit(submission, &actor, &ctx)?;
                let id = cases::insert(tx, &case, &clocks, &stamp).map_err(|e| match e {
                    StoreError::Refused(Refusal::Duplicate { case_no }) => StoreError::Invalid {
                        field: "case_no".into(),
                        message: format!("{case_no} already exists in the store"),
                    },
                    other => other,
                })?;
                head = chain::append(tx, &head, id, &event)?;
                done += 1;
                if done % 256 == 0 {
                    progress(done);
                }
            }
            progress(done);
            Ok(done)
        })
    }
}
