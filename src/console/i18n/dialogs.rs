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
}
