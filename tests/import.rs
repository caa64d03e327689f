//! `import` and `export` as an admin runs them: good and bad CSV and JSON Lines files with the
//! exact messages, all-or-nothing, roles, and exports that page through a whole queue.

use assert_cmd::Command;
use predicates::prelude::*;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";

fn pd(dir: &Path) -> Command {
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
    // Messages in English whatever the machine's locale.
    cmd.env_remove("LC_ALL").env("LANG", "C.UTF-8");
    cmd.env("XDG_CONFIG_HOME", dir);
    cmd.current_dir(dir);
    cmd.args(["--db", "s.db", "--today", TODAY]);
    cmd
}

fn store() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    pd(dir.path())
        .args(["init", "--trust-declared-user"])
        .assert()
        .success();
    for (name, role) in [("li.wei", "approver"), ("audit.he", "viewer")] {
        pd(dir.path())
            .args(["user", "add", name, "--role", role])
            .assert()
            .success();
    }
    dir
}

fn events(dir: &Path) -> i64 {
    let conn = Connection::open_with_flags(dir.join("s.db"), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open");
    conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("count")
}

fn show(dir: &Path, case_no: &str) -> Value {
    let out = pd(dir)
        .args(["--json", "case", "show", case_no])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

const HEADER: &str = "case_no,kind,category,legacy,applicant.name,applicant.name_native,\
applicant.passport_no,applicant.nationality,applicant.birth_date,employer.name,employer.uscc,\
position,documents,exam_report.issued_on,exam_report.domestic,exam_report.institution,entry_date";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn csv_with_bom_and_crlf_imports_every_field() {
    let dir = store();
    let text = format!(
        "\u{feff}{HEADER}\r\n\
         IM2026-000001,overseas_new,B,false,MARTIN CLAIRE,,19AB12345,FRA,1991-04-18,广州示例软件有限公司,91440106MA9Y3K1L24,Engineer,passport;degree;contract:missing,,,,\r\n\
         IM2026-000002,new_notification,c,no,NGUYEN VAN AN,阮文安,C1234567,VNM,,\"Guangzhou Example, Ltd.\",91440115MA9UPQ3R43,,passport,2026-10-05,yes,广东国际旅行卫生保健中心,2026-10-01\r\n"
    );
    write(dir.path(), "cases.csv", text.as_bytes());
    pd(dir.path())
        .args(["import", "cases.csv"])
        .assert()
        .success()
        .stdout("cases.csv: imported 2 case(s)\n");
    let one = show(dir.path(), "IM2026-000001");
    assert_eq!(one["stage"], "pre_audit");
    assert_eq!(one["applicant"]["birth_date"], "1991-04-18");
    assert_eq!(one["documents"][2]["kind"], "contract");
    assert_eq!(one["documents"][2]["ok"], false);
    assert_eq!(one["documents"][0]["ok"], true);
    assert_eq!(one["events"][0]["action"], "submit");
    assert_eq!(one["events"][0]["role"], "admin");
    let two = show(dir.path(), "IM2026-000002");
    assert_eq!(two["category"], "C");
    assert_eq!(two["applicant"]["name_native"], "阮文安");
    assert_eq!(two["employer"]["name"], "Guangzhou Example, Ltd.");
    assert_eq!(two["exam_report"]["domestic"], true);
    assert_eq!(two["entry_date"], "2026-10-01");
    pd(dir.path()).arg("check").assert().success();
}

#[test]
fn jsonl_imports_and_a_second_import_finds_the_duplicates() {
    let dir = store();
    let text = concat!(
        "{\"case_no\":\"IM-J1\",\"kind\":\"domestic_new\",\"category\":\"A\",\"applicant\":{\"name\":\"DOE JANE\",\"passport_no\":\"X1234567\",\"nationality\":\"USA\"},\"employer\":{\"name\":\"Example\",\"uscc\":\"91440101MA5CQ7H2XC\"}}\r\n",
        "\r\n",
        "{\"case_no\":\"IM-J2\",\"kind\":\"extension\",\"category\":\"B\",\"applicant\":{\"name\":\"ROE RICHARD\",\"passport_no\":\"X7654321\",\"nationality\":\"CAN\"},\"employer\":{\"name\":\"Example\",\"uscc\":\"91440101MA5CQ7H2XC\"},\"documents\":[{\"kind\":\"passport\",\"ok\":true}],\"permit\":{\"permit_no\":\"440100202400000042\",\"expires_on\":\"2027-01-31\"}}\r\n",
    );
    write(dir.path(), "a.jsonl", text.as_bytes());
    pd(dir.path())
        .args(["import", "a.jsonl"])
        .assert()
        .success()
        .stdout("a.jsonl: imported 2 case(s)\n");
    let before = events(dir.path());
    pd(dir.path())
        .args(["import", "a.jsonl"])
        .assert()
        .code(6)
        .stderr(
            "a.jsonl:1: case_no: IM-J1 already exists in the store\n\
             a.jsonl:3: case_no: IM-J2 already exists in the store\n\
             permitdesk: 2 bad line(s); nothing was imported\n",
        );
    assert_eq!(events(dir.path()), before);
}

#[test]
fn every_bad_csv_line_is_reported_and_nothing_is_imported() {
    let dir = store();
    let text = "case_no,kind,category,applicant.name,applicant.passport_no,applicant.nationality,applicant.birth_date,employer.name,employer.uscc\n\
        IM-1,overseas_new,B,ONE A,E1234567,GBR,1990-01-01,Co,91440101MA5CQ7H2XD\n\
        IM-2,overseas_new,B,TWO A,E1234568,GBR,1990-02-30,Co,91440101MA5CQ7H2XC\n\
        IM-3,overseas_new,B,THREE A,,GBR,1990-01-01,Co,91440101MA5CQ7H2XC\n\
        IM-4,overseas_new,B,FOUR A,E1234569,GBR,,Co,91440101MA5CQ7H2XC\n\
        IM-4,domestic_new,A,FIVE A,E1234570,FRA,,Co,91440101MA5CQ7H2XC\n\
        IM-6,weird,D,SIX A,E1234571,XX,01/02/1990,Co,9144\n\
        IM-7,overseas_new,B,SEVEN A,E1234572,GBR\n";
    write(dir.path(), "bad.csv", text.as_bytes());
    let before = events(dir.path());
    pd(dir.path())
        .args(["import", "bad.csv"])
        .assert()
        .code(6)
        .stdout("")
        .stderr(
            "bad.csv:2: employer.uscc: unified social credit code 91440101MA5CQ7H2XD: check character should be C, found D\n\
             bad.csv:3: applicant.birth_date: \"1990-02-30\" is not a calendar date\n\
             bad.csv:4: applicant.passport_no: is required\n\
             bad.csv:6: case_no: IM-4 appears again (first on line 5)\n\
             bad.csv:7: kind: unknown kind \"weird\"; expected one of: overseas_new, new_notification, e_certificate, domestic_new, extension, change, cancellation\n\
             bad.csv:7: category: unknown category \"D\"; expected one of: A, B, C\n\
             bad.csv:7: applicant.nationality: \"XX\" is not an ISO 3166-1 alpha-3 code\n\
             bad.csv:7: applicant.birth_date: \"01/02/1990\" is not a date; expected YYYY-MM-DD\n\
             bad.csv:7: employer.uscc: unified social credit code \"9144\" must be 18 characters from 0-9 A-H J-N P-R T-U W-Y, found 4\n\
             bad.csv:8: record: has 6 cells; the header has 9\n\
             permitdesk: 6 bad line(s); nothing was imported\n",
        );
    assert_eq!(events(dir.path()), before);
}

#[test]
fn bad_json_lines_each_get_their_message() {
    let dir = store();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"{\"case_no\":\"IM-1\",\"kind\":\"domestic_new\",\"category\":2,\"colour\":\"red\",\"applicant\":{\"name\":\"A\",\"passport_no\":\"X1234567\",\"nationality\":\"USA\"},\"employer\":\"Example\"}\n");
    bytes.extend_from_slice(b"[1, 2]\n");
    bytes.extend_from_slice(b"{\"case_no\":\"IM-3\",\"applicant\":{\"name\":\"\\u00e9\xff\"}}\n");
    bytes.extend_from_slice(b"{\"case_no\":\"IM 4\"");
    bytes.extend(std::iter::repeat_n(b' ', 1 << 20));
    bytes.extend_from_slice(b"}\n");
    bytes.extend_from_slice(b"{\"case_no\":\"IM-5\",\"kind\":\"domestic_new\",\"category\":\"A\",\"applicant\":{\"name\":\"A\",\"passport_no\":\"X1234567\",\"nationality\":\"USA\",\"birth_date\":\"2030-01-01\"},\"employer\":{\"name\":\"E\",\"uscc\":\"91440101MA5CQ7H2XC\"},\"entry_date\":\"2026-01-01\"}\n");
    write(dir.path(), "bad.jsonl", &bytes);
    pd(dir.path())
        .args(["import", "bad.jsonl"])
        .assert()
        .code(6)
        .stderr(
            "bad.jsonl:1: colour: unknown field; expected one of: case_no, kind, category, legacy, applicant, employer, position, documents, exam_report, entry_date, permit\n\
             bad.jsonl:1: category: must be a string\n\
             bad.jsonl:1: employer: must be an object\n\
             bad.jsonl:2: record: must be a JSON object\n\
             bad.jsonl:3: record: is not valid UTF-8 (byte 46)\n\
             bad.jsonl:4: record: the line is 1048594 bytes long; at most 1048576 are read\n\
             bad.jsonl:5: applicant.birth_date: 2030-01-01 is in the future (today is 2026-11-26)\n\
             bad.jsonl:5: entry_date: only legacy and new_notification cases may arrive with an entry date\n\
             permitdesk: 5 bad line(s); nothing was imported\n",
        );
}

#[test]
fn a_bad_second_file_keeps_the_good_first_one_out_too() {
    let dir = store();
    write(
        dir.path(),
        "a.jsonl",
        b"{\"case_no\":\"IM-X\",\"kind\":\"domestic_new\",\"category\":\"A\",\"applicant\":{\"name\":\"A\",\"passport_no\":\"X1234567\",\"nationality\":\"USA\"},\"employer\":{\"name\":\"E\",\"uscc\":\"91440101MA5CQ7H2XC\"}}\n",
    );
    let csv =
        format!("{HEADER}\nIM-X,domestic_new,A,,B,,X7654321,USA,,E,91440101MA5CQ7H2XC,,,,,,\n");
    write(dir.path(), "b.csv", csv.as_bytes());
    pd(dir.path())
        .args(["import", "a.jsonl", "b.csv"])
        .assert()
        .code(6)
        .stderr(
            "b.csv:2: case_no: IM-X appears again (first in a.jsonl line 1)\n\
             permitdesk: 1 bad line(s); nothing was imported\n",
        );
    assert_eq!(events(dir.path()), 0);
    pd(dir.path())
        .args(["import", "--dry-run", "a.jsonl"])
        .assert()
        .success()
        .stdout("a.jsonl: 1 case(s) would be imported (dry run; nothing changed)\n");
    assert_eq!(events(dir.path()), 0);
    write(dir.path(), "notes.txt", b"hello");
    pd(dir.path())
        .args(["import", "notes.txt"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "notes.txt: unknown file type; name it .jsonl (JSON Lines) or .csv",
        ));
}

#[test]
fn import_needs_the_admin_role() {
    let dir = store();
    write(
        dir.path(),
        "a.jsonl",
        b"{\"case_no\":\"IM-R\",\"kind\":\"domestic_new\",\"category\":\"A\",\"applicant\":{\"name\":\"A\",\"passport_no\":\"X1234567\",\"nationality\":\"USA\"},\"employer\":{\"name\":\"E\",\"uscc\":\"91440101MA5CQ7H2XC\"}}\n",
    );
    for user in ["li.wei", "audit.he"] {
        for dry in [false, true] {
            let mut cmd = pd(dir.path());
            cmd.args(["--as", user, "import", "a.jsonl"]);
            if dry {
                cmd.arg("--dry-run");
            }
            cmd.assert()
                .code(3)
                .stderr(predicate::str::contains("import needs the admin role"));
        }
    }
    pd(dir.path())
        .args(["--as", "nobody", "import", "a.jsonl"])
        .assert()
        .code(3);
    assert_eq!(events(dir.path()), 0);
}

#[test]
fn export_pages_through_a_whole_queue_in_both_formats() {
    let dir = TempDir::new().expect("temp dir");
    let base = dir.path();
    pd(base)
        .args(["demo", "--cases", "1200", "--seed", "5", "--no-tui"])
        .assert()
        .success();
    let listed: Value = {
        let out = pd(base)
            .args([
                "--as", "li.wei", "--json", "case", "list", "--limit", "10000",
            ])
            .output()
            .expect("list");
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let listed = listed.as_array().expect("rows");
    assert_eq!(listed.len(), 1200);
    let out = pd(base)
        .args(["--as", "li.wei", "export", "--format", "jsonl"])
        .output()
        .expect("export");
    assert!(out.status.success());
    let exported: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("row"))
        .collect();
    assert_eq!(&exported, listed, "export rows differ from case list rows");

    pd(base)
        .args([
            "--as",
            "audit.he",
            "export",
            "--queue",
            "pre-audit",
            "-o",
            "pre.csv",
        ])
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(base.join("pre.csv")).expect("csv");
    let header = reader.headers().expect("header").clone();
    assert_eq!(&header[0], "case_no");
    assert_eq!(&header[7], "applicant.name");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let pre: Vec<&Value> = listed
        .iter()
        .filter(|r| r["stage"] == "pre_audit")
        .collect();
    assert_eq!(rows.len(), pre.len());
    assert_eq!(&rows[0][0], pre[0]["case_no"].as_str().expect("case_no"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(base.join("pre.csv"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o007,
            0,
            "an export holds passport numbers: not world-readable"
        );
    }
    pd(base)
        .args(["--as", "li.wei", "export", "--format", "xml"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("--format: unknown format \"xml\""));
}

const CSV_HEADER: &str = "case_no,kind,category,applicant.name,applicant.passport_no,applicant.nationality,employer.name,employer.uscc\n";

#[test]
fn inputs_that_are_not_regular_files_are_refused_before_reading() {
    let dir = store();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.jsonl")).expect("link");
    pd(dir.path())
        .args(["import", "zero.jsonl"])
        .assert()
        .code(6)
        .stderr("permitdesk: zero.jsonl: not a regular file\n");
    nix::unistd::mkfifo(&dir.path().join("pipe.csv"), nix::sys::stat::Mode::S_IRWXU).expect("fifo");
    pd(dir.path())
        .args(["import", "pipe.csv"])
        .assert()
        .code(6)
        .stderr("permitdesk: pipe.csv: not a regular file\n");
}

#[test]
fn a_huge_csv_cell_or_record_is_refused_without_holding_it() {
    let dir = store();
    let big_cell = format!(
        "{CSV_HEADER}IM-1,overseas_new,B,{},E1234567,GBR,Co,91440101MA5CQ7H2XC\n",
        "A".repeat(100 << 10)
    );
    write(dir.path(), "cell.csv", big_cell.as_bytes());
    pd(dir.path())
        .args(["import", "cell.csv"])
        .assert()
        .code(6)
        .stderr(
            "cell.csv:2: applicant.name: is 102400 bytes long; at most 65536 are read\n\
             permitdesk: 1 bad line(s); nothing was imported\n",
        );
    // One quoted cell of 50 MB: the record is cut off at its budget, and the file ends there.
    let mut huge = format!("{CSV_HEADER}IM-1,overseas_new,B,\"").into_bytes();
    huge.extend(std::iter::repeat_n(b'x', 50 << 20));
    huge.extend(b"\",E1234567,GBR,Co,91440101MA5CQ7H2XC\n");
    write(dir.path(), "huge.csv", &huge);
    let before = events(dir.path());
    pd(dir.path())
        .args(["import", "huge.csv"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "huge.csv: a record longer than 1048576 bytes; the rest of the file is not read",
        ));
    assert_eq!(events(dir.path()), before);
}

#[test]
fn thousands_of_bad_lines_show_the_first_thousand_and_count_the_rest() {
    let dir = store();
    let mut text = String::new();
    for _ in 0..1500 {
        text.push_str("not json\n");
    }
    write(dir.path(), "bad.jsonl", text.as_bytes());
    let out = pd(dir.path())
        .args(["import", "bad.jsonl"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(6));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1002, "{}", lines[..3].join("\n"));
    assert!(lines[0].starts_with("bad.jsonl:1: record: is not JSON"));
    assert!(lines[999].starts_with("bad.jsonl:1000: record:"));
    assert_eq!(lines[1000], "... and 500 more problem(s) not shown");
    assert_eq!(
        lines[1001],
        "permitdesk: 1500 bad line(s); nothing was imported"
    );
}
