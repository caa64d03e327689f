//! The clerk's on-site verification checklist as a dialog: the form (app/checklist_form.rs)
//! with its keys, hints and drawing.

use super::{ChecklistForm, Component, Ctx, Hint, Outcome};
use super::{centered, clear, frame_block, hint_line};
use crate::console::i18n::T;
use crate::console::keymap::Command;
use crate::console::theme::Theme;
use crate::console::view::fit_lines;
use crate::text::sanitize_line;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

impl Component for ChecklistForm {
    fn key(&mut self, key: &KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        let form = self;
        if form.asking_discard {
            form.asking_discard = false;
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Outcome::Close,
                _ => Outcome::Stay,
            };
        }
        // The form takes its toggle and next-field keys as Space and Tab, whatever they are
        // mapped to; Space and Tab themselves only when they are.
        let as_code = |code| KeyEvent::new(code, KeyModifiers::NONE);
        match key.code {
            // Ctrl-s verifies from any field; Enter moves on, and verifies on the last.
            _ if ctx.is(key, Command::Submit) => Outcome::Submit,
            _ if ctx.is(key, Command::Confirm) && form.focus + 1 == ChecklistForm::FIELDS => {
                Outcome::Submit
            }
            _ if ctx.is(key, Command::Confirm) => {
                form.focus += 1;
                Outcome::Stay
            }
            _ if ctx.is(key, Command::Cancel) && form.touched => {
                form.asking_discard = true;
                Outcome::Stay
            }
            _ if ctx.is(key, Command::Cancel) => Outcome::Close,
            _ if ctx.is(key, Command::Toggle) => {
                form.key(&as_code(KeyCode::Char(' ')));
                Outcome::Stay
            }
            _ if ctx.is(key, Command::NextField) => {
                form.key(&as_code(KeyCode::Tab));
                Outcome::Stay
            }
            KeyCode::Char(' ') | KeyCode::Tab => Outcome::Stay,
            _ => {
                form.key(key);
                Outcome::Stay
            }
        }
    }

    fn hints(&self, ctx: &Ctx<'_>) -> Vec<Hint> {
        let lang = ctx.lang;
        vec![
            ctx.hint(Command::Toggle, lang.t(T::Toggle)),
            ctx.hint2(Command::NextField, Command::Confirm, lang.t(T::NextField)),
            ctx.hint(Command::Submit, lang.t(T::VerifyHint)),
            ctx.hint(Command::Cancel, lang.t(T::Cancel)),
        ]
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx<'_>) {
        let (form, lang) = (self, ctx.lang);
        let rect = centered(area, 76, 13 + form.failures.len() as u16);
        clear(frame, rect);
        let mut title = format!("{} {}", lang.t(T::Verify), form.target.case_no);
        if let (Some(entered), Some(due)) = (form.entered, form.window_due) {
            let day = (ctx.today - entered).num_days();
            let window = ctx.policy.verification_calendar_days;
            title = lang.labelled(&title, &lang.verify_window(entered, day, window, due));
        }
        let title = crate::text::fit_cells(&title, usize::from(rect.width.saturating_sub(4)));
        let block = frame_block(theme, &title, false, rect.width);
        let check = |on: bool| if on { "[x]" } else { "[ ]" };
        let label = |i: usize| lang.checklist_label(i);
        let presenter = lang.presenter(form.presenter);
        let document = lang.visa_kind(form.visa_kind);
        let items = [
            format!("    {}", lang.labelled(label(0), presenter)),
            format!("{} {}", check(form.power_of_attorney), label(1)),
            format!("{} {}", check(form.originals), label(2)),
            format!("{} {}", check(form.sealed_copies), label(3)),
            format!("    {}", lang.labelled(label(4), document)),
            format!("    {}_", lang.labelled(label(5), &form.visa_until)),
            format!("    {}_", lang.labelled(label(6), &form.exam_date)),
            format!("{} {}", check(form.exam_domestic), label(7)),
        ];
        // The exam report's age, as the domain counts it, while the date is typed.
        let exam_age = exam_age(form, ctx);
        let mut lines: Vec<Line> = items
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let focused = i == form.focus;
                let failed = form.failures.iter().any(|(f, _)| *f == i);
                let style = if focused {
                    theme.selected()
                } else {
                    theme.plain()
                };
                let mark = match (focused, failed) {
                    (_, true) => Span::styled("✗", theme.error()),
                    (true, false) => Span::raw(theme.cursor_mark()),
                    (false, false) => Span::raw(" "),
                };
                let mut spans = vec![mark, Span::styled(text.clone(), style)];
                if let (6, Some((text, bad))) = (i, &exam_age) {
                    let style = if *bad { theme.error() } else { theme.dim() };
                    spans.push(Span::styled(format!("  {text}"), style));
                }
                Line::from(spans)
            })
            .collect();
        for (field, message) in &form.failures {
            let text = format!(
                "✗ {}",
                lang.labelled(label(*field), &sanitize_line(message))
            );
            lines.push(Line::from(Span::styled(
                crate::text::fit_cells(&text, usize::from(rect.width.saturating_sub(3)))
                    .into_owned(),
                theme.error(),
            )));
        }
        lines.push(Line::from(""));
        if form.asking_discard {
            lines.push(Line::from(Span::styled(
                lang.t(T::DiscardForm),
                theme.error(),
            )));
        } else if let Some(error) = &form.error {
            lines.push(Line::from(Span::styled(error.clone(), theme.error())));
        }
        lines.push(hint_line(theme, &form.hints(ctx)));
        frame.render_widget(
            Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2))).block(block),
            rect,
        );
    }
}

/// "valid through 2027-05-03" beside the exam date, or why it is too old or not a date yet;
/// `true` when it would fail the checklist.
fn exam_age(form: &ChecklistForm, ctx: &Ctx<'_>) -> Option<(String, bool)> {
    use crate::domain::Checklist;
    let issued = chrono::NaiveDate::parse_from_str(form.exam_date.trim(), "%Y-%m-%d").ok()?;
    let lang = ctx.lang;
    let months = ctx.policy.exam_report_valid_months;
    let through = Checklist::exam_valid_through(issued, months);
    let today = ctx.today;
    Some(if issued > today {
        (lang.t(T::InTheFuture).to_string(), true)
    } else if through < today {
        (lang.exam_too_old(through, months), true)
    } else {
        (lang.exam_valid_through(through), false)
    })
}
