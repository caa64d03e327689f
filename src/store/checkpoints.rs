//! Who checkpoints the WAL. SQLite checkpoints it after a commit once it holds 1,000 pages;
//! when Litestream replicates the store it must be the only one to: a checkpoint that resets
//! the WAL between two of its reads makes it copy the whole store again (a new snapshot:
//! 2.9 GB and half a minute at a million cases, with nothing shipped meanwhile; measured in
//! docs/RELIABILITY.md, "Recovery"). Litestream marks a store it replicates with its own
//! `_litestream_seq` table, so a writer leaves checkpoints to it while that table exists.

use rusqlite::Connection;

/// SQLite's own default, for a store nobody replicates.
const SQLITE_AUTOCHECKPOINT: i64 = 1000;

/// Sets the connection's automatic checkpoint for the store as it now is; `seen` remembers the
/// schema it was set for, so that this costs one pragma per write until the schema changes
/// (Litestream creating its tables while the server runs).
pub(super) fn leave_to_litestream(
    conn: &Connection,
    seen: &mut Option<i64>,
) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    if *seen == Some(version) {
        return Ok(());
    }
    let replicated: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = '_litestream_seq'",
        [],
        |r| r.get(0),
    )?;
    let pages = if replicated { 0 } else { SQLITE_AUTOCHECKPOINT };
    conn.pragma_update(None, "wal_autocheckpoint", pages)?;
    *seen = Some(version);
    Ok(())
}

/// Whether the connection leaves checkpoints to Litestream (for `doctor`).
pub(super) fn left_to_litestream(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get::<_, i64>(0))
        .map(|pages| pages == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_litestream_replicates_leaves_checkpoints_to_it() {
        let conn = Connection::open_in_memory().expect("open");
        let mut seen = None;
        leave_to_litestream(&conn, &mut seen).expect("plain");
        assert_eq!(left_to_litestream(&conn).ok(), Some(false));
        conn.execute_batch("CREATE TABLE _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER)")
            .expect("litestream's table");
        leave_to_litestream(&conn, &mut seen).expect("replicated");
        assert_eq!(left_to_litestream(&conn).ok(), Some(true));
        conn.execute_batch("DROP TABLE _litestream_seq")
            .expect("drop");
        leave_to_litestream(&conn, &mut seen).expect("no longer");
        assert_eq!(left_to_litestream(&conn).ok(), Some(false));
    }
}
