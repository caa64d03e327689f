//! Words of the action dialogs the console opens: who may act where, the approval's
//! confirmation and the prompts for a reason.

use super::Lang;
use crate::domain::Stage;
use crate::domain::case::Verdict;
use chrono::NaiveDate;

impl Lang {
    /// An action that does not exist in a stage.
    pub fn not_possible_in(self, action: &str, stage: &str) -> String {
        match self {
            Lang::En => format!("{action} is not possible in {stage}"),
            Lang::Zh => format!("{stage}阶段不能{action}"),
        }
    }

    /// An action no role of the user's may take: the roles that may.
    pub fn needs_roles(self, action: &str, roles: &[&str]) -> String {
        match self {
            Lang::En => format!("{action} needs the {} role", roles.join(" or ")),
            Lang::Zh => format!("{action}需要{}角色", roles.join("或")),
        }
    }

    /// The approval's dialog title before the case number, in the stage's words.
    pub fn approve_title(self, stage: Stage) -> &'static str {
        match stage {
            Stage::PreAudit => self.pick("Accept", "受理"),
            Stage::Review => self.pick("Recommend approval of", "建议准予许可"),
            Stage::Decision => self.pick("Sign decision", "签发决定"),
            _ => self.pick("Approve", "通过"),
        }
    }

    /// The approval's first line when the domain has no move for it.
    pub fn approve_not_possible(self, stage: Stage) -> String {
        let stage = self.stage(stage);
        match self {
            Lang::En => format!("approve is not possible in {stage}: confirming will say why"),
            Lang::Zh => format!("{stage}阶段不能执行通过操作；确认后将说明原因"),
        }
    }

    /// The review's recommendation, in the approval's confirmation.
    pub fn recommended(self, verdict: Verdict, by: &str, on: NaiveDate) -> String {
        let recommended = self.t(super::T::Recommended);
        match self {
            Lang::En => format!("{recommended}: {verdict:?}, by {by} on {on}"),
            Lang::Zh => {
                let verdict = match verdict {
                    Verdict::Approve => "准予许可",
                    Verdict::Refuse => "不予许可",
                };
                format!("{recommended}：{verdict}（{by}，{on}）")
            }
        }
    }

    /// The approval's warning of documents missing or failed.
    pub fn documents_missing(self, missing: &[String]) -> String {
        match self {
            Lang::En => format!("Documents MISSING or failed: {}", missing.join(", ")),
            Lang::Zh => format!("材料缺失或不合格：{}", missing.join("、")),
        }
    }

    /// A return in Verification: a deficiency, the window running on.
    pub fn deficiency_prompt(self, window: u32) -> String {
        match self {
            Lang::En => format!("Record the deficiency (the {window}-day window keeps running):"),
            Lang::Zh => format!("记录材料缺陷（{window}日核验期限继续计算）："),
        }
    }

    pub fn lapse_prompt(self, window: u32) -> String {
        match self {
            Lang::En => format!("The applicant did not appear within {window} days. Reason:"),
            Lang::Zh => format!("申请人未在{window}日内到场核验。理由："),
        }
    }

    pub fn allow_late_prompt(self, window: u32) -> String {
        match self {
            Lang::En => format!(
                "The {window}-day window has ended; the next verification proceeds, marked late. Reason:"
            ),
            Lang::Zh => {
                format!("{window} 天核验期已届满；下一次核验将继续办理并标记为逾期。理由：")
            }
        }
    }

    pub fn extend_prompt(self, days: u32) -> String {
        match self {
            Lang::En => format!("+{days} working days to the decision deadline, once. Reason:"),
            Lang::Zh => format!("决定期限延长 {days} 个工作日（每案一次）。理由："),
        }
    }
}
