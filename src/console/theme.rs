//! Colours and marks. Colour always repeats what text already says, so `NO_COLOR` loses nothing;
//! `--ascii` swaps box drawing and symbols for plain characters.

use crate::domain::DeadlineState;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub ascii: bool,
}

impl Theme {
    pub fn plain(&self) -> Style {
        Style::default()
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }

    pub fn bold(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn title(&self) -> Style {
        self.bold()
    }

    pub fn selected(&self) -> Style {
        if self.color {
            Style::default()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn active_tab(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn alert(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    pub fn error(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            self.bold()
        }
    }

    pub fn key(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            self.bold()
        }
    }

    pub fn deadline(&self, state: DeadlineState) -> Style {
        if !self.color {
            return match state {
                DeadlineState::Overdue => self.bold(),
                _ => Style::default(),
            };
        }
        match state {
            DeadlineState::Overdue | DeadlineState::Missed => {
                Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
            }
            DeadlineState::DueSoon => Style::default().fg(Color::Yellow),
            DeadlineState::Met => Style::default().fg(Color::Green),
            DeadlineState::Paused => Style::default().fg(Color::DarkGray),
            DeadlineState::OnTrack => Style::default(),
        }
    }

    pub fn border(&self) -> border::Set<'static> {
        if self.ascii {
            border::Set {
                top_left: "+",
                top_right: "+",
                bottom_left: "+",
                bottom_right: "+",
                vertical_left: "|",
                vertical_right: "|",
                horizontal_top: "-",
                horizontal_bottom: "-",
            }
        } else {
            border::PLAIN
        }
    }

    pub fn cursor_mark(&self) -> &'static str {
        if self.ascii { ">" } else { "▶" }
    }

    pub fn marked(&self) -> &'static str {
        if self.ascii { "*" } else { "●" }
    }

    pub fn separator(&self) -> &'static str {
        if self.ascii { "|" } else { "│" }
    }

    pub fn arrow(&self) -> &'static str {
        "->"
    }
}
