//! Words of the case detail and the queue table that take a value.

use super::{Lang, T};
use crate::domain::TimerKind;
use crate::domain::case::Verdict;
use chrono::NaiveDate;

impl Lang {
    /// A deadline's name in the detail's list of deadlines.
    pub fn timer(self, timer: TimerKind) -> &'static str {
        match timer {
            TimerKind::PreAudit => self.pick("pre-audit", "预审"),
            TimerKind::Decision => self.pick("decision", "决定"),
            TimerKind::Verification => self.pick("verification", "现场核验"),
            TimerKind::ExamReport => self.pick("exam report", "体检报告"),
        }
    }

    /// A case's category: "Class A", "A类".
    pub fn class(self, category: &str) -> String {
        match self {
            Lang::En => format!("{} {category}", self.t(T::Class)),
            Lang::Zh => format!("{category}{}", self.t(T::Class)),
        }
    }

    /// The review's recommendation, in the detail.
    pub fn recommendation(self, verdict: Verdict) -> &'static str {
        match verdict {
            Verdict::Approve => self.pick("approve", "准予许可"),
            Verdict::Refuse => self.pick("refuse", "不予许可"),
        }
    }

    /// A permit held (changed, extended, cancelled): its number, validity and whether the
    /// permit was ever collected.
    pub fn permit_held(self, permit_no: &str, expires_on: NaiveDate, collected: bool) -> String {
        let valid = self.t(T::ValidThrough);
        match (self, collected) {
            (Lang::En, true) => format!("{permit_no} ({valid} {expires_on})"),
            (Lang::En, false) => format!("{permit_no} ({valid} {expires_on}, never collected)"),
            (Lang::Zh, true) => format!("{permit_no}（{valid} {expires_on}）"),
            (Lang::Zh, false) => format!("{permit_no}（{valid} {expires_on}，已审批未取证）"),
        }
    }

    /// An e-certificate exchange the permit's expiry bars (FAQ Q10).
    pub fn e_certificate_bar(self, expired: NaiveDate) -> String {
        match self {
            Lang::En => format!(
                "Not eligible: the permit expired on {expired}, before the submission \
                 (FAQ Q10); not-accept it"
            ),
            Lang::Zh => format!(
                "不符合换发电子证照条件：工作许可证已于 {expired} 到期（常见问题第10条）；请作不予受理"
            ),
        }
    }

    /// An empty table whose filter hides the queue's cases.
    pub fn filter_hides(self, filter: &str, in_queue: i64, queue: &str) -> String {
        match self {
            Lang::En => format!(
                "No cases here: the filter {filter} hides all {in_queue} in {queue} (f changes it)"
            ),
            Lang::Zh => {
                format!(
                    "此处无案件：筛选「{filter}」隐藏了{queue}的全部 {in_queue} 件（按 f 切换）"
                )
            }
        }
    }
}
