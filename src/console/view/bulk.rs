//! A bulk action's preview: the marked cases grouped by what will happen to them.

use super::super::app::dialog::BulkLine;
use crate::text::sanitize_line;
use unicode_width::UnicodeWidthStr;

/// The preview's rows, grouped by what will happen: a line per action (and per refusal the domain
/// predicts) with its count, then its case numbers packed into rows of `width`; at most `room`
/// rows, the last group's numbers ending with how many are left out. `true` for a refusal.
pub fn rows(preview: &[BulkLine], width: usize, room: usize) -> Vec<(String, bool)> {
    let mut groups: Vec<(&str, Option<&str>, Vec<String>)> = Vec::new();
    for line in preview {
        let key = (line.action.as_str(), line.refusal.as_deref());
        let number = sanitize_line(&line.case_no).into_owned();
        match groups.iter_mut().find(|g| (g.0, g.1) == key) {
            Some(group) => group.2.push(number),
            None => groups.push((key.0, key.1, vec![number])),
        }
    }
    let mut rows: Vec<(String, bool)> = Vec::new();
    for (g, (action, refusal, numbers)) in groups.iter().enumerate() {
        let left = room.saturating_sub(rows.len());
        if left < 2 {
            // No room for another group: the last row says how many cases are not shown,
            // counting those of the row it takes, if it must take one.
            let mut more: usize = groups[g..].iter().map(|g| g.2.len()).sum();
            if left == 0 {
                more += rows.pop().map_or(0, |(row, _)| cases_in(row.as_str()));
            }
            rows.push((format!("  +{more}"), false));
            break;
        }
        let head = match refusal {
            Some(why) => format!("✗ {action} ({}): {why}", numbers.len()),
            None => format!("{action} ({})", numbers.len()),
        };
        let refused = refusal.is_some();
        rows.push((
            crate::text::fit_cells(&sanitize_line(&head), width).into_owned(),
            refused,
        ));
        rows.extend(
            case_rows(numbers, width.saturating_sub(2), left - 1)
                .into_iter()
                .map(|r| (format!("  {r}"), refused)),
        );
    }
    rows
}

/// How many cases a row of case numbers stands for: each number, and the count of a `+12`.
fn cases_in(row: &str) -> usize {
    row.split_whitespace()
        .map(|word| match word.strip_prefix('+') {
            Some(n) => n.parse().unwrap_or(0),
            None => 1,
        })
        .sum()
}

/// Case numbers in at most `room` rows of `width` cells; when they do not all fit, the last row
/// ends with how many are left out (`+12`).
fn case_rows(numbers: &[String], width: usize, room: usize) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for (i, number) in numbers.iter().enumerate() {
        let gap = usize::from(!row.is_empty());
        if row.width() + gap + number.width() > width && !row.is_empty() {
            if rows.len() + 1 == room {
                // The last row: make room for the count of the rest.
                let mut left = numbers.len() - i;
                let mut words: Vec<&str> = row.split(' ').collect();
                while words.len() > 1
                    && words.join(" ").width() + format!(" +{left}").width() > width
                {
                    words.pop();
                    left += 1;
                }
                rows.push(format!("{} +{left}", words.join(" ")));
                return rows;
            }
            rows.push(std::mem::take(&mut row));
        } else if gap == 1 {
            row.push(' ');
        }
        row.push_str(number);
    }
    rows.push(row);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(case_no: &str, action: &str, refusal: Option<&str>) -> BulkLine {
        BulkLine {
            case_no: case_no.into(),
            action: action.into(),
            refusal: refusal.map(str::to_string),
        }
    }

    #[test]
    fn the_count_of_cases_left_out_counts_every_one_not_shown() {
        let preview = [
            line("GZ2026-000001", "return", None),
            line("GZ2026-000002", "return", None),
            line("GZ2026-000003", "return", Some("nobody holds it")),
        ];
        // Room for the first group's head only: its two numbers and the refused case are left
        // out, and said.
        let rows = rows(&preview, 60, 2);
        let text: Vec<&str> = rows.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(text, ["return (2)", "  +3"]);
        let all = super::rows(&preview, 60, 10);
        assert_eq!(all.len(), 4, "{all:?}");
    }
}
