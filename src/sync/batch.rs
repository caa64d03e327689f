//! Reading one inbox batch whole: every line is checked before anything is applied, and every
//! bad line is reported. The record format is in the README ("Upstream sync").

use super::lines::{FieldError, LineError, RECORD, count_lines, excerpt, json_error, lines};
use super::record::{Fields, fold_case_no, read_case, read_reason};
use crate::domain::submission::check_submitted_on;
use crate::domain::{Policy, Refusal};
use crate::store::upstream::{UpstreamAction, UpstreamEvent};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The keys every event carries.
pub const ENVELOPE: &[&str] = &["event", "case_no", "upstream_version", "at"];

/// A batch file, read and checked.
#[derive(Debug, Clone)]
pub struct Batch {
    pub name: String,
    /// SHA-256 of the file's bytes, hex.
    pub checksum: String,
    /// Lines in the file, blank ones included.
    pub lines: u64,
    pub events: Vec<UpstreamEvent>,
    pub errors: Vec<LineError>,
    /// Every case number the batch names, from good and bad lines alike.
    pub cases: BTreeSet<String>,
    /// Some line's case number could not be read, so the batch may touch any case.
    pub unreadable_case: bool,
}

impl Batch {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Judges each submission by the office's policy (the changeover day) as the domain will
    /// when it is applied, so such a line is a bad line and nothing of the batch is applied.
    pub fn check_policy(&mut self, policy: &Policy) {
        for event in &self.events {
            let UpstreamAction::Submitted(submission) = &event.action else {
                continue;
            };
            match check_submitted_on(submission, event.at.date_naive(), policy) {
                Ok(()) => {}
                Err(Refusal::Invalid { field, message, .. }) => self
                    .errors
                    .push(FieldError::new(field, message).at(&self.name, event.line)),
                Err(other) => self
                    .errors
                    .push(FieldError::new(RECORD, other.to_string()).at(&self.name, event.line)),
            }
        }
        self.errors.sort_by_key(|e| e.line);
    }

    /// True if this batch names any of `cases`.
    pub fn touches(&self, cases: &BTreeSet<String>) -> bool {
        self.cases.iter().any(|c| cases.contains(c))
    }
}

pub fn checksum(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads and checks a whole batch. `known` says whether a case is in the store; an event for a
/// case that is neither there nor submitted by an earlier line of the batch is a bad line.
pub fn parse_batch<E>(
    name: &str,
    bytes: &[u8],
    today: NaiveDate,
    known: &mut dyn FnMut(&str) -> Result<bool, E>,
) -> Result<Batch, E> {
    let mut batch = Batch {
        name: name.to_string(),
        checksum: checksum(bytes),
        lines: count_lines(bytes),
        events: Vec::new(),
        errors: Vec::new(),
        cases: BTreeSet::new(),
        unreadable_case: false,
    };
    let mut submitted: BTreeSet<String> = BTreeSet::new();
    for line in lines(bytes) {
        let line = match line {
            Ok(line) => line,
            Err((number, error)) => {
                batch.unreadable_case = true;
                batch.errors.push(error.at(name, number));
                continue;
            }
        };
        let obj = match serde_json::from_str::<Value>(line.text) {
            Ok(Value::Object(obj)) => obj,
            Ok(_) => {
                batch.unreadable_case = true;
                batch
                    .errors
                    .push(FieldError::new(RECORD, "must be a JSON object").at(name, line.number));
                continue;
            }
            Err(e) => {
                batch.unreadable_case = true;
                batch
                    .errors
                    .push(FieldError::new(RECORD, json_error(&e)).at(name, line.number));
                continue;
            }
        };
        match obj
            .get("case_no")
            .and_then(Value::as_str)
            .map(|c| fold_case_no(c.trim()))
        {
            Some(Ok(case_no)) => {
                batch.cases.insert(case_no);
            }
            _ => batch.unreadable_case = true,
        }
        let mut errors = Vec::new();
        let event = read_event(&obj, line.number, today, &mut errors);
        if let Some(event) = &event {
            let is_submission = matches!(event.action, UpstreamAction::Submitted(_));
            if is_submission {
                submitted.insert(event.case_no.clone());
            } else if !submitted.contains(&event.case_no) && !known(&event.case_no)? {
                errors.push(FieldError::new(
                    "case_no",
                    format!(
                        "{} is not in the store and no earlier line of this batch submits it",
                        excerpt(&event.case_no)
                    ),
                ));
            }
        }
        match event {
            Some(event) if errors.is_empty() => batch.events.push(event),
            _ => {
                // A line that yields no event is always a bad line, never dropped in silence.
                if errors.is_empty() {
                    errors.push(unread());
                }
                batch
                    .errors
                    .extend(errors.into_iter().map(|e| e.at(name, line.number)));
            }
        }
    }
    Ok(batch)
}

/// The error of a line that yields no event although no field was reported bad: a guard, so
/// that a line is never dropped without a word.
fn unread() -> FieldError {
    FieldError::new(
        RECORD,
        "could not be read as an event although no field was reported bad; nothing of this batch was applied",
    )
}

/// One inbox line as an event; `None` with every bad field in `errors` (at least one).
pub fn read_event(
    obj: &Map<String, Value>,
    line: u64,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) -> Option<UpstreamEvent> {
    let mut f = Fields { errors, today };
    let kind = match obj.get("event") {
        None | Some(Value::Null) => {
            f.error("event", "is required");
            None
        }
        Some(Value::String(s)) if UpstreamAction::NAMES.contains(&s.as_str()) => Some(s.as_str()),
        Some(Value::String(s)) => {
            f.error(
                "event",
                format!(
                    "unknown event \"{}\"; expected one of: {}",
                    excerpt(s),
                    UpstreamAction::NAMES.join(", ")
                ),
            );
            None
        }
        Some(_) => {
            f.error("event", "must be a string");
            None
        }
    };
    let case_no = f
        .text(obj, "case_no", "case_no", true, usize::MAX)
        .and_then(|c| match fold_case_no(&c) {
            Ok(c) => Some(c),
            Err(m) => {
                f.error("case_no", m);
                None
            }
        });
    let upstream_version = match obj.get("upstream_version") {
        None | Some(Value::Null) => {
            f.error("upstream_version", "is required");
            None
        }
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 => Some(n),
            _ => {
                f.error("upstream_version", "must be a whole number from 1 up");
                None
            }
        },
    };
    let at = read_time(&mut f, obj, "at");
    let action = match kind {
        None => None,
        Some("submitted") => {
            // The case carries the envelope's case_no, so read_case checks it too (by the same
            // rule); an error already reported for the envelope is not reported twice.
            let mut case_errors = Vec::new();
            let mut cf = Fields {
                errors: &mut case_errors,
                today,
            };
            let submission = read_case(&mut cf, obj, ENVELOPE);
            for e in case_errors {
                if !f.errors.contains(&e) {
                    f.errors.push(e);
                }
            }
            submission.map(|s| UpstreamAction::Submitted(Box::new(s)))
        }
        Some(other) => {
            let extra: &[&str] = match other {
                "entry_recorded" | "e_card_registered" => &["date"],
                "withdrawn" => &["reason"],
                _ => &[],
            };
            let allowed: Vec<&str> = ENVELOPE.iter().chain(extra).copied().collect();
            f.unknown_keys(obj, &allowed, "");
            match other {
                "resubmitted" => Some(UpstreamAction::Resubmitted),
                "entry_recorded" | "e_card_registered" => {
                    let date = f.past_date(obj, "date", "date", true);
                    if let (Some(date), Some(at)) = (date, at) {
                        if date > at.date_naive() {
                            f.error(
                                "date",
                                format!("{date} is after the event itself ({})", at.date_naive()),
                            );
                        }
                    }
                    date.map(|date| {
                        if other == "entry_recorded" {
                            UpstreamAction::EntryRecorded { date }
                        } else {
                            UpstreamAction::ECardRegistered { date }
                        }
                    })
                }
                _ => read_reason(&mut f, obj, "reason")
                    .map(|reason| UpstreamAction::Withdrawn { reason }),
            }
        }
    };
    let event = match (case_no, upstream_version, at, action) {
        (Some(case_no), Some(upstream_version), Some(at), Some(action)) if f.errors.is_empty() => {
            Some(UpstreamEvent {
                line,
                case_no,
                upstream_version,
                at,
                action,
            })
        }
        _ => None,
    };
    if event.is_none() && f.errors.is_empty() {
        f.errors.push(unread());
    }
    event
}

fn read_time(f: &mut Fields, obj: &Map<String, Value>, key: &str) -> Option<DateTime<FixedOffset>> {
    let text = match obj.get(key) {
        None | Some(Value::Null) => {
            f.error(key, "is required");
            return None;
        }
        Some(Value::String(s)) => s.trim(),
        Some(_) => {
            f.error(key, "must be a string");
            return None;
        }
    };
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => Some(t),
        Err(_) => {
            f.error(
                key,
                format!(
                    "\"{}\" is not a timestamp; expected RFC 3339 with a UTC offset, e.g. 2026-05-10T09:30:00+08:00",
                    excerpt(text)
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).expect("date")
    }

    fn parse(text: &str, known: bool) -> Batch {
        parse_batch::<()>("b.jsonl", text.as_bytes(), today(), &mut |_| Ok(known)).expect("parse")
    }

    #[test]
    fn every_bad_line_is_reported_with_its_field() {
        let text = concat!(
            "{\"event\":\"withdrawn\",\"case_no\":\"UP-1\",\"upstream_version\":2,\"at\":\"2026-11-20T09:00:00+08:00\",\"reason\":\"asked\"}\n",
            "{\"event\":\"teleported\",\"case_no\":\"UP-2\",\"upstream_version\":0,\"at\":\"yesterday\"}\n",
            "not json\n",
            "{\"event\":\"entry_recorded\",\"case_no\":\"UP-3\",\"upstream_version\":1,\"at\":\"2026-11-20T09:00:00+08:00\",\"date\":\"2026-11-21\"}\n",
        );
        let batch = parse(text, true);
        let got: Vec<String> = batch.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            got,
            vec![
                "b.jsonl:2: event: unknown event \"teleported\"; expected one of: submitted, resubmitted, entry_recorded, e_card_registered, withdrawn",
                "b.jsonl:2: upstream_version: must be a whole number from 1 up",
                "b.jsonl:2: at: \"yesterday\" is not a timestamp; expected RFC 3339 with a UTC offset, e.g. 2026-05-10T09:30:00+08:00",
                "b.jsonl:3: record: is not JSON: expected ident (column 2)",
                "b.jsonl:4: date: 2026-11-21 is after the event itself (2026-11-20)",
            ]
        );
        assert_eq!(batch.events.len(), 1);
        assert!(batch.unreadable_case);
    }

    fn submitted(case_no: &str) -> String {
        let line = serde_json::json!({
            "event": "submitted", "case_no": case_no, "upstream_version": 1,
            "at": "2026-11-20T09:00:00+08:00", "kind": "overseas_new", "category": "B",
            "applicant": {"name": "SMITH JOHN", "passport_no": "E12345678", "nationality": "GBR"},
            "employer": {"name": "Guangzhou Example Co", "uscc": "91440101MA5CQ7H2XC"}
        });
        format!("{line}\n")
    }

    #[test]
    fn case_numbers_follow_the_domain_rule_counted_in_characters() {
        let rule = "b.jsonl:1: case_no: must be 1-40 characters without spaces";
        for (case_no, good) in [
            ("案件".repeat(7), true),
            ("案".repeat(40), true),
            ("A".repeat(40), true),
            ("案".repeat(41), false),
            ("A".repeat(41), false),
            ("UP 1".to_string(), false),
        ] {
            let batch = parse(&submitted(&case_no), false);
            let errors: Vec<String> = batch.errors.iter().map(|e| e.to_string()).collect();
            if good {
                assert!(errors.is_empty(), "{case_no}: {errors:?}");
                assert_eq!(batch.events.len(), 1, "{case_no}");
                assert_eq!(batch.events[0].case_no, case_no);
            } else {
                // Reported once, although both the envelope and the case carry it.
                assert_eq!(errors, vec![rule.to_string()], "{case_no}");
                assert!(batch.events.is_empty());
            }
        }
    }

    #[test]
    fn a_line_without_an_event_always_has_an_error() {
        let good = submitted("UP-1");
        for text in [
            good.clone(),
            good.replace("\"UP-1\"", "\"\""),
            good.replace("\"B\"", "\"Z\""),
            good.replace("\"GBR\"", "null"),
            "{}\n".to_string(),
            "{\"event\":\"resubmitted\"}\n".to_string(),
        ] {
            let mut errors = Vec::new();
            let obj: Map<String, Value> = serde_json::from_str(&text).expect("object");
            let event = read_event(&obj, 1, today(), &mut errors);
            assert_eq!(
                event.is_some(),
                errors.is_empty(),
                "{text}: {event:?} {errors:?}"
            );
        }
    }

    #[test]
    fn events_for_unknown_cases_are_bad_unless_submitted_first() {
        let text = "{\"event\":\"resubmitted\",\"case_no\":\"UP-9\",\"upstream_version\":3,\"at\":\"2026-11-20T09:00:00+08:00\"}\n";
        let batch = parse(text, false);
        assert_eq!(
            batch.errors[0].to_string(),
            "b.jsonl:1: case_no: UP-9 is not in the store and no earlier line of this batch submits it"
        );
        assert!(!batch.unreadable_case);
        assert!(batch.cases.contains("UP-9"));
    }
}
