//! Property tests of the console's `App::update`: random sequences of keys (every default
//! binding, dialog keys, text, control keys, releases), pastes (with escape sequences, bidi
//! controls, newlines, CJK), resizes down to 1x1 and ticks, for random users (approver,
//! supervisor, clerk, viewer, admin), against a small demo store whose jobs run synchronously
//! exactly as the worker runs them. After every message: no panic, the selection is within the
//! loaded rows, marks are cases as last shown, dialog state is consistent, and the screen renders at the
//! current size. After the sequence: `check` passes, and a viewer changed nothing.
//!
//! Deterministic: a fixed seed (`PERMITDESK_PROPTEST_SEED` to vary it) and `PROPTEST_CASES`
//! cases (default 40).

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use permitdesk::console::app::dialog::Dialog;
use permitdesk::console::app::{App, Effect, Msg, Setup};
use permitdesk::console::dialogs::{assign, bulk, reason};
use permitdesk::console::i18n::Lang;
use permitdesk::console::keymap::Keymap;
use permitdesk::console::view;
use permitdesk::console::worker::execute;
use permitdesk::demo::{DemoOptions, build};
use permitdesk::domain::Calendar;
use permitdesk::store::Store;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";
const USERS: &[&str] = &[
    "li.wei",
    "chen.yu",
    "wang.fang",
    "liu.yang",
    "audit.he",
    "admin",
];

fn today() -> NaiveDate {
    TODAY.parse().expect("date")
}

/// One demo store, built once; each case works on its own copy.
fn template() -> &'static PathBuf {
    static TEMPLATE: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    &TEMPLATE
        .get_or_init(|| {
            let dir = TempDir::new().expect("dir");
            let path = dir.path().join("template.db");
            let mut store = Store::open(&path, Calendar::embedded()).expect("store");
            let options = DemoOptions {
                cases: 100,
                seed: 17,
                today: today(),
                os_login: None,
            };
            build(&mut store, &options, &mut |_, _| {}).expect("demo");
            store.checkpoint().expect("checkpoint");
            drop(store);
            (dir, path)
        })
        .1
}

#[derive(Debug, Clone)]
enum Input {
    Key(KeyCode, KeyModifiers),
    Release(KeyCode),
    Paste(String),
    Resize(u16, u16),
    Tick,
}

fn key_code() -> impl Strategy<Value = KeyCode> {
    // Every default binding and the keys dialogs read, often; anything printable, sometimes.
    let bound = "?q123456789jkgGfsScarxevnAoDyL:/ wbtlzp";
    prop_oneof![
        8 => proptest::sample::select(bound.chars().collect::<Vec<_>>()).prop_map(KeyCode::Char),
        2 => any::<char>().prop_map(KeyCode::Char),
        1 => proptest::sample::select(vec!['李', '伟', '０', 'é', '\u{202E}', '\u{1b}', '\u{9b}'])
            .prop_map(KeyCode::Char),
        4 => proptest::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Backspace,
            KeyCode::Delete,
            KeyCode::F(1),
        ]),
    ]
}

fn modifiers() -> impl Strategy<Value = KeyModifiers> {
    prop_oneof![
        12 => Just(KeyModifiers::NONE),
        2 => Just(KeyModifiers::SHIFT),
        2 => Just(KeyModifiers::CONTROL),
        1 => Just(KeyModifiers::ALT),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        30 => (key_code(), modifiers()).prop_map(|(code, m)| {
            // Uppercase letters arrive with SHIFT, as crossterm reports them.
            let m = match code {
                KeyCode::Char(c) if c.is_ascii_uppercase() => m | KeyModifiers::SHIFT,
                _ => m,
            };
            Input::Key(code, m)
        }),
        // Ctrl-s submits, Ctrl-c quits (or asks): the dialog keys that matter most.
        2 => proptest::sample::select(vec!['s', 'c'])
            .prop_map(|c| Input::Key(KeyCode::Char(c), KeyModifiers::CONTROL)),
        1 => key_code().prop_map(Input::Release),
        3 => "[a-zA-Z0-9 ,.;:\n\t\u{1b}\\[\\]\u{7}\u{9b}\u{202E}李伟明GZ-]{0,60}".prop_map(Input::Paste),
        2 => (1u16..=250, 1u16..=80).prop_map(|(w, h)| Input::Resize(w, h)),
        2 => Just(Input::Tick),
    ]
}

struct Run {
    app: App,
    store: Store,
    _dir: TempDir,
    copied: Vec<String>,
}

impl Run {
    fn new(user: &str, lang: Lang, width: u16, height: u16) -> Run {
        let dir = TempDir::new().expect("dir");
        let path = dir.path().join("demo.db");
        std::fs::copy(template(), &path).expect("copy");
        let store = Store::open(&path, Calendar::embedded()).expect("open");
        let actor = store.actor(user).expect("actor");
        let (app, effects) = App::new(Setup {
            user: user.into(),
            roles: actor.roles,
            today: today(),
            policy: store.policy().clone(),
            store_label: "demo.db".into(),
            store_read_only: false,
            lang,
            keymap: Keymap::default(),
            ascii: false,
            color: true,
            theme: Default::default(),
            alert: Default::default(),
        });
        let mut run = Run {
            app,
            store,
            _dir: dir,
            copied: Vec::new(),
        };
        run.send(Msg::Resize(width, height));
        run.effects(effects);
        run
    }

    fn send(&mut self, msg: Msg) {
        let effects = self.app.update(msg);
        self.effects(effects);
    }

    /// Runs effects to completion in order, as the worker thread and the event loop would.
    fn effects(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            match effect {
                Effect::Store(ticket) => {
                    let reply = execute(&mut self.store, ticket.job);
                    queue.extend(self.app.update(Msg::Reply {
                        generation: ticket.generation,
                        reply,
                    }));
                }
                Effect::Copy(text) => self.copied.push(text),
                Effect::Alert(_) | Effect::Quit => {}
            }
        }
    }

    fn events(&self) -> i64 {
        self.store.check(today(), None).expect("check").events as i64
    }
}

/// Which dialogs the runs opened (one bit per kind) and how many runs committed an action: the
/// tests check they reached what they claim to test.
struct Seen {
    dialogs: AtomicU64,
    acted: AtomicU64,
}

static RANDOM: Seen = Seen::new();
static TOURS: Seen = Seen::new();

impl Seen {
    const fn new() -> Seen {
        Seen {
            dialogs: AtomicU64::new(0),
            acted: AtomicU64::new(0),
        }
    }
}

fn dialog_bit(dialog: &Dialog) -> u64 {
    1 << match dialog {
        Dialog::Confirm { .. } => 0,
        Dialog::Reason { .. } => 1,
        Dialog::EntryDate { .. } => 2,
        Dialog::ExtendDays { .. } => 3,
        Dialog::Verify(_) => 4,
        Dialog::Assign { .. } => 5,
        Dialog::Bulk { .. } => 6,
        Dialog::Message { .. } => 7,
        Dialog::Help { .. } => 8,
        Dialog::Palette { .. } => 9,
        Dialog::QuitAsk { .. } => 10,
        #[allow(unreachable_patterns)]
        _ => 11,
    }
}

/// Everything that must hold between any two messages.
fn invariants(run: &Run, seen: &Seen) -> Result<(), TestCaseError> {
    let app = &run.app;
    if let Some(dialog) = &app.dialog {
        seen.dialogs.fetch_or(dialog_bit(dialog), Ordering::Relaxed);
    }
    let list = &app.list;
    prop_assert!(
        list.selected < list.rows.len() || (list.rows.is_empty() && list.selected == 0),
        "selection {} outside {} loaded rows",
        list.selected,
        list.rows.len()
    );
    // A mark outlives its row's place in the loaded window; a loaded marked row is marked as it
    // is shown, and every mark is a case of the store.
    for (case_no, mark) in &list.marked {
        prop_assert_eq!(case_no, &mark.case_no);
        prop_assert!(
            run.store.case(case_no).is_ok(),
            "{} is marked but no such case",
            case_no
        );
        if let Some(row) = list.rows.iter().find(|r| &r.case_no == case_no) {
            prop_assert!(
                row.version == mark.version && row.stage == mark.stage,
                "{} is marked as v{} {} but shown as v{} {}",
                case_no,
                mark.version,
                mark.stage,
                row.version,
                row.stage
            );
        }
    }
    prop_assert!(app.tab < 9, "tab {}", app.tab);
    if app.is_read_only() {
        prop_assert!(
            !matches!(
                app.dialog,
                Some(Dialog::Confirm { .. })
                    | Some(Dialog::Reason { .. })
                    | Some(Dialog::EntryDate { .. })
                    | Some(Dialog::ExtendDays { .. })
                    | Some(Dialog::Verify(_))
                    | Some(Dialog::Assign { .. })
                    | Some(Dialog::Bulk { .. })
            ),
            "a read-only console opened an action dialog: {:?}",
            app.dialog
        );
    }
    match &app.dialog {
        Some(Dialog::Assign(assign::Assign {
            candidates,
            selected,
            targets,
        })) => {
            prop_assert!(!targets.is_empty(), "assign without a case");
            prop_assert!(
                *selected < candidates.len() || (candidates.is_empty() && *selected == 0),
                "assignee {selected} of {}",
                candidates.len()
            );
        }
        Some(Dialog::Bulk(bulk::Bulk {
            targets,
            reason,
            asking_discard,
            ..
        })) => {
            prop_assert!(!targets.is_empty(), "a bulk action on no case");
            let typed = reason
                .as_ref()
                .is_some_and(|r| !r.lines().join("\n").trim().is_empty());
            prop_assert!(!*asking_discard || typed, "asks to discard nothing");
        }
        Some(Dialog::QuitAsk(q)) => prop_assert!(
            q.editor.as_ref().is_some_and(|d| d.has_typed_text()),
            "asks to quit with nothing typed"
        ),
        Some(Dialog::EntryDate(d)) => prop_assert!(d.input.len() <= 10, "{}", d.input),
        Some(Dialog::ExtendDays(d)) => prop_assert!(d.input.len() <= 2, "{}", d.input),
        Some(Dialog::Verify(form)) => prop_assert!(
            form.focus < permitdesk::console::app::dialog::ChecklistForm::FIELDS,
            "focus {}",
            form.focus
        ),
        Some(Dialog::Reason(reason::Reason {
            editor,
            asking_discard,
            ..
        })) => {
            let text = editor.lines().join("\n");
            prop_assert!(
                !*asking_discard || !text.trim().is_empty(),
                "asks to discard nothing"
            );
        }
        _ => {}
    }
    if let Some(view) = &app.dashboard {
        let n = view.entries(app.lang).len();
        prop_assert!(
            view.selected < n || (n == 0 && view.selected == 0),
            "dashboard entry {} of {n}",
            view.selected
        );
    }
    for text in &run.copied {
        prop_assert!(
            !text.chars().any(char::is_control),
            "copied text with control characters: {text:?}"
        );
    }
    // The screen renders at whatever size the terminal now has.
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| view::draw(f, app)).expect("draw");
    Ok(())
}

fn config(default_cases: u32) -> Config {
    let seed = std::env::var("PERMITDESK_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026);
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    }
}

fn drive(
    user: &str,
    zh: bool,
    size: (u16, u16),
    inputs: &[Input],
    seen: &Seen,
) -> Result<(), TestCaseError> {
    let lang = if zh { Lang::Zh } else { Lang::En };
    let mut run = Run::new(user, lang, size.0, size.1);
    let events_before = run.events();
    let read_only = run.app.is_read_only();
    invariants(&run, seen)?;
    for input in inputs {
        if run.app.quit {
            break;
        }
        let msg = match input {
            Input::Key(code, m) => Msg::Key(KeyEvent::new(*code, *m)),
            Input::Release(code) => Msg::Key(KeyEvent::new_with_kind(
                *code,
                KeyModifiers::NONE,
                KeyEventKind::Release,
            )),
            Input::Paste(text) => Msg::Paste(text.clone()),
            Input::Resize(w, h) => Msg::Resize(*w, *h),
            Input::Tick => Msg::Tick,
        };
        run.send(msg);
        invariants(&run, seen)?;
    }
    let report = run.store.check(today(), None).expect("check");
    prop_assert!(report.ok(), "check failed: {:?}", report.problems);
    if report.events as i64 > events_before {
        seen.acted.fetch_add(1, Ordering::Relaxed);
    }
    if read_only {
        prop_assert_eq!(
            report.events as i64,
            events_before,
            "a read-only console changed the store"
        );
    }
    Ok(())
}

#[test]
fn random_keys_never_panic_and_keep_every_invariant() {
    let mut runner = TestRunner::new(config(40));
    let strategy = (
        proptest::sample::select(USERS.to_vec()),
        any::<bool>(),
        (1u16..=220, 1u16..=70),
        proptest::collection::vec(input(), 1..120),
    );
    runner
        .run(&strategy, |(user, zh, size, inputs)| {
            drive(user, zh, size, &inputs, &RANDOM)
        })
        .unwrap();
    eprintln!(
        "random keys: dialog kinds opened {:#b}; runs that committed an action: {}",
        RANDOM.dialogs.load(Ordering::Relaxed),
        RANDOM.acted.load(Ordering::Relaxed)
    );
}

/// The paths random keys reach only rarely, driven on purpose: an approver and a supervisor
/// opening every action on every tab, typing, pasting hostile text, marking and bulk-acting.
#[test]
fn scripted_action_tours_keep_every_invariant() {
    let mut runner = TestRunner::new(config(12));
    let action = proptest::sample::select(vec!['c', 'a', 'r', 'x', 'e', 'v', 'n', 'A', 'D', 'j']);
    let step = prop_oneof![
        // Another tab.
        2 => proptest::sample::select(vec!['1', '2', '3', '4', '5', '6', '7', '8', '9', 'o'])
            .prop_map(|k| vec![k]),
        // One action on the selected row.
        5 => action.clone().prop_map(|k| vec![k]),
        // Two rows marked, then a bulk action.
        2 => proptest::sample::select(vec!['a', 'c', 'r', 'A'])
            .prop_map(|k| vec![' ', 'j', ' ', k]),
    ];
    let strategy = (
        proptest::sample::select(vec!["li.wei", "wang.fang", "liu.yang"]),
        proptest::collection::vec(step, 1..20),
        "[a-z 李伟\n\u{1b}\\[2J]{1,20}",
    );
    runner
        .run(&strategy, |(user, steps, text)| {
            let mut inputs = Vec::new();
            for keys in steps {
                for k in keys {
                    let m = if k.is_ascii_uppercase() {
                        KeyModifiers::SHIFT
                    } else {
                        KeyModifiers::NONE
                    };
                    inputs.push(Input::Key(KeyCode::Char(k), m));
                }
                // Fill in whatever opened, submit it, dismiss what remains.
                inputs.push(Input::Paste(text.clone()));
                inputs.push(Input::Key(KeyCode::Down, KeyModifiers::NONE));
                inputs.push(Input::Key(KeyCode::Char('s'), KeyModifiers::CONTROL));
                inputs.push(Input::Key(KeyCode::Enter, KeyModifiers::NONE));
                inputs.push(Input::Key(KeyCode::Esc, KeyModifiers::NONE));
                inputs.push(Input::Key(KeyCode::Char('y'), KeyModifiers::NONE));
            }
            drive(user, false, (160, 48), &inputs, &TOURS)
        })
        .unwrap();
    // The tours reach the action dialogs and commit actions (not a vacuous pass).
    let seen = TOURS.dialogs.load(Ordering::Relaxed);
    for (bit, name) in [(0, "confirm"), (1, "reason"), (6, "bulk"), (7, "message")] {
        assert!(seen & (1 << bit) != 0, "no run opened the {name} dialog");
    }
    assert!(
        TOURS.acted.load(Ordering::Relaxed) > 0,
        "no run committed an action"
    );
}
