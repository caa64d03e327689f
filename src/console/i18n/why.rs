//! Why an action did not commit, said in either language: the store's English, or the
//! domain's refusal in Chinese words.

use super::Lang;
use crate::domain::{Role, Stage};
use crate::store::LastChange;

/// Why an action did not commit, kept structured so the console can say it in either language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Why {
    Refused(crate::domain::Refusal),
    Stale {
        case_no: String,
        expected: i64,
        actual: i64,
        last_change: LastChange,
    },
    /// A case no longer in the stage the user saw it in.
    StaleStage {
        case_no: String,
        expected: Stage,
        actual: Stage,
        last_change: LastChange,
    },
    Other(String),
}

impl Why {
    pub fn from_error(err: &crate::store::StoreError) -> Why {
        use crate::store::StoreError;
        match err {
            StoreError::Refused(r) => Why::Refused(r.clone()),
            StoreError::StaleVersion {
                case_no,
                expected,
                actual,
                last_change,
            } => Why::Stale {
                case_no: case_no.clone(),
                expected: *expected,
                actual: *actual,
                last_change: last_change.clone(),
            },
            StoreError::StaleStage {
                case_no,
                expected,
                actual,
                last_change,
            } => Why::StaleStage {
                case_no: case_no.clone(),
                expected: *expected,
                actual: *actual,
                last_change: last_change.clone(),
            },
            other => Why::Other(other.to_string()),
        }
    }

    pub fn say(&self, lang: Lang, english: &str) -> String {
        match lang {
            Lang::En => english.to_string(),
            Lang::Zh => self.zh().unwrap_or_else(|| english.to_string()),
        }
    }

    fn zh(&self) -> Option<String> {
        use crate::domain::Refusal::*;
        let roles = |roles: &[Role]| {
            roles
                .iter()
                .map(|r| Lang::Zh.role(*r))
                .collect::<Vec<_>>()
                .join("或")
        };
        Some(match self {
            Why::Stale {
                case_no,
                expected,
                actual,
                last_change,
            } => format!(
                "{case_no}：您查看的是第 {expected} 版，现为第 {actual} 版（{}）",
                last_change_zh(last_change)
            ),
            Why::StaleStage {
                case_no,
                expected,
                actual,
                last_change,
            } => format!(
                "{case_no}：您查看时处于{}阶段，现为{}阶段（{}）",
                Lang::Zh.stage(*expected),
                Lang::Zh.stage(*actual),
                last_change_zh(last_change)
            ),
            Why::Other(_) => return None,
            Why::Refused(r) => match r {
                WrongStage {
                    case_no,
                    action,
                    stage,
                    ..
                } => {
                    format!("{case_no}：{}阶段不能执行 {action}", Lang::Zh.stage(*stage))
                }
                WrongRole {
                    case_no,
                    action,
                    needs,
                    ..
                } => {
                    format!("{case_no}：{action} 需要{}角色", roles(needs))
                }
                Inactive { user } => format!("{user} 已停用，不能办理"),
                FourEyes { case_no, user } => {
                    format!("{case_no}：双人复核规则：{user} 提出了审查意见，不能签发")
                }
                NotClaimed { case_no } => format!("{case_no}：尚无人认领，请先认领"),
                AlreadyHeld { case_no, user } => format!("{case_no}：{user} 已认领此案件"),
                HeldByOther { case_no, holder } => {
                    format!("{case_no}：已由 {holder} 认领；请联系其本人或科室负责人重新分配")
                }
                MissingReason { case_no, action } => format!("{case_no}：{action} 必须填写理由"),
                Invalid {
                    case_no,
                    field,
                    message,
                } => format!("{case_no}：{field}：{message}"),
                ChecklistFailed { case_no, failures } => {
                    format!("{case_no}：核验未通过：{}", failures.join("；"))
                }
                NotOverdue { case_no, due } => {
                    format!(
                        "{case_no}：核验期限（{due}）尚未届满，不能按逾期未核验办结或允许逾期核验"
                    )
                }
                WindowEnded { case_no, ended } => format!(
                    "{case_no}：核验期已于 {ended} 届满；科室负责人可按逾期未核验办结，或允许逾期核验"
                ),
                AlreadyExtended { case_no, days } => {
                    format!("{case_no}：决定期限已延长 {days} 个工作日，每案只能延长一次")
                }
                UpstreamConflict {
                    case_no,
                    action,
                    stage,
                } => format!(
                    "{case_no}：上游的 {action} 与本地{}阶段冲突，须由科室负责人处理",
                    Lang::Zh.stage(*stage)
                ),
                Duplicate { case_no } => format!("{case_no}：案件已存在"),
                ECertificateBarred {
                    case_no,
                    permit_no,
                    expired_on,
                    submitted_on,
                } => format!(
                    "{case_no}：工作许可证 {permit_no} 已于 {expired_on} 到期（早于 {submitted_on} 的申请）；换发电子证照仅适用于持有尚未到期实体工作许可证或工作许可证已审批通过但尚未取证的外国人（常见问题第10条）：请作不予受理"
                ),
            },
        })
    }
}

/// What last changed the case, in Chinese: who, when, and the action in its official term.
fn last_change_zh(change: &LastChange) -> String {
    match change {
        LastChange::Event { actor, action, at } => format!(
            "最近一次变更：{actor} 于 {} {}",
            LastChange::minute(at),
            Lang::Zh.action(*action)
        ),
        LastChange::NoHistory => "无变更记录".into(),
        LastChange::WhileWriting => "本操作写入时案件恰被更改".into(),
        LastChange::SyncMark => "另一次同步已推进本批次的进度标记".into(),
    }
}
