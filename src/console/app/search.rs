//! Typing a search: every key edits the text and asks for the first page again.

use super::{App, Effect, Fetch, is_ctrl_c};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl App {
    pub(super) fn search_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if is_ctrl_c(&key) {
            // Nothing typed here is at stake: quit, as everywhere else.
            return self.close();
        }
        match key.code {
            KeyCode::Enter => {
                self.search.typing = false;
                return Vec::new();
            }
            KeyCode::Esc => {
                self.search.typing = false;
                self.search.text.clear();
            }
            KeyCode::Backspace => {
                self.search.text.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.search.text.push(c)
            }
            _ => return Vec::new(),
        }
        self.list.from_top();
        vec![self.request_page(Fetch::Replace)]
    }
}
