//! All console state and `update`, which turns a message into new state and effects. It does no
//! I/O: the store is reached only through the jobs it returns.

mod closing;
mod commands;
pub mod dashboard;
mod drafts;
mod open;
mod replies;
pub mod review;
mod search;
mod submit;
pub use commands::palette_matches;
pub mod checklist_form;
pub mod dialog;
pub mod list;

use super::dialogs;
use super::i18n::{Lang, T};
use super::keymap::{Command, Keymap};
use super::layout;
use super::worker::{ActionKey, Detail, Fetch, Job, Reply, Ticket};
use crate::domain::{Filter, Policy, Queue, Role};
use crate::store::{Cursor, QueueQuery, Sort, TabCounts};
use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use dialog::{Dialog, Outcome, Target};
use list::{List, MAX_LOADED, PAGE_ROWS};
use std::collections::HashMap;

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// Pasted text as a person could have typed it: CRLF and lone CR line ends become newlines,
/// control characters and escape sequences go (see `crate::text`), and so does every invisible
/// character the domain would refuse in the text (`invisible::text_refuses`).
pub fn typeable(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    crate::text::sanitize_multiline(&text)
        .chars()
        .filter(|&c| !crate::domain::invisible::text_refuses(c))
        .collect()
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    Tick,
    Reply { generation: u64, reply: Reply },
}

#[derive(Debug)]
pub enum Effect {
    Store(Ticket),
    /// Copy to the terminal's clipboard (OSC 52).
    Copy(String),
    /// Ring the bell or post a desktop notification, as configured.
    Alert(String),
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

#[derive(Debug, Default)]
pub struct Search {
    pub typing: bool,
    pub text: String,
}

/// What the console is told about its user and store when it starts.
#[derive(Debug, Clone)]
pub struct Setup {
    pub user: String,
    pub roles: Vec<Role>,
    pub today: NaiveDate,
    /// The office's policy as the store holds it: the console asks it, never a constant.
    pub policy: Policy,
    pub store_label: String,
    pub store_read_only: bool,
    pub lang: Lang,
    pub keymap: Keymap,
    pub ascii: bool,
    pub color: bool,
    pub theme: crate::console::theme::ThemeName,
    pub alert: Alert,
}

/// How the console calls attention to newly overdue cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alert {
    #[default]
    Off,
    Bell,
    /// OSC 9 desktop notification (iTerm2, Windows Terminal, foot, kitty...).
    Osc9,
    /// OSC 777 desktop notification (urxvt, VTE terminals).
    Osc777,
}

#[derive(Debug)]
pub struct App {
    pub setup: Setup,
    pub lang: Lang,
    pub tab: usize,
    pub list: List,
    pub counts: Option<TabCounts>,
    pub detail: Option<Detail>,
    pub focus: Focus,
    /// Rows the focused detail panel is scrolled by (the view keeps it within the text).
    pub detail_scroll: u16,
    pub dialog: Option<Dialog>,
    pub search: Search,
    /// Each tab's filter, kept while another tab is shown (the shown tab's is `list.filter`).
    tab_filters: [Filter; Queue::TABS.len()],
    /// Each tab's sort, kept the same way: Closed opens newest first.
    tab_sorts: [Sort; Queue::TABS.len()],
    pub status: Option<Status>,
    /// The overdue count when the console opened; growth beyond it is announced.
    pub overdue_at_open: Option<i64>,
    pub new_overdue: i64,
    /// Cases that became overdue between the user's last visit and this one.
    pub since_last_visit: Option<(i64, Option<NaiveDate>)>,
    /// The supervisor dashboard, while it is open.
    pub dashboard: Option<dashboard::DashboardView>,
    pub size: (u16, u16),
    pub quit: bool,
    /// A quit is waiting for the writes in flight ("saving…"); keys do nothing meanwhile.
    pub closing: bool,
    /// What the writes answered while closing did, for the runtime to print after the console.
    pub farewell: Vec<String>,
    /// Text typed for an action that did not commit, by (case, action), offered back next time.
    pub drafts: HashMap<ActionKey, String>,
    /// The draft typed since it was last sent to the store: saved on the next tick (once a
    /// second at most, never per key) or at once when the editor closes, submits or the console
    /// quits.
    unsaved_draft: Option<ActionKey>,
    data_version: Option<i64>,
    next_generation: u64,
    page_generation: u64,
    detail_generation: u64,
    pending_assign: Option<Vec<Target>>,
    /// The text sent with each action not answered yet, by the action: a reply restores or
    /// drops only its own action's.
    pending_texts: HashMap<ActionKey, String>,
    /// An action key pressed before its case's detail arrived: the dialog opens when it does,
    /// and the keys typed meanwhile are held for it, so that no key of a burst is lost.
    waiting_for_detail: Option<(String, Command)>,
    held_keys: Vec<KeyEvent>,
    writes: Vec<(u64, closing::Write)>,
    /// The review session, while one runs (`R`).
    pub review: Option<review::Review>,
    /// The store says an admin disabled the user since the console opened: nothing is offered,
    /// and every action is refused at its key.
    pub disabled: bool,
}

impl App {
    pub fn new(setup: Setup) -> (App, Vec<Effect>) {
        let lang = setup.lang;
        let mut app = App {
            setup,
            lang,
            tab: 0,
            list: List::default(),
            counts: None,
            detail: None,
            focus: Focus::List,
            detail_scroll: 0,
            dialog: None,
            search: Search::default(),
            tab_filters: [Filter::All; Queue::TABS.len()],
            tab_sorts: Queue::TABS.map(list::default_sort),
            status: None,
            overdue_at_open: None,
            new_overdue: 0,
            since_last_visit: None,
            dashboard: None,
            size: (120, 40),
            quit: false,
            closing: false,
            farewell: Vec::new(),
            drafts: HashMap::new(),
            unsaved_draft: None,
            data_version: None,
            next_generation: 0,
            page_generation: 0,
            detail_generation: 0,
            pending_assign: None,
            pending_texts: HashMap::new(),
            waiting_for_detail: None,
            held_keys: Vec::new(),
            writes: Vec::new(),
            review: None,
            disabled: false,
        };
        if app.is_read_only() {
            app.status = Some(Status {
                text: app.lang.t(T::Viewer).into(),
                error: false,
            });
        }
        let mut effects = app.reload();
        effects.push(app.job(Job::Poll));
        let user = app.setup.user.clone();
        effects.push(app.job(Job::LoadDrafts { user: user.clone() }));
        let today = app.setup.today;
        // Remembering the visit is a write; a read-only store has only the live notice.
        if !app.setup.store_read_only {
            effects.push(app.job(Job::Visit { user, today }));
        }
        (app, effects)
    }

    /// The tab a role works from: approvers Pre-audit, supervisors Decision, clerks Awaiting
    /// entry, others Overdue.
    pub fn home_queue(&self) -> usize {
        if self.has(Role::Approver) {
            1
        } else if self.has(Role::Supervisor) {
            3
        } else if self.has(Role::Clerk) {
            5
        } else {
            7
        }
    }

    pub fn queue(&self) -> Queue {
        Queue::TABS[self.tab]
    }

    /// A search looks through every queue, whatever the tab and its filter.
    pub fn is_searching(&self) -> bool {
        !self.search.text.trim().is_empty()
    }

    /// A viewer, or a store the process cannot write, gets a read-only console.
    pub fn is_read_only(&self) -> bool {
        self.setup.store_read_only || !self.setup.roles.iter().any(|r| *r != Role::Viewer)
    }

    pub fn has(&self, role: Role) -> bool {
        self.setup.roles.contains(&role)
    }

    /// Rows of the table that fit on screen (for paging), as the view draws it
    /// (`layout::visible_rows`).
    pub fn visible_rows(&self) -> usize {
        layout::visible_rows(self.size.0, self.size.1)
    }

    /// What the body of the screen shows now.
    pub fn body(&self) -> layout::Body {
        if self.in_review() {
            layout::Body::Review
        } else if self.dashboard.as_ref().is_some_and(|d| d.opened.is_none()) {
            layout::Body::Dashboard
        } else {
            layout::Body::List {
                detail_focused: self.focus == Focus::Detail,
            }
        }
    }

    /// Where each part of the screen is, at the terminal's size: what the view draws into.
    pub fn layout(&self) -> layout::Screen {
        layout::screen(self.size.0, self.size.1, self.body())
    }

    fn job(&mut self, job: Job) -> Effect {
        self.next_generation += 1;
        self.track(self.next_generation, &job);
        Effect::Store(Ticket {
            generation: self.next_generation,
            job,
        })
    }

    fn query(&self) -> QueueQuery {
        let searching = self.is_searching();
        QueueQuery {
            queue: if searching { Queue::All } else { self.queue() },
            filter: if searching {
                Filter::All
            } else {
                self.list.filter
            },
            search: searching.then(|| self.search.text.clone()),
            user: self.setup.user.clone(),
            today: self.setup.today,
            sort: self.list.sort,
            after: None,
            limit: PAGE_ROWS,
        }
    }

    /// Re-queries what is on screen: the first page, the counts and the selected case.
    fn reload(&mut self) -> Vec<Effect> {
        let mut effects = vec![self.request_page(Fetch::Replace)];
        effects.push(self.job(Job::Counts {
            user: self.setup.user.clone(),
            today: self.setup.today,
        }));
        effects.extend(self.request_detail());
        effects.extend(self.refresh_figure());
        effects
    }

    fn request_page(&mut self, fetch: Fetch) -> Effect {
        let mut query = self.query();
        match fetch {
            Fetch::Append => query.after = self.list.next.clone(),
            Fetch::Prepend | Fetch::Last => {
                // Backwards, from the first loaded row or from the queue's end; one row more,
                // to anchor the window.
                query.sort.descending = !query.sort.descending;
                query.after = match fetch {
                    Fetch::Prepend => self.list.rows.first().map(Cursor::after),
                    _ => None,
                };
                query.limit = PAGE_ROWS + 1;
            }
            Fetch::Around { .. } => query.after = self.list.selected_row().map(Cursor::after),
            Fetch::Replace => {
                // A refresh re-reads the loaded window, so the view neither shrinks nor jumps.
                query.after = self.list.above.clone();
                query.limit = if self.list.restart {
                    PAGE_ROWS
                } else {
                    self.list.rows.len().clamp(PAGE_ROWS, MAX_LOADED)
                };
            }
        }
        self.list.loading = true;
        let effect = self.job(Job::Page { query, fetch });
        if let Effect::Store(t) = &effect {
            self.page_generation = t.generation;
        }
        effect
    }

    /// The detail of the selected case arrived, or could not be read: the command waiting for
    /// it runs (if it is still that case's), then the keys held meanwhile run in order.
    fn detail_settled(&mut self) -> Vec<Effect> {
        let Some((case_no, command)) = self.waiting_for_detail.take() else {
            return Vec::new();
        };
        let loaded = self
            .detail
            .as_ref()
            .is_some_and(|d| d.case.case_no == case_no);
        let mut effects = Vec::new();
        if loaded && self.shown_case_no().as_deref() == Some(case_no.as_str()) {
            self.status = None;
            effects.extend(self.write_command(command));
        } else if self.status.as_ref().is_some_and(|s| !s.error) {
            // The case could not be read (it is gone): the "loading" notice goes with it.
            self.status = None;
        }
        for key in std::mem::take(&mut self.held_keys) {
            effects.extend(self.key(key));
        }
        effects
    }

    fn request_detail(&mut self) -> Option<Effect> {
        let case_no = self.shown_case_no()?;
        let effect = self.job(Job::Detail {
            case_no,
            today: self.setup.today,
        });
        if let Effect::Store(t) = &effect {
            self.detail_generation = t.generation;
        }
        Some(effect)
    }

    fn say(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(Status {
            text: text.into(),
            error,
        });
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        if self.closing {
            return self.closing_update(msg);
        }
        match msg {
            Msg::Key(key)
                if key.kind == KeyEventKind::Press || key.kind == KeyEventKind::Repeat =>
            {
                self.key(key)
            }
            Msg::Key(_) => Vec::new(),
            Msg::Paste(text) => self.paste(&text),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Msg::Tick => {
                let mut effects: Vec<Effect> = self.flush_draft().into_iter().collect();
                effects.push(self.job(Job::Poll));
                effects
            }
            Msg::Reply { generation, reply } => {
                self.answered(generation);
                match reply {
                    // A dashboard's list of cases (dashboard.rs): opened, or read again.
                    Reply::Figure(cases) => self.figure_arrived(cases),
                    reply => {
                        self.figure_case_acted(&reply);
                        self.reply(generation, reply)
                    }
                }
            }
        }
    }

    fn paste(&mut self, text: &str) -> Vec<Effect> {
        let lang = self.lang;
        match &mut self.dialog {
            Some(Dialog::Reason(dialog::reason::Reason {
                editor,
                asking_discard: false,
                error,
                ..
            }))
            | Some(Dialog::Bulk(dialog::bulk::Bulk {
                reason: Some(editor),
                asking_discard: false,
                error,
                ..
            })) => {
                let text = typeable(text);
                *error = dialog::paste_refusal(editor, &text, lang);
                if error.is_some() {
                    return Vec::new();
                }
                editor.insert_str(text);
                self.note_draft();
                Vec::new()
            }
            _ if self.search.typing => {
                self.search.text.push_str(&crate::text::sanitize_line(text));
                self.list.from_top();
                vec![self.request_page(Fetch::Replace)]
            }
            _ => Vec::new(),
        }
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.waiting_for_detail.is_some() || self.review_busy() {
            if is_ctrl_c(&key) {
                self.waiting_for_detail = None;
                self.held_keys.clear();
                return self.close();
            }
            self.held_keys.push(key);
            return Vec::new();
        }
        self.status = None;
        if self.dialog.is_some() {
            return self.dialog_key(key);
        }
        if self.in_review() {
            return self.review_key(key);
        }
        if self.search.typing {
            return self.search_key(key);
        }
        if self.dashboard.is_some() {
            return self.dashboard_key(key);
        }
        match self.setup.keymap.command(&key) {
            Some(command) => self.command(command),
            None => Vec::new(),
        }
    }

    fn dialog_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(dialog) = self.dialog.as_mut() else {
            return Vec::new();
        };
        if is_ctrl_c(&key) {
            if dialog.has_typed_text() {
                let saved = self.remember_draft();
                // The editor waits under the question, text and all, for `n`.
                let editor = self.dialog.take().map(Box::new);
                self.dialog = Some(Dialog::QuitAsk(dialog::quit_ask::QuitAsk { editor }));
                return saved.into_iter().collect();
            }
            return self.close();
        }
        if let Dialog::QuitAsk(dialog::quit_ask::QuitAsk { editor }) = dialog {
            if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                return self.close();
            }
            // `n`, Esc or anything else: back to the text being typed.
            self.dialog = editor.take().map(|d| *d);
            return Vec::new();
        }
        let ctx = dialogs::Ctx::of(&self.setup, self.lang, self.size);
        let outcome = dialog.key(&key, &ctx);
        let mut effects: Vec<Effect> = Vec::new();
        match outcome {
            // A key while typing: the draft is saved on the next tick, not per key.
            Outcome::Stay => self.note_draft(),
            Outcome::Close => {
                effects.extend(self.discard_draft());
                self.dialog = None;
            }
            Outcome::Submit => {
                // The text is in the store before the action that will delete it.
                effects.extend(self.remember_draft());
                if let Some(dialog) = self.dialog.take() {
                    effects.extend(self.submit(dialog));
                }
            }
        }
        effects
    }

    fn switch_tab(&mut self, tab: usize) -> Vec<Effect> {
        if tab == self.tab && !self.list.rows.is_empty() {
            return Vec::new();
        }
        self.enter_tab(tab);
        self.detail = None;
        self.focus = Focus::List;
        self.detail_scroll = 0;
        self.reload()
    }

    fn after_move(&mut self, moved: bool) -> Vec<Effect> {
        self.list.offset =
            list::scroll_offset(self.list.selected, self.list.offset, self.visible_rows());
        let mut effects = Vec::new();
        if moved {
            self.detail_scroll = 0;
            self.detail = self
                .detail
                .take()
                .filter(|d| Some(&d.case.case_no) == self.list.selected_case_no().as_ref());
            effects.extend(self.request_detail());
        }
        if self.list.wants_more(self.visible_rows()) {
            effects.push(self.request_page(Fetch::Append));
        } else if self.list.wants_earlier(self.visible_rows()) {
            effects.push(self.request_page(Fetch::Prepend));
        }
        effects
    }

    /// Moves to tab `tab`, each tab keeping its own filter.
    fn enter_tab(&mut self, tab: usize) {
        self.tab_filters[self.tab] = self.list.filter;
        self.tab_sorts[self.tab] = self.list.sort;
        self.tab = tab % Queue::TABS.len();
        self.list.filter = self.tab_filters[self.tab];
        self.list.sort = self.tab_sorts[self.tab];
        self.list.reset_for(self.queue());
    }

    fn set_filter(&mut self, filter: Filter) -> Vec<Effect> {
        self.list.filter = filter;
        self.list.from_top();
        self.reload()
    }
}
