//! One pass over the spool: every inbox batch in name order, then the outbox.

use super::SyncError;
use super::batch::{Batch, parse_batch};
use super::fsutil::{ensure_dir, move_into};
use super::lines::{FieldError, LineError};
use crate::store::Store;
use crate::store::outbox::OutboxFile;
use crate::store::upstream::{BatchId, Budget, Counts};
use crate::text::sanitize_line;
use chrono::NaiveDate;
use nix::fcntl::{Flock, FlockArg};
use serde::Serialize;
use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `sync` is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub spool: PathBuf,
    /// The acting user (an admin).
    pub user: String,
    pub today: Option<NaiveDate>,
    pub budget: Budget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchOutcome {
    /// Applied (or finished after a crash) and archived.
    Applied,
    /// Applied before with the same checksum: archived again, nothing applied.
    Duplicate,
    /// Bad lines: nothing applied, left in the inbox.
    Invalid,
    /// A batch of this name was applied with other content: refused, left in the inbox.
    ChecksumMismatch,
    /// Touches a case of an earlier batch that was refused: left for a later run.
    Waiting,
}

impl BatchOutcome {
    /// Refused batches make `sync` exit 6.
    pub fn is_refused(self) -> bool {
        matches!(self, BatchOutcome::Invalid | BatchOutcome::ChecksumMismatch)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BatchReport {
    pub name: String,
    pub outcome: BatchOutcome,
    pub checksum: String,
    /// Valid events in the batch.
    pub events: u64,
    /// Events handled by this run (a resumed batch counts only the rest).
    pub counts: Counts,
    /// The line a crashed run had committed through (0 for a fresh start).
    pub resumed_after_line: u64,
    pub errors: Vec<LineError>,
    /// For `Waiting`: the earlier batch it waits behind.
    pub behind: Option<String>,
    pub seconds: f64,
}

impl BatchReport {
    /// The one log line of INTERFACE.md's `--watch`.
    pub fn summary(&self) -> String {
        let c = &self.counts;
        match self.outcome {
            BatchOutcome::Applied => format!(
                "{}: applied {} event(s), {} duplicate(s) skipped, {} conflict(s){} in {:.1} s; archived",
                self.name,
                c.applied,
                c.skipped,
                c.conflicts,
                if self.resumed_after_line > 0 {
                    format!(", resumed after line {}", self.resumed_after_line)
                } else {
                    String::new()
                },
                self.seconds
            ),
            BatchOutcome::Duplicate => format!(
                "{}: already applied (same checksum); archived again as a duplicate",
                self.name
            ),
            BatchOutcome::Invalid => {
                // Line 0 is the file as a whole (its name, its type); the others are lines.
                let lines: BTreeSet<u64> = self
                    .errors
                    .iter()
                    .map(|e| e.line)
                    .filter(|l| *l > 0)
                    .collect();
                let why = match self.errors.iter().find(|e| e.line == 0) {
                    Some(e) if lines.is_empty() => e.message.clone(),
                    Some(e) => format!("{}, and {} bad line(s)", e.message, lines.len()),
                    None => format!("{} bad line(s)", lines.len()),
                };
                format!(
                    "{}: refused: {why}; nothing applied, left in the inbox",
                    self.name
                )
            }
            BatchOutcome::ChecksumMismatch => format!(
                "{}: refused: a batch of this name was applied with different content (checksum {}); left in the inbox",
                self.name,
                &self.checksum[..12.min(self.checksum.len())]
            ),
            BatchOutcome::Waiting => format!(
                "{}: waiting: it touches cases of the refused batch {}; left in the inbox",
                self.name,
                self.behind.as_deref().unwrap_or("before it")
            ),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub batches: Vec<BatchReport>,
    pub outbox: Vec<OutboxFile>,
}

impl SyncReport {
    pub fn refused(&self) -> usize {
        self.batches
            .iter()
            .filter(|b| b.outcome.is_refused())
            .count()
    }
}

/// Told about progress, so the CLI can draw a bar and log lines.
pub trait Observer {
    fn batch_started(&mut self, _name: &str, _events: u64, _already: u64) {}
    fn progress(&mut self, _done: u64) {}
    fn batch_done(&mut self, _report: &BatchReport) {}
    fn outbox_written(&mut self, _file: &OutboxFile) {}
}

/// Ignores everything.
pub struct Quiet;

impl Observer for Quiet {}

/// The spool's layout.
pub struct Spool {
    pub inbox: PathBuf,
    pub archive: PathBuf,
    pub outbox: PathBuf,
    _lock: Flock<File>,
}

impl Spool {
    /// Takes the spool's lock, checks that the spool belongs to the store `store_id` (binding it
    /// on first use) and only then creates missing subdirectories.
    pub fn open(dir: &Path, store_id: &str) -> Result<Spool, SyncError> {
        if !dir.is_dir() {
            return Err(SyncError::NoSpool {
                path: dir.to_path_buf(),
            });
        }
        let lock = Self::lock(dir)?;
        super::binding::bind(dir, store_id)?;
        let (inbox, archive, outbox) = (dir.join("inbox"), dir.join("archive"), dir.join("outbox"));
        for d in [&inbox, &archive, &outbox] {
            ensure_dir(d).map_err(SyncError::io(d))?;
        }
        Ok(Spool {
            inbox,
            archive,
            outbox,
            _lock: lock,
        })
    }

    fn lock(dir: &Path) -> Result<Flock<File>, SyncError> {
        let lock_path = dir.join(".permitdesk-sync.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(SyncError::io(&lock_path))?;
        Flock::lock(file, FlockArg::LockExclusiveNonblock).map_err(|_| SyncError::Locked {
            path: dir.to_path_buf(),
        })
    }

    /// `inbox/*.jsonl` in name order (of the names' bytes), skipping hidden (temporary) files.
    /// Entries that cannot be taken as batches (a name that is not UTF-8, something other than
    /// a regular file) are listed too, so that they are refused aloud rather than skipped.
    pub fn batches(&self) -> Result<Vec<Entry>, SyncError> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(&self.inbox).map_err(SyncError::io(&self.inbox))? {
            let entry = entry.map_err(SyncError::io(&self.inbox))?;
            let name = entry.file_name();
            let bytes = name.as_bytes();
            if !bytes.ends_with(b".jsonl") || bytes.starts_with(b".") {
                continue;
            }
            let what = match entry.file_type() {
                Ok(t) if t.is_file() => None,
                Ok(t) if t.is_dir() => Some("a directory"),
                Ok(t) if t.is_symlink() => Some("a symbolic link"),
                Ok(t) if t.is_fifo() => Some("a named pipe"),
                Ok(t) if t.is_socket() => Some("a socket"),
                Ok(t) if t.is_block_device() || t.is_char_device() => Some("a device"),
                _ => Some("of an unknown type"),
            };
            entries.push(match (what, name.into_string()) {
                (Some(what), Ok(name)) => Entry::NotAFile {
                    name: name.into(),
                    what,
                },
                (Some(what), Err(name)) => Entry::NotAFile { name, what },
                (None, Ok(name)) => Entry::Batch(name),
                (None, Err(name)) => Entry::BadName(name),
            });
        }
        entries.sort_by(|a, b| a.file_name().cmp(b.file_name()));
        Ok(entries)
    }
}

/// One `*.jsonl` entry of the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A regular file with a UTF-8 name: a batch.
    Batch(String),
    /// A regular file whose name is not UTF-8: refused, left in the inbox.
    BadName(OsString),
    /// Not a regular file (`what` it is instead): refused, left in the inbox.
    NotAFile { name: OsString, what: &'static str },
}

impl Entry {
    pub fn file_name(&self) -> &OsStr {
        match self {
            Entry::Batch(name) => OsStr::new(name),
            Entry::BadName(name) | Entry::NotAFile { name, .. } => name,
        }
    }

    /// The name as reports show it: invalid UTF-8 replaced, control characters removed.
    pub fn shown(&self) -> String {
        sanitize_line(&self.file_name().to_string_lossy()).into_owned()
    }
}

/// The field a whole-file error names, at line 0 (the file rather than one of its lines).
pub const FILE: &str = "file";

/// Cases that later batches must not touch yet.
#[derive(Default)]
struct Blocked {
    cases: BTreeSet<String>,
    all: bool,
    /// The first refused batch, named in waiting batches' reports.
    by: Option<String>,
}

impl Blocked {
    fn add(&mut self, batch: &Batch) {
        self.all |= batch.unreadable_case;
        self.cases.extend(batch.cases.iter().cloned());
        self.by.get_or_insert_with(|| batch.name.clone());
    }

    /// A refused entry whose cases cannot be known: every later batch waits behind it.
    fn add_unknown(&mut self, name: &str) {
        self.all = true;
        self.by.get_or_insert_with(|| name.to_string());
    }

    fn blocks(&self, batch: &Batch) -> bool {
        self.all || batch.touches(&self.cases)
    }
}

/// One pass: every inbox batch in name order, then the outbox.
pub fn run_once(
    store: &mut Store,
    options: &Options,
    observer: &mut dyn Observer,
) -> Result<SyncReport, SyncError> {
    let spool = Spool::open(&options.spool, &store.id()?)?;
    let mut report = SyncReport::default();
    let mut blocked = Blocked::default();
    for entry in spool.batches()? {
        let path = spool.inbox.join(entry.file_name());
        let started = Instant::now();
        let name = match entry {
            Entry::Batch(name) => name,
            Entry::BadName(_) | Entry::NotAFile { .. } => {
                let what = match &entry {
                    Entry::NotAFile { what, .. } => Some(*what),
                    _ => None,
                };
                let Some(mut batch_report) =
                    refused_entry(store, options, &path, &entry.shown(), what, &mut blocked)?
                else {
                    continue;
                };
                batch_report.seconds = started.elapsed().as_secs_f64();
                tracing::info!(batch = %batch_report.name, outcome = ?batch_report.outcome, "sync batch");
                observer.batch_done(&batch_report);
                report.batches.push(batch_report);
                continue;
            }
        };
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(SyncError::Io { path, source: e }),
        };
        let batch_report = one_batch(
            store,
            options,
            &spool,
            &name,
            &bytes,
            &mut blocked,
            observer,
        )?;
        let mut batch_report = batch_report;
        batch_report.seconds = started.elapsed().as_secs_f64();
        tracing::info!(batch = %name, outcome = ?batch_report.outcome, "sync batch");
        observer.batch_done(&batch_report);
        report.batches.push(batch_report);
    }
    for file in super::outbox::flush(store, &options.user, options.today, &spool.outbox)? {
        observer.outbox_written(&file);
        report.outbox.push(file);
    }
    Ok(report)
}

/// An inbox entry that cannot be taken as a batch, refused like a batch with bad lines: nothing
/// applied, left in the inbox, reported under `name` (shown lossily and sanitised). `what` it is
/// when it is not a regular file (every later batch then waits behind it); `None` for a regular
/// file whose name is not UTF-8, which is still read, so that only later batches touching its
/// cases wait behind it (and its bad lines are reported too). `None` when the file vanished.
fn refused_entry(
    store: &Store,
    options: &Options,
    path: &Path,
    name: &str,
    what: Option<&'static str>,
    blocked: &mut Blocked,
) -> Result<Option<BatchReport>, SyncError> {
    let mut report = BatchReport {
        name: name.to_string(),
        outcome: BatchOutcome::Invalid,
        checksum: String::new(),
        events: 0,
        counts: Counts::default(),
        resumed_after_line: 0,
        errors: Vec::new(),
        behind: None,
        seconds: 0.0,
    };
    let whole = |message: String| FieldError::new(FILE, message).at(name, 0);
    match what {
        Some(what) => {
            report.errors.push(whole(format!(
                "is {what}, not a regular file; put the batch file itself in the inbox"
            )));
            blocked.add_unknown(name);
        }
        None => {
            let bytes = match fs::read(path) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => {
                    return Err(SyncError::Io {
                        path: path.to_path_buf(),
                        source: e,
                    });
                }
            };
            report.errors.push(whole(
                "the file name is not valid UTF-8; rename the file to a UTF-8 name ending in .jsonl"
                    .into(),
            ));
            let today = store.clock(options.today).today();
            let mut batch = parse_batch(name, &bytes, today, &mut |c| store.case_exists(c))?;
            batch.check_policy(store.policy());
            report.checksum = batch.checksum.clone();
            report.events = batch.events.len() as u64;
            report.errors.extend(batch.errors.iter().cloned());
            blocked.add(&batch);
        }
    }
    Ok(Some(report))
}

fn one_batch(
    store: &mut Store,
    options: &Options,
    spool: &Spool,
    name: &str,
    bytes: &[u8],
    blocked: &mut Blocked,
    observer: &mut dyn Observer,
) -> Result<BatchReport, SyncError> {
    let today = store.clock(options.today).today();
    let path = spool.inbox.join(name);
    let mark = store.batch_mark(name)?;
    let sum = super::batch::checksum(bytes);
    let mut report = BatchReport {
        name: name.to_string(),
        outcome: BatchOutcome::Applied,
        checksum: sum.clone(),
        events: 0,
        counts: Counts::default(),
        resumed_after_line: 0,
        errors: Vec::new(),
        behind: None,
        seconds: 0.0,
    };
    if let Some(mark) = &mark {
        if mark.checksum != sum {
            let batch = parse_batch::<SyncError>(name, bytes, today, &mut |_| Ok(true))?;
            blocked.add(&batch);
            report.outcome = BatchOutcome::ChecksumMismatch;
            return Ok(report);
        }
        if mark.finished {
            move_into(&path, &spool.archive).map_err(SyncError::io(&path))?;
            report.outcome = BatchOutcome::Duplicate;
            report.events = mark.counts.applied + mark.counts.skipped + mark.counts.conflicts;
            return Ok(report);
        }
    }
    let batch = {
        let store_ref: &Store = store;
        let mut batch = parse_batch(name, bytes, today, &mut |c| store_ref.case_exists(c))?;
        batch.check_policy(store_ref.policy());
        batch
    };
    report.events = batch.events.len() as u64;
    // Waiting comes first: its lines may name cases that the refused batch would have opened.
    if blocked.blocks(&batch) {
        report.behind = blocked.by.clone();
        blocked.add(&batch);
        report.outcome = BatchOutcome::Waiting;
        return Ok(report);
    }
    if !batch.is_valid() {
        blocked.add(&batch);
        report.outcome = BatchOutcome::Invalid;
        report.errors = batch.errors;
        return Ok(report);
    }
    let mut seen_through = mark.map(|m| m.applied_through).unwrap_or(0);
    report.resumed_after_line = seen_through;
    let start = batch.events.partition_point(|e| e.line <= seen_through);
    let remaining = &batch.events[start..];
    observer.batch_started(name, batch.events.len() as u64, start as u64);
    let mut done = 0usize;
    loop {
        let id = BatchId {
            name,
            checksum: &batch.checksum,
            lines: batch.lines,
            seen_through,
        };
        let chunk = store.apply_upstream_chunk(
            &options.user,
            &id,
            &remaining[done..],
            options.budget,
            options.today,
        )?;
        done += chunk.consumed;
        seen_through = chunk.through_line;
        report.counts.add(chunk.counts);
        observer.progress((start + done) as u64);
        if chunk.finished {
            break;
        }
    }
    move_into(&path, &spool.archive).map_err(SyncError::io(&path))?;
    Ok(report)
}
