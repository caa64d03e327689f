//! The case table: selection, marks, the sort column and the deadline cell that carries the eye.

use super::super::app::App;
use super::super::app::list::List;
use super::super::i18n::{Lang, T};
use super::super::theme::Theme;
use crate::domain::{Deadline, DeadlineState, Queue, Wait};
use crate::store::SortColumn;
use crate::text::{fit_cells, sanitize_line};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

/// `-3d OVERDUE`, `1d due soon`, `4d`, `paused`; `?` marks a provisional deadline.
pub fn deadline_text(deadline: Option<&Deadline>, lang: Lang) -> String {
    let Some(d) = deadline else {
        return "-".into();
    };
    let mark = if d.provisional { "?" } else { "" };
    let days = lang.t(T::DaysLeft);
    match (d.state, d.days_left) {
        (DeadlineState::Paused, _) => lang.deadline_state(DeadlineState::Paused).into(),
        (DeadlineState::Overdue, Some(n)) => {
            format!("{n}{days}{mark} {}", lang.deadline_state(d.state))
        }
        (DeadlineState::DueSoon, Some(n)) => {
            format!("{n}{days}{mark} {}", lang.deadline_state(d.state))
        }
        (_, Some(n)) => format!("{n}{days}{mark}"),
        (state, None) => lang.deadline_state(state).into(),
    }
}

/// A table's deadline cell in parts, so that the days line up down the column whatever word
/// follows or leads them: `-15d OVERDUE`, `  0d due soon`, `  5d`; `paused  9d`, `paused 12d`.
struct DueCell {
    /// A wait's word, before its days (`paused`).
    lead: Option<&'static str>,
    /// `-15d`, without a provisional mark.
    days: Option<String>,
    provisional: bool,
    /// The state's word, or the whole text when there are no days.
    word: String,
}

/// How wide each part of the column's cells is, so that they line up.
#[derive(Default)]
struct DueWidths {
    /// A deadline's days.
    days: usize,
    /// A provisional mark's cell, when any row has one.
    mark: bool,
    /// A wait's word and its days.
    lead: usize,
    wait_days: usize,
}

impl DueWidths {
    fn of(cells: &[DueCell]) -> DueWidths {
        let mut w = DueWidths::default();
        for c in cells {
            let days = c.days.as_ref().map_or(0, |d| d.width());
            match c.lead {
                Some(lead) => {
                    w.lead = w.lead.max(lead.width());
                    w.wait_days = w.wait_days.max(days);
                }
                None => {
                    w.days = w.days.max(days);
                    w.mark |= c.provisional;
                }
            }
        }
        w
    }
}

impl DueCell {
    fn of(deadline: Option<&Deadline>, wait: Option<&Wait>, lang: Lang) -> DueCell {
        let word = |word: String| DueCell {
            lead: None,
            days: None,
            provisional: false,
            word,
        };
        let waited = |w: &Wait| DueCell {
            lead: Some(lang.wait_word(w.on)),
            days: Some(format!("{}{}", w.days, lang.t(T::DaysLeft))),
            provisional: false,
            word: String::new(),
        };
        let Some(d) = deadline else {
            return wait.map_or_else(|| word("-".into()), waited);
        };
        match (d.state, d.days_left) {
            (DeadlineState::Paused, _) => {
                wait.map_or_else(|| word(lang.deadline_state(d.state).into()), waited)
            }
            (state, Some(n)) => DueCell {
                lead: None,
                days: Some(format!("{n}{}", lang.t(T::DaysLeft))),
                provisional: d.provisional,
                word: match state {
                    DeadlineState::Overdue | DeadlineState::DueSoon => {
                        lang.deadline_state(state).into()
                    }
                    _ => String::new(),
                },
            },
            (state, None) => word(lang.deadline_state(state).into()),
        }
    }

    /// The cell's text, its parts padded to the column's `widths`.
    fn text(&self, widths: &DueWidths) -> String {
        let pad = |text: &str, width: usize| " ".repeat(width.saturating_sub(text.width()));
        let Some(n) = &self.days else {
            return self.word.clone();
        };
        let mut text = String::new();
        if let Some(lead) = self.lead {
            text.push_str(lead);
            text.push_str(&pad(lead, widths.lead));
            text.push(' ');
            text.push_str(&pad(n, widths.wait_days));
            text.push_str(n);
            return text;
        }
        text.push_str(&pad(n, widths.days));
        text.push_str(n);
        if widths.mark {
            text.push(if self.provisional { '?' } else { ' ' });
        }
        if !self.word.is_empty() {
            text.push(' ');
            text.push_str(&self.word);
        }
        text.trim_end().to_string()
    }
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let lang = app.lang;
    let queue = app.queue();
    // A search looks through every queue (the tab's filter does not apply to it); the title and
    // a stage column say so.
    let searching = app.is_searching();
    let scope = if searching {
        lang.t(T::AllQueues)
    } else {
        lang.queue(queue)
    };
    // Chinese takes the full-width colon and comma, as its other titles do.
    let (colon, comma) = (lang.t(T::TitleColon), lang.t(T::TitleComma));
    let mut title = format!(
        " {scope}{colon}{} {}",
        app.list
            .total
            .map(|t| format!("{t}{}", if app.list.total_more { "+" } else { "" }))
            .unwrap_or_else(|| "…".into()),
        match app.list.total {
            Some(total) if !app.list.total_more => lang.cases(total),
            _ => lang.t(T::Cases),
        }
    );
    let sort = match app.list.sort.column {
        SortColumn::Deadline => lang.t(T::ByDeadline),
        SortColumn::CaseNo => lang.t(T::ByCaseNo),
    };
    title.push_str(&format!(
        "{comma}{sort}{} ",
        if app.list.sort.descending { " ↓" } else { "" }
    ));
    if app.list.filter != crate::domain::Filter::All && !searching {
        title.push_str(&format!(
            "[{} {}] ",
            lang.t(T::Filter),
            lang.filter(app.list.filter)
        ));
    }
    if !app.search.text.is_empty() {
        title.push_str(&format!(
            "[{} \"{}\"] ",
            lang.t(T::Search),
            sanitize_line(&app.search.text)
        ));
    }
    if !app.list.marked.is_empty() {
        title.push_str(&format!(
            "[{} {}] ",
            app.list.marked.len(),
            lang.t(T::Marked)
        ));
    }
    draw_list(
        frame,
        app,
        theme,
        area,
        &app.list,
        title,
        (!searching).then_some(queue),
    );
}

/// The stage column, shown wide or when the rows come from more than one queue.
const STAGE_WIDTH: u16 = 12;
/// The Decision queue's recommendation: a verdict and a login.
const RECOMMENDED_WIDTH: u16 = 18;

/// What an empty table says: what hides the rows there are, when something does.
fn hidden_rows(app: &App, list: &List, across_queues: bool) -> String {
    let lang = app.lang;
    let queue = app.queue();
    let in_queue = app.counts.as_ref().map(|c| c.get(queue)).unwrap_or(0);
    if across_queues || list.filter == crate::domain::Filter::All || in_queue == 0 {
        return lang.t(T::NoCases).to_string();
    }
    let filter = lang.filter(list.filter);
    let name = lang.queue(queue);
    lang.filter_hides(filter, in_queue, name)
}

/// Draws `list` as the case table under `title`.
pub fn draw_list(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    list: &List,
    title: String,
    queue: Option<Queue>,
) {
    let across_queues = queue.is_none();
    let lang = app.lang;
    // Marks are the console's, wherever a case was marked (a queue or a dashboard list).
    let marks = &app.list;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Span::styled(
            super::box_title(&title, area.width),
            theme.title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if list.rows.is_empty() {
        let text = if list.loading {
            lang.t(T::Loading).to_string()
        } else {
            hidden_rows(app, list, across_queues)
        };
        frame.render_widget(Paragraph::new(format!(" {text}")).style(theme.dim()), inner);
        return;
    }
    let wide = inner.width >= 110;
    // Columns per queue: My cases are all the user's own, and Closed cases are nobody's and
    // have no running deadline but an outcome, which their stage column is.
    let closed = queue == Some(Queue::Closed);
    let show_stage = wide || across_queues || closed;
    let show_deadline = !closed;
    // Returned and Awaiting entry cases have no running deadline: the column says how long each
    // has waited on the employer or the applicant instead.
    let waiting = queue.is_some_and(|q| !q.has_running_deadlines());
    // Claims are taken in Pre-audit and Review and kept while returned; Decision, Awaiting entry
    // and Verification cases are nobody's.
    let held_column = !matches!(
        queue,
        Some(
            Queue::MyCases
                | Queue::Closed
                | Queue::Decision
                | Queue::AwaitingEntry
                | Queue::Verification
        )
    );
    // Cases awaiting a signature show the recommendation and whose it is.
    let show_recommended = queue == Some(Queue::Decision);
    let visible = crate::console::layout::table_rows(area);
    let offset = super::super::app::list::scroll_offset(list.selected, list.offset, visible);
    // The case number whole, however long the ones on screen are.
    let case_width = list
        .rows
        .iter()
        .skip(offset)
        .take(visible)
        .map(|r| sanitize_line(&r.case_no).width())
        .chain([13, lang.t(T::Case).width()])
        .max()
        .unwrap_or(13) as u16;
    let kind_width = if lang == Lang::Zh { 10 } else { 14 };
    // The deadline cells on screen, their days aligned, and the column as wide as they need.
    let due_cells: Vec<DueCell> = list
        .rows
        .iter()
        .skip(offset)
        .take(visible)
        .map(|row| {
            // A row kept after the action that moved it to another stage says where it went.
            let moved =
                list.kept.as_deref() == Some(row.case_no.as_str()) && row.deadline.is_none();
            if moved {
                DueCell {
                    lead: None,
                    days: None,
                    provisional: false,
                    word: format!("{} {}", theme.arrow(), lang.stage(row.stage)),
                }
            } else {
                DueCell::of(row.deadline.as_ref(), list.waits.get(&row.case_no), lang)
            }
        })
        .collect();
    let due_widths = DueWidths::of(&due_cells);
    let due_texts: Vec<String> = due_cells.iter().map(|c| c.text(&due_widths)).collect();
    let deadline_header = if waiting { T::Waiting } else { T::Deadline };
    let deadline_width = if show_deadline {
        due_texts
            .iter()
            .map(|t| t.width())
            .chain([lang.t(deadline_header).width()])
            .max()
            .unwrap_or(0)
            .min(16) as u16
    } else {
        0
    };
    // Narrow screens drop the least important columns first (kind, held by, nationality, then
    // category) so the case number, the applicant and the deadline always fit.
    const APPLICANT_MIN: u16 = 12;
    let mut optional: Vec<(u16, bool)> =
        vec![(kind_width, true), (9, held_column), (3, true), (3, true)];
    let stage_width: u16 = if show_stage { STAGE_WIDTH + 1 } else { 0 }
        + if show_recommended {
            RECOMMENDED_WIDTH + 1
        } else {
            0
        };
    let needed = |optional: &[(u16, bool)]| -> u16 {
        let shown: Vec<u16> = optional.iter().filter(|c| c.1).map(|c| c.0).collect();
        // marker, case, applicant, deadline
        let columns = 3 + u16::from(show_deadline) + shown.len() as u16;
        1 + case_width
            + deadline_width
            + shown.iter().sum::<u16>()
            + (columns - 1)
            + APPLICANT_MIN
            + stage_width
    };
    if !wide {
        for i in 0..optional.len() {
            if needed(&optional) <= inner.width {
                break;
            }
            optional[i].1 = false;
        }
    }
    let [show_kind, show_held, show_nat, show_cat] = [0, 1, 2, 3].map(|i| optional[i].1);
    let sorted_by_case = list.sort.column == SortColumn::CaseNo;
    let header_style = theme.bold().add_modifier(Modifier::UNDERLINED);
    let mut headers = vec![
        Cell::from(" "),
        Cell::from(lang.t(T::Case)).style(if sorted_by_case {
            theme.key()
        } else {
            header_style
        }),
        Cell::from(lang.t(T::Applicant)).style(header_style),
    ];
    if show_nat {
        headers.push(Cell::from(lang.t(T::Nat)).style(header_style));
    }
    if show_cat {
        headers.push(Cell::from(lang.t(T::Cat)).style(header_style));
    }
    if show_kind {
        headers.push(Cell::from(lang.t(T::KindCol)).style(header_style));
    }
    if show_stage {
        let name = if closed { T::Outcome } else { T::StageCol };
        headers.push(Cell::from(lang.t(name)).style(header_style));
    }
    if show_held {
        headers.push(Cell::from(lang.t(T::HeldBy)).style(header_style));
    }
    if show_recommended {
        headers.push(Cell::from(lang.t(T::Recommended)).style(header_style));
    }
    if show_deadline {
        headers.push(
            Cell::from(lang.t(deadline_header)).style(if sorted_by_case || waiting {
                header_style
            } else {
                theme.key()
            }),
        );
    }
    if wide {
        headers.push(Cell::from(lang.t(T::Employer)).style(header_style));
    }
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(case_width),
        Constraint::Fill(2),
    ];
    if show_nat {
        widths.push(Constraint::Length(3));
    }
    if show_cat {
        widths.push(Constraint::Length(3));
    }
    if show_kind {
        widths.push(Constraint::Length(kind_width));
    }
    if show_stage {
        widths.push(Constraint::Length(STAGE_WIDTH));
    }
    if show_held {
        widths.push(Constraint::Length(9));
    }
    if show_recommended {
        widths.push(Constraint::Length(RECOMMENDED_WIDTH));
    }
    if show_deadline {
        widths.push(Constraint::Length(deadline_width));
    }
    if wide {
        widths.push(Constraint::Fill(2));
    }
    // The columns' widths as the table will draw them, so that every cut text ends in `…`.
    let columns: Vec<u16> = Layout::horizontal(widths)
        .spacing(1)
        .split(Rect::new(0, 0, inner.width, 1))
        .iter()
        .map(|r| r.width)
        .collect();
    let text_cell = |cells: &[Cell], text: &str| {
        let width = columns.get(cells.len()).copied().unwrap_or(0);
        Cell::from(fit_cells(text, usize::from(width)).into_owned())
    };
    let rows: Vec<Row> = list
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible)
        .map(|(i, row)| {
            let marker = if i == list.selected {
                theme.cursor_mark()
            } else if marks.is_marked(&row.case_no) {
                theme.marked()
            } else {
                " "
            };
            let marker = if i == list.selected && marks.is_marked(&row.case_no) {
                theme.marked()
            } else {
                marker
            };
            let applicant =
                super::display_name(&row.applicant.name, row.applicant.name_native.as_deref());
            let state = row.deadline.as_ref().map(|d| d.state);
            let deadline = due_texts.get(i - offset).map_or("", String::as_str);
            let mut cells = vec![Cell::from(marker)];
            cells.push(text_cell(&cells, &sanitize_line(&row.case_no)));
            cells.push(text_cell(&cells, &applicant));
            if show_nat {
                cells.push(text_cell(
                    &cells,
                    &sanitize_line(&row.applicant.nationality),
                ));
            }
            if show_cat {
                cells.push(text_cell(&cells, row.category.as_str()));
            }
            if show_kind {
                cells.push(text_cell(&cells, lang.kind_short(row.kind)));
            }
            if show_stage {
                cells.push(text_cell(&cells, lang.stage(row.stage)));
            }
            if show_held {
                let held = row.assignee.as_deref().map(sanitize_line);
                cells.push(text_cell(&cells, held.as_deref().unwrap_or("-")));
            }
            if show_recommended {
                let text = row.recommended.as_ref().map_or_else(
                    || "-".to_string(),
                    |r| format!("{} {}", lang.verdict(r.verdict), sanitize_line(&r.by)),
                );
                cells.push(text_cell(&cells, &text));
            }
            if show_deadline {
                let width = columns.get(cells.len()).copied().unwrap_or(0);
                cells.push(
                    Cell::from(fit_cells(deadline, usize::from(width)).into_owned())
                        .style(state.map(|s| theme.deadline(s)).unwrap_or_default()),
                );
            }
            if wide {
                cells.push(text_cell(&cells, &sanitize_line(&row.employer.name)));
            }
            let mut r = Row::new(cells);
            if i == list.selected {
                r = r.style(theme.selected());
            } else if !row.stage.is_open() {
                r = r.style(theme.dim());
            }
            r
        })
        .collect();
    let widths = columns.into_iter().map(Constraint::Length);
    let table = Table::new(rows, widths)
        .header(Row::new(headers).style(Style::default()))
        .column_spacing(1);
    frame.render_widget(table, inner);
}
