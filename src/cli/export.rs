//! `export [--queue Q] [--filter F] [--format csv|jsonl] [-o FILE]`: a queue's rows (the shape of
//! `case list --json`), paged through the store with keyset pages so no queue is ever loaded
//! whole. With `-o` the file appears complete or not at all.

use super::args::ExportArgs;
use super::identity::{Need, Session};
use super::{Cli, Exit};
use crate::domain::{Calendar, Filter, Queue};
use crate::store::{CaseRow, QueueQuery};
use crate::text::sanitize_line;
use std::io::Write;
use std::path::Path;

const PAGE: usize = 500;

/// How one CSV cell is written from a row.
type Cell = fn(&CaseRow) -> String;

/// The CSV's columns, in order: the dotted names of `case list --json`'s fields (a test keeps the
/// two alike) and how each cell is written. Text from people and upstream is made safe for
/// spreadsheets; numbers are written as numbers.
const COLUMNS: &[(&str, Cell)] = &[
    ("case_no", |r| r.case_no.clone()),
    ("kind", |r| r.kind.as_str().into()),
    ("category", |r| r.category.as_str().into()),
    ("stage", |r| r.stage.as_str().into()),
    ("legacy", |r| r.legacy.to_string()),
    ("assignee", |r| r.assignee.clone().unwrap_or_default()),
    ("version", |r| r.version.to_string()),
    ("applicant.name", |r| text(&r.applicant.name)),
    ("applicant.name_native", |r| {
        text(r.applicant.name_native.as_deref().unwrap_or_default())
    }),
    ("applicant.passport_no", |r| text(&r.applicant.passport_no)),
    ("applicant.nationality", |r| text(&r.applicant.nationality)),
    ("employer.name", |r| text(&r.employer.name)),
    ("employer.uscc", |r| text(&r.employer.uscc)),
    ("submitted_at", |r| r.submitted_at.clone()),
    ("entry_date", |r| {
        r.entry_date.map(|d| d.to_string()).unwrap_or_default()
    }),
    ("deadline.timer", |r| {
        deadline(r, |d| Some(d.timer.as_str().to_string()))
    }),
    ("deadline.started", |r| {
        deadline(r, |d| Some(d.started.to_string()))
    }),
    ("deadline.due", |r| {
        deadline(r, |d| d.due.map(|d| d.to_string()))
    }),
    ("deadline.days_left", |r| {
        deadline(r, |d| d.days_left.map(|n| n.to_string()))
    }),
    ("deadline.state", |r| {
        deadline(r, |d| Some(d.state.as_str().to_string()))
    }),
    ("deadline.provisional", |r| {
        deadline(r, |d| Some(d.provisional.to_string()))
    }),
    ("deadline.ended", |r| {
        deadline(r, |d| d.ended.map(|d| d.to_string()))
    }),
];

fn text(value: &str) -> String {
    crate::text::spreadsheet_safe(value).into_owned()
}

fn deadline(row: &CaseRow, cell: impl Fn(&crate::domain::Deadline) -> Option<String>) -> String {
    row.deadline.as_ref().and_then(cell).unwrap_or_default()
}

/// The CSV's header row.
pub fn csv_header() -> Vec<&'static str> {
    COLUMNS.iter().map(|(name, _)| *name).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Jsonl,
}

fn format(args: &ExportArgs) -> Result<Format, Exit> {
    let named = args.format.as_deref().map(str::to_ascii_lowercase);
    let from_file = args
        .output
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match named.as_deref().or(from_file.as_deref()) {
        Some("csv") => Ok(Format::Csv),
        Some("jsonl") | None => Ok(Format::Jsonl),
        Some(_) if named.is_none() => Ok(Format::Jsonl),
        Some(other) => Err(Exit::new(
            6,
            format!(
                "--format: unknown format \"{}\"; expected csv or jsonl",
                sanitize_line(other)
            ),
        )),
    }
}

/// A row's CSV cells, in the order of [`csv_header`].
fn csv_cells(row: &CaseRow) -> Vec<String> {
    COLUMNS.iter().map(|(_, cell)| cell(row)).collect()
}

pub fn run(cli: &Cli, args: &ExportArgs, calendar: Calendar) -> anyhow::Result<()> {
    let queue: Queue = args
        .queue
        .parse()
        .map_err(|e: crate::domain::model::UnknownName| Exit::new(6, format!("--queue: {e}")))?;
    let filter: Filter = args
        .filter
        .parse()
        .map_err(|e: crate::domain::model::UnknownName| Exit::new(6, format!("--filter: {e}")))?;
    let format = format(args)?;
    let session = Session::open(cli, calendar, Need::Reader)?;
    let mut query = QueueQuery {
        queue,
        filter,
        search: None,
        user: session.user().to_string(),
        today: session.today(),
        sort: Default::default(),
        after: None,
        limit: PAGE,
    };
    match &args.output {
        None => {
            write_rows(&session, &mut query, format, Box::new(super::io::Stdout))?;
        }
        Some(path) => {
            let protected = super::io::store_files(session.store.path());
            let mut file = super::io::OutputFile::create(path, &protected)?;
            let rows = write_rows(&session, &mut query, format, Box::new(&mut file))?;
            file.commit()?;
            crate::errln!("exported {rows} case(s) to {}", path.display());
        }
    }
    Ok(())
}

fn write_rows(
    session: &Session,
    query: &mut QueueQuery,
    format: Format,
    sink: Box<dyn Write + '_>,
) -> anyhow::Result<u64> {
    let out = std::io::BufWriter::new(sink);
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(csv_header())?;
            let rows = each_row(session, query, |row| Ok(w.write_record(csv_cells(row))?))?;
            w.flush()?;
            Ok(rows)
        }
        Format::Jsonl => {
            let mut out = out;
            let rows = each_row(session, query, |row| {
                out.write_all(crate::text::json_line(row)?.as_bytes())?;
                out.write_all(b"\n")?;
                Ok(())
            })?;
            out.flush()?;
            Ok(rows)
        }
    }
}

/// Calls `f` on every row of the query, one keyset page at a time, all pages read from one
/// snapshot: a case whose deadline changes meanwhile is neither missed nor written twice.
fn each_row(
    session: &Session,
    query: &mut QueueQuery,
    mut f: impl FnMut(&CaseRow) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let _snapshot = session.store.snapshot()?;
    let mut rows = 0u64;
    loop {
        let page = session.store.page(query)?;
        for row in &page.rows {
            f(row)?;
            rows += 1;
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(rows),
        }
    }
}
