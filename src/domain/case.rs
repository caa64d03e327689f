//! The case record: what the office knows about one application at one moment. It is a pure value,
//! rebuilt by replaying the case's events (see `transition::apply`).

use super::model::{Category, Kind, Stage};
pub use super::permit::PermitRef;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// Passport (Latin) spelling, used for the e-card.
    pub name: String,
    /// The applicant's own script, where there is one.
    pub name_native: Option<String>,
    pub passport_no: String,
    /// ISO 3166-1 alpha-3.
    pub nationality: String,
    pub birth_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employer {
    pub name: String,
    /// Unified social credit code (统一社会信用代码).
    pub uscc: String,
}

/// A document submitted with the application, and whether pre-audit found it in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: String,
    pub ok: bool,
}

/// The physical exam report, which must come from a domestic institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamReport {
    pub issued_on: NaiveDate,
    pub domestic: bool,
    pub institution: Option<String>,
}

/// Everything the employer submits upstream: the content of a `submitted` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub case_no: String,
    pub kind: Kind,
    pub category: Category,
    #[serde(default)]
    pub legacy: bool,
    pub applicant: Applicant,
    pub employer: Employer,
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub exam_report: Option<ExamReport>,
    /// For legacy and new-notification cases the applicant may already be in China.
    #[serde(default)]
    pub entry_date: Option<NaiveDate>,
    /// The permit an extension, change, cancellation or e-certificate case concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit: Option<PermitRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    Refuse,
}

/// An approver's recommendation waiting for a supervisor's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub verdict: Verdict,
    pub by: String,
    pub on: NaiveDate,
    pub reason: Option<String>,
}

/// A supervisor's decision that the next verification may proceed after the window ended
/// (`allow_late`, or a reopening after a lapse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateAllowance {
    pub by: String,
    pub on: NaiveDate,
    pub reason: String,
}

/// A stretch of days during which a working-day timer does not run: from the day after `from`
/// through `until` (the resubmission day), or open while the case is still returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// The decision timer's raw facts; its due date is always derived from them and the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionClock {
    pub started: NaiveDate,
    pub extension_days: Option<u32>,
    pub pauses: Vec<Pause>,
    pub ended: Option<NaiveDate>,
}

/// The pre-audit timer restarts at every (re)submission into pre-audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreAuditClock {
    pub started: NaiveDate,
    pub paused_since: Option<NaiveDate>,
    pub ended: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub holder: String,
    pub since: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub case_no: String,
    pub kind: Kind,
    pub category: Category,
    pub legacy: bool,
    pub stage: Stage,
    /// Set while `returned`: the stage a resubmission goes back to.
    pub returned_from: Option<Stage>,
    pub claim: Option<Claim>,
    pub applicant: Applicant,
    pub employer: Employer,
    pub position: Option<String>,
    pub documents: Vec<Document>,
    pub exam_report: Option<ExamReport>,
    pub submitted_at: DateTime<FixedOffset>,
    pub pre_audit: PreAuditClock,
    pub decision: Option<DecisionClock>,
    pub recommendation: Option<Recommendation>,
    pub notified_on: Option<NaiveDate>,
    /// The permit number: issued when an approval is signed, or for a case about an existing
    /// permit, that permit's from the submission.
    pub permit_no: Option<String>,
    /// The permit the case concerns, as submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit: Option<PermitRef>,
    pub entry_date: Option<NaiveDate>,
    pub e_card_registered_on: Option<NaiveDate>,
    /// Deficiencies recorded at the window; the verification window keeps running.
    pub verification_returns: u32,
    pub verified_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_allowed: Option<LateAllowance>,
    /// Verified after the window ended, as a supervisor allowed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verified_late: bool,
    pub decision_doc_no: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub version: i64,
}

impl Case {
    pub fn assignee(&self) -> Option<&str> {
        self.claim.as_ref().map(|c| c.holder.as_str())
    }

    pub fn is_open(&self) -> bool {
        self.stage.is_open()
    }

    /// The day an e-certificate exchange's permit had expired by when it was submitted, which
    /// bars the exchange (FAQ Q10).
    pub fn e_certificate_bar(&self) -> Option<NaiveDate> {
        if self.kind != Kind::ECertificate {
            return None;
        }
        super::permit::e_certificate_bar(self.permit.as_ref()?, self.submitted_at.date_naive())
    }

    /// The day the verification window opens: the later of entry and the Notification. There
    /// is no window before the Notification, even for an applicant already in China.
    pub fn verification_start(&self) -> Option<NaiveDate> {
        Some(self.entry_date?.max(self.notified_on?))
    }
}
