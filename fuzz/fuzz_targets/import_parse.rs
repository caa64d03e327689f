//! The import and spool parsers on arbitrary bytes. Beyond "never panics": every case they
//! accept is valid by the domain's own rule and carries no control or invisible character in any
//! text field (hostile text is stopped at the door), its case number is already folded, case
//! numbers are unique within a file, every bad line names a line of the file, and the terminal
//! sanitiser leaves nothing unsafe behind.
//!
//! The first byte picks JSON Lines or CSV; the rest is the file.

#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use permitdesk::domain::Submission;
use permitdesk::domain::invisible;
use permitdesk::domain::transition::{fold_case_no, validate_submission};
use permitdesk::sync::batch::parse_batch;
use permitdesk::sync::import::{Format, parse};
use permitdesk::sync::lines::count_lines;
use permitdesk::text::{contains_unsafe, sanitize_line, sanitize_multiline};
use std::collections::HashSet;

fn texts(case: &Submission) -> Vec<&str> {
    let mut t = vec![
        case.case_no.as_str(),
        case.applicant.name.as_str(),
        case.applicant.passport_no.as_str(),
        case.applicant.nationality.as_str(),
        case.employer.name.as_str(),
        case.employer.uscc.as_str(),
    ];
    t.extend(case.applicant.name_native.as_deref());
    t.extend(case.position.as_deref());
    t.extend(case.documents.iter().map(|d| d.kind.as_str()));
    t.extend(
        case.exam_report
            .iter()
            .filter_map(|e| e.institution.as_deref()),
    );
    t
}

fuzz_target!(|data: &[u8]| {
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
    let (format, body) = match data.split_first() {
        Some((b, rest)) if b & 1 == 1 => (Format::Csv, rest),
        Some((_, rest)) => (Format::Jsonl, rest),
        None => (Format::Jsonl, data),
    };
    let lines = count_lines(body).max(1);

    let parsed = parse("fuzz", body, format, today);
    let mut seen = HashSet::new();
    for (line, case) in &parsed.cases {
        assert!(
            *line >= 1 && *line <= lines,
            "case on line {line} of {lines}"
        );
        assert!(
            validate_submission(case).is_ok(),
            "accepted an invalid case: {case:?}"
        );
        assert_eq!(
            fold_case_no(&case.case_no).as_ref(),
            Ok(&case.case_no),
            "accepted an unfolded case number"
        );
        assert!(
            seen.insert(case.case_no.clone()),
            "{} accepted twice",
            case.case_no
        );
        for text in texts(case) {
            assert!(!contains_unsafe(text), "accepted unsafe text {text:?}");
            assert_eq!(invisible::in_text(text), None, "accepted {text:?}");
            assert!(
                !text.contains('\n') && !text.contains('\t'),
                "accepted {text:?}"
            );
        }
    }
    for e in &parsed.errors {
        // CSV records may span lines (quoted newlines), and a header error is line 1.
        assert!(
            e.line <= lines + 1,
            "error on line {} of {lines}: {e}",
            e.line
        );
    }

    // The same bytes as an inbox batch, against a store that knows no case and one that
    // knows every case.
    for known in [false, true] {
        let batch =
            parse_batch::<()>("fuzz.jsonl", body, today, &mut |_| Ok(known)).expect("parse");
        assert!(batch.is_valid() == batch.errors.is_empty());
        for event in &batch.events {
            assert!(!contains_unsafe(&event.case_no) && !event.case_no.is_empty());
            assert_eq!(
                fold_case_no(&event.case_no).as_ref(),
                Ok(&event.case_no),
                "accepted an unfolded case number"
            );
        }
    }

    // Whatever the bytes, sanitised text is inert.
    let text = String::from_utf8_lossy(body);
    let line = sanitize_line(&text);
    assert!(!line.chars().any(char::is_control), "{line:?}");
    assert!(!contains_unsafe(&line), "{line:?}");
    let multi = sanitize_multiline(&text);
    assert!(
        !multi.chars().any(|c| c.is_control() && c != '\n'),
        "{multi:?}"
    );
});
