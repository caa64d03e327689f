//! The detail panel: applicant, employer, documents, every deadline and the whole history.

use super::super::app::{App, Focus};
use super::super::i18n::T;
use super::super::theme::Theme;
use super::table::deadline_text;
use crate::domain::DeadlineState;
use crate::text::{sanitize_line, sanitize_multiline};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthStr;

fn s(text: &str) -> String {
    sanitize_line(text).into_owned()
}

/// The panel's text: its title, the lines above the history and the history, every line fitted
/// to `inner_width` cells. `None` while the selected case is not loaded.
type Content = (String, Vec<Line<'static>>, Vec<Line<'static>>);

fn content(app: &App, theme: &Theme, inner_width: usize) -> Option<Content> {
    let lang = app.lang;
    let selected = app.shown_case_no();
    let detail = app
        .detail
        .as_ref()
        .filter(|d| Some(&d.case.case_no) == selected.as_ref())?;
    let case = &detail.case;
    let title = format!(
        " {}  {}  {} {} ",
        s(&case.case_no),
        lang.kind(case.kind),
        lang.class(&case.category.to_string()),
        if case.legacy { lang.t(T::Legacy) } else { "" }
    );
    let label = |t: T| Span::styled(super::pad(lang.t(t), 12), theme.bold());
    let mut lines: Vec<Line> = Vec::new();
    let a = &case.applicant;
    let name = match &a.name_native {
        Some(native) => format!("{} ({})", s(native), s(&a.name)),
        None => s(&a.name),
    };
    lines.push(Line::from(vec![label(T::Applicant), Span::raw(name)]));
    lines.push(Line::from(vec![
        label(T::Passport),
        Span::raw(format!(
            "{}  {}{}",
            s(&a.passport_no),
            s(&a.nationality),
            a.birth_date
                .map(|d| format!("  {} {d}", lang.t(T::Born)))
                .unwrap_or_default()
        )),
    ]));
    lines.push(Line::from(vec![
        label(T::Employer),
        Span::raw(s(&case.employer.name)),
    ]));
    lines.push(Line::from(vec![
        Span::raw(super::pad("", 12)),
        Span::raw(s(&case.employer.uscc)),
    ]));
    if let Some(position) = &case.position {
        lines.push(Line::from(vec![label(T::Position), Span::raw(s(position))]));
    }
    let holder = match &case.claim {
        Some(claim) => format!(
            "{} {} {}",
            lang.t(T::HeldBy),
            s(&claim.holder),
            claim.since.format("%Y-%m-%d %H:%M")
        ),
        None => format!("{} {}", lang.t(T::HeldBy), lang.t(T::Nobody)),
    };
    lines.push(Line::from(vec![
        label(T::StageCol),
        Span::styled(lang.stage(case.stage).to_string(), theme.bold()),
        Span::raw(format!("   {holder}   v{}", case.version)),
    ]));
    lines.push(Line::from(label(T::Deadlines)));
    for d in &detail.deadlines {
        let state = match (d.state, d.ended) {
            (DeadlineState::Met | DeadlineState::Missed, Some(ended)) => {
                format!("{} {ended}", lang.deadline_state(d.state))
            }
            _ => deadline_text(Some(d), lang),
        };
        let due = d.due.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        let provisional = if d.provisional {
            format!("  ({})", lang.t(T::Provisional))
        } else {
            String::new()
        };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "  {} {} -> {due}  ",
                super::pad(lang.timer(d.timer), 18),
                d.started
            )),
            Span::styled(state, theme.deadline(d.state)),
            Span::raw(provisional),
        ]));
    }
    if detail.exam_expires_first {
        lines.push(Line::from(Span::styled(
            format!(
                "  {} {}",
                lang.t(T::ExamReport),
                lang.t(T::ExamExpiresFirst)
            ),
            theme.error(),
        )));
    }
    if !case.documents.is_empty() {
        let docs: Vec<String> = case
            .documents
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    // One document's name never wraps apart from its state.
                    lang.document(&d.kind).replace(' ', "\u{a0}"),
                    lang.t(if d.ok { T::DocOk } else { T::DocMissing })
                )
            })
            .collect();
        lines.push(Line::from(vec![
            label(T::Documents),
            Span::raw(docs.join("  ")),
        ]));
    }
    if let Some(exam) = &case.exam_report {
        lines.push(Line::from(vec![
            label(T::ExamReport),
            Span::raw(format!(
                "{} {}",
                exam.issued_on,
                lang.t(if exam.domestic {
                    T::Domestic
                } else {
                    T::NotDomestic
                })
            )),
        ]));
    }
    for (t, value) in [
        (T::Entry, case.entry_date.map(|d| d.to_string())),
        (T::Notified, case.notified_on.map(|d| d.to_string())),
        (
            T::PermitNo,
            match &case.permit {
                Some(permit) => {
                    Some(lang.permit_held(&permit.permit_no, permit.expires_on, permit.collected))
                }
                None => case.permit_no.clone(),
            },
        ),
        (T::DecisionNo, case.decision_doc_no.clone()),
    ] {
        if let Some(value) = value {
            lines.push(Line::from(vec![label(t), Span::raw(s(&value))]));
        }
    }
    if let Some(expired) = case.e_certificate_bar() {
        lines.push(Line::from(Span::styled(
            format!("  {}", lang.e_certificate_bar(expired)),
            theme.error(),
        )));
    }
    if let Some(allowed) = &case.late_allowed {
        lines.push(Line::from(vec![
            label(T::LateAllowed),
            Span::raw(format!(
                "{} {} {}{}",
                s(&allowed.by),
                allowed.on,
                s(&allowed.reason),
                if case.verified_late {
                    lang.t(T::VerifiedLate)
                } else {
                    ""
                }
            )),
        ]));
    }
    if let Some(rec) = &case.recommendation {
        lines.push(Line::from(vec![
            label(T::Recommended),
            Span::raw(format!(
                "{} {} {}",
                lang.recommendation(rec.verdict),
                s(&rec.by),
                rec.on
            )),
        ]));
    }
    lines.push(Line::from(label(T::History)));
    let mut history: Vec<Line> = Vec::new();
    // History lines are fitted here (see `super::wrap`); what runs over continues indented.
    const INDENT: &str = "      ";
    let indented = |text: &str| -> Vec<Line<'static>> {
        super::wrap(text, inner_width.saturating_sub(INDENT.len()))
            .into_iter()
            .map(|row| Line::from(Span::raw(format!("{INDENT}{row}"))))
            .collect()
    };
    for e in &detail.events {
        let transition = match e.from {
            Some(from) if from != e.to => lang.stage_move(Some(from), e.to),
            None => lang.stage_move(None, e.to),
            _ => String::new(),
        };
        let mut head = vec![
            Span::styled(format!("  {} ", e.at.format("%Y-%m-%d %H:%M")), theme.dim()),
            Span::raw(format!("{} ", super::pad(&s(&e.actor), 10))),
            Span::styled(
                format!("{} ", super::pad(lang.role(e.role), 10)),
                theme.dim(),
            ),
            Span::styled(format!("{} ", lang.action(e.action.kind())), theme.bold()),
        ];
        if e.late {
            head.push(Span::styled(format!("{} ", lang.t(T::Late)), theme.bold()));
        }
        let head_width: usize = head.iter().map(|span| span.width()).sum();
        if head_width + transition.width() <= inner_width {
            head.push(Span::raw(transition));
            history.push(Line::from(head));
        } else {
            history.push(Line::from(head));
            history.extend(indented(&transition));
        }
        if let Some(reason) = e.action.reason() {
            for line in sanitize_multiline(reason).lines() {
                history.extend(indented(line));
            }
        }
    }
    let fitted = |lines: Vec<Line<'static>>| -> Vec<Line<'static>> {
        lines
            .into_iter()
            .flat_map(|line| wrap_styled(line, inner_width))
            .collect()
    };
    Some((title, fitted(lines), fitted(history)))
}

/// The panel's area when it is on screen, from the terminal's size (`App::layout`, which
/// `super::draw` draws into).
fn area_of(app: &App) -> Rect {
    let screen = app.layout();
    screen.detail.unwrap_or(screen.body)
}

/// How far the focused panel scrolls: its wrapped rows beyond those that fit.
pub fn max_scroll(app: &App) -> u16 {
    let area = area_of(app);
    let theme = super::theme(app);
    let inner_width = usize::from(area.width.saturating_sub(2));
    let inner_height = usize::from(area.height.saturating_sub(2));
    let Some((_, head, history)) = content(app, &theme, inner_width) else {
        return 0;
    };
    let total = head.len() + history.len();
    u16::try_from(total.saturating_sub(inner_height)).unwrap_or(u16::MAX)
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let lang = app.lang;
    let inner_width = usize::from(area.width.saturating_sub(2));
    let inner_height = usize::from(area.height.saturating_sub(2));
    let Some((title, mut lines, history)) = content(app, theme, inner_width) else {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border());
        let text = if app.shown_case_no().is_some() || app.in_review() {
            lang.t(T::Loading)
        } else {
            ""
        };
        frame.render_widget(
            Paragraph::new(format!(" {text}"))
                .style(theme.dim())
                .block(block),
            area,
        );
        return;
    };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Span::styled(
            super::box_title(&title, area.width),
            theme.title(),
        ));
    if app.focus == Focus::Detail {
        // Focused: everything, scrolled by j/k/PgDn/PgUp/g/G, with where the view is.
        lines.extend(history);
        let total = lines.len();
        let max = total.saturating_sub(inner_height);
        let scroll = usize::from(app.detail_scroll).min(max);
        if max > 0 {
            let last = (scroll + inner_height).min(total);
            let more = match (scroll > 0, scroll < max) {
                (true, true) => "↑↓",
                (true, false) => "↑",
                _ => "↓",
            };
            let more = if theme.ascii {
                more.replace('↑', "^").replace('↓', "v")
            } else {
                more.to_string()
            };
            block = block.title_bottom(
                Line::from(Span::styled(
                    format!(" {more} {}-{last}/{total} j/k ", scroll + 1),
                    theme.dim(),
                ))
                .right_aligned(),
            );
        }
        let rows: Vec<Line> = lines.into_iter().skip(scroll).collect();
        frame.render_widget(Paragraph::new(rows).block(block), area);
        return;
    }
    // Beside the table: keep the newest history visible when everything does not fit, counting
    // rows as they are wrapped.
    let room = inner_height.saturating_sub(lines.len()).max(3);
    let skip = history.len().saturating_sub(room);
    if skip > 0 {
        lines.push(Line::from(Span::styled(
            format!("  … {skip} {}", lang.t(T::Earlier)),
            theme.dim(),
        )));
    }
    lines.extend(history.into_iter().skip(skip + usize::from(skip > 0)));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// `line` in rows of at most `width` cells, broken at the last space that fits (or anywhere in
/// a word longer than a row), each piece keeping its span's style. Wrapping here rather than in
/// the paragraph makes the row count exact, for the room and the scroll.
fn wrap_styled(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    use ratatui::style::Style;
    use unicode_width::UnicodeWidthChar;
    let width = width.max(2);
    if line.width() <= width {
        return vec![line];
    }
    let cell = |c: char| c.width().unwrap_or(0);
    let mut rows: Vec<Vec<(char, Style)>> = Vec::new();
    let mut row: Vec<(char, Style)> = Vec::new();
    for span in &line.spans {
        let style = line.style.patch(span.style);
        for c in span.content.chars() {
            let row_width: usize = row.iter().map(|(c, _)| cell(*c)).sum();
            if !row.is_empty() && row_width + cell(c) > width {
                match row.iter().rposition(|(c, _)| *c == ' ').filter(|i| *i > 0) {
                    Some(space) if c != ' ' => {
                        let rest = row.split_off(space + 1);
                        row.pop();
                        rows.push(std::mem::replace(&mut row, rest));
                    }
                    _ => rows.push(std::mem::take(&mut row)),
                }
                if c == ' ' && row.is_empty() {
                    continue;
                }
            }
            row.push((c, style));
        }
    }
    rows.push(row);
    rows.into_iter()
        .map(|row| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            for (c, style) in row {
                match spans.last_mut() {
                    Some(last) if last.style == style => last.content.to_mut().push(c),
                    _ => spans.push(Span::styled(c.to_string(), style)),
                }
            }
            Line::from(spans)
        })
        .collect()
}
