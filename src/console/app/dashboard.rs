//! The supervisor dashboard's state: the figures, which one is selected, and the cases behind the
//! one that was opened.

use super::list::List;
use super::{App, Effect};
use crate::console::i18n::Lang;
use crate::console::keymap::Command;
use crate::console::worker::Job;
use crate::domain::{Queue, TimerKind};
use crate::store::{Bucket, Dashboard, DashboardPart, DashboardSection, Figure};
use chrono::NaiveDate;

#[derive(Debug)]
pub struct DashboardView {
    /// The figures of the sections that have arrived.
    pub data: Dashboard,
    arrived: Vec<DashboardSection>,
    pub selected: usize,
    /// The cases behind the opened figure, with its title.
    pub opened: Option<(String, List)>,
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
        }
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
            label: format!("{} {}", bucket.label(), lang.pick("days", "天")),
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

pub fn bucket_label(bucket: Bucket) -> &'static str {
    bucket.label()
}

impl App {
    /// Keys while the dashboard is open: move between figures, open the cases behind one, and
    /// from there jump to a case in its queue.
    pub(super) fn dashboard_key(&mut self, key: crossterm::event::KeyEvent) -> Vec<Effect> {
        let Some(command) = self.setup.keymap.command(&key) else {
            return Vec::new();
        };
        let page = self.visible_rows() as isize;
        let Some(view) = self.dashboard.as_mut() else {
            return Vec::new();
        };
        if let Some((_, list)) = view.opened.as_mut() {
            match command {
                Command::Down => {
                    list.move_by(1);
                }
                Command::Up => {
                    list.move_by(-1);
                }
                Command::PageDown => {
                    list.move_by(page);
                }
                Command::PageUp => {
                    list.move_by(-page);
                }
                Command::Top => {
                    list.to_top();
                }
                Command::Bottom => {
                    list.to_bottom();
                }
                Command::Back => {
                    view.opened = None;
                    return Vec::new();
                }
                Command::OpenDetail => {
                    let Some(row) = list.selected_row().cloned() else {
                        return Vec::new();
                    };
                    self.dashboard = None;
                    let tab = Queue::TABS
                        .iter()
                        .position(|q| q.stage() == Some(row.stage))
                        .unwrap_or(8);
                    self.search.text = row.case_no.clone();
                    self.enter_tab(tab);
                    self.detail = None;
                    return self.reload();
                }
                Command::Quit | Command::Help | Command::Language => return self.command(command),
                _ => {}
            }
            if let Some((_, list)) = view.opened.as_mut() {
                list.offset =
                    super::list::scroll_offset(list.selected, list.offset, page.max(1) as usize);
            }
            return Vec::new();
        }
        match command {
            Command::Down => view.move_by(1),
            Command::Up => view.move_by(-1),
            Command::Back | Command::Dashboard => self.dashboard = None,
            Command::OpenDetail => {
                if let Some(entry) = view.selected_entry() {
                    let today = self.setup.today;
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
}
