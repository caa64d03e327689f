//! The vocabulary of the domain: stages, kinds, categories, roles and actions, with their names in
//! the store/CLI (snake_case), in English and in the official Chinese terms.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Implements `as_str`, `Display`, `FromStr` (accepting snake_case and kebab-case) and `ALL` for a
/// field-less enum, so every name exists in exactly one place.
macro_rules! named_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $name:literal, $en:literal, $zh:literal;)+ }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($ty::$variant => $en),+ }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $($ty::$variant => $zh),+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
                $ty::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| UnknownName {
                        what: $what,
                        given: s.to_string(),
                        expected: $ty::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    })
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} \"{given}\"; expected one of: {expected}")]
pub struct UnknownName {
    pub what: &'static str,
    pub given: String,
    pub expected: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    PreAudit,
    Returned,
    Review,
    Decision,
    Notified,
    Verification,
    Completed,
    Refused,
    NotAccepted,
    Withdrawn,
    Lapsed,
}

named_enum!(Stage, "stage", {
    PreAudit => "pre_audit", "Pre-audit", "预审";
    Returned => "returned", "Returned", "退回补正";
    Review => "review", "Review", "审查";
    Decision => "decision", "Decision", "待决定";
    Notified => "notified", "Notified", "已发放通知";
    Verification => "verification", "Verification", "待现场核验";
    Completed => "completed", "Completed", "已完成";
    Refused => "refused", "Refused", "不予许可";
    NotAccepted => "not_accepted", "Not accepted", "不予受理";
    Withdrawn => "withdrawn", "Withdrawn", "已撤回";
    Lapsed => "lapsed", "Lapsed", "逾期未核验";
});

impl Stage {
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Stage::Completed
                | Stage::Refused
                | Stage::NotAccepted
                | Stage::Withdrawn
                | Stage::Lapsed
        )
    }

    /// Stages in which work is done under a claim.
    pub fn is_claimable(self) -> bool {
        matches!(self, Stage::PreAudit | Stage::Review)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    OverseasNew,
    NewNotification,
    ECertificate,
    DomesticNew,
    Extension,
    Change,
    Cancellation,
}

named_enum!(Kind, "kind", {
    OverseasNew => "overseas_new", "Overseas new", "境外申请工作许可";
    NewNotification => "new_notification", "New notification", "换发新版工作许可通知";
    ECertificate => "e_certificate", "E-certificate", "换发电子证照";
    DomesticNew => "domestic_new", "Domestic new", "境内申请";
    Extension => "extension", "Extension", "延期";
    Change => "change", "Change", "变更";
    Cancellation => "cancellation", "Cancellation", "注销";
});

impl Kind {
    /// Kinds whose approval issues a Work Permit Notification and waits for entry.
    pub fn issues_notification(self) -> bool {
        matches!(self, Kind::OverseasNew | Kind::NewNotification)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    A,
    B,
    C,
}

impl Category {
    pub const ALL: &'static [Category] = &[Category::A, Category::B, Category::C];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::A => "A",
            Category::B => "B",
            Category::C => "C",
        }
    }

    /// Only Class B and C applicants must appear for on-site verification.
    pub fn needs_verification(self) -> bool {
        !matches!(self, Category::A)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "A" | "a" => Ok(Category::A),
            "B" | "b" => Ok(Category::B),
            "C" | "c" => Ok(Category::C),
            _ => Err(UnknownName {
                what: "category",
                given: s.to_string(),
                expected: "A, B, C".to_string(),
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Clerk,
    Approver,
    Supervisor,
    Admin,
    Viewer,
    /// The upstream reporting system, acting through sync. Never held by a person.
    System,
}

named_enum!(Role, "role", {
    Clerk => "clerk", "clerk", "窗口受理员";
    Approver => "approver", "approver", "审查员";
    Supervisor => "supervisor", "supervisor", "科室负责人";
    Admin => "admin", "admin", "管理员";
    Viewer => "viewer", "viewer", "查阅";
    System => "system", "system", "系统";
});

impl Role {
    /// Roles a person may be given (`System` is reserved for sync).
    pub const ASSIGNABLE: &'static [Role] = &[
        Role::Clerk,
        Role::Approver,
        Role::Supervisor,
        Role::Admin,
        Role::Viewer,
    ];
}

/// What an action is, without what it carries: the name audit events and drafts are stored
/// under, and what the rules that do not read an action's text or date ask about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Submit,
    Claim,
    Release,
    Assign,
    Approve,
    Return,
    Refuse,
    NotAccept,
    SendBack,
    Withdraw,
    Resubmit,
    RecordEntry,
    CorrectEntry,
    Verify,
    Lapse,
    AllowLate,
    Reopen,
    Extend,
    Note,
    ECardRegistered,
}

named_enum!(ActionKind, "action", {
    Submit => "submit", "submit", "提交申请";
    Claim => "claim", "claim", "认领";
    Release => "release", "release", "释放";
    Assign => "assign", "assign", "分配";
    Approve => "approve", "approve", "通过";
    Return => "return", "return", "退回补正";
    Refuse => "refuse", "refuse", "不予许可";
    NotAccept => "not_accept", "not accept", "不予受理";
    SendBack => "send_back", "send back", "退回审查";
    Withdraw => "withdraw", "withdraw", "撤回";
    Resubmit => "resubmit", "resubmit", "重新提交";
    RecordEntry => "record_entry", "record entry", "登记入境";
    CorrectEntry => "correct_entry", "correct entry", "更正入境日期";
    Verify => "verify", "verify", "现场核验";
    Lapse => "lapse", "lapse", "逾期未核验办结";
    AllowLate => "allow_late", "allow late", "允许逾期核验";
    Reopen => "reopen", "reopen", "重新开启核验";
    Extend => "extend", "extend", "延长期限";
    Note => "note", "note", "备注";
    ECardRegistered => "e_card_registered", "e-card registered", "电子证照登记";
});

/// Who presented the applicant's materials at the acceptance window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presenter {
    Applicant,
    Handler,
    Agent,
}

named_enum!(Presenter, "presenter", {
    Applicant => "applicant", "the applicant", "申请人本人";
    Handler => "handler", "the employer's handler", "单位经办人";
    Agent => "agent", "an agent with a power of attorney", "签署委托书的代办人";
});

/// The document that lets the applicant work in China, shown at verification (FAQ Q3: a valid
/// work visa or a work-type residence permit). Nothing else is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisaKind {
    WorkVisa,
    WorkResidencePermit,
}

named_enum!(VisaKind, "visa kind", {
    WorkVisa => "work_visa", "work visa (Z)", "工作签证";
    WorkResidencePermit => "work_residence_permit", "work-type residence permit", "工作类居留许可";
});

impl VisaKind {
    /// What verification needs, for a missing kind.
    pub fn needed() -> String {
        "on-site verification needs a valid work visa (Z) or a work-type residence permit \
         (FAQ Q3): work-visa or work-residence-permit"
            .into()
    }

    /// Reads the kind a clerk names; any other document (a tourist or business visa, a
    /// residence permit for study or family) is refused naming what is needed.
    pub fn parse_presented(text: &str) -> Result<VisaKind, String> {
        text.parse().map_err(|_: UnknownName| {
            format!(
                "\"{}\" is not accepted: {}",
                crate::text::sanitize_line(&text.trim().chars().take(40).collect::<String>()),
                Self::needed()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_both_spellings() {
        for stage in Stage::ALL {
            assert_eq!(stage.as_str().parse::<Stage>(), Ok(*stage));
            assert_eq!(
                stage.as_str().replace('_', "-").parse::<Stage>(),
                Ok(*stage)
            );
        }
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>(), Ok(*kind));
        }
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        for kind in ActionKind::ALL {
            assert_eq!(kind.as_str().parse::<ActionKind>(), Ok(*kind));
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::Value::String(kind.as_str().into()))
            );
        }
    }

    #[test]
    fn unknown_name_lists_the_choices() {
        let err = "approved".parse::<Stage>().unwrap_err();
        assert!(err.to_string().contains("unknown stage \"approved\""));
        assert!(err.to_string().contains("pre_audit"));
    }

    #[test]
    fn closed_stages_are_not_open() {
        let open: Vec<_> = Stage::ALL.iter().filter(|s| s.is_open()).collect();
        assert_eq!(open.len(), 6);
        assert!(!Stage::Lapsed.is_open());
    }
}
