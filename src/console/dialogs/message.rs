//! Words to read: bulk results, a refusal, a conflict, a review session's summary. Long ones
//! scroll; any closing key puts them away.

use super::{Component, Ctx, Hint, Outcome};
use super::{centered, clear, frame_block, hint_line};
use crate::console::i18n::T;
use crate::console::keymap::Command;
use crate::console::theme::Theme;
use crate::console::view::{fit_line, fit_lines, wrap};
use crate::text::sanitize_line;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug)]
pub struct Message {
    pub title: String,
    pub lines: Vec<String>,
    pub alert: bool,
    /// Lines scrolled past (a long bulk report).
    pub scroll: u16,
}

impl Message {
    pub fn new(title: impl Into<String>, lines: Vec<String>, alert: bool) -> Message {
        Message {
            title: title.into(),
            lines,
            alert,
            scroll: 0,
        }
    }
}

impl Component for Message {
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        let scroll = &mut self.scroll;
        // At least as many rows as the lines take wrapped (the view stops at the end).
        let rows: usize = self
            .lines
            .iter()
            .map(|l| {
                unicode_width::UnicodeWidthStr::width(l.as_str())
                    .max(1)
                    .div_ceil(40)
            })
            .sum();
        let last = u16::try_from(rows).unwrap_or(u16::MAX);
        match key.code {
            _ if ctx.is(key, Command::Confirm) || ctx.is(key, Command::Cancel) => {
                return Outcome::Close;
            }
            KeyCode::Char('q') | KeyCode::Char(' ') => return Outcome::Close,
            _ if ctx.is(key, Command::ScrollDown) => *scroll = scroll.saturating_add(1),
            _ if ctx.is(key, Command::ScrollUp) => *scroll = scroll.saturating_sub(1),
            KeyCode::PageDown => *scroll = scroll.saturating_add(10),
            KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
            KeyCode::Home | KeyCode::Char('g') => *scroll = 0,
            KeyCode::End | KeyCode::Char('G') => *scroll = last,
            _ => {}
        }
        *scroll = (*scroll).min(last);
        Outcome::Stay
    }

    /// Closing, then scrolling (which the box shows only when the words do not fit).
    fn hints(&self, ctx: &Ctx<'_>) -> Vec<Hint> {
        let lang = ctx.lang;
        vec![
            ctx.hint(Command::Confirm, lang.t(T::Ok)),
            ctx.hint2(Command::ScrollDown, Command::ScrollUp, lang.t(T::Scroll)),
        ]
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        let width = 80.min(area.width.saturating_sub(2));
        let inner = usize::from(width.saturating_sub(2)).max(1);
        let rows: Vec<String> = self
            .lines
            .iter()
            .flat_map(|l| wrap(&sanitize_line(l), inner))
            .collect();
        let wrapped = rows.len();
        // Borders 2, a blank line and the hint: the hint stays in view however long the list.
        let height =
            (wrapped.min(usize::from(u16::MAX - 4)) as u16 + 4).min(area.height.saturating_sub(2));
        let rect = centered(area, width, height);
        clear(frame, rect);
        let block = frame_block(theme, &self.title, self.alert, rect.width);
        let body_area = block.inner(rect);
        frame.render_widget(block, rect);
        let [text, _, hint] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(body_area);
        let max_scroll = wrapped.saturating_sub(usize::from(text.height));
        let scroll = usize::from(self.scroll).min(max_scroll);
        let body: Vec<Line> = rows
            .into_iter()
            .skip(scroll)
            .take(usize::from(text.height))
            .map(Line::from)
            .collect();
        frame.render_widget(Paragraph::new(fit_lines(body, text.width)), text);
        let mut hints = self.hints(ctx);
        if max_scroll == 0 {
            hints.truncate(1);
        }
        let mut hint_text = hint_line(theme, &hints);
        if max_scroll > 0 {
            let shown = (scroll + usize::from(text.height)).min(wrapped);
            hint_text
                .spans
                .push(Span::styled(format!("{shown}/{wrapped}"), theme.dim()));
        }
        frame.render_widget(Paragraph::new(fit_line(hint_text, hint.width.into())), hint);
    }
}
