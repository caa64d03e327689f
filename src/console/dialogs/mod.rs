//! Dialogs as components: each one owns its state, how keys change it, the key hints it shows
//! and how it is drawn, behind `Component`. A key only changes the dialog and returns an
//! `Outcome` (the app turns a submitted dialog into store requests); drawing only reads it.

pub mod assign;
pub mod bulk;
pub mod confirm;
mod draw;
pub mod message;
pub mod reason;
mod text;

pub use draw::{centered, char_count, clear, frame_block, hint_line};
pub use text::{
    chars_of, editor, input_within_limit, is_submit, paste_refusal, reason_key, text_of,
};

use super::app::dialog::{BulkKind, BulkLine, ChecklistForm, Target, TextAction};
use super::i18n::Lang;
use super::keymap::Keymap;
use super::theme::Theme;
use crate::domain::Policy;
use chrono::NaiveDate;
use crossterm::event::KeyEvent;
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

#[derive(Debug)]
pub enum Dialog {
    /// Approve: shows the transition and takes an optional note.
    Confirm(confirm::Confirm),
    /// A multi-line reason or note; empty text is refused.
    Reason(reason::Reason),
    EntryDate {
        target: Target,
        /// `From -> To`, from the domain, when the case is loaded.
        transition: Option<String>,
        input: String,
        error: Option<String>,
    },
    /// How many working days to extend the decision deadline by.
    ExtendDays {
        target: Target,
        input: String,
        error: Option<String>,
    },
    Verify(Box<ChecklistForm>),
    Assign(assign::Assign),
    Bulk(bulk::Bulk),
    /// Words to read: bulk results, a refusal, a conflict.
    Message(message::Message),
    Help {
        scroll: u16,
    },
    Palette {
        input: String,
        selected: usize,
    },
    /// Ctrl-c while text is typed: quit anyway? The editor it came from waits underneath.
    QuitAsk {
        editor: Option<Box<Dialog>>,
    },
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

    /// The open dialog's component, for those that are one.
    fn component(&self) -> Option<&dyn Component> {
        match self {
            Dialog::Reason(d) => Some(d),
            Dialog::Confirm(d) => Some(d),
            Dialog::Message(d) => Some(d),
            Dialog::Assign(d) => Some(d),
            Dialog::Bulk(d) => Some(d),
            _ => None,
        }
    }

    fn component_mut(&mut self) -> Option<&mut dyn Component> {
        match self {
            Dialog::Reason(d) => Some(d),
            Dialog::Confirm(d) => Some(d),
            Dialog::Message(d) => Some(d),
            Dialog::Assign(d) => Some(d),
            Dialog::Bulk(d) => Some(d),
            _ => None,
        }
    }

    pub fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        match self.component_mut() {
            Some(component) => component.key(key, ctx),
            None => self.legacy_key(key, ctx.lang),
        }
    }

    /// Draws the dialog over `area`; `false` when it is not a component yet.
    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) -> bool {
        match self.component() {
            Some(component) => {
                component.draw(frame, area, theme, ctx);
                true
            }
            None => false,
        }
    }
}
