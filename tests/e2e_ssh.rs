//! The real deployment (issue 4), end to end: a real OpenSSH server on 127.0.0.1 (a free high port,
//! its own host key and sshd_config, `Match Group permitdesk` + `ForceCommand` into the console,
//! `PERMITDESK_DB` set with `SetEnv`), two real Unix users in a `permitdesk` group, a setgid
//! group-writable store directory, and a store made with `init` (it does not trust declared
//! users, and no `--as` is passed: each console must act as its Unix login). Inside tmux two ssh
//! sessions open the console as the two users. One accepts a case and the other sees it change
//! (held by, then gone from Pre-audit with the tab counts moved) within about two seconds; then
//! both claim one case at the same moment and exactly one succeeds, the other is told of the
//! conflict, and the store holds exactly one claim event for it.
//!
//! Needs root, tmux, sshd, ssh, ssh-keygen, useradd/userdel, groupadd/groupdel; skips without
//! them, except under CI=true (see tests/support). Everything it makes (users, group, sshd, tmux
//! server) is removed by a Drop guard, also when an assertion fails.

mod support;

use std::io::Read as _;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{Tmux, Tools, row_of, run_ok, tab_count};

const GROUP: &str = "permitdesk";
/// Marks the accounts this test creates, so a leftover from a killed run can be told apart from
/// a real account before it is removed.
const COMMENT: &str = "permitdesk e2e test";
const STEP: Duration = Duration::from_secs(15);
/// "Another person's change shows on every open console within about a second": the console
/// polls once a second; this allows for the poll, the re-query, the redraw and our own polling.
const LIVE: Duration = Duration::from_millis(2500);
const CASES: [&str; 3] = ["SSH-000001", "SSH-000002", "SSH-000003"];

/// Everything the test set up outside its temporary directory, torn down in reverse on drop.
struct Deployment {
    tools: Tools,
    tmux: Option<Tmux>,
    sshd: Option<Child>,
    users: Vec<String>,
    group_created: bool,
}

impl Drop for Deployment {
    fn drop(&mut self) {
        // The ssh clients first (SIGHUP to the panes), then the server.
        drop(self.tmux.take());
        if let Some(mut sshd) = self.sshd.take() {
            let _ = sshd.kill();
            let _ = sshd.wait();
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

/// `permitdesk` as root, the store's admin, with the umask the README asks of every user.
fn admin(db: &Path, bin: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("sh");
    for var in support::PERMITDESK_VARS {
        cmd.env_remove(var);
    }
    cmd.env("XDG_CONFIG_HOME", db.parent().expect("store dir"))
        .args(["-c", "umask 007; exec \"$0\" \"$@\""])
        .arg(bin)
        .arg("--db")
        .arg(db)
        .args(args);
    run_ok(&mut cmd)
}

fn admin_json(db: &Path, bin: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = admin(db, bin, &all);
    serde_json::from_slice(&out.stdout).expect("json")
}

fn create_user(deployment: &mut Deployment, name: &str) {
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
    // `-p '*'`: no password, but not a locked account (sshd without PAM refuses locked ones).
    run_tool(
        &deployment.tools,
        "useradd",
        &[
            "-m", "-s", "/bin/sh", "-G", GROUP, "-p", "*", "-c", COMMENT, name,
        ],
    );
    deployment.users.push(name.to_string());
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn sshd_config(dir: &Path, port: u16, users: &[String], bin: &Path, db: &Path) -> PathBuf {
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
         SetEnv PERMITDESK_DB={db} PERMITDESK_LANG=en\n\
         Match Group {GROUP}\n\
         \x20   ForceCommand umask 007; exec {bin}\n",
        dir = dir.display(),
        users = users.join(" "),
        db = db.display(),
        bin = bin.display(),
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
    db: &Path,
) -> u16 {
    let log = dir.join("sshd.log");
    for _ in 0..5 {
        let port = free_port();
        let config = sshd_config(dir, port, users, bin, db);
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

/// ssh to `user`, and then its exit status printed in the pane (which stays open).
fn ssh_command(tools: &Tools, port: u16, key: &Path, user: &str) -> String {
    format!(
        "sh -c '\"$@\"; echo \"{EXITED_WITH} $?]\"; exec sleep 3600' ssh \
         '{}' -tt -F /dev/null -p {port} -i '{}' -o IdentitiesOnly=yes -o BatchMode=yes \
         -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
         {user}@127.0.0.1",
        tools.path("ssh").display(),
        key.display()
    )
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

/// Presses `key` until the dialog titled `title` is open (approve waits for the case's detail).
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

fn claim_events(db: &Path, bin: &Path, case_no: &str) -> Vec<String> {
    admin_json(db, bin, &["case", "show", case_no])["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "claim")
        .map(|e| e["actor"].as_str().expect("actor").to_string())
        .collect()
}

#[test]
fn two_unix_users_over_ssh_see_each_other_and_exactly_one_wins() {
    let Some(tools) = support::require(
        "e2e_ssh",
        &[
            "tmux",
            "sshd",
            "ssh",
            "ssh-keygen",
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
    // A directory every test user can reach (the default temp dir may not be), with the binary.
    // Declared before the deployment so that the deployment is torn down first.
    let temp = tempfile::Builder::new()
        .prefix("pd-e2e-ssh-")
        .tempdir_in("/tmp")
        .expect("temp dir");
    let mut deployment = Deployment {
        tools: tools.clone(),
        tmux: None,
        sshd: None,
        users: Vec::new(),
        group_created: false,
    };
    let dir = temp.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let bin = dir.join("bin/permitdesk");
    std::fs::create_dir(dir.join("bin")).expect("bin dir");
    std::fs::copy(support::BIN, &bin).expect("copy the binary");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    // The group, the two logins, their keys, the host key.
    if nix::unistd::Group::from_name(GROUP)
        .expect("group db")
        .is_none()
    {
        run_tool(&tools, "groupadd", &[GROUP]);
        deployment.group_created = true;
    }
    let suffix = std::process::id() % 1_000_000;
    // At most 9 characters: the console's Held-by column shows them whole.
    let users = vec![format!("pda{suffix:06}"), format!("pdb{suffix:06}")];
    for user in &users {
        create_user(&mut deployment, user);
    }
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

    // The store: a setgid, group-writable directory; made by root with `init` (root is its admin,
    // and it does not trust declared users); the two logins added by name; three cases imported.
    let store_dir = dir.join("store");
    std::fs::create_dir(&store_dir).expect("store dir");
    let gid = nix::unistd::Group::from_name(GROUP)
        .expect("group db")
        .expect("group")
        .gid;
    nix::unistd::chown(&store_dir, None, Some(gid)).expect("chgrp");
    std::fs::set_permissions(&store_dir, std::fs::Permissions::from_mode(0o2770)).expect("chmod");
    let db = store_dir.join("permitdesk.db");
    admin(&db, &bin, &["init"]);
    admin(&db, &bin, &["user", "add", &users[0], "--role", "approver"]);
    admin(
        &db,
        &bin,
        &["user", "add", &users[1], "--role", "approver,supervisor"],
    );
    let batch = dir.join("cases.jsonl");
    let lines: Vec<String> = CASES
        .iter()
        .enumerate()
        .map(|(i, no)| {
            format!(
                "{{\"case_no\":\"{no}\",\"kind\":\"overseas_new\",\"category\":\"B\",\
                 \"applicant\":{{\"name\":\"TESTER NUMBER{i}\",\"passport_no\":\"E2E{i:06}\",\
                 \"nationality\":\"FRA\",\"birth_date\":\"1990-01-0{}\"}},\
                 \"employer\":{{\"name\":\"Example Software\",\"uscc\":\"91440101MA5CQ7H2XC\"}},\
                 \"documents\":[{{\"kind\":\"passport\",\"ok\":true}}]}}",
                i + 1
            )
        })
        .collect();
    std::fs::write(&batch, lines.join("\n") + "\n").expect("write batch");
    admin(&db, &bin, &["import", batch.to_str().expect("utf-8 path")]);
    // `--as` is refused on this store: only the login decides who acts.
    let refused = support::pd(&db)
        .args(["--as", &users[0], "case", "list"])
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(3), "{refused:?}");

    // sshd and the two sessions.
    let port = start_sshd(&mut deployment, dir, &users, &bin, &db);
    let tmux = Tmux::new(tools.path("tmux"), dir, &support::unique("pd-e2e-ssh-"));
    let (a, b) = (users[0].as_str(), users[1].as_str());
    for user in [a, b] {
        let key = dir.join(format!("keys/{user}"));
        tmux.new_session(user, 120, 40, &ssh_command(&tools, port, &key, user));
    }
    deployment.tmux = Some(tmux);
    let tmux = deployment.tmux.as_ref().expect("tmux");
    for (user, roles) in [(a, "(approver)"), (b, "(approver,supervisor)")] {
        let header = format!("{user} {roles}");
        let shown = support::poll(STEP, || tmux.screen(user).contains(&header).then_some(()));
        assert!(
            shown.is_some(),
            "{user}: the console should open as the Unix login, showing {header:?}; screen:\n{}\nsshd log:\n{}",
            tmux.screen(user),
            log_tail(&dir.join("sshd.log"))
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
    tmux.wait_text(a, &format!("{first}: Pre-audit -> Review"), STEP);
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
        claim_events(&db, &bin, second),
        vec![winner.to_string()],
        "exactly one claim event, by the one who succeeded"
    );
    eprintln!(
        "e2e_ssh: simultaneous claim of {second}: {winner} won, {loser} was told: {}",
        if loser_screen.contains("Conflict") {
            "Conflict"
        } else {
            "held by"
        }
    );
    // The loser closes the dialog and finds the case held by the winner.
    tmux.keys(loser, &["Enter"]);
    tmux.wait_for(loser, &format!("{second} held by {winner}"), STEP, |s| {
        row_of(s, second).is_some_and(|r| r.contains(winner)) && !s.contains("Conflict")
    });

    // Both quit; the consoles end cleanly and the store is sound.
    for user in [a, b] {
        tmux.keys(user, &["q"]);
    }
    for user in [a, b] {
        // The wrapper prints ssh's exit status, which is the remote console's (tmux's own
        // `pane_dead_status` is sometimes never filled in on a loaded machine).
        let screen = tmux.wait_for(user, "ssh's exit status", STEP, |s| s.contains(EXITED_WITH));
        assert!(
            screen.contains(&format!("{EXITED_WITH} 0]")),
            "{user}: the console over ssh should exit 0 on q; screen:\n{screen}"
        );
    }
    let first_case = admin_json(&db, &bin, &["case", "show", first]);
    assert_eq!(first_case["stage"], "review");
    let accepted = first_case["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("events");
    assert_eq!(accepted["action"], "approve");
    assert_eq!(accepted["actor"], a);
    admin(&db, &bin, &["check"]);
    eprintln!("e2e_ssh: passed in {:.1?}", started.elapsed());
}
