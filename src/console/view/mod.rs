//! Drawing only: every function here reads the app and paints a frame.

mod dashboard;
mod detail;
mod review;
mod table;

use super::app::App;
use super::i18n::T;
use super::keymap::{self, Command, Context};
use super::layout;
use super::theme::{Theme, ThemeName};
use crate::domain::{Queue, Stage};
use crate::text::sanitize_line;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// Pads `text` with spaces to `width` terminal cells (CJK characters take two).
pub fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

/// Cuts `text` to `width` terminal cells, marking the cut with `…`.
pub fn fit(text: &str, width: usize) -> String {
    crate::text::fit_cells(text, width).into_owned()
}

/// `line` in at most `width` cells, cut with `…` (in the style of the text it cuts) when it is
/// longer: a paragraph would cut it without a mark.
pub fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let w = span.content.width();
        if used + w < width {
            used += w;
            spans.push(span);
            continue;
        }
        // This span holds the cut: what fits of it, then the mark.
        let cut = fit(&span.content, width - used);
        spans.push(Span::styled(cut, span.style));
        break;
    }
    if spans.is_empty() || used >= width {
        spans.push(Span::raw(fit("…", width)));
    }
    Line {
        spans,
        style: line.style,
        alignment: line.alignment,
    }
}

/// Every line of `lines` in at most `width` cells (`fit_line`).
pub fn fit_lines(lines: Vec<Line<'static>>, width: u16) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .map(|l| fit_line(l, usize::from(width)))
        .collect()
}

/// A box's title for a box `width` cells wide: what fits between its corners, cut with `…`
/// (ratatui would cut it without a mark).
pub fn box_title(title: &str, width: u16) -> String {
    fit(title, usize::from(width.saturating_sub(2)))
}

/// `text` in rows of at most `width` terminal cells, broken at spaces where it can be. Lines
/// that mix wide (CJK) characters are wrapped here rather than by ratatui, whose wrapping can
/// let a wide character at the edge overwrite the border.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split(' ') {
        let gap = usize::from(!row.is_empty());
        if !row.is_empty() && row.width() + gap + word.width() > width {
            rows.push(std::mem::take(&mut row));
        } else if gap == 1 {
            row.push(' ');
        }
        for c in word.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if !row.is_empty() && row.width() + w > width {
                rows.push(std::mem::take(&mut row));
            }
            row.push(c);
        }
    }
    rows.push(row);
    rows
}

/// A name as the table shows it: the own script first, with the passport spelling beside it when
/// that script is not Latin; a Latin name with diacritics is shown as written.
pub fn display_name(name: &str, native: Option<&str>) -> String {
    match native {
        None => sanitize_line(name).into_owned(),
        Some(native) => {
            let latin = native
                .chars()
                .all(|c| !c.is_alphabetic() || (c as u32) < 0x0250);
            if latin {
                sanitize_line(native).into_owned()
            } else {
                format!("{} {}", sanitize_line(native), sanitize_line(name))
            }
        }
    }
}

pub use detail::max_scroll as detail_max_scroll;

pub fn theme(app: &App) -> Theme {
    Theme {
        color: app.setup.color && app.setup.theme != ThemeName::Mono,
        ascii: app.setup.ascii,
        high_contrast: app.setup.theme == ThemeName::HighContrast,
    }
}

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let theme = theme(app);
    let screen = layout::screen(area.width, area.height, app.body());
    if screen.too_small {
        let text = format!(
            "{} ({}x{})",
            app.lang.t(T::TooSmall),
            area.width,
            area.height
        );
        frame.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    draw_header(frame, app, &theme, screen.header);
    if app.in_review() {
        // A review session is full-screen: where it runs and what it has done, then the case.
        review::draw_banner(frame, app, &theme, screen.tabs);
    } else {
        draw_tabs(frame, app, &theme, screen.tabs);
    }
    let dashboard = app.dashboard.as_ref().filter(|_| !app.in_review());
    match (dashboard, screen.table) {
        (Some(view), Some(table)) => dashboard::draw_cases(frame, app, &theme, view, table),
        (Some(view), None) if screen.detail.is_none() => {
            dashboard::draw(frame, app, &theme, view, screen.body)
        }
        (None, Some(table)) => table::draw(frame, app, &theme, table),
        _ => {}
    }
    if let Some(detail) = screen.detail {
        detail::draw(frame, app, &theme, detail);
    }
    draw_footer(frame, app, &theme, screen.footer);
    if let Some(dialog) = &app.dialog {
        let ctx = crate::console::dialogs::Ctx::of(&app.setup, app.lang, (area.width, area.height));
        dialog.draw(frame, area, &theme, &ctx);
    }
}

fn draw_header(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let roles: Vec<&str> = app.setup.roles.iter().map(|r| app.lang.role(*r)).collect();
    let mut spans = vec![
        Span::styled(" permitdesk ", theme.title()),
        Span::raw(" "),
        Span::styled(sanitize_line(&app.setup.user).into_owned(), theme.bold()),
        Span::raw(format!(" ({})  ", roles.join(","))),
        Span::raw(format!("{} {}  ", app.lang.t(T::Today), app.setup.today)),
        Span::raw(sanitize_line(&app.setup.store_label).into_owned()),
    ];
    if app.disabled {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!(" {} ", app.lang.t(T::Disabled)),
            theme.alert(),
        ));
    } else if app.is_read_only() {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!(" {} ", app.lang.t(T::ReadOnly)),
            theme.alert(),
        ));
    } else {
        spans.push(Span::styled(
            format!("  {}", app.lang.t(T::Live)),
            theme.dim(),
        ));
    }
    let left = fit_line(Line::from(spans), usize::from(area.width));
    frame.render_widget(Paragraph::new(left), area);
    let since_visit = app
        .since_last_visit
        .and_then(|(n, last)| Some((n, last?)))
        .filter(|(n, _)| *n > 0);
    let notice = match (app.new_overdue, since_visit) {
        (0, None) => None,
        (0, Some((n, last))) => Some(format!(
            " {n} {} ({last}) ",
            app.lang.t(T::NewOverdueSinceVisit)
        )),
        (new, _) => Some(format!(" {new} {} ", app.lang.t(T::NewOverdue))),
    };
    if let Some(notice) = notice {
        let width = (notice.width() as u16).min(area.width);
        let right = Rect {
            x: area.right().saturating_sub(width),
            width,
            ..area
        };
        frame.render_widget(Paragraph::new(Span::styled(notice, theme.alert())), right);
    }
}

/// `2 Pre-audit (214)`: the tab title of INTERFACE.md.
pub fn tab_title(app: &App, index: usize) -> String {
    let queue = Queue::TABS[index];
    let count = app
        .counts
        .as_ref()
        .map(|c| c.get(queue).to_string())
        .unwrap_or_else(|| "…".into());
    format!("{} {} ({count})", index + 1, app.lang.queue(queue))
}

fn draw_tabs(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let titles: Vec<String> = (0..Queue::TABS.len()).map(|i| tab_title(app, i)).collect();
    let sep = theme.separator();
    let available = usize::from(area.width);
    // Padding around titles only where everything fits with it.
    let total = |pad: usize| -> usize {
        titles
            .iter()
            .map(|t| t.width() + 2 * pad + sep.width())
            .sum()
    };
    let pad = usize::from(total(1) <= available);
    let width = |i: usize| titles[i].width() + 2 * pad + sep.width();
    let overdue = Queue::TABS.iter().position(|q| *q == Queue::Overdue);
    let overdue_alert = app
        .counts
        .as_ref()
        .is_some_and(|c| c.get(Queue::Overdue) > 0);
    let (first, last, pinned) = tab_window(app.tab, titles.len(), available, width, |pinned| {
        overdue.filter(|o| overdue_alert && *o != pinned)
    });
    let mut spans = Vec::new();
    if first > 0 {
        spans.push(Span::styled("<", theme.dim()));
    }
    let padding = " ".repeat(pad);
    let mut shown: Vec<usize> = (first..=last).collect();
    if let Some(o) = pinned {
        shown.push(o);
    }
    for (n, &i) in shown.iter().enumerate() {
        if n > 0 {
            // A gap before the pinned Overdue tab is marked.
            let gap = shown[n - 1] + 1 != i;
            spans.push(Span::styled(if gap { "…" } else { sep }, theme.dim()));
        }
        let alert = Some(i) == overdue && overdue_alert;
        let style = if i == app.tab {
            theme.active_tab()
        } else if alert {
            theme.alert()
        } else {
            Style::default()
        };
        spans.push(Span::styled(
            format!("{padding}{}{padding}", titles[i]),
            style,
        ));
    }
    if shown.last().is_some_and(|&i| i + 1 < titles.len()) {
        spans.push(Span::styled(">", theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The tabs shown, whole, in `available` cells: a run `first..=last` holding the active tab, and
/// the tab `pin` names (Overdue while it has cases) after it when the run does not reach it.
/// Room is kept for the `<` and `>` that say tabs are left out.
fn tab_window(
    active: usize,
    count: usize,
    available: usize,
    width: impl Fn(usize) -> usize,
    pin: impl Fn(usize) -> Option<usize>,
) -> (usize, usize, Option<usize>) {
    let room = available.saturating_sub(2);
    let fit = |first: usize, last: usize, pinned: Option<usize>| {
        (first..=last).map(&width).sum::<usize>() + pinned.map_or(0, &width) <= room
    };
    let candidate = pin(active);
    // The pinned tab takes its room first, unless the run will hold it anyway.
    let mut pinned = candidate.filter(|p| *p > active);
    let mut first = active;
    while first > 0 && fit(first - 1, active, pinned) {
        first -= 1;
    }
    let mut last = active;
    while last + 1 < count && fit(first, last + 1, pinned.filter(|p| *p > last + 1)) {
        last += 1;
    }
    if pinned.is_some_and(|p| p <= last) {
        pinned = None;
    }
    // A pinned tab before the run (the user is past it) is in the run or scrolled to.
    if let Some(p) = candidate.filter(|p| *p < first) {
        pinned = None;
        first = p;
        while !fit(first, active, None) && first < active {
            first += 1;
        }
    }
    (first, last, pinned)
}

/// The key hints that work here: the footer's commands of the screen's context (`Context::footer`)
/// that this user may take on the selected case, each with its first key in the live keymap.
pub fn hints(app: &App) -> Vec<(String, String)> {
    let context = app.context();
    let stage = match context {
        Context::Review => app
            .detail
            .as_ref()
            .filter(|d| Some(&d.case.case_no) == app.shown_case_no().as_ref())
            .map(|d| d.case.stage),
        Context::Dashboard | Context::DashboardCases => app
            .dashboard
            .as_ref()
            .and_then(|v| v.cases())
            .and_then(|l| l.selected_row())
            .map(|r| r.stage),
        _ => app.list.selected_row().map(|r| r.stage),
    };
    context
        .footer()
        .into_iter()
        .filter(|c| match c {
            c if keymap::is_action(*c) => app.offers(*c),
            Command::Review => app.review_refusal().is_none(),
            _ => true,
        })
        .filter_map(|c| {
            let first_key = app.setup.keymap.key_list(c).into_iter().next()?;
            Some((first_key, action_label(app, c, stage).to_string()))
        })
        .collect()
}

/// A command's name in the footer: approving and refusing in the stage's words, the long ones
/// short (`?` and the palette say them whole).
pub(super) fn action_label(app: &App, c: Command, stage: Option<Stage>) -> &'static str {
    match (c, stage) {
        (Command::Approve, Some(stage @ (Stage::PreAudit | Stage::Decision))) => {
            app.lang.approve_in(stage)
        }
        (Command::Refuse, Some(Stage::PreAudit)) => match app.lang {
            super::i18n::Lang::En => "not accept",
            super::i18n::Lang::Zh => "不予受理",
        },
        (Command::Refuse, Some(Stage::Review)) => match app.lang {
            super::i18n::Lang::En => "recommend refusal",
            super::i18n::Lang::Zh => "建议不予许可",
        },
        // Short words where the footer is; `?` and the palette say them whole.
        (Command::SendBack, _) => app.lang.pick("send back", "退回审查"),
        (Command::Withdraw, _) => app.lang.pick("withdraw", "撤回"),
        (Command::Extend, _) => app.lang.pick("extend", "延期"),
        (Command::Lapse, _) => app.lang.pick("lapse", "逾期办结"),
        (Command::AllowLate, _) => app.lang.pick("allow late", "允许逾期"),
        (Command::Reopen, _) => app.lang.pick("reopen", "重新开启"),
        (Command::Review, _) => app.lang.pick("review", "连续审核"),
        (Command::Skip, _) => app.lang.t(T::ReviewSkip),
        (Command::EndReview, _) => app.lang.t(T::ReviewEnd),
        _ => c.label(app.lang),
    }
}

fn draw_footer(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    if app.closing {
        let text = format!(" {} ({})", app.lang.t(T::Saving), app.writes_in_flight());
        frame.render_widget(Paragraph::new(Span::styled(text, theme.key())), area);
        return;
    }
    if app.search.typing {
        let label = format!(" {}: ", app.lang.t(T::Search));
        // The end of a long search stays in view, where the typing is.
        let room = usize::from(area.width).saturating_sub(label.width() + 1);
        let typed = sanitize_line(&app.search.text);
        let typed = if typed.width() > room {
            let tail: String = typed.chars().rev().collect();
            let tail: String = fit(&tail, room).chars().rev().collect();
            tail
        } else {
            typed.into_owned()
        };
        let line = Line::from(vec![
            Span::styled(label, theme.key()),
            Span::raw(typed),
            Span::styled("_", theme.key()),
            Span::styled(
                app.lang
                    .pick("   Enter keep  Esc clear", "   Enter 保留  Esc 清除"),
                theme.dim(),
            ),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    if let Some(status) = &app.status {
        let style = if status.error {
            theme.error()
        } else {
            theme.plain()
        };
        // A status longer than the screen is cut with `…`, never silently.
        let text = fit(
            &format!(" {}", sanitize_line(&status.text)),
            usize::from(area.width),
        );
        frame.render_widget(Paragraph::new(Span::styled(text, style)), area);
        return;
    }
    // Hints come most useful first; those that do not fit whole are left out, never cut.
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, label) in hints(app) {
        let key = format!(" {key}");
        let label = format!(" {label} ");
        let needed = key.width() + label.width();
        if used + needed > usize::from(area.width) {
            break;
        }
        used += needed;
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(label));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
