//! The entry date of a case in Awaiting entry: typed as YYYY-MM-DD, today to start with.

use super::text::type_short;
use super::{Component, Ctx, Hint, Outcome, Target};
use super::{centered, clear, frame_block, hint_line};
use crate::console::i18n::T;
use crate::console::keymap::Command;
use crate::console::theme::Theme;
use crate::console::view::fit_lines;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug)]
pub struct EntryDate {
    pub target: Target,
    /// `From -> To`, from the domain, when the case is loaded.
    pub transition: Option<String>,
    pub input: String,
    pub error: Option<String>,
}

impl Component for EntryDate {
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        if ctx.is(key, Command::Confirm) {
            return Outcome::Submit;
        }
        if ctx.is(key, Command::Cancel) {
            return Outcome::Close;
        }
        type_short(&mut self.input, key, |c| c.is_ascii_digit() || c == '-', 10);
        self.error = None;
        Outcome::Stay
    }

    fn hints(&self, ctx: &Ctx<'_>) -> Vec<Hint> {
        ctx.confirm_or_cancel()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let rect = centered(area, 64, 7);
        clear(frame, rect);
        let mut title = format!("{} {}", lang.t(T::RecordEntry), self.target.case_no);
        if let Some(transition) = &self.transition {
            title = lang.labelled(&title, transition);
        }
        let block = frame_block(theme, &title, false, rect.width);
        let mut lines = vec![
            Line::from(lang.t(T::DatePrompt)),
            Line::from(vec![Span::styled(format!("{}_", self.input), theme.bold())]),
        ];
        lines.push(match &self.error {
            Some(e) => Line::from(Span::styled(e.clone(), theme.error())),
            None => Line::from(""),
        });
        lines.push(hint_line(theme, &self.hints(ctx)));
        frame.render_widget(
            Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2))).block(block),
            rect,
        );
    }
}
