//! A reason being typed survives a killed console: it is saved as it is typed, per user and case,
//! and offered back when the same user opens the same dialog again.
//!
//! Needs tmux; skips without it, except under CI=true (see tests/support).

mod support;

use std::path::Path;
use std::time::Duration;
use support::{Tmux, json, pd, row_of, run_ok};

const TODAY: &str = "2026-11-26";
const STEP: Duration = Duration::from_secs(10);
const REASON: &str = "Passport copy unreadable; 劳动合同缺少公章";

fn draft_in_store(db: &Path, case_no: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(db).ok()?;
    conn.query_row(
        "SELECT text FROM drafts WHERE user = 'li.wei' AND case_no = ?1 AND action = 'return'",
        [case_no],
        |r| r.get(0),
    )
    .ok()
}

fn open_console(tmux: &Tmux, name: &str, db: &Path) {
    let command = format!(
        "exec env -u PERMITDESK_DB -u PERMITDESK_USER -u PERMITDESK_TODAY LANG=C.UTF-8 '{}' --db '{}' --as li.wei --today {TODAY} --lang en",
        support::BIN,
        db.display()
    );
    tmux.new_session(name, 120, 36, &command);
    tmux.wait_text(name, "Pre-audit (", STEP);
}

fn select(tmux: &Tmux, pane: &str, case_no: &str) {
    tmux.keys(pane, &["2"]);
    tmux.wait_text(pane, "Pre-audit:", STEP);
    tmux.keys(pane, &["/"]);
    tmux.type_text(pane, case_no);
    tmux.keys(pane, &["Enter"]);
    tmux.wait_for(pane, &format!("{case_no} selected"), STEP, |s| {
        row_of(s, case_no).is_some_and(|r| r.contains('▶'))
    });
}

#[test]
fn a_typed_reason_survives_a_killed_console() {
    let Some(tools) = support::require("e2e_drafts", &["tmux"], false) else {
        return;
    };
    let dir = tempfile::TempDir::new().expect("temp dir");
    let db = dir.path().join("demo.db");
    run_ok(pd(&db).args(["demo", "--cases", "200", "--no-tui", "--today", TODAY]));
    let rows = json(pd(&db).args([
        "--as",
        "li.wei",
        "--today",
        TODAY,
        "case",
        "list",
        "--queue",
        "pre-audit",
        "--filter",
        "mine",
    ]));
    let case_no = rows[0]["case_no"]
        .as_str()
        .expect("li.wei holds a pre-audit case")
        .to_string();

    let tmux = Tmux::new(
        tools.path("tmux"),
        dir.path(),
        &support::unique("pd-drafts-"),
    );
    open_console(&tmux, "first", &db);
    select(&tmux, "first", &case_no);
    tmux.keys("first", &["r"]);
    tmux.wait_text("first", &format!("Return {case_no}"), STEP);
    tmux.type_text("first", REASON);
    let saved = support::poll(STEP, || {
        draft_in_store(&db, &case_no).filter(|t| t == REASON)
    });
    assert_eq!(
        saved.as_deref(),
        Some(REASON),
        "the draft is in the store while typing"
    );

    // The connection drops hard: the console is killed, nothing gets to clean up.
    let pid = tmux.format("first", "#{pane_pid}");
    run_ok(std::process::Command::new("kill").args(["-KILL", &pid]));
    tmux.wait_for("first", "the console to die", STEP, |_| {
        tmux.format("first", "#{pane_dead}") == "1"
    });

    open_console(&tmux, "second", &db);
    select(&tmux, "second", &case_no);
    tmux.keys("second", &["r"]);
    let screen = tmux.wait_text("second", "draft restored", STEP);
    assert!(
        screen.contains(REASON),
        "the typed reason comes back:\n{screen}"
    );
    tmux.keys("second", &["C-s"]);
    // The editor's title says the same transition: wait for the editor to go and the outcome.
    tmux.wait_for("second", "the return's outcome", STEP, |s| {
        !s.contains(&format!("Return {case_no}"))
            && s.contains(&format!("{case_no}: Pre-audit -> Returned"))
    });
    assert_eq!(
        draft_in_store(&db, &case_no),
        None,
        "the draft is gone once the action commits"
    );
    let shown = json(pd(&db).args(["--as", "li.wei", "--today", TODAY, "case", "show", &case_no]));
    let last = shown["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("events");
    assert_eq!(last["reason"], REASON);
    tmux.keys("second", &["q"]);
}
