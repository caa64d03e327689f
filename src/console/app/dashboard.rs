//! The supervisor dashboard's state: the figures, which one is selected, and the cases behind the
//! one that was opened.

use super::list::List;
use super::{App, Effect, Focus};
use crate::console::i18n::Lang;
use crate::console::keymap::Command;
use crate::console::worker::{Job, Reply};
use crate::domain::TimerKind;
use crate::store::{Bucket, Dashboard, DashboardPart, DashboardSection, Figure, FigureCases, Page};
use chrono::NaiveDate;

#[derive(Debug)]
pub struct DashboardView {
    /// The figures of the sections that have arrived.
    pub data: Dashboard,
    arrived: Vec<DashboardSection>,
    pub selected: usize,
    /// The cases behind the opened figure, with its title: a table whose cases are acted on as
    /// in a queue.
    pub opened: Option<(String, List)>,
    /// The figure whose cases are open (or asked for): a refresh reads them again.
    pub figure: Option<Figure>,
}

/// One selectable line of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub label: String,
    pub count: i64,
    /// A second figure shown in parentheses (a person's overdue cases).
    pub extra: Option<i64>,
    pub figure: Figure,
}

const VERIFICATION: Option<TimerKind> = Some(TimerKind::Verification);

impl DashboardView {
    /// A dashboard of `today` whose sections are still to come.
    pub fn new(today: NaiveDate) -> DashboardView {
        DashboardView {
            data: Dashboard::empty(today),
            arrived: Vec::new(),
            selected: 0,
            opened: None,
            figure: None,
        }
    }

    /// The cases behind the opened figure, while they are on screen.
    pub fn cases(&self) -> Option<&List> {
        self.opened.as_ref().map(|(_, list)| list)
    }

    pub fn has(&self, section: DashboardSection) -> bool {
        self.arrived.contains(&section)
    }

    /// Every figure, once every section has arrived.
    pub fn figures(&self) -> Option<&Dashboard> {
        DashboardSection::ALL
            .iter()
            .all(|s| self.has(*s))
            .then_some(&self.data)
    }

    /// Takes in one section; the selected figure stays selected wherever the new lines go.
    pub fn receive(&mut self, part: DashboardPart) {
        let selected = self.selected_entry().map(|e| e.figure);
        let section = part.section();
        self.data.apply(part);
        if !self.has(section) {
            self.arrived.push(section);
        }
        let entries = self.entries(Lang::En);
        self.selected = selected
            .and_then(|f| entries.iter().position(|e| e.figure == f))
            .unwrap_or(self.selected)
            .min(entries.len().saturating_sub(1));
    }

    /// The figures that have arrived, in the order they are drawn and selected.
    pub fn entries(&self, lang: Lang) -> Vec<Entry> {
        let d = &self.data;
        let mut entries = Vec::new();
        if self.has(DashboardSection::Headline) {
            entries.extend(headline(d, lang));
        }
        if self.has(DashboardSection::Verifications) {
            entries.extend(verifications(d, lang));
        }
        if self.has(DashboardSection::Workload) {
            entries.extend(workload(d));
        }
        entries
    }

    pub fn selected_entry(&self) -> Option<Entry> {
        self.entries(Lang::En).into_iter().nth(self.selected)
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.entries(Lang::En).len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }
}

/// How many figures the headline panel holds.
pub const HEADLINE_FIGURES: usize = 5;

fn headline(d: &Dashboard, lang: Lang) -> Vec<Entry> {
    vec![
        Entry {
            label: lang.pick("Overdue verifications", "核验逾期").into(),
            extra: None,
            count: d.overdue_verifications,
            figure: Figure::Overdue {
                timer: VERIFICATION,
            },
        },
        Entry {
            label: lang.pick("Decisions to sign", "待签发决定").into(),
            extra: None,
            count: d.decisions_to_sign,
            figure: Figure::DecisionsToSign,
        },
        Entry {
            label: lang
                .pick("Due within 2 working days", "2个工作日内到期")
                .into(),
            extra: None,
            count: d.due_soon,
            figure: Figure::DueSoon,
        },
        Entry {
            label: lang
                .pick("Unclaimed > 1 working day", "超过1个工作日未认领")
                .into(),
            extra: None,
            count: d.unclaimed_stale,
            figure: Figure::UnclaimedStale,
        },
        Entry {
            label: lang
                .pick("Open upstream conflicts", "未解决的上游冲突")
                .into(),
            extra: None,
            count: d.open_conflict_cases,
            figure: Figure::OpenConflicts,
        },
    ]
}

fn verifications(d: &Dashboard, lang: Lang) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (bucket, count) in &d.verification_buckets {
        entries.push(Entry {
            label: bucket_label(*bucket, lang),
            count: *count,
            extra: None,
            figure: Figure::OverdueBucket {
                timer: VERIFICATION,
                bucket: *bucket,
            },
        });
    }
    for employer in d.verifications_by_employer.iter().take(8) {
        entries.push(Entry {
            label: employer.employer_name.clone(),
            count: employer.count,
            extra: None,
            figure: Figure::OverdueEmployer {
                uscc: employer.employer_uscc.clone(),
                timer: VERIFICATION,
            },
        });
    }
    entries
}

fn workload(d: &Dashboard) -> Vec<Entry> {
    let mut entries = Vec::new();
    for row in d.workload.iter().take(10) {
        entries.push(Entry {
            label: row.assignee.clone(),
            count: row.open,
            extra: Some(row.overdue),
            figure: Figure::Workload {
                assignee: row.assignee.clone(),
                overdue_only: false,
            },
        });
    }
    entries
}

/// Which section of the dashboard an entry index falls in: headline, bucket, employer, workload.
pub fn section(entry: &Entry) -> u8 {
    match entry.figure {
        Figure::OverdueBucket { .. } => 1,
        Figure::OverdueEmployer { .. } => 2,
        Figure::Workload { .. } => 3,
        _ => 0,
    }
}

/// A bucket of days overdue in words: `8-14 days`, `over 30 days`; `8-14 天`, `30 天以上`.
pub fn bucket_label(bucket: Bucket, lang: Lang) -> String {
    match (bucket, lang) {
        (Bucket::Over30, Lang::Zh) => "30 天以上".into(),
        (bucket, lang) => format!("{} {}", bucket.label(), lang.pick("days", "天")),
    }
}

impl App {
    /// Keys while the dashboard is open: move between figures and open the cases behind one;
    /// in those cases, keys work as in a queue (`cases_key`).
    pub(super) fn dashboard_key(&mut self, key: crossterm::event::KeyEvent) -> Vec<Effect> {
        let context = self.context();
        let Some(command) = self
            .setup
            .keymap
            .resolve(&key, context)
            .filter(|c| context.acts(*c))
        else {
            return Vec::new();
        };
        let Some(view) = self.dashboard.as_mut() else {
            return Vec::new();
        };
        if view.opened.is_some() {
            return self.cases_key(command);
        }
        match command {
            Command::Down => view.move_by(1),
            Command::Up => view.move_by(-1),
            Command::Back | Command::Dashboard => {
                // Back to the queue, its selected case shown again.
                self.dashboard = None;
                self.focus = Focus::List;
                self.detail_scroll = 0;
                return self.request_detail().into_iter().collect();
            }
            Command::OpenDetail => {
                if let Some(entry) = view.selected_entry() {
                    let today = self.setup.today;
                    view.figure = Some(entry.figure.clone());
                    return vec![self.job(Job::Figure {
                        figure: entry.figure,
                        today,
                    })];
                }
            }
            Command::Quit | Command::Help | Command::Language => return self.command(command),
            _ => {}
        }
        Vec::new()
    }

    /// A key in the cases behind a figure: moving, marking and acting on the selected case as in
    /// a queue; Enter shows its detail in place; Esc or `D` go back from the detail to the list,
    /// and from the list to the figures, each as it was left.
    fn cases_key(&mut self, command: Command) -> Vec<Effect> {
        use Command::*;
        let page = self.visible_rows() as isize;
        let scrolls = matches!(command, Down | Up | PageDown | PageUp | Top | Bottom);
        if self.focus == Focus::Detail && scrolls {
            // The focused detail scrolls, as in a queue.
            return self.command(command);
        }
        let read_only = self.is_read_only();
        let Some(list) = self
            .dashboard
            .as_mut()
            .and_then(|v| v.opened.as_mut())
            .map(|o| &mut o.1)
        else {
            return Vec::new();
        };
        let moved = match command {
            Down => list.move_by(1),
            Up => list.move_by(-1),
            PageDown => list.move_by(page),
            PageUp => list.move_by(-page),
            Top => list.to_top(),
            Bottom => list.to_bottom(),
            Back | Dashboard if self.focus == Focus::Detail => {
                self.focus = Focus::List;
                return Vec::new();
            }
            Back | Dashboard => {
                if let Some(view) = self.dashboard.as_mut() {
                    view.opened = None;
                    view.figure = None;
                }
                return Vec::new();
            }
            OpenDetail => {
                if list.selected_row().is_some() {
                    self.focus = Focus::Detail;
                    self.detail_scroll = 0;
                }
                return Vec::new();
            }
            // A viewer is told why, as in a queue.
            Mark if read_only => return self.write_command(command),
            Mark => {
                // Marks are the console's: a bulk action takes every marked case.
                if let Some(row) = list.selected_row() {
                    let target = super::dialog::Target::of(row);
                    if self.list.marked.remove(&target.case_no).is_none() {
                        self.list.marked.insert(target.case_no.clone(), target);
                    }
                }
                list.move_by(1)
            }
            Claim | Approve | Return | Refuse | RecordEntry | Verify | Note | Assign | SendBack
            | Withdraw | Extend | Lapse | AllowLate | Reopen => return self.write_command(command),
            Quit | Help | Language | Copy => return self.command(command),
            _ => return Vec::new(),
        };
        list.offset = super::list::scroll_offset(list.selected, list.offset, page.max(1) as usize);
        if !moved {
            return Vec::new();
        }
        self.detail_scroll = 0;
        self.request_detail().into_iter().collect()
    }

    /// The cases behind a figure arrived: opened with the first selected, or, read again after
    /// a change, with the cursor kept on its case (and the case just acted on kept in place when
    /// it no longer counts in the figure, `figure_case_acted`).
    pub(super) fn figure_arrived(&mut self, cases: FigureCases) -> Vec<Effect> {
        let Some(view) = self.dashboard.as_mut() else {
            return Vec::new();
        };
        let page = Page {
            rows: cases.rows,
            next: None,
        };
        match view.opened.as_mut() {
            Some((_, list)) => {
                let keep = list.selected_case_no();
                list.replace(page, cases.total, keep.as_deref());
            }
            None => {
                let title = view
                    .entries(self.lang)
                    .into_iter()
                    .find(|e| Some(&e.figure) == view.figure.as_ref())
                    .map(|e| e.label)
                    .unwrap_or_default();
                let mut list = List::default();
                list.replace(page, cases.total, None);
                view.opened = Some((title, list));
                self.focus = Focus::List;
                self.detail_scroll = 0;
            }
        }
        // Marked cases listed here take what their rows show now.
        if let Some(list) = self.dashboard.as_ref().and_then(|v| v.cases()) {
            for row in &list.rows {
                if let Some(mark) = self.list.marked.get_mut(&row.case_no) {
                    *mark = super::dialog::Target::of(row);
                }
            }
        }
        let shown = self.shown_case_no();
        if self.detail.as_ref().map(|d| &d.case.case_no) != shown.as_ref() {
            return self.request_detail().into_iter().collect();
        }
        Vec::new()
    }

    /// A case was acted on: a dashboard list showing it keeps its row in place, as the action
    /// left it, until the cursor moves off it (as a queue does, `List::keep_acted`).
    pub(super) fn figure_case_acted(&mut self, reply: &Reply) {
        let (Reply::Acted { result, .. }, Some(view)) = (reply, self.dashboard.as_mut()) else {
            return;
        };
        if let (Ok(outcome), Some((_, list))) = (result.as_ref(), view.opened.as_mut()) {
            list.keep_acted(&outcome.case);
        }
    }

    /// The job that reads the open figure's cases again, when a dashboard list is open.
    pub(super) fn refresh_figure(&mut self) -> Option<Effect> {
        let view = self.dashboard.as_ref()?;
        view.opened.as_ref()?;
        let figure = view.figure.clone()?;
        let today = self.setup.today;
        Some(self.job(Job::Figure { figure, today }))
    }
}
