//! The supervisor dashboard (`D`): headline figures, overdue verifications by days and by employer,
//! workload per assignee, and the 30-day overdue trend. Each panel is drawn as its section
//! arrives; until then it says it is loading.

use super::super::app::App;
use super::super::app::dashboard::{DashboardView, Entry, HEADLINE_FIGURES, section};
use super::super::theme::Theme;
use crate::store::DashboardSection;
use crate::text::sanitize_line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

fn bar(count: i64, max: i64, width: usize, ascii: bool) -> String {
    if max <= 0 || count <= 0 {
        return String::new();
    }
    let n = ((count as f64 / max as f64) * width as f64).ceil() as usize;
    (if ascii { "#" } else { "█" }).repeat(n.clamp(1, width))
}

/// The trend as one character per day, scaled to the highest day.
pub fn sparkline(values: &[i64], ascii: bool) -> String {
    let levels: &[char] = if ascii {
        &['_', '.', ':', '-', '=', '+', '*', '#']
    } else {
        &['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']
    };
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|v| {
            let i = ((*v as f64 / max as f64) * (levels.len() - 1) as f64).round() as usize;
            levels[i.min(levels.len() - 1)]
        })
        .collect()
}

/// How a panel's rows share its width: the counts always whole, the labels what they need up to
/// a limit, the bars the rest (a label gives way down to a few cells before a bar disappears).
#[derive(Debug, PartialEq, Eq)]
struct Widths {
    label: usize,
    count: usize,
    extra: usize,
    bar: usize,
}

impl Widths {
    const LABEL_MAX: usize = 24;
    const LABEL_MIN: usize = 8;
    const BAR_MIN: usize = 4;

    fn share<'a>(inner: usize, entries: impl Iterator<Item = &'a Entry> + Clone) -> Widths {
        use unicode_width::UnicodeWidthStr;
        let count = entries
            .clone()
            .map(|e| e.count.to_string().len())
            .max()
            .unwrap_or(1);
        let extra = entries
            .clone()
            .filter_map(|e| e.extra.map(|n| format!(" ({n})").len()))
            .max()
            .unwrap_or(0);
        let wanted = entries
            .map(|e| sanitize_line(&e.label).width())
            .max()
            .unwrap_or(0)
            .min(Self::LABEL_MAX);
        // Cursor, the label, a space, the count and its extra, a space, the bar.
        let fixed = 1 + 1 + count + extra + 1;
        let room = inner.saturating_sub(fixed);
        let label = if room >= wanted + Self::BAR_MIN {
            wanted
        } else {
            room.saturating_sub(Self::BAR_MIN)
                .max(Self::LABEL_MIN.min(wanted))
                .min(room)
        };
        Widths {
            label,
            count,
            extra,
            bar: room - label,
        }
    }
}

/// A panel `width` cells wide, its title cut with `…` when it does not fit.
fn panel<'a>(theme: &Theme, title: &str, width: u16) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Span::styled(
            super::box_title(&format!(" {title} "), width),
            theme.title(),
        ))
}

/// The cases behind the opened figure, as a queue's table: `area` is the table's place in the
/// layout (the detail panel, beside it or instead of it, is drawn by `super::draw`).
pub fn draw_cases(frame: &mut Frame, app: &App, theme: &Theme, view: &DashboardView, area: Rect) {
    let Some((title, list)) = &view.opened else {
        return;
    };
    // The figure's name in the language of now (the title kept is the one it was opened in).
    let title = view
        .entries(app.lang)
        .into_iter()
        .find(|e| Some(&e.figure) == view.figure.as_ref())
        .map_or_else(|| title.clone(), |e| e.label);
    let (title, n) = (sanitize_line(&title).into_owned(), list.total.unwrap_or(0));
    let marked = app.list.marked.len();
    let mut title = match app.lang {
        crate::console::i18n::Lang::En => {
            let cases = app.lang.cases(n);
            format!(" {title}: {n} {cases} (Enter opens the case, Esc back) ")
        }
        crate::console::i18n::Lang::Zh => {
            format!(" {title}：{n} 件（Enter 打开案件，Esc 返回） ")
        }
    };
    if marked > 0 {
        title.push_str(&format!(
            "[{marked} {}] ",
            app.lang.t(crate::console::i18n::T::Marked)
        ));
    }
    super::table::draw_list(frame, app, theme, area, list, title, None);
}

/// The dashboard's figures in `area`, the screen's body.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, view: &DashboardView, area: Rect) {
    let data = &view.data;
    let loading = |title: &str, width: u16| {
        Paragraph::new(Span::styled(
            format!(" {}…", app.lang.t(crate::console::i18n::T::Loading)),
            theme.dim(),
        ))
        .block(panel(theme, title, width))
    };
    let entries = view.entries(app.lang);
    let l = app.lang;
    let line_for = |i: usize, e: &Entry, max: i64, w: &Widths| -> Line<'static> {
        let selected = i == view.selected;
        let style = if selected {
            theme.selected()
        } else {
            theme.plain()
        };
        let label = super::pad(
            &crate::console::view::fit(&sanitize_line(&e.label), w.label),
            w.label,
        );
        let extra = e.extra.map(|n| format!(" ({n})")).unwrap_or_default();
        Line::from(vec![
            Span::styled(
                format!(
                    "{}{label}",
                    if selected { theme.cursor_mark() } else { " " }
                ),
                style,
            ),
            Span::styled(format!(" {:>1$}", e.count, w.count), style),
            Span::styled(format!("{extra:<0$} ", w.extra), style),
            Span::styled(
                bar(e.count, max, w.bar, theme.ascii),
                theme.deadline(crate::domain::DeadlineState::Overdue),
            ),
        ])
    };
    let headline_height = HEADLINE_FIGURES as u16 + 2;
    let [headline, middle, trend, hint] = Layout::vertical([
        Constraint::Length(headline_height),
        Constraint::Min(6),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let by_section = |s: u8| -> Vec<(usize, &Entry)> {
        entries
            .iter()
            .enumerate()
            .filter(|(_, e)| section(e) == s)
            .collect()
    };
    let headline_title = format!("{} {}", l.pick("Dashboard,", "看板"), data.today);
    if view.has(DashboardSection::Headline) {
        let mut head_text: Vec<Line> = by_section(0)
            .into_iter()
            .map(|(i, e)| {
                let selected = i == view.selected;
                let style = if selected {
                    theme.selected()
                } else {
                    theme.bold()
                };
                Line::from(Span::styled(
                    format!(
                        "{}{} {:>6}",
                        if selected { theme.cursor_mark() } else { " " },
                        super::pad(&e.label, 28),
                        e.count
                    ),
                    style,
                ))
            })
            .collect();
        if let Some(first) = head_text.first_mut() {
            first.spans.push(Span::styled(
                format!("    {} {}", l.pick("all overdue", "全部逾期"), data.overdue),
                theme.alert(),
            ));
        }
        frame.render_widget(
            Paragraph::new(super::fit_lines(
                head_text,
                headline.width.saturating_sub(2),
            ))
            .block(panel(theme, &headline_title, headline.width)),
            headline,
        );
    } else {
        frame.render_widget(loading(&headline_title, headline.width), headline);
    }
    let [left, centre, right] = Layout::horizontal([
        Constraint::Percentage(30),
        Constraint::Percentage(35),
        Constraint::Percentage(35),
    ])
    .areas(middle);
    for (area, s, title, part) in [
        (
            left,
            1u8,
            l.pick("Verification overdue by days", "核验逾期天数"),
            DashboardSection::Verifications,
        ),
        (
            centre,
            2u8,
            l.pick("By employer", "按用人单位"),
            DashboardSection::Verifications,
        ),
        (
            right,
            3u8,
            l.pick("Workload: open (overdue)", "工作量：在办（逾期）"),
            DashboardSection::Workload,
        ),
    ] {
        if !view.has(part) {
            frame.render_widget(loading(title, area.width), area);
            continue;
        }
        let items = by_section(s);
        let max = items.iter().map(|(_, e)| e.count).max().unwrap_or(0);
        let widths = Widths::share(
            usize::from(area.width.saturating_sub(2)),
            items.iter().map(|(_, e)| *e),
        );
        let lines: Vec<Line> = items
            .iter()
            .map(|(i, e)| line_for(*i, e, max, &widths))
            .collect();
        let lines = if lines.is_empty() {
            vec![Line::from(Span::styled(
                l.pick(" none", " 无"),
                theme.dim(),
            ))]
        } else {
            lines
        };
        frame.render_widget(
            Paragraph::new(super::fit_lines(lines, area.width.saturating_sub(2)))
                .block(panel(theme, title, area.width)),
            area,
        );
    }
    let trend_title = l.pick("Overdue count, last 30 days", "近30日逾期数");
    if view.has(DashboardSection::Trend) {
        let values: Vec<i64> = data.trend.points.iter().map(|p| p.overdue).collect();
        let first = data
            .trend
            .points
            .first()
            .map(|p| p.day.to_string())
            .unwrap_or_default();
        let last = values.last().copied().unwrap_or(0);
        let trend_line = Line::from(vec![
            Span::raw(format!(" {first} ")),
            Span::styled(sparkline(&values, theme.ascii), theme.key()),
            Span::raw(format!(" {} {last}", l.pick("today", "今日"))),
        ]);
        frame.render_widget(
            Paragraph::new(super::fit_line(
                trend_line,
                trend.width.saturating_sub(2).into(),
            ))
            .block(panel(theme, trend_title, trend.width)),
            trend,
        );
    } else {
        frame.render_widget(loading(trend_title, trend.width), trend);
    }
    let hint_line = Line::from(Span::styled(
        l.pick(
            " j/k select a figure   Enter opens the cases behind it   Esc back",
            " j/k 选择数字   Enter 查看对应案件   Esc 返回",
        ),
        theme.dim(),
    ));
    frame.render_widget(
        Paragraph::new(super::fit_line(hint_line, hint.width.into())),
        hint,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_highest_day() {
        assert_eq!(sparkline(&[0, 4, 8], true), "_=#");
        assert_eq!(sparkline(&[0, 0], false), "▁▁");
    }

    #[test]
    fn bars_are_proportional() {
        assert_eq!(bar(5, 10, 8, true), "####");
        assert_eq!(bar(0, 10, 8, true), "");
    }
}
