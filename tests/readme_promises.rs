//! The README's promises, kept true: every command example in it runs with the exit code it
//! implies, every flag the docs name exists, and the set-up commands print JSON under `--json`.

use clap::CommandFactory;
use permitdesk::cli::args::Cli;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The logical lines of the README's `sh` blocks, in order, continuations joined.
fn shell_examples(readme: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_block = !in_block && line.trim_start_matches('`') == "sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let part = if pending.is_empty() {
            line
        } else {
            line.trim_start()
        };
        pending.push_str(part);
        if pending.ends_with('\\') {
            pending.pop();
            pending.push(' ');
            continue;
        }
        let whole = std::mem::take(&mut pending);
        if !whole.trim().is_empty() && !whole.trim_start().starts_with('#') {
            lines.push(whole);
        }
    }
    lines
}

/// Moves every absolute path of an example under `root` (`/tmp/spool` -> `ROOT/tmp/spool`), and
/// the repository's `assets/` to where they are, so an example touches nothing outside the test.
/// `sudo` resets the environment, so a `sudo -u permitdesk permitdesk` line runs with none of the
/// variables the tour exported.
fn confine(line: &str, root: &Path, repo: &Path) -> String {
    let (mut out, line) = match line.strip_prefix("sudo -u permitdesk permitdesk ") {
        Some(rest) => (
            "env -i HOME=\"$HOME\" PATH=\"$PATH\" LANG=C.UTF-8 \"$PD_BIN\" ".to_string(),
            rest,
        ),
        None => (
            String::new(),
            line.strip_prefix("sudo -u permitdesk ").unwrap_or(line),
        ),
    };
    let mut prev = ' ';
    for (at, c) in line.char_indices() {
        let rest = &line[at..];
        let starts_word = prev == ' ' || prev == '=';
        if starts_word && c == '/' && rest[1..].starts_with(|n: char| n.is_ascii_alphanumeric()) {
            out.push_str(&root.display().to_string());
        }
        if starts_word && rest.starts_with("assets/") {
            out.push_str(&format!("{}/", repo.display()));
        }
        out.push(c);
        prev = c;
    }
    out
}

/// Examples that end with another code than 0 on the demo store, and why; each must still be in
/// the README (a stale entry fails the test).
const EXPECTED_FAILURES: &[(&str, i32, &str)] = &[
    (
        "--connect /run/permitdesk/permitdesk.sock case list",
        1,
        "no server listens here: one line naming the socket",
    ),
    (
        "case show UP2026-000001",
        5,
        "an illustration of a conflict; the upstream case arrives only in the worked example below",
    ),
    (
        "case resolve-conflict UP2026-000001 --id 3",
        5,
        "an illustration: the demo store has no upstream conflict",
    ),
];

/// First words of lines that set the scene and are run as they are (confined).
const SETUP_COMMANDS: &[&str] = &["export", "mkdir", "cp"];

#[test]
fn every_readme_command_example_runs_with_its_exit_code() {
    let repo = repo();
    let readme = read(&repo.join("README.md"));
    let scratch = tempfile::TempDir::new().expect("temp dir");
    let root = scratch.path().join("root");
    for dir in [
        "home",
        "work",
        "backups",
        "etc/permitdesk",
        "etc/systemd/system",
        "var/lib/permitdesk",
        "run/permitdesk",
    ] {
        std::fs::create_dir_all(root.join(dir)).expect("scratch dir");
    }
    std::fs::copy(
        repo.join("assets/cn-holidays.toml"),
        root.join("etc/permitdesk/cn-holidays-2027.toml"),
    )
    .expect("calendar");

    let mut script = String::from("permitdesk() { timeout 600 \"$PD_BIN\" \"$@\" </dev/null; }\n");
    let mut ran = Vec::new();
    let mut skipped = Vec::new();
    for line in shell_examples(&readme) {
        let confined = confine(&line, &root, &repo);
        let first = confined.split_whitespace().next().unwrap_or("");
        let is_permitdesk =
            first == "permitdesk" || line.starts_with("sudo -u permitdesk permitdesk ");
        if !is_permitdesk && !SETUP_COMMANDS.contains(&first) {
            skipped.push(line);
            continue;
        }
        let n = ran.len();
        script.push_str(&format!(
            "{{ {confined}\n}} >\"$OUT/{n}\" 2>&1; echo $? >>\"$OUT/codes\"\n"
        ));
        ran.push((line, is_permitdesk));
    }
    let out = scratch.path().join("out");
    std::fs::create_dir_all(&out).expect("out dir");
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&script);
    for (key, _) in std::env::vars() {
        if key.starts_with("PERMITDESK_") || key.starts_with("XDG_") {
            cmd.env_remove(key);
        }
    }
    let status = cmd
        .env("PD_BIN", env!("CARGO_BIN_EXE_permitdesk"))
        .env("OUT", &out)
        .env("HOME", root.join("home"))
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .current_dir(root.join("work"))
        .status()
        .expect("sh");
    assert!(status.success(), "the examples' script itself failed");
    for line in &skipped {
        println!("not run here (not a permitdesk command): {line}");
    }

    let codes: Vec<i32> = read(&out.join("codes"))
        .lines()
        .map(|c| c.trim().parse().expect("exit code"))
        .collect();
    assert_eq!(codes.len(), ran.len(), "every example ran");
    let mut wrong = Vec::new();
    let mut used = BTreeSet::new();
    for (n, ((line, is_permitdesk), code)) in ran.iter().zip(&codes).enumerate() {
        let expected = match EXPECTED_FAILURES
            .iter()
            .find(|(part, _, _)| line.contains(part))
        {
            Some((part, code, _)) => {
                used.insert(*part);
                *code
            }
            None => 0,
        };
        if *code != expected {
            let output = read(&out.join(n.to_string()));
            wrong.push(format!(
                "{line}\n  exit {code}, expected {expected}{}\n{output}",
                if *is_permitdesk { "" } else { " (set-up line)" }
            ));
        }
    }
    assert!(wrong.is_empty(), "README examples:\n{}", wrong.join("\n"));
    for (part, _, why) in EXPECTED_FAILURES {
        assert!(
            used.contains(part),
            "no README example contains {part:?} any more ({why}): remove it from EXPECTED_FAILURES"
        );
    }
    assert!(
        ran.iter().filter(|(_, p)| *p).count() >= 30,
        "the README's examples were found"
    );
}

/// Every long flag of the command line, in any subcommand.
fn clap_flags() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, flags: &mut BTreeSet<String>) {
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                flags.insert(format!("--{long}"));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, flags);
        }
    }
    let mut flags = BTreeSet::from(["--help".to_string(), "--version".to_string()]);
    walk(&Cli::command(), &mut flags);
    flags
}

/// Flags the docs name that belong to other programs (cargo, the fuzzer, systemd, sqlite3...).
const OTHER_PROGRAMS_FLAGS: &[&str] = &[
    // cargo
    "--release",
    "--locked",
    "--profile",
    "--bench",
    "--test",
    // criterion
    "--baseline",
    "--quick",
    // perf record
    "--call-graph",
    // scripts/served-idle.py, scripts/writer-wait.py
    "--consoles",
    "--hold",
    "--served",
    "--pid",
    // scripts/recovery-drill.py (docs/RELIABILITY.md, "Recovery")
    "--bin",
    "--work",
    "--store",
    "--clients",
    "--seconds",
    "--sync-interval",
    "--monitor-interval",
    "--min-checkpoint-pages",
    "--standby",
    "--keep",
    // systemd-analyze, apt, git (docs/PACKAGING.md)
    "--offline",
    "--reinstall",
    "--short",
    // adduser, systemctl
    "--system",
    "--home",
    "--no-create-home",
    "--now",
];

fn flags_in(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 2 < bytes.len() {
        let starts = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'-');
        if starts && bytes[i] == b'-' && bytes[i + 1] == b'-' && bytes[i + 2].is_ascii_lowercase() {
            let end = (i + 2..bytes.len())
                .find(|&j| !(bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-'))
                .unwrap_or(bytes.len());
            found.insert(text[i..end].trim_end_matches('-').to_string());
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

#[test]
fn every_flag_the_docs_name_exists() {
    let repo = repo();
    let flags = clap_flags();
    let mut docs = vec![repo.join("README.md")];
    for entry in std::fs::read_dir(repo.join("docs")).expect("docs") {
        let path = entry.expect("docs entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push(path);
        }
    }
    let mut unknown = Vec::new();
    for doc in &docs {
        for flag in flags_in(&read(doc)) {
            if !flags.contains(&flag) && !OTHER_PROGRAMS_FLAGS.contains(&flag.as_str()) {
                unknown.push(format!("{}: {flag}", doc.display()));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "flags the docs name that permitdesk does not have:\n{}",
        unknown.join("\n")
    );
}

fn permitdesk(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_permitdesk"));
    for (key, _) in std::env::vars() {
        if key.starts_with("PERMITDESK_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .env("XDG_CONFIG_HOME", dir)
        .arg("--db")
        .arg(dir.join("s.db"))
        .args(args)
        .output()
        .expect("permitdesk");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = permitdesk(dir, &all);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {stdout}"))
}

#[test]
fn the_set_up_commands_print_json() {
    let scratch = tempfile::TempDir::new().expect("temp dir");
    let dir = scratch.path();
    let init = json(dir, &["init"]);
    assert_eq!(init["store"], dir.join("s.db").display().to_string());
    assert!(init["admin"].is_string() && init["anchor_key"].is_string());
    assert_eq!(init["trust_declared_user"], false);

    let added = json(dir, &["user", "add", "bob", "--role", "approver"]);
    assert_eq!(added["user"]["name"], "bob");
    assert_eq!(added["user"]["roles"], serde_json::json!(["approver"]));
    assert_eq!(added["user"]["active"], true);
    let roles = json(dir, &["user", "roles", "bob", "--role", "approver,clerk"]);
    assert_eq!(
        roles["user"]["roles"],
        serde_json::json!(["approver", "clerk"])
    );
    let disabled = json(dir, &["user", "disable", "bob"]);
    assert_eq!(disabled["user"]["active"], false);
    assert_eq!(disabled["released_claims"], serde_json::json!([]));
    let enabled = json(dir, &["user", "enable", "bob"]);
    assert_eq!(enabled["user"]["active"], true);

    let calendar = repo().join("assets/cn-holidays.toml");
    let installed = json(
        dir,
        &["calendar", "install", &calendar.display().to_string()],
    );
    assert_eq!(installed["deadlines_recomputed"], true);
    assert!(installed["installed"]["years"].is_array());

    let dest = dir.join("b.db");
    let backup = json(dir, &["backup", &dest.display().to_string()]);
    assert_eq!(backup["backup"], dest.display().to_string());

    let (_, stdout, _) = permitdesk(dir, &["--json", "doctor"]);
    let doctor: Value = serde_json::from_str(&stdout).expect("doctor prints JSON");
    assert!(doctor["checks"].as_array().is_some_and(|c| !c.is_empty()));
    assert!(doctor["fixes"].is_u64());

    let (code, stdout, stderr) = permitdesk(dir, &["--json", "user", "disable", "ghost"]);
    assert_eq!(code, 5, "{stderr}");
    assert!(stdout.is_empty() && stderr.contains("ghost"), "{stderr}");
}
