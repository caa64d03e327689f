//! The assignment picker: the people to choose from, then every case it assigns with its
//! holder now and the one it will have.

use super::{Component, Ctx, Hint, Outcome, Target};
use super::{centered, clear, frame_block, hint_line};
use crate::console::i18n::{Lang, T};
use crate::console::keymap::Command;
use crate::console::theme::Theme;
use crate::console::view::fit_lines;
use crate::text::sanitize_line;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

#[derive(Debug)]
pub struct Assign {
    pub targets: Vec<Target>,
    pub candidates: Vec<String>,
    pub selected: usize,
}

impl Component for Assign {
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        let selected = &mut self.selected;
        match key.code {
            _ if ctx.is(key, Command::Confirm) && !self.candidates.is_empty() => Outcome::Submit,
            _ if ctx.is(key, Command::Cancel) => Outcome::Close,
            KeyCode::Tab => {
                *selected = (*selected + 1).min(self.candidates.len().saturating_sub(1));
                Outcome::Stay
            }
            _ if ctx.is(key, Command::ScrollDown) => {
                *selected = (*selected + 1).min(self.candidates.len().saturating_sub(1));
                Outcome::Stay
            }
            KeyCode::BackTab => {
                *selected = selected.saturating_sub(1);
                Outcome::Stay
            }
            _ if ctx.is(key, Command::ScrollUp) => {
                *selected = selected.saturating_sub(1);
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }

    fn hints(&self, ctx: &Ctx<'_>) -> Vec<Hint> {
        ctx.confirm_or_cancel()
    }

    /// The people, then every case with its holder now and the one it will have, as many as
    /// fit, the last row saying how many more.
    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let width = 70.min(area.width.saturating_sub(2));
        let inner = usize::from(width.saturating_sub(2));
        let (targets, candidates, selected) = (&self.targets, &self.candidates, self.selected);
        let room = usize::from(area.height.saturating_sub(2 + 5))
            .saturating_sub(candidates.len())
            .max(2);
        let to = candidates.get(selected).map(|n| sanitize_line(n));
        let cases = assign_rows(targets, to.as_deref(), inner, room, theme, lang);
        // Borders, the blank row between people and cases, the hints.
        let height = (candidates.len() + cases.len()) as u16 + 4;
        let rect = centered(area, width, height);
        clear(frame, rect);
        let title = format!("{} ({})", lang.t(T::AssignTo), targets.len());
        let block = frame_block(theme, &title, false, rect.width);
        let mut lines: Vec<Line> = candidates
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let style = if i == selected {
                    theme.selected()
                } else {
                    theme.plain()
                };
                Line::from(Span::styled(format!(" {} ", sanitize_line(name)), style))
            })
            .collect();
        lines.push(Line::from(""));
        lines.extend(
            cases
                .into_iter()
                .map(|row| Line::from(Span::styled(row, theme.dim()))),
        );
        lines.push(hint_line(theme, &self.hints(ctx)));
        frame.render_widget(
            Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2))).block(block),
            rect,
        );
    }
}

/// The cases of an assignment, a row each: case number, applicant, holder now `->` the person
/// chosen, in `width` cells; at most `room` rows, the last saying how many more when they do
/// not all fit.
fn assign_rows(
    targets: &[Target],
    to: Option<&str>,
    width: usize,
    room: usize,
    theme: &Theme,
    lang: Lang,
) -> Vec<String> {
    let nobody = lang.t(T::Nobody);
    let holders: Vec<String> = targets
        .iter()
        .map(|t| {
            let now = t.assignee.as_deref().map_or(nobody.into(), sanitize_line);
            format!("{now} {} {}", theme.arrow(), to.unwrap_or("?"))
        })
        .collect();
    let case_width = targets
        .iter()
        .map(|t| sanitize_line(&t.case_no).width())
        .max()
        .unwrap_or(0);
    let holder_width = holders.iter().map(|h| h.width()).max().unwrap_or(0);
    // A space before, after and between the columns; the name has what is left.
    let name_width = width.saturating_sub(1 + case_width + 1 + 2 + holder_width + 1);
    let shown = if targets.len() > room {
        room - 1
    } else {
        targets.len()
    };
    let mut rows: Vec<String> = targets
        .iter()
        .zip(&holders)
        .take(shown)
        .map(|(t, holder)| {
            let name = crate::console::view::display_name(&t.name, t.name_native.as_deref());
            let name = crate::console::view::pad(
                &crate::console::view::fit(&name, name_width),
                name_width,
            );
            let case_no = crate::console::view::pad(&sanitize_line(&t.case_no), case_width);
            format!(" {case_no} {name}  {holder}")
        })
        .collect();
    if shown < targets.len() {
        rows.push(format!(" +{}", targets.len() - shown));
    }
    rows
}
