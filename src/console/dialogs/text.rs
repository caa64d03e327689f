//! Text typed in a dialog: the editor widget, what it holds, and the domain's limit on it.

use super::{Ctx, Outcome};
use crate::console::i18n::{Lang, T};
use crate::console::keymap::Command;
use crate::domain::transition::MAX_TEXT_CHARS;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

pub fn editor(initial: &str) -> TextArea<'static> {
    let lines: Vec<String> = if initial.is_empty() {
        vec![String::new()]
    } else {
        initial.lines().map(str::to_string).collect()
    };
    let mut area = TextArea::new(lines);
    // Soft wrap: a long line never shifts the lines already typed out of sight.
    area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    area.move_cursor(ratatui_textarea::CursorMove::Bottom);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area
}

pub fn text_of(area: &TextArea<'_>) -> String {
    area.lines().join("\n")
}

/// The characters the editor holds, counted as the domain counts a reason (lines joined by a
/// newline each).
pub fn chars_of(area: &TextArea<'_>) -> usize {
    let lines = area.lines();
    lines.iter().map(|l| l.chars().count()).sum::<usize>() + lines.len().saturating_sub(1)
}

/// Why `pasted` cannot go into `area` whole, when it would pass the domain's limit: a paste
/// goes in whole or not at all, never cut.
pub fn paste_refusal(area: &TextArea<'_>, pasted: &str, lang: Lang) -> Option<String> {
    let room = MAX_TEXT_CHARS.saturating_sub(chars_of(area));
    let count = pasted.chars().count();
    (count > room).then(|| lang.paste_too_long(count, room, MAX_TEXT_CHARS))
}

/// Gives `key` to a text field, unless it would add a character to a field that already holds
/// the most the domain accepts: that is said instead, and nothing typed is cut.
pub fn input_within_limit(
    area: &mut TextArea<'static>,
    key: &KeyEvent,
    error: &mut Option<String>,
    lang: Lang,
) {
    if !typeable(key) {
        return;
    }
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    let adds = plain && matches!(key.code, KeyCode::Char(_) | KeyCode::Enter | KeyCode::Tab);
    if adds && chars_of(area) >= MAX_TEXT_CHARS {
        *error = Some(lang.text_full(MAX_TEXT_CHARS));
        return;
    }
    area.input(*key);
}

/// False for a control or invisible character arriving as a key: the domain refuses text
/// holding one (`invisible::text_refuses`), so an editor never takes it in.
fn typeable(key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Char(c) => !crate::domain::invisible::text_refuses(c),
        _ => true,
    }
}

/// A key in a required-reason editor (single case or bulk): submit refuses empty text, and Esc
/// over typed text asks before discarding it.
pub fn reason_key(
    editor: &mut TextArea<'static>,
    asking_discard: &mut bool,
    error: &mut Option<String>,
    key: &KeyEvent,
    ctx: &Ctx<'_>,
) -> Outcome {
    let lang = ctx.lang;
    if *asking_discard {
        return match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Outcome::Close,
            _ => {
                *asking_discard = false;
                Outcome::Stay
            }
        };
    }
    if ctx.is(key, Command::Submit) {
        if text_of(editor).trim().is_empty() {
            *error = Some(lang.t(T::EmptyReason).into());
            return Outcome::Stay;
        }
        return Outcome::Submit;
    }
    if ctx.is(key, Command::Cancel) {
        if text_of(editor).trim().is_empty() {
            return Outcome::Close;
        }
        *asking_discard = true;
        return Outcome::Stay;
    }
    *error = None;
    input_within_limit(editor, key, error, lang);
    Outcome::Stay
}

/// A key typed into a short one-line field (a date, a number of days): Backspace deletes, a
/// character `accepts` takes is added while the field is shorter than `max`.
pub fn type_short(input: &mut String, key: &KeyEvent, accepts: fn(char) -> bool, max: usize) {
    match key.code {
        KeyCode::Backspace => {
            input.pop();
        }
        KeyCode::Char(c) if accepts(c) && input.chars().count() < max => input.push(c),
        _ => {}
    }
}
