//! Plain-text output: aligned columns measured in terminal cells (CJK is two wide), and every
//! string from the store made inert before it is printed.

use crate::domain::{Deadline, DeadlineState};
use crate::text::sanitize_line;
use unicode_width::UnicodeWidthStr;

/// `s` made inert and cut to at most `width` terminal cells, a cut marked with `…`.
pub fn fit(s: &str, width: usize) -> String {
    crate::text::fit_cells(&sanitize_line(s), width).into_owned()
}

pub fn pad(s: &str, width: usize) -> String {
    let cut = fit(s, width);
    let fill = width.saturating_sub(cut.width());
    format!("{cut}{}", " ".repeat(fill))
}

pub fn pad_left(s: &str, width: usize) -> String {
    let cut = fit(s, width);
    let fill = width.saturating_sub(cut.width());
    format!("{}{cut}", " ".repeat(fill))
}

/// `-3d OVERDUE`, `1d due soon`, `4d`, `paused`; a provisional deadline carries `?`.
pub fn deadline_cell(deadline: Option<&Deadline>) -> String {
    let Some(d) = deadline else {
        return "-".into();
    };
    let mark = if d.provisional { "?" } else { "" };
    match (d.state, d.days_left) {
        (DeadlineState::Paused, _) => "paused".into(),
        (DeadlineState::Overdue, Some(n)) => format!("{n}d{mark} OVERDUE"),
        (DeadlineState::DueSoon, Some(n)) => format!("{n}d{mark} due soon"),
        (_, Some(n)) => format!("{n}d{mark}"),
        (state, None) => state.as_str().into(),
    }
}

pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    right: Vec<bool>,
    max: Vec<usize>,
}

impl Table {
    /// Columns as (header, max width, right-aligned).
    pub fn new(columns: &[(&'static str, usize, bool)]) -> Table {
        Table {
            headers: columns.iter().map(|c| c.0).collect(),
            max: columns.iter().map(|c| c.1).collect(),
            right: columns.iter().map(|c| c.2).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                let w = sanitize_line(cell).width().min(self.max[i]);
                widths[i] = widths[i].max(w);
            }
        }
        let line = |cells: Vec<String>| -> String {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if self.right[i] {
                        pad_left(c, widths[i])
                    } else {
                        pad(c, widths[i])
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let mut out = line(self.headers.iter().map(|h| h.to_string()).collect());
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row.clone()));
            out.push('\n');
        }
        out
    }
}

pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    crate::outln!("{}", crate::text::json_pretty(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_cells_align_by_terminal_width() {
        assert_eq!(pad("李伟", 6), "李伟  ");
        assert_eq!(pad("LI WEI", 6), "LI WEI");
        assert_eq!(fit("田中 太郎田中 太郎", 8), "田中 太…");
    }

    #[test]
    fn escape_sequences_never_reach_the_output() {
        assert_eq!(pad("\u{1b}]0;pwned\u{7}Ann", 5), "Ann  ");
    }
}
