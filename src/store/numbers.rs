//! The store's yearly number sequences (migration 8) and the register of every number issued,
//! whose primary key makes a number unique within its series. `check` verifies that no two cases
//! hold the same permit or decision-document number.

use super::Store;
use super::check::CheckReport;
use super::error::{Result, SqlContext};
use crate::domain::{Case, Series};
use rusqlite::{Connection, OptionalExtension, params};

/// Takes the next free number of `series` for `year` and registers it for `case_no`, in the
/// caller's transaction. A number already registered (one an older version derived from a case
/// number, say) is skipped.
pub(crate) fn issue(conn: &Connection, series: Series, year: i32, case_no: &str) -> Result<String> {
    let mut serial: u64 = conn
        .prepare_cached("SELECT last FROM number_sequences WHERE series = ?1 AND year = ?2")
        .ctx("reading a number sequence")?
        .query_row(params![series.as_str(), year], |r| r.get::<_, i64>(0))
        .optional()
        .ctx("reading a number sequence")?
        .map_or(0, |n| u64::try_from(n).unwrap_or(0));
    loop {
        serial += 1;
        let number = series.format(year, serial);
        let inserted = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO issued_numbers (series, number, case_no) VALUES (?1, ?2, ?3)",
            )
            .ctx("registering a number")?
            .execute(params![series.as_str(), number, case_no])
            .ctx("registering a number")?;
        if inserted == 1 {
            bump(conn, series, year, serial)?;
            return Ok(number);
        }
    }
}

fn bump(conn: &Connection, series: Series, year: i32, serial: u64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO number_sequences (series, year, last) VALUES (?1, ?2, ?3)
         ON CONFLICT (series, year) DO UPDATE SET last = max(last, excluded.last)",
    )
    .ctx("advancing a number sequence")?
    .execute(params![
        series.as_str(),
        year,
        i64::try_from(serial).unwrap_or(i64::MAX)
    ])
    .ctx("advancing a number sequence")?;
    Ok(())
}

/// Registers the numbers of a case written whole (demo, import) and moves the sequences past
/// them; a number registered already is a duplicate and refused. The permit a case about an
/// existing permit names was not issued by it, and is not registered.
pub(crate) fn register(conn: &Connection, case: &Case) -> Result<()> {
    let issued_permit = case.permit_no.as_deref().filter(|_| case.permit.is_none());
    let numbers = [
        (Series::Permit, issued_permit),
        (Series::DecisionDocument, case.decision_doc_no.as_deref()),
    ];
    for (series, number) in numbers {
        let Some(number) = number else { continue };
        conn.prepare_cached(
            "INSERT INTO issued_numbers (series, number, case_no) VALUES (?1, ?2, ?3)",
        )
        .ctx("registering a number")?
        .execute(params![series.as_str(), number, case.case_no])
        .ctx(&format!(
            "{}: registering {} number {number}",
            case.case_no,
            series.as_str()
        ))?;
        if let Some((year, serial)) = series.parse(number) {
            bump(conn, series, year, serial)?;
        }
    }
    Ok(())
}

impl Store {
    /// Problems: a number held by two cases, a case's number missing from the register or
    /// registered to another case. Warning: numbers made from case numbers before migration 8.
    /// A case about an existing permit holds that permit's number, issued before it: several
    /// such cases may name one permit, and none of them issued it.
    pub(crate) fn check_numbers(&self, report: &mut CheckReport) -> Result<()> {
        let duplicates: Vec<(String, String, String, i64)> = self
            .conn
            .prepare(
                "WITH held (series, n, case_no) AS (
                     SELECT 'permit', permit_no, case_no FROM cases
                     WHERE permit_no IS NOT NULL AND json_extract(data, '$.permit') IS NULL
                     UNION ALL
                     SELECT 'decision_document', json_extract(data, '$.decision_doc_no'), case_no
                     FROM cases WHERE json_extract(data, '$.decision_doc_no') IS NOT NULL
                 )
                 SELECT series, n, group_concat(case_no, ', '), count(*)
                 FROM (SELECT * FROM held ORDER BY case_no)
                 GROUP BY series, n HAVING count(*) > 1 ORDER BY series, n LIMIT 50",
            )
            .ctx("checking number uniqueness")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .ctx("checking number uniqueness")?
            .collect::<rusqlite::Result<_>>()
            .ctx("checking number uniqueness")?;
        for (series, number, cases, n) in duplicates {
            report.problems.push(format!(
                "{series} number {number} is held by {n} cases ({cases}); each must be unique"
            ));
        }
        let unregistered: Vec<(String, String, String, Option<String>)> = self
            .conn
            .prepare(
                "WITH held (series, n, case_no) AS (
                     SELECT 'permit', permit_no, case_no FROM cases
                     WHERE permit_no IS NOT NULL AND json_extract(data, '$.permit') IS NULL
                     UNION ALL
                     SELECT 'decision_document', json_extract(data, '$.decision_doc_no'), case_no
                     FROM cases WHERE json_extract(data, '$.decision_doc_no') IS NOT NULL
                 )
                 SELECT h.case_no, h.series, h.n, i.case_no FROM held h
                 LEFT JOIN issued_numbers i ON i.series = h.series AND i.number = h.n
                 WHERE i.case_no IS NULL OR i.case_no <> h.case_no ORDER BY h.case_no LIMIT 50",
            )
            .ctx("checking the number register")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .ctx("checking the number register")?
            .collect::<rusqlite::Result<_>>()
            .ctx("checking the number register")?;
        for (case_no, series, number, holder) in unregistered {
            report.problems.push(match holder {
                Some(other) => {
                    format!("{case_no}: {series} number {number} is registered to {other}")
                }
                None => {
                    format!("{case_no}: {series} number {number} is not in the store's register")
                }
            });
        }
        let derived: Vec<String> = self
            .conn
            .prepare(
                "SELECT DISTINCT case_no FROM events
                 WHERE ((action = 'approve' AND json_extract(payload, '$.from') = 'decision'
                         AND json_extract(payload, '$.to') IN ('notified', 'completed', 'verification'))
                     OR (action = 'verify' AND json_extract(payload, '$.to') = 'completed'))
                   AND json_extract(payload, '$.number') IS NULL
                   AND NOT (action = 'approve' AND case_id IN (
                       SELECT id FROM cases WHERE json_extract(data, '$.permit') IS NOT NULL))
                 ORDER BY case_no",
            )
            .ctx("checking how numbers were issued")?
            .query_map([], |r| r.get(0))
            .ctx("checking how numbers were issued")?
            .collect::<rusqlite::Result<_>>()
            .ctx("checking how numbers were issued")?;
        if let Some(first) = derived.first() {
            report.warnings.push(format!(
                "{} case(s) hold permit or decision-document numbers made from their case numbers by \
                 a version before schema 8 (first: {first}); such numbers can collide",
                derived.len()
            ));
        }
        Ok(())
    }
}
