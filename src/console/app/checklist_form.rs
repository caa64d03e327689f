//! The clerk's on-site verification checklist, as a form: what was entered, the domain's
//! failures beside their fields, and how keys edit it.

use super::super::i18n::Lang;
use super::dialog::Target;
use crate::domain::{Checklist, Presenter, VisaKind};
use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistForm {
    pub target: Target,
    pub presenter: Presenter,
    pub power_of_attorney: bool,
    pub originals: bool,
    pub sealed_copies: bool,
    /// Chosen by the clerk: nothing is assumed.
    pub visa_kind: Option<VisaKind>,
    pub visa_until: String,
    pub exam_date: String,
    pub exam_domestic: bool,
    pub focus: usize,
    pub error: Option<String>,
    /// The domain's checklist failures, by field, shown beside it until that field changes.
    pub failures: Vec<(usize, String)>,
    /// Something was entered: Esc asks before throwing it away.
    pub touched: bool,
    pub asking_discard: bool,
    pub entered: Option<NaiveDate>,
    pub window_due: Option<NaiveDate>,
}

impl ChecklistForm {
    pub const FIELDS: usize = 8;

    /// The form's field for a field the domain names in a checklist failure.
    fn field_named(name: &str) -> Option<usize> {
        Some(match name {
            "presented_by" => 0,
            "power_of_attorney" => 1,
            "originals" => 2,
            "sealed_copies" => 3,
            "visa_kind" => 4,
            "visa_valid_until" => 5,
            "exam_issued_on" | "exam_date" => 6,
            "exam_domestic" | "exam_institution" => 7,
            _ => return None,
        })
    }

    /// Shows the domain's failures beside their fields, in the clerk's words, and moves to the
    /// first; what was entered stays.
    pub fn show_failures(
        &mut self,
        failures: &[crate::domain::checklist::ChecklistFailure],
        lang: Lang,
    ) {
        self.failures = failures
            .iter()
            .map(|f| {
                let field = Self::field_named(f.field).unwrap_or(0);
                (field, lang.checklist_failure(&f.rule))
            })
            .collect();
        if let Some((first, _)) = self.failures.first() {
            self.focus = *first;
        }
        self.error = Some(lang.checklist_not_verified(self.failures.len()));
    }

    pub fn checklist(&self, lang: Lang) -> Result<Checklist, String> {
        // An empty date is one not presented, which the domain's checklist names; only text
        // that is not a date is the form's to refuse.
        let date = |label: &str, text: &str| {
            if text.trim().is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map(Some)
                .map_err(|_| lang.checklist_not_a_date(label, &crate::text::sanitize_line(text)))
        };
        Ok(Checklist {
            presented_by: self.presenter,
            power_of_attorney: self.power_of_attorney,
            originals: self.originals,
            sealed_copies: self.sealed_copies,
            visa_kind: self.visa_kind,
            visa_valid_until: date(lang.checklist_label(5), &self.visa_until)?,
            exam_issued_on: date(lang.checklist_label(6), &self.exam_date)?,
            exam_domestic: self.exam_domestic,
            exam_institution: None,
        })
    }

    /// Space toggles or cycles the focused item; typing edits the focused date.
    pub fn key(&mut self, key: &KeyEvent) {
        self.error = None;
        let edits = matches!(key.code, KeyCode::Char(_) | KeyCode::Backspace);
        if edits {
            self.touched = true;
            // The field is being corrected: its failure goes until the next check.
            let focus = self.focus;
            self.failures.retain(|(field, _)| *field != focus);
        }
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % Self::FIELDS,
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + Self::FIELDS - 1) % Self::FIELDS
            }
            KeyCode::Char(' ') => match self.focus {
                0 => {
                    self.presenter = match self.presenter {
                        Presenter::Applicant => Presenter::Handler,
                        Presenter::Handler => Presenter::Agent,
                        Presenter::Agent => Presenter::Applicant,
                    }
                }
                1 => self.power_of_attorney = !self.power_of_attorney,
                2 => self.originals = !self.originals,
                3 => self.sealed_copies = !self.sealed_copies,
                4 => {
                    self.visa_kind = Some(match self.visa_kind {
                        Some(VisaKind::WorkVisa) => VisaKind::WorkResidencePermit,
                        _ => VisaKind::WorkVisa,
                    })
                }
                7 => self.exam_domestic = !self.exam_domestic,
                _ => {}
            },
            KeyCode::Backspace => {
                if let Some(field) = self.date_field() {
                    field.pop();
                }
            }
            KeyCode::Char(c) if c.is_ascii_digit() || c == '-' => {
                if let Some(field) = self.date_field() {
                    if field.len() < 10 {
                        field.push(c);
                    }
                }
            }
            _ => {}
        }
    }

    fn date_field(&mut self) -> Option<&mut String> {
        match self.focus {
            5 => Some(&mut self.visa_until),
            6 => Some(&mut self.exam_date),
            _ => None,
        }
    }
}
