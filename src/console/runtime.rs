//! The live console: the terminal guard, the event loop and the store worker thread.

use super::app::{Alert, App, Effect, Msg, Setup};
use super::view;
use super::worker::{Job, Reply, Ticket, execute};
use crate::store::Store;
use base64::Engine as _;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event, EventStream};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Write, stdout};
use std::sync::mpsc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// How often the console asks whether anyone else changed the store.
const POLL_EVERY: Duration = Duration::from_millis(1000);

/// Puts the terminal back however the console ends: `Drop` on every return path, the panic hook
/// on a panic, and the signal arms of the loop on SIGTERM and SIGHUP.
struct TerminalGuard;

/// Set while the console owns the terminal, so it is restored exactly once: leaving the
/// alternate screen a second time would move the cursor back over what was printed since (the
/// crash report's location, say).
static TERMINAL_TAKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl TerminalGuard {
    fn enter() -> std::io::Result<TerminalGuard> {
        enable_raw_mode()?;
        TERMINAL_TAKEN.store(true, std::sync::atomic::Ordering::SeqCst);
        let guard = TerminalGuard;
        execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
        Ok(guard)
    }
}

pub fn restore_terminal() {
    if !TERMINAL_TAKEN.swap(false, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Restores the terminal before the previous hook (the binary's crash report, src/main.rs)
/// prints anything, so the report's location lands on a usable screen. A panic on another thread
/// (the store worker) ends the process: the console cannot go on without it, and must not keep
/// drawing on a terminal already restored.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let other_thread = std::thread::current().name() != Some("main");
        // Holding stdout keeps the console's thread from drawing on the restored terminal.
        let held = other_thread.then(|| stdout().lock());
        restore_terminal();
        previous(info);
        if other_thread {
            std::process::exit(101);
        }
        drop(held);
    }));
}

/// `PERMITDESK_TEST_PANIC` (see src/main.rs): `1` or `console` panics after the first frame,
/// `worker` in the store thread; for the crash-report tests only.
fn test_panic(place: &str) {
    match std::env::var("PERMITDESK_TEST_PANIC").as_deref() {
        Ok("worker") if place == "worker" => {
            panic!("PERMITDESK_TEST_PANIC=worker: a deliberate crash in the store worker")
        }
        Ok("1") | Ok("console") if place == "console" => {
            panic!("PERMITDESK_TEST_PANIC: a deliberate crash after the first frame")
        }
        _ => {}
    }
}

/// Runs jobs on the store's own connection. Queued page, detail, count and poll jobs that a newer
/// one of the same kind supersedes are skipped; actions never are.
fn spawn_worker(mut store: Store, replies: UnboundedSender<(u64, Reply)>) -> mpsc::Sender<Ticket> {
    let (tx, rx) = mpsc::channel::<Ticket>();
    std::thread::spawn(move || {
        test_panic("worker");
        while let Ok(first) = rx.recv() {
            let mut batch = vec![first];
            while let Ok(more) = rx.try_recv() {
                batch.push(more);
            }
            let superseded = |i: usize, job: &Job| {
                batch[i + 1..]
                    .iter()
                    .any(|later| super::worker::superseded(job, &later.job))
            };
            let skip: Vec<bool> = batch
                .iter()
                .enumerate()
                .map(|(i, t)| superseded(i, &t.job))
                .collect();
            for (i, ticket) in batch.into_iter().enumerate() {
                if skip[i] {
                    continue;
                }
                let reply = execute(&mut store, ticket.job);
                if replies.send((ticket.generation, reply)).is_err() {
                    return;
                }
            }
        }
    });
    tx
}

fn copy_to_clipboard(text: &str) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = stdout();
    let _ = write!(out, "\x1b]52;c;{encoded}\x07");
    let _ = out.flush();
}

fn alert(style: Alert, text: &str) {
    let text = crate::text::sanitize_line(text);
    let sequence = match style {
        Alert::Off => return,
        Alert::Bell => "\x07".to_string(),
        Alert::Osc9 => format!("\x1b]9;{text}\x07"),
        Alert::Osc777 => format!("\x1b]777;notify;permitdesk;{text}\x07"),
    };
    let mut out = stdout();
    let _ = out.write_all(sequence.as_bytes());
    let _ = out.flush();
}

/// Where the console's jobs run: on a store connection of its own, or in a server.
pub enum Backend {
    Local(Store),
    Remote(crate::remote::protocol::Connection),
}

/// The channel jobs go in by.
enum Jobs {
    Local(mpsc::Sender<Ticket>),
    Remote(UnboundedSender<Ticket>),
}

impl Jobs {
    fn send(&self, ticket: Ticket) {
        let _ = match self {
            Jobs::Local(tx) => tx.send(ticket).map_err(drop),
            Jobs::Remote(tx) => tx.send(ticket).map_err(drop),
        };
    }
}

pub fn run(store: Store, setup: Setup) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    run_on(&runtime, Backend::Local(store), setup)
}

/// Runs the console on `runtime` (the one a server connection was made on, when remote).
pub fn run_on(
    runtime: &tokio::runtime::Runtime,
    backend: Backend,
    setup: Setup,
) -> anyhow::Result<()> {
    install_panic_hook();
    let guard = TerminalGuard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    terminal.clear()?;
    let farewell = runtime.block_on(event_loop(&mut terminal, backend, setup))?;
    drop(guard);
    // After a hang-up nobody reads these; a failed write is not worth a panic.
    let mut out = stdout().lock();
    for line in farewell {
        let _ = writeln!(out, "{}", crate::text::sanitize_line(&line));
    }
    let _ = out.flush();
    Ok(())
}

/// How long a hang-up or SIGTERM waits for the writes in flight.
const SETTLE_FOR: Duration = Duration::from_secs(10);

/// Stops drawing and waits (at most `SETTLE_FOR`) for the answers to the writes already sent,
/// so that a dropped connection does not drop a submitted action or a draft.
async fn settle(
    app: &mut App,
    replies: &mut tokio::sync::mpsc::UnboundedReceiver<(u64, Reply)>,
    dispatch: &dyn Fn(Vec<Effect>, &App) -> bool,
) -> anyhow::Result<Vec<String>> {
    let deadline = tokio::time::Instant::now() + SETTLE_FOR;
    // Closing may still send a write (the draft typed since the last tick).
    let effects = app.close();
    dispatch(effects, app);
    while !app.quit {
        match tokio::time::timeout_at(deadline, replies.recv()).await {
            Ok(Some((generation, reply))) => {
                app.update(Msg::Reply { generation, reply });
            }
            Ok(None) | Err(_) => break,
        }
    }
    Ok(std::mem::take(&mut app.farewell))
}

/// Returns what the writes answered while quitting did, to be printed after the console.
async fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<std::io::Stdout>>,
    backend: Backend,
    setup: Setup,
) -> anyhow::Result<Vec<String>> {
    let (reply_tx, mut reply_rx) = unbounded_channel();
    let jobs = match backend {
        Backend::Local(store) => Jobs::Local(spawn_worker(store, reply_tx)),
        Backend::Remote(conn) => Jobs::Remote(crate::remote::console::spawn(conn, reply_tx)),
    };
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(POLL_EVERY);
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let (mut app, effects) = App::new(setup);
    let size = terminal.size()?;
    app.update(Msg::Resize(size.width, size.height));
    let dispatch = |effects: Vec<Effect>, app: &App| {
        for effect in effects {
            match effect {
                Effect::Store(ticket) => jobs.send(ticket),
                Effect::Copy(text) => copy_to_clipboard(&text),
                Effect::Alert(text) => alert(app.setup.alert, &text),
                Effect::Quit => {}
            }
        }
        app.quit
    };
    dispatch(effects, &app);
    terminal.draw(|f| view::draw(f, &app))?;
    test_panic("console");
    loop {
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(Event::Paste(text))) => Msg::Paste(text),
                Some(Ok(_)) => continue,
                Some(Err(e)) => {
                    // A terminal gone mid-write (a dropped connection) still lets writes finish.
                    settle(&mut app, &mut reply_rx, &dispatch).await?;
                    return Err(e.into());
                }
                None => return settle(&mut app, &mut reply_rx, &dispatch).await,
            },
            Some((generation, reply)) = reply_rx.recv() => match reply {
                // The server closed this session (the user was disabled, or it is stopping).
                Reply::Closed { code, message } => {
                    return Err(crate::cli::Exit::new(code, message).into());
                }
                reply => Msg::Reply { generation, reply },
            },
            _ = tick.tick() => Msg::Tick,
            _ = hangup.recv() => return settle(&mut app, &mut reply_rx, &dispatch).await,
            _ = terminate.recv() => return settle(&mut app, &mut reply_rx, &dispatch).await,
        };
        let mut effects = app.update(msg);
        while let Ok((generation, reply)) = reply_rx.try_recv() {
            effects.extend(app.update(Msg::Reply { generation, reply }));
        }
        if dispatch(effects, &app) {
            return Ok(std::mem::take(&mut app.farewell));
        }
        terminal.draw(|f| view::draw(f, &app))?;
    }
}
