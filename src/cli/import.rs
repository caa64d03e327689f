//! `import FILE... [--dry-run]`: every file is read and every line checked before anything is
//! written; one bad line anywhere and nothing changes (exit 6). Each file is then written in short
//! transactions with a durable progress mark (src/store/import.rs): consoles never wait long on
//! the lock, and running a file again after an interrupted import completes it exactly once.
//!
//! A file is streamed, never held: it is read once for its checksum (which names the batch and
//! finds an interrupted run), once to check every line, and once to write the cases, with at most
//! a line, a chunk of cases and a fingerprint per case number in memory
//! (docs/PERFORMANCE.md, "Import memory").

use super::args::ImportArgs;
use super::identity::{Need, Session};
use super::output::print_json;
use super::sync::progress_bar;
use super::{Cli, Exit};
use crate::domain::submission::check_submitted_on;
use crate::domain::{Calendar, Refusal};
use crate::store::import::ImportBatch;
use crate::store::{Store, StoreError};
use crate::sync::LineError;
use crate::sync::import::{Format, Record, parse_stream};
use crate::sync::lines::RECORD;
use crate::text::sanitize_line;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Read;
use std::path::Path;

/// Bad lines printed (and in `--json`); the count of the rest is printed after them.
const MAX_ERRORS_SHOWN: usize = 1000;

/// Case numbers checked against the store at once.
const EXISTING_CHUNK: usize = 1000;

/// An import file, opened as often as it is read: a regular file of this machine, or the bytes
/// a client sent (`permitdesk --connect`), which are the client's own file.
enum Input {
    Local(std::path::PathBuf),
    Sent(Vec<u8>),
}

impl Input {
    fn new(path: &Path) -> std::io::Result<Input> {
        if super::io::is_served() {
            return super::io::read_input(path).map(Input::Sent);
        }
        let input = Input::Local(path.to_path_buf());
        input.open()?;
        Ok(input)
    }

    fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>> {
        match self {
            Input::Sent(bytes) => Ok(Box::new(&bytes[..])),
            Input::Local(path) => Ok(Box::new(super::io::open_regular(path)?)),
        }
    }

    fn checksum(&self) -> std::io::Result<String> {
        let mut hasher = Sha256::new();
        let mut hashed = Tee {
            inner: self.open()?,
            hasher: &mut hasher,
        };
        std::io::copy(&mut hashed, &mut std::io::sink())?;
        Ok(hex::encode(hasher.finalize()))
    }
}

/// A file whose every line was checked.
struct File {
    input: Input,
    format: Format,
    batch: ImportBatch,
    /// Cases still to write (those an interrupted run wrote are left out).
    pending: u64,
    /// The last line an earlier, interrupted run of this file applied.
    resumed_after: Option<u64>,
}

/// Every bad line found, the first `MAX_ERRORS_SHOWN` of them kept.
#[derive(Default)]
struct Errors {
    shown: Vec<LineError>,
    hidden: u64,
    lines: std::collections::HashSet<(usize, u64)>,
}

impl Errors {
    fn push(&mut self, file: usize, error: LineError) {
        self.lines.insert((file, error.line));
        if self.shown.len() < MAX_ERRORS_SHOWN {
            self.shown.push(error);
        } else {
            self.hidden += 1;
        }
    }
}

/// Where a case number was first seen: the file's index in the high 16 bits, its line below.
type FirstSeen = u64;

const LINE_BITS: u32 = 48;

fn first_seen_at(file: usize, line: u64) -> Option<FirstSeen> {
    let file = u64::try_from(file)
        .ok()
        .filter(|f| *f < 1 << (64 - LINE_BITS))?;
    (line < 1 << LINE_BITS).then_some(file << LINE_BITS | line)
}

/// A case number as the import remembers it: 128 bits of its SHA-256 (24 bytes a case with where
/// it was seen), so a million numbers take tens of megabytes, not the numbers themselves.
fn fingerprint(case_no: &str) -> [u64; 2] {
    let digest = Sha256::digest(case_no.as_bytes());
    let word = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[at..at + 8]);
        u64::from_le_bytes(bytes)
    };
    // Two words, not a u128: its 16-byte alignment would pad every entry of the map to 32 bytes.
    [word(0), word(8)]
}

pub fn run(cli: &Cli, args: &ImportArgs, calendar: Calendar) -> anyhow::Result<()> {
    let mut session = Session::open(cli, calendar, Need::Reader)?;
    let today = session.today();
    let mut files: Vec<File> = Vec::new();
    let mut errors = Errors::default();
    let mut first_seen: HashMap<[u64; 2], FirstSeen> = HashMap::new();
    for (index, path) in args.files.iter().enumerate() {
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
        let unreadable = |e: std::io::Error| {
            // Not a regular file, or content no import reads (a record past its budget): bad
            // input. Anything else is the machine's trouble.
            let code = match e.kind() {
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => 6,
                _ => 1,
            };
            Exit::new(code, format!("{}: {e}", sanitize_line(&name)))
        };
        let input = Input::new(path).map_err(unreadable)?;
        let checksum = input.checksum().map_err(unreadable)?;
        let resumed_after = session.store.import_resume_point(&checksum)?;
        let names: Vec<&str> = files.iter().map(|f| f.batch.name.as_str()).collect();
        let mut check = Check {
            store: &session.store,
            today,
            index,
            name: &name,
            earlier: &names,
            resumed_after,
            first_seen: &mut first_seen,
            errors: &mut errors,
            unchecked: Vec::new(),
            good: 0,
            pending: 0,
            failure: None,
        };
        parse_stream(
            &name,
            input.open().map_err(unreadable)?,
            format,
            today,
            &mut |record| check.record(record),
        )
        .map_err(unreadable)?;
        check.existing();
        let (good, pending) = (check.good, check.pending);
        if let Some(e) = check.failure {
            return Err(e.into());
        }
        files.push(File {
            input,
            format,
            batch: ImportBatch {
                name,
                checksum,
                cases: good,
            },
            pending,
            resumed_after,
        });
    }
    drop(first_seen);
    if !errors.lines.is_empty() {
        return Err(refuse(cli, errors)?.into());
    }
    let user = session.user().to_string();
    session.store.require_admin(&user, "import")?;
    let mut summary = Vec::new();
    for file in files {
        let count = file.pending;
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
            write(&mut session, &user, &file, today)?
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

/// Says every bad line (the first `MAX_ERRORS_SHOWN`, then how many more) and refuses the import.
fn refuse(cli: &Cli, mut errors: Errors) -> anyhow::Result<Exit> {
    errors
        .shown
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    if cli.json {
        print_json(&json!({
            "imported": 0,
            "errors": errors.shown,
            "errors_not_shown": errors.hidden,
        }))?;
    }
    for e in &errors.shown {
        crate::errln!("{}", sanitize_line(&e.to_string()));
    }
    if errors.hidden > 0 {
        crate::errln!("... and {} more problem(s) not shown", errors.hidden);
    }
    Ok(Exit::new(
        6,
        format!("{} bad line(s); nothing was imported", errors.lines.len()),
    ))
}

/// The second reading of one file: each line checked, and each case number against the file so
/// far, the earlier files and the store.
struct Check<'a> {
    store: &'a Store,
    /// The day the cases would be submitted on.
    today: chrono::NaiveDate,
    index: usize,
    name: &'a str,
    earlier: &'a [&'a str],
    resumed_after: Option<u64>,
    first_seen: &'a mut HashMap<[u64; 2], FirstSeen>,
    errors: &'a mut Errors,
    /// Case numbers not yet looked up in the store, with their lines.
    unchecked: Vec<(u64, String)>,
    good: u64,
    pending: u64,
    failure: Option<StoreError>,
}

impl Check<'_> {
    fn record(&mut self, record: Record) {
        let (line, case) = match record {
            Record::Bad(e) => return self.errors.push(self.index, e),
            Record::Case(line, case) => (line, case),
        };
        self.good += 1;
        // Lines an interrupted run already applied are in the store, by design.
        if self.resumed_after.is_some_and(|done| line <= done) {
            return;
        }
        // The domain's dated rules, as `submit` will apply them when the case is written.
        if let Err(refusal) = check_submitted_on(&case, self.today, self.store.policy()) {
            let (field, message) = match refusal {
                Refusal::Invalid { field, message, .. } => (field.to_string(), message),
                other => (RECORD.to_string(), other.to_string()),
            };
            let error = LineError {
                file: self.name.to_string(),
                line,
                field,
                message,
            };
            return self.errors.push(self.index, error);
        }
        let Some(here) = first_seen_at(self.index, line) else {
            return self.bad(line, "too many files or lines for one import".into());
        };
        match self.first_seen.entry(fingerprint(&case.case_no)) {
            Entry::Occupied(first) => {
                let (file, first) = (
                    usize::try_from(*first.get() >> LINE_BITS).unwrap_or(usize::MAX),
                    *first.get() & ((1 << LINE_BITS) - 1),
                );
                let message = if file == self.index {
                    format!("{} appears again (first on line {first})", case.case_no)
                } else {
                    let earlier = self.earlier.get(file).copied().unwrap_or("another file");
                    format!(
                        "{} appears again (first in {earlier} line {first})",
                        case.case_no
                    )
                };
                self.bad(line, message);
            }
            Entry::Vacant(slot) => {
                slot.insert(here);
                self.pending += 1;
                self.unchecked.push((line, case.case_no));
                if self.unchecked.len() >= EXISTING_CHUNK {
                    self.existing();
                }
            }
        }
    }

    fn bad(&mut self, line: u64, message: String) {
        let error = LineError {
            file: self.name.to_string(),
            line,
            field: "case_no".into(),
            message,
        };
        self.errors.push(self.index, error);
    }

    /// Looks the unchecked case numbers up in the store.
    fn existing(&mut self) {
        let unchecked = std::mem::take(&mut self.unchecked);
        if unchecked.is_empty() || self.failure.is_some() {
            return;
        }
        match self
            .store
            .existing_case_numbers(unchecked.iter().map(|(_, no)| no.as_str()))
        {
            Err(e) => self.failure = Some(e),
            Ok(found) => {
                let found: std::collections::HashSet<String> = found.into_iter().collect();
                for (line, case_no) in unchecked {
                    if found.contains(&case_no) {
                        self.bad(line, format!("{case_no} already exists in the store"));
                    }
                }
            }
        }
    }
}

/// The third reading: the cases are parsed on a thread of their own and handed over a short
/// queue to the store's writer, so neither side ever holds more than a chunk.
fn write(
    session: &mut Session,
    user: &str,
    file: &File,
    today: chrono::NaiveDate,
) -> anyhow::Result<u64> {
    let name = file.batch.name.as_str();
    let bar = progress_bar(file.pending, name);
    let input = file
        .input
        .open()
        .map_err(|e| Exit::new(1, format!("{}: {e}", sanitize_line(name))))?;
    let resumed_after = file.resumed_after;
    let (done, read) = std::thread::scope(|scope| {
        let (sender, cases) = std::sync::mpsc::sync_channel(1024);
        let reader = scope.spawn(move || {
            let mut hasher = Sha256::new();
            let mut changed = false;
            let hashed = Tee {
                inner: input,
                hasher: &mut hasher,
            };
            let read = parse_stream(name, hashed, file.format, today, &mut |record| {
                match record {
                    Record::Case(line, case) if resumed_after.is_none_or(|d| line > d) => {
                        // A writer that stopped reads no more; its error is reported.
                        let _ = sender.send((line, *case));
                    }
                    Record::Case(..) => {}
                    Record::Bad(_) => changed = true,
                }
            });
            drop(sender);
            read.map(|()| changed || hex::encode(hasher.finalize()) != file.batch.checksum)
        });
        let done = session.store.import_cases(
            user,
            &file.batch,
            cases.into_iter(),
            session.fixed_today,
            &|n| bar.set_position(n),
        );
        (done, reader.join())
    });
    bar.finish_and_clear();
    let done = done?;
    match read {
        Ok(Ok(false)) => Ok(done),
        Ok(Ok(true)) => Err(Exit::new(
            1,
            format!(
                "{}: the file changed while it was imported ({done} case(s) were written); \
                 check it and import it again",
                sanitize_line(name)
            ),
        )
        .into()),
        Ok(Err(e)) => Err(Exit::new(1, format!("{}: {e}", sanitize_line(name))).into()),
        Err(_) => Err(Exit::new(1, format!("{}: the reader failed", sanitize_line(name))).into()),
    }
}

/// Reads `inner`, hashing what it reads.
struct Tee<'a, R> {
    inner: R,
    hasher: &'a mut Sha256,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}
