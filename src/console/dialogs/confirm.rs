//! The confirmation of an approval: the transition, what should stop the eye (missing
//! documents), and a one-line note, required when signing against the recommendation.

use super::{Component, Ctx, Hint, Outcome, Target};
use super::{centered, clear, frame_block, hint_line, input_within_limit, text_of};
use crate::console::i18n::T;
use crate::console::keymap::Command;
use crate::console::theme::Theme;
use crate::console::view::{fit_line, fit_lines};
use crate::text::sanitize_line;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

#[derive(Debug)]
pub struct Confirm {
    pub target: Target,
    pub title: String,
    pub lines: Vec<String>,
    /// What the user should see before moving the case on (missing or failed documents).
    pub warnings: Vec<String>,
    pub note: TextArea<'static>,
    /// The note is a required reason (signing against the recommendation).
    pub required: bool,
    pub error: Option<String>,
}

impl Component for Confirm {
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        match key.code {
            _ if ctx.is(key, Command::Confirm)
                && self.required
                && text_of(&self.note).trim().is_empty() =>
            {
                self.error = Some(ctx.lang.t(T::EmptyReason).into());
                Outcome::Stay
            }
            _ if ctx.is(key, Command::Confirm) => Outcome::Submit,
            _ if ctx.is(key, Command::Cancel) => Outcome::Close,
            _ => {
                self.error = None;
                input_within_limit(&mut self.note, key, &mut self.error, ctx.lang);
                Outcome::Stay
            }
        }
    }

    fn hints(&self, ctx: &Ctx<'_>) -> Vec<Hint> {
        ctx.confirm_or_cancel()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        let (lines, warnings) = (&self.lines, &self.warnings);
        let body_rows = (lines.len() + warnings.len()) as u16;
        let rect = centered(area, 72, body_rows + 4);
        clear(frame, rect);
        let block = frame_block(theme, &self.title, false, rect.width);
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let [text, input, hints] = Layout::vertical([
            Constraint::Length(body_rows),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        // The transition first, then what should stop the eye, then the rest.
        let line = |l: &String| Line::from(sanitize_line(l).into_owned());
        let warned = warnings
            .iter()
            .map(|w| Line::from(Span::styled(sanitize_line(w).into_owned(), theme.error())));
        let body: Vec<Line> = lines
            .iter()
            .take(1)
            .map(line)
            .chain(warned)
            .chain(lines.iter().skip(1).map(line))
            .collect();
        frame.render_widget(Paragraph::new(fit_lines(body, text.width)), text);
        frame.render_widget(&self.note, input);
        let footer = match &self.error {
            Some(error) => Line::from(Span::styled(error.clone(), theme.error())),
            None => hint_line(theme, &self.hints(ctx)),
        };
        frame.render_widget(Paragraph::new(fit_line(footer, hints.width.into())), hints);
    }
}
