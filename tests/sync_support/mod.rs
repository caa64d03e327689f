//! Helpers shared by the sync tests: the real binary against a temporary store and spool.
#![allow(dead_code)]

use assert_cmd::Command;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

pub const TODAY: &str = "2026-11-26";

pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("permitdesk")
}

pub fn clean(cmd: &mut std::process::Command, db: &Path) {
    for var in [
        "PERMITDESK_DB",
        "PERMITDESK_USER",
        "PERMITDESK_TODAY",
        "PERMITDESK_LANG",
        "PERMITDESK_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("XDG_CONFIG_HOME", db.parent().expect("dir"));
    cmd.arg("--db").arg(db);
}

pub fn pd(db: &Path) -> Command {
    let mut std_cmd = std::process::Command::new(bin());
    clean(&mut std_cmd, db);
    Command::from_std(std_cmd)
}

/// A trusting store (so `--as` and `--today` work) with the OS login as admin, plus an approver
/// and a supervisor.
pub fn store() -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("s.db");
    pd(&db)
        .args(["init", "--trust-declared-user"])
        .assert()
        .success();
    for (name, role) in [("li.wei", "approver"), ("wang.fang", "supervisor")] {
        pd(&db)
            .args(["user", "add", name, "--role", role])
            .assert()
            .success();
    }
    let spool = dir.path().join("spool");
    std::fs::create_dir_all(spool.join("inbox")).expect("inbox");
    (dir, db, spool)
}

pub fn sync(db: &Path, spool: &Path) -> Command {
    let mut cmd = pd(db);
    cmd.args(["--today", TODAY, "sync", "--spool"]).arg(spool);
    cmd
}

pub fn read(db: &Path) -> Connection {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    conn
}

pub fn scalar(db: &Path, sql: &str) -> i64 {
    read(db).query_row(sql, [], |r| r.get(0)).expect(sql)
}

pub fn submitted(case_no: &str, version: i64) -> Value {
    json!({
        "event": "submitted", "case_no": case_no, "upstream_version": version,
        "at": "2026-11-20T09:00:00+08:00", "kind": "overseas_new", "category": "B",
        "applicant": {"name": "SMITH JOHN", "passport_no": "E12345678", "nationality": "GBR"},
        "employer": {"name": "Guangzhou Example Co", "uscc": "91440101MA5CQ7H2XC"}
    })
}

pub fn event(kind: &str, case_no: &str, version: i64, extra: Value) -> Value {
    let mut v = json!({
        "event": kind, "case_no": case_no, "upstream_version": version,
        "at": "2026-11-21T09:00:00+08:00"
    });
    if let (Some(obj), Some(more)) = (v.as_object_mut(), extra.as_object()) {
        obj.extend(more.clone());
    }
    v
}

pub fn write_batch(spool: &Path, name: &str, lines: &[Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(spool.join("inbox").join(name), text).expect("batch");
}

pub fn show(db: &Path, case_no: &str) -> Value {
    let out = pd(db)
        .args(["--today", TODAY, "--json", "case", "show", case_no])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
