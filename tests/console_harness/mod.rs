//! The console harness of tests/console.rs (and its served twin) and tests/console_snapshots.rs:
//! the console driven by keys through `App::update`, its store jobs run synchronously against a
//! temporary demo store (or through a server of its own in a served twin), each screen rendered
//! into a `TestBackend`. The date is fixed, so every deadline on screen is too.

#![allow(dead_code, unused_imports)]

pub use chrono::NaiveDate;
pub use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
pub use permitdesk::console::app::dialog::{Dialog, TextAction};
pub use permitdesk::console::app::list::{MAX_LOADED, PAGE_ROWS};
pub use permitdesk::console::app::{App, Effect, Msg, Setup};
pub use permitdesk::console::i18n::Lang;
pub use permitdesk::console::keymap::Keymap;
pub use permitdesk::console::view;
pub use permitdesk::console::worker::{Job, Reply, Ticket, execute};
pub use permitdesk::demo::{DemoOptions, build};
pub use permitdesk::domain::{ActionKind, Calendar, Filter, Queue, Stage};
pub use permitdesk::store::{QueueQuery, Store};
pub use ratatui::Terminal;
pub use ratatui::backend::TestBackend;
pub use std::collections::VecDeque;
pub use tempfile::TempDir;

use crate::served;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

pub const TODAY: &str = "2026-11-26";

pub fn today() -> NaiveDate {
    TODAY.parse().expect("date")
}

/// Where the console's jobs run: on the harness's store, or through a server of its own.
pub enum Exec {
    Direct,
    Served {
        session: Box<permitdesk::remote::client::BlockingSession>,
        _server: served::Server,
    },
}

pub struct Harness {
    pub app: App,
    pub store: Store,
    pub exec: Exec,
    pub _dir: TempDir,
    pub width: u16,
    pub height: u16,
}

/// A demo store of `cases` cases (seed 11), built once per process and copied for each test.
pub fn demo_store(cases: u64) -> (TempDir, Store) {
    static BUILT: OnceLock<Mutex<HashMap<u64, Vec<u8>>>> = OnceLock::new();
    let dir = TempDir::new().expect("dir");
    let path = dir.path().join("demo.db");
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(bytes) = built.get(&cases) {
        std::fs::write(&path, bytes).expect("copy the demo store");
    } else {
        let mut store = Store::open(&path, Calendar::embedded()).expect("store");
        let options = DemoOptions {
            cases,
            seed: 11,
            today: today(),
            os_login: None,
        };
        build(&mut store, &options, &mut |_, _| {}).expect("demo");
        store.checkpoint().expect("checkpoint");
        drop(store);
        built.insert(cases, std::fs::read(&path).expect("read the demo store"));
    }
    drop(built);
    let store = Store::open(&path, Calendar::embedded()).expect("store");
    (dir, store)
}

impl Harness {
    pub fn new(user: &str, width: u16, height: u16, lang: Lang) -> Harness {
        Self::with_cases(user, width, height, lang, 300)
    }

    pub fn with_cases(user: &str, width: u16, height: u16, lang: Lang, cases: u64) -> Harness {
        Self::with_office(user, width, height, lang, cases, |_| {})
    }

    /// A console opened after `office` has changed the demo store (its policy, say).
    pub fn with_office(
        user: &str,
        width: u16,
        height: u16,
        lang: Lang,
        cases: u64,
        office: impl FnOnce(&mut Store),
    ) -> Harness {
        let (dir, mut store) = demo_store(cases);
        office(&mut store);
        let actor = store.actor(user).expect("actor");
        let setup = Setup {
            user: user.into(),
            roles: actor.roles,
            today: today(),
            policy: store.policy().clone(),
            store_label: "demo.db".into(),
            store_read_only: false,
            lang,
            keymap: Keymap::default(),
            ascii: false,
            color: false,
            alert: Default::default(),
            theme: Default::default(),
        };
        let (app, effects) = App::new(setup);
        let exec = if served::enabled() {
            let server = served::start(store.path());
            let session = permitdesk::remote::client::BlockingSession::connect(
                &server.socket,
                Some(user),
                Some(TODAY),
            )
            .expect("connect to the server");
            Exec::Served {
                session: Box::new(session),
                _server: server,
            }
        } else {
            Exec::Direct
        };
        let mut h = Harness {
            app,
            store,
            exec,
            _dir: dir,
            width,
            height,
        };
        h.app.update(Msg::Resize(width, height));
        h.run(effects);
        h
    }

    /// Runs one job where this suite runs them.
    pub fn execute(&mut self, job: permitdesk::console::worker::Job) -> Reply {
        match &mut self.exec {
            Exec::Direct => execute(&mut self.store, job),
            Exec::Served { session, .. } => session.execute(job).expect("a served job"),
        }
    }

    /// Runs effects to completion, the way the worker would, in order.
    pub fn run(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            if let Effect::Store(ticket) = effect {
                let reply = self.execute(ticket.job);
                queue.extend(self.app.update(Msg::Reply {
                    generation: ticket.generation,
                    reply,
                }));
            }
        }
    }

    pub fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        let effects = self.app.update(Msg::Key(KeyEvent::new(code, modifiers)));
        self.run(effects);
    }

    pub fn press(&mut self, keys: &str) {
        for c in keys.chars() {
            let modifiers = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.key(KeyCode::Char(c), modifiers);
        }
    }

    /// Keys that arrive in one input burst: each is handled before any store reply to the ones
    /// before it, as when they come in one read from a fast typist or a slow link.
    pub fn burst(&mut self, keys: &[KeyCode]) {
        let mut effects = Vec::new();
        for code in keys {
            effects.extend(
                self.app
                    .update(Msg::Key(KeyEvent::new(*code, KeyModifiers::NONE))),
            );
        }
        self.run(effects);
    }

    pub fn enter(&mut self) {
        self.key(KeyCode::Enter, KeyModifiers::NONE);
    }

    pub fn esc(&mut self) {
        self.key(KeyCode::Esc, KeyModifiers::NONE);
    }

    pub fn ctrl(&mut self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            if c == '\n' {
                self.enter();
            } else {
                self.key(KeyCode::Char(c), KeyModifiers::NONE);
            }
        }
    }

    pub fn screen(&self) -> String {
        let mut terminal =
            Terminal::new(TestBackend::new(self.width, self.height)).expect("terminal");
        terminal.draw(|f| view::draw(f, &self.app)).expect("draw");
        let buffer = terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..buffer.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let symbol = buffer[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                line.push_str(symbol);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        mask_clock(&out)
    }

    /// The first row of the current queue in the given stage, selected.
    pub fn select_first(&mut self, stage: Stage, unclaimed: bool) -> String {
        for _ in 0..self.app.list.rows.len() {
            if let Some(row) = self.app.list.selected_row() {
                if row.stage == stage && (!unclaimed || row.assignee.is_none()) {
                    return row.case_no.clone();
                }
            }
            self.press("j");
        }
        panic!("no {stage} case in this queue");
    }
}

/// `by` assigns `case_no` to `to` behind the console's back, as another person would.
pub fn assign(store: &mut Store, case_no: &str, by: &str, to: &str) {
    store
        .act(permitdesk::store::Request {
            case_no: case_no.to_string(),
            user: by.into(),
            action: permitdesk::domain::Action::Assign {
                assignee: to.into(),
            },
            expect_version: None,
            expect_stage: None,
            today: Some(today()),
        })
        .unwrap_or_else(|e| panic!("{by} assigns {case_no} to {to}: {e}"));
}

/// Actions taken in a test happen at today's date but the wall clock's time of day.
pub fn mask_clock(screen: &str) -> String {
    let mut out = String::with_capacity(screen.len());
    let mut rest = screen;
    let stamp = format!("{TODAY} ");
    while let Some(i) = rest.find(&stamp) {
        let end = i + stamp.len();
        out.push_str(&rest[..end]);
        let tail = &rest[end..];
        let is_time = tail.len() >= 5
            && tail.as_bytes()[2] == b':'
            && tail[..5].chars().filter(|c| c.is_ascii_digit()).count() == 4;
        if is_time {
            out.push_str("hh:mm");
            rest = &tail[5..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}
