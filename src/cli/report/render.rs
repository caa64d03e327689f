//! One report, four formats: an aligned table, CSV with a header row, JSON (`{rows: [...]}` with
//! snake_case keys), and an Excel workbook (bold frozen header, column widths, real dates and
//! numbers, and an "About" sheet saying what the figures mean).

use crate::cli::output::Table;
use crate::text::sanitize_line;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Date,
    /// A share between 0 and 1.
    Share,
    Bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub name: &'static str,
    pub kind: Kind,
    /// Width in characters, for the table (at most) and Excel.
    pub width: u16,
}

impl Col {
    pub const fn new(name: &'static str, kind: Kind, width: u16) -> Col {
        Col { name, kind, width }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    Share(Option<f64>),
    Bool(bool),
    Empty,
}

impl Cell {
    /// Plain text for tables and CSV; stored text is made inert.
    fn plain(&self, table: bool) -> String {
        match self {
            Cell::Text(s) => sanitize_line(s).into_owned(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Share(Some(x)) if table => format!("{:.1}%", x * 100.0),
            Cell::Share(Some(x)) => format!("{x:.4}"),
            Cell::Share(None) if table => "-".into(),
            Cell::Bool(b) if table => if *b { "yes" } else { "no" }.into(),
            Cell::Bool(b) => b.to_string(),
            Cell::Share(None) | Cell::Empty if table => "-".into(),
            Cell::Share(None) | Cell::Empty => String::new(),
        }
    }

    fn json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Date(d) => Value::String(d.to_string()),
            Cell::Share(Some(x)) => Value::from(*x),
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Share(None) | Cell::Empty => Value::Null,
        }
    }
}

pub struct Sheet {
    /// The Excel sheet's name (at most 31 characters).
    pub name: &'static str,
    pub columns: Vec<Col>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: &'static str, columns: Vec<Col>) -> Sheet {
        Sheet {
            name,
            columns,
            rows: Vec::new(),
        }
    }
}

pub struct Report {
    /// `overdue`, `workload`, `sla`, `conflicts`.
    pub name: &'static str,
    /// For reports with several views (`--by`), the one chosen.
    pub view: Option<&'static str>,
    /// The first sheet is the report's rows in every format; the workbook holds them all.
    pub sheets: Vec<Sheet>,
    /// Method, period and provenance: the workbook's "About" sheet.
    pub about: Vec<(&'static str, Cell)>,
    /// Summary lines under the table.
    pub footer: Vec<String>,
    /// More fields of the JSON document besides `rows`.
    pub extra: Value,
    pub generated_at: String,
}

impl Report {
    fn main(&self) -> Option<&Sheet> {
        self.sheets.first()
    }
}

pub fn table(report: &Report) -> String {
    let Some(sheet) = report.main() else {
        return String::new();
    };
    let columns: Vec<(&'static str, usize, bool)> = sheet
        .columns
        .iter()
        .map(|c| {
            let right = matches!(c.kind, Kind::Int | Kind::Share);
            (c.name, usize::from(c.width), right)
        })
        .collect();
    let mut t = Table::new(&columns);
    for row in &sheet.rows {
        t.row(row.iter().map(|c| c.plain(true)).collect());
    }
    let mut out = t.render();
    for line in &report.footer {
        out.push_str(&sanitize_line(line));
        out.push('\n');
    }
    out
}

pub fn csv(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    if let Some(sheet) = report.main() {
        w.write_record(sheet.columns.iter().map(|c| c.name))?;
        for row in &sheet.rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(_) => crate::text::spreadsheet_safe(&c.plain(false)).into_owned(),
                _ => c.plain(false),
            }))?;
        }
    }
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("writing CSV: {e}"))
}

pub fn json(report: &Report) -> anyhow::Result<Vec<u8>> {
    let rows: Vec<Value> = report
        .main()
        .map(|sheet| {
            sheet
                .rows
                .iter()
                .map(|row| {
                    let object: Map<String, Value> = sheet
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(c, cell)| (c.name.to_string(), cell.json()))
                        .collect();
                    Value::Object(object)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut doc = Map::new();
    doc.insert("report".into(), Value::from(report.name));
    if let Some(view) = report.view {
        doc.insert("by".into(), Value::from(view));
    }
    doc.insert(
        "generated_at".into(),
        Value::from(report.generated_at.clone()),
    );
    if let Value::Object(extra) = &report.extra {
        doc.extend(extra.clone());
    }
    doc.insert("rows".into(), Value::Array(rows));
    let mut bytes = crate::text::json_pretty(&Value::Object(doc))?.into_bytes();
    bytes.push(b'\n');
    Ok(bytes)
}

struct Formats {
    header: Format,
    date: Format,
    datetime: Format,
    share: Format,
    wrap: Format,
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    f: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) => ws.write_string(row, col, sanitize_line(s).as_ref())?,
        Cell::Int(n) => ws.write_number(row, col, *n as f64)?,
        Cell::Date(d) => ws.write_datetime_with_format(row, col, excel_date(*d)?, &f.date)?,
        Cell::Share(Some(x)) => ws.write_number_with_format(row, col, *x, &f.share)?,
        Cell::Bool(b) => ws.write_boolean(row, col, *b)?,
        Cell::Share(None) | Cell::Empty => return Ok(()),
    };
    Ok(())
}

fn sheet_name(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect()
}

pub fn xlsx(report: &Report, now: DateTime<FixedOffset>) -> anyhow::Result<Vec<u8>> {
    let f = Formats {
        header: Format::new().set_bold(),
        date: Format::new()
            .set_num_format("yyyy-mm-dd")
            .set_align(FormatAlign::Left),
        datetime: Format::new()
            .set_num_format("yyyy-mm-dd hh:mm:ss")
            .set_align(FormatAlign::Left),
        share: Format::new().set_num_format("0.0%"),
        wrap: Format::new().set_text_wrap(),
    };
    let mut book = Workbook::new();
    for sheet in &report.sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(sheet.name))?;
        for (c, col) in sheet.columns.iter().enumerate() {
            let c = u16::try_from(c)?;
            ws.write_string_with_format(0, c, col.name, &f.header)?;
            ws.set_column_width(c, f64::from(col.width.max(col.name.len() as u16) + 2))?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1)?;
            for (c, cell) in row.iter().enumerate() {
                write_cell(ws, r, u16::try_from(c)?, cell, &f)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
        let last_col = u16::try_from(sheet.columns.len().saturating_sub(1))?;
        ws.autofilter(0, 0, u32::try_from(sheet.rows.len())?, last_col)?;
    }
    let ws = book.add_worksheet();
    ws.set_name("About")?;
    ws.write_string_with_format(0, 0, "item", &f.header)?;
    ws.write_string_with_format(0, 1, "value", &f.header)?;
    ws.set_column_width(0, 32)?;
    ws.set_column_width(1, 100)?;
    ws.set_freeze_panes(1, 0)?;
    for (r, (key, value)) in report.about.iter().enumerate() {
        let r = u32::try_from(r + 1)?;
        ws.write_string(r, 0, *key)?;
        match (key, value) {
            (&"generated at", _) => {
                let local = now.naive_local();
                let at = excel_date(local.date())?.and_hms(
                    local.hour() as u16,
                    local.minute() as u8,
                    local.second(),
                )?;
                ws.write_datetime_with_format(r, 1, at, &f.datetime)?;
            }
            (&"method", Cell::Text(s)) => {
                ws.write_string_with_format(r, 1, s.as_str(), &f.wrap)?;
            }
            _ => write_cell(ws, r, 1, value, &f)?,
        }
    }
    Ok(book.save_to_buffer()?)
}
