//! Bulk loading: the demo's private `.building` file is written without the WAL and without
//! waiting for the disk, then returned to WAL and flushed before it is renamed into place.

use super::Store;
use super::error::{Result, SqlContext, StoreError};
use rusqlite::ErrorCode;

/// The secondary indexes of cases and events, which a bulk load drops and builds again at its
/// end (a test holds this list to the schema).
pub const SET_ASIDE: &[&str] = &[
    "DROP INDEX cases_by_assignee",
    "DROP INDEX cases_by_due",
    "DROP INDEX cases_by_employer",
    "DROP INDEX cases_by_open",
    "DROP INDEX cases_by_open_no",
    "DROP INDEX cases_by_stage",
    "DROP INDEX cases_by_stage_no",
    "DROP INDEX cases_held",
    "DROP INDEX cases_held_no",
    "DROP INDEX cases_legacy_due",
    "DROP INDEX cases_legacy_no",
    "DROP INDEX cases_legacy_open",
    "DROP INDEX cases_legacy_open_no",
    "DROP INDEX cases_legacy_stage",
    "DROP INDEX cases_legacy_stage_no",
    "DROP INDEX cases_mine",
    "DROP INDEX cases_mine_no",
    "DROP INDEX cases_open_due",
    "DROP INDEX cases_unclaimed",
    "DROP INDEX events_by_case",
];

/// The indexes a bulk load set aside, as the SQL that made them.
#[derive(Debug)]
#[must_use = "a bulk load's indexes are built again by Store::end_bulk_load"]
pub struct SetAside {
    indexes: Vec<String>,
}

/// The page cache of a bulk load, in KiB (as `cache_size` takes a negative number).
const BULK_CACHE_KIB: i64 = -1024 * 1024;

impl Store {
    /// Folds the WAL into the main file, so the file can be moved or copied on its own.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .ctx("checkpointing the store")
    }

    /// Writes without the WAL and without waiting for the disk, for a file nobody else opens and
    /// that is thrown away if the process stops before [`Store::end_bulk_load`] (the demo's
    /// `.building` file). A rollback journal in memory still undoes a failed transaction. Every
    /// page is then written once instead of twice (WAL, then checkpoint), and never waited for:
    /// half the time of a million-case build (docs/PERFORMANCE.md). The secondary indexes of
    /// cases and events are dropped meanwhile and built once at the end from sorted keys, which
    /// costs a fraction of keeping them row by row.
    pub fn begin_bulk_load(&mut self) -> Result<SetAside> {
        let not_alone = || StoreError::Invalid {
            field: "--db".into(),
            message: format!(
                "{}: another process has the store open; a bulk load needs it alone",
                self.path.display()
            ),
        };
        self.checkpoint()?;
        let mode: String = match self
            .conn
            .query_row("PRAGMA journal_mode = MEMORY", [], |r| r.get(0))
        {
            Err(e) if is_locked(&e) => return Err(not_alone()),
            other => other.ctx("leaving WAL for a bulk load")?,
        };
        if !mode.eq_ignore_ascii_case("memory") {
            return Err(not_alone());
        }
        // Indexes keyed by deadline, name or number take their rows in no useful order: with
        // SQLite's 2 MB default cache a million-case build read most index pages back from the
        // file again for every chunk (docs/PERFORMANCE.md).
        self.conn
            .pragma_update(None, "cache_size", BULK_CACHE_KIB)
            .ctx("growing the page cache for a bulk load")?;
        self.conn
            .pragma_update(None, "synchronous", "OFF")
            .ctx("leaving synchronous writes for a bulk load")?;
        // Each index's own CREATE statement as the migrations wrote it into this file, which
        // nobody else opens (see above), to run again at the end.
        let mut indexes = Vec::with_capacity(SET_ASIDE.len());
        let tx = self
            .conn
            .transaction()
            .ctx("setting indexes aside for a bulk load")?;
        for drop in SET_ASIDE {
            let name = drop.trim_start_matches("DROP INDEX ");
            let sql: String = tx
                .query_row(
                    "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .ctx(&format!("reading index {name} to set it aside"))?;
            tx.execute_batch(drop)
                .ctx("setting indexes aside for a bulk load")?;
            indexes.push(sql);
        }
        tx.commit().ctx("setting indexes aside for a bulk load")?;
        Ok(SetAside { indexes })
    }

    /// The indexes set aside built again, then back to WAL and `synchronous=FULL`, with
    /// everything the bulk load wrote on the disk.
    pub fn end_bulk_load(&mut self, set_aside: SetAside) -> Result<()> {
        // The indexes are built from sorted keys; SQLite may sort on helper threads, and by now
        // the producer that kept the other core busy has finished.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.conn
            .pragma_update(None, "threads", i64::try_from(cores).unwrap_or(1))
            .ctx("letting the index builds sort on every core")?;
        let tx = self
            .conn
            .transaction()
            .ctx("building the indexes after a bulk load")?;
        for sql in &set_aside.indexes {
            tx.execute_batch(sql)
                .ctx("building the indexes after a bulk load")?;
        }
        tx.commit().ctx("building the indexes after a bulk load")?;
        self.conn
            .pragma_update(None, "threads", 0)
            .ctx("sorting on one thread again")?;
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .ctx("restoring synchronous writes")?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .ctx("returning to WAL after a bulk load")?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid {
                field: "--db".into(),
                message: format!(
                    "{}: the store stayed in journal mode {mode} after a bulk load",
                    self.path.display()
                ),
            });
        }
        std::fs::File::open(&self.path)
            .and_then(|file| file.sync_all())
            .map_err(|source| StoreError::Io {
                path: self.path.clone(),
                source,
            })
    }
}

fn is_locked(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked)
    )
}
