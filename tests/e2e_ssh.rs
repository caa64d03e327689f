//! The real deployment, end to end, as the README describes it: a service account owns the store
//! (a 0700 directory) and the spool and runs `permitdesk serve`; two people, real Unix users in
//! the `permitdesk` group with shell accounts, log in through a real OpenSSH server on 127.0.0.1
//! (its own host key and sshd_config; the console by default, any command they give otherwise, as
//! an insider would have) and reach the store only through the server's socket, which names them
//! by their uid. In tmux the two consoles see each other's changes as the server pushes them;
//! both claim one case at the same moment and exactly one succeeds. Then, as the insiders: the
//! system `sqlite3` cannot open the store, its WAL or the spool; the forgeries of the trust
//! boundary issue fail (`--as` someone else, writing the settings or the users table, their own
//! store on the office spool, `-o` over the store, a link planted for another person's output);
//! disabling a person closes their open console at once; and the server killed with SIGKILL
//! while 16 clients act loses no acknowledged action and `check` passes after the restart.
//!
//! Needs root, tmux, sshd, ssh, ssh-keygen, sqlite3, setpriv, useradd/userdel,
//! groupadd/groupdel; skips without them, except under CI=true (see tests/support). Everything it
//! makes (users, group, sshd, server, tmux server) is removed by a Drop guard, also when an
//! assertion fails.

mod support;

use std::io::Read as _;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Tmux, Tools, row_of, run_ok, tab_count};

const GROUP: &str = "permitdesk";
/// Marks the accounts this test creates, so a leftover from a killed run can be told apart from
/// a real account before it is removed.
const COMMENT: &str = "permitdesk e2e test";
const STEP: Duration = Duration::from_secs(15);
/// "Another person's change shows on every open console within about a second": the server
/// pushes each commit; this allows for the re-query, the redraw and our own polling.
const LIVE: Duration = Duration::from_millis(2500);
const CASES: [&str; 3] = ["SSH-000001", "SSH-000002", "SSH-000003"];

/// Everything the test set up outside its temporary directory, torn down in reverse on drop.
struct Deployment {
    tools: Tools,
    tmux: Option<Tmux>,
    sshd: Option<Child>,
    server: Option<Child>,
    users: Vec<String>,
    group_created: bool,
}

impl Drop for Deployment {
    fn drop(&mut self) {
        // The ssh clients first (SIGHUP to the panes), then the servers.
        drop(self.tmux.take());
        for child in [self.sshd.take(), self.server.take()].into_iter().flatten() {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
        }
        for user in self.users.drain(..).rev() {
            end_processes_of(&user);
            let _ = Command::new(self.tools.path("userdel"))
                .args(["-r", &user])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        // The group goes only if this test made it and nobody else was put in it meanwhile.
        let empty = nix::unistd::Group::from_name(GROUP)
            .ok()
            .flatten()
            .is_some_and(|g| g.mem.is_empty());
        if self.group_created && empty {
            let _ = Command::new(self.tools.path("groupdel"))
                .arg(GROUP)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The test's own consoles and sshd session processes run as the test users; they end on the
/// hangup, and whatever is left (by pid, found in /proc) is terminated so the user can be removed.
fn end_processes_of(user: &str) {
    let Ok(Some(account)) = nix::unistd::User::from_name(user) else {
        return;
    };
    let uid = account.uid.as_raw();
    let pids = || -> Vec<i32> {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|status| {
                    status
                        .lines()
                        .find(|l| l.starts_with("Uid:"))
                        .and_then(|l| l.split_whitespace().nth(1))
                        .is_some_and(|real| real == uid.to_string())
                })
            })
            .collect()
    };
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    for signal in [None, Some(Signal::SIGTERM), Some(Signal::SIGKILL)] {
        if let Some(signal) = signal {
            eprintln!("e2e_ssh: processes of {user} still running after the hangup; {signal:?}");
            for pid in pids() {
                let _ = kill(Pid::from_raw(pid), signal);
            }
        }
        if support::poll(Duration::from_secs(3), || pids().is_empty().then_some(())).is_some() {
            return;
        }
    }
}

fn run_tool(tools: &Tools, name: &str, args: &[&str]) {
    run_ok(Command::new(tools.path(name)).args(args));
}

/// A person (a shell account in the group) or the service account (no login; the group is its
/// primary group, so the socket it makes can be given to the group).
fn create_user(deployment: &mut Deployment, name: &str, service: bool) {
    if let Ok(Some(existing)) = nix::unistd::User::from_name(name) {
        let gecos = existing.gecos.to_string_lossy().into_owned();
        assert_eq!(
            gecos, COMMENT,
            "a Unix account {name} exists and was not made by this test; not touching it"
        );
        // A leftover of an earlier run that was killed before its cleanup.
        end_processes_of(name);
        run_tool(&deployment.tools, "userdel", &["-r", name]);
    }
    let args: Vec<&str> = if service {
        vec![
            "-r",
            "-M",
            "-g",
            GROUP,
            "-s",
            "/usr/sbin/nologin",
            "-c",
            COMMENT,
            name,
        ]
    } else {
        // `-p '*'`: no password, but not a locked account (sshd without PAM refuses locked ones).
        vec![
            "-m", "-s", "/bin/sh", "-G", GROUP, "-p", "*", "-c", COMMENT, name,
        ]
    };
    run_tool(&deployment.tools, "useradd", &args);
    deployment.users.push(name.to_string());
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The README's sshd lines, with one difference: the people get any command they ask for (the
/// console when they ask for none), so the test can act as an insider with a shell account.
fn sshd_config(dir: &Path, port: u16, users: &[String], bin: &Path, socket: &Path) -> PathBuf {
    let config = dir.join("sshd_config");
    let text = format!(
        "Port {port}\n\
         ListenAddress 127.0.0.1\n\
         HostKey {dir}/host_ed25519\n\
         PidFile {dir}/sshd.pid\n\
         UsePAM no\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         PubkeyAuthentication yes\n\
         AuthorizedKeysFile {dir}/keys/%u.pub\n\
         StrictModes no\n\
         PermitRootLogin no\n\
         AllowUsers {users}\n\
         PrintMotd no\n\
         PrintLastLog no\n\
         X11Forwarding no\n\
         AllowTcpForwarding no\n\
         LogLevel VERBOSE\n\
         SetEnv PERMITDESK_SOCKET={socket} PERMITDESK_LANG=en LANG=C.UTF-8 PATH={bindir}:/usr/bin:/bin\n\
         Match Group {GROUP}\n\
         \x20   ForceCommand umask 077; if [ -n \"$SSH_ORIGINAL_COMMAND\" ]; then exec sh -c \"$SSH_ORIGINAL_COMMAND\"; else exec {bin}; fi\n",
        dir = dir.display(),
        users = users.join(" "),
        socket = socket.display(),
        bin = bin.display(),
        bindir = bin.parent().expect("bin dir").display(),
    );
    std::fs::write(&config, text).expect("write sshd_config");
    config
}

fn log_tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Starts sshd on a free port (another one if the port was taken meanwhile) and waits until it
/// accepts connections.
fn start_sshd(
    deployment: &mut Deployment,
    dir: &Path,
    users: &[String],
    bin: &Path,
    socket: &Path,
) -> u16 {
    let log = dir.join("sshd.log");
    for _ in 0..5 {
        let port = free_port();
        let config = sshd_config(dir, port, users, bin, socket);
        let mut child = Command::new(deployment.tools.path("sshd"))
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("sshd log"))
            .spawn()
            .expect("start sshd");
        let up = support::poll(Duration::from_secs(10), || {
            if let Ok(Some(_)) = child.try_wait() {
                return Some(false);
            }
            TcpStream::connect((Ipv4Addr::LOCALHOST, port))
                .is_ok()
                .then_some(true)
        });
        if up == Some(true) {
            deployment.sshd = Some(child);
            return port;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("sshd did not start; its log:\n{}", log_tail(&log));
}

/// What the pane prints when ssh has exited, followed by its exit status.
const EXITED_WITH: &str = "[ssh exited with";

fn ssh_args(tools: &Tools, port: u16, key: &Path) -> Vec<String> {
    vec![
        tools.path("ssh").display().to_string(),
        "-F".into(),
        "/dev/null".into(),
        "-p".into(),
        port.to_string(),
        "-i".into(),
        key.display().to_string(),
        "-o".into(),
        "IdentitiesOnly=yes".into(),
        "-o".into(),
        "BatchMode=yes".into(),
        "-o".into(),
        "StrictHostKeyChecking=no".into(),
        "-o".into(),
        "UserKnownHostsFile=/dev/null".into(),
        "-o".into(),
        "LogLevel=ERROR".into(),
    ]
}

/// ssh to `user` (the console), and then its exit status printed in the pane (which stays open).
fn ssh_console(tools: &Tools, port: u16, key: &Path, user: &str) -> String {
    let args: Vec<String> = ssh_args(tools, port, key)
        .into_iter()
        .map(|a| format!("'{a}'"))
        .collect();
    format!(
        "sh -c '\"$@\"; echo \"{EXITED_WITH} $?]\"; exec sleep 3600' ssh {} -tt {user}@127.0.0.1",
        args.join(" ")
    )
}

/// A command run over ssh as `user`, as that person would type it into their shell.
fn ssh_run(tools: &Tools, port: u16, key: &Path, user: &str, command: &str) -> Output {
    let args = ssh_args(tools, port, key);
    Command::new(&args[0])
        .args(&args[1..])
        .arg(format!("{user}@127.0.0.1"))
        .arg(command)
        .stdin(Stdio::null())
        .output()
        .expect("run ssh")
}

/// The service account and what it owns: the store, the spool, the server's socket and log.
struct Service<'a> {
    bin: &'a Path,
    home: &'a Path,
    account: &'a nix::unistd::User,
    db: &'a Path,
    socket: &'a Path,
    spool: &'a Path,
    log: &'a Path,
}

impl Service<'_> {
    fn command(&self) -> Command {
        let mut cmd = Command::new(self.bin);
        cmd.env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.home)
            .env("XDG_CONFIG_HOME", self.home)
            .env("LANG", "C.UTF-8")
            .uid(self.account.uid.as_raw())
            .gid(self.account.gid.as_raw())
            .arg("--db")
            .arg(self.db);
        cmd
    }

    /// `permitdesk` as the service account, directly on the store it owns.
    fn run(&self, args: &[&str]) -> Output {
        run_ok(self.command().args(args))
    }

    fn case(&self, case_no: &str) -> serde_json::Value {
        let out = self.run(&["--json", "case", "show", case_no]);
        serde_json::from_slice(&out.stdout).expect("json")
    }

    /// Starts `permitdesk serve` as the service account and waits until its socket answers.
    fn start(&self, deployment: &mut Deployment) {
        let mut cmd = self.command();
        cmd.args(["serve", "--group", GROUP, "--interval", "1", "--socket"])
            .arg(self.socket)
            .arg("--spool")
            .arg(self.spool)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.log)
                    .expect("server log"),
            );
        let mut child = cmd.spawn().expect("start permitdesk serve");
        let up = support::poll(Duration::from_secs(20), || {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "permitdesk serve exited ({status}):\n{}",
                    log_tail(self.log)
                );
            }
            std::os::unix::net::UnixStream::connect(self.socket)
                .is_ok()
                .then_some(())
        });
        assert!(
            up.is_some(),
            "the server did not listen:\n{}",
            log_tail(self.log)
        );
        deployment.server = Some(child);
    }
}

/// A command run directly (not over ssh) as a person: their uid and their groups.
fn as_person(tools: &Tools, user: &str, program: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(tools.path("setpriv"));
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .env("HOME", format!("/home/{user}"))
        .arg(format!("--reuid={user}"))
        .arg(format!("--regid={GROUP}"))
        .arg("--init-groups")
        .arg("--")
        .arg(program)
        .args(args);
    cmd
}

/// Searches for `case_no` and waits until it is the selected row.
fn select(tmux: &Tmux, pane: &str, case_no: &str) {
    tmux.keys(pane, &["/"]);
    tmux.type_text(pane, case_no);
    tmux.keys(pane, &["Enter"]);
    tmux.wait_for(pane, &format!("{case_no} selected"), STEP, |s| {
        row_of(s, case_no).is_some_and(|r| r.contains('▶'))
    });
}

/// Presses `key` until the dialog titled `title` opens: the first press can arrive while the
/// console is still loading the selected case's detail.
fn open_dialog(tmux: &Tmux, pane: &str, key: &str, title: &str) {
    for attempt in 0..5 {
        if attempt > 0 {
            eprintln!("e2e_ssh: {title:?} did not open within 2 s; pressing {key} again");
        }
        tmux.keys(pane, &[key]);
        let opened = support::poll(Duration::from_secs(2), || {
            tmux.screen(pane).contains(title).then_some(())
        });
        if opened.is_some() {
            return;
        }
    }
    tmux.wait_text(pane, title, STEP);
}

fn actors_of(case: &serde_json::Value, action: &str) -> Vec<String> {
    case["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == action)
        .filter_map(|e| e["actor"].as_str().map(str::to_string))
        .collect()
}

fn notes_of(case: &serde_json::Value) -> Vec<String> {
    case["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "note")
        .filter_map(|e| e["text"].as_str().map(str::to_string))
        .collect()
}

fn denied(out: &Output) -> bool {
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    !out.status.success() && (err.contains("permission denied") || err.contains("unable to open"))
}

/// The binary the deployment runs: `PERMITDESK_E2E_BIN` (the Debian package's `/usr/bin/permitdesk`,
/// as scripts/deb-smoke.sh runs this test), else a copy of this build's in `dir/bin`, where every
/// test user can reach it.
fn deployed_binary(dir: &Path) -> PathBuf {
    if let Some(installed) = std::env::var_os("PERMITDESK_E2E_BIN") {
        let installed = PathBuf::from(installed);
        assert!(
            installed.is_absolute() && installed.is_file(),
            "PERMITDESK_E2E_BIN={} is not an installed binary",
            installed.display()
        );
        eprintln!("e2e_ssh: running the installed {}", installed.display());
        return installed;
    }
    let bin = dir.join("bin/permitdesk");
    std::fs::create_dir(dir.join("bin")).expect("bin dir");
    std::fs::copy(support::BIN, &bin).expect("copy the binary");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    bin
}

#[test]
fn the_served_deployment_over_ssh_keeps_the_store_to_the_server() {
    let Some(tools) = support::require(
        "e2e_ssh",
        &[
            "tmux",
            "sshd",
            "ssh",
            "ssh-keygen",
            "sqlite3",
            "setpriv",
            "useradd",
            "userdel",
            "groupadd",
            "groupdel",
        ],
        true,
    ) else {
        return;
    };
    let started = Instant::now();
    // A directory every test user can reach (the default temp dir may not be), with the binary
    // unless an installed one is named.
    // Declared before the deployment so that the deployment is torn down first.
    let temp = tempfile::Builder::new()
        .prefix("pd-e2e-ssh-")
        .tempdir_in("/tmp")
        .expect("temp dir");
    let mut deployment = Deployment {
        tools: tools.clone(),
        tmux: None,
        sshd: None,
        server: None,
        users: Vec::new(),
        group_created: false,
    };
    let dir = temp.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let bin = deployed_binary(dir);

    // The group, the service account, the two people, their keys, the host key.
    if nix::unistd::Group::from_name(GROUP)
        .expect("group db")
        .is_none()
    {
        run_tool(&tools, "groupadd", &[GROUP]);
        deployment.group_created = true;
    }
    let suffix = std::process::id() % 1_000_000;
    let svc_name = format!("pds{suffix:06}");
    create_user(&mut deployment, &svc_name, true);
    let svc = nix::unistd::User::from_name(&svc_name)
        .expect("passwd")
        .expect("the service account");
    // At most 9 characters: the console's Held-by column shows them whole.
    let users = vec![format!("pda{suffix:06}"), format!("pdb{suffix:06}")];
    for user in &users {
        create_user(&mut deployment, user, false);
    }
    let (a, b) = (users[0].as_str(), users[1].as_str());
    std::fs::create_dir(dir.join("keys")).expect("keys dir");
    let keygen = |path: &Path, comment: &str| {
        run_ok(
            Command::new(tools.path("ssh-keygen"))
                .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
                .arg(path),
        );
    };
    for user in &users {
        keygen(&dir.join(format!("keys/{user}")), user);
    }
    keygen(&dir.join("host_ed25519"), "permitdesk e2e host");
    std::fs::create_dir_all("/run/sshd").expect("/run/sshd");
    let key = |user: &str| dir.join(format!("keys/{user}"));

    // The service account's state directory (0700): the store, the spool; its home for config.
    let state = dir.join("state");
    let home = dir.join("svc-home");
    for d in [&state, &home] {
        std::fs::create_dir(d).expect("dir");
        nix::unistd::chown(d, Some(svc.uid), Some(svc.gid)).expect("chown");
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    let run_dir = dir.join("run");
    std::fs::create_dir(&run_dir).expect("run dir");
    nix::unistd::chown(&run_dir, Some(svc.uid), Some(svc.gid)).expect("chown");
    std::fs::set_permissions(&run_dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let db = state.join("permitdesk.db");
    let spool = state.join("spool");
    let socket = run_dir.join("permitdesk.sock");
    let server_log = dir.join("serve.log");
    let service = Service {
        bin: &bin,
        home: &home,
        account: &svc,
        db: &db,
        socket: &socket,
        spool: &spool,
        log: &server_log,
    };

    // `init` as the service account (its first admin; the store trusts nobody's --as), the two
    // people added by name, three cases imported.
    service.run(&["init"]);
    service.run(&["user", "add", a, "--role", "approver"]);
    service.run(&["user", "add", b, "--role", "approver,supervisor"]);
    let batch = home.join("cases.jsonl");
    let lines: Vec<String> = CASES
        .iter()
        .enumerate()
        .map(|(i, no)| {
            format!(
                "{{\"case_no\":\"{no}\",\"kind\":\"overseas_new\",\"category\":\"B\",\
                 \"applicant\":{{\"name\":\"TESTER NUMBER {}\",\"passport_no\":\"E2E{i:06}\",\
                 \"nationality\":\"FRA\",\"birth_date\":\"1990-01-0{}\"}},\
                 \"employer\":{{\"name\":\"Example Software\",\"uscc\":\"91440101MA5CQ7H2XC\"}},\
                 \"documents\":[{{\"kind\":\"passport\",\"ok\":true}}]}}",
                // Latin letters only in a passport name: A, B, C.
                char::from(b'A' + i as u8),
                i + 1
            )
        })
        .collect();
    std::fs::write(&batch, lines.join("\n") + "\n").expect("write batch");
    nix::unistd::chown(&batch, Some(svc.uid), Some(svc.gid)).expect("chown");
    service.run(&["import", batch.to_str().expect("utf-8 path")]);
    service.start(&mut deployment);
    let socket_mode = std::fs::metadata(&socket)
        .expect("socket")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(socket_mode, 0o660, "the socket is for the group only");

    // sshd and the two sessions.
    let port = start_sshd(&mut deployment, dir, &users, &bin, &socket);
    let tmux = Tmux::new(tools.path("tmux"), dir, &support::unique("pd-e2e-ssh-"));
    for user in [a, b] {
        tmux.new_session(user, 120, 40, &ssh_console(&tools, port, &key(user), user));
    }
    deployment.tmux = Some(tmux);
    let tmux = deployment.tmux.as_ref().expect("tmux");
    for (user, roles) in [(a, "(approver)"), (b, "(approver,supervisor)")] {
        let header = format!("{user} {roles}");
        let shown = support::poll(STEP, || tmux.screen(user).contains(&header).then_some(()));
        assert!(
            shown.is_some(),
            "{user}: the console should open as the Unix login, showing {header:?}; screen:\n{}\nsshd log:\n{}\nserver log:\n{}",
            tmux.screen(user),
            log_tail(&dir.join("sshd.log")),
            log_tail(&server_log)
        );
    }
    eprintln!(
        "e2e_ssh: two consoles open over ssh after {:.1?}",
        started.elapsed()
    );

    // Both on Pre-audit with the three cases.
    for user in [a, b] {
        tmux.keys(user, &["2"]);
        tmux.wait_for(user, "Pre-audit with three cases", STEP, |s| {
            s.contains("Pre-audit:") && CASES.iter().all(|c| row_of(s, c).is_some())
        });
    }
    let before = tmux.screen(b);
    assert_eq!(tab_count(&before, "Pre-audit"), Some(3), "{before}");
    assert_eq!(tab_count(&before, "Review"), Some(0), "{before}");

    // A claims the first case: B sees who holds it.
    let first = CASES[0];
    select(tmux, a, first);
    tmux.keys(a, &["c"]);
    tmux.wait_text(a, &format!("{first}: claim"), STEP);
    let t0 = Instant::now();
    tmux.wait_for(b, &format!("{first} held by {a}"), STEP, |s| {
        row_of(s, first).is_some_and(|r| r.contains(a))
    });
    let held_after = t0.elapsed();

    // A accepts it: on B's screen it leaves Pre-audit and the counts move.
    open_dialog(tmux, a, "a", &format!("Accept {first}"));
    tmux.keys(a, &["Enter"]);
    tmux.wait_for(a, "the acceptance's outcome", STEP, |s| {
        !s.contains(&format!("Accept {first}"))
            && s.contains(&format!("{first}: Pre-audit -> Review"))
    });
    let t0 = Instant::now();
    let after = tmux.wait_for(b, "the accepted case to leave B's Pre-audit", STEP, |s| {
        row_of(s, first).is_none()
            && tab_count(s, "Pre-audit") == Some(2)
            && tab_count(s, "Review") == Some(1)
    });
    let gone_after = t0.elapsed();
    eprintln!(
        "e2e_ssh: B saw the claim after {held_after:.2?} and the acceptance after {gone_after:.2?}"
    );
    assert!(
        held_after <= LIVE && gone_after <= LIVE,
        "another person's change must show within about a second or two: claim {held_after:?}, \
         acceptance {gone_after:?}; B's screen:\n{after}"
    );
    // Esc clears the search. Wait for it: an Esc and the next key arriving together read as Alt+key.
    tmux.keys(a, &["Escape"]);
    tmux.wait_for(a, "the search to clear", STEP, |s| !s.contains("[Search"));

    // Both select the second case, then both claim it at the same moment.
    let second = CASES[1];
    for user in [a, b] {
        select(tmux, user, second);
    }
    // One tmux command delivers both keystrokes; who goes first alternates between runs.
    let (one, two) = if std::process::id() % 2 == 0 {
        (a, b)
    } else {
        (b, a)
    };
    tmux.run(&[
        "send-keys",
        "-t",
        one,
        "c",
        ";",
        "send-keys",
        "-t",
        two,
        "c",
    ]);
    let won = |s: &str| s.contains(&format!("{second}: claim"));
    // A conflict dialog (the other commit came first), or the refusal that names the holder
    // (the console had already refreshed).
    let lost = |s: &str| s.contains("Conflict") || s.contains(&format!("{second}: held by"));
    let mut screens = Vec::new();
    for user in [a, b] {
        screens.push(tmux.wait_for(user, "the claim's outcome", STEP, |s| won(s) || lost(s)));
    }
    let winners: Vec<&str> = [a, b]
        .into_iter()
        .zip(&screens)
        .filter(|(_, s)| won(s))
        .map(|(u, _)| u)
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one claim succeeds; the screens:\n{}\n{}",
        screens[0],
        screens[1]
    );
    let winner = winners[0];
    let loser = if winner == a { b } else { a };
    let loser_screen = &screens[if winner == a { 1 } else { 0 }];
    assert!(
        lost(loser_screen),
        "{loser} is told it lost:\n{loser_screen}"
    );
    assert_eq!(
        actors_of(&service.case(second), "claim"),
        vec![winner.to_string()],
        "exactly one claim event, by the one who succeeded"
    );
    // The loser closes the dialog and finds the case held by the winner.
    tmux.keys(loser, &["Enter"]);
    tmux.wait_for(loser, &format!("{second} held by {winner}"), STEP, |s| {
        row_of(s, second).is_some_and(|r| r.contains(winner)) && !s.contains("Conflict")
    });

    // The command line over ssh acts as the login too, through the socket.
    let listed = ssh_run(
        &tools,
        port,
        &key(a),
        a,
        "permitdesk --json case show SSH-000003",
    );
    assert!(listed.status.success(), "{listed:?}");
    let forged = ssh_run(
        &tools,
        port,
        &key(a),
        a,
        &format!("permitdesk --as {b} case claim SSH-000003"),
    );
    assert_eq!(
        forged.status.code(),
        Some(3),
        "--as someone else: {forged:?}"
    );
    let forged = ssh_run(
        &tools,
        port,
        &key(a),
        a,
        &format!("PERMITDESK_USER={b} permitdesk case claim SSH-000003"),
    );
    assert_eq!(forged.status.code(), Some(3), "PERMITDESK_USER: {forged:?}");

    // The insider's shell: the store, its WAL and the spool are the service account's alone.
    let store = db.display().to_string();
    for (what, command) in [
        (
            "read the events",
            format!("sqlite3 {store} 'SELECT count(*) FROM events'"),
        ),
        (
            "trust declared users",
            format!("sqlite3 {store} \"INSERT INTO meta VALUES ('trust_declared_user', '1')\""),
        ),
        (
            "add themself as an admin",
            format!(
                "sqlite3 {store} \"INSERT INTO users (name, roles, active, created_at) VALUES ('{a}', '[\\\"admin\\\"]', 1, '2026-01-01')\""
            ),
        ),
        (
            "switch four-eyes off",
            format!("sqlite3 {store} \"UPDATE meta SET value = '{{}}' WHERE key = 'policy'\""),
        ),
        ("read the WAL", format!("cat {store}-wal")),
        ("list the spool", format!("ls {}", spool.display())),
        (
            "open the store directly",
            format!("permitdesk --db {store} case list"),
        ),
    ] {
        let out = ssh_run(&tools, port, &key(a), a, &command);
        assert!(denied(&out), "{a} could {what}: {out:?}");
    }
    // Their own store on the office spool: the spool is not theirs to read.
    let own = ssh_run(
        &tools,
        port,
        &key(a),
        a,
        &format!(
            "permitdesk --db $HOME/mine.db init >/dev/null && permitdesk --db $HOME/mine.db sync --spool {}",
            spool.display()
        ),
    );
    assert!(
        !own.status.success(),
        "{a} synced the office spool: {own:?}"
    );
    // `sync` through the server is an admin's; `export -o` over the store is refused.
    let sync = ssh_run(&tools, port, &key(a), a, "permitdesk sync");
    assert_eq!(sync.status.code(), Some(3), "{sync:?}");
    let over = ssh_run(
        &tools,
        port,
        &key(a),
        a,
        &format!("permitdesk export -o {store}"),
    );
    assert!(!over.status.success(), "export over the store: {over:?}");

    // A link planted for another person's output is replaced, never written through.
    let shared = dir.join("shared");
    std::fs::create_dir(&shared).expect("shared dir");
    let gid = nix::unistd::Group::from_name(GROUP)
        .expect("group db")
        .expect("group")
        .gid;
    nix::unistd::chown(&shared, None, Some(gid)).expect("chgrp");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2770)).expect("chmod");
    let victim = format!("/home/{a}/notes.txt");
    let planted = shared.join("overdue.csv");
    let plant = ssh_run(&tools, port, &key(a), a, &format!("echo mine > {victim}"));
    assert!(plant.status.success(), "{plant:?}");
    let plant = ssh_run(
        &tools,
        port,
        &key(b),
        b,
        &format!("ln -s {victim} {}", planted.display()),
    );
    assert!(plant.status.success(), "{plant:?}");
    let report = ssh_run(
        &tools,
        port,
        &key(a),
        a,
        &format!("permitdesk export --format csv -o {}", planted.display()),
    );
    assert!(report.status.success(), "{report:?}");
    let victim_now = ssh_run(&tools, port, &key(a), a, &format!("cat {victim}"));
    assert_eq!(String::from_utf8_lossy(&victim_now.stdout), "mine\n");
    assert!(
        !std::fs::symlink_metadata(&planted)
            .expect("the export")
            .is_symlink(),
        "the planted link was replaced by the export"
    );
    eprintln!("e2e_ssh: every insider attempt failed");

    // Disabling a person closes their open console at once, with a message.
    service.run(&["user", "disable", loser]);
    let closed = tmux.wait_for(loser, "the disabled person's console to close", STEP, |s| {
        s.contains(EXITED_WITH)
    });
    assert!(
        closed.contains(&format!("{EXITED_WITH} 3]")) && closed.contains("disabled"),
        "{loser}'s console closes with exit 3 and says why:\n{closed}"
    );
    service.run(&["user", "roles", loser, "--role", "approver"]);
    // The other console ends cleanly on q.
    tmux.keys(winner, &["q"]);
    let screen = tmux.wait_for(winner, "ssh's exit status", STEP, |s| {
        s.contains(EXITED_WITH)
    });
    assert!(
        screen.contains(&format!("{EXITED_WITH} 0]")),
        "{winner}: the console over ssh should exit 0 on q; screen:\n{screen}"
    );

    // SIGKILL the server while 16 clients act; every acknowledged action is in the store.
    kill_while_acting(&mut deployment, &tools, &service, winner);
    service.run(&["check"]);
    eprintln!("e2e_ssh: passed in {:.1?}", started.elapsed());
}

fn kill_while_acting(deployment: &mut Deployment, tools: &Tools, service: &Service, person: &str) {
    let (bin, socket) = (service.bin, service.socket);
    let case_no = CASES[2];
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..16)
        .map(|client| {
            let (tools, bin, socket, person) = (
                tools.clone(),
                bin.to_path_buf(),
                socket.to_path_buf(),
                person.to_string(),
            );
            let (acknowledged, stop) = (Arc::clone(&acknowledged), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let text = format!("client {client} note {n}");
                    let socket = socket.display().to_string();
                    let out = as_person(
                        &tools,
                        &person,
                        &bin,
                        &[
                            "--connect",
                            &socket,
                            "case",
                            "note",
                            case_no,
                            "--text",
                            &text,
                        ],
                    )
                    .output()
                    .expect("run a client");
                    if out.status.success() {
                        acknowledged.lock().expect("lock").push(text);
                    }
                    n += 1;
                }
            })
        })
        .collect();
    // Let them act, then kill the server mid-flight.
    support::poll(Duration::from_secs(20), || {
        (acknowledged.lock().expect("lock").len() >= 40).then_some(())
    })
    .expect("the clients act through the server");
    if let Some(mut server) = deployment.server.take() {
        let _ = server.kill();
        let _ = server.wait();
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for client in clients {
        client.join().expect("client thread");
    }
    let _ = std::fs::remove_file(socket);
    service.start(deployment);
    let acknowledged = acknowledged.lock().expect("lock").clone();
    let stored = notes_of(&service.case(case_no));
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|t| !stored.contains(t))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not in the store after SIGKILL: {missing:?}"
    );
    let mut unique = stored.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), stored.len(), "no note was recorded twice");
    eprintln!(
        "e2e_ssh: server killed with SIGKILL under 16 clients: {} acknowledged, all {} stored",
        acknowledged.len(),
        stored.len()
    );
}
