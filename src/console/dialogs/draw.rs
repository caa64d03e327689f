//! What every dialog box is drawn with: its place, its cleared ground, its frame, the hints
//! under it and the character count under an editor.

use super::Hint;
use crate::console::theme::Theme;
use crate::text::sanitize_line;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};

pub use crate::console::layout::dialog as centered;

/// Clears `rect` for a dialog. A wide (CJK) character drawn just left of it would spill its
/// second cell over the dialog's left border, which the terminal then never shows: it is
/// blanked too.
pub fn clear(frame: &mut Frame, rect: Rect) {
    frame.render_widget(Clear, rect);
    let Some(left) = rect.x.checked_sub(1) else {
        return;
    };
    let buffer = frame.buffer_mut();
    for y in rect.top()..rect.bottom() {
        if let Some(cell) = buffer.cell_mut((left, y)) {
            if unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
}

/// A dialog's box, `width` cells wide, its title cut with `…` when it does not fit.
pub fn frame_block<'a>(theme: &Theme, title: &str, alert: bool, width: u16) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Span::styled(
            crate::console::view::box_title(&format!(" {} ", sanitize_line(title)), width),
            if alert { theme.alert() } else { theme.title() },
        ))
}

/// "812/4000" under an editor: how much of the domain's limit the text uses, as it is typed.
pub fn char_count(editor: &ratatui_textarea::TextArea<'_>, theme: &Theme) -> Line<'static> {
    let count = super::chars_of(editor);
    let most = crate::domain::transition::MAX_TEXT_CHARS;
    let style = if count >= most {
        theme.error()
    } else {
        theme.dim()
    };
    Line::from(Span::styled(format!("{count}/{most}"), style)).right_aligned()
}

/// The hints at the foot of a dialog: each key, then what it does.
pub fn hint_line(theme: &Theme, hints: &[Hint]) -> Line<'static> {
    let mut spans = Vec::new();
    for Hint { key, label } in hints {
        spans.push(Span::styled(key.clone(), theme.key()));
        spans.push(Span::raw(format!(" {label}   ")));
    }
    Line::from(spans)
}
