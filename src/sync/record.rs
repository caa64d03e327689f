//! Reading a case record (an import line, or the case carried by a `submitted` event) field by
//! field, reporting every bad field rather than the first. CSV rows are turned into the same
//! JSON shape first, so both formats share these rules and these messages.

use super::lines::{FieldError, excerpt};
use crate::domain::case::{Document, ExamReport, PermitRef};
/// The domain's one rule for case numbers (folded; 1-40 characters, counted as characters, no
/// spaces, no invisible characters); sync and import read case numbers with nothing else.
pub use crate::domain::transition::fold_case_no;
use crate::domain::transition::{MAX_TEXT_CHARS, check_free_text, validate_submission};
use crate::domain::{Applicant, Category, Employer, Kind, Refusal, Submission, ids, invisible};
use chrono::NaiveDate;
use serde_json::{Map, Value};

pub const CASE_FIELDS: &[&str] = &[
    "case_no",
    "kind",
    "category",
    "legacy",
    "applicant",
    "employer",
    "position",
    "documents",
    "exam_report",
    "entry_date",
    "permit",
];
const APPLICANT_FIELDS: &[&str] = &[
    "name",
    "name_native",
    "passport_no",
    "nationality",
    "birth_date",
];
const EMPLOYER_FIELDS: &[&str] = &["name", "uscc"];
const EXAM_FIELDS: &[&str] = &["issued_on", "domestic", "institution"];
const DOCUMENT_FIELDS: &[&str] = &["kind", "ok"];
const PERMIT_FIELDS: &[&str] = &["permit_no", "expires_on", "collected"];

/// Names, positions and institutions longer than this are refused.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DOCUMENTS: usize = 50;

/// Collects the errors of one record.
pub struct Fields<'e> {
    pub errors: &'e mut Vec<FieldError>,
    pub today: NaiveDate,
}

/// What a field may hold.
#[derive(Clone, Copy)]
enum Need {
    Required,
    Optional,
}

impl Fields<'_> {
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Reports keys that are not in `allowed`.
    pub fn unknown_keys(&mut self, obj: &Map<String, Value>, allowed: &[&str], prefix: &str) {
        for key in obj.keys() {
            if !allowed.contains(&key.as_str()) {
                self.error(
                    &format!("{prefix}{}", excerpt(key)),
                    format!("unknown field; expected one of: {}", allowed.join(", ")),
                );
            }
        }
    }

    fn value<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        key: &str,
        field: &str,
        need: Need,
    ) -> Option<&'v Value> {
        match obj.get(key) {
            None | Some(Value::Null) => {
                if matches!(need, Need::Required) {
                    self.error(field, "is required");
                }
                None
            }
            Some(v) => Some(v),
        }
    }

    /// A trimmed, non-empty string of one line without control or invisible characters, of at
    /// most `max` characters.
    pub fn text(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        field: &str,
        required: bool,
        max: usize,
    ) -> Option<String> {
        let need = if required {
            Need::Required
        } else {
            Need::Optional
        };
        let v = self.value(obj, key, field, need)?;
        let Some(s) = v.as_str() else {
            self.error(field, "must be a string");
            return None;
        };
        let s = s.trim();
        if s.is_empty() {
            if required {
                self.error(field, "is required");
            }
            return None;
        }
        let chars = s.chars().count();
        if chars > max {
            self.error(field, format!("is {chars} characters long; at most {max}"));
            return None;
        }
        if s.contains(['\n', '\t']) {
            self.error(field, "must not contain control characters");
            return None;
        }
        if let Some(hidden) = invisible::in_text(s) {
            self.error(field, hidden.to_string());
            return None;
        }
        Some(s.to_string())
    }

    /// An ISO 8601 calendar date (YYYY-MM-DD).
    pub fn date(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        field: &str,
        required: bool,
    ) -> Option<NaiveDate> {
        let need = if required {
            Need::Required
        } else {
            Need::Optional
        };
        let v = self.value(obj, key, field, need)?;
        let Some(s) = v.as_str() else {
            self.error(field, "must be a date string (YYYY-MM-DD)");
            return None;
        };
        if s.trim().is_empty() {
            if required {
                self.error(field, "is required");
            }
            return None;
        }
        match parse_date(s) {
            Ok(d) => Some(d),
            Err(message) => {
                self.error(field, message);
                None
            }
        }
    }

    /// A date that must not lie after today.
    pub fn past_date(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        field: &str,
        required: bool,
    ) -> Option<NaiveDate> {
        let date = self.date(obj, key, field, required)?;
        if date > self.today {
            self.error(
                field,
                format!("{date} is in the future (today is {})", self.today),
            );
            return None;
        }
        Some(date)
    }

    pub fn boolean(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        field: &str,
        required: bool,
    ) -> Option<bool> {
        let need = if required {
            Need::Required
        } else {
            Need::Optional
        };
        match self.value(obj, key, field, need)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.error(field, "must be true or false");
                None
            }
        }
    }

    fn object<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        key: &str,
        required: bool,
    ) -> Option<&'v Map<String, Value>> {
        let need = if required {
            Need::Required
        } else {
            Need::Optional
        };
        match self.value(obj, key, key, need)? {
            Value::Object(o) => Some(o),
            _ => {
                self.error(key, "must be an object");
                None
            }
        }
    }
}

/// `YYYY-MM-DD`, telling a malformed date from one that does not exist.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let b = t.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) if shaped => Ok(d),
        _ if shaped => Err(format!("\"{t}\" is not a calendar date")),
        _ => Err(format!(
            "\"{}\" is not a date; expected YYYY-MM-DD",
            excerpt(t)
        )),
    }
}

fn parse_named<T>(f: &mut Fields, obj: &Map<String, Value>, key: &str) -> Option<T>
where
    T: std::str::FromStr<Err = crate::domain::model::UnknownName>,
{
    let text = f.text(obj, key, key, true, 40)?;
    match text.parse::<T>() {
        Ok(v) => Some(v),
        Err(mut e) => {
            e.given = excerpt(&e.given);
            f.error(key, e.to_string());
            None
        }
    }
}

/// Reads a whole case from `obj`. `also_allowed` are other keys the line may carry (the event
/// envelope). `None` when any field is bad; every bad field is in `f.errors`.
pub fn read_case(
    f: &mut Fields,
    obj: &Map<String, Value>,
    also_allowed: &[&str],
) -> Option<Submission> {
    let before = f.errors.len();
    let mut allowed: Vec<&str> = CASE_FIELDS.to_vec();
    allowed.extend(also_allowed.iter().filter(|k| !CASE_FIELDS.contains(k)));
    f.unknown_keys(obj, &allowed, "");
    let case_no = f
        .text(obj, "case_no", "case_no", true, usize::MAX)
        .and_then(|c| match fold_case_no(&c) {
            Ok(c) => Some(c),
            Err(m) => {
                f.error("case_no", m);
                None
            }
        });
    let kind = read_kind(f, obj);
    let category: Option<Category> = parse_named(f, obj, "category");
    let legacy = f.boolean(obj, "legacy", "legacy", false).unwrap_or(false);
    let applicant = f
        .object(obj, "applicant", true)
        .and_then(|a| read_applicant(f, a));
    let employer = f
        .object(obj, "employer", true)
        .and_then(|e| read_employer(f, e));
    let position = f.text(obj, "position", "position", false, MAX_NAME_CHARS);
    let documents = read_documents(f, obj);
    let exam_report = f
        .object(obj, "exam_report", false)
        .and_then(|e| read_exam(f, e));
    let entry_date = f.past_date(obj, "entry_date", "entry_date", false);
    let permit = f
        .object(obj, "permit", false)
        .and_then(|p| read_permit(f, p));
    if let (Some(_), Some(kind)) = (entry_date, kind) {
        if !(legacy || kind == Kind::NewNotification) {
            f.error(
                "entry_date",
                "only legacy and new_notification cases may arrive with an entry date",
            );
        }
    }
    if f.errors.len() > before {
        return None;
    }
    let submission = Submission {
        case_no: case_no?,
        kind: kind?,
        category: category?,
        legacy,
        applicant: applicant?,
        employer: employer?,
        position,
        documents: documents?,
        exam_report: exam_report.flatten(),
        entry_date,
        permit: permit.flatten(),
    };
    match validate_submission(&submission) {
        Ok(()) => Some(submission),
        Err(Refusal::Invalid { field, message, .. }) => {
            f.error(field, message);
            None
        }
        Err(other) => {
            f.error("record", other.to_string());
            None
        }
    }
}

/// The kind, naming a kind the card integration abolished rather than calling it unknown.
fn read_kind(f: &mut Fields, obj: &Map<String, Value>) -> Option<Kind> {
    if let Some(why) = obj
        .get("kind")
        .and_then(Value::as_str)
        .and_then(crate::domain::permit::abolished_kind)
    {
        f.error("kind", why);
        return None;
    }
    parse_named(f, obj, "kind")
}

/// `Some(None)` when absent; `None` when bad.
fn read_permit(f: &mut Fields, p: &Map<String, Value>) -> Option<Option<PermitRef>> {
    let before = f.errors.len();
    f.unknown_keys(p, PERMIT_FIELDS, "permit.");
    let permit_no = f.text(p, "permit_no", "permit.permit_no", true, usize::MAX);
    let expires_on = f.date(p, "expires_on", "permit.expires_on", true);
    let collected = f
        .boolean(p, "collected", "permit.collected", false)
        .unwrap_or(true);
    if f.errors.len() > before {
        return None;
    }
    Some(Some(PermitRef {
        permit_no: permit_no?,
        expires_on: expires_on?,
        collected,
    }))
}

fn read_applicant(f: &mut Fields, a: &Map<String, Value>) -> Option<Applicant> {
    let before = f.errors.len();
    f.unknown_keys(a, APPLICANT_FIELDS, "applicant.");
    let name = f.text(a, "name", "applicant.name", true, MAX_NAME_CHARS);
    let name_native = f.text(
        a,
        "name_native",
        "applicant.name_native",
        false,
        MAX_NAME_CHARS,
    );
    let passport_no = f
        .text(a, "passport_no", "applicant.passport_no", true, usize::MAX)
        .and_then(|p| match ids::fold_passport(&p) {
            Ok(p) => Some(p),
            Err(e) => {
                f.error("applicant.passport_no", e.to_string());
                None
            }
        });
    let nationality = f
        .text(a, "nationality", "applicant.nationality", true, usize::MAX)
        .and_then(
            |n| match ids::refuse_invisible(&n).and(ids::validate_nationality(&n)) {
                Ok(()) => Some(n),
                Err(ids::IdError::Nationality(_)) => {
                    f.error(
                        "applicant.nationality",
                        format!("\"{}\" is not an ISO 3166-1 alpha-3 code", excerpt(&n)),
                    );
                    None
                }
                Err(e) => {
                    f.error("applicant.nationality", e.to_string());
                    None
                }
            },
        );
    let birth_date = f.past_date(a, "birth_date", "applicant.birth_date", false);
    if f.errors.len() > before {
        return None;
    }
    Some(Applicant {
        name: name?,
        name_native,
        passport_no: passport_no?,
        nationality: nationality?,
        birth_date,
    })
}

fn read_employer(f: &mut Fields, e: &Map<String, Value>) -> Option<Employer> {
    let before = f.errors.len();
    f.unknown_keys(e, EMPLOYER_FIELDS, "employer.");
    let name = f.text(e, "name", "employer.name", true, MAX_NAME_CHARS);
    let uscc = f
        .text(e, "uscc", "employer.uscc", true, usize::MAX)
        .and_then(|u| match ids::fold_uscc(&u) {
            Ok(u) => Some(u),
            Err(err) => {
                let mut message = err.to_string();
                if u.chars().count() > 40 && !matches!(err, ids::IdError::Invisible(_)) {
                    message = format!("must be 18 characters, found {}", u.chars().count());
                }
                f.error("employer.uscc", message);
                None
            }
        });
    if f.errors.len() > before {
        return None;
    }
    Some(Employer {
        name: name?,
        uscc: uscc?,
    })
}

fn read_documents(f: &mut Fields, obj: &Map<String, Value>) -> Option<Vec<Document>> {
    let list = match obj.get("documents") {
        None | Some(Value::Null) => return Some(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => {
            f.error("documents", "must be a list");
            return None;
        }
    };
    if list.len() > MAX_DOCUMENTS {
        f.error(
            "documents",
            format!("lists {} documents; at most {MAX_DOCUMENTS}", list.len()),
        );
        return None;
    }
    let before = f.errors.len();
    let mut documents = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let field = format!("documents[{i}]");
        let Some(doc) = item.as_object() else {
            f.error(&field, "must be an object with kind and ok");
            continue;
        };
        f.unknown_keys(doc, DOCUMENT_FIELDS, &format!("{field}."));
        let kind = f.text(doc, "kind", &format!("{field}.kind"), true, MAX_NAME_CHARS);
        let ok = f
            .boolean(doc, "ok", &format!("{field}.ok"), false)
            .unwrap_or(true);
        if let Some(kind) = kind {
            documents.push(Document { kind, ok });
        }
    }
    (f.errors.len() == before).then_some(documents)
}

/// `Some(None)` when absent; `None` when bad.
fn read_exam(f: &mut Fields, e: &Map<String, Value>) -> Option<Option<ExamReport>> {
    let before = f.errors.len();
    f.unknown_keys(e, EXAM_FIELDS, "exam_report.");
    let issued_on = f.past_date(e, "issued_on", "exam_report.issued_on", true);
    let domestic = f.boolean(e, "domestic", "exam_report.domestic", true);
    let institution = f.text(
        e,
        "institution",
        "exam_report.institution",
        false,
        MAX_NAME_CHARS,
    );
    if f.errors.len() > before {
        return None;
    }
    Some(Some(ExamReport {
        issued_on: issued_on?,
        domestic: domestic?,
        institution,
    }))
}

/// A reason or other free text of at most the domain's limit.
pub fn read_reason(f: &mut Fields, obj: &Map<String, Value>, key: &str) -> Option<String> {
    let v = match obj.get(key) {
        None | Some(Value::Null) => {
            f.error(key, "is required");
            return None;
        }
        Some(v) => v,
    };
    let Some(s) = v.as_str() else {
        f.error(key, "must be a string");
        return None;
    };
    if s.trim().is_empty() {
        f.error(key, "is required");
        return None;
    }
    let chars = s.chars().count();
    if chars > MAX_TEXT_CHARS {
        f.error(
            key,
            format!("is {chars} characters long; at most {MAX_TEXT_CHARS}"),
        );
        return None;
    }
    if let Err(message) = check_free_text(s) {
        f.error(key, message);
        return None;
    }
    Some(s.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_tell_malformed_from_impossible() {
        assert_eq!(
            parse_date("2026-02-28"),
            Ok(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap())
        );
        assert_eq!(
            parse_date("2026-02-30"),
            Err("\"2026-02-30\" is not a calendar date".into())
        );
        assert_eq!(
            parse_date("30/02/2026"),
            Err("\"30/02/2026\" is not a date; expected YYYY-MM-DD".into())
        );
        assert_eq!(
            parse_date("2026-2-3"),
            Err("\"2026-2-3\" is not a date; expected YYYY-MM-DD".into())
        );
    }
}
