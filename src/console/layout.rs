//! Where each part of the screen goes, from the terminal's size and what the screen shows. The
//! view draws into these rectangles and `update` asks them (how many rows a page of the table
//! is, how far the detail panel scrolls, where the help stops), so the two cannot disagree.
//! Pure: no app, no frame.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the console says the terminal is too small instead of drawing.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// From this width the detail panel shares the screen with the table.
pub const SIDE_BY_SIDE: u16 = 140;
/// The table's share of a side-by-side screen, in percent; the detail has the rest.
const TABLE_PERCENT: u16 = 58;

/// What the body of the screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// A list of cases (a queue, or the cases behind a dashboard figure) with the selected case's
    /// detail: beside it on a wide screen, instead of it on a narrow one while it has the focus.
    List { detail_focused: bool },
    /// The dashboard's figures.
    Dashboard,
    /// A review session: the case, full-screen.
    Review,
}

/// The rectangles of one screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// The terminal is smaller than `MIN_WIDTH` x `MIN_HEIGHT`: only a message is drawn.
    pub too_small: bool,
    /// Who is logged in, the date, the store.
    pub header: Rect,
    /// The queue tabs, or a review session's banner.
    pub tabs: Rect,
    /// Everything between the tabs and the footer.
    pub body: Rect,
    /// The case table, borders included, when one is drawn.
    pub table: Option<Rect>,
    /// The detail panel, borders included, when one is drawn.
    pub detail: Option<Rect>,
    /// Key hints, the status line or the search being typed.
    pub footer: Rect,
}

/// The screen of a `width` x `height` terminal showing `body`.
pub fn screen(width: u16, height: u16, body: Body) -> Screen {
    let area = Rect::new(0, 0, width, height);
    let [header, tabs, middle, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(1),
    ])
    .areas(area);
    let (table, detail) = match body {
        Body::Dashboard => (None, None),
        Body::Review => (None, Some(middle)),
        Body::List { .. } if width >= SIDE_BY_SIDE => {
            let [left, right] = Layout::horizontal([
                Constraint::Percentage(TABLE_PERCENT),
                Constraint::Percentage(100 - TABLE_PERCENT),
            ])
            .areas(middle);
            (Some(left), Some(right))
        }
        Body::List {
            detail_focused: true,
        } => (None, Some(middle)),
        Body::List {
            detail_focused: false,
        } => (Some(middle), None),
    };
    Screen {
        too_small: width < MIN_WIDTH || height < MIN_HEIGHT,
        header,
        tabs,
        body: middle,
        table,
        detail,
        footer,
    }
}

/// How many cases a table drawn in `area` shows: the rows inside its borders, under its header.
pub fn table_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3)).max(1)
}

/// How many cases a page of the case table holds on a `width` x `height` terminal: the rows of
/// the table as it is drawn when the list has the focus (paging and scrolling keep the
/// selection within them, whether or not the detail covers the table just now).
pub fn visible_rows(width: u16, height: u16) -> usize {
    let list = screen(
        width,
        height,
        Body::List {
            detail_focused: false,
        },
    );
    list.table.map_or(1, table_rows)
}

/// The inside of a bordered box drawn in `area`.
pub fn inner(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1).min(area.right()),
        y: area.y.saturating_add(1).min(area.bottom()),
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

/// A dialog of `width` x `height` centred on `area`, kept a cell inside its edges and never
/// smaller than 10 x 5.
pub fn dialog(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width.saturating_sub(2)).max(10);
    let height = height.min(area.height.saturating_sub(2)).max(5);
    Rect {
        x: area.x + area.width.saturating_sub(width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height,
    }
}

/// The help dialog on a `width` x `height` terminal: two rows short of the screen.
pub fn help(width: u16, height: u16) -> Rect {
    dialog(Rect::new(0, 0, width, height), 84, height.saturating_sub(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_list_is_the_table_or_the_detail_and_a_wide_one_both() {
        let narrow = screen(
            80,
            24,
            Body::List {
                detail_focused: false,
            },
        );
        assert_eq!(narrow.table, Some(Rect::new(0, 2, 80, 21)));
        assert_eq!(narrow.detail, None);
        let focused = screen(
            80,
            24,
            Body::List {
                detail_focused: true,
            },
        );
        assert_eq!((focused.table, focused.detail), (None, Some(narrow.body)));
        let wide = screen(
            160,
            48,
            Body::List {
                detail_focused: true,
            },
        );
        let (table, detail) = (wide.table.expect("table"), wide.detail.expect("detail"));
        assert_eq!(table.width + detail.width, 160);
        assert_eq!(table.right(), detail.x);
        assert_eq!(screen(160, 48, Body::Review).detail, Some(wide.body));
    }

    #[test]
    fn a_page_is_the_tables_rows_whatever_has_the_focus() {
        assert_eq!(visible_rows(80, 24), 18);
        assert_eq!(visible_rows(200, 60), 54);
        assert_eq!(visible_rows(60, 1), 1);
        assert!(screen(59, 24, Body::Dashboard).too_small);
        assert!(screen(60, 15, Body::Dashboard).too_small);
        assert!(!screen(60, 16, Body::Dashboard).too_small);
    }

    #[test]
    fn dialogs_stay_inside_the_screen() {
        let area = Rect::new(0, 0, 60, 16);
        let d = dialog(area, 84, 30);
        assert_eq!(d, Rect::new(1, 1, 58, 14));
        assert_eq!(help(80, 24).height, 22);
    }
}
