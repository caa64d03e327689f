//! What each command of the keymap does, and how a confirmed dialog becomes store requests.

use super::dashboard::DashboardView;
use super::dialog::{BulkKind, ChecklistForm, Dialog, Target, TextAction};
use super::dialog::{entry_date, extend_days, help, palette};
use super::{App, Effect, Focus};
use crate::console::i18n::T;
use crate::console::keymap::Command;
use crate::console::worker::{Fetch, Job};
use crate::domain::{Action, ActionKind, Presenter, Queue};
use crate::store::{DashboardSection, Request};

impl App {
    pub(super) fn command(&mut self, command: Command) -> Vec<Effect> {
        use Command::*;
        let page = self.visible_rows() as isize;
        if self.focus == Focus::Detail && self.shown_case_no().is_some() {
            // The focused detail panel scrolls; Esc gives the keys back to the table.
            let step = match command {
                Down => Some(1),
                Up => Some(-1),
                PageDown => Some(page.max(1)),
                PageUp => Some(-page.max(1)),
                Top => Some(-isize::from(i16::MAX)),
                Bottom => Some(isize::from(i16::MAX)),
                _ => None,
            };
            if let Some(step) = step {
                let max = isize::from(i16::MAX)
                    .min(crate::console::view::detail_max_scroll(self) as isize);
                let scroll = (self.detail_scroll as isize + step).clamp(0, max.max(0));
                self.detail_scroll = scroll as u16;
                return Vec::new();
            }
        }
        match command {
            Help => {
                self.dialog = Some(Dialog::Help(help::Help::default()));
                Vec::new()
            }
            Quit => self.close(),
            NextQueue => self.switch_tab(self.tab + 1),
            PrevQueue => self.switch_tab(self.tab + Queue::TABS.len() - 1),
            Queue1 | Queue2 | Queue3 | Queue4 | Queue5 | Queue6 | Queue7 | Queue8 | Queue9 => {
                let index = [
                    Queue1, Queue2, Queue3, Queue4, Queue5, Queue6, Queue7, Queue8, Queue9,
                ]
                .iter()
                .position(|c| *c == command)
                .unwrap_or(0);
                self.switch_tab(index)
            }
            Overdue => self.switch_tab(7),
            Down => {
                let moved = self.list.move_by(1);
                self.after_move(moved)
            }
            Up => {
                let moved = self.list.move_by(-1);
                self.after_move(moved)
            }
            PageDown => {
                let moved = self.list.move_by(page);
                self.after_move(moved)
            }
            PageUp => {
                let moved = self.list.move_by(-page);
                self.after_move(moved)
            }
            Top if self.list.above.is_some() => {
                // Rows above were let go: read the queue's first page again.
                self.list.from_top();
                self.reload()
            }
            Top => {
                let moved = self.list.to_top();
                self.after_move(moved)
            }
            Bottom if self.list.next.is_some() => {
                // Rows below are not loaded: read the queue's last page.
                vec![self.request_page(Fetch::Last)]
            }
            Bottom => {
                let moved = self.list.to_bottom();
                self.after_move(moved)
            }
            OpenDetail => {
                if self.list.selected_row().is_some() {
                    self.focus = Focus::Detail;
                    self.detail_scroll = 0;
                }
                Vec::new()
            }
            Back => {
                if self.focus == Focus::Detail {
                    self.focus = Focus::List;
                    Vec::new()
                } else if !self.search.text.is_empty() {
                    self.search.text.clear();
                    self.list.from_top();
                    self.reload()
                } else {
                    self.list.marked.clear();
                    Vec::new()
                }
            }
            Search => {
                self.search.typing = true;
                Vec::new()
            }
            // A search looks through every queue: a tab's filter would change nothing seen.
            CycleFilter if self.is_searching() => {
                self.say(self.lang.t(T::SearchAllQueues), false);
                Vec::new()
            }
            CycleFilter => {
                let next = self.list.filter.next();
                self.set_filter(next)
            }
            CycleSort => {
                let queue = (!self.is_searching()).then(|| self.queue());
                if !self.list.cycle_sort(queue) {
                    let queue = self.queue();
                    self.say(self.lang.one_order(queue), false);
                    return Vec::new();
                }
                self.resort()
            }
            ReverseSort => {
                self.list.sort.descending = !self.list.sort.descending;
                self.resort()
            }
            // Marks gather cases for a bulk action, which a read-only console cannot take.
            Mark if self.is_read_only() => self.write_command(command),
            Mark => {
                self.list.toggle_mark();
                let moved = self.list.move_by(1);
                self.after_move(moved)
            }
            Copy => match self.shown_case_no() {
                Some(no) => {
                    self.say(format!("{no} {}", self.lang.t(T::Copied)), false);
                    vec![Effect::Copy(no)]
                }
                None => Vec::new(),
            },
            Palette => {
                self.dialog = Some(Dialog::Palette(palette::Palette::default()));
                Vec::new()
            }
            Language => {
                self.lang = self.lang.toggled();
                Vec::new()
            }
            Dashboard => {
                let today = self.setup.today;
                self.dashboard = Some(DashboardView::new(today));
                DashboardSection::ALL
                    .into_iter()
                    .map(|section| self.job(Job::Dashboard { section, today }))
                    .collect()
            }
            Claim | Approve | Return | Refuse | RecordEntry | Verify | Note | Assign | SendBack
            | Withdraw | Extend | Lapse | AllowLate | Reopen => self.write_command(command),
            Review if self.in_review() => Vec::new(),
            Review => self.start_review(),
            // Outside a session (from the palette): nothing to skip or end.
            Skip | EndReview if !self.in_review() => {
                self.say(self.lang.t(T::NoReviewRunning), false);
                Vec::new()
            }
            Skip => self.review_next(),
            EndReview => self.end_review(),
            // The keys of dialogs and editors: their components take them.
            Confirm | Cancel | ScrollDown | ScrollUp | Submit | NextField | Toggle => Vec::new(),
        }
    }

    /// Reads the table again in its new order, around the selected case: the cursor stays on
    /// that case, on the same screen row, however far the new order moves it. With nothing
    /// selected, from the top.
    fn resort(&mut self) -> Vec<Effect> {
        if self.list.selected_row().is_none() {
            self.list.from_top();
            return self.reload();
        }
        let above = self.list.selected.saturating_sub(self.list.offset);
        let above = u16::try_from(above).unwrap_or(u16::MAX);
        vec![self.request_page(Fetch::Around { above })]
    }

    pub(super) fn write_command(&mut self, command: Command) -> Vec<Effect> {
        // Said at the key, before any dialog: the store refuses a disabled user everything.
        if self.disabled {
            self.say(self.lang.t(T::AccountDisabled), true);
            return Vec::new();
        }
        if self.is_read_only() {
            let why = if self.setup.store_read_only {
                self.lang.t(T::StoreReadOnly)
            } else {
                self.lang.t(T::Viewer)
            };
            self.say(why, true);
            return Vec::new();
        }
        if !self.list.marked.is_empty() && !self.in_review() {
            let kind = match command {
                Command::Approve => Some(BulkKind::Approve),
                Command::Return => Some(BulkKind::Return),
                Command::Claim => Some(BulkKind::Claim),
                Command::Assign => Some(BulkKind::Assign),
                _ => None,
            };
            if let Some(kind) = kind {
                return self.open_bulk(kind);
            }
        }
        let Some(target) = self.shown_target() else {
            if self.in_review() {
                self.say(self.lang.t(T::Loading), false);
            }
            return Vec::new();
        };
        if self
            .detail
            .as_ref()
            .is_none_or(|d| d.case.case_no != target.case_no)
        {
            // Dialogs show the case as its detail has it: the command waits for the detail,
            // and keys typed meanwhile wait for the command (`App::detail_settled`).
            self.say(self.lang.t(T::Loading), false);
            self.waiting_for_detail = Some((target.case_no, command));
            return self.request_detail().into_iter().collect();
        }
        // Ask the domain first: an action that does not exist in this stage, that none of the
        // user's roles may take, or that the claim, four-eyes or a bar forbids, is said in words
        // instead of opening a dialog for it.
        if let Some(action) = self.kind_of(command, &target) {
            let why = self
                .cannot(target.stage, action)
                .or_else(|| self.refused_before_input(&target, action));
            if let Some(why) = why {
                self.say(why, true);
                return Vec::new();
            }
        }
        match command {
            Command::Claim => {
                let action = if target.assignee.as_deref() == Some(self.setup.user.as_str()) {
                    Action::Release
                } else {
                    Action::Claim
                };
                vec![self.act(&target, action)]
            }
            Command::Approve => {
                self.open_confirm(target);
                Vec::new()
            }
            Command::Return => {
                self.open_reason(target, TextAction::Return);
                Vec::new()
            }
            Command::Refuse => {
                let kind = self.refuse_kind(target.stage);
                self.open_reason(target, kind);
                Vec::new()
            }
            Command::Note => {
                self.open_reason(target, TextAction::Note);
                Vec::new()
            }
            Command::SendBack => {
                self.open_reason(target, TextAction::SendBack);
                Vec::new()
            }
            Command::Withdraw => {
                self.open_reason(target, TextAction::Withdraw);
                Vec::new()
            }
            Command::Lapse => {
                self.open_reason(target, TextAction::Lapse);
                Vec::new()
            }
            Command::AllowLate => {
                self.open_reason(target, TextAction::AllowLate);
                Vec::new()
            }
            Command::Reopen => {
                self.open_reason(target, TextAction::Reopen);
                Vec::new()
            }
            Command::Extend => {
                self.dialog = Some(Dialog::ExtendDays(extend_days::ExtendDays {
                    target,
                    input: String::new(),
                    error: None,
                }));
                Vec::new()
            }
            Command::RecordEntry => {
                self.dialog = Some(Dialog::EntryDate(entry_date::EntryDate {
                    transition: self.transition(&target, ActionKind::RecordEntry),
                    target,
                    input: self.setup.today.to_string(),
                    error: None,
                }));
                Vec::new()
            }
            Command::Verify => {
                let detail = self
                    .detail
                    .as_ref()
                    .filter(|d| d.case.case_no == target.case_no);
                let form = ChecklistForm {
                    presenter: Presenter::Applicant,
                    power_of_attorney: false,
                    originals: false,
                    sealed_copies: false,
                    visa_kind: None,
                    visa_until: String::new(),
                    exam_date: detail
                        .and_then(|d| d.case.exam_report.as_ref())
                        .map(|e| e.issued_on.to_string())
                        .unwrap_or_default(),
                    exam_domestic: detail
                        .and_then(|d| d.case.exam_report.as_ref())
                        .is_some_and(|e| e.domestic),
                    focus: 0,
                    error: None,
                    failures: Vec::new(),
                    touched: false,
                    asking_discard: false,
                    entered: detail.and_then(|d| d.case.entry_date),
                    window_due: detail
                        .and_then(|d| d.governing.as_ref())
                        .and_then(|g| g.due),
                    target,
                };
                self.dialog = Some(Dialog::Verify(Box::new(form)));
                Vec::new()
            }
            Command::Assign => {
                if let Some(why) = self.missing_role(BulkKind::Assign, &[target.stage]) {
                    self.say(why, true);
                    return Vec::new();
                }
                self.pending_assign = Some(vec![target]);
                vec![self.job(Job::Assignees)]
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn request(&self, target: &Target, action: Action) -> Request {
        Request {
            case_no: target.case_no.clone(),
            user: self.setup.user.clone(),
            action,
            expect_version: Some(target.version),
            expect_stage: Some(target.stage),
            today: Some(self.setup.today),
        }
    }

    pub(super) fn act(&mut self, target: &Target, action: Action) -> Effect {
        let request = self.request(target, action);
        let effect = self.job(Job::Act { request });
        if let Effect::Store(ticket) = &effect {
            self.review_acting(&target.case_no, ticket.generation);
        }
        effect
    }
}

/// Commands whose name or label contains what was typed.
pub fn palette_matches(input: &str) -> Vec<Command> {
    let needle = input.trim().to_lowercase();
    Command::ALL
        .iter()
        .copied()
        .filter(|c| {
            let (name, en, zh) = c.describe();
            needle.is_empty()
                || name.contains(&needle)
                || en.to_lowercase().contains(&needle)
                || zh.contains(&needle)
        })
        .collect()
}
