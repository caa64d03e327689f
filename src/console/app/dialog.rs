//! Dialogs: what each one holds and how keys edit it. Confirming returns what to do; the app
//! turns that into store requests.

use super::super::i18n::{Lang, T};
use crate::domain::{Action, ActionKind, Stage};
use crate::store::CaseRow;

pub use super::checklist_form::ChecklistForm;
pub use crate::console::dialogs::{
    Dialog, Outcome, chars_of, editor, input_within_limit, paste_refusal, reason_key, text_of,
};
pub use crate::console::dialogs::{
    assign, bulk, confirm, entry_date, extend_days, help, message, palette, quit_ask, reason,
};

/// The case an action was prepared for, with the version, stage and holder the user saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub case_no: String,
    pub version: i64,
    pub stage: Stage,
    pub assignee: Option<String>,
    pub recommended_by: Option<String>,
    /// The applicant's name and own-script name, for previews that list the case.
    pub name: String,
    pub name_native: Option<String>,
}

impl Target {
    /// The case of a table row, as the row shows it.
    pub fn of(row: &CaseRow) -> Target {
        Target {
            case_no: row.case_no.clone(),
            version: row.version,
            stage: row.stage,
            assignee: row.assignee.clone(),
            recommended_by: row.recommended.as_ref().map(|r| r.by.clone()),
            name: row.applicant.name.clone(),
            name_native: row.applicant.name_native.clone(),
        }
    }

    /// A loaded case, as its detail has it.
    pub fn of_case(case: &crate::domain::Case) -> Target {
        Target {
            case_no: case.case_no.clone(),
            version: case.version,
            stage: case.stage,
            assignee: case.assignee().map(str::to_string),
            recommended_by: case.recommendation.as_ref().map(|r| r.by.clone()),
            name: case.applicant.name.clone(),
            name_native: case.applicant.name_native.clone(),
        }
    }

    /// What the claim and four-eyes rules look at, as the row showed it.
    pub fn holding(&self) -> crate::domain::Holding<'_> {
        crate::domain::Holding {
            case_no: &self.case_no,
            stage: self.stage,
            assignee: self.assignee.as_deref(),
            recommended_by: self.recommended_by.as_deref(),
        }
    }
}

/// Actions whose text the user types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextAction {
    Return,
    Refuse,
    NotAccept,
    Note,
    SendBack,
    Withdraw,
    Lapse,
    AllowLate,
    Reopen,
    Extend(u32),
}

impl TextAction {
    /// The kind of action this is: what its draft is kept under.
    pub fn kind(self) -> ActionKind {
        match self {
            TextAction::Return => ActionKind::Return,
            TextAction::Refuse => ActionKind::Refuse,
            TextAction::NotAccept => ActionKind::NotAccept,
            TextAction::Note => ActionKind::Note,
            TextAction::SendBack => ActionKind::SendBack,
            TextAction::Withdraw => ActionKind::Withdraw,
            TextAction::Lapse => ActionKind::Lapse,
            TextAction::AllowLate => ActionKind::AllowLate,
            TextAction::Reopen => ActionKind::Reopen,
            TextAction::Extend(_) => ActionKind::Extend,
        }
    }

    pub fn action(self, text: String) -> Action {
        match self {
            TextAction::Return => Action::Return { reason: text },
            TextAction::Refuse => Action::Refuse { reason: text },
            TextAction::NotAccept => Action::NotAccept { reason: text },
            TextAction::Note => Action::Note { text },
            TextAction::SendBack => Action::SendBack { reason: text },
            TextAction::Withdraw => Action::Withdraw { reason: text },
            TextAction::Lapse => Action::Lapse { reason: text },
            TextAction::AllowLate => Action::AllowLate { reason: text },
            TextAction::Reopen => Action::Reopen { reason: text },
            TextAction::Extend(days) => Action::Extend { days, reason: text },
        }
    }
}

/// What the bulk preview will do to each marked case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkKind {
    Approve,
    Return,
    Claim,
    Assign,
}

impl BulkKind {
    /// The kind of action this is where no case says more (a claim may be a release), for
    /// asking the domain who may take it.
    pub fn action_kind(self) -> ActionKind {
        match self {
            BulkKind::Approve => ActionKind::Approve,
            BulkKind::Return => ActionKind::Return,
            BulkKind::Claim => ActionKind::Claim,
            BulkKind::Assign => ActionKind::Assign,
        }
    }

    /// The action's name, for messages ("claim needs the approver role").
    pub fn name(self, lang: Lang) -> &'static str {
        lang.t(match self {
            BulkKind::Approve => T::BulkApprove,
            BulkKind::Return => T::BulkReturn,
            BulkKind::Claim => T::BulkClaim,
            BulkKind::Assign => T::BulkAssign,
        })
    }

    pub fn verb(self, lang: Lang) -> &'static str {
        lang.t(match self {
            BulkKind::Approve => T::BulkApproved,
            BulkKind::Return => T::BulkReturned,
            BulkKind::Claim => T::BulkClaimed,
            BulkKind::Assign => T::BulkAssigned,
        })
    }
}

/// One marked case in a bulk preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkLine {
    pub case_no: String,
    /// The action in the stage's words: accept, recommend approval, sign, claim, release.
    pub action: String,
    pub refusal: Option<String>,
}
