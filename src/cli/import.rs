//! `import FILE... [--dry-run]`: every file is read and every line checked before anything is
//! written; one bad line anywhere and nothing changes (exit 6). Each file is then written in short
//! transactions with a durable progress mark (src/store/import.rs): consoles never wait long on
//! the lock, and running a file again after an interrupted import completes it exactly once.

use super::args::ImportArgs;
use super::identity::{Need, Session};
use super::output::print_json;
use super::sync::progress_bar;
use super::{Cli, Exit};
use crate::domain::{Calendar, Submission};
use crate::store::import::ImportBatch;
use crate::sync::LineError;
use crate::sync::import::{Format, parse};
use crate::text::sanitize_line;
use serde_json::json;
use std::collections::HashMap;

struct File {
    batch: ImportBatch,
    cases: Vec<(u64, Submission)>,
    /// The last line an earlier, interrupted run of this file applied.
    resumed_after: Option<u64>,
}

pub fn run(cli: &Cli, args: &ImportArgs, calendar: Calendar) -> anyhow::Result<()> {
    let mut session = Session::open(cli, calendar, Need::Reader)?;
    let today = session.today();
    let mut files = Vec::new();
    let mut errors: Vec<LineError> = Vec::new();
    let mut first_seen: HashMap<String, (String, u64)> = HashMap::new();
    for path in &args.files {
        let name = path.display().to_string();
        let format = Format::of(path).ok_or_else(|| {
            Exit::new(
                6,
                format!(
                    "{}: unknown file type; name it .jsonl (JSON Lines) or .csv",
                    sanitize_line(&name)
                ),
            )
        })?;
        let bytes =
            super::io::read_input(path).map_err(|e| Exit::new(1, format!("{name}: {e}")))?;
        let checksum = crate::sync::batch::checksum(&bytes);
        let resumed_after = session.store.import_resume_point(&checksum)?;
        let parsed = parse(&name, &bytes, format, today);
        let good = parsed.cases.len() as u64;
        let mut file_errors = parsed.errors;
        // Lines an interrupted run already applied are in the store, by design.
        let pending: Vec<(u64, Submission)> = parsed
            .cases
            .into_iter()
            .filter(|(line, _)| resumed_after.is_none_or(|done| *line > done))
            .collect();
        let existing: std::collections::HashSet<String> = session
            .store
            .existing_case_numbers(pending.iter().map(|(_, c)| c.case_no.as_str()))?
            .into_iter()
            .collect();
        let mut cases = Vec::with_capacity(pending.len());
        for (line, case) in pending {
            let bad = |message: String| LineError {
                file: name.clone(),
                line,
                field: "case_no".into(),
                message,
            };
            if existing.contains(&case.case_no) {
                file_errors.push(bad(format!("{} already exists in the store", case.case_no)));
            } else if let Some((file, first)) = first_seen.get(&case.case_no) {
                file_errors.push(bad(format!(
                    "{} appears again (first in {file} line {first})",
                    case.case_no
                )));
            } else {
                first_seen.insert(case.case_no.clone(), (name.clone(), line));
                cases.push((line, case));
            }
        }
        file_errors.sort_by_key(|e| e.line);
        errors.extend(file_errors);
        files.push(File {
            batch: ImportBatch {
                name,
                checksum,
                cases: good,
            },
            cases,
            resumed_after,
        });
    }
    if !errors.is_empty() {
        if cli.json {
            print_json(&json!({ "imported": 0, "errors": errors }))?;
        }
        for e in &errors {
            crate::errln!("{}", sanitize_line(&e.to_string()));
        }
        let lines: std::collections::BTreeSet<(&str, u64)> =
            errors.iter().map(|e| (e.file.as_str(), e.line)).collect();
        return Err(Exit::new(
            6,
            format!("{} bad line(s); nothing was imported", lines.len()),
        )
        .into());
    }
    let user = session.user().to_string();
    session.store.require_admin(&user, "import")?;
    let mut summary = Vec::new();
    for file in files {
        let count = file.cases.len() as u64;
        let name = file.batch.name.clone();
        if let Some(line) = file.resumed_after {
            crate::errln!(
                "{}: an earlier import stopped after line {line}; importing the rest",
                sanitize_line(&name)
            );
        }
        let done = if args.dry_run || count == 0 {
            0
        } else {
            let bar = progress_bar(count, &name);
            let done = session.store.import_cases(
                &user,
                &file.batch,
                file.cases,
                session.fixed_today,
                &|n| bar.set_position(n),
            )?;
            bar.finish_and_clear();
            done
        };
        if !cli.json {
            if args.dry_run {
                crate::outln!(
                    "{}: {count} case(s) would be imported (dry run; nothing changed)",
                    sanitize_line(&name)
                );
            } else {
                crate::outln!("{}: imported {done} case(s)", sanitize_line(&name));
            }
        }
        summary.push(json!({ "file": name, "cases": count, "imported": done }));
    }
    if cli.json {
        print_json(&json!({ "dry_run": args.dry_run, "files": summary, "errors": [] }))?;
    }
    Ok(())
}
