//! Key press to redrawn frame: a key through `App::update`, every store job it asks for run
//! synchronously through the worker's own `execute` (as the live worker would, in order, replies
//! fed back), then the frame drawn into ratatui's `TestBackend`. Move, page, switch queue and open
//! the detail panel, paging past the table's window of loaded rows, plus one search keystroke;
//! p99 is the figure of interest.
//!
//! The console only reads here, but `App::new` records the user's visit (one small write).
//!
//! Then all of it again through `permitdesk serve` (`key_to_frame_served/*`): the same console,
//! its jobs sent one at a time to a server of this build on the same store
//! (`BlockingSession`, as the console's connection carries them) and their replies fed back.
//! Polls are answered here from the server's news, as the served console does.

mod common;

use common::{Samples, USER, today};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use permitdesk::console::app::{App, Effect, Msg, Setup};
use permitdesk::console::i18n::Lang;
use permitdesk::console::keymap::Keymap;
use permitdesk::console::view;
use permitdesk::console::worker::{Job, Reply, execute};
use permitdesk::remote::client::BlockingSession;
use permitdesk::store::Store;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::VecDeque;

/// A wide terminal: the table and the detail panel side by side, the most drawn per frame.
const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;

/// Where the console's jobs run: in this process, or in a server.
enum Jobs {
    Direct(Store),
    Served(BlockingSession),
}

impl Jobs {
    fn execute(&mut self, job: Job) -> Reply {
        match self {
            Jobs::Direct(store) => execute(store, job),
            // The served console answers polls itself from the news the server pushes.
            Jobs::Served(_) if matches!(job, Job::Poll) => Reply::Changed(0),
            Jobs::Served(session) => session.execute(job).expect("the server answers"),
        }
    }
}

struct Console {
    app: App,
    jobs: Jobs,
    terminal: Terminal<TestBackend>,
}

impl Console {
    fn new(jobs: Jobs) -> Console {
        let (roles, policy) = match &jobs {
            Jobs::Direct(store) => (
                store.actor(USER).expect("bench user").roles,
                store.policy().clone(),
            ),
            Jobs::Served(session) => (
                session.welcome.roles.clone(),
                session.welcome.policy.clone(),
            ),
        };
        let setup = Setup {
            user: USER.into(),
            roles,
            today: today(),
            policy,
            store_label: "bench.db".into(),
            store_read_only: false,
            lang: Lang::En,
            keymap: Keymap::default(),
            ascii: false,
            color: true,
            alert: Default::default(),
            theme: Default::default(),
        };
        let (app, effects) = App::new(setup);
        let mut console = Console {
            app,
            jobs,
            terminal: Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal"),
        };
        console.app.update(Msg::Resize(WIDTH, HEIGHT));
        console.run(effects);
        console.draw();
        console
    }

    /// Runs the effects the way the worker would: in order, each reply fed back to the app.
    fn run(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            if let Effect::Store(ticket) = effect {
                let reply = self.jobs.execute(ticket.job);
                queue.extend(self.app.update(Msg::Reply {
                    generation: ticket.generation,
                    reply,
                }));
            }
        }
    }

    fn draw(&mut self) {
        let app = &self.app;
        self.terminal.draw(|f| view::draw(f, app)).expect("draw");
    }

    /// One key press to its redrawn frame.
    fn press(&mut self, code: KeyCode) {
        let effects = self
            .app
            .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.run(effects);
        self.draw();
    }
}

fn main() {
    let path = common::bench_db();
    let mut c = common::criterion().configure_from_args();
    let samples = Samples::new();
    measure(
        &mut c,
        &samples,
        "key_to_frame",
        Console::new(Jobs::Direct(common::open_store(&path))),
    );
    let server = common::Server::start(&path);
    measure(
        &mut c,
        &samples,
        "key_to_frame_served",
        Console::new(Jobs::Served(server.session())),
    );
    drop(server);
    c.final_summary();
}

fn measure(c: &mut criterion::Criterion, samples: &Samples, prefix: &str, mut console: Console) {
    let mut group = c.benchmark_group(prefix);
    // Each measure presses its keys in turn, so the state never drifts: down/up, page down/up,
    // every tab in order, detail open/closed.
    let cases: Vec<(&str, Vec<KeyCode>)> = vec![
        ("move", vec![KeyCode::Down, KeyCode::Up]),
        ("page", vec![KeyCode::PageDown, KeyCode::PageUp]),
        ("switch_queue", vec![KeyCode::Tab]),
        ("open_detail", vec![KeyCode::Enter, KeyCode::Esc]),
    ];
    for (name, keys) in &cases {
        let mut turn = 0usize;
        group.bench_function(*name, |b| {
            b.iter_custom(|iters| {
                samples.timed(iters, || {
                    console.press(keys[turn % keys.len()]);
                    turn += 1;
                })
            })
        });
        samples.report(&format!("{prefix}/{name}"));
    }

    // Paging through Closed (the largest) past the table's window: 40 pages down, 40 back up, so
    // rows are let go below and above and read again by keyset.
    console.press(KeyCode::Esc);
    console.press(KeyCode::Char('9'));
    let mut turn = 0usize;
    group.bench_function("page_through_window", |b| {
        b.iter_custom(|iters| {
            samples.timed(iters, || {
                let key = if turn % 80 < 40 {
                    KeyCode::PageDown
                } else {
                    KeyCode::PageUp
                };
                console.press(key);
                turn += 1;
            })
        })
    });
    samples.report(&format!("{prefix}/page_through_window"));

    // Search as you type in a stage tab and in Closed (the largest): `/`, then each keystroke
    // re-queries the page and its total. The word is typed, then taken back letter by letter.
    for (tab, label) in [('2', "pre_audit"), ('9', "closed")] {
        console.press(KeyCode::Esc);
        console.press(KeyCode::Char(tab));
        console.press(KeyCode::Char('/'));
        let typed: Vec<char> = "hern".chars().collect();
        let mut turn = 0usize;
        let name = format!("search_keystroke_{label}");
        group.bench_function(name.as_str(), |b| {
            b.iter_custom(|iters| {
                samples.timed(iters, || {
                    let step = turn % (2 * typed.len());
                    if step < typed.len() {
                        console.press(KeyCode::Char(typed[step]));
                    } else {
                        console.press(KeyCode::Backspace);
                    }
                    turn += 1;
                })
            })
        });
        samples.report(&format!("{prefix}/{name}"));
    }
    group.finish();
}
