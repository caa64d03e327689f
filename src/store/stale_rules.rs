//! `check` on the state older versions' rules left behind (issue 15): cases the current rules
//! would never produce, reported with what to do about each.

use super::Store;
use super::check::CheckReport;
use super::error::{Result, SqlContext};
use crate::domain::ids;
use crate::domain::transition::fold_case_no;

/// Stops listing after this many cases of one kind.
const MAX_LISTED: usize = 20;

impl Store {
    pub(crate) fn check_stale_rules(&self, report: &mut CheckReport) -> Result<()> {
        let waiting: Vec<(String, String)> = self
            .conn
            .prepare(
                "SELECT case_no, entry_date FROM cases
                 WHERE stage = 'notified' AND entry_date IS NOT NULL ORDER BY case_no",
            )
            .ctx("checking cases awaiting entry")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("checking cases awaiting entry")?
            .collect::<rusqlite::Result<_>>()
            .ctx("checking cases awaiting entry")?;
        for (case_no, entry) in waiting.iter().take(MAX_LISTED) {
            report.problems.push(format!(
                "{case_no}: awaits entry although its entry ({entry}) is on file, so its \
                 verification window is not tracked (signed by an older version); record the \
                 entry to start it"
            ));
        }
        if waiting.len() > MAX_LISTED {
            report.problems.push(format!(
                "... and {} more cases awaiting an entry already on file",
                waiting.len() - MAX_LISTED
            ));
        }
        let legacy: Vec<(String, String)> = self
            .conn
            .prepare(
                "SELECT case_no, kind FROM cases WHERE legacy = 1 AND kind <> 'overseas_new'
                 ORDER BY case_no",
            )
            .ctx("checking legacy flags")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("checking legacy flags")?
            .collect::<rusqlite::Result<_>>()
            .ctx("checking legacy flags")?;
        for (case_no, kind) in legacy.iter().take(MAX_LISTED) {
            report.problems.push(format!(
                "{case_no}: legacy is set on a {kind} case; only overseas_new cases may be legacy"
            ));
        }
        if legacy.len() > MAX_LISTED {
            report.problems.push(format!(
                "... and {} more non-overseas cases flagged legacy",
                legacy.len() - MAX_LISTED
            ));
        }
        self.check_identities(report)?;
        self.check_changeover(report)?;
        let unnamed: Vec<String> = self
            .conn
            .prepare(
                "SELECT case_no FROM cases
                 WHERE kind IN ('extension', 'change', 'cancellation', 'e_certificate')
                   AND json_extract(data, '$.permit') IS NULL
                 ORDER BY case_no",
            )
            .ctx("checking cases about a permit")?
            .query_map([], |r| r.get(0))
            .ctx("checking cases about a permit")?
            .collect::<rusqlite::Result<_>>()
            .ctx("checking cases about a permit")?;
        if let Some(first) = unnamed.first() {
            report.warnings.push(format!(
                "{} extension, change, cancellation or e-certificate case(s) name no permit \
                 (submitted to an older version; first: {first}); approving one issues a new \
                 permit number as that version did",
                unnamed.len()
            ));
        }
        let early: Vec<(String, String, String)> = self
            .conn
            .prepare(
                "SELECT case_no, json_extract(data, '$.e_card_registered_on'), entry_date FROM cases
                 WHERE entry_date IS NOT NULL
                   AND json_extract(data, '$.e_card_registered_on') < entry_date
                 ORDER BY case_no",
            )
            .ctx("checking e-card registrations")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ctx("checking e-card registrations")?
            .collect::<rusqlite::Result<_>>()
            .ctx("checking e-card registrations")?;
        for (case_no, registered, entry) in early.iter().take(MAX_LISTED) {
            report.problems.push(format!(
                "{case_no}: the e-card was registered on {registered}, before the entry of {entry} \
                 (accepted by an older version)"
            ));
        }
        let window_days = i64::from(self.settings.policy.verification_calendar_days);
        let silent: Vec<String> = self
            .conn
            .prepare(
                "SELECT case_no FROM cases
                 WHERE json_extract(data, '$.verified_on') IS NOT NULL
                   AND json_extract(data, '$.verified_late') IS NULL
                   AND json_extract(data, '$.verified_on') > date(max(
                         json_extract(data, '$.entry_date'), json_extract(data, '$.notified_on')),
                         '+' || ?1 || ' days')
                 ORDER BY case_no",
            )
            .ctx("checking late verifications")?
            .query_map([window_days], |r| r.get(0))
            .ctx("checking late verifications")?
            .collect::<rusqlite::Result<_>>()
            .ctx("checking late verifications")?;
        if let Some(first) = silent.first() {
            report.warnings.push(format!(
                "{} case(s) were verified after their window closed without a supervisor allowing                  it (recorded by an older version; first: {first})",
                silent.len()
            ));
        }
        Ok(())
    }

    /// The changeover day (an office setting): no Notification of the new kind or e-certificate
    /// exchange before it, and no legacy case's pre-audit run over before it restarted.
    fn check_changeover(&self, report: &mut CheckReport) -> Result<()> {
        let changeover = self.settings.policy.changeover.to_string();
        let found = super::settings::changeover_conflicts(&self.conn, &changeover)?;
        for (case_no, what) in found.iter().take(MAX_LISTED) {
            report.problems.push(format!("{case_no}: {what}"));
        }
        if found.len() > MAX_LISTED {
            report.problems.push(format!(
                "... and more cases that contradict the changeover day {changeover}"
            ));
        }
        Ok(())
    }

    /// Case numbers, names, nationalities, passport numbers and employer codes the current rules
    /// would refuse or correct.
    fn check_identities(&self, report: &mut CheckReport) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT case_no, applicant_name, nationality, passport_no, employer_uscc FROM cases
                 ORDER BY id",
            )
            .ctx("checking identity fields")?;
        let mut rows = stmt.query([]).ctx("checking identity fields")?;
        let mut found = 0usize;
        while let Some(r) = rows.next().ctx("checking identity fields")? {
            let case_no: String = r.get(0).ctx("checking identity fields")?;
            let name: String = r.get(1).ctx("checking identity fields")?;
            let nationality: String = r.get(2).ctx("checking identity fields")?;
            let passport: String = r.get(3).ctx("checking identity fields")?;
            let uscc: String = r.get(4).ctx("checking identity fields")?;
            let problem = if let Some(problem) = case_no_problem(&case_no) {
                Some(problem)
            } else if let Err(e) = ids::validate_latin_name(&name) {
                Some(format!("applicant.name: {e}"))
            } else if let Err(e) = ids::validate_nationality(&nationality) {
                Some(format!("applicant.nationality: {e}"))
            } else if ids::normalize_passport(&passport) != passport {
                Some(format!(
                    "applicant.passport_no: {passport:?} is kept as {:?} now",
                    ids::normalize_passport(&passport)
                ))
            } else if let Err(e) = ids::validate_uscc(&uscc) {
                Some(format!("employer.uscc: {e}"))
            } else {
                None
            };
            if let Some(problem) = problem {
                found += 1;
                if found <= MAX_LISTED {
                    report.problems.push(format!(
                        "{case_no}: {problem} (accepted by an older version)"
                    ));
                }
            }
        }
        if found > MAX_LISTED {
            report.problems.push(format!(
                "... and {} more cases with identity fields the current rules refuse",
                found - MAX_LISTED
            ));
        }
        Ok(())
    }
}

/// A stored case number the current rule refuses or folds to another (`fold_case_no`).
fn case_no_problem(case_no: &str) -> Option<String> {
    match fold_case_no(case_no) {
        Err(message) => Some(format!("case_no: {message}")),
        Ok(folded) if folded != case_no => Some(format!(
            "case_no: {case_no:?} is folded to {folded:?} now, so commands that name it look for \
             {folded:?}"
        )),
        Ok(_) => None,
    }
}
