// A review session in a real terminal (tmux): an approver opens Pre-audit filtered to unclaimed
// cases, presses R, and acts on ten cases in a row with the keys typed in one fast burst each
// (returns and not-accepts, with their reasons), then q. The summary must say ten handled and
// none skipped (the one left on screen at q was not skipped), and the store, read back through
// the command line, must hold ten
// actions by the approver, one claim each, the eleventh case released, the session in `report
// workload`, and a clean `check`.
//
// Needs tmux; skips without it, except under CI=true (see tests/support).

// Plain comments: tests/e2e_tmux_review_served.rs includes this file to run it through a server.

mod support;

use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use support::{Tmux, json, pd, run_ok, shown_filter};

const TODAY: &str = "2026-11-26";
const USER: &str = "li.wei";
const PROMPT: &str = "pd-review$";
/// How long any one step may take to show on screen (a debug build on a busy 2-core runner).
const STEP: Duration = Duration::from_secs(20);
const PANE: &str = "desk";
/// The cases acted on in the session.
const ROUNDS: usize = 10;

fn cli(db: &Path, user: &str) -> std::process::Command {
    let mut cmd = pd(db);
    cmd.args(["--as", user, "--today", TODAY]);
    cmd
}

fn unclaimed_pre_audit(db: &Path) -> Vec<String> {
    json(cli(db, USER).args([
        "case",
        "list",
        "--queue",
        "pre-audit",
        "--filter",
        "unclaimed",
    ]))
    .as_array()
    .into_iter()
    .flatten()
    .filter_map(|r| r["case_no"].as_str().map(str::to_string))
    .collect()
}

/// At least `n` unclaimed cases in Pre-audit: their holders release some (through the command
/// line, before the console opens) when the demo has fewer. Returned in the queue's order.
fn unclaimed(db: &Path, n: usize) -> Vec<String> {
    let held = json(cli(db, USER).args(["case", "list", "--queue", "pre-audit"]));
    for row in held.as_array().into_iter().flatten() {
        if unclaimed_pre_audit(db).len() >= n {
            break;
        }
        if let (Some(no), Some(holder)) = (row["case_no"].as_str(), row["assignee"].as_str()) {
            run_ok(cli(db, holder).args(["case", "release", no]));
        }
    }
    let rows = unclaimed_pre_audit(db);
    assert!(rows.len() >= n, "fewer than {n} pre-audit cases: {rows:?}");
    rows
}

fn last_line(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
}

/// The case number in the detail panel's title, right under the session's banner.
fn case_on_screen(screen: &str) -> Option<String> {
    let line = screen.lines().nth(2)?;
    let start = line.find("GZ")?;
    Some(line[start..].chars().take(13).collect())
}

fn open_console(tools: &support::Tools, dir: &Path, db: &Path) -> Tmux {
    let tmux = Tmux::new(tools.path("tmux"), dir, &support::unique("pd-review-"));
    let mut shell = String::from("exec env");
    for var in support::PERMITDESK_VARS {
        shell.push_str(&format!(" -u {var}"));
    }
    shell.push_str(&format!(
        " XDG_CONFIG_HOME='{}' LANG=C.UTF-8 LC_ALL=C.UTF-8 PS1='{PROMPT} ' '{}' --norc --noprofile -i",
        dir.display(),
        tools.path("bash").display()
    ));
    tmux.new_session(PANE, 100, 30, &shell);
    tmux.wait_for(PANE, "the shell prompt", STEP, |s| last_line(s) == PROMPT);
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
        PANE,
        &format!("{command} --as {USER} --today {TODAY} --lang en"),
    );
    tmux.keys(PANE, &["Enter"]);
    tmux.wait_for(PANE, "the console", STEP, |s| {
        s.contains(&format!("{USER} (")) && s.contains("Pre-audit (")
    });
    tmux
}

/// The last `n` events of a case as (actor, action).
fn last_events(case: &Value, n: usize) -> Vec<(String, String)> {
    let events: Vec<(String, String)> = case["events"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (text(&e["actor"]), text(&e["action"]))
        })
        .collect();
    events[events.len().saturating_sub(n)..].to_vec()
}

fn by_user(actions: &[&str]) -> Vec<(String, String)> {
    actions
        .iter()
        .map(|a| (USER.to_string(), a.to_string()))
        .collect()
}

#[test]
fn a_review_session_over_ten_cases_typed_fast() {
    let Some(tools) = support::require("e2e_tmux_review", &["tmux", "bash"], false) else {
        return;
    };
    let dir = tempfile::TempDir::new().expect("temp dir");
    let db = dir.path().join("demo.db");
    run_ok(pd(&db).args(["demo", "--cases", "2000", "--no-tui", "--today", TODAY]));
    let queue = unclaimed(&db, ROUNDS + 1);

    let tmux = open_console(&tools, dir.path(), &db);
    tmux.keys(PANE, &["2"]);
    tmux.wait_text(PANE, "Pre-audit:", STEP);
    for _ in 0..7 {
        let screen = tmux.screen(PANE);
        if shown_filter(&screen) == "unclaimed" {
            break;
        }
        tmux.keys(PANE, &["f"]);
        tmux.wait_for(PANE, "the filter to change", STEP, |s| {
            shown_filter(s) != shown_filter(&screen)
        });
    }

    tmux.keys(PANE, &["R"]);
    let screen = tmux.wait_for(PANE, "the first case of the session", STEP, |s| {
        s.contains("Review session") && case_on_screen(s).as_deref() == Some(&queue[0])
    });
    assert!(screen.contains("0 handled  0 skipped"), "{screen}");

    // Ten cases' keys, typed as fast as tmux sends them, without waiting for any case to come:
    // keys that arrive before the next case waits for it, and none lands on the case leaving.
    for round in 0..ROUNDS {
        let key = if round % 2 == 0 { "r" } else { "x" };
        tmux.keys(PANE, &[key]);
        tmux.type_text(PANE, &format!("Round {round}: papers incomplete"));
        tmux.keys(PANE, &["C-s"]);
    }
    // The outcome, not the screen before it: the banner counts ten handled.
    tmux.wait_for(PANE, "ten cases handled", STEP, |s| {
        s.contains(&format!("{ROUNDS} handled  0 skipped"))
    });
    tmux.wait_for(PANE, "the eleventh case", STEP, |s| {
        case_on_screen(s).as_deref() == Some(queue[ROUNDS].as_str())
    });
    tmux.keys(PANE, &["q"]);
    let summary = tmux.wait_text(PANE, "Review session ended", STEP);
    // Only `s` skips: the eleventh case, on screen at q, is not counted (until issue 14 it was).
    assert!(
        summary.contains(&format!("{ROUNDS} cases handled, 0 skipped")),
        "{summary}"
    );
    assert!(summary.contains("median time per case:"), "{summary}");
    assert!(!summary.contains("skipped: "), "{summary}");
    tmux.keys(PANE, &["Enter"]);
    tmux.wait_for(PANE, "the table again", STEP, |s| {
        !s.contains("Review session ended") && s.contains("Pre-audit:")
    });
    tmux.keys(PANE, &["q"]);
    tmux.wait_for(PANE, "the shell prompt after quitting", STEP, |s| {
        last_line(s) == PROMPT
    });

    // The store, through the command line.
    for (round, case_no) in queue.iter().take(ROUNDS).enumerate() {
        let case = json(cli(&db, USER).args(["case", "show", case_no]));
        let (stage, action) = if round % 2 == 0 {
            ("returned", "return")
        } else {
            ("not_accepted", "not_accept")
        };
        assert_eq!(case["stage"], stage, "{case_no}: {case}");
        // The session's claim, then the action typed for this case, and nothing in between.
        assert_eq!(
            last_events(&case, 2),
            by_user(&["claim", action]),
            "{case_no}: {case}"
        );
    }
    let left = json(cli(&db, USER).args(["case", "show", &queue[ROUNDS]]));
    assert_eq!(left["stage"], "pre_audit", "{left}");
    assert!(left["assignee"].is_null(), "released at q: {left}");
    assert_eq!(
        last_events(&left, 2),
        by_user(&["claim", "release"]),
        "{left}"
    );

    let report = json(cli(&db, "wang.fang").args(["report", "workload"]));
    let mine = report["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["assignee"] == USER)
        .cloned()
        .expect("li.wei in the workload");
    assert_eq!(mine["review_sessions"], 1, "{mine}");
    assert_eq!(mine["review_handled"], ROUNDS as u64, "{mine}");
    assert_eq!(mine["review_skipped"], 0, "{mine}");
    run_ok(cli(&db, USER).arg("check"));
}
