//! The on-site verification checklist's words: its fields, why a rule failed, and a refusal's
//! field names.

use super::Lang;
use crate::domain::checklist::ChecklistRule;
use crate::domain::{Presenter, VisaKind};
use chrono::NaiveDate;

/// The checklist form's fields, in its order: (English, Chinese).
const LABELS: [(&str, &str); 8] = [
    ("Presented by", "到场人"),
    (
        "Agent's signed power of attorney seen",
        "代办人已出示签署的委托书",
    ),
    ("Original materials presented", "已提交全部原件"),
    ("Copies bear the employer's seal", "复印件加盖单位公章"),
    ("Document", "证件"),
    (
        "Visa / residence permit valid until",
        "工作签证/居留许可有效期至",
    ),
    ("Exam report issued on", "体检报告出具日期"),
    (
        "Exam report by a domestic institution",
        "由境内检验检疫机构出具",
    ),
];

impl Lang {
    /// A checklist form field's name, by its place in the form.
    pub fn checklist_label(self, field: usize) -> &'static str {
        let (en, zh) = LABELS.get(field).copied().unwrap_or(("", ""));
        self.pick(en, zh)
    }

    /// Why a checklist item failed, as the clerk reads it beside the field.
    pub fn checklist_failure(self, rule: &crate::domain::checklist::ChecklistRule) -> String {
        use crate::domain::checklist::ChecklistRule::*;
        if self == Lang::En {
            return rule.message();
        }
        match rule {
            NoPowerOfAttorney => "代办人未出示为此签署的委托书（常见问题第3条）".into(),
            NoOriginals => "未提交原件".into(),
            CopiesNotSealed => "复印件未加盖单位公章".into(),
            NoVisaKind => "须为有效的工作签证（Z字）或工作类居留许可（常见问题第3条）".into(),
            NoVisa => "未出示工作签证或工作类居留许可".into(),
            VisaExpired { until, on } => format!("已于 {until} 到期，早于核验日 {on}"),
            NoExamReport => "未出示体检报告".into(),
            ExamAfterVerification { issued, on } => format!("{issued} 晚于核验日 {on}"),
            ExamTooOld { months, oldest, .. } => {
                format!("已超过 {months} 个月（须为 {oldest} 及以后出具）")
            }
            ExamNotDomestic => "体检报告须由境内检验检疫机构出具".into(),
        }
    }

    /// A checklist refusal's failures in a line: the English of the command line, or in
    /// Chinese each rule's words, a dated one after its field's name.
    pub fn checklist_failures(self, failures: &[ChecklistRule]) -> String {
        use ChecklistRule::*;
        if self == Lang::En {
            return failures
                .iter()
                .map(|rule| format!("{}: {}", rule.field(), rule.message()))
                .collect::<Vec<_>>()
                .join("; ");
        }
        failures
            .iter()
            .map(|rule| match rule {
                VisaExpired { .. } => {
                    self.labelled(self.checklist_label(5), &self.checklist_failure(rule))
                }
                ExamAfterVerification { .. } | ExamTooOld { .. } => {
                    self.labelled(self.checklist_label(6), &self.checklist_failure(rule))
                }
                _ => self.checklist_failure(rule),
            })
            .collect::<Vec<_>>()
            .join("；")
    }

    /// A field the domain names in an `Invalid` refusal, in words; one not known here as
    /// the domain spells it.
    pub fn field_name(self, field: &'static str) -> &'static str {
        let zh = match field {
            "reason" => "理由",
            "text" => "备注内容",
            "date" => "日期",
            "days" => "天数",
            "to" => "分配对象",
            "kind" => "业务类型",
            "case_no" => "案件编号",
            "documents" => "材料",
            "applicant.name" => "申请人姓名",
            "applicant.passport_no" => "护照号码",
            "applicant.nationality" => "国籍",
            "employer.name" => "用人单位名称",
            "employer.uscc" => "统一社会信用代码",
            "permit.permit_no" => "许可编号",
            _ => return field,
        };
        self.pick(field, zh)
    }

    /// The form's line under its fields when the domain's checklist fails.
    pub fn checklist_not_verified(self, count: usize) -> String {
        match self {
            Lang::En => format!("Not verified: {count} item(s) fail the checklist"),
            Lang::Zh => format!("未通过核验：{count} 项不符合要求"),
        }
    }

    /// A date field holding text that is not a date.
    pub fn checklist_not_a_date(self, label: &str, text: &str) -> String {
        match self {
            Lang::En => format!("{label}: \"{text}\" is not a date (YYYY-MM-DD)"),
            Lang::Zh => format!("{label}：“{text}”不是日期（YYYY-MM-DD）"),
        }
    }

    /// The verification dialog's title after the case: where the window stands.
    pub fn verify_window(
        self,
        entered: NaiveDate,
        day: i64,
        window: u32,
        due: NaiveDate,
    ) -> String {
        match self {
            Lang::En => format!("entered {entered}, day {day} of {window} (due {due})"),
            Lang::Zh => format!("{entered} 入境，第 {day} 天 / {window}（截止 {due}）"),
        }
    }

    /// Who presented the materials at the window.
    pub fn presenter(self, presenter: Presenter) -> &'static str {
        self.pick(presenter.label_en(), presenter.label_zh())
    }

    /// The document the applicant holds, or how to choose it.
    pub fn visa_kind(self, kind: Option<VisaKind>) -> &'static str {
        match kind {
            Some(kind) => self.pick(kind.label_en(), kind.label_zh()),
            None => self.pick(
                "(Space: work visa or work residence permit)",
                "（空格选择：工作签证或工作类居留许可）",
            ),
        }
    }

    /// Beside the exam date: a report too old to pass.
    pub fn exam_too_old(self, through: NaiveDate, months: u32) -> String {
        match self {
            Lang::En => format!("too old: valid through {through} ({months} months)"),
            Lang::Zh => format!("已过期：有效期至 {through}（{months} 个月）"),
        }
    }

    /// Beside the exam date: how long the report is good for.
    pub fn exam_valid_through(self, through: NaiveDate) -> String {
        format!("{} {through}", self.t(super::T::ValidThrough))
    }
}
