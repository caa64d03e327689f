//! The case table's state: the rows loaded so far (pages fetched by keyset), the selection kept by
//! case number, marks, the sort and the filter.

use crate::domain::{Filter, Queue};
use crate::store::{CaseRow, Cursor, Page, Sort, SortColumn};
use std::collections::BTreeSet;

/// How many rows one page fetch asks for.
pub const PAGE_ROWS: usize = 100;

#[derive(Debug, Clone, Default)]
pub struct List {
    pub rows: Vec<CaseRow>,
    pub total: Option<i64>,
    /// `total` is a floor ("1000+").
    pub total_more: bool,
    pub selected: usize,
    /// First row drawn; kept by the view so the selection stays visible.
    pub offset: usize,
    pub next: Option<Cursor>,
    pub loading: bool,
    pub marked: BTreeSet<String>,
    pub filter: Filter,
    pub sort: Sort,
}

impl List {
    pub fn selected_row(&self) -> Option<&CaseRow> {
        self.rows.get(self.selected)
    }

    pub fn selected_case_no(&self) -> Option<String> {
        self.selected_row().map(|r| r.case_no.clone())
    }

    /// Takes a fresh first page, keeping the selection on the same case if it is still there.
    pub fn replace(&mut self, page: Page, total: i64, keep: Option<&str>) {
        let previous_index = self.selected;
        self.rows = page.rows;
        self.next = page.next;
        self.total = Some(total);
        self.loading = false;
        self.selected = match keep.and_then(|no| self.rows.iter().position(|r| r.case_no == no)) {
            Some(i) => i,
            None => previous_index.min(self.rows.len().saturating_sub(1)),
        };
        let present: BTreeSet<String> = self.rows.iter().map(|r| r.case_no.clone()).collect();
        self.marked.retain(|m| present.contains(m));
    }

    pub fn append(&mut self, page: Page) {
        let known: BTreeSet<String> = self.rows.iter().map(|r| r.case_no.clone()).collect();
        self.rows.extend(
            page.rows
                .into_iter()
                .filter(|r| !known.contains(&r.case_no)),
        );
        self.next = page.next;
        self.loading = false;
    }

    /// Moves the selection by `delta` rows; true if it moved.
    pub fn move_by(&mut self, delta: isize) -> bool {
        if self.rows.is_empty() {
            return false;
        }
        let last = self.rows.len() - 1;
        let target = (self.selected as isize + delta).clamp(0, last as isize) as usize;
        let moved = target != self.selected;
        self.selected = target;
        moved
    }

    pub fn to_top(&mut self) -> bool {
        let moved = self.selected != 0;
        self.selected = 0;
        moved
    }

    pub fn to_bottom(&mut self) -> bool {
        let last = self.rows.len().saturating_sub(1);
        let moved = self.selected != last;
        self.selected = last;
        moved
    }

    /// True when the selection is near the end of what is loaded and more rows exist.
    pub fn wants_more(&self, visible: usize) -> bool {
        !self.loading && self.next.is_some() && self.selected + visible.max(10) >= self.rows.len()
    }

    pub fn toggle_mark(&mut self) {
        if let Some(no) = self.selected_case_no() {
            if !self.marked.remove(&no) {
                self.marked.insert(no);
            }
        }
    }

    pub fn cycle_sort(&mut self) {
        self.sort.column = match self.sort.column {
            SortColumn::Deadline => SortColumn::CaseNo,
            SortColumn::CaseNo => SortColumn::Deadline,
        };
    }

    pub fn reset_for(&mut self, _queue: Queue) {
        self.rows.clear();
        self.total = None;
        self.selected = 0;
        self.offset = 0;
        self.next = None;
        self.marked.clear();
    }
}

/// Keeps the selected row on screen without jumping: the view scrolls only as far as needed.
pub fn scroll_offset(selected: usize, previous: usize, visible: usize) -> usize {
    if selected < previous {
        selected
    } else if selected >= previous + visible {
        selected + 1 - visible
    } else {
        previous
    }
}
