//! `permitdesk completions SHELL` and `--version` (issue 19): the completion scripts need no
//! store, no configuration and no server, and touch nothing; the version names the commit and
//! the protocol.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_permitdesk");

/// `permitdesk ARGS` with every place it could look at pointing where nothing is: a missing
/// store, a missing socket, a missing named configuration, an empty home.
fn run_isolated(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env("PERMITDESK_DB", home.join("missing/permitdesk.db"))
        .env("PERMITDESK_SOCKET", home.join("missing.sock"))
        .env("PERMITDESK_CONFIG", home.join("missing.toml"))
        .args(args)
        .output()
        .expect("run permitdesk")
}

#[test]
fn completions_print_each_shells_script_and_open_nothing() {
    let home = tempfile::tempdir().expect("temp dir");
    for (shell, marker) in [
        ("bash", "complete -F _permitdesk"),
        ("zsh", "#compdef permitdesk"),
        ("fish", "complete -c permitdesk"),
    ] {
        let out = run_isolated(home.path(), &["completions", shell]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "completions {shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(marker), "completions {shell}:\n{stdout}");
        // Subcommands, nested ones and flags are all offered.
        for word in ["serve", "approve", "--connect"] {
            assert!(stdout.contains(word), "completions {shell} lacks {word}");
        }
    }
    let made: Vec<_> = std::fs::read_dir(home.path())
        .expect("read home")
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .expect("entries");
    assert!(made.is_empty(), "completions made files: {made:?}");
}

#[test]
fn completions_refuse_an_unknown_shell() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = run_isolated(home.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn version_names_the_commit_and_the_protocol() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = run_isolated(home.path(), &["--version"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.trim_end();
    let expected_start = format!("permitdesk {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&expected_start), "{line}");
    let commit = line[expected_start.len()..]
        .split(',')
        .next()
        .unwrap_or_default();
    assert!(
        commit == "unknown"
            || (!commit.is_empty() && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "commit {commit:?} in {line}"
    );
    assert!(
        line.ends_with(&format!(
            ", protocol {})",
            permitdesk::remote::protocol::PROTOCOL
        )),
        "{line}"
    );
}
