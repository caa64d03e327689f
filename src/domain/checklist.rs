//! The on-site verification checklist (现场核验) and its rules.

use super::model::{Presenter, VisaKind};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// What the clerk saw at the window. Fields added after the first release are optional in the
/// stored events, so verifications recorded before them still replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    pub presented_by: Presenter,
    /// The power of attorney an agent presents (FAQ Q3: 签署委托书的代办人).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub power_of_attorney: bool,
    pub originals: bool,
    pub sealed_copies: bool,
    /// `None` only in verifications recorded before the kind was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visa_kind: Option<VisaKind>,
    /// The work visa (Z) or work-type residence permit, valid through this day.
    pub visa_valid_until: Option<NaiveDate>,
    pub exam_issued_on: Option<NaiveDate>,
    pub exam_domestic: bool,
    #[serde(default)]
    pub exam_institution: Option<String>,
}

/// One rule of the checklist that did not pass, with the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistFailure {
    pub field: &'static str,
    pub rule: ChecklistRule,
}

/// Which rule of the checklist failed, with what it found: each front end words it in its own
/// language (`message` is the command line's English).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistRule {
    /// An agent presented the materials without a signed power of attorney (FAQ Q3).
    NoPowerOfAttorney,
    NoOriginals,
    CopiesNotSealed,
    /// Neither a work visa nor a work-type residence permit was named.
    NoVisaKind,
    /// No visa or residence permit validity was entered.
    NoVisa,
    VisaExpired {
        until: NaiveDate,
        on: NaiveDate,
    },
    NoExamReport,
    ExamAfterVerification {
        issued: NaiveDate,
        on: NaiveDate,
    },
    ExamTooOld {
        issued: NaiveDate,
        months: u32,
        oldest: NaiveDate,
    },
    ExamNotDomestic,
}

impl ChecklistRule {
    /// The checklist field the rule concerns.
    pub fn field(&self) -> &'static str {
        match self {
            ChecklistRule::NoPowerOfAttorney => "power_of_attorney",
            ChecklistRule::NoOriginals => "originals",
            ChecklistRule::CopiesNotSealed => "sealed_copies",
            ChecklistRule::NoVisaKind => "visa_kind",
            ChecklistRule::NoVisa | ChecklistRule::VisaExpired { .. } => "visa_valid_until",
            ChecklistRule::NoExamReport
            | ChecklistRule::ExamAfterVerification { .. }
            | ChecklistRule::ExamTooOld { .. } => "exam_date",
            ChecklistRule::ExamNotDomestic => "exam_domestic",
        }
    }

    /// What failed, in English.
    pub fn message(&self) -> String {
        match self {
            ChecklistRule::NoPowerOfAttorney => {
                "an agent may present the materials only with a power of attorney signed for it \
                 (FAQ Q3); none was seen"
                    .into()
            }
            ChecklistRule::NoOriginals => "original materials were not presented".into(),
            ChecklistRule::CopiesNotSealed => "copies do not bear the employer's seal".into(),
            ChecklistRule::NoVisaKind => VisaKind::needed(),
            ChecklistRule::NoVisa => {
                "no work visa or work-type residence permit was presented".into()
            }
            ChecklistRule::VisaExpired { until, on } => {
                format!("the visa or residence permit expired on {until}, before {on}")
            }
            ChecklistRule::NoExamReport => "no physical exam report was presented".into(),
            ChecklistRule::ExamAfterVerification { issued, on } => {
                format!("the exam report date {issued} is after the verification date {on}")
            }
            ChecklistRule::ExamTooOld {
                issued,
                months,
                oldest,
            } => format!(
                "the exam report of {issued} is older than {months} months (reports from {oldest} on are accepted)"
            ),
            ChecklistRule::ExamNotDomestic => {
                "the exam report must be issued by a domestic inspection and quarantine institution"
                    .into()
            }
        }
    }
}

impl ChecklistFailure {
    /// What failed, in English.
    pub fn message(&self) -> String {
        self.rule.message()
    }
}

impl Checklist {
    /// The oldest exam report accepted on `on`: six calendar months earlier, clamped to month
    /// end (a verification on 08-31 accepts reports from 02-28, or 02-29 in a leap year).
    pub fn oldest_exam_accepted(on: NaiveDate, valid_months: u32) -> NaiveDate {
        on.checked_sub_months(Months::new(valid_months))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The last day an exam report issued on `issued` is accepted: the inverse of
    /// `oldest_exam_accepted`, month-end clamping included (02-28 is good through 08-31).
    pub fn exam_valid_through(issued: NaiveDate, valid_months: u32) -> NaiveDate {
        let mut last = issued
            .checked_add_months(Months::new(valid_months))
            .unwrap_or(NaiveDate::MAX);
        while let Some(next) = last.succ_opt() {
            if Self::oldest_exam_accepted(next, valid_months) > issued {
                break;
            }
            last = next;
        }
        last
    }

    pub fn failures(&self, on: NaiveDate, exam_valid_months: u32) -> Vec<ChecklistFailure> {
        let mut rules = Vec::new();
        if self.presented_by == Presenter::Agent && !self.power_of_attorney {
            rules.push(ChecklistRule::NoPowerOfAttorney);
        }
        if !self.originals {
            rules.push(ChecklistRule::NoOriginals);
        }
        if !self.sealed_copies {
            rules.push(ChecklistRule::CopiesNotSealed);
        }
        if self.visa_kind.is_none() {
            rules.push(ChecklistRule::NoVisaKind);
        }
        match self.visa_valid_until {
            None => rules.push(ChecklistRule::NoVisa),
            Some(until) if until < on => rules.push(ChecklistRule::VisaExpired { until, on }),
            Some(_) => {}
        }
        match self.exam_issued_on {
            None => rules.push(ChecklistRule::NoExamReport),
            Some(issued) if issued > on => {
                rules.push(ChecklistRule::ExamAfterVerification { issued, on })
            }
            Some(issued) => {
                let oldest = Self::oldest_exam_accepted(on, exam_valid_months);
                if issued < oldest {
                    rules.push(ChecklistRule::ExamTooOld {
                        issued,
                        months: exam_valid_months,
                        oldest,
                    });
                }
            }
        }
        if !self.exam_domestic {
            rules.push(ChecklistRule::ExamNotDomestic);
        }
        rules
            .into_iter()
            .map(|rule| ChecklistFailure {
                field: rule.field(),
                rule,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    fn passing(on: &str) -> Checklist {
        Checklist {
            presented_by: Presenter::Applicant,
            power_of_attorney: false,
            originals: true,
            sealed_copies: true,
            visa_kind: Some(VisaKind::WorkResidencePermit),
            visa_valid_until: Some(date(on)),
            exam_issued_on: Some(date(on)),
            exam_domestic: true,
            exam_institution: None,
        }
    }

    #[test]
    fn a_complete_checklist_passes() {
        assert!(
            passing("2026-11-26")
                .failures(date("2026-11-26"), 6)
                .is_empty()
        );
    }

    #[test]
    fn exam_window_clamps_to_month_end() {
        assert_eq!(
            Checklist::oldest_exam_accepted(date("2026-08-31"), 6),
            date("2026-02-28")
        );
        assert_eq!(
            Checklist::oldest_exam_accepted(date("2028-08-31"), 6),
            date("2028-02-29")
        );
        let mut list = passing("2026-08-31");
        list.exam_issued_on = Some(date("2026-02-28"));
        assert!(list.failures(date("2026-08-31"), 6).is_empty());
        list.exam_issued_on = Some(date("2026-02-27"));
        let failures = list.failures(date("2026-08-31"), 6);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].field, "exam_date");
    }

    #[test]
    fn every_missing_item_is_reported() {
        let list = Checklist {
            presented_by: Presenter::Agent,
            power_of_attorney: false,
            originals: false,
            sealed_copies: false,
            visa_kind: None,
            visa_valid_until: Some(date("2026-11-25")),
            exam_issued_on: None,
            exam_domestic: false,
            exam_institution: None,
        };
        let fields: Vec<_> = list
            .failures(date("2026-11-26"), 6)
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(
            fields,
            [
                "power_of_attorney",
                "originals",
                "sealed_copies",
                "visa_kind",
                "visa_valid_until",
                "exam_date",
                "exam_domestic"
            ]
        );
    }

    #[test]
    fn an_agent_needs_a_power_of_attorney() {
        let mut list = passing("2026-11-26");
        list.presented_by = Presenter::Agent;
        let failures = list.failures(date("2026-11-26"), 6);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].field, "power_of_attorney");
        list.power_of_attorney = true;
        assert!(list.failures(date("2026-11-26"), 6).is_empty());
    }

    #[test]
    fn a_visa_valid_on_the_day_passes() {
        let mut list = passing("2026-11-26");
        list.visa_valid_until = Some(date("2026-11-26"));
        assert!(list.failures(date("2026-11-26"), 6).is_empty());
    }
}
