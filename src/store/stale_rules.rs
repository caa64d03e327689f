//! `check` on the state older versions' rules left behind (issue 15): cases the current rules
//! would never produce, reported with what to do about each.

use super::Store;
use super::check::CheckReport;
use super::error::{Result, SqlContext};
use crate::domain::ids;
use crate::domain::transition::fold_case_no;
use crate::domain::{Case, Kind, Policy};
use chrono::NaiveDate;

/// Stops listing after this many cases of one kind.
const MAX_LISTED: usize = 20;

/// What the current rules would refuse in a decoded case, gathered by `check`'s replay (one pass
/// over the store instead of scans of its JSON).
#[derive(Default)]
pub(super) struct StaleCases {
    /// Cases about a permit that name none.
    unnamed: Vec<String>,
    /// Case number, e-card registration, entry: a card registered before the entry.
    early_e_card: Vec<(String, NaiveDate, NaiveDate)>,
    /// Verified after the window closed, with no supervisor's allowance.
    silently_late: Vec<String>,
}

impl StaleCases {
    /// Adds what another part of `check`'s replay observed.
    pub(super) fn merge(&mut self, other: StaleCases) {
        self.unnamed.extend(other.unnamed);
        self.early_e_card.extend(other.early_e_card);
        self.silently_late.extend(other.silently_late);
    }

    pub(super) fn observe(&mut self, case: &Case, policy: &Policy) {
        let about_a_permit = matches!(
            case.kind,
            Kind::Extension | Kind::Change | Kind::Cancellation | Kind::ECertificate
        );
        if about_a_permit && case.permit.is_none() {
            self.unnamed.push(case.case_no.clone());
        }
        if let (Some(registered), Some(entry)) = (case.e_card_registered_on, case.entry_date) {
            if registered < entry {
                self.early_e_card
                    .push((case.case_no.clone(), registered, entry));
            }
        }
        if let (Some(verified), Some(started)) = (case.verified_on, case.verification_start()) {
            if !case.verified_late && verified > policy.verification_due(started) {
                self.silently_late.push(case.case_no.clone());
            }
        }
    }

    pub(super) fn report(mut self, report: &mut CheckReport) {
        self.unnamed.sort_unstable();
        if let Some(first) = self.unnamed.first() {
            report.warnings.push(format!(
                "{} extension, change, cancellation or e-certificate case(s) name no permit \
                 (submitted to an older version; first: {first}); approving one issues a new \
                 permit number as that version did",
                self.unnamed.len()
            ));
        }
        self.early_e_card.sort_unstable();
        for (case_no, registered, entry) in self.early_e_card.iter().take(MAX_LISTED) {
            report.problems.push(format!(
                "{case_no}: the e-card was registered on {registered}, before the entry of {entry} \
                 (accepted by an older version)"
            ));
        }
        if self.early_e_card.len() > MAX_LISTED {
            report.problems.push(format!(
                "... and {} more cases whose e-card was registered before the entry",
                self.early_e_card.len() - MAX_LISTED
            ));
        }
        self.silently_late.sort_unstable();
        if let Some(first) = self.silently_late.first() {
            report.warnings.push(format!(
                "{} case(s) were verified after their window closed without a supervisor allowing \
                 it (recorded by an older version; first: {first})",
                self.silently_late.len()
            ));
        }
    }
}

impl Store {
    /// The rules on stored columns; those on the decoded cases are `StaleCases`.
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
