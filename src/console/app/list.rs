//! The case table's state: the rows loaded so far (pages fetched by keyset), the selection kept by
//! case number, marks, the sort and the filter.

use super::dialog::Target;
use crate::domain::Wait;
use crate::domain::{Filter, Queue};
use crate::store::{CaseRow, Cursor, Page, Sort, SortColumn};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many rows one page fetch asks for.
pub const PAGE_ROWS: usize = 100;

/// The most rows kept loaded: paging further lets the farthest rows go, and they are read again
/// by keyset when the selection comes back to them, so memory stays flat in a queue of any length.
pub const MAX_LOADED: usize = 10 * PAGE_ROWS;

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
    /// The last row let go above the loaded ones: the page above ends here, a refresh starts
    /// after it. `None` when the first loaded row is the queue's first.
    pub above: Option<Cursor>,
    /// The next first page starts a new query (search, filter, sort, `g`): one page, selection
    /// on its first row, instead of the loaded window again.
    pub restart: bool,
    pub loading: bool,
    /// Marked cases by case number, each with what a bulk action needs (the version, stage and
    /// holder last seen), so a mark stays a target after its row leaves the loaded window.
    pub marked: BTreeMap<String, Target>,
    pub filter: Filter,
    pub sort: Sort,
    /// What each loaded returned or notified case waits on, and since when (`Clocks::waiting`).
    pub waits: HashMap<String, Wait>,
    /// The case just acted on, kept in place (as the action left it) after it left this view,
    /// until the selection moves off it: the user sees what they did, and the next key does not
    /// land on a neighbour they have not read.
    pub kept: Option<String>,
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
        let (previous_index, keep) = if std::mem::take(&mut self.restart) {
            self.kept = None;
            (0, None)
        } else {
            (self.selected, keep)
        };
        let kept_row = self
            .kept
            .as_deref()
            .filter(|no| keep == Some(*no))
            .and_then(|no| self.rows.iter().position(|r| r.case_no == no))
            .map(|i| self.rows.swap_remove(i));
        self.rows = page.rows;
        match kept_row {
            Some(row) if !self.rows.iter().any(|r| r.case_no == row.case_no) => {
                self.rows.insert(previous_index.min(self.rows.len()), row);
            }
            // Still in this view: the fresh row is the truth.
            _ => self.kept = None,
        }
        self.next = page.next;
        self.total = Some(total);
        self.loading = false;
        self.selected = match keep.and_then(|no| self.rows.iter().position(|r| r.case_no == no)) {
            Some(i) => i,
            None => previous_index.min(self.rows.len().saturating_sub(1)),
        };
        if self.above.is_none() && self.next.is_none() {
            // The whole query is loaded: a marked case not in it has left it.
            let present: BTreeSet<&str> = self.rows.iter().map(|r| r.case_no.as_str()).collect();
            self.marked.retain(|m, _| present.contains(m.as_str()));
        }
        self.refresh_marks();
    }

    /// Takes a page's waits: `fresh` when the page replaced every loaded row. Only loaded rows'
    /// waits are kept.
    pub fn take_waits(&mut self, waits: Vec<(String, Wait)>, fresh: bool) {
        if fresh {
            self.waits.clear();
        }
        self.waits.extend(waits);
        if self.waits.len() > self.rows.len() {
            let loaded: BTreeSet<&str> = self.rows.iter().map(|r| r.case_no.as_str()).collect();
            self.waits.retain(|no, _| loaded.contains(no.as_str()));
        }
    }

    /// Marked cases that are loaded take what their rows show now.
    fn refresh_marks(&mut self) {
        if self.marked.is_empty() {
            return;
        }
        for row in &self.rows {
            if let Some(mark) = self.marked.get_mut(&row.case_no) {
                *mark = Target::of(row);
            }
        }
    }

    pub fn is_marked(&self, case_no: &str) -> bool {
        self.marked.contains_key(case_no)
    }

    /// Takes the queue's last page, read in the reverse order and one row longer than a page
    /// when more lie above (that row anchors the window), with the selection on the last row.
    pub fn bottom(&mut self, page: Page) {
        self.rows = self.read_backwards(page);
        self.next = None;
        self.restart = false;
        self.loading = false;
        self.selected = self.rows.len().saturating_sub(1);
        self.offset = self.selected;
        self.refresh_marks();
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
        self.refresh_marks();
        let extra = self.rows.len().saturating_sub(MAX_LOADED);
        if extra > 0 {
            self.above = self.rows.get(extra - 1).map(Cursor::after);
            self.rows.drain(..extra);
            self.selected = self.selected.saturating_sub(extra);
            self.offset = self.offset.saturating_sub(extra);
        }
    }

    /// Puts the page above in front: `page` was read in the reverse order from the first loaded
    /// row, one row longer than a page when more lie above (that row anchors the window).
    pub fn prepend(&mut self, page: Page) {
        let mut earlier = self.read_backwards(page);
        let known: BTreeSet<String> = self.rows.iter().map(|r| r.case_no.clone()).collect();
        earlier.retain(|r| !known.contains(&r.case_no));
        let added = earlier.len();
        earlier.append(&mut self.rows);
        self.rows = earlier;
        self.selected += added;
        self.offset += added;
        self.loading = false;
        self.refresh_marks();
        if self.rows.len() > MAX_LOADED {
            self.rows.truncate(MAX_LOADED);
            self.next = self.rows.last().map(Cursor::after);
        }
    }

    /// The rows of a page read in the reverse order, back in the queue's order; the extra row
    /// asked for, when it came, is the anchor of `above` and is not shown.
    fn read_backwards(&mut self, page: Page) -> Vec<CaseRow> {
        let mut rows = page.rows;
        self.above = if rows.len() > PAGE_ROWS {
            rows.pop().as_ref().map(Cursor::after)
        } else {
            None
        };
        rows.reverse();
        rows
    }

    /// Moves the selection by `delta` rows; true if it moved.
    pub fn move_by(&mut self, delta: isize) -> bool {
        if self.rows.is_empty() {
            return false;
        }
        let last = self.rows.len() - 1;
        let target = (self.selected as isize + delta).clamp(0, last as isize) as usize;
        self.select(target)
    }

    pub fn to_top(&mut self) -> bool {
        self.select(0)
    }

    pub fn to_bottom(&mut self) -> bool {
        self.select(self.rows.len().saturating_sub(1))
    }

    /// Selects row `target`; a kept row the selection leaves goes, as the queue has it no more.
    fn select(&mut self, target: usize) -> bool {
        if target == self.selected {
            return false;
        }
        let mut target = target;
        if let Some(no) = self.kept.take() {
            if let Some(i) = self.rows.iter().position(|r| r.case_no == no) {
                self.rows.remove(i);
                if i < target {
                    target -= 1;
                }
            }
        }
        self.selected = target.min(self.rows.len().saturating_sub(1));
        true
    }

    /// Keeps `case`'s row in place, as the action left it, when a refresh no longer has it.
    pub fn keep_acted(&mut self, case: &crate::domain::Case) {
        if let Some(row) = self.rows.iter_mut().find(|r| r.case_no == case.case_no) {
            if row.stage != case.stage {
                // The old stage's deadline no longer runs; the row says where the case went.
                row.deadline = None;
            }
            row.stage = case.stage;
            row.assignee = case.assignee().map(str::to_string);
            row.version = case.version;
            self.kept = Some(case.case_no.clone());
        }
    }

    /// True when the selection is near the end of what is loaded and more rows exist.
    pub fn wants_more(&self, visible: usize) -> bool {
        !self.loading && self.next.is_some() && self.selected + visible.max(10) >= self.rows.len()
    }

    /// True when the selection is near the start of what is loaded and rows above were let go.
    pub fn wants_earlier(&self, visible: usize) -> bool {
        !self.loading && self.above.is_some() && self.selected < visible.max(10)
    }

    /// The next load starts from the queue's first row, with the selection there.
    pub fn from_top(&mut self) {
        self.kept = None;
        self.above = None;
        self.selected = 0;
        self.offset = 0;
        self.restart = true;
    }

    pub fn toggle_mark(&mut self) {
        if let Some(row) = self.selected_row() {
            let target = Target::of(row);
            if self.marked.remove(&target.case_no).is_none() {
                self.marked.insert(target.case_no.clone(), target);
            }
        }
    }

    /// The next of `queue`'s orders (`sort_columns`); false when the queue has only one.
    pub fn cycle_sort(&mut self, queue: Option<Queue>) -> bool {
        let columns = sort_columns(queue);
        if columns.len() < 2 {
            return false;
        }
        let at = columns.iter().position(|c| *c == self.sort.column);
        self.sort.column = columns[at.map_or(0, |i| (i + 1) % columns.len())];
        true
    }

    pub fn reset_for(&mut self, _queue: Queue) {
        self.rows.clear();
        self.total = None;
        self.selected = 0;
        self.offset = 0;
        self.next = None;
        self.above = None;
        self.kept = None;
        self.marked.clear();
        self.waits.clear();
    }
}

/// The orders a table of `queue` offers (`None`: a search across every queue): each served by an
/// index of every queue (src/store/queues.rs), so a page stays one index walk at a million
/// cases. Name, employer or submission orders have no such index and are not offered. Where no
/// case can have a running deadline the deadline order is the case-number order, so only that.
pub fn sort_columns(queue: Option<Queue>) -> &'static [SortColumn] {
    match queue {
        Some(queue) if !queue.has_running_deadlines() => &[SortColumn::CaseNo],
        _ => &[SortColumn::Deadline, SortColumn::CaseNo],
    }
}

/// The order a tab opens in: most urgent first; by case number, newest first in Closed, where
/// no case has a running deadline.
pub fn default_sort(queue: Queue) -> Sort {
    match queue {
        Queue::Closed => Sort {
            column: SortColumn::CaseNo,
            descending: true,
        },
        queue if !queue.has_running_deadlines() => Sort {
            column: SortColumn::CaseNo,
            descending: false,
        },
        _ => Sort::default(),
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
