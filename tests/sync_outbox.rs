//! The outbox and `--watch`: local decisions go upstream once each, numbered without gaps, across
//! kills and restarts; the watcher logs one line per batch.

mod sync_support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use sync_support::*;
use tempfile::TempDir;

/// Every outbox line, in file-name order, after checking each file's chain-head trailer.
fn outbox_lines(spool: &Path) -> Vec<Value> {
    let dir = spool.join("outbox");
    let mut lines = Vec::new();
    for name in names(&dir) {
        assert!(
            !name.starts_with('.'),
            "a temporary file was left behind: {name}"
        );
        let text = std::fs::read_to_string(dir.join(&name)).expect("outbox file");
        let mut values: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        let head = values.pop().expect("trailer");
        assert!(
            head["chain_head"]["seq"].as_i64().is_some(),
            "{name}: {head}"
        );
        assert_eq!(head["chain_head"]["hmac"].as_str().map(str::len), Some(64));
        let first = values
            .first()
            .and_then(|v| v["outbox_seq"].as_i64())
            .expect("first");
        let last = values
            .last()
            .and_then(|v| v["outbox_seq"].as_i64())
            .expect("last");
        assert_eq!(name, format!("permitdesk-{first:012}-{last:012}.jsonl"));
        lines.extend(values);
    }
    lines
}

const LOCAL_DECISIONS: &str = "SELECT count(*) FROM events WHERE actor <> 'system' AND action IN \
     ('approve', 'return', 'refuse', 'not_accept', 'send_back', 'withdraw', 'resubmit', \
     'record_entry', 'correct_entry', 'verify', 'lapse', 'reopen', 'extend')";

fn assert_gap_free(db: &Path, spool: &Path) {
    let lines = outbox_lines(spool);
    let seqs: Vec<i64> = lines
        .iter()
        .filter_map(|l| l["outbox_seq"].as_i64())
        .collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "outbox sequence has a gap or repeat"
    );
    let audit: Vec<i64> = lines
        .iter()
        .filter_map(|l| l["audit_seq"].as_i64())
        .collect();
    assert!(audit.windows(2).all(|w| w[0] < w[1]), "not in commit order");
    assert_eq!(
        seqs.len() as i64,
        scalar(db, LOCAL_DECISIONS),
        "a decision is missing or doubled"
    );
}

#[test]
fn outbox_sequence_is_gap_free_across_restarts_and_kills() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("demo.db");
    pd(&db)
        .args([
            "demo", "--cases", "1500", "--seed", "11", "--no-tui", "--today", TODAY,
        ])
        .assert()
        .success();
    let spool = dir.path().join("spool");
    std::fs::create_dir_all(&spool).expect("spool");
    let mut rng = fastrand::Rng::with_seed(42);
    for _ in 0..6 {
        let mut cmd = std::process::Command::new(bin());
        clean(&mut cmd, &db);
        cmd.args(["--as", "admin", "--today", TODAY, "sync", "--spool"])
            .arg(&spool)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("spawn");
        std::thread::sleep(Duration::from_millis(rng.u64(20..400)));
        let _ = child.kill();
        child.wait().expect("reap");
    }
    pd(&db)
        .args(["--as", "admin", "--today", TODAY, "sync", "--spool"])
        .arg(&spool)
        .assert()
        .success();
    assert_gap_free(&db, &spool);
    let before = outbox_lines(&spool).len();

    // New local decisions later go out numbered after the last, and only they do.
    let case = {
        let out = pd(&db)
            .args([
                "--as",
                "li.wei",
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
            ])
            .output()
            .expect("list");
        let rows: Value = serde_json::from_slice(&out.stdout).expect("json");
        rows[0]["case_no"].as_str().expect("case").to_string()
    };
    for args in [
        vec!["claim", &case],
        vec!["approve", &case],
        vec!["note", &case, "--text", "fine"],
    ] {
        pd(&db)
            .args(["--as", "li.wei", "--today", TODAY, "case"])
            .args(&args)
            .assert()
            .success();
    }
    pd(&db)
        .args(["--as", "admin", "--today", TODAY, "sync", "--spool"])
        .arg(&spool)
        .assert()
        .success()
        .stdout(predicates::str::contains("(1 decision(s)"));
    assert_gap_free(&db, &spool);
    let lines = outbox_lines(&spool);
    assert_eq!(lines.len(), before + 1);
    let last = lines.last().expect("line");
    assert_eq!(last["event"]["case_no"], case.as_str());
    assert_eq!(last["event"]["action"], "approve");
    assert_eq!(last["case"]["stage"], "review");
}

#[test]
fn a_file_written_but_not_recorded_is_rewritten_identically() {
    use permitdesk::domain::Calendar;
    use permitdesk::store::Store;
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("demo.db");
    pd(&db)
        .args([
            "demo", "--cases", "200", "--seed", "3", "--no-tui", "--today", TODAY,
        ])
        .assert()
        .success();
    let spool = dir.path().join("spool");
    std::fs::create_dir_all(spool.join("outbox")).expect("spool");
    // Plan and write a file, then "crash" before recording it as written.
    let (name, bytes) = {
        let mut store = Store::open(&db, Calendar::embedded()).expect("store");
        let file = store
            .plan_outbox_file("admin", 50, None)
            .expect("plan")
            .expect("something to send");
        let bytes = permitdesk::sync::outbox::render(&store, &file).expect("render");
        std::fs::write(spool.join("outbox").join(&file.name), &bytes).expect("write");
        (file.name, bytes)
    };
    pd(&db)
        .args(["--as", "admin", "--today", TODAY, "sync", "--spool"])
        .arg(&spool)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(spool.join("outbox").join(&name)).expect("file"),
        bytes
    );
    assert!(name.ends_with("-000000000050.jsonl"));
    assert_gap_free(&db, &spool);
}

#[test]
fn watch_logs_one_line_per_batch() {
    let (_dir, db, spool) = store();
    write_batch(&spool, "001.jsonl", &[submitted("UP-W", 1)]);
    let mut cmd = std::process::Command::new(bin());
    clean(&mut cmd, &db);
    cmd.args([
        "--today",
        TODAY,
        "sync",
        "--watch",
        "--interval",
        "1",
        "--spool",
    ])
    .arg(&spool)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !spool.join("archive/001.jsonl").exists() {
        assert!(
            Instant::now() < deadline,
            "the watcher never applied the batch"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    write_batch(
        &spool,
        "002.jsonl",
        &[event("withdrawn", "UP-W", 2, json!({"reason": "x"}))],
    );
    while !spool.join("archive/002.jsonl").exists() {
        assert!(
            Instant::now() < deadline,
            "the watcher never applied the second batch"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    child.kill().expect("kill");
    let out = child.wait_with_output().expect("output");
    let log = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        lines[0].ends_with(&format!("watching {} every 1 s", spool.display())),
        "{log}"
    );
    let batch_lines: Vec<&&str> = lines.iter().filter(|l| l.contains(".jsonl: ")).collect();
    assert_eq!(batch_lines.len(), 2, "{log}");
    assert!(
        batch_lines[0].contains(" 001.jsonl: applied 1 event(s)"),
        "{log}"
    );
    // Every line starts with a timestamp with its UTC offset.
    for line in &lines {
        let stamp = line.split(' ').next().unwrap_or_default();
        assert!(
            chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
            "{line}"
        );
    }
}
