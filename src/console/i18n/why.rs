//! Why an action did not commit, said in either language: the store's English, or the
//! domain's refusal in Chinese words.

use super::Lang;
use crate::domain::{ActionKind, Role, Stage};
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
            // The acting user, disabled: said as the domain's refusal of an inactive user.
            StoreError::DisabledUser(user) => {
                Why::Refused(crate::domain::Refusal::Inactive { user: user.clone() })
            }
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
                } => format!(
                    "{case_no}：{}阶段不能{}",
                    Lang::Zh.stage(*stage),
                    Lang::Zh.action(*action)
                ),
                WrongRole {
                    case_no,
                    action,
                    needs,
                    ..
                } => format!(
                    "{case_no}：{}需要{}角色",
                    Lang::Zh.action(*action),
                    roles(needs)
                ),
                Inactive { user } => format!("您的账户 {user} 已停用，不能办理；请联系管理员恢复"),
                FourEyes { case_no, user } => {
                    format!("{case_no}：双人复核规则：{user} 提出了审查意见，不能签发")
                }
                NotClaimed { case_no } => format!("{case_no}：尚无人认领，请先认领"),
                AlreadyHeld { case_no, user } => format!("{case_no}：{user} 已认领此案件"),
                HeldByOther { case_no, holder } => {
                    format!("{case_no}：已由 {holder} 认领；请联系其本人或科室负责人重新分配")
                }
                MissingReason { case_no, action } => match action {
                    ActionKind::Note => format!("{case_no}：备注必须填写内容"),
                    _ => format!("{case_no}：{}必须填写理由", Lang::Zh.action(*action)),
                },
                MissingSigningReason { case_no } => {
                    format!("{case_no}：签发决定与审查意见不一致，必须填写理由")
                }
                MissingResolutionReason { case_no } => {
                    format!("{case_no}：处理上游冲突必须填写理由")
                }
                Invalid {
                    case_no,
                    field,
                    message,
                } => format!("{case_no}：{}：{message}", Lang::Zh.field_name(field)),
                ChecklistFailed { case_no, failures } => {
                    format!(
                        "{case_no}：核验未通过：{}",
                        Lang::Zh.checklist_failures(failures)
                    )
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
                    "{case_no}：上游的{}与本地{}阶段冲突，须由科室负责人处理",
                    Lang::Zh.action(*action),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Refusal;

    /// One refusal of every kind, each naming `action` where a refusal names one.
    fn every_refusal(action: ActionKind) -> Vec<Refusal> {
        let case_no = || "GZ2026-000001".to_string();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        let all = vec![
            Refusal::WrongStage {
                case_no: case_no(),
                action,
                stage: Stage::Review,
                hint: None,
            },
            Refusal::WrongRole {
                case_no: case_no(),
                action,
                stage: Stage::Review,
                user: "zhao.min".into(),
                needs: vec![Role::Supervisor],
                has: vec![Role::Clerk],
            },
            Refusal::Inactive {
                user: "zhao.min".into(),
            },
            Refusal::FourEyes {
                case_no: case_no(),
                user: "zhao.min".into(),
            },
            Refusal::NotClaimed { case_no: case_no() },
            Refusal::AlreadyHeld {
                case_no: case_no(),
                user: "zhao.min".into(),
            },
            Refusal::HeldByOther {
                case_no: case_no(),
                holder: "zhao.min".into(),
            },
            Refusal::MissingReason {
                case_no: case_no(),
                action,
            },
            Refusal::MissingSigningReason { case_no: case_no() },
            Refusal::MissingResolutionReason { case_no: case_no() },
            Refusal::Invalid {
                case_no: case_no(),
                field: "date",
                message: "2026-12-01 is after today".into(),
            },
            Refusal::ChecklistFailed {
                case_no: case_no(),
                failures: vec![crate::domain::checklist::ChecklistRule::NoOriginals],
            },
            Refusal::NotOverdue {
                case_no: case_no(),
                due: "2026-12-01".into(),
            },
            Refusal::WindowEnded {
                case_no: case_no(),
                ended: day,
            },
            Refusal::AlreadyExtended {
                case_no: case_no(),
                days: 5,
            },
            Refusal::UpstreamConflict {
                case_no: case_no(),
                action,
                stage: Stage::Decision,
            },
            Refusal::Duplicate { case_no: case_no() },
            Refusal::ECertificateBarred {
                case_no: case_no(),
                permit_no: "440100202550000139".into(),
                expired_on: day,
                submitted_on: day,
            },
        ];
        // A new kind of refusal does not compile here until it is in the list above.
        for refusal in &all {
            match refusal {
                Refusal::WrongStage { .. }
                | Refusal::WrongRole { .. }
                | Refusal::Inactive { .. }
                | Refusal::FourEyes { .. }
                | Refusal::NotClaimed { .. }
                | Refusal::AlreadyHeld { .. }
                | Refusal::HeldByOther { .. }
                | Refusal::MissingReason { .. }
                | Refusal::MissingSigningReason { .. }
                | Refusal::MissingResolutionReason { .. }
                | Refusal::Invalid { .. }
                | Refusal::ChecklistFailed { .. }
                | Refusal::NotOverdue { .. }
                | Refusal::WindowEnded { .. }
                | Refusal::AlreadyExtended { .. }
                | Refusal::UpstreamConflict { .. }
                | Refusal::Duplicate { .. }
                | Refusal::ECertificateBarred { .. } => {}
            }
        }
        all
    }

    /// The ASCII words of `text` (letters, `_` and `-`): what an English name would show as.
    fn ascii_words(text: &str) -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphabetic() || c == '_' || c == '-'))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    }

    #[test]
    fn no_refusal_in_chinese_names_an_action_in_english() {
        let english: std::collections::BTreeSet<String> = ActionKind::ALL
            .iter()
            .flat_map(|kind| {
                let mut words = ascii_words(kind.label_en());
                words.push(kind.as_str().to_string());
                words
            })
            .collect();
        for action in ActionKind::ALL {
            for refusal in every_refusal(*action) {
                let zh = Why::Refused(refusal.clone()).say(Lang::Zh, &refusal.to_string());
                let found: Vec<String> = ascii_words(&zh)
                    .into_iter()
                    .filter(|w| english.contains(w))
                    .collect();
                assert!(found.is_empty(), "{found:?} in {zh:?} ({refusal:?})");
                if matches!(
                    refusal,
                    Refusal::WrongStage { .. }
                        | Refusal::WrongRole { .. }
                        | Refusal::MissingReason { .. }
                        | Refusal::UpstreamConflict { .. }
                ) && *action != ActionKind::Note
                {
                    assert!(zh.contains(action.label_zh()), "{zh}");
                }
            }
        }
    }

    #[test]
    fn the_command_line_names_actions_in_words() {
        for action in ActionKind::ALL {
            for refusal in every_refusal(*action) {
                let en = refusal.to_string();
                if action.as_str().contains('_') {
                    assert!(!en.contains(action.as_str()), "{en}");
                }
            }
        }
        let send_back = Refusal::WrongStage {
            case_no: "GZ2026-000001".into(),
            action: ActionKind::SendBack,
            stage: Stage::Review,
            hint: None,
        };
        assert_eq!(
            send_back.to_string(),
            "GZ2026-000001: send back is not possible in stage review"
        );
    }

    #[test]
    fn a_checklist_refusal_and_a_field_are_said_in_chinese() {
        use crate::domain::checklist::ChecklistRule;
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default();
        let refusal = Refusal::ChecklistFailed {
            case_no: "GZ2026-000001".into(),
            failures: vec![
                ChecklistRule::NoOriginals,
                ChecklistRule::VisaExpired {
                    until: day(1),
                    on: day(26),
                },
            ],
        };
        let zh = Why::Refused(refusal.clone()).say(Lang::Zh, &refusal.to_string());
        assert_eq!(
            zh,
            "GZ2026-000001：核验未通过：未提交原件；工作签证/居留许可有效期至：\
             已于 2026-11-01 到期，早于核验日 2026-11-26"
        );
        assert_eq!(
            refusal.to_string(),
            "GZ2026-000001: the checklist does not pass: originals: original materials were not \
             presented; visa_valid_until: the visa or residence permit expired on 2026-11-01, \
             before 2026-11-26"
        );
        let invalid = Refusal::Invalid {
            case_no: "GZ2026-000001".into(),
            field: "date",
            message: "2026-12-01 is in the future".into(),
        };
        let zh = Why::Refused(invalid.clone()).say(Lang::Zh, &invalid.to_string());
        assert!(zh.starts_with("GZ2026-000001：日期："), "{zh}");
    }
}
