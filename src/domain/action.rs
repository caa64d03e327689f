//! Actions people (and the upstream system) take on cases, and the audit event each one writes.

use super::case::Submission;
use super::checklist::Checklist;
use super::model::{ActionKind, Role, Stage};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Submit {
        submission: Box<Submission>,
    },
    Claim,
    Release,
    Assign {
        assignee: String,
    },
    /// Accept in pre-audit, recommend approval in review, sign in decision.
    Approve {
        #[serde(default)]
        note: Option<String>,
    },
    Return {
        reason: String,
    },
    /// Recommend refusal in review, sign the refusal in decision.
    Refuse {
        reason: String,
    },
    NotAccept {
        reason: String,
    },
    SendBack {
        reason: String,
    },
    Withdraw {
        reason: String,
    },
    Resubmit,
    RecordEntry {
        date: NaiveDate,
    },
    CorrectEntry {
        date: NaiveDate,
        reason: String,
    },
    Verify {
        checklist: Checklist,
    },
    Lapse {
        reason: String,
    },
    /// A supervisor lets the next verification proceed after the window ended (FAQ Q3: the
    /// applicant bears the consequences of verifying late, so someone must decide it).
    AllowLate {
        reason: String,
    },
    Reopen {
        reason: String,
    },
    Extend {
        days: u32,
        reason: String,
    },
    Note {
        text: String,
    },
    ECardRegistered {
        date: NaiveDate,
    },
}

impl Action {
    /// What the action is, without what it carries.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Submit { .. } => ActionKind::Submit,
            Action::Claim => ActionKind::Claim,
            Action::Release => ActionKind::Release,
            Action::Assign { .. } => ActionKind::Assign,
            Action::Approve { .. } => ActionKind::Approve,
            Action::Return { .. } => ActionKind::Return,
            Action::Refuse { .. } => ActionKind::Refuse,
            Action::NotAccept { .. } => ActionKind::NotAccept,
            Action::SendBack { .. } => ActionKind::SendBack,
            Action::Withdraw { .. } => ActionKind::Withdraw,
            Action::Resubmit => ActionKind::Resubmit,
            Action::RecordEntry { .. } => ActionKind::RecordEntry,
            Action::CorrectEntry { .. } => ActionKind::CorrectEntry,
            Action::Verify { .. } => ActionKind::Verify,
            Action::Lapse { .. } => ActionKind::Lapse,
            Action::AllowLate { .. } => ActionKind::AllowLate,
            Action::Reopen { .. } => ActionKind::Reopen,
            Action::Extend { .. } => ActionKind::Extend,
            Action::Note { .. } => ActionKind::Note,
            Action::ECardRegistered { .. } => ActionKind::ECardRegistered,
        }
    }

    /// The name audit events store the action under (its kind's).
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The text this action cannot be taken without: its reason, or a note's text.
    pub fn required_text(&self) -> Option<&str> {
        match self {
            Action::Return { reason }
            | Action::Refuse { reason }
            | Action::NotAccept { reason }
            | Action::SendBack { reason }
            | Action::Withdraw { reason }
            | Action::CorrectEntry { reason, .. }
            | Action::Lapse { reason }
            | Action::AllowLate { reason }
            | Action::Reopen { reason }
            | Action::Extend { reason, .. } => Some(reason),
            Action::Note { text } => Some(text),
            _ => None,
        }
    }

    /// The free text a person gave with the action: a reason, a note or an optional remark.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Action::Approve { note } => note.as_deref(),
            other => other.required_text(),
        }
    }

    /// The field its text is given in: a note's `text`, every other action's `reason`.
    pub fn text_field(&self) -> &'static str {
        match self {
            Action::Note { .. } => "text",
            _ => "reason",
        }
    }
}

/// One audit event: the only way a case changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub case_no: String,
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    /// The role the transition required, as held by the actor.
    pub role: Role,
    pub from: Option<Stage>,
    pub to: Stage,
    #[serde(flatten)]
    pub action: Action,
    /// The permit or decision-document number this event issued, from the store's sequence.
    /// Absent from events written before the sequences existed (see `numbers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// A verification after the window ended, allowed by a supervisor beforehand.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
}

impl Event {
    /// The office-local calendar day the event happened on.
    pub fn date(&self) -> NaiveDate {
        self.at.date_naive()
    }
}

/// The person (or system) acting, with the roles the store gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub roles: Vec<Role>,
    pub active: bool,
}

impl Actor {
    pub const SYSTEM: &'static str = "system";

    pub fn system() -> Actor {
        Actor {
            name: Self::SYSTEM.to_string(),
            roles: vec![Role::System],
            active: true,
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Anyone but a pure viewer may change something somewhere.
    pub fn may_write(&self) -> bool {
        self.active && self.roles.iter().any(|r| *r != Role::Viewer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Presenter;

    /// Events and drafts store the kind's name: it is the tag `Action` is stored under.
    #[test]
    fn a_kind_is_named_as_its_action_is_stored() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        let text = || "text".to_string();
        let checklist = Checklist {
            presented_by: Presenter::Applicant,
            power_of_attorney: false,
            originals: false,
            sealed_copies: false,
            visa_kind: None,
            visa_valid_until: None,
            exam_issued_on: None,
            exam_domestic: false,
            exam_institution: None,
        };
        // Every kind but `submit`, whose submission is long to write out here.
        let actions = [
            Action::Claim,
            Action::Release,
            Action::Assign { assignee: text() },
            Action::Approve { note: None },
            Action::Return { reason: text() },
            Action::Refuse { reason: text() },
            Action::NotAccept { reason: text() },
            Action::SendBack { reason: text() },
            Action::Withdraw { reason: text() },
            Action::Resubmit,
            Action::RecordEntry { date },
            Action::CorrectEntry {
                date,
                reason: text(),
            },
            Action::Verify { checklist },
            Action::Lapse { reason: text() },
            Action::AllowLate { reason: text() },
            Action::Reopen { reason: text() },
            Action::Extend {
                days: 5,
                reason: text(),
            },
            Action::Note { text: text() },
            Action::ECardRegistered { date },
        ];
        assert_eq!(actions.len() + 1, ActionKind::ALL.len());
        for action in &actions {
            let stored = serde_json::to_value(action).expect("json");
            assert_eq!(
                stored.get("action").and_then(|v| v.as_str()),
                Some(action.kind().as_str()),
                "{action:?}"
            );
            assert_eq!(action.name(), action.kind().as_str());
        }
    }
}
