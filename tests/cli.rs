// The command line as a user runs it: output, exit codes, and the store afterwards. Plain
// comments: tests/cli_served.rs includes this file to run the same suite through a server.

mod served;

use assert_cmd::Command;
use permitdesk::domain::Calendar;
use permitdesk::store::Store;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";

fn pd(db: &Path) -> Command {
    Command::from_std(pd_std(db))
}

/// `pd` as a plain process, for a test that handles the pipes itself.
fn pd_std(db: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_permitdesk"));
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
    // Messages in English whatever the machine's locale.
    cmd.env_remove("LC_ALL").env("LANG", "C.UTF-8");
    cmd.env("XDG_CONFIG_HOME", db.parent().expect("dir"));
    let target = served::target(db);
    if let Some((var, value)) = target.env {
        cmd.env(var, value);
    }
    cmd.args(target.args);
    cmd
}

fn demo() -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("demo.db");
    pd(&db)
        .args([
            "demo", "--cases", "200", "--seed", "7", "--no-tui", "--today", TODAY,
        ])
        .assert()
        .success();
    (dir, db)
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.arg("--json").output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// The first case of a queue (with a filter), as JSON.
fn first(db: &Path, queue: &str, filter: &str) -> Value {
    let rows = json(pd(db).args([
        "--as", "li.wei", "--today", TODAY, "case", "list", "--queue", queue, "--filter", filter,
    ]));
    rows.as_array()
        .and_then(|r| r.first())
        .cloned()
        .unwrap_or_else(|| panic!("no case in {queue}/{filter}"))
}

fn show(db: &Path, case_no: &str) -> Value {
    json(pd(db).args(["--as", "li.wei", "--today", TODAY, "case", "show", case_no]))
}

fn as_user<'a>(cmd: &'a mut Command, user: &str) -> &'a mut Command {
    cmd.args(["--as", user, "--today", TODAY])
}

#[test]
fn list_rows_carry_the_interface_fields() {
    let (_dir, db) = demo();
    let rows = json(pd(&db).args([
        "--as", "li.wei", "--today", TODAY, "case", "list", "--limit", "5",
    ]));
    let row = &rows[0];
    for field in [
        "case_no",
        "kind",
        "category",
        "stage",
        "legacy",
        "assignee",
        "version",
        "submitted_at",
        "entry_date",
        "deadline",
    ] {
        assert!(row.get(field).is_some(), "row lacks {field}: {row}");
    }
    assert!(row["applicant"]["passport_no"].is_string());
    assert!(row["employer"]["uscc"].is_string());
    let deadline = &row["deadline"];
    for field in [
        "timer",
        "started",
        "due",
        "days_left",
        "state",
        "provisional",
    ] {
        assert!(
            deadline.get(field).is_some(),
            "deadline lacks {field}: {deadline}"
        );
    }
}

#[test]
fn claim_accept_and_history_round_trip() {
    let (_dir, db) = demo();
    let case = first(&db, "pre-audit", "unclaimed");
    let no = case["case_no"].as_str().expect("case_no");
    as_user(&mut pd(&db), "li.wei")
        .args(["case", "claim", no])
        .assert()
        .success();
    as_user(&mut pd(&db), "li.wei")
        .args(["case", "approve", no])
        .assert()
        .success()
        .stdout(predicate::str::contains("pre_audit -> review"));
    let shown = show(&db, no);
    assert_eq!(shown["stage"], "review");
    let events = shown["events"].as_array().expect("events");
    let actions: Vec<&str> = events
        .iter()
        .rev()
        .take(2)
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions, ["approve", "claim"]);
    assert_eq!(events.last().expect("event")["role"], "approver");
    pd(&db).args(["--today", TODAY, "check"]).assert().success();
}

#[test]
fn unknown_case_is_5_and_changes_nothing() {
    let (_dir, db) = demo();
    as_user(&mut pd(&db), "li.wei")
        .args(["case", "claim", "GZ1999-999999"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("GZ1999-999999: no such case"));
}

#[test]
fn wrong_stage_and_wrong_role_are_3() {
    let (_dir, db) = demo();
    let closed = first(&db, "closed", "all");
    let no = closed["case_no"].as_str().expect("case_no");
    as_user(&mut pd(&db), "li.wei")
        .args(["case", "claim", no])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(no));
    let open = first(&db, "pre-audit", "unclaimed");
    let no = open["case_no"].as_str().expect("case_no");
    let before = show(&db, no)["version"].clone();
    as_user(&mut pd(&db), "audit.he")
        .args(["case", "claim", no])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "needs the approver or supervisor role",
        ));
    as_user(&mut pd(&db), "li.wei")
        .args(["case", "approve", no])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("claim it first"));
    assert_eq!(show(&db, no)["version"], before);
}

#[test]
fn refusals_speak_the_chosen_language() {
    let (_dir, db) = demo();
    let open = first(&db, "pre-audit", "unclaimed");
    let no = open["case_no"].as_str().expect("case_no");
    let claim_as_viewer = |setup: &dyn Fn(&mut Command)| {
        let mut cmd = pd(&db);
        setup(&mut cmd);
        as_user(&mut cmd, "audit.he")
            .args(["case", "claim", no])
            .assert()
            .code(3)
    };
    claim_as_viewer(&|c| {
        c.args(["--lang", "zh"]);
    })
    .stderr(predicate::str::contains(format!(
        "{no}：认领需要审查员或科室负责人角色"
    )));
    claim_as_viewer(&|c| {
        c.env("PERMITDESK_LANG", "zh");
    })
    .stderr(predicate::str::contains("需要"));
    claim_as_viewer(&|c| {
        c.env("LANG", "zh_CN.UTF-8");
    })
    .stderr(predicate::str::contains("需要"));
    claim_as_viewer(&|_| {}).stderr(predicate::str::contains(
        "needs the approver or supervisor role",
    ));
    // What has no translation stays in English, with its own exit code.
    as_user(&mut pd(&db), "li.wei")
        .args(["--lang", "zh", "case", "claim", "GZ1999-999999"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("GZ1999-999999: no such case"));
}

#[test]
fn stale_version_and_foreign_claim_are_4() {
    let (_dir, db) = demo();
    let case = first(&db, "pre-audit", "unclaimed");
    let no = case["case_no"].as_str().expect("case_no");
    let version = case["version"].as_i64().expect("version");
    as_user(&mut pd(&db), "li.wei")
        .args([
            "case",
            "claim",
            no,
            "--expect-version",
            &version.to_string(),
        ])
        .assert()
        .success();
    as_user(&mut pd(&db), "chen.yu")
        .args([
            "case",
            "claim",
            no,
            "--expect-version",
            &version.to_string(),
        ])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(format!(
            "you saw version {version}"
        )))
        .stderr(predicate::str::contains("li.wei claim"));
    as_user(&mut pd(&db), "chen.yu")
        .args(["case", "claim", no])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("held by li.wei"));
    assert_eq!(show(&db, no)["version"].as_i64(), Some(version + 1));
}

#[test]
fn missing_reason_and_bad_date_are_6() {
    let (_dir, db) = demo();
    let case = first(&db, "pre-audit", "unclaimed");
    let no = case["case_no"].as_str().expect("case_no");
    as_user(&mut pd(&db), "li.wei")
        .args(["case", "claim", no])
        .assert()
        .success();
    let before = show(&db, no)["version"].clone();
    as_user(&mut pd(&db), "li.wei")
        .args(["case", "return", no])
        .assert()
        .code(6)
        .stderr(predicate::str::contains(format!(
            "{no}: return needs a reason"
        )));
    as_user(&mut pd(&db), "li.wei")
        .args(["case", "return", no, "--reason", "   "])
        .assert()
        .code(6);
    let notified = first(&db, "awaiting-entry", "all");
    let n = notified["case_no"].as_str().expect("case_no");
    as_user(&mut pd(&db), "liu.yang")
        .args(["case", "record-entry", n, "--date", "2026-13-01"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "--date: \"2026-13-01\" is not a date",
        ));
    as_user(&mut pd(&db), "liu.yang")
        .args(["case", "record-entry", n, "--date", "2026-12-01"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("in the future"));
    assert_eq!(show(&db, no)["version"], before);
}

#[test]
fn usage_errors_are_2() {
    let (_dir, db) = demo();
    pd(&db).args(["case", "frobnicate"]).assert().code(2);
}

#[test]
fn declared_identity_is_refused_on_an_ordinary_store() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("office.db");
    pd(&db).arg("init").assert().success();
    pd(&db)
        .args(["--as", "someone.else", "case", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("--as someone.else"));
    pd(&db)
        .args(["--today", TODAY, "case", "list"])
        .assert()
        .code(3);
    pd(&db)
        .args(["user", "add", "li.wei", "--role", "approver"])
        .assert()
        .success();
    pd(&db)
        .args(["user", "add", "li.wei", "--role", "approver"])
        .assert()
        .code(6);
    pd(&db)
        .args(["user", "add", "x", "--role", "wizard"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("unknown role"));
    pd(&db).arg("init").assert().code(3);
    pd(&db).args(["case", "list"]).assert().success();
}

#[test]
fn unknown_and_disabled_users_are_refused_before_anything_opens() {
    let (_dir, db) = demo();
    pd(&db)
        .args(["--as", "nobody", "case", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("unknown user \"nobody\""));
    pd(&db)
        .args(["--as", "former.staff", "case", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("disabled"));
}

#[test]
fn the_store_file_is_not_world_readable() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, db) = demo();
    let mode = std::fs::metadata(&db)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o007, 0, "mode {mode:o}");
}

#[test]
fn tampering_with_an_audit_event_fails_check_naming_it() {
    let (_dir, db) = demo();
    pd(&db)
        .args(["--today", TODAY, "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok"));
    let conn = rusqlite::Connection::open(&db).expect("open");
    // Seq 100 is a case event (the first ones are the demo's administrative events).
    let refused = conn.execute("UPDATE events SET actor = 'mallory' WHERE seq = 100", []);
    assert!(refused.is_err(), "the trigger must refuse updates");
    conn.execute_batch(
        "DROP TRIGGER events_no_update;
         UPDATE events SET payload = payload || ' ' WHERE seq = 100;",
    )
    .expect("tamper");
    drop(conn);
    pd(&db)
        .args(["--today", TODAY, "check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("audit event 100 "));
}

#[test]
fn demo_is_reproducible_and_never_overwrites_a_foreign_store() {
    let (dir, db) = demo();
    let other = dir.path().join("other.db");
    pd(&other)
        .args([
            "demo", "--cases", "200", "--seed", "7", "--no-tui", "--today", TODAY,
        ])
        .assert()
        .success();
    let list = |db: &Path| {
        json(pd(db).args([
            "--as", "li.wei", "--today", TODAY, "case", "list", "--limit", "200",
        ]))
    };
    assert_eq!(list(&db), list(&other));
    let built = Store::open(&other, Calendar::embedded()).expect("open the demo store");
    assert_eq!(
        built.journal_mode().expect("mode"),
        "wal",
        "the demo's bulk load hands over a WAL store"
    );
    drop(built);
    let office = dir.path().join("office.db");
    pd(&office).arg("init").assert().success();
    pd(&office)
        .args(["demo", "--force", "--no-tui"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not made by `demo`"));
}

#[test]
fn the_calendar_is_the_stores_and_only_an_admin_replaces_it() {
    let (dir, db) = demo();
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/cn-holidays.toml");
    let national_day = r#"["2026-10-01", "2026-10-07"], # National Day"#;
    let text = std::fs::read_to_string(&assets).expect("calendar");
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        text.replace(
            national_day,
            &format!("{national_day}\n  [\"2026-11-23\", \"2026-12-04\"],"),
        ),
    )
    .expect("write");
    let other_arg = other.to_str().expect("path");
    as_user(&mut pd(&db), "li.wei")
        .args(["calendar", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("calendar from embedded"))
        .stdout(predicate::str::contains("2024, 2025, 2026"));
    // A user's own configuration names another calendar: it is not used, and says so.
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("calendar = {:?}\n", other_arg)).expect("config");
    let config_arg = config.to_str().expect("path");
    as_user(&mut pd(&db), "li.wei")
        .args(["--config", config_arg, "calendar", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("calendar from embedded"))
        .stdout(predicate::str::contains("it is not used"));
    as_user(&mut pd(&db), "li.wei")
        .args(["calendar", "install", other_arg])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "installing a holiday calendar needs the admin role",
        ));
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "[2027]\nholidays = [[\"2027-02-30\", \"2027-03-01\"]]\n",
    )
    .expect("w");
    as_user(&mut pd(&db), "admin")
        .args(["calendar", "install", broken.to_str().expect("path")])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("broken.toml"));
    as_user(&mut pd(&db), "admin")
        .args(["calendar", "install", other_arg])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "every open deadline was recomputed",
        ));
    // Everyone now counts with it, whatever their own configuration says.
    as_user(&mut pd(&db), "li.wei")
        .args(["calendar", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("other.toml"));
    as_user(&mut pd(&db), "admin")
        .args(["check"])
        .assert()
        .success();
}

#[test]
fn an_unknown_case_or_a_stale_version_outranks_bad_input() {
    let (_dir, db) = demo();
    let notified = first(&db, "awaiting-entry", "all");
    let n = notified["case_no"].as_str().expect("case_no");
    let version = notified["version"].as_i64().expect("version");
    let record_entry = |case_no: &str, extra: &[&str]| {
        let mut cmd = pd(&db);
        as_user(&mut cmd, "liu.yang").args([
            "case",
            "record-entry",
            case_no,
            "--date",
            "2026-13-01",
        ]);
        cmd.args(extra);
        cmd.assert()
    };
    record_entry("GZ1999-999999", &[])
        .code(5)
        .stderr(predicate::str::contains("GZ1999-999999: no such case"));
    record_entry(n, &["--expect-version", "99"])
        .code(4)
        .stderr(predicate::str::contains("you saw version 99"));
    record_entry(n, &["--expect-version", &version.to_string()])
        .code(6)
        .stderr(predicate::str::contains(format!(
            "{n}: --date: \"2026-13-01\" is not a date"
        )));
}

#[test]
fn a_bad_configuration_is_refused_naming_the_file() {
    let (dir, db) = demo();
    let config = dir.path().join("bad.toml");
    let list = |expect: i32, says: &str| {
        as_user(&mut pd(&db), "li.wei")
            .args(["--config", config.to_str().expect("path"), "case", "list"])
            .assert()
            .code(expect)
            .stderr(predicate::str::contains("bad.toml"))
            .stderr(predicate::str::contains(says.to_string()));
    };
    std::fs::write(&config, "[keys]\nbogus_cmd = \"x\"\n").expect("write");
    list(6, "bogus_cmd");
    std::fs::write(&config, b"theme = \"\xff\"\n").expect("write");
    list(6, "not UTF-8");
    // `/dev/zero` is not a configuration: refused at once, not read without end.
    as_user(&mut pd(&db), "li.wei")
        .args(["--config", "/dev/zero", "case", "list"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "/dev/zero: cannot read the configuration: not a regular file",
        ));
    // An unreadable calendar matters only where the configured calendar is used: a new store.
    std::fs::write(&config, "calendar = \"missing.toml\"\n").expect("write");
    as_user(&mut pd(&db), "li.wei")
        .args(["--config", config.to_str().expect("path"), "case", "list"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("warning: ")
                .and(predicate::str::contains(
                    "missing.toml: cannot read the holiday calendar",
                ))
                .and(predicate::str::contains("the store's own calendar is used")),
        );
    pd(&dir.path().join("new.db"))
        .args(["--config", config.to_str().expect("path"), "init"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "missing.toml: cannot read the holiday calendar",
        ));
    std::fs::write(&config, "calendar = \"/dev/zero\"\n").expect("write");
    pd(&dir.path().join("new.db"))
        .args(["--config", config.to_str().expect("path"), "init"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "/dev/zero: cannot read the holiday calendar: not a regular file",
        ));
}

#[test]
fn an_unknown_language_is_a_usage_error_naming_both() {
    let (_dir, db) = demo();
    pd(&db)
        .args(["--lang", "fr", "case", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("zh").and(predicate::str::contains("en")));
}

#[test]
fn a_backup_into_a_missing_directory_is_refused_and_makes_none() {
    let (dir, db) = demo();
    let dest = dir.path().join("missing/copy.db");
    as_user(&mut pd(&db), "admin")
        .args(["backup", dest.to_str().expect("path")])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("does not exist"));
    assert!(!dir.path().join("missing").exists());
    let copy = dir.path().join("copy.db");
    as_user(&mut pd(&db), "admin")
        .args(["backup", copy.to_str().expect("path")])
        .assert()
        .success();
    let store = Store::open(&copy, Calendar::embedded()).expect("the copy opens");
    assert!(
        store
            .check(TODAY.parse().expect("date"), None)
            .expect("check")
            .ok()
    );
    as_user(&mut pd(&db), "li.wei")
        .args(["backup", dir.path().join("mine.db").to_str().expect("path")])
        .assert()
        .code(3);
}

#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_made_text_and_xlsx_keeps_them_text() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("s.db");
    pd(&db)
        .args(["init", "--trust-declared-user"])
        .assert()
        .success();
    let cases = dir.path().join("c.jsonl");
    std::fs::write(
        &cases,
        r#"{"case_no":"CSV-000001","kind":"overseas_new","category":"B","applicant":{"name":"TESTER ONE","name_native":"@SUM(1+1)","passport_no":"E1234567","nationality":"FRA","birth_date":"1990-01-01"},"employer":{"name":"=HYPERLINK(\"http://x\",\"y\")","uscc":"91440101MA5CQ7H2XC"},"documents":[{"kind":"passport","ok":true}]}
"#,
    )
    .expect("write");
    pd(&db)
        .args(["import", cases.to_str().expect("path")])
        .assert()
        .success();
    let export = pd(&db)
        .args(["export", "--format", "csv"])
        .output()
        .expect("export");
    let text = String::from_utf8_lossy(&export.stdout);
    assert!(
        text.contains(r#""'=HYPERLINK(""http://x"",""y"")""#),
        "{text}"
    );
    assert!(text.contains(",'@SUM(1+1),"), "{text}");
    // Months later the case is overdue and in the report, by employer.
    let later = ["--today", "2027-06-01"];
    let csv = pd(&db)
        .args(later)
        .args(["report", "overdue", "--by", "employer", "--format", "csv"])
        .output()
        .expect("report");
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(text.contains("'=HYPERLINK"), "{text}");
    let book = dir.path().join("overdue.xlsx");
    pd(&db)
        .args(later)
        .args([
            "report", "overdue", "--by", "employer", "--format", "xlsx", "-o",
        ])
        .arg(&book)
        .assert()
        .success();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&book).expect("open")).expect("zip");
    let mut xml = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("part");
        if part.name().starts_with("xl/worksheets/") || part.name() == "xl/sharedStrings.xml" {
            std::io::Read::read_to_string(&mut part, &mut xml).expect("xml");
        }
    }
    assert!(
        xml.contains("=HYPERLINK"),
        "the name is in the workbook as text"
    );
    assert!(!xml.contains("<f>"), "and never as a formula");
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    use std::io::Read as _;
    let (_dir, db) = demo();
    for format in ["jsonl", "csv"] {
        let mut child = pd_std(&db)
            .args([
                "--as", "li.wei", "--today", TODAY, "export", "--format", format,
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut first = [0u8; 64];
        child
            .stdout
            .take()
            .expect("stdout")
            .read_exact(&mut first)
            .expect("some output");
        // The pipe is closed here, as `| head -c 64` would.
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(0), "{format}: {out:?}");
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The dotted names of a JSON object's scalar fields, in the object's own order.
fn dotted(prefix: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                dotted(&name, value, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

#[test]
fn the_csv_export_has_every_field_of_case_list_json() {
    let (_dir, db) = demo();
    let rows = json(as_user(&mut pd(&db), "li.wei").args(["case", "list", "--queue", "pre-audit"]));
    let row = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| !r["deadline"].is_null()))
        .expect("a row with a deadline");
    let mut fields = Vec::new();
    dotted("", row, &mut fields);
    let csv = as_user(&mut pd(&db), "li.wei")
        .args(["export", "--queue", "pre-audit", "--format", "csv"])
        .output()
        .expect("export");
    let text = String::from_utf8_lossy(&csv.stdout);
    let mut header: Vec<String> = text
        .lines()
        .next()
        .expect("a header")
        .split(',')
        .map(str::to_string)
        .collect();
    header.sort();
    fields.sort();
    assert_eq!(header, fields);
}

#[test]
fn a_list_longer_than_the_cap_says_so() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("big.db");
    pd(&db)
        .args([
            "demo", "--cases", "10100", "--seed", "7", "--no-tui", "--today", TODAY,
        ])
        .assert()
        .success();
    let out = as_user(&mut pd(&db), "li.wei")
        .args([
            "--json", "case", "list", "--queue", "all", "--limit", "1000000",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    let rows: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(rows.as_array().map(Vec::len), Some(10_000));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--limit is capped at 10000 rows; these are the first 10000 of 10100"),
        "{stderr}"
    );
    // Under the cap, nothing is said.
    let out = as_user(&mut pd(&db), "li.wei")
        .args(["case", "list", "--queue", "all", "--limit", "20"])
        .output()
        .expect("run");
    assert!(out.status.success() && out.stderr.is_empty());
}

#[test]
fn import_refuses_a_device_or_a_fifo_before_reading_it() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("s.db");
    pd(&db)
        .args(["init", "--trust-declared-user"])
        .assert()
        .success();
    let zero = dir.path().join("zero.jsonl");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("link");
    let fifo = dir.path().join("pipe.csv");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).expect("fifo");
    for path in [zero, fifo] {
        let shown = path.display().to_string();
        pd(&db)
            .args(["import", &shown])
            .assert()
            .code(6)
            .stderr(predicate::str::contains(format!(
                "{shown}: not a regular file"
            )));
    }
}

/// One case line for an import; only the identifiers vary.
fn case_line(case_no: &str, passport: &str, uscc: &str) -> String {
    serde_json::json!({"case_no": case_no, "kind": "overseas_new", "category": "B",
        "applicant": {"name": "SMITH JOHN", "passport_no": passport, "nationality": "GBR"},
        "employer": {"name": "Guangzhou Example Co", "uscc": uscc}})
    .to_string()
}

#[test]
fn look_alike_identifiers_are_one_case_and_invisible_ones_are_refused() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("s.db");
    pd(&db)
        .args(["init", "--trust-declared-user"])
        .assert()
        .success();
    let code = "91440101MA5CQ7H2XC";
    let file = |name: &str, lines: &[String]| {
        let path = dir.path().join(name);
        std::fs::write(&path, lines.join("\n") + "\n").expect("write");
        path.to_str().expect("path").to_string()
    };
    // The issue's three pairs in one file: the second of each is the first again, or refused.
    let pairs = file(
        "pairs.jsonl",
        &[
            case_line("FW-000007", "E12345678", code),
            case_line("FW-００００07", "E12345678", code),
            case_line("ZW-000008", "E12345678", code),
            case_line("ZW-0000\u{200D}08", "E12345678", code),
            case_line("CASE-000001", "E12345678", code),
            case_line("case-000001", "E12345678", code),
        ],
    );
    pd(&db)
        .args(["import", &pairs])
        .assert()
        .code(6)
        .stdout("")
        .stderr(format!(
            "{pairs}:2: case_no: FW-000007 appears again (first on line 1)\n\
             {pairs}:4: case_no: contains an invisible character U+200D at position 8\n\
             {pairs}:6: case_no: CASE-000001 appears again (first on line 5)\n\
             permitdesk: 3 bad line(s); nothing was imported\n"
        ));
    // Written in full width and lower case, identifiers are kept folded.
    let good = file(
        "good.jsonl",
        &[
            case_line("ｆｗ-000007", "Ｅ１２３４５６７８", "91440101ma5cq7h2xc"),
            case_line(
                "case-000001",
                "e7654321",
                "９１４４０１０１ＭＡ５ＣＱ７Ｈ２ＸＣ",
            ),
        ],
    );
    pd(&db)
        .args(["import", &good])
        .assert()
        .success()
        .stdout(format!("{good}: imported 2 case(s)\n"));
    // A CSV naming the same cases another way finds them in the store.
    let again = dir.path().join("again.csv");
    std::fs::write(
        &again,
        format!(
            "case_no,kind,category,applicant.name,applicant.passport_no,applicant.nationality,employer.name,employer.uscc\n\
             Ｆｗ－０００００７,overseas_new,B,SMITH JOHN,E12345678,GBR,Example,{code}\n\
             CASE-000001,overseas_new,B,SMITH JOHN,E12345678,GBR,Example,{code}\n"
        ),
    )
    .expect("write");
    let again = again.to_str().expect("path");
    pd(&db)
        .args(["import", again])
        .assert()
        .code(6)
        .stderr(format!(
            "{again}:2: case_no: FW-000007 already exists in the store\n\
             {again}:3: case_no: CASE-000001 already exists in the store\n\
             permitdesk: 2 bad line(s); nothing was imported\n"
        ));
    // Any look-alike names the case on the command line.
    for typed in ["ｆｗ-000007", "FW-００００07", " fw-000007 "] {
        let case = json(pd(&db).args(["case", "show", typed]));
        assert_eq!(case["case_no"], "FW-000007", "{typed}");
        assert_eq!(case["applicant"]["passport_no"], "E12345678");
        assert_eq!(case["employer"]["uscc"], code);
    }
    let case = json(pd(&db).args(["case", "show", "Case-000001"]));
    assert_eq!(case["applicant"]["passport_no"], "E7654321");
    pd(&db)
        .args(["case", "show", "FW-0000\u{200D}07"])
        .assert()
        .code(6)
        .stdout("")
        .stderr("permitdesk: CASE_NO: contains an invisible character U+200D at position 8\n");
    // Free text keeps line breaks and tabs, and refuses invisible characters.
    pd(&db)
        .args([
            "case",
            "note",
            "FW-000007",
            "--text",
            "line one\n\tline two",
        ])
        .assert()
        .success();
    for (text, found) in [
        ("see\u{200B}attached", "U+200B at position 4"),
        ("soft\u{AD}hyphen", "U+00AD at position 5"),
        ("tag\u{E0041}", "U+E0041 at position 4"),
        ("one\u{2028}two", "U+2028 at position 4"),
    ] {
        pd(&db)
            .args(["case", "note", "ｆｗ-000007", "--text", text])
            .assert()
            .code(6)
            .stderr(format!(
                "permitdesk: FW-000007: text: contains an invisible character {found}\n"
            ));
    }
    // Search folds its query as the index is folded.
    let found = |query: &str| -> Vec<String> {
        let rows = json(pd(&db).args(["case", "list", "--search", query]));
        rows.as_array()
            .expect("rows")
            .iter()
            .map(|r| r["case_no"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(found("ＦＷ－０００００７"), ["FW-000007"]);
    assert_eq!(found("ｆｗ-0000\u{200D}07"), ["FW-000007"]);
    assert_eq!(found("ｃａｓｅ"), ["CASE-000001"]);
    assert_eq!(found("Ｅ７６５４３２１"), ["CASE-000001"]);
    assert_eq!(found("９１４４０１０１ｍａ５ｃｑ７ｈ２ｘｃ").len(), 2);
    pd(&db).arg("check").assert().success();
}
