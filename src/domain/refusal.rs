//! Why the domain refused an action, in words a user can act on, with the exit code of
//! INTERFACE.md for each kind of refusal. An action is named by its [`ActionKind`], never by a
//! string, so that each front end words it in its own language; the English here is the command
//! line's.

use super::model::{ActionKind, Role, Stage};
use chrono::NaiveDate;

/// A field's name. Spelled as an alias so serde's derive does not take the field for a string
/// borrowed from the input (a refusal read from a server outlives that input).
pub type Name = &'static str;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum Refusal {
    #[error("{case_no}: {} is not possible in stage {stage}{}", action.label_en(), hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    WrongStage {
        case_no: String,
        action: ActionKind,
        stage: Stage,
        hint: Option<String>,
    },
    #[error(
        "{case_no}: {} in stage {stage} needs the {} role; {user} holds {}",
        action.label_en(),
        join(needs),
        join(has)
    )]
    WrongRole {
        case_no: String,
        action: ActionKind,
        stage: Stage,
        user: String,
        needs: Vec<Role>,
        has: Vec<Role>,
    },
    #[error("{user} is disabled and may not act")]
    Inactive { user: String },
    #[error("{case_no}: four-eyes rule: {user} recommended this decision and may not sign it")]
    FourEyes { case_no: String, user: String },
    #[error("{case_no}: nobody holds this case; claim it first")]
    NotClaimed { case_no: String },
    #[error("{case_no}: {user} already holds this case")]
    AlreadyHeld { case_no: String, user: String },
    #[error("{case_no}: held by {holder}; ask them or a supervisor to reassign it")]
    HeldByOther { case_no: String, holder: String },
    #[error("{case_no}: {} needs {}", action.label_en(), if *action == ActionKind::Note { "text (--text)" } else { "a reason" })]
    MissingReason { case_no: String, action: ActionKind },
    /// Signing a decision against the review's recommendation needs a reason (DOMAIN.md).
    #[error("{case_no}: signing against the recommendation needs a reason")]
    MissingSigningReason { case_no: String },
    /// Resolving an upstream conflict needs a reason, kept with the resolution.
    #[error("{case_no}: resolving an upstream conflict needs a reason")]
    MissingResolutionReason { case_no: String },
    #[error("{case_no}: {field}: {message}")]
    Invalid {
        case_no: String,
        #[serde(deserialize_with = "crate::text::interned")]
        field: Name,
        message: String,
    },
    /// The rules that failed, so that each front end words them in its own language.
    #[error(
        "{case_no}: the checklist does not pass: {}",
        checklist_words(failures)
    )]
    ChecklistFailed {
        case_no: String,
        failures: Vec<super::checklist::ChecklistRule>,
    },
    #[error(
        "{case_no}: the verification window is not overdue (due {due}); only an overdue verification can lapse or be verified late"
    )]
    NotOverdue { case_no: String, due: String },
    #[error(
        "{case_no}: the verification window ended on {ended}; a supervisor may lapse the case or allow a late verification"
    )]
    WindowEnded { case_no: String, ended: NaiveDate },
    #[error(
        "{case_no}: the decision deadline was already extended by {days} working days; it can be extended once"
    )]
    AlreadyExtended { case_no: String, days: u32 },
    #[error(
        "{case_no}: upstream {} conflicts with the local stage {stage}; a supervisor must resolve it",
        action.label_en()
    )]
    UpstreamConflict {
        case_no: String,
        action: ActionKind,
        stage: Stage,
    },
    #[error("{case_no}: already exists")]
    Duplicate { case_no: String },
    #[error(
        "{case_no}: permit {permit_no} expired on {expired_on}, before the submission on {submitted_on}; an e-certificate exchange is only for a physical permit that has not expired or one approved but never collected (FAQ Q10): not-accept it with this reason"
    )]
    ECertificateBarred {
        case_no: String,
        permit_no: String,
        expired_on: NaiveDate,
        submitted_on: NaiveDate,
    },
}

impl Refusal {
    /// The process exit code for this refusal (INTERFACE.md, "Errors and exit codes").
    pub fn exit_code(&self) -> u8 {
        match self {
            Refusal::MissingReason { .. }
            | Refusal::MissingSigningReason { .. }
            | Refusal::MissingResolutionReason { .. }
            | Refusal::Invalid { .. }
            | Refusal::ChecklistFailed { .. }
            | Refusal::Duplicate { .. } => 6,
            Refusal::HeldByOther { .. } | Refusal::UpstreamConflict { .. } => 4,
            _ => 3,
        }
    }
}

/// The failed rules in English, each after the field it concerns: "originals: original ...".
fn checklist_words(failures: &[super::checklist::ChecklistRule]) -> String {
    failures
        .iter()
        .map(|rule| format!("{}: {}", rule.field(), rule.message()))
        .collect::<Vec<_>>()
        .join("; ")
}

fn join(roles: &[Role]) -> String {
    if roles.is_empty() {
        return "no role".to_string();
    }
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}
