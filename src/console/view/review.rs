//! A review session's chrome: the banner where the tabs were (the queue it runs on and what it
//! has done) and its footer hints. The case itself is the detail panel, full-screen.

use super::super::app::App;
use super::super::i18n::T;
use super::super::theme::Theme;
use crate::text::sanitize_line;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw_banner(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let Some(review) = &app.review else {
        return;
    };
    let lang = app.lang;
    let q = &review.query;
    let mut scope = match &q.search {
        Some(text) => format!("{} \"{}\"", lang.t(T::Search), sanitize_line(text)),
        None => lang.queue(q.queue).to_string(),
    };
    if q.search.is_none() && q.filter != crate::domain::Filter::All {
        scope.push_str(&format!(
            " [{} {}]",
            lang.t(T::Filter),
            lang.filter(q.filter)
        ));
    }
    let counts = format!(
        "  {}",
        lang.review_counts(review.handled, review.skipped, true)
    );
    let line = Line::from(vec![
        Span::styled(format!(" {} ", lang.t(T::Review)), theme.active_tab()),
        Span::raw(" "),
        Span::styled(scope, theme.bold()),
        Span::raw(counts),
    ]);
    frame.render_widget(
        Paragraph::new(super::fit_line(line, area.width.into())),
        area,
    );
}
