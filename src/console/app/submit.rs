//! Turning a confirmed dialog into store requests.

use super::commands::palette_matches;
use super::dialog::{self, BulkKind, Dialog, TextAction, confirm};
use super::dialog::{entry_date, extend_days, palette};
use super::{App, Effect};
use crate::console::worker::{ActionKey, Job};
use crate::domain::{Action, ActionKind};

impl App {
    pub(super) fn submit(&mut self, dialog: Dialog) -> Vec<Effect> {
        match dialog {
            Dialog::Confirm(confirm::Confirm { target, note, .. }) => {
                let text = dialog::text_of(&note);
                if !text.trim().is_empty() {
                    self.pending_texts.insert(
                        ActionKey::new(&target.case_no, ActionKind::Approve),
                        text.clone(),
                    );
                }
                let note = (!text.trim().is_empty()).then_some(text);
                vec![self.act(&target, Action::Approve { note })]
            }
            Dialog::Reason(dialog::reason::Reason {
                target,
                kind,
                editor,
                ..
            }) => {
                let text = dialog::text_of(&editor);
                self.pending_texts
                    .insert(ActionKey::new(&target.case_no, kind.kind()), text.clone());
                vec![self.act(&target, kind.action(text))]
            }
            Dialog::EntryDate(entry_date::EntryDate {
                target,
                input,
                transition,
                ..
            }) => match chrono::NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d") {
                Ok(date)
                    if self
                        .refused_input(&target, &Action::RecordEntry { date })
                        .is_none() =>
                {
                    vec![self.act(&target, Action::RecordEntry { date })]
                }
                parsed => {
                    // Said in the dialog, the typed date kept for correcting.
                    let error = match (parsed, self.lang) {
                        (Ok(date), _) => self
                            .refused_input(&target, &Action::RecordEntry { date })
                            .unwrap_or_default(),
                        (Err(_), lang) => lang.not_a_date(&input),
                    };
                    self.dialog = Some(Dialog::EntryDate(entry_date::EntryDate {
                        target,
                        transition,
                        error: Some(error),
                        input,
                    }));
                    Vec::new()
                }
            },
            Dialog::ExtendDays(extend_days::ExtendDays { target, input, .. }) => {
                match input.trim().parse::<u32>() {
                    Ok(days) if self.setup.policy.allows_extension(days) => {
                        self.open_reason(target, TextAction::Extend(days));
                        Vec::new()
                    }
                    _ => {
                        let most = self.setup.policy.max_extension_days;
                        let error = self.lang.extend_days_range(&input, most);
                        self.dialog = Some(Dialog::ExtendDays(extend_days::ExtendDays {
                            target,
                            error: Some(error),
                            input,
                        }));
                        Vec::new()
                    }
                }
            }
            Dialog::Verify(form) => {
                let mut form = form;
                match form.checklist(self.lang) {
                    Ok(checklist) => {
                        // The domain's checklist rules, asked here: a failure is shown beside its
                        // field and nothing the clerk entered is lost.
                        let failures = checklist
                            .failures(self.setup.today, self.setup.policy.exam_report_valid_months);
                        if failures.is_empty() {
                            return vec![
                                self.act(&form.target.clone(), Action::Verify { checklist }),
                            ];
                        }
                        form.show_failures(&failures, self.lang);
                    }
                    Err(error) => form.error = Some(error),
                }
                self.dialog = Some(Dialog::Verify(form));
                Vec::new()
            }
            Dialog::Assign(dialog::assign::Assign {
                targets,
                candidates,
                selected,
            }) => {
                let Some(to) = candidates.get(selected).cloned() else {
                    return Vec::new();
                };
                let requests = targets
                    .iter()
                    .map(|t| {
                        self.request(
                            t,
                            Action::Assign {
                                assignee: to.clone(),
                            },
                        )
                    })
                    .collect::<Vec<_>>();
                if requests.len() == 1 {
                    let request = requests
                        .into_iter()
                        .next()
                        .map(|request| Job::Act { request });
                    request.map(|job| self.job(job)).into_iter().collect()
                } else {
                    vec![self.job(Job::Bulk { requests })]
                }
            }
            Dialog::Bulk(dialog::bulk::Bulk {
                kind,
                targets,
                reason,
                ..
            }) => {
                let reason = reason.map(|r| dialog::text_of(&r)).unwrap_or_default();
                let user = self.setup.user.clone();
                let requests = targets
                    .iter()
                    .map(|t| {
                        // As the case was last seen, loaded or not.
                        let mine = t.assignee.as_deref() == Some(user.as_str());
                        let action = match kind {
                            BulkKind::Approve => Action::Approve { note: None },
                            BulkKind::Return => Action::Return {
                                reason: reason.clone(),
                            },
                            BulkKind::Claim if mine => Action::Release,
                            BulkKind::Claim | BulkKind::Assign => Action::Claim,
                        };
                        self.request(t, action)
                    })
                    .collect();
                vec![self.job(Job::Bulk { requests })]
            }
            Dialog::Palette(palette::Palette { input, selected }) => {
                let matches = palette_matches(&input);
                match matches.get(selected.min(matches.len().saturating_sub(1))) {
                    Some(command) => self.command(*command),
                    // A case number (or its last digits) typed in the palette finds the case, as
                    // `/` does, through every queue.
                    None if input.chars().any(|c| c.is_ascii_digit()) => {
                        self.search.text = crate::text::sanitize_line(input.trim()).into_owned();
                        self.search.typing = false;
                        self.list.from_top();
                        vec![self.request_page(super::Fetch::Replace)]
                    }
                    None => Vec::new(),
                }
            }
            Dialog::QuitAsk(_) => self.close(),
            Dialog::Message(_) | Dialog::Help(_) => Vec::new(),
        }
    }
}
