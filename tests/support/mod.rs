//! Shared by the tests that drive the real binary with outside programs (tmux, sshd, useradd):
//! the skip-or-fail rule of the README, running `permitdesk` with a clean environment, and a tmux
//! server of the test's own that is killed however the test ends.
//!
//! The rule: a test that needs a program (or root) that is missing prints `skipping: ...` and
//! returns, except under `CI=true`, where `.ci/run` has installed everything and a missing tool
//! is a failure.

#![allow(dead_code)]

/// The served twins (crates named `*_served`) reach every store through a server of their own.
#[path = "../served/mod.rs"]
pub mod served;

pub mod forge;

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The binary under test, built by cargo for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_permitdesk");

/// The variables that would make `permitdesk` act for someone else, on another store or in
/// another language than the test says.
pub const PERMITDESK_VARS: [&str; 6] = [
    "PERMITDESK_DB",
    "PERMITDESK_USER",
    "PERMITDESK_TODAY",
    "PERMITDESK_LANG",
    "PERMITDESK_CONFIG",
    "NO_COLOR",
];

pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Something the test needs is missing: under CI that is a failure, elsewhere a printed skip.
/// Returns `None` so callers can write `let Some(x) = ... else { return };`.
pub fn unavailable<T>(test: &str, reason: &str) -> Option<T> {
    if ci() {
        panic!("{test}: {reason} (CI=true: every tool the tests need must be installed)");
    }
    eprintln!("skipping {test}: {reason}");
    None
}

/// The programs a test found, by the name it asked for.
#[derive(Debug, Clone)]
pub struct Tools(HashMap<String, PathBuf>);

impl Tools {
    pub fn path(&self, name: &str) -> &Path {
        self.0
            .get(name)
            .unwrap_or_else(|| panic!("{name} was not asked for in require()"))
    }
}

/// Finds every program (on `PATH`, then in the sbin directories, where `sshd` and `useradd` live
/// though a normal `PATH` lacks them) and, with `root`, checks the test runs as root.
pub fn require(test: &str, programs: &[&str], root: bool) -> Option<Tools> {
    let mut found = HashMap::new();
    let mut missing = Vec::new();
    for name in programs {
        match find_program(name) {
            Some(path) => {
                found.insert(name.to_string(), path);
            }
            None => missing.push(*name),
        }
    }
    if !missing.is_empty() {
        return unavailable(test, &format!("not installed: {}", missing.join(", ")));
    }
    if root && !nix::unistd::geteuid().is_root() {
        return unavailable(
            test,
            "needs root (it creates Unix users and runs sshd); run it as root or in CI",
        );
    }
    Some(Tools(found))
}

pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let extra = ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"];
    std::env::split_paths(&path)
        .chain(extra.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A short name no other test process is using: `prefix` and this process's id.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", std::process::id())
}

/// `permitdesk --db DB` with none of the caller's `PERMITDESK_*` settings and no user config.
pub fn pd(db: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    for var in PERMITDESK_VARS {
        cmd.env_remove(var);
    }
    // Messages in English whatever the machine's locale.
    cmd.env_remove("LC_ALL").env("LANG", "C.UTF-8");
    if let Some(dir) = db.parent() {
        cmd.env("XDG_CONFIG_HOME", dir);
    }
    let target = served::target(db);
    if let Some((var, value)) = target.env {
        cmd.env(var, value);
    }
    cmd.args(target.args);
    cmd
}

/// Runs a command that must succeed and returns its output.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a `permitdesk` command with `--json` that must succeed and parses what it printed.
pub fn json(cmd: &mut Command) -> Value {
    let out = run_ok(cmd.arg("--json"));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{cmd:?}: not JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Polls `probe` every 50 ms until it returns something or `timeout` passes.
pub fn poll<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A tmux server of the test's own (its own socket, no user config, no status line), killed
/// with every pane in it when the value is dropped, however the test ends.
pub struct Tmux {
    bin: PathBuf,
    socket: String,
    conf: PathBuf,
}

impl Tmux {
    /// `dir` holds the server's config file; `socket` names the server (make it unique).
    pub fn new(bin: &Path, dir: &Path, socket: &str) -> Tmux {
        let conf = dir.join(format!("{socket}.tmux.conf"));
        // remain-on-exit keeps a pane whose program died, so a failure can still show its screen.
        std::fs::write(
            &conf,
            "set -g status off\nset -g remain-on-exit on\nset -g history-limit 2000\n\
             set -g default-terminal screen-256color\nset -sg escape-time 0\n",
        )
        .expect("write tmux config");
        Tmux {
            bin: bin.to_path_buf(),
            socket: socket.to_string(),
            conf,
        }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        // -u: the panes speak UTF-8 whatever the locale of the test runner.
        cmd.arg("-u")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg(&self.conf);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = run_ok(self.command().args(args));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A detached session `name` of `width` x `height` running `shell_command` (through `sh -c`).
    pub fn new_session(&self, name: &str, width: u16, height: u16, shell_command: &str) {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            shell_command,
        ]);
    }

    /// Sends tmux key names (`Enter`, `Escape`, `C-s`, or single characters).
    pub fn keys(&self, target: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", target];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types `text` literally.
    pub fn type_text(&self, target: &str, text: &str) {
        self.run(&["send-keys", "-t", target, "-l", text]);
    }

    /// The visible screen of the pane, one line per row.
    pub fn screen(&self, target: &str) -> String {
        self.run(&["capture-pane", "-p", "-t", target])
    }

    /// A tmux format evaluated for the pane, e.g. `#{alternate_on}`.
    pub fn format(&self, target: &str, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", target, format])
            .trim()
            .to_string()
    }

    /// Waits (50 ms steps) until the screen satisfies `ready`; panics with the screen if it does
    /// not within `timeout`. Returns the screen that satisfied it.
    pub fn wait_for(
        &self,
        target: &str,
        what: &str,
        timeout: Duration,
        ready: impl Fn(&str) -> bool,
    ) -> String {
        let mut last = String::new();
        let found = poll(timeout, || {
            last = self.screen(target);
            ready(&last).then(|| last.clone())
        });
        found.unwrap_or_else(|| {
            panic!(
                "{target}: waited {timeout:?} for {what}; the screen was:\n{}",
                last
            )
        })
    }

    /// Waits until the screen shows `text`.
    pub fn wait_text(&self, target: &str, text: &str, timeout: Duration) -> String {
        self.wait_for(target, &format!("{text:?}"), timeout, |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // SIGHUP to every pane's process group, then the server exits.
        let _ = self
            .command()
            .arg("kill-server")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// The row of the case table that shows `case_no` (its first column), if any; the selected row
/// carries `▶`.
pub fn row_of<'a>(screen: &'a str, case_no: &str) -> Option<&'a str> {
    screen.lines().find(|l| {
        let cells = l.trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, '│' | '|' | '▶' | '>' | '*' | '●' | '+')
        });
        cells
            .strip_prefix(case_no)
            .is_some_and(|rest| rest.starts_with(' '))
    })
}

/// The count a tab title shows, from `Pre-audit (214)`.
pub fn tab_count(screen: &str, tab: &str) -> Option<i64> {
    let start = screen.find(&format!("{tab} ("))? + tab.len() + 2;
    let rest = &screen[start..];
    rest[..rest.find(')')?].parse().ok()
}

/// The filter the table title names (`[filter unclaimed]`), or `all` when it names none.
pub fn shown_filter(screen: &str) -> String {
    match screen.find("[filter ") {
        Some(i) => {
            let rest = &screen[i + "[filter ".len()..];
            rest[..rest.find(']').unwrap_or(rest.len())].to_string()
        }
        None => "all".to_string(),
    }
}
