//! `sync` as an operator runs it: the real binary against a real spool directory, killed with
//! SIGKILL at random points, re-run, and checked against the store afterwards.

mod sync_support;

use rusqlite::OptionalExtension;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use sync_support::*;

/// 100,000 under CI; fewer locally unless PERMITDESK_CRASH_EVENTS says otherwise.
fn crash_events() -> usize {
    if let Some(n) = std::env::var("PERMITDESK_CRASH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        100_000
    } else {
        20_000
    }
}

fn applied_through(db: &Path) -> i64 {
    read(db)
        .query_row(
            "SELECT applied_through FROM sync_batches WHERE name = 'big.jsonl'",
            [],
            |r| r.get(0),
        )
        .optional()
        .expect("mark")
        .unwrap_or(0)
}

#[test]
fn sigkill_at_random_points_still_applies_every_event_exactly_once() {
    let n = crash_events();
    let seed = std::env::var("PERMITDESK_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
                ^ std::process::id() as u64
        });
    eprintln!(
        "crash test: {n} events, seed {seed} (PERMITDESK_CRASH_EVENTS, PERMITDESK_CRASH_SEED)"
    );
    let mut rng = fastrand::Rng::with_seed(seed);
    let (_dir, db, spool) = store();
    let opened = n * 4 / 5;
    let mut text = String::with_capacity(n * 330);
    for i in 0..opened {
        let mut line = submitted(&format!("UP2026-{i:06}"), 1);
        line["applicant"]["passport_no"] = json!(format!("E{i:08}"));
        text.push_str(&format!("{line}\n"));
    }
    for i in 0..(n - opened) {
        let line = event(
            "withdrawn",
            &format!("UP2026-{:06}", i * 4),
            2,
            json!({"reason": "employer withdrew"}),
        );
        text.push_str(&format!("{line}\n"));
    }
    std::fs::write(spool.join("inbox/big.jsonl"), text).expect("batch");
    let started = Instant::now();

    // One kill before anything can have been applied, then kills at random lines.
    let mut kill_points: Vec<i64> = (0..4).map(|_| rng.i64(1..n as i64 - 1)).collect();
    kill_points.sort();
    kill_points.insert(0, 0);
    let mut kills = 0;
    for point in kill_points {
        let mut cmd = std::process::Command::new(bin());
        clean(&mut cmd, &db);
        cmd.args(["--today", TODAY, "sync", "--spool"])
            .arg(&spool)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("spawn sync");
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            if applied_through(&db) >= point {
                if point == 0 {
                    std::thread::sleep(Duration::from_millis(rng.u64(0..200)));
                }
                child.kill().expect("SIGKILL");
                kills += 1;
                break;
            }
            assert!(Instant::now() < deadline, "sync made no progress");
            std::thread::sleep(Duration::from_millis(5));
        }
        child.wait().expect("reap");
        // The mark and the events commit together: the store holds exactly the marked lines.
        let through = applied_through(&db);
        assert_eq!(
            scalar(&db, "SELECT count(*) FROM events"),
            through,
            "events committed without their progress mark, or the reverse (kill at line {point})"
        );
    }
    assert!(kills >= 1);
    let out = sync(&db, &spool).output().expect("final run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("big.jsonl: applied"), "{log}");

    assert_eq!(scalar(&db, "SELECT count(*) FROM events"), n as i64);
    assert_eq!(scalar(&db, "SELECT count(*) FROM cases"), opened as i64);
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM cases WHERE stage = 'withdrawn'"),
        (n - opened) as i64
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT max(k) FROM (SELECT count(*) AS k FROM events GROUP BY case_id)"
        ),
        2
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT applied FROM sync_batches WHERE name = 'big.jsonl' AND status = 'applied'"
        ),
        n as i64
    );
    assert_eq!(names(&spool.join("inbox")), Vec::<String>::new());
    assert_eq!(names(&spool.join("archive")), vec!["big.jsonl"]);
    pd(&db).args(["--today", TODAY, "check"]).assert().success();
    eprintln!(
        "crash test: {kills} kills, {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Idempotent: running again changes nothing.
    sync(&db, &spool)
        .assert()
        .success()
        .stdout("inbox empty; outbox up to date\n");
    assert_eq!(scalar(&db, "SELECT count(*) FROM events"), n as i64);
}

#[test]
fn reruns_are_idempotent_resent_batches_are_duplicates_and_changed_ones_refused() {
    let (_dir, db, spool) = store();
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sync");
    for name in names(&assets) {
        std::fs::copy(assets.join(&name), spool.join("inbox").join(&name)).expect("copy");
    }
    sync(&db, &spool)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "2026-01-12T0900-submissions.jsonl: applied 6 event(s), 0 duplicate(s) skipped, 0 conflict(s)",
        ))
        .stdout(predicates::str::contains(
            "2026-01-13T0900-updates.jsonl: applied 1 event(s), 1 duplicate(s) skipped, 0 conflict(s)",
        ));
    let events = scalar(&db, "SELECT count(*) FROM events");
    assert_eq!(events, 7);
    assert_eq!(show(&db, "UP2026-000006")["stage"], "withdrawn");
    sync(&db, &spool)
        .assert()
        .success()
        .stdout("inbox empty; outbox up to date\n");

    // The same batch again: archived again as a duplicate, nothing applied, exit 0.
    let name = "2026-01-12T0900-submissions.jsonl";
    std::fs::copy(assets.join(name), spool.join("inbox").join(name)).expect("copy");
    sync(&db, &spool).assert().success().stdout(format!(
        "{name}: already applied (same checksum); archived again as a duplicate\n"
    ));
    assert_eq!(names(&spool.join("inbox")), Vec::<String>::new());

    // Same name, other content: refused (6) and left in the inbox.
    write_batch(&spool, name, &[submitted("UP2026-000099", 1)]);
    sync(&db, &spool)
        .assert()
        .code(6)
        .stdout(predicates::str::contains(format!(
            "{name}: refused: a batch of this name was applied with different content"
        )));
    assert_eq!(names(&spool.join("inbox")), vec![name.to_string()]);
    assert_eq!(scalar(&db, "SELECT count(*) FROM events"), events);

    // Events at or below the case's last upstream version are skipped, in a new batch too.
    write_batch(
        &spool.clone(),
        "zz-resend.jsonl",
        &[event(
            "withdrawn",
            "UP2026-000006",
            2,
            json!({"reason": "again"}),
        )],
    );
    std::fs::remove_file(spool.join("inbox").join(name)).expect("remove");
    sync(&db, &spool)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "zz-resend.jsonl: applied 0 event(s), 1 duplicate(s) skipped, 0 conflict(s)",
        ));
    assert_eq!(scalar(&db, "SELECT count(*) FROM events"), events);
    pd(&db).args(["--today", TODAY, "check"]).assert().success();
}

#[test]
fn a_malformed_batch_changes_nothing_and_holds_back_only_its_cases() {
    let (_dir, db, spool) = store();
    write_batch(
        &spool,
        "001-open.jsonl",
        &[submitted("UP-A", 1), submitted("UP-B", 1)],
    );
    sync(&db, &spool).assert().success();
    let head = scalar(&db, "SELECT max(seq) FROM events");

    let mut bad_case = submitted("UP-C", 1);
    bad_case["employer"]["uscc"] = json!("91440101MA5CQ7H2XD");
    bad_case["applicant"]["birth_date"] = json!("1990-02-30");
    bad_case["applicant"]
        .as_object_mut()
        .expect("object")
        .remove("passport_no");
    let text = format!(
        "{}\n{}\n{{\"event\": \"withdrawn\", \"case_no\": \"UP-A\"\n{}\n",
        event(
            "withdrawn",
            "UP-A",
            2,
            json!({"reason": "employer withdrew"})
        ),
        bad_case,
        event("entry_recorded", "UP-A", 3, json!({"date": "2031-01-01"})),
    );
    std::fs::write(spool.join("inbox/002-bad.jsonl"), text).expect("batch");
    write_batch(
        &spool,
        "003-touches-a.jsonl",
        &[event("withdrawn", "UP-A", 5, json!({"reason": "x"}))],
    );
    sync(&db, &spool)
        .assert()
        .code(6)
        .stderr(predicates::str::contains(
            "002-bad.jsonl:2: applicant.passport_no: is required\n\
             002-bad.jsonl:2: applicant.birth_date: \"1990-02-30\" is not a calendar date\n\
             002-bad.jsonl:2: employer.uscc: unified social credit code 91440101MA5CQ7H2XD: check character should be C, found D\n\
             002-bad.jsonl:3: record: is not JSON: EOF while parsing an object (column 40)\n\
             002-bad.jsonl:4: date: 2031-01-01 is in the future (today is 2026-11-26)\n",
        ))
        .stdout(predicates::str::contains(
            "002-bad.jsonl: refused: 3 bad line(s); nothing applied, left in the inbox",
        ))
        .stdout(predicates::str::contains(
            "003-touches-a.jsonl: waiting: it touches cases of the refused batch 002-bad.jsonl",
        ));
    assert_eq!(scalar(&db, "SELECT max(seq) FROM events"), head);
    assert_eq!(show(&db, "UP-A")["stage"], "pre_audit");

    // Line 3's case number cannot be read, so every later batch waits, even one for UP-B only.
    // Fix the bad batch: the two waiting ones then apply in order.
    write_batch(
        &spool,
        "004-touches-b.jsonl",
        &[event("withdrawn", "UP-B", 2, json!({"reason": "x"}))],
    );
    sync(&db, &spool)
        .assert()
        .code(6)
        .stdout(predicates::str::contains("004-touches-b.jsonl: waiting"));
    assert_eq!(scalar(&db, "SELECT max(seq) FROM events"), head);
    write_batch(
        &spool,
        "002-bad.jsonl",
        &[event(
            "withdrawn",
            "UP-A",
            2,
            json!({"reason": "employer withdrew"}),
        )],
    );
    sync(&db, &spool)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "002-bad.jsonl: applied 1 event(s)",
        ))
        .stdout(predicates::str::contains(
            "003-touches-a.jsonl: applied 0 event(s), 0 duplicate(s) skipped, 1 conflict(s)",
        ))
        .stdout(predicates::str::contains(
            "004-touches-b.jsonl: applied 1 event(s)",
        ));
    assert_eq!(show(&db, "UP-B")["stage"], "withdrawn");
}

#[test]
fn a_bad_batch_whose_cases_are_known_holds_back_only_those_cases() {
    let (_dir, db, spool) = store();
    write_batch(
        &spool,
        "001.jsonl",
        &[submitted("UP-A", 1), submitted("UP-B", 1)],
    );
    sync(&db, &spool).assert().success();
    write_batch(
        &spool,
        "002.jsonl",
        &[event("withdrawn", "UP-A", 2, json!({"reason": ""}))],
    );
    write_batch(
        &spool,
        "003.jsonl",
        &[event("withdrawn", "UP-B", 2, json!({"reason": "x"}))],
    );
    sync(&db, &spool)
        .assert()
        .code(6)
        .stderr("002.jsonl:1: reason: is required\npermitdesk: 1 batch(es) refused; they stay in the inbox (see above)\n")
        .stdout(predicates::str::contains("003.jsonl: applied 1 event(s)"));
    assert_eq!(names(&spool.join("inbox")), vec!["002.jsonl"]);
}

#[test]
fn upstream_events_that_no_longer_fit_become_conflicts_for_a_supervisor() {
    let (_dir, db, spool) = store();
    write_batch(
        &spool,
        "001.jsonl",
        &[submitted("UP-1", 1), submitted("UP-2", 1)],
    );
    sync(&db, &spool).assert().success();
    let act = |user: &str, args: &[&str]| {
        pd(&db)
            .args(["--as", user, "--today", TODAY, "case"])
            .args(args)
            .assert()
            .success();
    };
    // UP-1 goes to decision (a supervisor would sign next); UP-2 is returned for correction.
    act("li.wei", &["claim", "UP-1"]);
    act("li.wei", &["approve", "UP-1"]);
    act("li.wei", &["claim", "UP-1"]);
    act("li.wei", &["approve", "UP-1"]);
    act("li.wei", &["claim", "UP-2"]);
    act(
        "li.wei",
        &["return", "UP-2", "--reason", "1. Passport copy unreadable"],
    );
    write_batch(
        &spool,
        "002.jsonl",
        &[
            event(
                "withdrawn",
                "UP-1",
                2,
                json!({"reason": "employer withdrew"}),
            ),
            event("resubmitted", "UP-1", 3, json!({})),
            event("resubmitted", "UP-2", 2, json!({})),
            submitted("UP-2", 3),
        ],
    );
    sync(&db, &spool)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "002.jsonl: applied 1 event(s), 0 duplicate(s) skipped, 3 conflict(s)",
        ));
    let case = show(&db, "UP-1");
    assert_eq!(case["stage"], "decision");
    let conflicts = case["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 2);
    assert_eq!(conflicts[0]["event"], "withdrawn");
    assert_eq!(
        conflicts[0]["message"],
        "upstream withdraw conflicts with the local stage decision; a supervisor must resolve it"
    );
    assert_eq!(conflicts[0]["batch"], "002.jsonl");
    assert_eq!(conflicts[0]["line"], 1);
    assert_eq!(
        conflicts[1]["message"],
        "resubmit is not possible in stage decision"
    );
    assert!(conflicts[0]["resolved_by"].is_null());
    let notes: Vec<&Value> = case["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "note")
        .collect();
    assert_eq!(
        notes.len(),
        2,
        "each conflict is a system note in the audit history"
    );
    // The returned case went back to the stage it came from, to the approver who held it.
    let up2 = show(&db, "UP-2");
    assert_eq!(up2["stage"], "pre_audit");
    assert_eq!(up2["assignee"], "li.wei");
    assert_eq!(
        up2["conflicts"][0]["message"],
        "a case with this number already exists here (stage pre_audit)"
    );

    // Reports and the dashboard show them: a supervisor needs to find them without `case show`.
    let report = |kind: &str| -> Value {
        let out = pd(&db)
            .args([
                "--as",
                "wang.fang",
                "--today",
                TODAY,
                "--json",
                "report",
                kind,
            ])
            .output()
            .expect("report");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("report JSON")
    };
    let open = report("conflicts");
    let rows = open["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["case_no"], "UP-1");
    assert_eq!(rows[0]["event"], "withdrawn");
    assert_eq!(rows[0]["batch"], "002.jsonl");
    assert_eq!(open["cases"], 2);
    assert_eq!(report("workload")["open_conflicts"], 3);
    let table = pd(&db)
        .args(["--as", "wang.fang", "--today", TODAY, "report", "workload"])
        .output()
        .expect("workload");
    assert!(
        String::from_utf8_lossy(&table.stdout).contains("open upstream conflicts: 3"),
        "{}",
        String::from_utf8_lossy(&table.stdout)
    );
    let store = permitdesk::store::Store::open(&db, permitdesk::domain::Calendar::embedded())
        .expect("store");
    let today = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").expect("today");
    assert_eq!(
        store
            .dashboard(today)
            .expect("dashboard")
            .open_conflict_cases,
        2
    );
    let behind = store
        .figure_cases(&permitdesk::store::Figure::OpenConflicts, today, 10)
        .expect("figure");
    let mut cases: Vec<&str> = behind.rows.iter().map(|r| r.case_no.as_str()).collect();
    cases.sort_unstable();
    assert_eq!((behind.total, cases), (2, vec!["UP-1", "UP-2"]));
    drop(store);

    let id = conflicts[0]["id"].as_i64().expect("id").to_string();
    let resolve = |user: &str| {
        let mut cmd = pd(&db);
        cmd.args([
            "--as",
            user,
            "--today",
            TODAY,
            "case",
            "resolve-conflict",
            "UP-1",
            "--id",
        ])
        .arg(&id)
        .args([
            "--reason",
            "Phoned the employer: they want the decision signed",
        ]);
        cmd
    };
    resolve("li.wei")
        .assert()
        .code(3)
        .stderr(predicates::str::contains(
            "resolving an upstream conflict needs the supervisor role; li.wei holds approver",
        ));
    resolve("wang.fang").assert().success();
    resolve("wang.fang")
        .assert()
        .code(6)
        .stderr(predicates::str::contains(
            "conflict #1 was already resolved by wang.fang",
        ));
    pd(&db)
        .args([
            "--as",
            "wang.fang",
            "--today",
            TODAY,
            "case",
            "resolve-conflict",
            "UP-1",
            "--id",
            "99",
            "--reason",
            "no such conflict",
        ])
        .assert()
        .code(5)
        .stderr(predicates::str::contains(
            "UP-1 has no upstream conflict #99",
        ));
    let case = show(&db, "UP-1");
    assert_eq!(case["conflicts"][0]["resolved_by"], "wang.fang");
    assert_eq!(
        report("conflicts")["rows"].as_array().map(Vec::len),
        Some(2)
    );
    let last = case["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("event");
    assert_eq!(last["role"], "supervisor");
    assert_eq!(
        last["text"],
        "resolved upstream conflict #1: Phoned the employer: they want the decision signed"
    );
    pd(&db).args(["--today", TODAY, "check"]).assert().success();
}

#[test]
fn case_numbers_are_counted_in_characters_not_bytes() {
    let (_dir, db, spool) = store();
    // 14 characters, 42 bytes; and 40 characters, 120 bytes: both within the rule.
    let fourteen = "案件".repeat(7);
    let forty = "案".repeat(40);
    write_batch(
        &spool,
        "001-cjk.jsonl",
        &[submitted(&fourteen, 1), submitted(&forty, 1)],
    );
    sync(&db, &spool)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "001-cjk.jsonl: applied 2 event(s), 0 duplicate(s) skipped, 0 conflict(s)",
        ));
    assert_eq!(show(&db, &fourteen)["stage"], "pre_audit");
    assert_eq!(show(&db, &forty)["stage"], "pre_audit");
    assert_eq!(names(&spool.join("inbox")), Vec::<String>::new());

    // 41 characters: the whole batch is refused, with file, line and field, once.
    let events = scalar(&db, "SELECT count(*) FROM events");
    let too_long = "案".repeat(41);
    write_batch(
        &spool,
        "002-long.jsonl",
        &[submitted("UP-OK", 1), submitted(&too_long, 1)],
    );
    sync(&db, &spool)
        .assert()
        .code(6)
        .stderr(
            "002-long.jsonl:2: case_no: must be 1-40 characters without spaces\n\
             permitdesk: 1 batch(es) refused; they stay in the inbox (see above)\n",
        )
        .stdout(predicates::str::contains(
            "002-long.jsonl: refused: 1 bad line(s); nothing applied, left in the inbox",
        ));
    assert_eq!(scalar(&db, "SELECT count(*) FROM events"), events);
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM cases WHERE case_no = 'UP-OK'"),
        0
    );
    assert_eq!(names(&spool.join("inbox")), vec!["002-long.jsonl"]);
}

#[test]
fn inbox_entries_that_are_not_batches_are_refused_aloud_and_left_in_place() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let (_dir, db, spool) = store();
    let inbox = spool.join("inbox");
    // A name that is not UTF-8 (byte 0xff) and carries an escape sequence.
    let raw = OsStr::from_bytes(b"001-\x1b[2Jbad\xff.jsonl");
    let text = format!("{}\n", submitted("UP-X", 1));
    std::fs::write(inbox.join(raw), text).expect("batch with a non-UTF-8 name");
    write_batch(&spool, "002-other.jsonl", &[submitted("UP-Y", 1)]);
    write_batch(&spool, "003-touches-x.jsonl", &[submitted("UP-X", 1)]);
    let shown = "001-bad\u{FFFD}.jsonl";
    let out = sync(&db, &spool).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stdout}{stderr}");
    assert!(
        !stdout.contains('\x1b') && !stderr.contains('\x1b'),
        "{stdout:?} {stderr:?}"
    );
    assert!(
        stdout.contains(&format!(
            "{shown}: refused: the file name is not valid UTF-8; rename the file to a UTF-8 name \
             ending in .jsonl; nothing applied, left in the inbox"
        )),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "{shown}:0: file: the file name is not valid UTF-8; rename the file to a UTF-8 name ending in .jsonl\n"
        )),
        "{stderr}"
    );
    // Its cases were read: only the batch touching UP-X waits behind it.
    assert!(
        stdout.contains("002-other.jsonl: applied 1 event(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "003-touches-x.jsonl: waiting: it touches cases of the refused batch {shown}"
        )),
        "{stdout}"
    );
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM cases WHERE case_no = 'UP-X'"),
        0
    );
    assert!(inbox.join(raw).is_file(), "left in the inbox");

    // Renamed, it applies, and the waiting batch after it becomes a duplicate.
    std::fs::rename(inbox.join(raw), inbox.join("001-renamed.jsonl")).expect("rename");
    sync(&db, &spool)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "001-renamed.jsonl: applied 1 event(s)",
        ))
        .stdout(predicates::str::contains(
            "003-touches-x.jsonl: applied 0 event(s), 1 duplicate(s) skipped",
        ));
    assert_eq!(show(&db, "UP-X")["stage"], "pre_audit");

    // Not a regular file: refused too, and every later batch waits (its cases are unknown).
    std::fs::create_dir(inbox.join("004-dir.jsonl")).expect("directory");
    write_batch(&spool, "005-later.jsonl", &[submitted("UP-Z", 1)]);
    sync(&db, &spool)
        .assert()
        .code(6)
        .stdout(predicates::str::contains(
            "004-dir.jsonl: refused: is a directory, not a regular file; put the batch file \
             itself in the inbox; nothing applied, left in the inbox",
        ))
        .stdout(predicates::str::contains(
            "005-later.jsonl: waiting: it touches cases of the refused batch 004-dir.jsonl",
        ))
        .stderr(predicates::str::contains(
            "004-dir.jsonl:0: file: is a directory, not a regular file",
        ));
    assert!(inbox.join("004-dir.jsonl").is_dir());
    assert_eq!(
        names(&inbox),
        vec!["004-dir.jsonl".to_string(), "005-later.jsonl".to_string()]
    );
}

/// Issue 16, item 4: upstream names a case in any width or case; an invisible character in a
/// case number refuses the batch.
#[test]
fn look_alike_case_numbers_name_one_case_and_invisible_ones_are_refused() {
    let (_dir, db, spool) = store();
    write_batch(&spool, "001-wide.jsonl", &[submitted("ｕｐ-ｗｉｄｅ-1", 1)]);
    write_batch(
        &spool,
        "002-lower.jsonl",
        &[event(
            "withdrawn",
            "up-wide-1",
            2,
            serde_json::json!({"reason": "asked by the employer"}),
        )],
    );
    sync(&db, &spool)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "002-lower.jsonl: applied 1 event(s), 0 duplicate(s) skipped, 0 conflict(s)",
        ));
    assert_eq!(show(&db, "UP-WIDE-1")["stage"], "withdrawn");
    assert_eq!(scalar(&db, "SELECT count(*) FROM cases"), 1);
    // The same submission again, as ASCII, is the same case: a conflict, not a second case.
    write_batch(&spool, "003-again.jsonl", &[submitted("UP-WIDE-1", 3)]);
    sync(&db, &spool)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "003-again.jsonl: applied 0 event(s), 0 duplicate(s) skipped, 1 conflict(s)",
        ));
    assert_eq!(scalar(&db, "SELECT count(*) FROM cases"), 1);
    let events = scalar(&db, "SELECT count(*) FROM events");
    write_batch(
        &spool,
        "004-hidden.jsonl",
        &[submitted("UP-WIDE\u{200D}-2", 1)],
    );
    sync(&db, &spool).assert().code(6).stderr(
        "004-hidden.jsonl:1: case_no: contains an invisible character U+200D at position 8\n\
             permitdesk: 1 batch(es) refused; they stay in the inbox (see above)\n",
    );
    assert_eq!(scalar(&db, "SELECT count(*) FROM events"), events);
    pd(&db).args(["--today", TODAY, "check"]).assert().success();
}

#[test]
fn an_upstream_new_notification_dated_before_the_changeover_day_is_a_bad_line() {
    let (_dir, db, spool) = store();
    let mut early = submitted("UP-NN-1", 1);
    early["kind"] = json!("new_notification");
    early["at"] = json!("2024-11-20T09:00:00+08:00");
    write_batch(&spool, "001-early.jsonl", &[submitted("UP-OK-1", 1), early]);
    sync(&db, &spool)
        .assert()
        .code(6)
        .stderr(predicates::str::contains(
            "001-early.jsonl:2: kind: new_notification cases exist only from the card \
             integration's changeover day 2024-12-01 (FAQ Q9, Q10); this submission is dated \
             2024-11-20\n",
        ))
        .stdout(predicates::str::contains(
            "001-early.jsonl: refused: 1 bad line(s); nothing applied, left in the inbox",
        ));
    assert_eq!(scalar(&db, "SELECT count(*) FROM cases"), 0);
}

#[test]
fn an_upstream_case_about_an_existing_permit_carries_it() {
    let (_dir, db, spool) = store();
    let mut exchange = submitted("UP-EC-1", 1);
    exchange["kind"] = json!("e_certificate");
    exchange["permit"] =
        json!({"permit_no": "440100202300000123", "expires_on": "2026-11-01", "collected": true});
    let mut bare = submitted("UP-EX-1", 1);
    bare["kind"] = json!("extension");
    write_batch(&spool, "001-permits.jsonl", &[exchange.clone(), bare]);
    sync(&db, &spool)
        .assert()
        .code(6)
        .stderr(predicates::str::contains(
            "001-permits.jsonl:2: permit: an extension case concerns a permit the applicant \
             holds: give permit.permit_no and permit.expires_on\n",
        ));
    std::fs::remove_file(spool.join("inbox/001-permits.jsonl")).expect("remove");
    write_batch(&spool, "002-permits.jsonl", &[exchange]);
    sync(&db, &spool).assert().success();
    let shown = show(&db, "UP-EC-1");
    assert_eq!(shown["stage"], "pre_audit");
    assert_eq!(shown["permit_no"], "440100202300000123");
    // Expired on 11-01, before the submission of 11-20: shown, and not to be accepted.
    assert_eq!(shown["e_certificate_barred_since"], "2026-11-01", "{shown}");
}
