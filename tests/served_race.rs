//! 32 people claim the same case through one `permitdesk serve` at the same moment: exactly one
//! holds it, the other 31 are told someone else does (exit 4), nobody gets any other error. No
//! timing is asserted; the start is a barrier, so the claims overlap as closely as processes can.
//! scripts/served-race.sh does the same against a release build and prints the tally.

mod served;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Barrier;

const BIN: &str = env!("CARGO_BIN_EXE_permitdesk");
const TODAY: &str = "2026-11-26";
const CLAIMERS: usize = 32;

fn pd() -> Command {
    let mut cmd = Command::new(BIN);
    for var in [
        "PERMITDESK_DB",
        "PERMITDESK_SOCKET",
        "PERMITDESK_USER",
        "PERMITDESK_TODAY",
        "PERMITDESK_LANG",
        "PERMITDESK_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env_remove("LC_ALL").env("LANG", "C.UTF-8");
    cmd.stdin(Stdio::null());
    cmd
}

fn direct(db: &Path, args: &[&str]) -> Output {
    let out = pd()
        .env("XDG_CONFIG_HOME", db.parent().expect("dir"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run permitdesk");
    assert!(
        out.status.success(),
        "permitdesk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn one_of_32_simultaneous_claims_wins_and_31_are_told_exit_4() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let db = dir.path().join("race.db");
    direct(
        &db,
        &[
            "demo", "--cases", "100", "--seed", "7", "--no-tui", "--today", TODAY,
        ],
    );
    let users: Vec<String> = (1..=CLAIMERS).map(|i| format!("racer{i:02}")).collect();
    for user in &users {
        direct(
            &db,
            &[
                "--as", "admin", "--today", TODAY, "user", "add", user, "--role", "approver",
            ],
        );
    }
    let listed = direct(
        &db,
        &[
            "--as",
            "li.wei",
            "--today",
            TODAY,
            "--json",
            "case",
            "list",
            "--queue",
            "pre-audit",
            "--filter",
            "unclaimed",
            "--limit",
            "1",
        ],
    );
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let case_no = rows[0]["case_no"]
        .as_str()
        .expect("an unclaimed pre-audit case")
        .to_string();

    let server = served::start(&db);
    let barrier = Barrier::new(CLAIMERS);
    let outcomes: Vec<(String, Option<i32>, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = users
            .iter()
            .map(|user| {
                let (barrier, socket, case_no, home) =
                    (&barrier, &server.socket, &case_no, dir.path());
                s.spawn(move || {
                    let mut cmd = pd();
                    cmd.env("XDG_CONFIG_HOME", home)
                        .arg("--connect")
                        .arg(socket)
                        .args(["--as", user, "--today", TODAY, "case", "claim", case_no]);
                    barrier.wait();
                    let out = cmd.output().expect("run a claim");
                    (
                        user.clone(),
                        out.status.code(),
                        String::from_utf8_lossy(&out.stderr).into_owned(),
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("claimer"))
            .collect()
    });
    let won: Vec<_> = outcomes.iter().filter(|o| o.1 == Some(0)).collect();
    let lost = outcomes.iter().filter(|o| o.1 == Some(4)).count();
    let other: Vec<_> = outcomes
        .iter()
        .filter(|o| o.1 != Some(0) && o.1 != Some(4))
        .collect();
    assert!(
        won.len() == 1 && lost == CLAIMERS - 1 && other.is_empty(),
        "{} won, {lost} exit 4, other: {other:?}\nserver log:\n{}",
        won.len(),
        std::fs::read_to_string(&server.log).unwrap_or_default()
    );

    // The store agrees: the winner holds the case.
    let shown = direct(
        &db,
        &[
            "--as", "li.wei", "--today", TODAY, "--json", "case", "show", &case_no,
        ],
    );
    let case: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("json");
    let text = case.to_string();
    assert!(
        text.contains(&format!("\"{}\"", won[0].0)),
        "{} won but the case says {text}",
        won[0].0
    );
}
