//! How a case is kept in `cases`: what the queues, search and indexes need in columns, and in
//! `data` the rest of the case as JSON, without what the columns hold and without empty
//! (`null`) fields. A case written before (its whole JSON in `data`) reads the same way: the
//! columns agree with what it repeats.

use super::error::{Result, StoreError};
use crate::domain::Case;
use rusqlite::Row;
use serde_json::{Map, Value};

/// The columns [`decode`] reads, in its order.
pub(crate) const CASE_COLUMNS: &str = "case_no, kind, category, legacy, stage, version, \
     permit_no, submitted_at, entry_date, applicant_name, name_native, passport_no, nationality, \
     employer_name, employer_uscc, data";

/// Top-level fields of a case that have columns of their own, in [`CASE_COLUMNS`]' order.
const IN_COLUMNS: [&str; 9] = [
    "case_no",
    "kind",
    "category",
    "legacy",
    "stage",
    "version",
    "permit_no",
    "submitted_at",
    "entry_date",
];

/// Fields of the applicant that have columns of their own (`birth_date` does not), in
/// [`CASE_COLUMNS`]' order after [`IN_COLUMNS`].
const APPLICANT_IN_COLUMNS: [&str; 4] = ["name", "name_native", "passport_no", "nationality"];

/// The case's `data`: the fields no column holds, empty ones left out.
pub(crate) fn encode(case: &Case) -> Result<String> {
    let corrupt = |source| StoreError::Corrupt {
        context: format!("{}: encoding the case", case.case_no),
        source,
    };
    let Value::Object(mut fields) = serde_json::to_value(case).map_err(corrupt)? else {
        return Err(StoreError::Damaged(format!(
            "{}: a case did not encode as an object",
            case.case_no
        )));
    };
    for name in IN_COLUMNS {
        fields.remove(name);
    }
    fields.remove("employer");
    if let Some(Value::Object(applicant)) = fields.get_mut("applicant") {
        for name in APPLICANT_IN_COLUMNS {
            applicant.remove(name);
        }
    }
    drop_nulls(&mut fields);
    serde_json::to_string(&fields).map_err(corrupt)
}

/// Leaves out every `null` member of every object (a missing optional field reads as none);
/// nulls inside arrays stay, as they hold a place.
pub(crate) fn drop_nulls(fields: &mut Map<String, Value>) {
    fields.retain(|_, value| !value.is_null());
    for value in fields.values_mut() {
        match value {
            Value::Object(inner) => drop_nulls(inner),
            Value::Array(items) => {
                for item in items {
                    if let Value::Object(inner) = item {
                        drop_nulls(inner);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The case whose [`CASE_COLUMNS`] start at column `first` of `row`.
pub(crate) fn decode(row: &Row<'_>, first: usize) -> Result<Case> {
    let case_no: String = row.get(first).map_err(|e| unreadable("?", &e))?;
    let column = |i: usize| -> Result<Value> {
        use rusqlite::types::ValueRef;
        match row
            .get_ref(first + i)
            .map_err(|e| unreadable(&case_no, &e))?
        {
            ValueRef::Null => Ok(Value::Null),
            ValueRef::Integer(n) => Ok(Value::from(n)),
            ValueRef::Text(t) => Ok(Value::from(String::from_utf8_lossy(t).into_owned())),
            _ => Err(StoreError::Damaged(format!(
                "{case_no}: a case column of the wrong type"
            ))),
        }
    };
    let data: String = row.get(first + 15).map_err(|e| unreadable(&case_no, &e))?;
    let corrupt = |source| StoreError::Corrupt {
        context: format!("{case_no}: the stored case"),
        source,
    };
    let mut fields: Map<String, Value> = serde_json::from_str(&data).map_err(corrupt)?;
    fields.insert("case_no".into(), Value::from(case_no.clone()));
    for (i, name) in IN_COLUMNS.iter().enumerate().skip(1) {
        let value = column(i)?;
        let value = match *name {
            "legacy" => Value::Bool(value.as_i64().is_some_and(|n| n != 0)),
            _ => value,
        };
        fields.insert((*name).into(), value);
    }
    let applicant = fields
        .entry("applicant")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(applicant) = applicant {
        for (i, name) in APPLICANT_IN_COLUMNS.iter().enumerate() {
            applicant.insert((*name).into(), column(IN_COLUMNS.len() + i)?);
        }
    }
    let mut employer = Map::new();
    employer.insert("name".into(), column(13)?);
    employer.insert("uscc".into(), column(14)?);
    fields.insert("employer".into(), Value::Object(employer));
    serde_json::from_value(Value::Object(fields)).map_err(corrupt)
}

fn unreadable(case_no: &str, e: &rusqlite::Error) -> StoreError {
    StoreError::Damaged(format!("{case_no}: an unreadable case row: {e}"))
}
