//! Import files: JSON Lines (one case per line, the shape of a `submitted` event's case) or CSV
//! (a header row naming the same fields with dots: `applicant.name`). Parsing is pure: bytes in,
//! cases and every bad line out, so it can be fuzzed and tested without a store.

use super::lines::{FieldError, LineError, RECORD, excerpt, json_error, lines, strip_bom};
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

/// Parses a whole file and checks every record, including case numbers repeated in the file.
pub fn parse(file: &str, bytes: &[u8], format: Format, today: NaiveDate) -> Parsed {
    let mut parsed = Parsed::default();
    let on_line = |parsed: &mut Parsed,
                   line: u64,
                   obj: Option<Map<String, Value>>,
                   mut errors: Vec<FieldError>| {
        if let Some(obj) = obj {
            // A field already reported (an unreadable cell) is not reported again as missing.
            let known = errors.len();
            let mut f = Fields {
                errors: &mut errors,
                today,
            };
            if let Some(case) = read_case(&mut f, &obj, &[]) {
                if errors.is_empty() {
                    parsed.cases.push((line, case));
                }
            }
            let reported: Vec<String> = errors[..known].iter().map(|e| e.field.clone()).collect();
            let mut index = 0;
            errors.retain(|e| {
                index += 1;
                index <= known || !reported.contains(&e.field)
            });
        }
        parsed
            .errors
            .extend(errors.into_iter().map(|e| e.at(file, line)));
    };
    match format {
        Format::Jsonl => {
            for line in lines(bytes) {
                match line {
                    Err((number, e)) => on_line(&mut parsed, number, None, vec![e]),
                    Ok(line) => match serde_json::from_str::<Value>(line.text) {
                        Ok(Value::Object(obj)) => {
                            on_line(&mut parsed, line.number, Some(obj), Vec::new())
                        }
                        Ok(_) => on_line(
                            &mut parsed,
                            line.number,
                            None,
                            vec![FieldError::new(RECORD, "must be a JSON object")],
                        ),
                        Err(e) => on_line(
                            &mut parsed,
                            line.number,
                            None,
                            vec![FieldError::new(RECORD, json_error(&e))],
                        ),
                    },
                }
            }
        }
        Format::Csv => csv_rows(bytes, &mut |line, obj, errors| {
            on_line(&mut parsed, line, obj, errors)
        }),
    }
    mark_repeats(file, &mut parsed);
    parsed
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
fn csv_rows(bytes: &[u8], row: &mut dyn FnMut(u64, Option<Map<String, Value>>, Vec<FieldError>)) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(strip_bom(bytes));
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => {
            return row(
                1,
                None,
                vec![FieldError::new(
                    RECORD,
                    "the file is empty; expected a header row",
                )],
            );
        }
        Some(Err(e)) => return row(1, None, vec![FieldError::new(RECORD, csv_error(&e))]),
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
        return row(1, None, problems);
    }
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                row(line, None, vec![FieldError::new(RECORD, csv_error(&e))]);
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
        "legacy" | "exam_report.domestic" => match t.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "y" => Ok(Value::Bool(true)),
            "false" | "no" | "0" | "n" => Ok(Value::Bool(false)),
            _ => Err(FieldError::new(
                column,
                format!("\"{}\" must be true or false", excerpt(t)),
            )),
        },
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
