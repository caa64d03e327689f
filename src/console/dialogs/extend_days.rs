//! How many working days to extend the decision deadline by (the reason editor follows).

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
pub struct ExtendDays {
    pub target: Target,
    pub input: String,
    pub error: Option<String>,
}

impl Component for ExtendDays {
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        if ctx.is(key, Command::Confirm) {
            return Outcome::Submit;
        }
        if ctx.is(key, Command::Cancel) {
            return Outcome::Close;
        }
        type_short(&mut self.input, key, |c| c.is_ascii_digit(), 2);
        self.error = None;
        Outcome::Stay
    }

    fn hints(&self, ctx: &Ctx<'_>) -> Vec<Hint> {
        ctx.confirm_or_cancel()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let rect = centered(area, 60, 7);
        clear(frame, rect);
        let title = format!("{} {}", lang.t(T::ExtendTitle), self.target.case_no);
        let block = frame_block(theme, &title, false, rect.width);
        let most = ctx.policy.max_extension_days;
        let lines = vec![
            Line::from(lang.extend_days_prompt(most)),
            Line::from(Span::styled(format!("{}_", self.input), theme.bold())),
            match &self.error {
                Some(e) => Line::from(Span::styled(e.clone(), theme.error())),
                None => Line::from(""),
            },
            hint_line(theme, &self.hints(ctx)),
        ];
        frame.render_widget(
            Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2))).block(block),
            rect,
        );
    }
}
