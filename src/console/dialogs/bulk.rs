//! The preview of a bulk action: the marked cases grouped by what will happen to them, with
//! what the domain predicts it refuses, and the reason editor of a bulk return.

use super::{BulkKind, BulkLine, Component, Ctx, Hint, Outcome, Target};
use super::{centered, char_count, clear, frame_block, hint_line, reason_key};
use crate::console::i18n::{Lang, T};
use crate::console::keymap::Command;
use crate::console::theme::Theme;
use crate::console::view::{fit_line, fit_lines};
use crate::text::sanitize_line;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui_textarea::TextArea;
use unicode_width::UnicodeWidthStr;

#[derive(Debug)]
pub struct Bulk {
    pub kind: BulkKind,
    pub targets: Vec<Target>,
    /// Each marked case with the action it will get and what the domain predicts it refuses.
    pub preview: Vec<BulkLine>,
    pub reason: Option<TextArea<'static>>,
    pub asking_discard: bool,
    pub error: Option<String>,
}

impl Component for Bulk {
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        match &mut self.reason {
            Some(editor) => reason_key(editor, &mut self.asking_discard, &mut self.error, key, ctx),
            None => match key.code {
                _ if ctx.is(key, Command::Confirm) => Outcome::Submit,
                _ if ctx.is(key, Command::Cancel) => Outcome::Close,
                _ => Outcome::Stay,
            },
        }
    }

    fn hints(&self, ctx: &Ctx<'_>) -> Vec<Hint> {
        let lang = ctx.lang;
        let go = match self.reason {
            Some(_) => ctx.hint(Command::Submit, lang.t(T::Submit)),
            None => ctx.hint(Command::Confirm, lang.t(T::Confirm)),
        };
        vec![go, ctx.hint(Command::Cancel, lang.t(T::Cancel))]
    }

    /// Every marked case with its action and any refusal the domain predicts, as many as fit
    /// (fewer beside an editor), the last line saying how many more.
    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let (kind, targets, preview) = (self.kind, &self.targets, &self.preview);
        let (reason, asking_discard, error) = (
            self.reason.as_ref(),
            self.asking_discard,
            self.error.as_deref(),
        );
        let width = usize::from(70.min(area.width.saturating_sub(2)).saturating_sub(2));
        // Beside an editor (nine rows with its borders) the list has what the screen
        // spares, up to six rows.
        let room = if reason.is_some() {
            usize::from(area.height.saturating_sub(15)).clamp(2, 6)
        } else {
            usize::from(area.height.saturating_sub(9)).max(2)
        };
        let list = rows(preview, width, room);
        let height = if reason.is_some() {
            13 + (list.len() as u16).max(2)
        } else {
            7 + list.len() as u16
        };
        let rect = centered(area, 70, height);
        clear(frame, rect);
        let block = frame_block(
            theme,
            &format!("{} {}", targets.len(), lang.t(T::Marked)),
            false,
            rect.width,
        );
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let will_be = match (lang, targets.len()) {
            (Lang::En, 1) => "case will be",
            _ => lang.t(T::WillBe),
        };
        let predicted = preview.iter().filter(|l| l.refusal.is_some()).count();
        let go = targets.len() - predicted;
        let summary = match predicted {
            0 => format!("{} {will_be} {}", targets.len(), kind.verb(lang)),
            _ => lang.bulk_predicted(targets.len(), go, predicted),
        };
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(1 + list.len() as u16),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let mut head_lines = vec![Line::from(Span::styled(summary, theme.bold()))];
        head_lines.extend(list.into_iter().map(|(row, refused)| {
            let style = if refused { theme.error() } else { theme.dim() };
            Line::from(Span::styled(row, style))
        }));
        frame.render_widget(Paragraph::new(fit_lines(head_lines, head.width)), head);
        if let Some(editor) = reason {
            let editor_block = Block::default()
                .borders(Borders::ALL)
                .border_set(theme.border())
                .title(format!(" {} ", lang.t(T::ReturnPrompt)))
                .title_bottom(char_count(editor, theme));
            let editor_inner = editor_block.inner(body);
            frame.render_widget(editor_block, body);
            frame.render_widget(editor, editor_inner);
        }
        let footer = match error {
            _ if asking_discard => Line::from(Span::styled(lang.t(T::DiscardAsk), theme.error())),
            Some(e) => Line::from(Span::styled(e.to_string(), theme.error())),
            None => hint_line(theme, &self.hints(ctx)),
        };
        frame.render_widget(Paragraph::new(fit_line(footer, foot.width.into())), foot);
    }
}

/// The preview's rows, grouped by what will happen: a line per action (and per refusal the domain
/// predicts) with its count, then its case numbers packed into rows of `width`; at most `room`
/// rows, the last group's numbers ending with how many are left out. `true` for a refusal.
pub fn rows(preview: &[BulkLine], width: usize, room: usize) -> Vec<(String, bool)> {
    let mut groups: Vec<(&str, Option<&str>, Vec<String>)> = Vec::new();
    for line in preview {
        let key = (line.action.as_str(), line.refusal.as_deref());
        let number = sanitize_line(&line.case_no).into_owned();
        match groups.iter_mut().find(|g| (g.0, g.1) == key) {
            Some(group) => group.2.push(number),
            None => groups.push((key.0, key.1, vec![number])),
        }
    }
    let mut rows: Vec<(String, bool)> = Vec::new();
    for (g, (action, refusal, numbers)) in groups.iter().enumerate() {
        let left = room.saturating_sub(rows.len());
        if left < 2 {
            // No room for another group: the last row says how many cases are not shown,
            // counting those of the row it takes, if it must take one.
            let mut more: usize = groups[g..].iter().map(|g| g.2.len()).sum();
            if left == 0 {
                more += rows.pop().map_or(0, |(row, _)| cases_in(row.as_str()));
            }
            rows.push((format!("  +{more}"), false));
            break;
        }
        let head = match refusal {
            Some(why) => format!("✗ {action} ({}): {why}", numbers.len()),
            None => format!("{action} ({})", numbers.len()),
        };
        let refused = refusal.is_some();
        rows.push((
            crate::text::fit_cells(&sanitize_line(&head), width).into_owned(),
            refused,
        ));
        rows.extend(
            case_rows(numbers, width.saturating_sub(2), left - 1)
                .into_iter()
                .map(|r| (format!("  {r}"), refused)),
        );
    }
    rows
}

/// How many cases a row of case numbers stands for: each number, and the count of a `+12`.
fn cases_in(row: &str) -> usize {
    row.split_whitespace()
        .map(|word| match word.strip_prefix('+') {
            Some(n) => n.parse().unwrap_or(0),
            None => 1,
        })
        .sum()
}

/// Case numbers in at most `room` rows of `width` cells; when they do not all fit, the last row
/// ends with how many are left out (`+12`).
fn case_rows(numbers: &[String], width: usize, room: usize) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for (i, number) in numbers.iter().enumerate() {
        let gap = usize::from(!row.is_empty());
        if row.width() + gap + number.width() > width && !row.is_empty() {
            if rows.len() + 1 == room {
                // The last row: make room for the count of the rest.
                let mut left = numbers.len() - i;
                let mut words: Vec<&str> = row.split(' ').collect();
                while words.len() > 1
                    && words.join(" ").width() + format!(" +{left}").width() > width
                {
                    words.pop();
                    left += 1;
                }
                rows.push(format!("{} +{left}", words.join(" ")));
                return rows;
            }
            rows.push(std::mem::take(&mut row));
        } else if gap == 1 {
            row.push(' ');
        }
        row.push_str(number);
    }
    rows.push(row);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(case_no: &str, action: &str, refusal: Option<&str>) -> BulkLine {
        BulkLine {
            case_no: case_no.into(),
            action: action.into(),
            refusal: refusal.map(str::to_string),
        }
    }

    #[test]
    fn the_count_of_cases_left_out_counts_every_one_not_shown() {
        let preview = [
            line("GZ2026-000001", "return", None),
            line("GZ2026-000002", "return", None),
            line("GZ2026-000003", "return", Some("nobody holds it")),
        ];
        // Room for the first group's head only: its two numbers and the refused case are left
        // out, and said.
        let rows = rows(&preview, 60, 2);
        let text: Vec<&str> = rows.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(text, ["return (2)", "  +3"]);
        let all = super::rows(&preview, 60, 10);
        assert_eq!(all.len(), 4, "{all:?}");
    }
}
