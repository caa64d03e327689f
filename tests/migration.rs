//! Upgrading an old store while several processes open it at once: each migration step re-reads
//! the schema version inside its own write transaction, so the ones that wait for the lock skip
//! what the first has applied instead of failing on objects it has just created.

use permitdesk::domain::Calendar;
use permitdesk::store::{CURRENT_VERSION, Store};
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Barrier};
use tempfile::TempDir;

/// What migration 5 adds: the partial indexes of the `legacy` filter.
const MIGRATION_5_INDEXES: &[&str] = &[
    "cases_legacy_open",
    "cases_legacy_open_no",
    "cases_legacy_stage",
    "cases_legacy_stage_no",
    "cases_legacy_due",
    "cases_legacy_no",
];

fn user_version(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version")
}

fn legacy_indexes(conn: &Connection) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'cases_legacy_%'",
        [],
        |r| r.get(0),
    )
    .expect("count indexes")
}

/// A current store set back to schema 4: migration 5's indexes, 6's identity and 7's number
/// sequences dropped, the version lowered.
fn schema_4_store(db: &Path) {
    assert_eq!(
        CURRENT_VERSION, 7,
        "a migration was added: undo it here too, so the store really is at schema 4"
    );
    drop(Store::open(db, Calendar::embedded()).expect("create the store"));
    let conn = Connection::open(db).expect("raw connection");
    for index in MIGRATION_5_INDEXES {
        conn.execute_batch(&format!("DROP INDEX {index}"))
            .expect("drop index");
    }
    conn.execute("DELETE FROM meta WHERE key = 'store_id'", [])
        .expect("undo migration 6");
    conn.execute_batch("DROP TABLE number_sequences; DROP TABLE issued_numbers;")
        .expect("undo migration 7");
    conn.pragma_update(None, "user_version", 4)
        .expect("set version 4");
    assert_eq!(user_version(&conn), 4);
    assert_eq!(legacy_indexes(&conn), 0);
}

#[test]
fn concurrent_opens_of_an_old_store_all_succeed_and_migrate_once() {
    const THREADS: usize = 8;
    // A few rounds: the race needs the openers to read the old version at the same moment.
    for round in 0..5 {
        let dir = TempDir::new().expect("temp dir");
        let db = dir.path().join("old.db");
        schema_4_store(&db);

        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                let db = db.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    Store::open(&db, Calendar::embedded())
                        .map(drop)
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        let failures: Vec<String> = handles
            .into_iter()
            .filter_map(|h| h.join().expect("thread panicked").err())
            .collect();
        assert!(
            failures.is_empty(),
            "round {round}: concurrent opens failed: {failures:?}"
        );

        let conn = Connection::open(&db).expect("raw connection");
        assert_eq!(user_version(&conn), CURRENT_VERSION, "round {round}");
        assert_eq!(
            legacy_indexes(&conn),
            MIGRATION_5_INDEXES.len() as i64,
            "round {round}: migration 5 applied exactly once"
        );
        let ids: i64 = conn
            .query_row(
                "SELECT count(*) FROM meta WHERE key = 'store_id'",
                [],
                |r| r.get(0),
            )
            .expect("store ids");
        assert_eq!(
            ids, 1,
            "round {round}: migration 6 gave the store one identity"
        );
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity");
        assert_eq!(integrity, "ok");
    }
}
