//! The bulk dialogs: the preview of a bulk action, the marked cases grouped by what will happen to
//! them, and the assignment picker with every case it assigns.

use super::super::app::dialog::{BulkKind, BulkLine, Target};
use super::super::i18n::{Lang, T};
use super::super::theme::Theme;
use super::dialogs::{centered, char_count, clear, frame_block, hint_line};
use super::{fit_line, fit_lines};
use crate::text::sanitize_line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui_textarea::TextArea;
use unicode_width::UnicodeWidthStr;

/// A bulk action's preview as the dialog holds it.
pub struct Preview<'a> {
    pub kind: BulkKind,
    pub targets: &'a [Target],
    pub preview: &'a [BulkLine],
    pub reason: Option<&'a TextArea<'static>>,
    pub asking_discard: bool,
    pub error: Option<&'a str>,
}

/// The assignment picker: the people to choose from, then every case with its holder now and
/// the one it will have, as many as fit, the last row saying how many more.
pub fn draw_assign(
    frame: &mut Frame,
    theme: &Theme,
    lang: Lang,
    area: Rect,
    targets: &[Target],
    candidates: &[String],
    selected: usize,
) {
    let width = 70.min(area.width.saturating_sub(2));
    let inner = usize::from(width.saturating_sub(2));
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
    lines.push(hint_line(
        theme,
        &[("Enter", lang.t(T::Confirm)), ("Esc", lang.t(T::Cancel))],
    ));
    frame.render_widget(
        Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2))).block(block),
        rect,
    );
}

/// A bulk action's preview: every marked case with its action and any refusal the domain
/// predicts, as many as fit (fewer beside an editor), the last line saying how many more.
pub fn draw_preview(frame: &mut Frame, theme: &Theme, lang: Lang, area: Rect, p: Preview<'_>) {
    let Preview {
        kind,
        targets,
        preview,
        reason,
        asking_discard,
        error,
    } = p;
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
    let summary = match (predicted, lang) {
        (0, _) => format!("{} {will_be} {}", targets.len(), kind.verb(lang)),
        (_, Lang::En) => format!(
            "{} marked: {go} will go ahead, {predicted} will be refused",
            targets.len()
        ),
        (_, Lang::Zh) => format!(
            "已选 {} 件：{go} 件可执行，预计 {predicted} 件无法执行",
            targets.len()
        ),
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
        None if reason.is_some() => hint_line(
            theme,
            &[("Ctrl-s", lang.t(T::Submit)), ("Esc", lang.t(T::Cancel))],
        ),
        None => hint_line(
            theme,
            &[("Enter", lang.t(T::Confirm)), ("Esc", lang.t(T::Cancel))],
        ),
    };
    frame.render_widget(Paragraph::new(fit_line(footer, foot.width.into())), foot);
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
            let name = super::display_name(&t.name, t.name_native.as_deref());
            let name = super::pad(&super::fit(&name, name_width), name_width);
            let case_no = super::pad(&sanitize_line(&t.case_no), case_width);
            format!(" {case_no} {name}  {holder}")
        })
        .collect();
    if shown < targets.len() {
        rows.push(format!(" +{}", targets.len() - shown));
    }
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
