//! Issue 15's seed facts through the real binary: who presents at verification and with what
//! visa (FAQ Q3), cases about an existing permit (Q2, Q10), the changeover day (Q8) and the
//! unified social credit code's structure, with exit codes, messages and `check`.

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

/// A B case imported on Mon 2026-03-02, accepted and recommended on 03-03, signed on 03-09 and
/// entered on 03-10: in verification.
fn in_verification(o: &Office, case_no: &str) {
    o.imported("2026-03-02", &case(case_no, "overseas_new", "B"));
    for _ in 0..2 {
        o.ok("2026-03-03", "li.wei", &["claim", case_no]);
        o.ok("2026-03-03", "li.wei", &["approve", case_no]);
    }
    o.ok("2026-03-09", "wang.fang", &["approve", case_no]);
    o.ok(
        "2026-03-10",
        "liu.yang",
        &["record-entry", case_no, "--date", "2026-03-10"],
    );
}

/// `case verify` with a passing checklist but for who presented and the visa.
fn verify<'a>(case_no: &'a str, presented_by: &'a str, visa_kind: &'a str) -> Vec<&'a str> {
    vec![
        "verify",
        case_no,
        "--presented-by",
        presented_by,
        "--exam-date",
        "2026-03-12",
        "--exam-domestic",
        "--visa-kind",
        visa_kind,
        "--visa-valid-until",
        "2027-03-01",
        "--originals",
        "--sealed-copies",
    ]
}

// Seed fact 1 ---------------------------------------------------------------------------------

#[test]
fn an_agent_needs_a_power_of_attorney_and_the_history_says_who_presented() {
    let o = Office::new();
    in_verification(&o, "GZ2026-000501");
    let out = o.case(
        "2026-03-20",
        "liu.yang",
        &verify("GZ2026-000501", "agent", "work-visa"),
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "GZ2026-000501: the checklist does not pass: power_of_attorney: an agent may present \
             the materials only with a power of attorney signed for it (FAQ Q3); none was seen"
        ),
        "{}",
        stderr(&out)
    );
    let mut args = verify("GZ2026-000501", "agent", "work-visa");
    args.push("--power-of-attorney");
    o.ok("2026-03-20", "liu.yang", &args);
    let shown = o.show("2026-03-20", "GZ2026-000501");
    let events = shown["events"].as_array().expect("events");
    let verified = events.last().expect("verify");
    assert_eq!(verified["checklist"]["presented_by"], "agent", "{verified}");
    assert_eq!(verified["checklist"]["power_of_attorney"], true);
    assert_eq!(verified["checklist"]["visa_kind"], "work_visa");
    let text = o
        .pd("2026-03-20")
        .args(["--as", "li.wei", "case", "show", "GZ2026-000501"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text.contains(
            "presented by an agent with a power of attorney (power of attorney seen); work visa \
             (Z) valid until 2027-03-01"
        ),
        "{text}"
    );
    o.check_passes("2026-03-20");
}

#[test]
fn the_employers_handler_presents_without_a_power_of_attorney() {
    let o = Office::new();
    in_verification(&o, "GZ2026-000502");
    o.ok(
        "2026-03-20",
        "liu.yang",
        &verify("GZ2026-000502", "handler", "work-residence-permit"),
    );
    let shown = o.show("2026-03-20", "GZ2026-000502");
    assert_eq!(shown["stage"], "completed");
    let out = o.case(
        "2026-03-20",
        "liu.yang",
        &verify("GZ2026-000502", "friend", "work-visa"),
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--presented-by: unknown presenter \"friend\""),
        "{}",
        stderr(&out)
    );
}

// Seed fact 2 ---------------------------------------------------------------------------------

#[test]
fn only_a_work_visa_or_a_work_residence_permit_is_accepted() {
    let o = Office::new();
    in_verification(&o, "GZ2026-000601");
    let out = o.case(
        "2026-03-20",
        "liu.yang",
        &verify("GZ2026-000601", "applicant", "tourist-visa"),
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim_end(),
        "permitdesk: GZ2026-000601: --visa-kind: \"tourist-visa\" is not accepted: on-site verification \
         needs a valid work visa (Z) or a work-type residence permit (FAQ Q3): work-visa or \
         work-residence-permit"
    );
    // Without it: a usage error, like the other checklist options.
    let mut args = verify("GZ2026-000601", "applicant", "work-visa");
    args.retain(|a| *a != "--visa-kind" && *a != "work-visa");
    let out = o.case("2026-03-20", "liu.yang", &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--visa-kind"), "{}", stderr(&out));
    o.ok(
        "2026-03-20",
        "liu.yang",
        &verify("GZ2026-000601", "applicant", "work-residence-permit"),
    );
}

// Seed fact 3 ---------------------------------------------------------------------------------

/// A case about an existing permit that expires on `expires_on`.
fn about_permit(case_no: &str, kind: &str, expires_on: &str) -> Value {
    let mut c = case(case_no, kind, "B");
    c["permit"] = serde_json::json!({"permit_no": "440100202400000777", "expires_on": expires_on});
    c
}

#[test]
fn a_case_about_an_existing_permit_needs_it_and_keeps_its_number() {
    let o = Office::new();
    let out = o.import("2026-03-02", &case("GZ2026-000901", "extension", "B"));
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "in.jsonl:1: permit: an extension case concerns a permit the applicant holds: give \
             permit.permit_no and permit.expires_on"
        ),
        "{}",
        stderr(&out)
    );
    // Two cases about one permit: an extension, then a change.
    o.imported(
        "2026-03-02",
        &about_permit("GZ2026-000901", "extension", "2026-04-30"),
    );
    o.imported(
        "2026-03-02",
        &about_permit("GZ2026-000902", "change", "2026-04-30"),
    );
    for case_no in ["GZ2026-000901", "GZ2026-000902"] {
        for _ in 0..2 {
            o.ok("2026-03-03", "li.wei", &["claim", case_no]);
            o.ok("2026-03-03", "li.wei", &["approve", case_no]);
        }
        o.ok("2026-03-05", "wang.fang", &["approve", case_no]);
        let shown = o.show("2026-03-05", case_no);
        assert_eq!(shown["stage"], "completed", "{shown}");
        assert_eq!(shown["permit_no"], "440100202400000777");
        assert_eq!(shown["permit"]["expires_on"], "2026-04-30");
    }
    // Both are found by the permit's number, and check does not take them for a duplicate.
    let found = o.json(
        "2026-03-05",
        &["case", "list", "--search", "440100202400000777"],
    );
    assert_eq!(found.as_array().map(Vec::len), Some(2), "{found}");
    o.check_passes("2026-03-05");
}

#[test]
fn an_e_certificate_exchange_of_an_expired_permit_is_not_accepted() {
    let o = Office::new();
    o.imported(
        "2026-03-02",
        &about_permit("GZ2026-000903", "e_certificate", "2026-02-28"),
    );
    o.ok("2026-03-03", "li.wei", &["claim", "GZ2026-000903"]);
    let out = o.case("2026-03-03", "li.wei", &["approve", "GZ2026-000903"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "GZ2026-000903: permit 440100202400000777 expired on 2026-02-28, before the \
             submission on 2026-03-02; an e-certificate exchange is only for a physical permit \
             that has not expired or one approved but never collected (FAQ Q10): not-accept it \
             with this reason"
        ),
        "{}",
        stderr(&out)
    );
    let text = o
        .pd("2026-03-03")
        .args(["--as", "li.wei", "case", "show", "GZ2026-000903"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text.contains("Not eligible  the permit expired on 2026-02-28"),
        "{text}"
    );
    o.ok(
        "2026-03-03",
        "li.wei",
        &[
            "not-accept",
            "GZ2026-000903",
            "--reason",
            "The permit expired on 2026-02-28 (FAQ Q10)",
        ],
    );
    // One approved but never collected is accepted, expired or not.
    let mut never = about_permit("GZ2026-000904", "e_certificate", "2025-06-30");
    never["permit"]["collected"] = false.into();
    o.imported("2026-03-02", &never);
    o.ok("2026-03-03", "li.wei", &["claim", "GZ2026-000904"]);
    o.ok("2026-03-03", "li.wei", &["approve", "GZ2026-000904"]);
    o.check_passes("2026-03-03");
}

#[test]
fn cancelling_a_notification_is_refused_by_name() {
    let o = Office::new();
    let out = o.import(
        "2026-03-02",
        &case("GZ2026-000905", "notification_cancellation", "B"),
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "in.jsonl:1: kind: cancelling a Work Permit Notification (工作许可通知注销) no longer \
             exists since the card integration (FAQ Q2); a cancellation concerns a work permit: \
             kind cancellation, with its permit"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn csv_imports_carry_the_permit() {
    let o = Office::new();
    std::fs::write(
        o.dir.join("in.csv"),
        "case_no,kind,category,applicant.name,applicant.passport_no,applicant.nationality,\
         employer.name,employer.uscc,permit.permit_no,permit.expires_on,permit.collected\n\
         GZ2026-000906,cancellation,B,SMITH JOHN,E12345678,GBR,Example,91440101MA5CQ7H2XC,\
         440100202400000777,2026-09-30,yes\n",
    )
    .expect("write");
    let out = o
        .pd("2026-03-02")
        .args(["import", "in.csv"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = o.show("2026-03-02", "GZ2026-000906");
    assert_eq!(
        shown["permit"]["permit_no"], "440100202400000777",
        "{shown}"
    );
    assert_eq!(shown["permit"]["collected"], true);
}

// Seed fact 4 ---------------------------------------------------------------------------------

/// `permitdesk ARGS` run by the store's admin (the login that made it) on `today`.
fn admin(o: &Office, today: &str, args: &[&str]) -> std::process::Output {
    o.pd(today).args(args).output().expect("run")
}

#[test]
fn the_changeover_day_is_an_audited_office_setting() {
    let o = Office::new();
    let shown = o.json("2026-03-02", &["settings", "show"]);
    assert_eq!(shown["policy"]["changeover"], "2024-12-01", "{shown}");
    // Only an admin changes it.
    let out = o
        .pd("2026-03-02")
        .args(["--as", "wang.fang", "settings", "changeover", "2025-01-15"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = admin(&o, "2026-03-02", &["settings", "changeover", "2026-03-03"]);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("changeover: 2026-03-03 is not a changeover day"),
        "{}",
        stderr(&out)
    );
    let out = admin(&o, "2026-03-02", &["settings", "changeover", "2026-03-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        "the changeover day is 2026-03-01 (was 2024-12-01); every open deadline was recomputed"
    );
    let log = admin(&o, "2026-03-02", &["log", "--kind", "settings"]);
    let log = String::from_utf8_lossy(&log.stdout).into_owned();
    assert!(
        log.contains("policy.changeover 2024-12-01 -> 2026-03-01"),
        "{log}"
    );
    // No new_notification before it: refused at import, exit 6, naming the field.
    let out = o.import(
        "2026-02-27",
        &case("GZ2026-000801", "new_notification", "B"),
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "in.jsonl:1: kind: new_notification cases exist only from the card integration's \
             changeover day 2026-03-01 (FAQ Q9, Q10); this submission is dated 2026-02-27"
        ),
        "{}",
        stderr(&out)
    );
    o.imported(
        "2026-03-02",
        &case("GZ2026-000801", "new_notification", "B"),
    );
    // A day that case contradicts is refused, naming it; nothing changes.
    let out = admin(&o, "2026-03-05", &["settings", "changeover", "2026-03-04"]);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "changeover: 1 case(s) contradict it (first: GZ2026-000801, a new_notification case \
             submitted on 2026-03-02, before the changeover day 2026-03-04"
        ),
        "{}",
        stderr(&out)
    );
    let shown = o.json("2026-03-05", &["settings", "show"]);
    assert_eq!(shown["policy"]["changeover"], "2026-03-01");
    o.check_passes("2026-03-05");
}

#[test]
fn check_finds_a_changeover_day_written_around_the_audit() {
    let o = Office::new();
    o.imported(
        "2026-03-02",
        &case("GZ2026-000802", "new_notification", "B"),
    );
    // The settings table says 2026-03-04, which the administrative history never gave.
    let conn = rusqlite::Connection::open(o.db()).expect("open");
    let policy: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'policy'", [], |r| {
            r.get(0)
        })
        .expect("policy");
    let mut policy: Value = serde_json::from_str(&policy).expect("json");
    policy["changeover"] = "2026-03-04".into();
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'policy'",
        [policy.to_string()],
    )
    .expect("tamper");
    drop(conn);
    let out = o.pd("2026-03-05").arg("check").output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(
        text.contains(
            "settings: the stored policy differs from the one the administrative history gives"
        ),
        "{text}"
    );
    // The store runs on the audited day: the case still stands.
    assert!(!text.contains("GZ2026-000802"), "{text}");
    assert_eq!(o.queue("2026-03-05", "pre-audit"), vec!["GZ2026-000802"]);
}

// Seed fact 5 ---------------------------------------------------------------------------------

#[test]
fn an_employer_code_without_the_structure_of_gb_32100_is_refused() {
    let o = Office::new();
    let mut c = case("GZ2026-000701", "domestic_new", "B");
    c["employer"]["uscc"] = "6Y5U59AY6HWML65YY0".into();
    let out = o.import("2026-03-02", &c);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "employer.uscc: unified social credit code 6Y5U59AY6HWML65YY0: the second character, \
             the entity type under registration authority 6, is 'Y'; GB 32100 defines 1, 2, 9 there"
        ),
        "{}",
        stderr(&out)
    );
}
