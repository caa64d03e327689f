//! Faults an operator meets on a shared server, against the real binary: SIGKILL in the middle of
//! a stream of actions, of an import and of a demo build; a full store; a store locked by another
//! writer; a store this process may not write (file or directory); damaged, foreign and newer
//! files; and a panic, which must leave a crash report and a usable terminal.
//!
//! The SIGKILL of a running `sync` is proven by tests/sync.rs
//! (`sigkill_at_random_points_still_applies_every_event_exactly_once`) and is not repeated here.
//!
//! Kill points are random; the seed is printed and `PERMITDESK_FAULT_SEED` replays it. What is
//! asserted holds for every kill point. Tests that need tmux, stty or setpriv skip without them,
//! except under CI=true (see tests/support).

mod support;

use permitdesk::domain::{Action, Calendar};
use permitdesk::store::{Request, Store};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{BIN, Tmux, json as run_json, pd, poll, run_ok};
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";
const STEP: Duration = Duration::from_secs(15);
/// The environment variables that make `zz_child_looping_actions` act (it is a no-op otherwise).
const CHILD_DB: &str = "PERMITDESK_FAULT_CHILD_DB";
const CHILD_CASES: &str = "PERMITDESK_FAULT_CHILD_CASES";

fn today() -> chrono::NaiveDate {
    TODAY.parse().expect("date")
}

fn rng() -> fastrand::Rng {
    let seed = std::env::var("PERMITDESK_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261126);
    eprintln!("fault seed {seed} (PERMITDESK_FAULT_SEED replays it)");
    fastrand::Rng::with_seed(seed)
}

fn demo(dir: &Path, cases: u32) -> PathBuf {
    let db = dir.join("demo.db");
    run_ok(pd(&db).args([
        "demo",
        "--cases",
        &cases.to_string(),
        "--seed",
        "5",
        "--no-tui",
        "--today",
        TODAY,
    ]));
    db
}

fn cli(db: &Path, user: &str) -> Command {
    let mut cmd = pd(db);
    cmd.args(["--as", user, "--today", TODAY]);
    cmd
}

/// `check` through the binary: exit 0 and "ok".
fn assert_check_passes(db: &Path) {
    let out = cli(db, "admin").arg("check").output().expect("check");
    assert!(
        out.status.success(),
        "check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn scalar(db: &Path, sql: &str) -> i64 {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

/// True while another connection holds the store's write lock (`BEGIN IMMEDIATE` is refused at
/// once). Opens without creating, so probing a file that is not there yet changes nothing.
fn writer_active(db: &Path) -> bool {
    let Ok(conn) = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE) else {
        return false;
    };
    let _ = conn.busy_timeout(Duration::ZERO);
    match conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
        Err(e) => matches!(
            e.sqlite_error_code(),
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked)
        ),
        Ok(()) => false,
    }
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Up to `n` unclaimed pre-audit cases (at least one).
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
        .map(|r| r["case_no"].as_str().expect("case_no").to_string())
        .take(n)
        .collect();
    assert!(
        !found.is_empty(),
        "the demo store has an unclaimed pre-audit case"
    );
    found
}

/// Not a test of its own: the child process of
/// `sigkill_during_a_stream_of_actions_leaves_each_action_whole`, which runs this test binary
/// with `CHILD_DB` set. It claims, notes and releases cases as li.wei as fast as it can and prints
/// each committed action's audit sequence number, until it is killed.
#[test]
fn zz_child_looping_actions() {
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
            Some("li.wei") if i % 2 == 0 => Action::Note {
                text: format!("loop note {i}"),
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
        writeln!(out, "committed {}", outcome.seq).expect("print");
        out.flush().expect("flush");
    }
}

#[test]
fn sigkill_during_a_stream_of_actions_leaves_each_action_whole() {
    let mut rng = rng();
    let dir = TempDir::new().expect("dir");
    let db = demo(dir.path(), 120);
    let cases = unclaimed_pre_audit(&db, 4).join(",");
    let exe = std::env::current_exe().expect("test binary");
    let mut after_kill = Vec::new();
    for round in 0..6 {
        let before = scalar(&db, "SELECT coalesce(max(seq), 0) FROM events");
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "zz_child_looping_actions",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DB, &db)
            .env(CHILD_CASES, &cases)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the looping child");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let target = rng.usize(1..40);
        let mut last_printed = before;
        let mut seen = 0;
        while seen < target {
            let Some(line) = lines.next().and_then(Result::ok) else {
                let _ = child.kill();
                let out = child.wait_with_output().expect("child output");
                panic!("the child stopped early:\n{}", stderr_of(&out))
            };
            if let Some(seq) = line.strip_prefix("committed ") {
                last_printed = seq.parse().expect("seq");
                seen += 1;
            }
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        // What the child printed before it died.
        for line in lines.map_while(Result::ok) {
            if let Some(seq) = line.strip_prefix("committed ") {
                last_printed = seq.parse().expect("seq");
            }
        }
        let head = scalar(&db, "SELECT coalesce(max(seq), 0) FROM events");
        assert!(
            head == last_printed || head == last_printed + 1,
            "round {round}: the chain head is {head}, the child last reported {last_printed}: \
             only the one action in flight may be there unreported"
        );
        // Administrative events share the chain's numbers.
        assert_eq!(
            scalar(
                &db,
                "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM admin_events)"
            ),
            head,
            "no gaps in the audit chain"
        );
        after_kill.push(head - last_printed);
        assert_check_passes(&db);
    }
    eprintln!("actions in flight at the kill that committed: {after_kill:?}");
}

fn write_import(path: &Path, prefix: &str, n: usize) {
    let mut text = String::with_capacity(n * 260);
    for i in 0..n {
        let line = json!({
            "case_no": format!("{prefix}-{i:05}"), "kind": "overseas_new", "category": "B",
            "applicant": {"name": "SMITH JOHN", "passport_no": format!("E{i:08}"), "nationality": "GBR"},
            "employer": {"name": "Guangzhou Example Co", "uscc": "91440101MA5CQ7H2XC"}
        });
        text.push_str(&format!("{line}\n"));
    }
    std::fs::write(path, text).expect("import file");
}

/// What an import's own bookkeeping says it applied of the file with this checksum, where the
/// store keeps a progress mark (imports in short transactions); `None` where it does not (one
/// transaction per file).
fn import_mark(db: &Path, checksum: &str) -> Option<i64> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let has_marks: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'import_batches'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    if has_marks == 0 {
        return None;
    }
    Some(
        conn.query_row(
            "SELECT coalesce(sum(applied), 0) FROM import_batches WHERE checksum = ?1",
            [checksum],
            |r| r.get(0),
        )
        .expect("mark"),
    )
}

#[test]
fn sigkill_during_an_import_leaves_whole_transactions_and_a_rerun_completes_it() {
    use sha2::Digest;
    let mut rng = rng();
    let dir = TempDir::new().expect("dir");
    let db = demo(dir.path(), 100);
    let events_before = scalar(&db, "SELECT count(*) FROM events");
    let file = dir.path().join("big.jsonl");
    const N: i64 = 8000;
    write_import(&file, "IMP", N as usize);
    let checksum = hex::encode(sha2::Sha256::digest(std::fs::read(&file).expect("read")));
    let unclaimed_before = unclaimed(&db);
    let mut kills = 0;
    for round in 0..3 {
        let mut child = cli(&db, "admin")
            .arg("import")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn import");
        // Kill while the import holds the write lock: inside one of its transactions.
        let active = poll(Duration::from_secs(60), || {
            if child.try_wait().expect("wait").is_some() {
                return Some(false);
            }
            writer_active(&db).then_some(true)
        });
        if active == Some(true) {
            std::thread::sleep(Duration::from_millis(rng.u64(0..60)));
            kills += 1;
        }
        let _ = child.kill();
        child.wait().expect("reap");
        let imported = scalar(&db, "SELECT count(*) FROM cases WHERE case_no LIKE 'IMP-%'");
        match import_mark(&db, &checksum) {
            // Short transactions: exactly what the progress mark says, no case half-written.
            Some(marked) => assert_eq!(
                imported, marked,
                "round {round}: {imported} cases but the progress mark says {marked}"
            ),
            // One transaction: all or nothing.
            None => assert!(
                imported == 0 || imported == N,
                "round {round}: {imported} of {N} cases from one transaction"
            ),
        }
        assert_eq!(
            scalar(&db, "SELECT count(*) FROM events"),
            events_before + imported,
            "each imported case has exactly its one audit event"
        );
        assert_check_passes(&db);
        if imported == N {
            break;
        }
        if imported > 0 {
            let name = format!(
                "unfinished import batch {}: {imported} of {N} cases",
                file.display()
            );
            for command in ["check", "doctor"] {
                let out = cli(&db, "admin").arg(command).output().expect(command);
                let text = String::from_utf8_lossy(&out.stdout);
                assert!(text.contains(&name), "{command} names the batch:\n{text}");
            }
            assert_import_invisible(&db, &unclaimed_before);
        }
    }
    assert!(kills >= 1, "no import was caught inside a transaction");
    // Running the same file again completes it: every case exactly once.
    if scalar(&db, "SELECT count(*) FROM cases WHERE case_no LIKE 'IMP-%'") < N {
        run_ok(cli(&db, "admin").arg("import").arg(&file));
    }
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM cases WHERE case_no LIKE 'IMP-%'"),
        N
    );
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM events"),
        events_before + N
    );
    assert_check_passes(&db);
    for command in ["check", "doctor"] {
        let out = cli(&db, "admin").arg(command).output().expect(command);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("unfinished"),
            "{command} after the rerun:\n{text}"
        );
    }
}

/// The `unclaimed` figure of `report workload`.
fn unclaimed(db: &Path) -> serde_json::Value {
    let out = cli(db, "admin")
        .args(["report", "workload", "--json"])
        .output()
        .expect("report workload");
    assert!(out.status.success(), "report workload failed");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("workload json");
    report["unclaimed"].clone()
}

/// An unfinished import shows nothing: no queue row, search hit, count or case of the batch.
fn assert_import_invisible(db: &Path, unclaimed_before: &serde_json::Value) {
    for args in [
        &[
            "case", "list", "--queue", "all", "--limit", "10000", "--json",
        ][..],
        &[
            "case",
            "list",
            "--queue",
            "pre-audit",
            "--limit",
            "10000",
            "--json",
        ],
        &["case", "list", "--search", "IMP-00000", "--json"],
        &["export", "--format", "csv"],
    ] {
        let out = cli(db, "admin").args(args).output().expect("list");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?} failed");
        assert!(
            !text.contains("IMP-"),
            "{args:?} shows the unfinished batch"
        );
    }
    let show = cli(db, "admin")
        .args(["case", "show", "IMP-00000"])
        .output()
        .expect("case show");
    assert_eq!(show.status.code(), Some(5), "case show of a hidden case");
    let claim = cli(db, "admin")
        .args(["case", "claim", "IMP-00000"])
        .output()
        .expect("case claim");
    assert_eq!(claim.status.code(), Some(5), "claiming a hidden case");
    assert_eq!(
        &unclaimed(db),
        unclaimed_before,
        "report workload's unclaimed"
    );
}

fn demo_cmd(db: &Path, cases: u32, seed: u32, force: bool) -> Command {
    let mut cmd = pd(db);
    cmd.args([
        "demo",
        "--cases",
        &cases.to_string(),
        "--seed",
        &seed.to_string(),
        "--no-tui",
        "--today",
        TODAY,
    ]);
    if force {
        cmd.arg("--force");
    }
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    cmd
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Starts a demo build and kills it once the `.building` file has grown, at a random moment.
/// Big enough for two of the demo's write transactions (5,000 cases each): its page cache keeps
/// the first one's pages until it commits, and the kill must come after that.
fn kill_a_demo_build(db: &Path, force: bool, rng: &mut fastrand::Rng) {
    let building = sidecar(db, ".building");
    let mut child = demo_cmd(db, 7000, 9, force).spawn().expect("spawn demo");
    let grew = poll(Duration::from_secs(60), || {
        if child.try_wait().expect("wait").is_some() {
            return Some(false);
        }
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        (size(&building) + size(&sidecar(&building, "-wal")) > 256 * 1024).then_some(true)
    });
    assert_eq!(
        grew,
        Some(true),
        "the demo build ended before it could be killed"
    );
    std::thread::sleep(Duration::from_millis(rng.u64(0..200)));
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
}

#[test]
fn sigkill_during_a_demo_build_leaves_the_old_store_or_none() {
    let mut rng = rng();
    let dir = TempDir::new().expect("dir");
    let db = dir.path().join("demo.db");

    // The first build, killed: no store at all (not half of one).
    kill_a_demo_build(&db, false, &mut rng);
    assert!(!db.exists(), "a killed first build leaves no store");
    assert!(sidecar(&db, ".building").exists());

    // A complete build replaces the leftover.
    run_ok(&mut demo_cmd(&db, 120, 5, false));
    assert!(!sidecar(&db, ".building").exists());
    let cases = scalar(&db, "SELECT count(*) FROM cases");
    let head = scalar(&db, "SELECT max(seq) FROM events");
    assert_check_passes(&db);

    // A forced rebuild, killed: the old store, untouched.
    kill_a_demo_build(&db, true, &mut rng);
    assert_eq!(scalar(&db, "SELECT count(*) FROM cases"), cases);
    assert_eq!(scalar(&db, "SELECT max(seq) FROM events"), head);
    assert_check_passes(&db);

    // And a forced rebuild that is left alone completes.
    run_ok(&mut demo_cmd(&db, 130, 6, true));
    assert!(!sidecar(&db, ".building").exists());
    assert_eq!(scalar(&db, "SELECT count(*) FROM cases"), 130);
    assert_check_passes(&db);
}

#[test]
fn a_full_store_says_so_and_writes_nothing_partial() {
    use sha2::Digest;
    let dir = TempDir::new().expect("dir");
    let db = demo(dir.path(), 100);
    let events = scalar(&db, "SELECT count(*) FROM events");
    let cases = scalar(&db, "SELECT count(*) FROM cases");
    let full = format!(
        "permitdesk: {}: the store is full or the disk is full;",
        db.display()
    );

    // PERMITDESK_MAX_PAGES=1: the store may not grow past its present size. One action is one
    // transaction: refused whole.
    let case_no = unclaimed_pre_audit(&db, 1).remove(0);
    // Text that does not pack (payloads are stored compressed): 3,980 scattered ideographs.
    let long_note: String = (0..3980u32)
        .map(|i| {
            char::from_u32(0x4E00 + (i.wrapping_mul(2_654_435_761) >> 7) % 20_000).unwrap_or('备')
        })
        .collect();
    let out = cli(&db, "li.wei")
        .env("PERMITDESK_MAX_PAGES", "1")
        .args(["case", "note", &case_no, "--text", &long_note])
        .output()
        .expect("note");
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(stderr_of(&out), format!("{full} nothing was written\n"));
    assert_eq!(scalar(&db, "SELECT count(*) FROM events"), events);

    // An import: whatever committed before the store filled is whole and marked.
    let file = dir.path().join("more.jsonl");
    write_import(&file, "FULL", 2000);
    let checksum = hex::encode(sha2::Sha256::digest(std::fs::read(&file).expect("read")));
    let out = cli(&db, "admin")
        .env("PERMITDESK_MAX_PAGES", "1")
        .arg("import")
        .arg(&file)
        .output()
        .expect("import");
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(stderr_of(&out).starts_with(&full), "{}", stderr_of(&out));
    let imported = scalar(
        &db,
        "SELECT count(*) FROM cases WHERE case_no LIKE 'FULL-%'",
    );
    assert_eq!(
        imported,
        import_mark(&db, &checksum).unwrap_or(0),
        "cases written without their progress mark"
    );
    assert!(imported < 2000);
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM events"),
        events + imported
    );
    assert_eq!(scalar(&db, "SELECT count(*) FROM cases"), cases + imported);
    assert_check_passes(&db);

    // With room again, the same note and import go through, the import exactly once.
    run_ok(cli(&db, "li.wei").args(["case", "note", &case_no, "--text", &long_note]));
    run_ok(cli(&db, "admin").arg("import").arg(&file));
    assert_eq!(scalar(&db, "SELECT count(*) FROM cases"), cases + 2000);
    assert_check_passes(&db);
}

#[test]
fn a_locked_store_waits_then_says_it_is_busy_and_what_waited() {
    let dir = TempDir::new().expect("dir");
    let db = demo(dir.path(), 100);
    let case_no = unclaimed_pre_audit(&db, 1).remove(0);
    let events = scalar(&db, "SELECT count(*) FROM events");

    let holder = Connection::open(&db).expect("open");
    holder.execute_batch("BEGIN IMMEDIATE").expect("lock");

    // Readers are not held up by a writer (WAL): a read that needed the lock would fail BUSY
    // after the 5 s timeout, since the lock is held until the end of the test.
    run_ok(cli(&db, "li.wei").args(["case", "show", &case_no]));

    let started = Instant::now();
    let out = cli(&db, "li.wei")
        .args(["case", "note", &case_no, "--text", "while locked"])
        .output()
        .expect("note");
    let waited = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(
        stderr_of(&out),
        format!(
            "permitdesk: the store is busy: note on {case_no} waited 5 s for another writer to finish; try again\n"
        )
    );
    assert!(
        waited >= Duration::from_millis(4500),
        "it gave up after {waited:?}, before the 5 s busy timeout"
    );
    holder.execute_batch("ROLLBACK").expect("unlock");
    drop(holder);
    assert_eq!(scalar(&db, "SELECT count(*) FROM events"), events);
    run_ok(cli(&db, "li.wei").args(["case", "note", &case_no, "--text", "after the lock"]));
    assert_check_passes(&db);
}

/// The uid tests run a "someone else" process as: `nobody` when the tests run as root (root may
/// write anything, so only another uid can meet a permission), the test's own user otherwise.
const OTHER_UID: u32 = 65534;

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Makes `dir` (holding the store) and its files belong to the user `as_other` runs as, with
/// these modes. The temporary directory above it is opened for traversal.
fn lock_down(dir: &Path, file_mode: u32, dir_mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    if let Some(parent) = dir.parent() {
        std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if is_root() {
            std::os::unix::fs::chown(&path, Some(OTHER_UID), Some(OTHER_UID)).expect("chown");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(file_mode)).expect("chmod");
    }
    if is_root() {
        std::os::unix::fs::chown(dir, Some(OTHER_UID), Some(OTHER_UID)).expect("chown");
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(dir_mode)).expect("chmod");
}

/// Lets the test's temporary directories be removed again.
fn unlock(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
}

fn as_other(mut cmd: Command) -> Command {
    use std::os::unix::process::CommandExt;
    if is_root() {
        cmd.uid(OTHER_UID).gid(OTHER_UID);
    }
    cmd
}

/// Everything a user does on a store they may read but not write: reads work, each change is
/// refused with 3 naming the store, and the store is unchanged.
fn assert_read_only_behaviour(db: &Path, case_no: &str, import: &Path) {
    let read_only = format!(
        "permitdesk: {}: the store is open read-only (this process may not write the file or its directory);",
        db.display()
    );
    let out = as_other(cli(db, "li.wei"))
        .args(["--json", "case", "show", case_no])
        .output()
        .expect("show");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let shown: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(shown["case_no"], case_no);
    let out = as_other(cli(db, "admin"))
        .arg("check")
        .output()
        .expect("check");
    assert!(
        out.status.success(),
        "check on a read-only store: {}",
        stderr_of(&out)
    );

    for (user, args) in [
        ("li.wei", vec!["case", "claim", case_no]),
        ("li.wei", vec!["case", "note", case_no, "--text", "x"]),
        (
            "admin",
            vec!["user", "add", "new.person", "--role", "viewer"],
        ),
        ("admin", vec!["import", import.to_str().expect("path")]),
    ] {
        let out = as_other(cli(db, user)).args(&args).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?} on a read-only store: {}",
            stderr_of(&out)
        );
        assert!(
            stderr_of(&out).starts_with(&read_only),
            "{args:?}: {}",
            stderr_of(&out)
        );
    }
}

#[test]
fn a_store_file_this_user_may_not_write_opens_read_only() {
    let dir = TempDir::new().expect("dir");
    let store_dir = dir.path().join("store");
    let db = demo(&store_dir, 100);
    let case_no = unclaimed_pre_audit(&db, 1).remove(0);
    let events = scalar(&db, "SELECT count(*) FROM events");
    let import = dir.path().join("one.jsonl");
    write_import(&import, "RO", 1);
    // The file is read-only; the directory is writable (SQLite may create -shm there).
    lock_down(&store_dir, 0o440, 0o750);
    assert_read_only_behaviour(&db, &case_no, &import);
    assert_eq!(scalar(&db, "SELECT count(*) FROM events"), events);
    unlock(&store_dir);
}

#[test]
fn a_store_directory_this_user_may_not_write_opens_read_only_even_without_a_shm_file() {
    let dir = TempDir::new().expect("dir");
    let store_dir = dir.path().join("store");
    let db = demo(&store_dir, 100);
    let case_no = unclaimed_pre_audit(&db, 1).remove(0);
    let events = scalar(&db, "SELECT count(*) FROM events");
    let import = dir.path().join("one.jsonl");
    write_import(&import, "RO", 1);
    // The last connection to close, a writer's, removes the -wal and -shm (`check` only reads,
    // so it runs first).
    assert_check_passes(&db);
    run_ok(cli(&db, "li.wei").args(["case", "list"]));
    assert!(
        !sidecar(&db, "-shm").exists(),
        "the store was closed cleanly: no -shm"
    );
    // Nothing may be created beside the store: SQLite cannot make the -shm a WAL reader needs,
    // so the store is opened immutable.
    lock_down(&store_dir, 0o640, 0o550);
    assert_read_only_behaviour(&db, &case_no, &import);
    // `demo` reusing the store opens it through Store::open, which falls back the same way.
    let out = as_other(cli(&db, "li.wei"))
        .args(["demo", "--no-tui"])
        .output()
        .expect("demo");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(!sidecar(&db, "-shm").exists());
    assert_eq!(scalar_as_root_copy(&db), events);
    unlock(&store_dir);
}

/// Counts events without creating anything beside the store (a copy, read immutable).
fn scalar_as_root_copy(db: &Path) -> i64 {
    let copy = tempfile::NamedTempFile::new().expect("temp");
    std::fs::copy(db, copy.path()).expect("copy");
    scalar(copy.path(), "SELECT count(*) FROM events")
}

#[test]
fn a_read_only_reader_sees_changes_still_in_the_wal() {
    let dir = TempDir::new().expect("dir");
    let store_dir = dir.path().join("store");
    let db = demo(&store_dir, 100);
    let case_no = unclaimed_pre_audit(&db, 1).remove(0);
    // A writer that stays open keeps its changes in the -wal (no checkpoint).
    let mut writer = Store::open(&db, Calendar::embedded()).expect("open");
    writer
        .act(Request {
            case_no: case_no.clone(),
            user: "li.wei".into(),
            action: Action::Note {
                text: "only in the WAL".into(),
            },
            expect_version: None,
            expect_stage: None,
            today: Some(today()),
        })
        .expect("note");
    assert!(std::fs::metadata(sidecar(&db, "-wal")).is_ok_and(|m| m.len() > 0));
    lock_down(&store_dir, 0o644, 0o555);
    let out = as_other(cli(&db, "li.wei"))
        .args(["--json", "case", "show", &case_no])
        .output()
        .expect("show");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let shown: Value = serde_json::from_slice(&out.stdout).expect("json");
    let notes: Vec<&str> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert!(
        notes.contains(&"only in the WAL"),
        "the reader must see the committed note: {notes:?}"
    );
    drop(writer);
    unlock(&store_dir);
}

#[test]
fn a_wal_with_changes_but_no_shm_in_a_read_only_directory_is_refused_clearly() {
    let dir = TempDir::new().expect("dir");
    let source = dir.path().join("source");
    let db = demo(&source, 100);
    let case_no = unclaimed_pre_audit(&db, 1).remove(0);
    let mut writer = Store::open(&db, Calendar::embedded()).expect("open");
    writer
        .act(Request {
            case_no: case_no.clone(),
            user: "li.wei".into(),
            action: Action::Note {
                text: "only in the WAL".into(),
            },
            expect_version: None,
            expect_stage: None,
            today: Some(today()),
        })
        .expect("note");
    // A copy of the store and its -wal, as a crashed writer would leave them, without the -shm.
    let store_dir = dir.path().join("store");
    std::fs::create_dir(&store_dir).expect("dir");
    let copy = store_dir.join("demo.db");
    std::fs::copy(&db, &copy).expect("copy");
    std::fs::copy(sidecar(&db, "-wal"), sidecar(&copy, "-wal")).expect("copy wal");
    drop(writer);
    lock_down(&store_dir, 0o440, 0o550);
    let out = as_other(cli(&copy, "li.wei"))
        .args(["case", "show", &case_no])
        .output()
        .expect("show");
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert_eq!(
        stderr_of(&out),
        format!(
            "permitdesk: {}: cannot be read: its -wal file holds changes not yet in the main file, \
             and this process may not create the -shm file SQLite needs to read them; open the \
             store once as a user who can write its directory\n",
            copy.display()
        )
    );
    unlock(&store_dir);
}

#[test]
fn damaged_foreign_and_newer_files_are_refused_clearly_without_a_panic() {
    let dir = TempDir::new().expect("dir");
    let good = demo(dir.path(), 100);
    let cases = |db: &Path| -> Vec<(&'static str, Vec<String>)> {
        let _ = db;
        vec![
            ("case list", vec!["case".into(), "list".into()]),
            ("check", vec!["check".into()]),
            // No subcommand: the console. The store is opened (and refused) before the terminal
            // is touched, so no terminal is needed to see the refusal.
            ("console", vec![]),
        ]
    };
    let refuse = |db: &Path, expected: &str| {
        let before = std::fs::read(db).expect("read");
        for (what, args) in cases(db) {
            let out = cli(db, "admin").args(&args).output().expect("run");
            let err = stderr_of(&out);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{what} on {}: {err}",
                db.display()
            );
            assert_eq!(
                err,
                format!("permitdesk: {}: {expected}\n", db.display()),
                "{what}"
            );
            assert!(!err.contains("panicked"), "{err}");
        }
        assert!(
            std::fs::read(db).expect("read") == before,
            "{}: a refused file must never be changed",
            db.display()
        );
    };

    let junk = dir.path().join("notes.db");
    std::fs::write(
        &junk,
        "Meeting notes: bring the passport copies.\n".repeat(200),
    )
    .expect("write");
    refuse(
        &junk,
        "not a permitdesk store (the file is not an SQLite database, or it is corrupt)",
    );

    let other = dir.path().join("other.db");
    let conn = Connection::open(&other).expect("open");
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .expect("table");
    drop(conn);
    refuse(
        &other,
        "not a permitdesk store (an SQLite file with other tables)",
    );

    let newer = dir.path().join("newer.db");
    std::fs::copy(&good, &newer).expect("copy");
    let conn = Connection::open(&newer).expect("open");
    conn.pragma_update(None, "user_version", 99).expect("bump");
    drop(conn);
    refuse(
        &newer,
        &format!(
            "made by a newer permitdesk (schema version 99; this one knows up to {}); upgrade permitdesk",
            permitdesk::store::CURRENT_VERSION
        ),
    );

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("write");
    refuse(
        &empty,
        "the file is empty: not a permitdesk store (restore it from a backup, or remove it and run `permitdesk init`)",
    );

    // A store whose pages were overwritten.
    let corrupt = dir.path().join("corrupt.db");
    std::fs::copy(&good, &corrupt).expect("copy");
    let len = std::fs::metadata(&corrupt).expect("meta").len();
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&corrupt)
            .expect("open");
        f.seek(SeekFrom::Start(4096)).expect("seek");
        f.write_all(&vec![0xA5; (len as usize / 2).max(8192)])
            .expect("scribble");
    }
    refuse(
        &corrupt,
        "not a permitdesk store (the database file is corrupt; restore it from a backup)",
    );

    // A store cut short (a failed copy).
    let short = dir.path().join("short.db");
    std::fs::copy(&good, &short).expect("copy");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&short)
        .expect("open")
        .set_len(len / 3)
        .expect("truncate");
    refuse(
        &short,
        "not a permitdesk store (the database file is corrupt; restore it from a backup)",
    );
}

#[test]
fn damage_deep_in_the_store_is_found_by_check() {
    let dir = TempDir::new().expect("dir");
    let db = demo(dir.path(), 100);
    // Flip bytes inside the last page (audit events), leaving the header and schema intact.
    let len = std::fs::metadata(&db).expect("meta").len();
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&db)
            .expect("open");
        f.seek(SeekFrom::Start(len - 4096 + 8)).expect("seek");
        f.write_all(&[0xFF; 64]).expect("scribble");
    }
    let out = cli(&db, "admin").arg("check").output().expect("check");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr_of(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(
        text.contains("PROBLEM: SQLite integrity") || text.contains("corrupt"),
        "{text}"
    );
}

/// `stty -a` of the pane after the program ended: the terminal must be back in cooked mode.
fn assert_cooked(stty: &str) {
    let flags: Vec<&str> = stty.split_whitespace().collect();
    for flag in ["icanon", "echo", "isig"] {
        assert!(
            flags.contains(&flag),
            "{flag} is off after the crash:\n{stty}"
        );
    }
}

fn crash_reports(state: &Path) -> Vec<PathBuf> {
    let dir = state.join("permitdesk");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    found.sort();
    found
}

/// The report exists, is private, names where it happened, and holds no passport number, name
/// or case number from the store.
fn assert_report_is_clean(report: &Path, db: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let text = std::fs::read_to_string(report).expect("report");
    let mode = std::fs::metadata(report)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o077,
        0,
        "the report is readable by others: {mode:o}"
    );
    for needed in [
        "permitdesk crash report",
        "version: ",
        "location: ",
        "backtrace:",
    ] {
        assert!(text.contains(needed), "{needed} missing:\n{text}");
    }
    assert!(!text.contains("E99887766"), "{text}");
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let mut stmt = conn
        .prepare("SELECT passport_no, case_no, applicant_name FROM cases")
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .expect("query");
    for row in rows {
        let (passport, case_no, name) = row.expect("row");
        for data in [&passport, &case_no, &name] {
            assert!(!text.contains(data.as_str()), "the report holds {data}");
        }
    }
}

#[test]
fn a_cli_panic_writes_a_crash_report_without_case_data() {
    let dir = TempDir::new().expect("dir");
    let db = demo(dir.path(), 100);
    let state = dir.path().join("state");
    let out = cli(&db, "li.wei")
        .env("PERMITDESK_TEST_PANIC", "cli")
        .env("XDG_STATE_HOME", &state)
        .args(["case", "list"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(101));
    let reports = crash_reports(&state);
    assert_eq!(reports.len(), 1, "{reports:?}");
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!(
            "permitdesk: crash report written to {}",
            reports[0].display()
        )),
        "{err}"
    );
    assert!(
        !err.contains("E99887766"),
        "stderr is a log under sync --watch: {err}"
    );
    assert_report_is_clean(&reports[0], &db);
}

/// Runs the console in tmux with `PERMITDESK_TEST_PANIC=trigger`, then `stty -a`.
fn console_crash(trigger: &str) {
    let test = format!("console_crash_{trigger}");
    let Some(tools) = support::require(&test, &["tmux", "stty", "sh"], false) else {
        return;
    };
    let dir = TempDir::new().expect("dir");
    let db = demo(dir.path(), 100);
    let state = dir.path().join("state");
    let stty = dir.path().join("stty.txt");
    let tmux = Tmux::new(
        tools.path("tmux"),
        dir.path(),
        &support::unique(&format!("pd-crash-{trigger}-")),
    );
    // A script, so no quoting is shared with tmux's own `sh -c`.
    let script = dir.path().join("crash.sh");
    let mut text = String::from("env");
    for var in support::PERMITDESK_VARS {
        text.push_str(&format!(" -u {var}"));
    }
    text.push_str(&format!(
        " XDG_CONFIG_HOME='{dir}' XDG_STATE_HOME='{state}' LANG=C.UTF-8 PERMITDESK_TEST_PANIC={trigger} \
         '{BIN}' --db '{db}' --as li.wei --today {TODAY} --lang en\n\
         echo \"exit=$?\"\n\
         '{stty_bin}' -a > '{stty_out}'\n\
         echo DONE\n\
         sleep 600\n",
        dir = dir.path().display(),
        state = state.display(),
        db = db.display(),
        stty_bin = tools.path("stty").display(),
        stty_out = stty.display(),
    ));
    std::fs::write(&script, text).expect("script");
    let command = format!("'{}' '{}'", tools.path("sh").display(), script.display());
    tmux.new_session("crash", 100, 30, &command);
    let screen = tmux.wait_for("crash", "the crash to end the console", STEP, |s| {
        s.contains("DONE")
    });
    assert!(screen.contains("exit=101"), "{screen}");
    assert_eq!(
        tmux.format("crash", "#{alternate_on}"),
        "0",
        "the alternate screen was left"
    );
    let reports = crash_reports(&state);
    assert_eq!(reports.len(), 1, "{reports:?}\n{screen}");
    // The message is on the restored screen; tmux may wrap the long path, so join the lines.
    let joined: String = screen.lines().map(str::trim_end).collect();
    assert!(
        joined.contains(&format!("crash report written to {}", reports[0].display())),
        "{screen}"
    );
    assert_cooked(&std::fs::read_to_string(&stty).expect("stty output"));
    assert_report_is_clean(&reports[0], &db);
}

#[test]
fn a_console_panic_restores_the_terminal_and_names_the_report() {
    console_crash("console");
}

#[test]
fn a_panic_in_the_store_worker_ends_the_console_and_restores_the_terminal() {
    console_crash("worker");
}

#[test]
fn a_read_only_store_opens_the_console_read_only_with_a_banner() {
    let tools_needed: &[&str] = if is_root() {
        &["tmux", "setpriv"]
    } else {
        &["tmux"]
    };
    let Some(tools) = support::require("console_read_only", tools_needed, false) else {
        return;
    };
    let dir = TempDir::new().expect("dir");
    let store_dir = dir.path().join("store");
    let db = demo(&store_dir, 100);
    let case_no = unclaimed_pre_audit(&db, 1).remove(0);
    let events = scalar(&db, "SELECT count(*) FROM events");
    lock_down(&store_dir, 0o440, 0o550);
    let tmux = Tmux::new(tools.path("tmux"), dir.path(), &support::unique("pd-ro-"));
    let mut shell = String::from("exec env");
    for var in support::PERMITDESK_VARS {
        shell.push_str(&format!(" -u {var}"));
    }
    shell.push_str(" XDG_CONFIG_HOME=/nonexistent LANG=C.UTF-8 HOME=/nonexistent");
    if is_root() {
        shell.push_str(&format!(
            " '{}' --reuid={OTHER_UID} --regid={OTHER_UID} --clear-groups",
            tools.path("setpriv").display()
        ));
    }
    shell.push_str(&format!(
        " '{BIN}' --db '{}' --as li.wei --today {TODAY} --lang en",
        db.display()
    ));
    tmux.new_session("ro", 120, 30, &shell);
    let screen = tmux.wait_for("ro", "the read-only console", STEP, |s| {
        s.contains("li.wei (") && s.contains("READ-ONLY")
    });
    assert!(!screen.contains("LIVE"), "{screen}");
    // Claiming is refused in words; nothing changes.
    tmux.keys("ro", &["2"]);
    tmux.wait_text("ro", "Pre-audit:", STEP);
    tmux.keys("ro", &["c"]);
    let screen = tmux.wait_text("ro", "read-only", STEP);
    tmux.keys("ro", &["q"]);
    assert_eq!(scalar_as_root_copy(&db), events, "{screen}");
    let _ = case_no;
    unlock(&store_dir);
}
