//! Words of the console's dialogs that take a value.

use super::Lang;

impl Lang {
    /// The palette's last line when its input is a case number.
    pub fn palette_find_case(self, case_no: &str) -> String {
        match self {
            Lang::En => format!("Enter: find case {case_no}"),
            Lang::Zh => format!("Enter：查找案件 {case_no}"),
        }
    }

    /// A bulk preview where some of the marked cases are predicted to be refused.
    pub fn bulk_predicted(self, marked: usize, go: usize, predicted: usize) -> String {
        match self {
            Lang::En => format!("{marked} marked: {go} will go ahead, {predicted} will be refused"),
            Lang::Zh => format!("已选 {marked} 件：{go} 件可执行，预计 {predicted} 件无法执行"),
        }
    }

    /// The extension dialog's prompt, with the most days the policy allows.
    pub fn extend_days_prompt(self, most: u32) -> String {
        match self {
            Lang::En => format!("Working days to add to the decision deadline (1-{most}):"),
            Lang::Zh => format!("决定期限延长的工作日数（1-{most}）："),
        }
    }

    /// A date dialog's input that is not a date.
    pub fn not_a_date(self, input: &str) -> String {
        match self {
            Lang::En => format!("\"{input}\" is not a date: use YYYY-MM-DD"),
            Lang::Zh => format!("“{input}”不是日期：请按 YYYY-MM-DD 填写"),
        }
    }

    /// An extension dialog's input that is not a number of days the policy allows.
    pub fn extend_days_range(self, input: &str, most: u32) -> String {
        match self {
            Lang::En => format!("\"{input}\": give 1 to {most} working days"),
            Lang::Zh => format!("“{input}”：请填写 1 至 {most} 个工作日"),
        }
    }

    /// A status line: an action the store recorded, with what it did.
    pub fn recorded(self, case_no: &str, action: &str, summary: &str) -> String {
        match self {
            Lang::En => format!("{case_no}: {action} recorded ({summary})"),
            Lang::Zh => format!("{case_no}：{action}已记录（{summary}）"),
        }
    }

    /// A status line: an action the store did not record, and why.
    pub fn not_recorded(self, case_no: &str, action: &str, why: &str) -> String {
        match self {
            Lang::En => format!("{case_no}: {action} NOT recorded: {why}"),
            Lang::Zh => format!("{case_no}：{action}未记录：{why}"),
        }
    }

    /// What an assignment did.
    pub fn assigned_to(self, assignee: &str) -> String {
        match self {
            Lang::En => format!("assigned to {assignee}"),
            Lang::Zh => format!("已分配给 {assignee}"),
        }
    }
}
