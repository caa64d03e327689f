//! Issue 15 through the real binary: a trusting store, cases imported on a chosen day, then
//! driven day by day with `--as` and `--today`, checking exit codes, messages and `check`.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;
use tempfile::TempDir;

struct Office {
    _dir: TempDir,
    dir: PathBuf,
}

impl Office {
    fn new() -> Office {
        let tmp = TempDir::new().expect("temp dir");
        let office = Office {
            dir: tmp.path().to_path_buf(),
            _dir: tmp,
        };
        office
            .pd("2026-01-05")
            .args(["init", "--trust-declared-user"])
            .assert()
            .success();
        for (name, role) in [
            ("li.wei", "approver"),
            ("wang.fang", "supervisor"),
            ("liu.yang", "clerk"),
        ] {
            office
                .pd("2026-01-05")
                .args(["user", "add", name, "--role", role])
                .assert()
                .success();
        }
        office
    }

    fn pd(&self, today: &str) -> Command {
        let mut cmd = Command::cargo_bin("permitdesk").expect("binary");
        for var in [
            "PERMITDESK_DB",
            "PERMITDESK_USER",
            "PERMITDESK_TODAY",
            "PERMITDESK_LANG",
            "PERMITDESK_CONFIG",
        ] {
            cmd.env_remove(var);
        }
        cmd.env_remove("LC_ALL").env("LANG", "C.UTF-8");
        cmd.env("XDG_CONFIG_HOME", &self.dir);
        cmd.current_dir(&self.dir);
        cmd.args(["--db", "s.db", "--today", today]);
        cmd
    }

    /// Imports one case (a JSON object) as submitted on `today`.
    fn import(&self, today: &str, case: &Value) -> std::process::Output {
        let path = self.dir.join("in.jsonl");
        std::fs::write(&path, format!("{case}\n")).expect("write");
        self.pd(today)
            .args(["import", "in.jsonl"])
            .output()
            .expect("run")
    }

    #[track_caller]
    fn imported(&self, today: &str, case: &Value) {
        let out = self.import(today, case);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs `case ARGS...` as `user` on `today`.
    fn case(&self, today: &str, user: &str, args: &[&str]) -> std::process::Output {
        self.pd(today)
            .args(["--as", user, "case"])
            .args(args)
            .output()
            .expect("run")
    }

    #[track_caller]
    fn ok(&self, today: &str, user: &str, args: &[&str]) {
        let out = self.case(today, user, args);
        assert!(
            out.status.success(),
            "case {args:?} on {today}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn json(&self, today: &str, args: &[&str]) -> Value {
        let out = self
            .pd(today)
            .args(["--as", "li.wei", "--json"])
            .args(args)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    }

    fn queue(&self, today: &str, queue: &str) -> Vec<String> {
        let rows = self.json(today, &["case", "list", "--queue", queue]);
        rows.as_array()
            .expect("rows")
            .iter()
            .map(|r| r["case_no"].as_str().expect("case_no").to_string())
            .collect()
    }

    fn show(&self, today: &str, case_no: &str) -> Value {
        self.json(today, &["case", "show", case_no])
    }

    #[track_caller]
    fn check_passes(&self, today: &str) {
        let out = self.pd(today).arg("check").output().expect("run");
        assert!(
            out.status.success(),
            "check: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn db(&self) -> PathBuf {
        self.dir.join("s.db")
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn case(case_no: &str, kind: &str, category: &str) -> Value {
    serde_json::json!({"case_no": case_no, "kind": kind, "category": category,
        "applicant": {"name": "SMITH JOHN", "passport_no": "E12345678", "nationality": "GBR"},
        "employer": {"name": "Guangzhou Example Co", "uscc": "91440101MA5CQ7H2XC"}})
}

// Defect 1 ------------------------------------------------------------------------------------

#[test]
fn a_case_returned_on_its_decision_due_day_is_paused_not_overdue() {
    let o = Office::new();
    o.imported("2026-02-27", &case("GZ2026-000201", "overseas_new", "A"));
    o.ok("2026-03-02", "li.wei", &["claim", "GZ2026-000201"]);
    o.ok("2026-03-02", "li.wei", &["approve", "GZ2026-000201"]);
    // Category A: due Mon 03-09. Returned from review on the due day.
    o.ok("2026-03-09", "li.wei", &["claim", "GZ2026-000201"]);
    o.ok(
        "2026-03-09",
        "li.wei",
        &["return", "GZ2026-000201", "--reason", "1. add the degree"],
    );
    let shown = o.show("2026-03-16", "GZ2026-000201");
    let governing = &shown["deadline"];
    assert_eq!(governing["state"], "paused", "{shown}");
    assert!(o.queue("2026-03-16", "overdue").is_empty());
    o.check_passes("2026-03-16");
    // Resubmitted Wed 03-18 with nothing left: due that day; overdue the day after.
    o.pd("2026-03-18")
        .args(["case", "resubmit", "GZ2026-000201"])
        .assert()
        .success();
    let shown = o.show("2026-03-18", "GZ2026-000201");
    assert_eq!(shown["deadline"]["due"], "2026-03-18", "{shown}");
    assert_eq!(o.queue("2026-03-19", "overdue"), vec!["GZ2026-000201"]);
    o.check_passes("2026-03-19");
}

// Defect 2 ------------------------------------------------------------------------------------

/// Imports, accepts, recommends and signs a domestic case on 2026-03-02; its permit number.
fn signed(o: &Office, case_no: &str) -> String {
    o.imported("2026-02-27", &case(case_no, "domestic_new", "A"));
    for _ in 0..2 {
        o.ok("2026-03-02", "li.wei", &["claim", case_no]);
        o.ok("2026-03-02", "li.wei", &["approve", case_no]);
    }
    o.ok("2026-03-02", "wang.fang", &["approve", case_no]);
    let shown = o.show("2026-03-02", case_no);
    shown["permit_no"]
        .as_str()
        .expect("permit number")
        .to_string()
}

#[test]
fn permit_numbers_are_unique_and_check_finds_duplicates() {
    let o = Office::new();
    let a = signed(&o, "UP2026-000001");
    let b = signed(&o, "GZ2026-000001");
    let c = signed(&o, "NODIGITS");
    assert_eq!(
        [a.as_str(), b.as_str(), c.as_str()],
        [
            "440100202600000001",
            "440100202600000002",
            "440100202600000003"
        ]
    );
    o.check_passes("2026-03-02");
    // A store holding the old rule's shared number: check names the number and both cases.
    let conn = rusqlite::Connection::open(o.db()).expect("open");
    conn.execute(
        "UPDATE cases SET permit_no = ?1 WHERE case_no = 'NODIGITS'",
        [&a],
    )
    .expect("tamper");
    drop(conn);
    let out = o.pd("2026-03-02").arg("check").output().expect("run");
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(
        text.contains(&format!(
            "permit number {a} is held by 2 cases (NODIGITS, UP2026-000001)"
        )),
        "{text}"
    );
}

/// `check` walks the register beside the numbers the cases hold: a number missing from it and
/// one registered to another case are each named with the case holding it.
#[test]
fn check_compares_held_numbers_with_the_register() {
    let o = Office::new();
    let a = signed(&o, "UP2026-000001");
    let b = signed(&o, "GZ2026-000001");
    let c = signed(&o, "NODIGITS");
    o.check_passes("2026-03-02");
    let conn = rusqlite::Connection::open(o.db()).expect("open");
    conn.execute("DELETE FROM issued_numbers WHERE number = ?1", [&b])
        .expect("tamper");
    conn.execute(
        "UPDATE issued_numbers SET case_no = 'UP2026-000001' WHERE number = ?1",
        [&c],
    )
    .expect("tamper");
    drop(conn);
    let out = o.pd("2026-03-02").arg("check").output().expect("run");
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(
        text.contains(&format!(
            "GZ2026-000001: permit number {b} is not in the store's register"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "NODIGITS: permit number {c} is registered to UP2026-000001"
        )),
        "{text}"
    );
    assert!(!text.contains(&format!("number {a}")), "{text}");
}

// Defect 3 ------------------------------------------------------------------------------------

/// The on-site checklist flags of a passing verification on `day`.
fn verify_args<'a>(case_no: &'a str, exam: &'a str) -> Vec<&'a str> {
    vec![
        "verify",
        case_no,
        "--presented-by",
        "applicant",
        "--exam-date",
        exam,
        "--exam-domestic",
        "--visa-kind",
        "work-visa",
        "--visa-valid-until",
        "2027-12-31",
        "--originals",
        "--sealed-copies",
    ]
}

/// Imports an in-China `new_notification` case (entry on file) and signs it on Thu 2026-03-05.
fn signed_in_china(o: &Office, case_no: &str) {
    let mut c = case(case_no, "new_notification", "B");
    c["entry_date"] = "2026-01-20".into();
    o.imported("2026-02-27", &c);
    for _ in 0..2 {
        o.ok("2026-03-02", "li.wei", &["claim", case_no]);
        o.ok("2026-03-02", "li.wei", &["approve", case_no]);
    }
    o.ok("2026-03-05", "wang.fang", &["approve", case_no]);
}

#[test]
fn an_applicant_already_in_china_is_in_verification_from_signing() {
    let o = Office::new();
    signed_in_china(&o, "GZ2026-000301");
    let shown = o.show("2026-03-05", "GZ2026-000301");
    assert_eq!(shown["stage"], "verification", "{shown}");
    assert_eq!(shown["deadline"]["timer"], "verification");
    assert_eq!(shown["deadline"]["due"], "2026-04-04");
    assert_eq!(o.queue("2026-03-06", "verification"), vec!["GZ2026-000301"]);
    assert!(o.queue("2026-04-04", "overdue").is_empty());
    assert_eq!(o.queue("2026-04-05", "overdue"), vec!["GZ2026-000301"]);
    o.check_passes("2026-04-05");
    // Verified within the window without recording the entry again.
    o.ok(
        "2026-03-20",
        "liu.yang",
        &verify_args("GZ2026-000301", "2026-03-10"),
    );
    let shown = o.show("2026-03-20", "GZ2026-000301");
    assert_eq!(shown["stage"], "completed", "{shown}");
}

// Defect 4 ------------------------------------------------------------------------------------

#[test]
fn a_late_verification_needs_a_supervisor_and_is_marked_late() {
    let o = Office::new();
    // Signed Thu 03-05 with the entry on file: the window closes Sat 04-04.
    signed_in_china(&o, "GZ2026-000401");
    let out = o.case(
        "2026-04-07",
        "liu.yang",
        &verify_args("GZ2026-000401", "2026-04-01"),
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "GZ2026-000401: the verification window ended on 2026-04-04; a supervisor may lapse the \
             case or allow a late verification"
        ),
        "{}",
        stderr(&out)
    );
    // A clerk may not allow it; a supervisor needs a reason.
    let out = o.case(
        "2026-04-07",
        "liu.yang",
        &["allow-late", "GZ2026-000401", "--reason", "x"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = o.case("2026-04-07", "wang.fang", &["allow-late", "GZ2026-000401"]);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    o.ok(
        "2026-04-07",
        "wang.fang",
        &[
            "allow-late",
            "GZ2026-000401",
            "--reason",
            "flight cancelled; the employer explained",
        ],
    );
    o.ok(
        "2026-04-08",
        "liu.yang",
        &verify_args("GZ2026-000401", "2026-04-01"),
    );
    let shown = o.show("2026-04-08", "GZ2026-000401");
    assert_eq!(shown["stage"], "completed");
    assert_eq!(shown["verified_late"], true);
    assert_eq!(shown["late_allowed"]["by"], "wang.fang");
    let events = shown["events"].as_array().expect("events");
    let verify = events.last().expect("verify");
    assert_eq!(verify["action"], "verify");
    assert_eq!(verify["late"], true);
    let text = o
        .pd("2026-04-08")
        .args(["--as", "li.wei", "case", "show", "GZ2026-000401"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("verify LATE"), "{text}");
    assert!(
        text.contains("Late       verification allowed by wang.fang on 2026-04-07"),
        "{text}"
    );
    // The SLA counts it as ended late, and as allowed late.
    let sla = o.json(
        "2026-04-08",
        &[
            "report",
            "sla",
            "--from",
            "2026-04-01",
            "--to",
            "2026-04-08",
            "--format",
            "json",
        ],
    );
    let row = sla["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["timer"] == "verification" && r["category"] == "all")
        .cloned()
        .expect("verification row");
    assert_eq!(row["ended_late"], 1, "{row}");
    assert_eq!(row["allowed_late"], 1, "{row}");
    o.check_passes("2026-04-08");
}

// Defect 5 ------------------------------------------------------------------------------------

#[test]
fn a_return_in_time_ends_the_pre_audit_run_met_even_when_the_case_is_withdrawn() {
    let o = Office::new();
    o.imported("2026-03-02", &case("GZ2026-000501", "overseas_new", "B"));
    o.ok("2026-03-04", "li.wei", &["claim", "GZ2026-000501"]);
    o.ok(
        "2026-03-04",
        "li.wei",
        &["return", "GZ2026-000501", "--reason", "1. add the degree"],
    );
    let shown = o.show("2026-03-10", "GZ2026-000501");
    assert_eq!(shown["deadline"]["state"], "paused", "{shown}");
    o.ok(
        "2026-03-20",
        "li.wei",
        &[
            "withdraw",
            "GZ2026-000501",
            "--reason",
            "the employer asked",
        ],
    );
    let shown = o.show("2026-03-25", "GZ2026-000501");
    let pre = &shown["deadlines"][0];
    assert_eq!(pre["timer"], "pre_audit", "{shown}");
    assert_eq!(pre["state"], "met", "{pre}");
    assert_eq!(pre["ended"], "2026-03-04", "{pre}");
    let sla = o.json(
        "2026-03-25",
        &[
            "report",
            "sla",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-25",
            "--format",
            "json",
        ],
    );
    let row = sla["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["timer"] == "pre_audit" && r["category"] == "all")
        .cloned()
        .expect("pre-audit row");
    assert_eq!(
        (row["met"].clone(), row["missed"].clone()),
        (1.into(), 0.into()),
        "{row}"
    );
    o.check_passes("2026-03-25");
}

// Defect 6 ------------------------------------------------------------------------------------

#[test]
fn importing_a_legacy_case_of_another_kind_is_refused_naming_the_field() {
    let o = Office::new();
    let mut c = case("GZ2026-000601", "new_notification", "B");
    c["legacy"] = true.into();
    let out = o.import("2026-03-02", &c);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    // Import names the line of the file (the case number is on it).
    let text = stderr(&out);
    assert!(
        text.contains("in.jsonl:1: legacy: only overseas_new cases may be legacy"),
        "{text}"
    );
    assert!(text.contains("this case is new_notification"), "{text}");
    assert!(o.queue("2026-03-02", "all").is_empty());
}

// Defect 7 ------------------------------------------------------------------------------------

#[test]
fn identity_fields_through_import() {
    let o = Office::new();
    let cases = [
        (
            "name",
            "李伟",
            "applicant.name",
            "put this name in name_native",
        ),
        (
            "nationality",
            "CHN",
            "applicant.nationality",
            "CHN: a citizen of China needs no foreigner's work permit",
        ),
        (
            "nationality",
            "TWN",
            "applicant.nationality",
            "TWN: residents of Hong Kong, Macao and Taiwan need no work permit",
        ),
    ];
    for (key, value, field, says) in cases {
        let mut c = case("GZ2026-000701", "overseas_new", "B");
        c["applicant"][key] = value.into();
        let out = o.import("2026-03-02", &c);
        assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("in.jsonl:1: {field}: ")) && stderr(&out).contains(says),
            "{}",
            stderr(&out)
        );
    }
    assert!(o.queue("2026-03-02", "all").is_empty());
    let mut c = case("GZ2026-000701", "overseas_new", "B");
    c["applicant"]["passport_no"] = "e12345678".into();
    o.imported("2026-03-02", &c);
    let shown = o.show("2026-03-02", "GZ2026-000701");
    assert_eq!(shown["applicant"]["passport_no"], "E12345678");
}

// Defect 8 ------------------------------------------------------------------------------------

#[test]
fn doctor_honours_today_like_check() {
    let o = Office::new();
    let doctor = |today: &str| {
        let out = o.pd(today).arg("doctor").output().expect("run");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The embedded calendar holds 2026: in June nothing is missing; from 1 November 2026 the
    // 2027 notice is.
    let june = doctor("2026-06-01");
    assert!(
        june.contains("ok   the holiday calendar covers this year"),
        "{june}"
    );
    let november = doctor("2026-11-15");
    assert!(
        november.contains("FIX  ") && november.contains("no entry for 2027"),
        "{november}"
    );
}

// Defect 10 -----------------------------------------------------------------------------------

#[test]
fn an_upstream_e_card_registration_before_the_entry_is_refused() {
    let o = Office::new();
    o.imported("2026-02-20", &case("GZ2026-001001", "overseas_new", "B"));
    for _ in 0..2 {
        o.ok("2026-02-24", "li.wei", &["claim", "GZ2026-001001"]);
        o.ok("2026-02-24", "li.wei", &["approve", "GZ2026-001001"]);
    }
    o.ok("2026-03-02", "wang.fang", &["approve", "GZ2026-001001"]);
    o.ok(
        "2026-03-10",
        "liu.yang",
        &["record-entry", "GZ2026-001001", "--date", "2026-03-10"],
    );
    let spool = o.dir.join("spool");
    std::fs::create_dir_all(spool.join("inbox")).expect("inbox");
    let line = serde_json::json!({"event": "e_card_registered", "case_no": "GZ2026-001001",
        "upstream_version": 1, "at": "2026-03-12T09:00:00+08:00", "date": "2026-03-09"});
    std::fs::write(spool.join("inbox").join("b1.jsonl"), format!("{line}\n")).expect("batch");
    let out = o
        .pd("2026-03-12")
        .args(["sync", "--spool"])
        .arg(&spool)
        .output()
        .expect("run");
    // Upstream events the case refuses become conflicts for a supervisor, with the reason.
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("1 conflict(s)"), "{text}{}", stderr(&out));
    let shown = o.show("2026-03-12", "GZ2026-001001");
    let conflict = shown["conflicts"][0].to_string();
    assert!(
        conflict.contains("e-card registration 2026-03-09 is before the entry of 2026-03-10"),
        "{shown}"
    );
    assert_eq!(shown["stage"], "verification");
    assert!(
        shown["events"]
            .as_array()
            .expect("events")
            .iter()
            .all(|e| e["action"] != "e_card_registered")
    );
    o.check_passes("2026-03-12");
}
