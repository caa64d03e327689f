//! `permitdesk serve` as its clients meet it: the handshake and its refusals, malformed input,
//! pushed news of other people's commits, the spool through the server, and the way a client
//! says the server is unreachable.

mod served;

use permitdesk::remote::protocol::{self, ClientMsg, Hello, PROTOCOL, ServerMsg};
use std::io::{Read as _, Write as _};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";

fn pd() -> Command {
    served::permitdesk()
}

fn demo() -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("demo.db");
    let out = pd()
        .env("XDG_CONFIG_HOME", dir.path())
        .arg("--db")
        .arg(&db)
        .args([
            "demo", "--cases", "200", "--seed", "7", "--no-tui", "--today", TODAY,
        ])
        .output()
        .expect("demo");
    assert!(out.status.success(), "{out:?}");
    (dir, db)
}

fn through(socket: &Path, args: &[&str]) -> Output {
    pd().arg("--connect")
        .arg(socket)
        .args(args)
        .output()
        .expect("run a client")
}

/// One frame as the codec writes it: a 4-byte big-endian length, then the bytes.
fn write_frame(stream: &mut UnixStream, bytes: &[u8]) {
    stream
        .write_all(&(bytes.len() as u32).to_be_bytes())
        .expect("length");
    stream.write_all(bytes).expect("frame");
}

fn read_frame(stream: &mut UnixStream) -> Option<ServerMsg> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).ok()?;
    let mut bytes = vec![0u8; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut bytes).ok()?;
    Some(protocol::decode(&bytes).expect("a server message"))
}

fn hello(protocol: u32, as_user: Option<&str>) -> Vec<u8> {
    serde_json::to_vec(&ClientMsg::Hello(Hello {
        protocol,
        version: "9.9.9".into(),
        as_user: as_user.map(str::to_string),
        today: Some(TODAY.into()),
        lang: "en".into(),
    }))
    .expect("json")
}

#[test]
fn a_client_of_another_protocol_is_refused_naming_both_versions() {
    let (_dir, db) = demo();
    let server = served::start(&db);
    let mut stream = UnixStream::connect(&server.socket).expect("connect");
    write_frame(&mut stream, &hello(PROTOCOL + 1, Some("li.wei")));
    match read_frame(&mut stream) {
        Some(ServerMsg::Refused { code, message }) => {
            assert_eq!(code, 1);
            assert!(
                message.contains(&format!("protocol {}", PROTOCOL + 1)),
                "{message}"
            );
            assert!(message.contains("9.9.9"), "{message}");
            assert!(message.contains(env!("CARGO_PKG_VERSION")), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn malformed_and_oversized_input_closes_that_connection_only() {
    let (_dir, db) = demo();
    let server = served::start(&db);
    // Not JSON.
    let mut garbage = UnixStream::connect(&server.socket).expect("connect");
    write_frame(&mut garbage, b"\x00\xffnot a message");
    assert!(
        read_frame(&mut garbage).is_none(),
        "closed without an answer"
    );
    // A frame longer than the server accepts.
    let mut huge = UnixStream::connect(&server.socket).expect("connect");
    huge.write_all(&(protocol::MAX_FRAME as u32 + 1).to_be_bytes())
        .expect("length");
    assert!(read_frame(&mut huge).is_none(), "closed without an answer");
    // A good hello, then garbage.
    let mut later = UnixStream::connect(&server.socket).expect("connect");
    write_frame(&mut later, &hello(PROTOCOL, Some("li.wei")));
    assert!(matches!(
        read_frame(&mut later),
        Some(ServerMsg::Welcome(_))
    ));
    write_frame(&mut later, b"{\"Job\": 42}");
    assert!(read_frame(&mut later).is_none(), "closed without an answer");
    // The server carries on, and said why in its log.
    let out = through(
        &server.socket,
        &[
            "--as", "li.wei", "--today", TODAY, "case", "list", "--limit", "1",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let log = std::fs::read_to_string(&server.log).expect("log");
    assert!(log.contains("malformed"), "{log}");
}

#[test]
fn declared_identities_need_a_trusting_server_even_on_a_demo_store() {
    let (dir, db) = demo();
    let socket = dir.path().join("strict.sock");
    let server = served::spawn(&db, &socket, &dir.path().join("strict.log"), &[]);
    let as_other = through(&socket, &["--as", "li.wei", "case", "list"]);
    let today = through(&socket, &["--today", TODAY, "case", "list"]);
    let own = through(&socket, &["case", "list", "--limit", "1"]);
    drop(server);
    assert_eq!(as_other.status.code(), Some(3), "{as_other:?}");
    let said = String::from_utf8_lossy(&as_other.stderr);
    assert!(said.contains("this server acts as your login"), "{said}");
    assert_eq!(today.status.code(), Some(3), "{today:?}");
    // The demo made the test's own login an admin: it may act as itself.
    assert!(own.status.success(), "{own:?}");
}

#[test]
fn someone_not_an_active_user_is_refused_at_connect_by_name() {
    let (_dir, db) = demo();
    let server = served::start(&db);
    let out = through(&server.socket, &["--as", "nobody.here", "case", "list"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("nobody.here"), "{said}");
    assert_eq!(said.lines().count(), 1, "one line: {said}");
}

#[test]
fn an_unreachable_server_is_one_line_naming_the_socket_exit_1() {
    let dir = TempDir::new().expect("temp dir");
    let socket = dir.path().join("nobody-home.sock");
    let out = through(&socket, &["case", "list"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains(socket.to_str().expect("utf-8")), "{said}");
    assert!(said.contains("permitdesk serve"), "what to check: {said}");
}

#[test]
fn a_console_hears_of_another_persons_commit_without_asking() {
    let (_dir, db) = demo();
    let server = served::start(&db);
    let mut console = UnixStream::connect(&server.socket).expect("connect");
    console
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write_frame(&mut console, &hello(PROTOCOL, Some("li.wei")));
    assert!(matches!(
        read_frame(&mut console),
        Some(ServerMsg::Welcome(_))
    ));
    let job = serde_json::to_vec(&ClientMsg::Job(Box::new(
        permitdesk::console::worker::Job::Assignees,
    )))
    .expect("json");
    write_frame(&mut console, &job);
    assert!(matches!(
        read_frame(&mut console),
        Some(ServerMsg::Reply(_))
    ));
    // Someone else claims a case through the server.
    let list = through(
        &server.socket,
        &[
            "--as",
            "chen.yu",
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
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    let case_no = rows[0]["case_no"].as_str().expect("a case").to_string();
    let claim = through(
        &server.socket,
        &[
            "--as", "chen.yu", "--today", TODAY, "case", "claim", &case_no,
        ],
    );
    assert!(claim.status.success(), "{claim:?}");
    match read_frame(&mut console) {
        Some(ServerMsg::Changed { cases, .. }) => {
            assert!(cases.contains(&case_no), "{cases:?} names {case_no}")
        }
        other => panic!("expected news of the claim, got {other:?}"),
    }
}

#[test]
fn sync_through_the_server_takes_a_pass_of_its_own_spool() {
    let (dir, db) = demo();
    let spool = dir.path().join("spool");
    std::fs::create_dir_all(spool.join("inbox")).expect("inbox");
    for batch in [
        "2026-01-12T0900-submissions.jsonl",
        "2026-01-13T0900-updates.jsonl",
    ] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("assets/sync")
                .join(batch),
            spool.join("inbox").join(batch),
        )
        .expect("copy a batch");
    }
    let socket = dir.path().join("spool.sock");
    let mut server = pd()
        .arg("--db")
        .arg(&db)
        .args([
            "serve",
            "--trust-declared-user",
            "--interval",
            "3600",
            "--group",
        ])
        .arg(served::own_group())
        .arg("--socket")
        .arg(&socket)
        .arg("--spool")
        .arg(&spool)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let up = (0..500).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        UnixStream::connect(&socket).is_ok()
    });
    assert!(up, "the server listens");
    // The watcher's first pass and the one asked for here take turns; either way every batch is
    // applied once and archived.
    let asked = through(&socket, &["--as", "admin", "--today", TODAY, "sync"]);
    let refused = through(&socket, &["--as", "li.wei", "--today", TODAY, "sync"]);
    let elsewhere = through(
        &socket,
        &[
            "--as",
            "admin",
            "--today",
            TODAY,
            "sync",
            "--spool",
            "/somewhere/else",
        ],
    );
    let found = through(
        &socket,
        &[
            "--as", "li.wei", "--today", TODAY, "case", "list", "--search", "UP2026",
        ],
    );
    let _ = server.kill();
    let _ = server.wait();
    assert!(asked.status.success(), "{asked:?}");
    assert_eq!(refused.status.code(), Some(3), "{refused:?}");
    assert_eq!(elsewhere.status.code(), Some(2), "{elsewhere:?}");
    assert!(
        String::from_utf8_lossy(&found.stdout).contains("UP2026-"),
        "{found:?}"
    );
    let archived = std::fs::read_dir(spool.join("archive"))
        .expect("archive")
        .count();
    assert_eq!(archived, 2, "both batches archived");
    assert!(
        spool.join(".permitdesk-store").exists(),
        "the spool is bound"
    );
}

#[test]
fn sigterm_closes_idle_consoles_with_a_reason_and_the_server_exits_cleanly() {
    let (dir, db) = demo();
    let socket = dir.path().join("term.sock");
    let mut server = served::spawn(
        &db,
        &socket,
        &dir.path().join("term.log"),
        &["--trust-declared-user"],
    );
    let mut console = UnixStream::connect(&socket).expect("connect");
    console
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write_frame(&mut console, &hello(PROTOCOL, Some("li.wei")));
    assert!(matches!(
        read_frame(&mut console),
        Some(ServerMsg::Welcome(_))
    ));
    let job = serde_json::to_vec(&ClientMsg::Job(Box::new(
        permitdesk::console::worker::Job::Assignees,
    )))
    .expect("json");
    write_frame(&mut console, &job);
    assert!(matches!(
        read_frame(&mut console),
        Some(ServerMsg::Reply(_))
    ));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.pid() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("SIGTERM");
    match read_frame(&mut console) {
        Some(ServerMsg::Refused { code, message }) => {
            assert_eq!(code, 1);
            assert!(message.contains("stopping"), "{message}");
        }
        other => panic!("expected the server to say it is stopping, got {other:?}"),
    }
    let status = server.wait();
    assert!(status.success(), "{status}");
    assert!(!socket.exists(), "the socket is removed");
}

#[test]
fn doctor_through_the_socket_checks_both_sides() {
    let (dir, db) = demo();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let server = served::start(&db);
    let out = through(
        &server.socket,
        &["--as", "li.wei", "--today", TODAY, "doctor"],
    );
    let said = String::from_utf8_lossy(&out.stdout);
    for line in [
        "ok   the socket is mode 660",
        "ok   the server answers: permitdesk",
        "ok   client and server are the same version",
        "ok   the server says you are li.wei: approver",
        "ok   only the store's owner can read or write its files",
        "ok   journal mode is WAL",
        "ok   you are li.wei: approver",
    ] {
        assert!(said.contains(line), "{line:?} in:\n{said}");
    }
    // --json: one document with both sides' checks.
    let out = through(
        &server.socket,
        &["--as", "li.wei", "--today", TODAY, "--json", "doctor"],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let texts: Vec<&str> = doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["text"].as_str())
        .collect();
    assert!(
        texts.iter().any(|t| t.starts_with("the server answers")),
        "{texts:?}"
    );
    assert!(texts.contains(&"journal mode is WAL"), "{texts:?}");
    let fixes = doc["fixes"].as_u64().expect("fixes");
    assert_eq!(
        out.status.code(),
        Some(if fixes == 0 { 0 } else { 1 }),
        "{out:?}"
    );
}

#[test]
fn peer_text_in_a_malformed_message_reaches_the_log_as_one_inert_line() {
    let (_dir, db) = demo();
    let server = served::start(&db);
    let mut stream = UnixStream::connect(&server.socket).expect("connect");
    write_frame(
        &mut stream,
        b"{\"X\\n2026-12-04T17:20:00Z  INFO FORGED connected login=admin\": {}}",
    );
    assert!(read_frame(&mut stream).is_none(), "closed");
    // The log line is written before the next connection is served.
    let out = through(
        &server.socket,
        &["--as", "li.wei", "--today", TODAY, "case", "list"],
    );
    assert!(out.status.success(), "{out:?}");
    let log = std::fs::read_to_string(&server.log).expect("log");
    assert!(log.contains("malformed"), "{log}");
    assert!(
        !log.lines()
            .any(|l| l.contains("INFO FORGED") && !l.contains("malformed")),
        "a forged line:\n{log}"
    );
}

#[test]
fn too_many_connections_from_one_person_are_refused_and_the_rest_go_on() {
    let (_dir, db) = demo();
    let server = served::start(&db);
    // Each holds its place for sure once the server has welcomed it.
    let held: Vec<UnixStream> = (0..64)
        .map(|_| {
            let mut stream = UnixStream::connect(&server.socket).expect("connect");
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .expect("timeout");
            write_frame(&mut stream, &hello(PROTOCOL, Some("li.wei")));
            assert!(matches!(
                read_frame(&mut stream),
                Some(ServerMsg::Welcome(_))
            ));
            stream
        })
        .collect();
    let mut extra = UnixStream::connect(&server.socket).expect("connect");
    extra
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    match read_frame(&mut extra) {
        Some(ServerMsg::Refused { code, message }) => {
            assert_eq!(code, 1);
            assert!(message.contains("too many connections"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    drop(held);
    let out = (0..100).find_map(|_| {
        std::thread::sleep(Duration::from_millis(20));
        let out = through(
            &server.socket,
            &["--as", "li.wei", "--today", TODAY, "case", "list"],
        );
        out.status.success().then_some(out)
    });
    assert!(out.is_some(), "once they close, the person is served again");
}

#[test]
fn a_console_session_cannot_ask_for_unbounded_work() {
    use permitdesk::console::worker::{Job, Reply};
    let (_dir, db) = demo();
    let server = served::start(&db);
    let mut session = permitdesk::remote::client::BlockingSession::connect(
        &server.socket,
        Some("li.wei"),
        Some(TODAY),
    )
    .expect("connect");
    let request = |n: usize| permitdesk::store::Request {
        case_no: format!("NOPE-{n}"),
        user: "li.wei".into(),
        action: permitdesk::domain::Action::Claim,
        expect_version: None,
        expect_stage: None,
        today: None,
    };
    let bulk = Job::Bulk {
        requests: (0..1001).map(request).collect(),
    };
    match session.execute(bulk).expect("a reply") {
        Reply::Failed(message) => assert!(message.contains("at most 1000"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let long = Job::SaveDraft {
        user: "li.wei".into(),
        case_no: "GZ2026-000001".into(),
        action: permitdesk::domain::ActionKind::Return,
        text: "x".repeat(5000),
    };
    assert!(matches!(
        session.execute(long).expect("a reply"),
        Reply::Failed(_)
    ));
    let nowhere = Job::SaveDraft {
        user: "li.wei".into(),
        case_no: "NOPE-1".into(),
        action: permitdesk::domain::ActionKind::Return,
        text: "a reason".into(),
    };
    assert!(matches!(
        session.execute(nowhere).expect("a reply"),
        Reply::Failed(_)
    ));
}

#[test]
fn serve_refuses_a_socket_directory_others_may_write() {
    use std::os::unix::fs::PermissionsExt as _;
    let (dir, db) = demo();
    let open = dir.path().join("open");
    std::fs::create_dir(&open).expect("dir");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let out = pd()
        .arg("--db")
        .arg(&db)
        .args(["serve", "--group", &served::own_group(), "--socket"])
        .arg(open.join("pd.sock"))
        .output()
        .expect("serve");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("may be written by others"), "{said}");
    assert!(!open.join("pd.sock").exists());
}
