//! Dialogs as components: each one owns its state, how keys change it, the key hints it shows
//! and how it is drawn, behind `Component`. A key only changes the dialog and returns an
//! `Outcome` (the app turns a submitted dialog into store requests); drawing only reads it.

pub mod assign;
pub mod bulk;
pub mod confirm;
mod draw;
pub mod entry_date;
pub mod extend_days;
pub mod help;
pub mod message;
pub mod palette;
pub mod quit_ask;
pub mod reason;
mod text;
mod verify;

pub use draw::{centered, char_count, clear, frame_block, hint_line};
pub use text::{chars_of, editor, input_within_limit, paste_refusal, reason_key, text_of};

use super::app::dialog::{BulkKind, BulkLine, ChecklistForm, Target, TextAction};
use super::i18n::{Lang, T};
use super::keymap::{Command, Keymap};
use super::theme::Theme;
use crate::domain::Policy;
use chrono::NaiveDate;
use crossterm::event::KeyEvent;
pub use help::help_footer;
use ratatui::Frame;
use ratatui::layout::Rect;

/// What a component is told of the console around it: the language, the live keymap, the
/// office's policy, today and the terminal's size.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub lang: Lang,
    pub keymap: &'a Keymap,
    pub policy: &'a Policy,
    pub today: NaiveDate,
    pub size: (u16, u16),
}

impl<'a> Ctx<'a> {
    /// The context of a console started with `setup`, now in `lang` on a `size` terminal.
    pub fn of(setup: &'a crate::console::Setup, lang: Lang, size: (u16, u16)) -> Ctx<'a> {
        Ctx {
            lang,
            keymap: &setup.keymap,
            policy: &setup.policy,
            today: setup.today,
            size,
        }
    }

    /// Whether `key` is one of `command`'s keys in the live keymap.
    pub fn is(&self, key: &KeyEvent, command: Command) -> bool {
        self.keymap.binds(key, command)
    }

    /// The hint for `command`: its first key in the live keymap, and `label`.
    pub fn hint(&self, command: Command, label: impl Into<String>) -> Hint {
        Hint::new(self.keymap.first_key(command), label)
    }

    /// The hints of a dialog that is confirmed or cancelled, and nothing else.
    pub fn confirm_or_cancel(&self) -> Vec<Hint> {
        vec![
            self.hint(Command::Confirm, self.lang.t(T::Confirm)),
            self.hint(Command::Cancel, self.lang.t(T::Cancel)),
        ]
    }

    /// The hint for two commands under one label (`j/k scroll`).
    pub fn hint2(&self, a: Command, b: Command, label: impl Into<String>) -> Hint {
        let keys = format!("{}/{}", self.keymap.first_key(a), self.keymap.first_key(b));
        Hint::new(keys, label)
    }
}

/// A key hint: the key as the user presses it and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub key: String,
    pub label: String,
}

impl Hint {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Hint {
        Hint {
            key: key.into(),
            label: label.into(),
        }
    }
}

/// What a key did to the open dialog.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    Stay,
    Close,
    Submit,
}

/// A dialog or screen: its state, its keys, its hints and its drawing.
pub trait Component {
    /// Changes the state for `key`; never does I/O.
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome;
    /// The keys that work now, as the footer of the dialog shows them.
    fn hints(&self, ctx: &Ctx<'_>) -> Vec<Hint>;
    /// Draws the component over `area` (the whole screen, for a dialog box centred in it).
    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>);
}

/// The open dialog: one component each.
#[derive(Debug)]
pub enum Dialog {
    /// Approve: shows the transition and takes an optional note.
    Confirm(confirm::Confirm),
    /// A multi-line reason or note; empty text is refused.
    Reason(reason::Reason),
    EntryDate(entry_date::EntryDate),
    /// How many working days to extend the decision deadline by.
    ExtendDays(extend_days::ExtendDays),
    Verify(Box<ChecklistForm>),
    Assign(assign::Assign),
    Bulk(bulk::Bulk),
    /// Words to read: bulk results, a refusal, a conflict.
    Message(message::Message),
    Help(help::Help),
    Palette(palette::Palette),
    /// Ctrl-c while text is typed: quit anyway? The editor it came from waits underneath.
    QuitAsk(quit_ask::QuitAsk),
}

impl Dialog {
    /// True when closing would throw away typed text.
    pub fn has_typed_text(&self) -> bool {
        match self {
            Dialog::Reason(d) => !text_of(&d.editor).trim().is_empty(),
            Dialog::Bulk(bulk::Bulk {
                reason: Some(editor),
                ..
            }) => !text_of(editor).trim().is_empty(),
            _ => false,
        }
    }

    /// The open dialog's component.
    pub fn component(&self) -> &dyn Component {
        match self {
            Dialog::Confirm(d) => d,
            Dialog::Reason(d) => d,
            Dialog::EntryDate(d) => d,
            Dialog::ExtendDays(d) => d,
            Dialog::Verify(d) => d.as_ref(),
            Dialog::Assign(d) => d,
            Dialog::Bulk(d) => d,
            Dialog::Message(d) => d,
            Dialog::Help(d) => d,
            Dialog::Palette(d) => d,
            Dialog::QuitAsk(d) => d,
        }
    }

    pub fn component_mut(&mut self) -> &mut dyn Component {
        match self {
            Dialog::Confirm(d) => d,
            Dialog::Reason(d) => d,
            Dialog::EntryDate(d) => d,
            Dialog::ExtendDays(d) => d,
            Dialog::Verify(d) => d.as_mut(),
            Dialog::Assign(d) => d,
            Dialog::Bulk(d) => d,
            Dialog::Message(d) => d,
            Dialog::Help(d) => d,
            Dialog::Palette(d) => d,
            Dialog::QuitAsk(d) => d,
        }
    }

    pub fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        self.component_mut().key(key, ctx)
    }

    /// Draws the dialog over `area`.
    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        self.component().draw(frame, area, theme, ctx)
    }
}

#[cfg(test)]
mod tests;
