//! Colours and marks. Colour always repeats what text already says, so `NO_COLOR` loses nothing;
//! `--ascii` swaps box drawing and symbols for plain characters.

use crate::domain::DeadlineState;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub ascii: bool,
    pub high_contrast: bool,
}

/// The `theme` setting of the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeName {
    #[default]
    Default,
    /// Strong backgrounds for bright rooms and projectors.
    HighContrast,
    /// No colour at all, as with `NO_COLOR`.
    Mono,
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
        if self.color && self.high_contrast {
            Style::default()
                .bg(Color::Yellow)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD)
        } else if self.color {
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
        if self.high_contrast {
            return match state {
                DeadlineState::Overdue | DeadlineState::Missed => Style::default()
                    .fg(Color::White)
                    .bg(Color::Red)
                    .add_modifier(Modifier::BOLD),
                DeadlineState::DueSoon => Style::default().fg(Color::Black).bg(Color::Yellow),
                DeadlineState::Met => Style::default().fg(Color::Black).bg(Color::Green),
                DeadlineState::Paused | DeadlineState::OnTrack => Style::default(),
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
