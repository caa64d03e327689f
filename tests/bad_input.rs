//! The bad-input corpus: every file in `tests/corpus/import/` is imported, and every batch in
//! `tests/corpus/spool/` synced, by the real binary, and what it prints (exit code, stdout,
//! stderr) must equal the file's sidecar `NAME.expected` exactly. Malformed input must be
//! refused whole, line by line, in words, with nothing applied; tolerated input (a BOM, CRLF)
//! must apply. Inputs too big to keep in the repository (a 10 MB line) are made here.
//!
//! After a deliberate change of a message, `PERMITDESK_BLESS=1 cargo test --test bad_input`
//! rewrites the sidecars; review the diff.

mod support;

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{BIN, pd, run_ok};
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";

fn corpus(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(kind)
}

fn bless() -> bool {
    std::env::var("PERMITDESK_BLESS").is_ok_and(|v| v == "1")
}

/// A good case line; `case_no` and nothing else varies.
fn good_case(case_no: &str) -> serde_json::Value {
    json!({"case_no": case_no, "kind": "overseas_new", "category": "B",
        "applicant": {"name": "SMITH JOHN", "passport_no": "E12345678", "nationality": "GBR"},
        "employer": {"name": "Guangzhou Example Co", "uscc": "91440101MA5CQ7H2XC"}})
}

/// One JSON line of `bytes_len` bytes: a case whose position is padded out.
fn huge_line(case_no: &str, bytes_len: usize) -> Vec<u8> {
    let mut case = good_case(case_no);
    let base = case.to_string().len() + r#","position":"""#.len();
    case["position"] = json!("x".repeat(bytes_len - base));
    let line = case.to_string().into_bytes();
    assert_eq!(line.len(), bytes_len);
    line
}

/// The inputs made here rather than kept as files.
fn generated(kind: &str) -> Vec<(&'static str, Vec<u8>)> {
    let ten_mb = 10 * 1024 * 1024;
    match kind {
        "import" => {
            let mut bytes = format!("{}\n", good_case("BIG-1")).into_bytes();
            bytes.extend(huge_line("BIG-2", ten_mb));
            bytes.extend(format!("\n{}\n", good_case("BIG-3")).into_bytes());
            vec![("ten-mb-line.jsonl", bytes)]
        }
        _ => {
            let mut line =
                serde_json::from_slice::<serde_json::Value>(&huge_line("SP-BIG", ten_mb))
                    .expect("json");
            let obj = line.as_object_mut().expect("object");
            obj.insert("event".into(), json!("submitted"));
            obj.insert("upstream_version".into(), json!(1));
            obj.insert("at".into(), json!("2026-11-20T09:00:00+08:00"));
            let mut bytes = line.to_string().into_bytes();
            bytes.push(b'\n');
            vec![("ten-mb-line.jsonl", bytes)]
        }
    }
}

/// What a run printed, in the form the sidecars keep.
fn transcript(command: &str, out: &std::process::Output) -> String {
    let stdout = normalise(&String::from_utf8_lossy(&out.stdout));
    let stderr = normalise(&String::from_utf8_lossy(&out.stderr));
    format!(
        "$ {command}\nexit: {}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        out.status.code().unwrap_or(-1)
    )
}

/// Elapsed times (`in 0.0 s`) vary from run to run.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" in ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 4..];
        let number = tail
            .find(" s")
            .filter(|&n| n > 0 && tail[..n].chars().all(|c| c.is_ascii_digit() || c == '.'));
        match number {
            Some(n) => {
                out.push_str(" in T s");
                rest = &tail[n + 2..];
            }
            None => {
                out.push_str(" in ");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every input of a corpus (kept and generated), sorted, copied into `work`.
fn inputs(kind: &str, work: &Path) -> Vec<String> {
    let dir = corpus(kind);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("corpus") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".expected") {
            continue;
        }
        std::fs::copy(dir.join(&name), work.join(&name)).expect("copy");
        names.push(name);
    }
    for (name, bytes) in generated(kind) {
        std::fs::write(work.join(name), bytes).expect("write");
        names.push(name.to_string());
    }
    names.sort();
    // Every sidecar has its input.
    for entry in std::fs::read_dir(&dir).expect("corpus") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(input) = name.strip_suffix(".expected") {
            assert!(
                names.iter().any(|n| n == input),
                "{name} has no input in tests/corpus/{kind}"
            );
        }
    }
    names
}

/// Compares (or with PERMITDESK_BLESS=1 writes) each transcript; reports every mismatch at once.
fn compare(kind: &str, results: Vec<(String, String)>) {
    let dir = corpus(kind);
    let mut mismatches = Vec::new();
    for (name, actual) in results {
        let sidecar = dir.join(format!("{name}.expected"));
        if bless() {
            std::fs::write(&sidecar, &actual).expect("bless");
            continue;
        }
        let expected = std::fs::read_to_string(&sidecar).unwrap_or_else(|_| {
            panic!(
                "{} is missing; write it (PERMITDESK_BLESS=1) and review it. The run printed:\n{actual}",
                sidecar.display()
            )
        });
        if expected != actual {
            mismatches.push(format!(
                "tests/corpus/{kind}/{name}\n--- expected\n{expected}--- actual\n{actual}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}

fn run_in(work: &Path, db: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    for var in support::PERMITDESK_VARS {
        cmd.env_remove(var);
    }
    cmd.current_dir(work)
        .env("XDG_CONFIG_HOME", work)
        .arg("--db")
        .arg(db)
        .args(["--today", TODAY])
        .args(args);
    cmd.output().expect("run")
}

fn events(db: &Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("count")
}

/// A store with the OS login as admin and the cases the corpus refers to as already there.
fn store(work: &Path) -> PathBuf {
    let db = work.join("store.db");
    run_ok(pd(&db).args(["init", "--trust-declared-user"]));
    db
}

#[test]
fn every_malformed_import_is_refused_with_its_exact_messages() {
    let dir = TempDir::new().expect("dir");
    let work = dir.path();
    let db = store(work);
    std::fs::write(
        work.join("seed.jsonl"),
        format!("{}\n", good_case("DUP-EXISTING")),
    )
    .expect("seed");
    run_ok(
        pd(&db)
            .args(["--today", TODAY, "import"])
            .arg(work.join("seed.jsonl")),
    );
    let mut results = Vec::new();
    for name in inputs("import", work) {
        let before = events(&db);
        let out = run_in(work, &db, &["import", &name]);
        let code = out.status.code();
        assert_ne!(
            code,
            Some(101),
            "{name}: a panic:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if code != Some(0) {
            assert_eq!(
                events(&db),
                before,
                "{name}: a refused import changed the store"
            );
        }
        results.push((
            name.clone(),
            transcript(&format!("permitdesk import {name}"), &out),
        ));
    }
    compare("import", results);
    run_ok(pd(&db).args(["--today", TODAY, "check"]));
}

#[test]
fn every_malformed_spool_batch_is_refused_with_its_exact_messages() {
    let dir = TempDir::new().expect("dir");
    let work = dir.path();
    let db = store(work);
    // SP-KNOWN is in the store, so events about it are judged on their own fields.
    let seed = work.join("seed-spool");
    std::fs::create_dir_all(seed.join("inbox")).expect("inbox");
    let mut known = good_case("SP-KNOWN");
    let obj = known.as_object_mut().expect("object");
    obj.insert("event".into(), json!("submitted"));
    obj.insert("upstream_version".into(), json!(1));
    obj.insert("at".into(), json!("2026-11-20T09:00:00+08:00"));
    std::fs::write(seed.join("inbox/seed.jsonl"), format!("{known}\n")).expect("seed");
    run_ok(
        pd(&db)
            .args(["--today", TODAY, "sync", "--spool"])
            .arg(&seed),
    );
    let mut results = Vec::new();
    for name in inputs("spool", work) {
        // Each batch in a spool of its own: a refused batch stays in its inbox and would hold
        // back later batches that touch its cases.
        let spool = work.join(format!("spool-{name}"));
        std::fs::create_dir_all(spool.join("inbox")).expect("inbox");
        std::fs::rename(work.join(&name), spool.join("inbox").join(&name)).expect("move");
        let before = events(&db);
        let spool_arg = format!("spool-{name}");
        let out = run_in(work, &db, &["sync", "--spool", &spool_arg]);
        let code = out.status.code();
        assert_ne!(
            code,
            Some(101),
            "{name}: a panic:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if code == Some(6) {
            assert_eq!(
                events(&db),
                before,
                "{name}: a refused batch changed the store"
            );
            assert!(
                spool.join("inbox").join(&name).exists(),
                "{name}: a refused batch stays in the inbox"
            );
        }
        results.push((
            name.clone(),
            transcript(&format!("permitdesk sync --spool {spool_arg}"), &out),
        ));
    }
    compare("spool", results);
    run_ok(pd(&db).args(["--today", TODAY, "check"]));
}

#[test]
fn a_store_path_that_is_no_file_says_what_it_is() {
    let dir = TempDir::new().expect("temp dir");
    let fifo = dir.path().join("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).expect("fifo");
    for (path, what) in [
        (dir.path().to_path_buf(), "this is a directory"),
        (PathBuf::from("/dev/null"), "this is a device"),
        (fifo, "this is a FIFO"),
    ] {
        let out = Command::new(BIN)
            .env_remove("PERMITDESK_SOCKET")
            .arg("--db")
            .arg(&path)
            .args(["case", "list"])
            .output()
            .expect("run");
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{path:?}: {said}");
        assert!(said.contains(what), "{path:?}: {said}");
        assert_eq!(said.lines().count(), 1, "{said}");
    }
}
