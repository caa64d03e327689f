//! Dialog boxes drawn over the screen.

use super::super::app::App;
use super::super::app::dialog::{ChecklistForm, Dialog, help_footer};
use super::super::i18n::{Lang, T};
use super::super::theme::Theme;
use super::{fit_line, fit_lines};
use crate::text::sanitize_line;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::console::dialogs::{Ctx, Hint};
pub(super) use crate::console::dialogs::{centered, clear, frame_block};

/// "valid through 2027-05-03" beside the exam date, or why it is too old or not a date yet;
/// `true` when it would fail the checklist.
fn exam_age(form: &ChecklistForm, app: &App, lang: Lang) -> Option<(String, bool)> {
    use crate::domain::Checklist;
    let issued = chrono::NaiveDate::parse_from_str(form.exam_date.trim(), "%Y-%m-%d").ok()?;
    let months = app.setup.policy.exam_report_valid_months;
    let through = Checklist::exam_valid_through(issued, months);
    let today = app.setup.today;
    Some(if issued > today {
        (lang.pick("in the future", "晚于今日").to_string(), true)
    } else if through < today {
        (
            match lang {
                Lang::En => format!("too old: valid through {through} ({months} months)"),
                Lang::Zh => format!("已过期：有效期至 {through}（{months} 个月）"),
            },
            true,
        )
    } else {
        (
            match lang {
                Lang::En => format!("valid through {through}"),
                Lang::Zh => format!("有效期至 {through}"),
            },
            false,
        )
    })
}

/// The hints at a dialog's foot, from (key, label) pairs.
pub(super) fn hint_line(theme: &Theme, pairs: &[(&str, &str)]) -> Line<'static> {
    let hints: Vec<Hint> = pairs.iter().map(|(k, l)| Hint::new(*k, *l)).collect();
    crate::console::dialogs::hint_line(theme, &hints)
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, dialog: &Dialog, area: Rect) {
    let lang = app.lang;
    let ctx = Ctx {
        lang,
        keymap: &app.setup.keymap,
        policy: &app.setup.policy,
        today: app.setup.today,
        size: (area.width, area.height),
    };
    if dialog.draw(frame, area, theme, &ctx) {
        return;
    }
    match dialog {
        Dialog::Confirm(_) => {}
        Dialog::Reason(_) => {}
        Dialog::ExtendDays {
            target,
            input,
            error,
        } => {
            let rect = centered(area, 60, 7);
            clear(frame, rect);
            let title = format!("{} {}", lang.pick("Extend", "延长期限"), target.case_no);
            let block = frame_block(theme, &title, false, rect.width);
            let most = app.setup.policy.max_extension_days;
            let lines = vec![
                Line::from(match lang {
                    Lang::En => format!("Working days to add to the decision deadline (1-{most}):"),
                    Lang::Zh => format!("决定期限延长的工作日数（1-{most}）："),
                }),
                Line::from(Span::styled(format!("{input}_"), theme.bold())),
                match error {
                    Some(e) => Line::from(Span::styled(e.clone(), theme.error())),
                    None => Line::from(""),
                },
                hint_line(
                    theme,
                    &[("Enter", lang.t(T::Confirm)), ("Esc", lang.t(T::Cancel))],
                ),
            ];
            frame.render_widget(
                Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2))).block(block),
                rect,
            );
        }
        Dialog::EntryDate {
            target,
            transition,
            input,
            error,
        } => {
            let rect = centered(area, 64, 7);
            clear(frame, rect);
            let mut title = match lang {
                Lang::En => format!("Record entry {}", target.case_no),
                Lang::Zh => format!("登记入境 {}", target.case_no),
            };
            if let Some(transition) = transition {
                title.push_str(&format!(": {transition}"));
            }
            let block = frame_block(theme, &title, false, rect.width);
            let mut lines = vec![
                Line::from(lang.t(T::DatePrompt)),
                Line::from(vec![Span::styled(format!("{input}_"), theme.bold())]),
            ];
            lines.push(match error {
                Some(e) => Line::from(Span::styled(e.clone(), theme.error())),
                None => Line::from(""),
            });
            lines.push(hint_line(
                theme,
                &[("Enter", lang.t(T::Confirm)), ("Esc", lang.t(T::Cancel))],
            ));
            frame.render_widget(
                Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2))).block(block),
                rect,
            );
        }
        Dialog::Verify(form) => {
            let rect = centered(area, 76, 13 + form.failures.len() as u16);
            clear(frame, rect);
            let mut title = format!("{} {}", lang.t(T::Verify), form.target.case_no);
            if let (Some(entered), Some(due)) = (form.entered, form.window_due) {
                let day = (app.setup.today - entered).num_days();
                let window = app.setup.policy.verification_calendar_days;
                title.push_str(&match lang {
                    Lang::En => format!(": entered {entered}, day {day} of {window} (due {due})"),
                    Lang::Zh => format!("：{entered} 入境，第 {day} 天 / {window}（截止 {due}）"),
                });
            }
            let title = crate::text::fit_cells(&title, usize::from(rect.width.saturating_sub(4)));
            let block = frame_block(theme, &title, false, rect.width);
            let check = |on: bool| if on { "[x]" } else { "[ ]" };
            let label = |i: usize| ChecklistForm::label(i, lang);
            let presenter = match lang {
                Lang::Zh => form.presenter.label_zh(),
                Lang::En => form.presenter.label_en(),
            };
            let document = match (form.visa_kind, lang) {
                (Some(kind), Lang::Zh) => kind.label_zh(),
                (Some(kind), Lang::En) => kind.label_en(),
                (None, Lang::Zh) => "（空格选择：工作签证或工作类居留许可）",
                (None, Lang::En) => "(Space: work visa or work residence permit)",
            };
            let items = [
                format!("    {}: {presenter}", label(0)),
                format!("{} {}", check(form.power_of_attorney), label(1)),
                format!("{} {}", check(form.originals), label(2)),
                format!("{} {}", check(form.sealed_copies), label(3)),
                format!("    {}: {document}", label(4)),
                format!("    {}: {}_", label(5), form.visa_until),
                format!("    {}: {}_", label(6), form.exam_date),
                format!("{} {}", check(form.exam_domestic), label(7)),
            ];
            // The exam report's age, as the domain counts it, while the date is typed.
            let exam_age = exam_age(form, app, lang);
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
                let text = format!("✗ {}: {}", label(*field), sanitize_line(message));
                lines.push(Line::from(Span::styled(
                    crate::text::fit_cells(&text, usize::from(rect.width.saturating_sub(3)))
                        .into_owned(),
                    theme.error(),
                )));
            }
            lines.push(Line::from(""));
            if form.asking_discard {
                lines.push(Line::from(Span::styled(
                    lang.pick(
                        "Discard what was entered? y discard  n keep",
                        "放弃已填写的内容？y 放弃  n 继续",
                    ),
                    theme.error(),
                )));
            } else if let Some(error) = &form.error {
                lines.push(Line::from(Span::styled(error.clone(), theme.error())));
            }
            lines.push(hint_line(
                theme,
                &[
                    ("Space", lang.pick("toggle", "勾选")),
                    ("Tab/Enter", lang.pick("next field", "下一项")),
                    ("Ctrl-s", lang.pick("verify", "核验通过")),
                    ("Esc", lang.t(T::Cancel)),
                ],
            ));
            frame.render_widget(
                Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2))).block(block),
                rect,
            );
        }
        Dialog::Assign(_) | Dialog::Bulk(_) => {}
        Dialog::Message(_) => {}
        Dialog::Help { scroll } => {
            let rect = crate::console::layout::help(area.width, area.height);
            clear(frame, rect);
            let block = frame_block(
                theme,
                &format!("{} ({})", lang.t(T::Help), lang.t(T::Keys)),
                false,
                rect.width,
            );
            // The config name is what a person remapping keys writes under [keys].
            let mut lines: Vec<Line> = app
                .setup
                .keymap
                .entries()
                .into_iter()
                .map(|(keys, command)| {
                    // Keys and name in their columns; the label what is left, cut with `…`.
                    let keys = format!(" {keys:<18}");
                    let name = format!("{:<15}", command.name());
                    let room = usize::from(rect.width.saturating_sub(2))
                        .saturating_sub(keys.width() + name.width());
                    Line::from(vec![
                        Span::styled(keys, theme.key()),
                        Span::styled(name, theme.dim()),
                        Span::raw(super::fit(command.label(lang), room)),
                    ])
                })
                .collect();
            lines.push(Line::from(""));
            for text in help_footer(lang) {
                lines.push(Line::from(Span::styled(
                    text,
                    theme.dim().add_modifier(Modifier::ITALIC),
                )));
            }
            frame.render_widget(
                Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2)))
                    .block(block)
                    .scroll((*scroll, 0)),
                rect,
            );
        }
        Dialog::Palette { input, selected } => {
            let matches = crate::console::app::palette_matches(input);
            let goes_to_case = matches.is_empty() && input.chars().any(|c| c.is_ascii_digit());
            let rect = centered(
                area,
                64,
                (matches.len() as u16 + 4 + u16::from(goes_to_case)).min(20),
            );
            clear(frame, rect);
            let block = frame_block(theme, lang.t(T::Palette), false, rect.width);
            let mut lines = vec![Line::from(Span::styled(
                format!(": {input}_"),
                theme.bold(),
            ))];
            let chosen = (*selected).min(matches.len().saturating_sub(1));
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
                    Span::styled(format!(" {}", super::pad(&label, 45)), style),
                    Span::styled(
                        format!(" {}", app.setup.keymap.keys_for(*command)),
                        theme.dim(),
                    ),
                ]));
            }
            if goes_to_case {
                let text = match lang {
                    Lang::En => format!(" Enter: find case {}", sanitize_line(input)),
                    Lang::Zh => format!(" Enter：查找案件 {}", sanitize_line(input)),
                };
                lines.push(Line::from(Span::styled(text, theme.selected())));
            }
            frame.render_widget(
                Paragraph::new(fit_lines(lines, rect.width.saturating_sub(2))).block(block),
                rect,
            );
        }
        Dialog::QuitAsk { editor } => {
            if let Some(editor) = editor {
                draw(frame, app, theme, editor, area);
            }
            let rect = centered(area, 64, 4);
            clear(frame, rect);
            let block = frame_block(theme, lang.t(T::Quit), true, rect.width);
            let ask = fit_line(
                Line::from(lang.t(T::QuitAsk)),
                rect.width.saturating_sub(2).into(),
            );
            frame.render_widget(Paragraph::new(ask).block(block), rect);
        }
    }
}
