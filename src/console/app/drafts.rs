//! Drafts: a reason (or an approval's note) being typed, kept in memory at every key and in the
//! store once a second, so a conflict, a refusal, a dropped connection or a killed console loses
//! nothing.

use super::dialog::{self, Dialog, TextAction, confirm};
use super::{App, Effect};
use crate::console::worker::{ActionKey, Job};
use crate::domain::ActionKind;

/// The action the open dialog's text is typed for, with the text: a reason editor's, or the
/// note of an approval's confirmation.
fn typed(dialog: Option<&Dialog>) -> Option<(ActionKey, String)> {
    match dialog? {
        Dialog::Reason(dialog::reason::Reason {
            target,
            kind,
            editor,
            ..
        }) => Some((
            ActionKey::new(&target.case_no, kind.kind()),
            dialog::text_of(editor),
        )),
        Dialog::Confirm(confirm::Confirm { target, note, .. }) => Some((
            ActionKey::new(&target.case_no, ActionKind::Approve),
            dialog::text_of(note),
        )),
        _ => None,
    }
}

impl App {
    /// Keeps what is being typed, in memory and in the store, so a conflict, a refusal, a dropped
    /// connection or a killed process loses nothing (a killed one: at most the last second).
    pub(super) fn remember_draft(&mut self) -> Option<Effect> {
        self.note_draft();
        self.flush_draft()
    }

    /// Notes the open editor's text in memory, to be saved with the next flush when it changed.
    pub(super) fn note_draft(&mut self) {
        let Some((key, text)) = typed(self.dialog.as_ref()) else {
            return;
        };
        let known = self.drafts.get(&key).map(String::as_str).unwrap_or("");
        if known == text || (text.trim().is_empty() && known.is_empty()) {
            return;
        }
        if text.trim().is_empty() {
            self.drafts.remove(&key);
        } else {
            self.drafts.insert(key.clone(), text);
        }
        self.unsaved_draft = Some(key);
    }

    /// Sends the draft typed since the last save to the store (an empty one deletes it).
    pub(super) fn flush_draft(&mut self) -> Option<Effect> {
        let key = self.unsaved_draft.take()?;
        let text = self.drafts.get(&key).cloned().unwrap_or_default();
        let user = self.setup.user.clone();
        Some(self.job(Job::SaveDraft {
            user,
            case_no: key.case_no,
            action: key.action,
            text,
        }))
    }

    /// Closing an editor is a confirmed discard (or there was nothing typed): its stored draft
    /// goes too.
    pub(super) fn discard_draft(&mut self) -> Option<Effect> {
        let (key, _) = typed(self.dialog.as_ref())?;
        self.drafts.remove(&key);
        if self.unsaved_draft.as_ref() == Some(&key) {
            self.unsaved_draft = None;
        }
        let user = self.setup.user.clone();
        Some(self.job(Job::SaveDraft {
            user,
            case_no: key.case_no,
            action: key.action,
            text: String::new(),
        }))
    }

    /// The text kept for a reason on the case.
    pub fn draft_for(&self, case_no: &str, kind: TextAction) -> Option<&String> {
        self.draft_of(case_no, kind.kind())
    }

    /// The text kept for `action` on the case (a reason, an approval's note).
    pub fn draft_of(&self, case_no: &str, action: ActionKind) -> Option<&String> {
        self.drafts.get(&ActionKey::new(case_no, action))
    }
}
