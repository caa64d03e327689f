// One end-to-end run of the real binary in a real terminal (tmux): an approver opens the console
// on a demo store, filters Pre-audit to unclaimed cases, claims and accepts one, claims and
// returns another with a typed two-line reason, and quits. The store is then read back through
// the command line, `check` must pass, and the terminal must be as the shell left it.
//
// Two more runs submit a return while another writer holds the store, then quit in the same
// burst of keys or lose the connection: the console must not go before the store has recorded
// the return.
//
// Needs tmux; skips without it, except under CI=true (see tests/support).

// Plain comments: tests/e2e_tmux_served.rs includes this file to run it through a server.

mod support;

use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use support::{Tmux, json, pd, row_of, run_ok, shown_filter};

const TODAY: &str = "2026-11-26";
const USER: &str = "li.wei";
const PROMPT: &str = "pd-e2e$";
/// How long any one step may take to show on screen (a debug build on a busy 2-core runner).
const STEP: Duration = Duration::from_secs(10);
const REASON_LINES: [&str; 2] = [
    "1. Passport copy unreadable",
    "2. 劳动合同缺少单位公章 (contract lacks the employer's seal)",
];

fn cli(db: &Path, user: &str) -> std::process::Command {
    let mut cmd = pd(db);
    cmd.args(["--as", user, "--today", TODAY]);
    cmd
}

/// Another writer holding the store's write lock, as a long import would. It lets go when told,
/// or on its own before the store's busy timeout (5 s) would make the waiting action give up:
/// the product reports BUSY then, by design, and a slow screen on a loaded machine must not turn
/// that into a failure of what the test is about.
struct Blocker {
    release: std::sync::mpsc::Sender<()>,
    holder: std::thread::JoinHandle<bool>,
}

impl Blocker {
    const HOLD_AT_MOST: Duration = Duration::from_millis(4500);

    fn hold(db: &Path) -> Blocker {
        let (release, told) = std::sync::mpsc::channel();
        let (locked_tx, locked) = std::sync::mpsc::channel();
        let db = db.to_path_buf();
        let holder = std::thread::spawn(move || {
            let conn = rusqlite::Connection::open(&db).expect("open");
            conn.execute_batch("BEGIN IMMEDIATE").expect("lock");
            locked_tx.send(()).expect("locked");
            let in_time = told.recv_timeout(Self::HOLD_AT_MOST).is_ok();
            conn.execute_batch("ROLLBACK").expect("unlock");
            in_time
        });
        locked.recv().expect("the blocker took the lock");
        Blocker { release, holder }
    }

    /// Lets go; says so when the lock had already gone before `moment` (the machine was too
    /// slow for the test to see it while the store was held: what it asserts after still holds).
    fn release(self, moment: &str) {
        let _ = self.release.send(());
        if !self.holder.join().expect("the blocker") {
            eprintln!(
                "note: the store was let go after {:?}, before {moment}; the action waited for it all the same",
                Self::HOLD_AT_MOST
            );
        }
    }
}

fn unclaimed_pre_audit(db: &Path) -> Vec<Value> {
    json(cli(db, USER).args([
        "case",
        "list",
        "--queue",
        "pre-audit",
        "--filter",
        "unclaimed",
    ]))
    .as_array()
    .cloned()
    .unwrap_or_default()
}

/// The test needs two unclaimed cases in Pre-audit; a small demo store may hold fewer, so the
/// holders of others release theirs (through the CLI, before the console opens).
fn two_unclaimed(db: &Path) -> (String, String) {
    if unclaimed_pre_audit(db).len() < 2 {
        let held = json(cli(db, USER).args(["case", "list", "--queue", "pre-audit"]));
        for row in held.as_array().into_iter().flatten() {
            if unclaimed_pre_audit(db).len() >= 2 {
                break;
            }
            if let (Some(no), Some(holder)) = (row["case_no"].as_str(), row["assignee"].as_str()) {
                run_ok(cli(db, holder).args(["case", "release", no]));
            }
        }
    }
    let rows = unclaimed_pre_audit(db);
    assert!(
        rows.len() >= 2,
        "the demo store has fewer than two pre-audit cases: {rows:?}"
    );
    let no = |r: &Value| r["case_no"].as_str().expect("case_no").to_string();
    (no(&rows[0]), no(&rows[1]))
}

fn show(db: &Path, case_no: &str) -> Value {
    json(cli(db, USER).args(["case", "show", case_no]))
}

/// The last non-blank line of the pane, where the shell prompt sits after the console is gone.
fn last_line(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
}

/// Presses `key` until the dialog titled `title` is open: the confirmation needs the selected
/// case's detail, which may still be loading right after a search.
fn open_dialog(tmux: &Tmux, pane: &str, key: &str, title: &str) -> String {
    for attempt in 0..5 {
        if attempt > 0 {
            eprintln!("e2e_tmux: {title:?} did not open within 2 s; pressing {key} again");
        }
        tmux.keys(pane, &[key]);
        let opened = support::poll(Duration::from_secs(2), || {
            let screen = tmux.screen(pane);
            screen.contains(title).then_some(screen)
        });
        if let Some(screen) = opened {
            return screen;
        }
    }
    tmux.wait_text(pane, title, STEP)
}

/// Cycles the filter with `f` until the table title names `filter`.
fn filter_to(tmux: &Tmux, pane: &str, filter: &str) -> String {
    let mut screen = tmux.screen(pane);
    for _ in 0..7 {
        if shown_filter(&screen) == filter {
            return screen;
        }
        let before = shown_filter(&screen);
        tmux.keys(pane, &["f"]);
        screen = tmux.wait_for(pane, "the filter to change", STEP, |s| {
            shown_filter(s) != before
        });
    }
    panic!("filter {filter} never came up; the screen was:\n{screen}");
}

/// Searches for `case_no` and waits until it is the selected row.
fn select(tmux: &Tmux, pane: &str, case_no: &str) -> String {
    tmux.keys(pane, &["/"]);
    tmux.type_text(pane, case_no);
    tmux.keys(pane, &["Enter"]);
    tmux.wait_for(pane, &format!("{case_no} selected"), STEP, |s| {
        row_of(s, case_no).is_some_and(|r| r.contains('▶'))
    })
}

const PANE: &str = "desk";

/// A tmux server of its own (`socket` and the process id name it) whose pane runs a clean
/// interactive shell, in which the console is opened as li.wei on `db`.
fn open_console(tools: &support::Tools, dir: &Path, db: &Path, socket: &str) -> Tmux {
    let tmux = Tmux::new(tools.path("tmux"), dir, &support::unique(socket));
    let pane = PANE;
    let mut shell = String::from("exec env");
    for var in support::PERMITDESK_VARS {
        shell.push_str(&format!(" -u {var}"));
    }
    shell.push_str(&format!(
        " XDG_CONFIG_HOME='{}' LANG=C.UTF-8 LC_ALL=C.UTF-8 PS1='{PROMPT} ' '{}' --norc --noprofile -i",
        dir.display(),
        tools.path("bash").display()
    ));
    tmux.new_session(pane, 120, 40, &shell);
    tmux.wait_for(pane, "the shell prompt", STEP, |s| last_line(s) == PROMPT);
    assert_eq!(tmux.format(pane, "#{alternate_on}"), "0");

    // Open the console as li.wei.
    let target = support::served::target(db);
    let mut command = String::new();
    if let Some((var, value)) = &target.env {
        command.push_str(&format!("{var}='{}' ", value.display()));
    }
    command.push_str(&format!("'{}'", support::BIN));
    for arg in &target.args {
        command.push_str(&format!(" '{}'", arg.to_string_lossy()));
    }
    tmux.type_text(
        pane,
        &format!("{command} --as {USER} --today {TODAY} --lang en"),
    );
    tmux.keys(pane, &["Enter"]);
    tmux.wait_for(pane, "the console", STEP, |s| {
        s.contains(&format!("{USER} (")) && s.contains("Pre-audit (")
    });
    assert_eq!(
        tmux.format(pane, "#{alternate_on}"),
        "1",
        "the console draws on the alternate screen"
    );

    tmux
}

#[test]
fn approve_one_return_another_in_a_real_terminal() {
    let Some(tools) = support::require("e2e_tmux", &["tmux", "bash", "stty"], false) else {
        return;
    };
    let started = std::time::Instant::now();
    let dir = tempfile::TempDir::new().expect("temp dir");
    let db = dir.path().join("demo.db");
    run_ok(pd(&db).args(["demo", "--cases", "200", "--no-tui", "--today", TODAY]));
    let (accept, ret) = two_unclaimed(&db);

    let tmux = open_console(&tools, dir.path(), &db, "pd-e2e-");
    let pane = PANE;

    // Pre-audit, unclaimed: the first case is selected.
    tmux.keys(pane, &["2"]);
    tmux.wait_text(pane, "Pre-audit:", STEP);
    filter_to(&tmux, pane, "unclaimed");
    let screen = tmux.wait_for(pane, "both unclaimed cases", STEP, |s| {
        row_of(s, &accept).is_some() && row_of(s, &ret).is_some()
    });
    assert!(
        row_of(&screen, &accept).is_some_and(|r| r.contains('▶')),
        "{accept} should be the first unclaimed case:\n{screen}"
    );

    // Claim it; it leaves the unclaimed list and shows under "mine".
    tmux.keys(pane, &["c"]);
    tmux.wait_text(pane, &format!("{accept}: claim"), STEP);
    filter_to(&tmux, pane, "mine");
    select(&tmux, pane, &accept);
    let dialog = open_dialog(&tmux, pane, "a", &format!("Accept {accept}"));
    assert!(
        dialog.contains("Pre-audit -> Review"),
        "the confirmation shows the transition:\n{dialog}"
    );
    tmux.keys(pane, &["Enter"]);
    // The confirmation may say the same transition: wait for it to go and the outcome.
    tmux.wait_for(pane, "the acceptance's outcome", STEP, |s| {
        !s.contains(&format!("Accept {accept}"))
            && s.contains(&format!("{accept}: Pre-audit -> Review"))
    });

    // Back to unclaimed (Esc clears the search), claim the second case, return it from "mine".
    tmux.keys(pane, &["Escape"]);
    tmux.wait_for(pane, "the search to clear", STEP, |s| {
        !s.contains("[Search") && !s.contains("[search")
    });
    filter_to(&tmux, pane, "unclaimed");
    select(&tmux, pane, &ret);
    tmux.keys(pane, &["c"]);
    tmux.wait_text(pane, &format!("{ret}: claim"), STEP);
    // A search looks through every queue; the tab's filter is back once it is cleared.
    tmux.keys(pane, &["Escape"]);
    tmux.wait_for(pane, "the search to clear", STEP, |s| {
        !s.contains("[Search") && !s.contains("[search")
    });
    filter_to(&tmux, pane, "mine");
    select(&tmux, pane, &ret);
    tmux.wait_for(
        pane,
        &format!("{ret} selected, held by {USER}"),
        STEP,
        |s| row_of(s, &ret).is_some_and(|r| r.contains('▶') && r.contains(USER)),
    );
    let editor = open_dialog(&tmux, pane, "r", &format!("Return {ret}"));
    assert!(
        editor.contains("Pre-audit -> Returned"),
        "the editor shows the transition:\n{editor}"
    );
    tmux.type_text(pane, REASON_LINES[0]);
    tmux.keys(pane, &["Enter"]);
    tmux.type_text(pane, REASON_LINES[1]);
    tmux.wait_for(pane, "both reason lines in the editor", STEP, |s| {
        s.contains(REASON_LINES[0]) && s.contains("劳动合同缺少单位公章")
    });
    tmux.keys(pane, &["C-s"]);
    // The editor's title says the same transition: wait for the editor to go and the outcome.
    tmux.wait_for(pane, "the return's outcome", STEP, |s| {
        !s.contains(&format!("Return {ret}"))
            && s.contains(&format!("{ret}: Pre-audit -> Returned"))
    });

    // Quit: the shell prompt comes back on the normal screen, with the terminal as it was.
    tmux.keys(pane, &["q"]);
    let screen = tmux.wait_for(pane, "the shell prompt after quitting", STEP, |s| {
        last_line(s) == PROMPT
    });
    assert_eq!(
        tmux.format(pane, "#{alternate_on}"),
        "0",
        "the console left the alternate screen"
    );
    assert!(
        !screen.contains("Pre-audit ("),
        "the console's screen is gone:\n{screen}"
    );
    tmux.type_text(
        pane,
        "stty -a | tr -s ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig|icrnl|opost|ixon)' | tr '\\n' ' '; echo STTY-$((6*7))",
    );
    tmux.keys(pane, &["Enter"]);
    let screen = tmux.wait_for(pane, "stty's answer", STEP, |s| {
        s.lines().any(|l| l.trim_end().ends_with("STTY-42"))
    });
    let modes: Vec<&str> = screen
        .lines()
        .find(|l| l.trim_end().ends_with("STTY-42"))
        .expect("stty line")
        .split_whitespace()
        .collect();
    for mode in ["icanon", "echo", "isig", "icrnl", "opost"] {
        assert!(
            modes.contains(&mode),
            "terminal mode {mode} not restored after quitting: {modes:?}"
        );
    }

    // The store, through the command line.
    let accepted = show(&db, &accept);
    assert_eq!(accepted["stage"], "review", "{accepted}");
    let last = accepted["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned();
    let last = last.expect("events");
    assert_eq!(last["action"], "approve", "{last}");
    assert_eq!(last["actor"], USER, "{last}");
    assert_eq!(last["from"], "pre_audit");
    assert_eq!(last["to"], "review");
    let returned = show(&db, &ret);
    assert_eq!(returned["stage"], "returned", "{returned}");
    let last = returned["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned();
    let last = last.expect("events");
    assert_eq!(last["action"], "return", "{last}");
    assert_eq!(last["actor"], USER, "{last}");
    assert_eq!(
        last["reason"].as_str(),
        Some(REASON_LINES.join("\n").as_str()),
        "the typed reason, both lines, is in the audit event: {last}"
    );
    let claims = |case: &Value| {
        case["events"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["action"] == "claim" && e["actor"] == USER)
            .count()
    };
    assert_eq!(claims(&accepted), 1, "one claim by {USER}: {accepted}");
    assert_eq!(claims(&returned), 1, "one claim by {USER}: {returned}");
    run_ok(pd(&db).args(["--as", USER, "--today", TODAY, "check"]));
    eprintln!("e2e_tmux: passed in {:.1?}", started.elapsed());
}

#[test]
fn ctrl_s_then_q_at_once_still_records_the_return() {
    let Some(tools) = support::require("e2e_tmux", &["tmux", "bash", "stty"], false) else {
        return;
    };
    let dir = tempfile::TempDir::new().expect("temp dir");
    let db = dir.path().join("demo.db");
    run_ok(pd(&db).args(["demo", "--cases", "200", "--no-tui", "--today", TODAY]));
    let (ret, _) = two_unclaimed(&db);
    run_ok(cli(&db, USER).args(["case", "claim", &ret]));

    let tmux = open_console(&tools, dir.path(), &db, "pd-e2e-quit-");
    let pane = PANE;
    tmux.keys(pane, &["2"]);
    tmux.wait_text(pane, "Pre-audit:", STEP);
    select(&tmux, pane, &ret);
    open_dialog(&tmux, pane, "r", &format!("Return {ret}"));
    tmux.type_text(pane, REASON_LINES[0]);
    tmux.wait_text(pane, REASON_LINES[0], STEP);

    // Submit and quit in one send-keys, while another writer holds the store: the return waits
    // in the store worker, and q must wait for it.
    let blocker = Blocker::hold(&db);
    tmux.keys(pane, &["C-s", "q"]);
    let screen = tmux.wait_text(pane, "Saving…", STEP);
    assert_eq!(tmux.format(pane, "#{alternate_on}"), "1", "{screen}");
    blocker.release("the console said it was saving");
    let screen = tmux.wait_for(pane, "the shell prompt after quitting", STEP, |s| {
        last_line(s) == PROMPT
    });
    assert_eq!(tmux.format(pane, "#{alternate_on}"), "0", "{screen}");
    assert!(
        screen.contains(&format!("{ret}: return recorded (Pre-audit -> Returned)")),
        "what the return did is said on the normal screen:\n{screen}"
    );

    let returned = show(&db, &ret);
    assert_eq!(returned["stage"], "returned", "{returned}");
    let last = returned["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("events");
    assert_eq!(last["action"], "return", "{last}");
    assert_eq!(last["reason"].as_str(), Some(REASON_LINES[0]), "{last}");
    run_ok(pd(&db).args(["--as", USER, "--today", TODAY, "check"]));
}

#[test]
fn a_connection_dropped_while_a_return_waits_for_the_store_still_records_it() {
    let Some(tools) = support::require("e2e_tmux", &["tmux", "bash", "stty"], false) else {
        return;
    };
    let dir = tempfile::TempDir::new().expect("temp dir");
    let db = dir.path().join("demo.db");
    run_ok(pd(&db).args(["demo", "--cases", "200", "--no-tui", "--today", TODAY]));
    let (ret, _) = two_unclaimed(&db);
    run_ok(cli(&db, USER).args(["case", "claim", &ret]));

    let tmux = open_console(&tools, dir.path(), &db, "pd-e2e-hup-");
    let pane = PANE;
    tmux.keys(pane, &["2"]);
    tmux.wait_text(pane, "Pre-audit:", STEP);
    select(&tmux, pane, &ret);
    open_dialog(&tmux, pane, "r", &format!("Return {ret}"));
    tmux.type_text(pane, REASON_LINES[0]);
    tmux.wait_text(pane, REASON_LINES[0], STEP);

    // Another writer holds the store, so the return waits in the store worker; meanwhile the
    // connection drops (tmux hangs up every pane at once).
    let blocker = Blocker::hold(&db);
    tmux.keys(pane, &["C-s"]);
    tmux.wait_for(pane, "the return to be submitted", STEP, |s| {
        !s.contains(&format!("Return {ret}"))
    });
    tmux.run(&["kill-server"]);
    std::thread::sleep(Duration::from_millis(500));
    blocker.release("the connection dropped");
    let returned = support::poll(STEP, || {
        let case = show(&db, &ret);
        (case["stage"] == "returned").then_some(case)
    });
    let returned = returned.unwrap_or_else(|| panic!("{ret} was never returned"));
    let last = returned["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("events");
    assert_eq!(last["action"], "return", "{last}");
    assert_eq!(last["reason"].as_str(), Some(REASON_LINES[0]), "{last}");
}
