//! The served twin of a test suite: a crate named `*_served` (which `include!`s the direct
//! suite) runs every command and console job through a `permitdesk serve` of the test's own, one
//! per store, started on first use and stopped (SIGTERM) when the test's thread ends.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_permitdesk");

/// Whether this test crate is the served twin.
pub fn enabled() -> bool {
    env!("CARGO_CRATE_NAME").ends_with("_served")
}

pub struct Server {
    child: Child,
    pub socket: PathBuf,
    pub log: PathBuf,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the server to exit (after a signal) and gives its status.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().expect("the server exits")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

thread_local! {
    static SERVERS: RefCell<HashMap<PathBuf, Server>> = RefCell::new(HashMap::new());
}

/// The primary group of the test's user: the group its servers admit.
pub fn own_group() -> String {
    nix::unistd::Group::from_gid(nix::unistd::getgid())
        .ok()
        .flatten()
        .map(|g| g.name)
        .expect("the test user's group has a name")
}

/// Whether the store trusts declared users: its server then does too, so `--as` in the suite
/// means what it means directly.
fn trusts_declared_users(db: &Path) -> bool {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the store to read its settings");
    conn.query_row(
        "SELECT value FROM meta WHERE key = 'trust_declared_user'",
        [],
        |r| r.get::<_, String>(0),
    )
    .map(|v| v == "1")
    .unwrap_or(false)
}

/// `permitdesk` with none of the caller's `PERMITDESK_*` settings, in English.
pub fn permitdesk() -> Command {
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
    cmd
}

/// Starts `permitdesk --db DB serve --socket SOCKET --group (ours) EXTRA...`, its log in
/// `log`, and waits until it answers.
pub fn spawn(db: &Path, socket: &Path, log: &Path, extra: &[&str]) -> Server {
    let mut cmd = permitdesk();
    if let Some(dir) = db.parent() {
        cmd.env("XDG_CONFIG_HOME", dir);
    }
    cmd.env("PERMITDESK_LOG", "info")
        .arg("--db")
        .arg(db)
        .args(["serve", "--group", &own_group(), "--socket"])
        .arg(socket)
        .args(extra);
    let log_file = std::fs::File::create(log).expect("server log");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file);
    let mut child = cmd.spawn().expect("start permitdesk serve");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if std::os::unix::net::UnixStream::connect(socket).is_ok() {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "permitdesk serve exited ({status}):\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            Instant::now() < deadline,
            "permitdesk serve did not listen within 20 s:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    Server {
        child,
        socket: socket.to_path_buf(),
        log: log.to_path_buf(),
    }
}

/// Starts a server for `db` (its socket and log beside it) and waits until it answers.
pub fn start(db: &Path) -> Server {
    let dir = db.parent().expect("the store's directory");
    let name = db.file_name().expect("file name").to_string_lossy();
    let socket = dir.join(format!("{name}.sock"));
    let log = dir.join(format!("{name}.serve.log"));
    let trust: &[&str] = if trusts_declared_users(db) {
        &["--trust-declared-user"]
    } else {
        &[]
    };
    spawn(db, &socket, &log, trust)
}

/// The socket of this thread's server for `db`, started on first use; `None` before the store
/// exists (`init` and `demo` make it, always directly).
pub fn socket_for(db: &Path) -> Option<PathBuf> {
    if !db.exists() {
        return None;
    }
    let key = db.to_path_buf();
    Some(SERVERS.with(|servers| {
        servers
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| start(db))
            .socket
            .clone()
    }))
}

/// Stops this thread's server for `db` (a test that replaces the store file).
pub fn stop(db: &Path) {
    SERVERS.with(|servers| servers.borrow_mut().remove(db));
}

/// How a `permitdesk` command reaches `db`: directly (`--db`), or in the served twin through
/// its server (`--connect`, with the store in `PERMITDESK_DB` for the commands that always open
/// it directly: `demo`, `init`).
pub struct Target {
    pub env: Option<(&'static str, PathBuf)>,
    pub args: Vec<std::ffi::OsString>,
}

pub fn target(db: &Path) -> Target {
    match enabled().then(|| socket_for(db)).flatten() {
        Some(socket) => Target {
            env: Some(("PERMITDESK_DB", db.to_path_buf())),
            args: vec!["--connect".into(), socket.into_os_string()],
        },
        None => Target {
            env: None,
            args: vec!["--db".into(), db.as_os_str().to_owned()],
        },
    }
}
