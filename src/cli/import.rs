//! `import FILE... [--dry-run]`: every file is read and every line checked before anything is
//! written; one bad line anywhere and nothing changes (exit 6). Each file is then one transaction.

use super::args::ImportArgs;
use super::identity::{Need, Session};
use super::output::print_json;
use super::sync::progress_bar;
use super::{Cli, Exit};
use crate::domain::{Calendar, Submission};
use crate::sync::LineError;
use crate::sync::import::{Format, parse};
use crate::text::sanitize_line;
use serde_json::json;
use std::collections::HashMap;

struct File {
    name: String,
    cases: Vec<Submission>,
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
        let bytes = std::fs::read(path).map_err(|e| Exit::new(1, format!("{name}: {e}")))?;
        let parsed = parse(&name, &bytes, format, today);
        let mut file_errors = parsed.errors;
        let existing = session
            .store
            .existing_case_numbers(parsed.cases.iter().map(|(_, c)| c.case_no.as_str()))?;
        let mut cases = Vec::with_capacity(parsed.cases.len());
        for (line, case) in parsed.cases {
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
                cases.push(case);
            }
        }
        file_errors.sort_by_key(|e| e.line);
        errors.extend(file_errors);
        files.push(File { name, cases });
    }
    if !errors.is_empty() {
        if cli.json {
            print_json(&json!({ "imported": 0, "errors": errors }))?;
        }
        for e in &errors {
            eprintln!("{}", sanitize_line(&e.to_string()));
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
        let done = if args.dry_run {
            0
        } else {
            let bar = progress_bar(count, &file.name);
            let done =
                session
                    .store
                    .import_cases(&user, file.cases, session.fixed_today, &|n| {
                        bar.set_position(n)
                    })?;
            bar.finish_and_clear();
            done
        };
        if !cli.json {
            if args.dry_run {
                println!(
                    "{}: {count} case(s) would be imported (dry run; nothing changed)",
                    sanitize_line(&file.name)
                );
            } else {
                println!("{}: imported {done} case(s)", sanitize_line(&file.name));
            }
        }
        summary.push(json!({ "file": file.name, "cases": count, "imported": done }));
    }
    if cli.json {
        print_json(&json!({ "dry_run": args.dry_run, "files": summary, "errors": [] }))?;
    }
    Ok(())
}
