//! A review session's chrome: the banner where the tabs were (the queue it runs on and what it
//! has done) and its footer hints. The case itself is the detail panel, full-screen.

use super::super::app::App;
use super::super::i18n::T;
use super::super::keymap::Command;
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

/// The keys that work in the session, most used first: the actions the domain lets this user
/// take on the case, then skip, end, help.
pub fn hints(app: &App) -> Vec<(String, String)> {
    let stage = app
        .detail
        .as_ref()
        .filter(|d| Some(&d.case.case_no) == app.shown_case_no().as_ref())
        .map(|d| d.case.stage);
    let keymap = &app.setup.keymap;
    let action = |c: Command| -> Option<(String, String)> {
        if !app.offers(c) {
            return None;
        }
        let key = keymap.key_list(c).into_iter().next()?;
        Some((key, super::action_label(app, c, stage).to_string()))
    };
    let own = |c: Command, label: &str| -> Option<(String, String)> {
        let key = keymap.key_list(c).into_iter().next()?;
        Some((key, label.to_string()))
    };
    // The footer keeps the first that fit: the main actions, then how to move on, then the rest.
    let mut hints: Vec<(String, String)> = [Command::Approve, Command::Return, Command::Refuse]
        .into_iter()
        .filter_map(action)
        .collect();
    hints.extend(own(Command::Skip, app.lang.t(T::ReviewSkip)));
    hints.extend(own(Command::EndReview, app.lang.t(T::ReviewEnd)));
    hints.extend(
        [
            Command::Note,
            Command::SendBack,
            Command::Extend,
            Command::Withdraw,
            Command::Assign,
        ]
        .into_iter()
        .filter_map(action),
    );
    hints.extend(own(Command::Help, Command::Help.label(app.lang)));
    hints
}
