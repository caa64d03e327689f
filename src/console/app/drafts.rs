//! Drafts: a reason being typed, kept in memory at every key and in the store once a second,
//! so a conflict, a refusal, a dropped connection or a killed console loses nothing.

use super::dialog::{self, Dialog, TextAction};
use super::{App, Effect};
use crate::console::worker::{ActionKey, Job};

impl App {
    /// Keeps what is being typed, in memory and in the store, so a conflict, a refusal, a dropped
    /// connection or a killed process loses nothing (a killed one: at most the last second).
    pub(super) fn remember_draft(&mut self) -> Option<Effect> {
        self.note_draft();
        self.flush_draft()
    }

    /// Notes the open editor's text in memory, to be saved with the next flush when it changed.
    pub(super) fn note_draft(&mut self) {
        let Some(Dialog::Reason {
            target,
            kind,
            editor,
            ..
        }) = &self.dialog
        else {
            return;
        };
        let text = dialog::text_of(editor);
        let key = ActionKey::new(&target.case_no, kind.kind());
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

    pub fn draft_for(&self, case_no: &str, kind: TextAction) -> Option<&String> {
        self.drafts.get(&ActionKey::new(case_no, kind.kind()))
    }
}
