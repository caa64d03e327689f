//! The SQLite store: the only place SQL lives. Every change to a case is one `BEGIN IMMEDIATE`
//! transaction holding the case row, its audit event and the search index together.

mod admin;
mod anchor;
mod bulk;
mod calendar;
mod case_row;
mod cases;
mod chain;
pub mod changes;
pub mod check;
mod check_cases;
mod check_chain;
mod checkpoints;
pub mod conflicts;
mod drafts;
mod error;
mod event_row;
mod figures;
pub mod import;
mod meta;
mod numbers;
pub mod outbox;
mod packed;
pub mod queues;
mod recovery;
pub mod review;
mod rules;
mod schema;
pub mod search;
mod settings;
mod stale_rules;
pub mod upstream;
mod users;
mod visibility;

pub use admin::AdminLogEntry;
pub use anchor::{create_anchor_key, ensure_anchor_key};
pub use bulk::{SET_ASIDE, SetAside};
pub use cases::Request;
pub use cases::{CaseRow, Outcome, RowRecommendation};
pub use chain::ChainHead;
pub use chain::EncodedHistory;
pub use chain::anchor_key_path;
pub use check::{ChainAnchor, CheckReport};
pub use check_chain::ChainBreak;
pub use error::{LastChange, Result, StoreError};
pub use figures::{
    Bucket, BucketRow, Dashboard, DashboardPart, DashboardSection, EmployerCount, EmployerRow,
    Figure, FigureCases, OverdueReport, ReplayStats, SlaReport, SlaRow, Snapshot, TREND_DAYS,
    TimerCounts, Trend, TrendPoint, Workload, WorkloadRow,
};
pub use meta::Settings;
pub use meta::{MADE_BY_DEMO, OFFICE_TZ, TRUST_DECLARED_USER};
pub use queues::{
    Count, Cursor, Page, QueueQuery, SEARCH_DRIVE_LIMIT, Sort, SortColumn, TabCounts,
};
pub use recovery::{ChainPosition, EventsSince};
pub use schema::CURRENT_VERSION;
pub use users::User;

use crate::domain::{Calendar, Clock, Clocks, Policy};
use chrono::NaiveDate;
use error::SqlContext;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another before giving up with `StoreError::Busy`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How often a waiting writer tries the lock again. SQLite's own busy handler sleeps longer the
/// longer it has waited (up to 100 ms a try), so an action waiting behind a long writer that
/// commits in chunks kept missing the moment between two chunks (waits of 0.6-1.4 s measured,
/// docs/PERFORMANCE.md, "Writers take turns").
const BUSY_POLL: Duration = Duration::from_millis(1);

/// How long a long writer (sync, import, deadline recompute) steps aside after each chunk: longer
/// than `BUSY_POLL`, so that a writer already waiting takes the next turn.
const CHUNK_YIELD: Duration = Duration::from_millis(3);

/// The busy handler of every connection: polls every `BUSY_POLL` until `BUSY_TIMEOUT`.
fn wait_for_the_lock(attempts: i32) -> bool {
    let waited = BUSY_POLL.saturating_mul(u32::try_from(attempts).unwrap_or(u32::MAX));
    if waited >= BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(BUSY_POLL);
    true
}

/// Sets the busy handler of `conn` (it replaces any busy timeout).
pub(crate) fn wait_when_busy(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_handler(Some(wait_for_the_lock))
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    settings: Settings,
    calendar: Calendar,
    calendar_fingerprint: String,
    /// The process's own calendar, when it differs from the one the store runs on.
    offered_calendar: Option<String>,
    read_only: bool,
    /// The schema the automatic checkpoint was last set for (`checkpoints`).
    checkpoints_for: Option<i64>,
}

impl Store {
    /// Opens the store at `path`, creating it (readable by owner and group only) if missing.
    pub fn open(path: &Path, calendar: Calendar) -> Result<Store> {
        if !path.exists() {
            create_private_file(path)?;
        }
        Self::open_with(path, calendar, false)
    }

    /// Opens an existing store without ever writing to it (`PRAGMA query_only`). A WAL store
    /// whose directory this process cannot write, and whose `-shm` file does not exist, is
    /// opened `immutable` (SQLite cannot create the shared-memory file a reader of a WAL
    /// database needs); that is refused when a `-wal` file still holds changes.
    pub fn open_read_only(path: &Path, calendar: Calendar) -> Result<Store> {
        Self::open_with(path, calendar, true)
    }

    fn open_with(path: &Path, calendar: Calendar, read_only: bool) -> Result<Store> {
        let mut conn = if read_only {
            open_read_only_connection(path)?
        } else {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
            // SQLite quietly opens a file it may not write read-only, and a WAL file in a
            // directory it may not write cannot be read this way at all (no -shm): open it
            // read-only instead of failing at the first write, or the first read.
            let cannot_write = conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false)
                || conn
                    .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
                    .is_err_and(|e| {
                        matches!(
                            e.sqlite_error_code(),
                            Some(ErrorCode::ReadOnly) | Some(ErrorCode::CannotOpen)
                        )
                    });
            if cannot_write {
                drop(conn);
                return Self::open_with(path, calendar, true);
            }
            conn
        };
        configure(&mut conn, read_only).map_err(|e| open_error(path, e))?;
        let found = schema::version(&conn).map_err(|e| match e {
            StoreError::Sqlite { source, .. } => open_error(path, source),
            other => other,
        })?;
        if found > CURRENT_VERSION {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found,
                known: CURRENT_VERSION,
            });
        }
        if found > 0 && !has_table(&conn, "cases")? {
            return Err(StoreError::NotAStore {
                path: path.to_path_buf(),
                detail: "an SQLite file without permitdesk's tables".into(),
            });
        }
        if found < CURRENT_VERSION {
            if found == 0 && has_any_table(&conn)? {
                return Err(StoreError::NotAStore {
                    path: path.to_path_buf(),
                    detail: "an SQLite file with other tables".into(),
                });
            }
            if read_only && found == 0 {
                return Err(StoreError::NotAStore {
                    path: path.to_path_buf(),
                    detail: "an empty SQLite file".into(),
                });
            }
            if read_only {
                return Err(StoreError::NeedsMigration {
                    path: path.to_path_buf(),
                    found,
                    known: CURRENT_VERSION,
                });
            }
        }
        // Only now that the file is known to be ours (or empty) may it be switched to WAL: a
        // refused file is left exactly as it was.
        let mut checkpoints_for = None;
        if !read_only {
            configure_writer(&conn).map_err(|e| open_error(path, e))?;
            checkpoints::leave_to_litestream(&conn, &mut checkpoints_for)
                .map_err(|e| open_error(path, e))?;
        }
        if found < CURRENT_VERSION {
            schema::migrate(&mut conn, &calendar)?;
        }
        let settings = meta::load(&conn)?;
        // The store's own calendar is parsed only when it is not the one this process offers.
        let offered_fingerprint = calendar.fingerprint();
        let (calendar, calendar_fingerprint, offered_calendar, recorded) =
            match calendar::replaced(&conn, &offered_fingerprint)? {
                Some((stored, fingerprint)) => {
                    let offered = Some(calendar.source().to_string());
                    (stored, fingerprint, offered, true)
                }
                None => {
                    let recorded = meta::get(&conn, meta::CALENDAR_FINGERPRINT)?.is_some();
                    (calendar, offered_fingerprint, None, recorded)
                }
            };
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            settings,
            calendar_fingerprint,
            calendar,
            offered_calendar,
            read_only,
            checkpoints_for,
        };
        if !read_only {
            if !recorded {
                store.record_calendar_if_missing()?;
            }
            store.refresh_deadlines_if_rules_changed()?;
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's random identity (migration 6), fixed for its life.
    pub fn id(&self) -> Result<String> {
        meta::get(&self.conn, meta::STORE_ID)?
            .ok_or_else(|| StoreError::Damaged("the store has no identity (meta.store_id)".into()))
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    pub fn policy(&self) -> &Policy {
        &self.settings.policy
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The office clock, fixed to `today` when the store allows it.
    pub fn clock(&self, today: Option<NaiveDate>) -> Clock {
        Clock::new(self.settings.office_tz, today)
    }

    pub fn clocks(&self, today: NaiveDate) -> Clocks<'_> {
        Clocks {
            calendar: &self.calendar,
            policy: &self.settings.policy,
            today,
        }
    }

    /// `PRAGMA data_version`: changes whenever another connection commits.
    pub fn data_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .ctx("polling for changes")
    }

    /// Whether this connection leaves checkpoints to Litestream (`checkpoints`).
    pub fn checkpoints_left_to_litestream(&self) -> Result<bool> {
        checkpoints::left_to_litestream(&self.conn).ctx("reading the automatic checkpoint")
    }

    pub fn journal_mode(&self) -> Result<String> {
        self.conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .ctx("reading the journal mode")
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction; `waiting` says what waited if the store
    /// stays locked past the busy timeout.
    pub(crate) fn write<T>(
        &mut self,
        waiting: &str,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &Settings, &Calendar) -> Result<T>,
    ) -> Result<T> {
        if self.read_only {
            return Err(StoreError::NotPermitted(format!(
                "{}: the store is open read-only (this process may not write the file or its \
                 directory); {waiting} was not done",
                self.path.display()
            )));
        }
        let path = self.path.clone();
        checkpoints::leave_to_litestream(&self.conn, &mut self.checkpoints_for)
            .map_err(|e| write_error(&path, waiting, e))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| write_error(&path, waiting, e))?;
        if let Some((calendar, fingerprint)) = calendar::replaced(&tx, &self.calendar_fingerprint)?
        {
            self.calendar = calendar;
            self.calendar_fingerprint = fingerprint;
        }
        let value = f(&tx, &self.settings, &self.calendar).map_err(|e| match e {
            StoreError::Sqlite { source, context } => match write_error(&path, waiting, source) {
                StoreError::Sqlite { source, .. } => StoreError::Sqlite { context, source },
                other => other,
            },
            other => other,
        })?;
        tx.commit().map_err(|e| write_error(&path, waiting, e))?;
        Ok(value)
    }

    /// Called by a long writer between two of its chunks, so a person's action waiting for the
    /// lock gets it next instead of the next chunk.
    pub(crate) fn let_waiting_writers_in(&self) {
        std::thread::sleep(CHUNK_YIELD);
    }

    /// Takes a consistent copy of the live store with SQLite's online backup. The copy is made
    /// under a temporary name beside `dest`, checked whole (`PRAGMA integrity_check`) and only
    /// then linked to its name, which it never replaces: a killed backup leaves no file that
    /// looks like a backup.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        if std::fs::symlink_metadata(dest).is_ok() {
            return Err(StoreError::Invalid {
                field: "DEST".into(),
                message: format!("{} already exists; choose a new file", dest.display()),
            });
        }
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "backup".into());
        let temp = dest.with_file_name(format!(".{name}.{:016x}.tmp", fastrand::u64(..)));
        let made = self.backup_into(&temp);
        let linked = made.and_then(|()| {
            std::fs::hard_link(&temp, dest).map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => StoreError::Invalid {
                    field: "DEST".into(),
                    message: format!("{} already exists; choose a new file", dest.display()),
                },
                _ => StoreError::Io {
                    path: dest.to_path_buf(),
                    source,
                },
            })
        });
        let _ = std::fs::remove_file(&temp);
        linked?;
        if let Some(dir) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }

    fn backup_into(&self, temp: &Path) -> Result<()> {
        create_private_file(temp)?;
        let mut target = Connection::open(temp).ctx("opening the backup file")?;
        let backup =
            rusqlite::backup::Backup::new(&self.conn, &mut target).ctx("starting the backup")?;
        backup
            .run_to_completion(1024, Duration::from_millis(10), None)
            .ctx("copying the store")?;
        drop(backup);
        let verdict: String = target
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .ctx("checking the copy")?;
        if verdict != "ok" {
            return Err(StoreError::Damaged(format!(
                "the backup copy does not pass SQLite's integrity check: {}",
                crate::text::sanitize_line(&verdict)
            )));
        }
        target
            .close()
            .map_err(|(_, e)| e)
            .ctx("closing the backup file")?;
        std::fs::File::open(temp)
            .and_then(|f| f.sync_all())
            .map_err(|source| StoreError::Io {
                path: temp.to_path_buf(),
                source,
            })
    }
}

/// `PERMITDESK_MAX_PAGES=N` caps the store at N pages (never below its current size), the way
/// a full disk would: for tests of the full-store path (docs/RELIABILITY.md). Unset in normal use.
pub const MAX_PAGES_VAR: &str = "PERMITDESK_MAX_PAGES";

fn configure(conn: &mut Connection, read_only: bool) -> rusqlite::Result<()> {
    wait_when_busy(conn)?;
    if read_only {
        conn.pragma_update(None, "query_only", "ON")?;
    }
    // FULL: a decision reported as saved survives a power cut, not only a crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// WAL, and the page cap of `PERMITDESK_MAX_PAGES`, on a writer's connection to a file known to
/// be a store (or empty).
fn configure_writer(conn: &Connection) -> rusqlite::Result<()> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    let _ = mode;
    let max_pages = std::env::var(MAX_PAGES_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n > 0);
    if let Some(pages) = max_pages {
        conn.pragma_update_and_check(None, "max_page_count", pages, |r| r.get::<_, i64>(0))?;
    }
    Ok(())
}

fn has_table(conn: &Connection, name: &str) -> Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .ctx("reading the schema")
}

fn has_any_table(conn: &Connection) -> Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .ctx("reading the schema")
}

/// A read-only connection, falling back to `immutable=1` where SQLite cannot set up the WAL's
/// shared memory (no `-shm` file and a directory this process may not write).
fn open_read_only_connection(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
    let probe = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0));
    let cannot_share = |e: &rusqlite::Error| {
        matches!(
            e.sqlite_error_code(),
            Some(ErrorCode::ReadOnly) | Some(ErrorCode::CannotOpen)
        )
    };
    match probe {
        Ok(_) => return Ok(conn),
        Err(e) if !cannot_share(&e) => return Err(open_error(path, e)),
        Err(_) => drop(conn),
    }
    let wal = sidecar(path, "-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(StoreError::NotPermitted(format!(
            "{}: cannot be read: its -wal file holds changes not yet in the main file, and this \
             process may not create the -shm file SQLite needs to read them; open the store once \
             as a user who can write its directory",
            path.display()
        )));
    }
    Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
        .map_err(|e| open_error(path, e))
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// `file:PATH?immutable=1`, the path percent-encoded.
fn immutable_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy {
            waiting: format!("opening {}", path.display()),
            seconds: BUSY_TIMEOUT.as_secs(),
        },
        Some(ErrorCode::DiskFull) => StoreError::Full {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::NotADatabase) => StoreError::NotAStore {
            path: path.to_path_buf(),
            detail: "the file is not an SQLite database, or it is corrupt".into(),
        },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::NotAStore {
            path: path.to_path_buf(),
            detail: "the database file is corrupt; restore it from a backup".into(),
        },
        Some(ErrorCode::CannotOpen) => StoreError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(
                "cannot open the store file, or create its -wal and -shm files beside it \
                 (check the file's and the directory's permissions)",
            ),
        },
        _ => StoreError::Sqlite {
            context: format!("opening {}", path.display()),
            source: e,
        },
    }
}

fn write_error(path: &Path, waiting: &str, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy {
            waiting: waiting.to_string(),
            seconds: BUSY_TIMEOUT.as_secs(),
        },
        Some(ErrorCode::DiskFull) => StoreError::Full {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::ReadOnly) => StoreError::NotPermitted(format!(
            "{}: the store is read-only for you; {waiting} was not done",
            path.display()
        )),
        _ => StoreError::Sqlite {
            context: waiting.to_string(),
            source: e,
        },
    }
}

/// Creates an empty file that only its owner and group can read: the store holds passport numbers.
/// A new store (or backup) file readable and writable by its owner only: in a deployment that is
/// the service account that runs `permitdesk serve`; nobody else holds the store's files. A new
/// directory for it is the owner's alone too. SQLite gives the -wal and -shm files the same mode.
fn create_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(io)?;
        }
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod busy_tests {
    use super::*;

    #[test]
    fn a_waiting_writer_gives_up_at_the_busy_timeout() {
        let polls = u32::try_from(BUSY_TIMEOUT.as_millis() / BUSY_POLL.as_millis()).unwrap_or(0);
        assert!(wait_for_the_lock(0), "the first wait polls again");
        assert!(wait_for_the_lock(i32::try_from(polls - 1).unwrap_or(0)));
        assert!(!wait_for_the_lock(i32::try_from(polls).unwrap_or(0)));
        assert!(!wait_for_the_lock(i32::MAX));
    }
}
