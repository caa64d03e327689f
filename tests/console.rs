//! The console driven by keys through `App::update`, its store jobs run synchronously against a
//! temporary demo store, each screen rendered into a `TestBackend` and compared with a reviewed
//! snapshot. The date is fixed, so every deadline on screen is too.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use permitdesk::console::app::list::{MAX_LOADED, PAGE_ROWS};
use permitdesk::console::app::{App, Effect, Msg, Setup};
use permitdesk::console::i18n::Lang;
use permitdesk::console::keymap::Keymap;
use permitdesk::console::view;
use permitdesk::console::worker::{Reply, execute};
use permitdesk::demo::{DemoOptions, build};
use permitdesk::domain::{Calendar, Filter, Queue, Stage};
use permitdesk::store::{QueueQuery, Store};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::VecDeque;
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";

fn today() -> NaiveDate {
    TODAY.parse().expect("date")
}

struct Harness {
    app: App,
    store: Store,
    _dir: TempDir,
    width: u16,
    height: u16,
}

fn demo_store(cases: u64) -> (TempDir, Store) {
    let dir = TempDir::new().expect("dir");
    let mut store = Store::open(&dir.path().join("demo.db"), Calendar::embedded()).expect("store");
    let options = DemoOptions {
        cases,
        seed: 11,
        today: today(),
        os_login: None,
    };
    build(&mut store, &options, &mut |_, _| {}).expect("demo");
    (dir, store)
}

impl Harness {
    fn new(user: &str, width: u16, height: u16, lang: Lang) -> Harness {
        Self::with_cases(user, width, height, lang, 300)
    }

    fn with_cases(user: &str, width: u16, height: u16, lang: Lang, cases: u64) -> Harness {
        let (dir, store) = demo_store(cases);
        let actor = store.actor(user).expect("actor");
        let setup = Setup {
            user: user.into(),
            roles: actor.roles,
            today: today(),
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
        let mut h = Harness {
            app,
            store,
            _dir: dir,
            width,
            height,
        };
        h.app.update(Msg::Resize(width, height));
        h.run(effects);
        h
    }

    /// Runs effects to completion, the way the worker would, in order.
    fn run(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            if let Effect::Store(ticket) = effect {
                let reply = execute(&mut self.store, ticket.job);
                queue.extend(self.app.update(Msg::Reply {
                    generation: ticket.generation,
                    reply,
                }));
            }
        }
    }

    fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        let effects = self.app.update(Msg::Key(KeyEvent::new(code, modifiers)));
        self.run(effects);
    }

    fn press(&mut self, keys: &str) {
        for c in keys.chars() {
            let modifiers = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.key(KeyCode::Char(c), modifiers);
        }
    }

    fn enter(&mut self) {
        self.key(KeyCode::Enter, KeyModifiers::NONE);
    }

    fn esc(&mut self) {
        self.key(KeyCode::Esc, KeyModifiers::NONE);
    }

    fn ctrl(&mut self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            if c == '\n' {
                self.enter();
            } else {
                self.key(KeyCode::Char(c), KeyModifiers::NONE);
            }
        }
    }

    fn screen(&self) -> String {
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
    fn select_first(&mut self, stage: Stage, unclaimed: bool) -> String {
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

/// Actions taken in a test happen at today's date but the wall clock's time of day.
fn mask_clock(screen: &str) -> String {
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

#[test]
fn main_screen_narrow_and_wide() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    insta::assert_snapshot!("my_cases_80x24", h.screen());
    h.press("2");
    insta::assert_snapshot!("pre_audit_80x24", h.screen());
    h.enter();
    insta::assert_snapshot!("detail_80x24", h.screen());
    let mut wide = Harness::new("li.wei", 160, 48, Lang::En);
    wide.press("2");
    insta::assert_snapshot!("pre_audit_160x48", wide.screen());
}

#[test]
fn chinese_screen_aligns() {
    let mut h = Harness::new("li.wei", 160, 48, Lang::Zh);
    h.press("7");
    insta::assert_snapshot!("verification_zh_160x48", h.screen());
    h.press("L");
    assert!(
        h.screen().contains("Verification ("),
        "L switches to English live"
    );
}

#[test]
fn claim_then_accept_with_a_confirmation() {
    let mut h = Harness::new("li.wei", 160, 48, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    assert_eq!(
        h.store.case(&case_no).expect("case").assignee(),
        Some("li.wei")
    );
    h.press("a");
    insta::assert_snapshot!("accept_confirmation", h.screen());
    h.enter();
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::Review);
    assert!(
        h.screen()
            .contains(&format!("{case_no}: Pre-audit -> Review"))
    );
    assert!(h.store.check(today(), None).expect("check").ok());
}

#[test]
fn return_needs_a_reason_and_keeps_it() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    h.ctrl('s');
    insta::assert_snapshot!("return_empty_refused", h.screen());
    h.type_text("1. 护照复印件不清晰\n2. Contract lacks the employer's seal");
    insta::assert_snapshot!("return_typed", h.screen());
    h.ctrl('s');
    let case = h.store.case(&case_no).expect("case");
    assert_eq!(case.stage, Stage::Returned);
    let events = h.store.events(&case_no).expect("events");
    assert_eq!(
        events.last().and_then(|e| e.action.reason()),
        Some("1. 护照复印件不清晰\n2. Contract lacks the employer's seal")
    );
}

#[test]
fn a_conflict_opens_a_dialog_and_keeps_the_typed_reason() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    let case_no = h.select_first(Stage::PreAudit, true);
    h.press("c");
    h.press("r");
    h.type_text("Passport copy unreadable");
    // Meanwhile a supervisor reassigns the case.
    h.store
        .act(permitdesk::store::Request {
            case_no: case_no.clone(),
            user: "wang.fang".into(),
            action: permitdesk::domain::Action::Assign {
                assignee: "chen.yu".into(),
            },
            expect_version: None,
            expect_stage: None,
            today: Some(today()),
        })
        .expect("reassign");
    h.ctrl('s');
    insta::assert_snapshot!("conflict_dialog", h.screen());
    assert_eq!(h.store.case(&case_no).expect("case").stage, Stage::PreAudit);
    h.enter();
    h.press("r");
    assert!(
        h.screen().contains("Passport copy unreadable"),
        "the typed reason comes back"
    );
}

#[test]
fn refusals_are_shown_in_words() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("2");
    h.select_first(Stage::PreAudit, true);
    h.press("a");
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("claim it first"), "{screen}");
}

#[test]
fn search_as_you_type_counts_matches() {
    let mut h = Harness::new("li.wei", 160, 48, Lang::En);
    h.press("9");
    let passport = h.app.list.rows[3].applicant.passport_no.clone();
    let case_no = h.app.list.rows[3].case_no.clone();
    h.press("/");
    h.type_text("GZ2026-0001");
    let screen = h.screen();
    assert!(screen.contains("[Search \"GZ2026-0001\"]"), "{screen}");
    let total = h.app.list.total.unwrap_or(0);
    assert!(total > 0 && total <= 100, "{total} matches");
    assert!(
        h.app
            .list
            .rows
            .iter()
            .all(|r| r.case_no.starts_with("GZ2026-0001"))
    );
    h.key(KeyCode::Esc, KeyModifiers::NONE);
    h.press("/");
    h.type_text(&passport);
    h.enter();
    assert_eq!(h.app.list.selected_case_no(), Some(case_no));
    h.esc();
    assert!(!h.screen().contains("[Search"));
}

#[test]
fn help_comes_from_the_live_keymap() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::En);
    h.press("?");
    insta::assert_snapshot!("help_80x24", h.screen());
}

#[test]
fn a_viewer_gets_a_read_only_console() {
    let mut h = Harness::new("audit.he", 80, 24, Lang::En);
    h.press("2");
    let version = h.app.list.selected_row().map(|r| r.version);
    h.press("c");
    assert!(h.screen().contains("read-only"));
    assert_eq!(h.app.list.selected_row().map(|r| r.version), version);
}

#[test]
fn bulk_claim_previews_and_reports() {
    let mut h = Harness::new("chen.yu", 80, 24, Lang::En);
    h.press("2");
    h.press("f");
    h.press("  ");
    h.press("c");
    insta::assert_snapshot!("bulk_preview", h.screen());
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("2 done, 0 failed"), "{screen}");
}

#[test]
fn a_tiny_terminal_gets_a_message() {
    let h = Harness::new("li.wei", 50, 12, Lang::En);
    assert!(h.screen().contains("Window too small"));
}

#[test]
fn clerk_dialogs_entry_and_checklist() {
    let mut h = Harness::new("liu.yang", 80, 24, Lang::En);
    h.press("6");
    h.press("e");
    insta::assert_snapshot!("entry_date_dialog", h.screen());
    h.esc();
    h.press("7");
    h.press("v");
    insta::assert_snapshot!("verify_dialog", h.screen());
    h.enter();
    let screen = h.screen();
    assert!(
        screen.contains("is not a date"),
        "an empty visa date is refused: {screen}"
    );
}

#[test]
fn supervisor_assigns_from_a_picker_and_extends_by_palette() {
    let mut h = Harness::new("wang.fang", 160, 48, Lang::En);
    h.press("2");
    let case_no = h.app.list.selected_case_no().expect("a case");
    h.press("A");
    insta::assert_snapshot!("assign_picker", h.screen());
    h.enter();
    let holder = h
        .store
        .case(&case_no)
        .expect("case")
        .assignee()
        .map(str::to_string);
    assert_eq!(
        holder.as_deref(),
        Some("chen.yu"),
        "the first candidate is chen.yu"
    );
    h.press("3");
    h.press(":");
    h.type_text("extend");
    insta::assert_snapshot!("palette", h.screen());
    h.enter();
    h.type_text("3");
    h.enter();
    h.type_text("Waiting for the degree verification report");
    h.ctrl('s');
    let screen = h.screen();
    assert!(
        screen.contains("extend (done)") || screen.contains("already extended"),
        "{screen}"
    );
}

#[test]
fn dashboard_opens_the_cases_behind_a_figure() {
    let mut h = Harness::new("wang.fang", 160, 48, Lang::En);
    h.press("D");
    insta::assert_snapshot!("dashboard_160x48", h.screen());
    let expected = h
        .app
        .dashboard
        .as_ref()
        .and_then(|d| d.data.as_ref())
        .map(|d| d.overdue_verifications)
        .expect("figures");
    h.enter();
    let listed = h
        .app
        .dashboard
        .as_ref()
        .and_then(|d| d.opened.as_ref())
        .map(|(_, list)| list.total.unwrap_or(0))
        .expect("opened figure");
    assert_eq!(
        listed, expected,
        "the list behind a figure has as many cases as the figure says"
    );
    h.esc();
    h.esc();
    assert!(h.app.dashboard.is_none());
}

#[test]
fn refusals_and_help_in_chinese() {
    let mut h = Harness::new("li.wei", 80, 24, Lang::Zh);
    h.press("2");
    h.select_first(Stage::PreAudit, true);
    h.press("a");
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("请先认领"), "{screen}");
    h.enter();
    h.press("?");
    insta::assert_snapshot!("help_zh_80x24", h.screen());
}

#[test]
fn paging_deep_keeps_a_window_and_reads_rows_again_on_the_way_back() {
    let mut h = Harness::with_cases("li.wei", 120, 40, Lang::En, 1_500);
    h.press("9");
    assert_eq!(h.app.queue(), Queue::Closed);
    let everything = h
        .store
        .page(&QueueQuery {
            queue: Queue::Closed,
            filter: Filter::All,
            search: None,
            user: "li.wei".into(),
            today: today(),
            sort: Default::default(),
            after: None,
            limit: 5_000,
        })
        .expect("the whole queue")
        .rows
        .into_iter()
        .map(|r| r.case_no)
        .collect::<Vec<_>>();
    assert!(
        everything.len() > MAX_LOADED + PAGE_ROWS,
        "{}",
        everything.len()
    );
    let selected = |h: &Harness| h.app.list.selected_case_no().expect("a selection");
    // The case selected before each of `n - 1` presses of `key`, and after the last.
    let walk = |h: &mut Harness, key: &str, n: usize| {
        let mut seen = vec![selected(h)];
        for _ in 1..n {
            h.press(key);
            assert!(
                h.app.list.rows.len() <= MAX_LOADED,
                "the window stays bounded"
            );
            seen.push(selected(h));
        }
        seen
    };
    let down = walk(&mut h, "j", everything.len());
    assert_eq!(
        down, everything,
        "walking down visits every case once, in order"
    );
    assert!(h.app.list.above.is_some(), "the first rows were let go");

    // A refresh deep in the queue re-reads the window, not the first page.
    let deep = selected(&h);
    for version in [1, 2] {
        let effects = h.app.update(Msg::Reply {
            generation: 0,
            reply: Reply::Changed(version),
        });
        h.run(effects);
    }
    assert_eq!(selected(&h), deep, "the selection survives a refresh");

    let mut up = walk(&mut h, "k", everything.len());
    up.reverse();
    assert_eq!(
        up, everything,
        "walking back up reads the let-go rows again"
    );
    assert!(h.app.list.above.is_none());

    // `g` from deep down goes to the real top, not the top of the window.
    h.press("G");
    for _ in 0..15 {
        h.key(KeyCode::PageDown, KeyModifiers::NONE);
    }
    assert!(h.app.list.above.is_some());
    h.press("g");
    assert_eq!(selected(&h), everything[0]);
}
