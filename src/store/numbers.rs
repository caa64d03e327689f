//! The store's yearly number sequences (migration 8) and the register of every number issued,
//! whose primary key makes a number unique within its series. `check` verifies that no two cases
//! hold the same permit or decision-document number.

use super::check::CheckReport;
use super::error::{Result, SqlContext};
use crate::domain::{Action, Case, Event, Series, Stage};
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

/// A held number the register does not give its holder: case number, series, number, and the
/// case the register gives it to, if any.
type Mismatch = (String, &'static str, String, Option<String>);

/// Stops listing after this many numbers of one kind; the first one is what matters.
const MAX_LISTED: usize = 50;

/// The numbers the cases hold, gathered by `check`'s replay from the decoded histories (one pass
/// over the store instead of scans of its JSON), then compared with the register.
#[derive(Default)]
pub(super) struct HeldNumbers {
    /// Series, number, case number: every number a case holds and issued itself. A case about
    /// an existing permit holds that permit's number, issued before it: several such cases may
    /// name one permit, and none of them issued it.
    held: Vec<(Series, String, String)>,
    /// Cases holding a number an event made from the case number (before schema 8).
    derived: Vec<String>,
}

impl HeldNumbers {
    /// Adds what another part of `check`'s replay observed.
    pub(super) fn merge(&mut self, other: HeldNumbers) {
        self.held.extend(other.held);
        self.derived.extend(other.derived);
    }

    /// Whether `event`, which made `case` what it is, gave it a number without taking one from
    /// the sequences.
    pub(super) fn derived_by(event: &Event, case: &Case) -> bool {
        if event.number.is_some() {
            return false;
        }
        match event.action {
            Action::Approve { .. } => {
                event.from == Some(Stage::Decision)
                    && matches!(
                        event.to,
                        Stage::Notified | Stage::Completed | Stage::Verification
                    )
                    && case.permit.is_none()
            }
            Action::Verify { .. } => event.to == Stage::Completed,
            _ => false,
        }
    }

    /// `case` as stored, with the permit number of its row; `derived` if an event of its
    /// history was `derived_by`.
    pub(super) fn observe(&mut self, case: &Case, permit_no: Option<&str>, derived: bool) {
        let issued_permit = permit_no.filter(|_| case.permit.is_none());
        let numbers = [
            (Series::Permit, issued_permit),
            (Series::DecisionDocument, case.decision_doc_no.as_deref()),
        ];
        for (series, number) in numbers {
            if let Some(number) = number {
                self.held
                    .push((series, number.to_string(), case.case_no.clone()));
            }
        }
        if derived {
            self.derived.push(case.case_no.clone());
        }
    }

    /// Problems: a number held by two cases, a case's number missing from the register or
    /// registered to another case. Warning: numbers made from case numbers before migration 8.
    /// Reads the register in the caller's transaction, the one the histories were read in.
    pub(super) fn check(mut self, conn: &Connection, report: &mut CheckReport) -> Result<()> {
        self.held
            .sort_unstable_by(|a, b| (a.0.as_str(), &a.1, &a.2).cmp(&(b.0.as_str(), &b.1, &b.2)));
        let mut duplicates = 0;
        for group in self.held.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
            if group.len() < 2 {
                continue;
            }
            duplicates += 1;
            if duplicates > MAX_LISTED {
                break;
            }
            let (series, number, _) = &group[0];
            let cases: Vec<&str> = group.iter().map(|(_, _, c)| c.as_str()).collect();
            report.problems.push(format!(
                "{} number {number} is held by {} cases ({}); each must be unique",
                series.as_str(),
                group.len(),
                cases.join(", ")
            ));
        }
        let mut mismatched = self.against_register(conn)?;
        mismatched.sort_unstable();
        for (case_no, series, number, holder) in mismatched.into_iter().take(MAX_LISTED) {
            report.problems.push(match holder {
                Some(other) => {
                    format!("{case_no}: {series} number {number} is registered to {other}")
                }
                None => {
                    format!("{case_no}: {series} number {number} is not in the store's register")
                }
            });
        }
        self.derived.sort_unstable();
        if let Some(first) = self.derived.first() {
            report.warnings.push(format!(
                "{} case(s) hold permit or decision-document numbers made from their case numbers by \
                 a version before schema 8 (first: {first}); such numbers can collide",
                self.derived.len()
            ));
        }
        Ok(())
    }

    /// Each held number (sorted) walked beside the register in its key order: case number,
    /// series, number and the case it is registered to, where that is not the holder.
    fn against_register(&self, conn: &Connection) -> Result<Vec<Mismatch>> {
        let what = "checking the number register";
        let mut stmt = conn
            .prepare("SELECT series, number, case_no FROM issued_numbers ORDER BY series, number")
            .ctx(what)?;
        let mut rows = stmt.query([]).ctx(what)?;
        let mut registered: Option<(String, String, String)> = None;
        let mut exhausted = false;
        let mut found = Vec::new();
        for (series, number, case_no) in &self.held {
            let key = (series.as_str(), number.as_str());
            // Moves the register up to the first entry not before this number.
            while !exhausted
                && registered
                    .as_ref()
                    .is_none_or(|(s, n, _)| (s.as_str(), n.as_str()) < key)
            {
                registered = match rows.next().ctx(what)? {
                    Some(r) => Some((
                        r.get(0).ctx(what)?,
                        r.get(1).ctx(what)?,
                        r.get(2).ctx(what)?,
                    )),
                    None => None,
                };
                exhausted = registered.is_none();
            }
            let holder = registered
                .as_ref()
                .filter(|(s, n, _)| (s.as_str(), n.as_str()) == key)
                .map(|(_, _, c)| c);
            if holder != Some(case_no) {
                found.push((
                    case_no.clone(),
                    series.as_str(),
                    number.clone(),
                    holder.cloned(),
                ));
            }
        }
        Ok(found)
    }
}
