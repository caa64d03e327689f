//! Import files: JSON Lines (one case per line, the shape of a `submitted` event's case) or CSV
//! (a header row naming the same fields with dots: `applicant.name`). Parsing is pure: bytes in,
//! cases and every bad line out, so it can be fuzzed and tested without a store.

use super::lines::{
    FieldError, LineError, MAX_LINE_BYTES, RECORD, excerpt, json_error, stream_lines,
};
use super::record::{Fields, read_case};
use crate::domain::Submission;
use chrono::NaiveDate;
use serde_json::{Map, Value};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    /// From the file name: `.jsonl` or `.csv` (any case).
    pub fn of(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// The CSV columns, in the order `export`-style tools would write them.
pub const CSV_COLUMNS: &[&str] = &[
    "case_no",
    "kind",
    "category",
    "legacy",
    "applicant.name",
    "applicant.name_native",
    "applicant.passport_no",
    "applicant.nationality",
    "applicant.birth_date",
    "employer.name",
    "employer.uscc",
    "position",
    "documents",
    "exam_report.issued_on",
    "exam_report.domestic",
    "exam_report.institution",
    "entry_date",
    "permit.permit_no",
    "permit.expires_on",
    "permit.collected",
];

/// Columns a CSV file must have (their cells may still be empty, and are then reported).
pub const CSV_REQUIRED: &[&str] = &[
    "case_no",
    "kind",
    "category",
    "applicant.name",
    "applicant.passport_no",
    "applicant.nationality",
    "employer.name",
    "employer.uscc",
];

/// A parsed import file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Good records with their line numbers.
    pub cases: Vec<(u64, Submission)>,
    pub errors: Vec<LineError>,
}

/// One record of an import file, as it is read.
#[derive(Debug, Clone)]
pub enum Record {
    Case(u64, Box<Submission>),
    Bad(LineError),
}

/// Parses a whole file held in memory and checks every record, including case numbers repeated
/// in the file.
pub fn parse(file: &str, bytes: &[u8], format: Format, today: NaiveDate) -> Parsed {
    let mut parsed = Parsed::default();
    // Reading from memory fails only where a record is past its budget, which ends the file.
    let read = parse_stream(file, bytes, format, today, &mut |record| match record {
        Record::Case(line, case) => parsed.cases.push((line, *case)),
        Record::Bad(e) => parsed.errors.push(e),
    });
    if let Err(e) = read {
        parsed.errors.push(LineError {
            file: file.to_string(),
            line: 0,
            field: "file".into(),
            message: e.to_string(),
        });
    }
    mark_repeats(file, &mut parsed);
    parsed
}

/// Reads a file record by record and hands each, good or bad, to `sink` in file order, holding
/// at most one line (or CSV record) at a time. Case numbers repeated in the file are not judged
/// here (that needs every number seen so far): `parse` and `import` do it. An error reading
/// `input` ends the file.
pub fn parse_stream(
    file: &str,
    input: impl std::io::Read,
    format: Format,
    today: NaiveDate,
    sink: &mut dyn FnMut(Record),
) -> std::io::Result<()> {
    let mut on_line = |line: u64, obj: Option<Map<String, Value>>, mut errors: Vec<FieldError>| {
        if let Some(obj) = obj {
            // A field already reported (an unreadable cell) is not reported again as missing.
            let known = errors.len();
            let mut f = Fields {
                errors: &mut errors,
                today,
            };
            if let Some(case) = read_case(&mut f, &obj, &[]) {
                if errors.is_empty() {
                    sink(Record::Case(line, Box::new(case)));
                }
            }
            let reported: Vec<String> = errors[..known].iter().map(|e| e.field.clone()).collect();
            let mut index = 0;
            errors.retain(|e| {
                index += 1;
                index <= known || !reported.contains(&e.field)
            });
        }
        for e in errors {
            sink(Record::Bad(e.at(file, line)));
        }
    };
    match format {
        Format::Jsonl => stream_lines(std::io::BufReader::new(input), |line| match line {
            Err((number, e)) => on_line(number, None, vec![e]),
            Ok(line) => match serde_json::from_str::<Value>(line.text) {
                Ok(Value::Object(obj)) => on_line(line.number, Some(obj), Vec::new()),
                Ok(_) => on_line(
                    line.number,
                    None,
                    vec![FieldError::new(RECORD, "must be a JSON object")],
                ),
                Err(e) => on_line(
                    line.number,
                    None,
                    vec![FieldError::new(RECORD, json_error(&e))],
                ),
            },
        }),
        Format::Csv => csv_rows(input, &mut on_line),
    }
}

/// A case number given twice in one file: the later lines are bad.
fn mark_repeats(file: &str, parsed: &mut Parsed) {
    let mut first: HashMap<String, u64> = HashMap::new();
    let mut keep = Vec::with_capacity(parsed.cases.len());
    for (line, case) in std::mem::take(&mut parsed.cases) {
        match first.get(&case.case_no) {
            Some(earlier) => parsed.errors.push(LineError {
                file: file.to_string(),
                line,
                field: "case_no".into(),
                message: format!("{} appears again (first on line {earlier})", case.case_no),
            }),
            None => {
                first.insert(case.case_no.clone(), line);
                keep.push((line, case));
            }
        }
    }
    parsed.cases = keep;
    parsed.errors.sort_by_key(|e| e.line);
}

/// Turns each CSV row into the JSON shape of a case and hands it to `row`.
fn csv_rows(
    input: impl std::io::Read,
    row: &mut dyn FnMut(u64, Option<Map<String, Value>>, Vec<FieldError>),
) -> std::io::Result<()> {
    let used = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(RecordBudget {
            inner: without_bom(input)?,
            used: std::rc::Rc::clone(&used),
        });
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => {
            row(
                1,
                None,
                vec![FieldError::new(
                    RECORD,
                    "the file is empty; expected a header row",
                )],
            );
            return Ok(());
        }
        Some(Err(e)) => {
            row(1, None, vec![FieldError::new(RECORD, csv_error(&e))]);
            return read_failure(e);
        }
        Some(Ok(h)) => h,
    };
    let mut columns = Vec::with_capacity(header.len());
    let mut problems = Vec::new();
    for cell in header.iter() {
        match std::str::from_utf8(cell) {
            Ok(name) => {
                let name = name.trim();
                if !CSV_COLUMNS.contains(&name) {
                    problems.push(FieldError::new(
                        "header",
                        format!(
                            "unknown column \"{}\"; expected: {}",
                            excerpt(name),
                            CSV_COLUMNS.join(", ")
                        ),
                    ));
                } else if columns.contains(&name) {
                    problems.push(FieldError::new(
                        "header",
                        format!("column \"{name}\" appears twice"),
                    ));
                }
                columns.push(name);
            }
            Err(_) => problems.push(FieldError::new("header", "is not valid UTF-8")),
        }
    }
    for needed in CSV_REQUIRED {
        if !columns.contains(needed) {
            problems.push(FieldError::new(
                "header",
                format!("missing column \"{needed}\""),
            ));
        }
    }
    if !problems.is_empty() {
        row(1, None, problems);
        return Ok(());
    }
    for record in records {
        used.set(0);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                row(line, None, vec![FieldError::new(RECORD, csv_error(&e))]);
                // A stream that failed (or a record too long to hold) cannot be read on.
                read_failure(e)?;
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if record.len() != columns.len() {
            row(
                line,
                None,
                vec![FieldError::new(
                    RECORD,
                    format!(
                        "has {} cells; the header has {}",
                        record.len(),
                        columns.len()
                    ),
                )],
            );
            continue;
        }
        let mut errors = Vec::new();
        let mut obj = Map::new();
        for (name, cell) in columns.iter().zip(record.iter()) {
            if cell.len() > MAX_CELL_BYTES {
                errors.push(FieldError::new(
                    *name,
                    format!(
                        "is {} bytes long; at most {MAX_CELL_BYTES} are read",
                        cell.len()
                    ),
                ));
                continue;
            }
            let Ok(text) = std::str::from_utf8(cell) else {
                errors.push(FieldError::new(*name, "is not valid UTF-8"));
                continue;
            };
            if text.trim().is_empty() {
                continue;
            }
            match cell_value(name, text) {
                Ok(value) => insert_path(&mut obj, name, value),
                Err(e) => errors.push(e),
            }
        }
        row(line, Some(obj), errors);
    }
    Ok(())
}

/// No cell of a case is near this long (the longest, a name, is 200 characters).
pub const MAX_CELL_BYTES: usize = 64 << 10;

/// A CSV record is read whole before it can be judged: this caps what one may take, counted from
/// the end of the record before (the reader's own buffer reads a few KiB ahead).
const MAX_RECORD_BYTES: u64 = MAX_LINE_BYTES as u64 + (64 << 10);

#[derive(Debug)]
struct RecordTooLong;

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a record longer than {MAX_LINE_BYTES} bytes; the rest of the file is not read"
        )
    }
}

impl std::error::Error for RecordTooLong {}

/// The input, failing once a record has taken more than `MAX_RECORD_BYTES`.
struct RecordBudget<R> {
    inner: R,
    used: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: std::io::Read> std::io::Read for RecordBudget<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.used.get() > MAX_RECORD_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                RecordTooLong,
            ));
        }
        let n = self.inner.read(buf)?;
        self.used.set(self.used.get() + n as u64);
        Ok(n)
    }
}

/// Ends the file after an error of the stream itself: a real read error is returned, a record
/// too long to hold was already reported at its line.
fn read_failure(e: csv::Error) -> std::io::Result<()> {
    match e.into_kind() {
        csv::ErrorKind::Io(io)
            if io
                .get_ref()
                .is_some_and(|inner| inner.is::<RecordTooLong>()) =>
        {
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                RecordTooLong,
            ))
        }
        csv::ErrorKind::Io(io) => Err(io),
        _ => Ok(()),
    }
}

/// The input without a leading UTF-8 byte order mark.
fn without_bom(mut input: impl std::io::Read) -> std::io::Result<impl std::io::Read> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(3);
    (&mut input).take(3).read_to_end(&mut head)?;
    if head == b"\xEF\xBB\xBF" {
        head.clear();
    }
    Ok(std::io::Cursor::new(head).chain(input))
}

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("cannot be read: {io}"),
        _ => format!("is not valid CSV: {e}"),
    }
}

/// A cell as the JSON value the case reader expects.
fn cell_value(column: &str, text: &str) -> Result<Value, FieldError> {
    let t = text.trim();
    match column {
        "legacy" | "exam_report.domestic" | "permit.collected" => {
            match t.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "y" => Ok(Value::Bool(true)),
                "false" | "no" | "0" | "n" => Ok(Value::Bool(false)),
                _ => Err(FieldError::new(
                    column,
                    format!("\"{}\" must be true or false", excerpt(t)),
                )),
            }
        }
        "documents" => {
            let mut list = Vec::new();
            for part in t.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (kind, ok) = match part.rsplit_once(':') {
                    Some((kind, "ok")) => (kind, true),
                    Some((kind, "missing")) => (kind, false),
                    Some(_) => {
                        return Err(FieldError::new(
                            column,
                            format!(
                                "\"{}\" should be KIND, KIND:ok or KIND:missing",
                                excerpt(part)
                            ),
                        ));
                    }
                    None => (part, true),
                };
                list.push(serde_json::json!({ "kind": kind.trim(), "ok": ok }));
            }
            Ok(Value::Array(list))
        }
        _ => Ok(Value::String(t.to_string())),
    }
}

/// Puts `value` at a dotted path: `applicant.name` -> `{"applicant": {"name": value}}`.
fn insert_path(obj: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            obj.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let inner = obj
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                insert_path(inner, rest, value);
            }
        }
    }
}
