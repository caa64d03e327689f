//! The command palette: every command whose name or label holds what is typed, with its keys;
//! a case number typed there finds the case.

use super::{Component, Ctx, Hint, Outcome};
use super::{centered, clear, frame_block};
use crate::console::app::palette_matches;
use crate::console::i18n::T;
use crate::console::keymap::Command;
use crate::console::theme::Theme;
use crate::console::view::{fit_lines, pad};
use crate::text::sanitize_line;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug, Default)]
pub struct Palette {
    pub input: String,
    pub selected: usize,
}

impl Component for Palette {
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        let (input, selected) = (&mut self.input, &mut self.selected);
        match key.code {
            _ if ctx.is(key, Command::Confirm) => Outcome::Submit,
            _ if ctx.is(key, Command::Cancel) => Outcome::Close,
            KeyCode::Down | KeyCode::Tab => {
                let last = palette_matches(input).len().saturating_sub(1);
                *selected = (*selected + 1).min(last);
                Outcome::Stay
            }
            KeyCode::Up | KeyCode::BackTab => {
                *selected = selected.saturating_sub(1);
                Outcome::Stay
            }
            KeyCode::Backspace => {
                input.pop();
                *selected = 0;
                Outcome::Stay
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                input.push(c);
                *selected = 0;
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }

    fn hints(&self, _ctx: &Ctx<'_>) -> Vec<Hint> {
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let matches = crate::console::app::palette_matches(&self.input);
        let goes_to_case = matches.is_empty() && self.input.chars().any(|c| c.is_ascii_digit());
        let rect = centered(
            area,
            64,
            (matches.len() as u16 + 4 + u16::from(goes_to_case)).min(20),
        );
        clear(frame, rect);
        let block = frame_block(theme, lang.t(T::Palette), false, rect.width);
        let mut lines = vec![Line::from(Span::styled(
            format!(": {}_", self.input),
            theme.bold(),
        ))];
        let chosen = self.selected.min(matches.len().saturating_sub(1));
        // The rows under the input line; the list scrolls to keep the choice in them.
        let rows = usize::from(rect.height.saturating_sub(3)).max(1);
        let first = chosen.saturating_sub(rows - 1);
        for (i, command) in matches.iter().enumerate().skip(first).take(rows) {
            let style = if i == chosen {
                theme.selected()
            } else {
                theme.plain()
            };
            // What the command does, in the user's language; its keys beside it.
            let label = crate::text::fit_cells(command.label(lang), 44);
            lines.push(Line::from(vec![
                Span::styled(format!(" {}", pad(&label, 45)), style),
                Span::styled(format!(" {}", ctx.keymap.keys_for(*command)), theme.dim()),
            ]));
        }
        if goes_to_case {
            let text = format!(" {}", lang.palette_find_case(&sanitize_line(&self.input)));
            lines.push(Line::from(Span::styled(text, theme.selected())));
        }
        frame.render_widget(
            Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2))).block(block),
            rect,
        );
    }
}
