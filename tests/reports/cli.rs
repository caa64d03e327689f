//! `permitdesk report` through the real binary, on a demo store.

use super::{Figure, Store, day};
use assert_cmd::Command;
use permitdesk::domain::Calendar;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";

fn pd(db: &Path) -> Command {
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
    cmd.env("XDG_CONFIG_HOME", db.parent().expect("dir"));
    cmd.arg("--db").arg(db);
    cmd
}

fn demo() -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new().expect("dir");
    let db = dir.path().join("demo.db");
    pd(&db)
        .args(["demo", "--cases", "300", "--no-tui", "--today", TODAY])
        .assert()
        .success();
    (dir, db)
}

fn report(db: &Path, args: &[&str]) -> Vec<u8> {
    let out = pd(db)
        .args(["--as", "wang.fang", "--today", TODAY, "report"])
        .args(args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_reader(bytes);
    let headers = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    (headers, r.records().map(|r| r.expect("record")).collect())
}

fn overdue_queue(db: &Path) -> Vec<String> {
    let out = pd(db)
        .args([
            "--as",
            "wang.fang",
            "--today",
            TODAY,
            "case",
            "list",
            "--queue",
            "overdue",
            "--limit",
            "10000",
            "--json",
        ])
        .output()
        .expect("run");
    let rows: Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows = rows.as_array().expect("list");
    rows.iter()
        .map(|r| r["case_no"].as_str().expect("case_no").to_string())
        .collect()
}

#[test]
fn reports_through_the_binary_agree_with_the_overdue_queue() {
    let (dir, db) = demo();
    let queue = overdue_queue(&db);
    assert!(!queue.is_empty(), "the demo has overdue cases");

    let (headers, rows) = csv_rows(&report(&db, &["overdue", "--format", "csv"]));
    assert_eq!(
        headers,
        ["bucket", "pre_audit", "decision", "verification", "total"]
    );
    assert_eq!(rows.len(), 4);
    let total: usize = rows
        .iter()
        .map(|r| r[4].parse::<usize>().expect("count"))
        .sum();
    assert_eq!(total, queue.len());

    let (headers, rows) = csv_rows(&report(
        &db,
        &["overdue", "--by", "case", "--format", "csv"],
    ));
    assert_eq!(headers[0], "case_no");
    let mut listed: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
    let mut expected = queue.clone();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);

    let (_, rows) = csv_rows(&report(
        &db,
        &["overdue", "--by", "employer", "--format", "csv"],
    ));
    let total: usize = rows
        .iter()
        .map(|r| r[5].parse::<usize>().expect("count"))
        .sum();
    assert_eq!(total, queue.len());

    let doc: Value =
        serde_json::from_slice(&report(&db, &["overdue", "--format", "json"])).expect("json");
    assert_eq!(doc["total"]["total"].as_u64(), Some(queue.len() as u64));
    let sum: u64 = doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["total"].as_u64().expect("n"))
        .sum();
    assert_eq!(sum, queue.len() as u64);

    // Workload agrees with each person's my-cases queue.
    let doc: Value = serde_json::from_slice(&report(&db, &["workload", "--json"])).expect("json");
    let li = doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["assignee"] == "li.wei")
        .expect("li.wei")
        .clone();
    let mine = pd(&db)
        .args([
            "--as", "li.wei", "--today", TODAY, "case", "list", "--queue", "my-cases", "--limit",
            "10000", "--json",
        ])
        .output()
        .expect("run");
    let mine: Value = serde_json::from_slice(&mine.stdout).expect("json");
    assert_eq!(
        li["open"].as_u64(),
        Some(mine.as_array().expect("list").len() as u64)
    );

    // SLA as JSON: eleven rows whose shares add up.
    let doc: Value = serde_json::from_slice(&report(
        &db,
        &[
            "sla",
            "--from",
            "2026-10-01",
            "--to",
            TODAY,
            "--format",
            "json",
        ],
    ))
    .expect("json");
    let rows = doc["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 11);
    assert_eq!(doc["from"], "2026-10-01");
    for r in rows {
        let n = |k: &str| r[k].as_i64().expect(k);
        assert_eq!(n("counted"), n("met") + n("missed"));
        assert_eq!(n("missed"), n("ended_late") + n("running_overdue"));
        match r["share_met"].as_f64() {
            Some(s) => assert!((s - n("met") as f64 / n("counted") as f64).abs() < 1e-9),
            None => assert_eq!(n("counted"), 0),
        }
    }
    // The history replay agrees with the stored deadlines: today's trend point is the queue.
    let store = Store::open_read_only(&db, Calendar::embedded()).expect("open");
    let today = day(TODAY);
    let trend = store.overdue_trend(today, 30).expect("trend");
    let (replayed, stats) = store.overdue_trend_replayed(today, 30).expect("replay");
    assert!(stats.unreadable.is_empty(), "{:?}", stats.unreadable);
    assert_eq!(trend, replayed, "the kept trend is the replayed one");
    assert_eq!(
        trend.points.last().map(|p| p.overdue),
        Some(queue.len() as i64)
    );
    let replayed = store
        .figure_cases(&Figure::OverdueOn(today), today, 10_000)
        .expect("cases");
    let mut replayed: Vec<String> = replayed.rows.into_iter().map(|r| r.case_no).collect();
    replayed.sort();
    assert_eq!(replayed, expected);
    assert_eq!(
        store.dashboard(today).expect("dashboard").overdue,
        queue.len() as i64
    );

    let table = String::from_utf8(report(&db, &["sla"])).expect("utf-8");
    assert!(table.starts_with("timer"), "{table}");
    drop(dir);
}

#[test]
fn excel_workbooks_and_refusals() {
    let (dir, db) = demo();
    let file = dir.path().join("overdue.xlsx");
    report(
        &db,
        &[
            "overdue",
            "--format",
            "xlsx",
            "-o",
            file.to_str().expect("path"),
        ],
    );
    let bytes = std::fs::read(&file).expect("workbook");
    assert!(bytes.len() > 1000);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).expect(name), &mut s).expect("read");
        s
    };
    let book = read("xl/workbook.xml");
    for sheet in ["By days overdue", "By employer", "Cases", "About"] {
        assert!(
            book.contains(&format!("name=\"{sheet}\"")),
            "{sheet} in {book}"
        );
    }
    let first = read("xl/worksheets/sheet1.xml");
    assert!(
        first.contains("<dimension ref=\"A1:E5\"/>"),
        "a header and four bands"
    );
    assert!(first.contains("state=\"frozen\""), "frozen header");
    assert!(first.contains("<cols>"), "column widths");
    let styles = read("xl/styles.xml");
    assert!(styles.contains("<b/>"), "a bold header");
    assert!(
        styles.contains("formatCode=\"yyyy-mm-dd\""),
        "dates as dates"
    );
    let strings = read("xl/sharedStrings.xml");
    assert!(strings.contains("method") && strings.contains("Overdue queue"));

    let sla = dir.path().join("sla.xlsx");
    report(
        &db,
        &["sla", "--format", "xlsx", "-o", sla.to_str().expect("path")],
    );
    assert!(std::fs::metadata(&sla).expect("sla workbook").len() > 1000);

    let code = |args: &[&str], who: &str| {
        pd(&db)
            .args(["--as", who, "--today", TODAY, "report"])
            .args(args)
            .output()
            .expect("run")
            .status
            .code()
    };
    assert_eq!(
        code(&["overdue", "--format", "xlsx"], "wang.fang"),
        Some(6),
        "xlsx needs -o"
    );
    assert_eq!(code(&["sla", "--from", "2026-13-01"], "wang.fang"), Some(6));
    assert_eq!(
        code(
            &["sla", "--from", "2026-11-30", "--to", "2026-11-01"],
            "wang.fang"
        ),
        Some(6)
    );
    assert_eq!(code(&["overdue"], "nobody"), Some(3));
    assert_eq!(code(&["overdue"], "former.staff"), Some(3), "disabled");
    assert_eq!(
        code(&["workload"], "audit.he"),
        Some(0),
        "a viewer may read reports"
    );
    assert_eq!(code(&["overdue", "--format", "pdf"], "wang.fang"), Some(2));
}

/// `cargo test --release --test reports -- --ignored --nocapture` with PERMITDESK_BENCH_DB set
/// to a demo store: how long the figures take.
#[test]
#[ignore]
fn timings_on_a_demo_store() {
    let Ok(path) = std::env::var("PERMITDESK_BENCH_DB") else {
        return;
    };
    let store = Store::open_read_only(Path::new(&path), Calendar::embedded()).expect("open");
    let today = day(TODAY);
    let time = |what: &str, f: &dyn Fn()| {
        let start = std::time::Instant::now();
        f();
        println!("{what}: {:.1} ms", start.elapsed().as_secs_f64() * 1000.0);
    };
    time("overdue_report", &|| {
        drop(store.overdue_report(today).expect("overdue"))
    });
    time("workload", &|| {
        drop(store.workload(today).expect("workload"))
    });
    time("overdue_trend (30 days)", &|| {
        drop(store.overdue_trend(today, 30).expect("trend"))
    });
    time("overdue_trend (30 days), replayed", &|| {
        let (_, stats) = store.overdue_trend_replayed(today, 30).expect("trend");
        println!("  {} cases, {} events replayed", stats.cases, stats.events);
    });
    time("sla (30 days)", &|| {
        drop(store.sla(day("2026-10-28"), today, today).expect("sla"))
    });
    time("sla (one year)", &|| {
        drop(store.sla(day("2025-11-27"), today, today).expect("sla"))
    });
    time("sla (one year), replayed", &|| {
        drop(
            store
                .sla_replayed(day("2025-11-27"), today, today)
                .expect("sla"),
        )
    });
    time("dashboard", &|| {
        drop(store.dashboard(today).expect("dashboard"))
    });
    for section in permitdesk::store::DashboardSection::ALL {
        time(&format!("dashboard section {section:?}"), &|| {
            drop(store.dashboard_part(section, today).expect("section"))
        });
    }
}
