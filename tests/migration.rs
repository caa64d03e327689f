//! Upgrading an old store while several processes open it at once: each migration step re-reads
//! the schema version inside its own write transaction, so the ones that wait for the lock skip
//! what the first has applied instead of failing on objects it has just created.

mod support;

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

/// A demo store of `cases` cases built at `db` as of `today`.
fn demo_store(db: &Path, cases: u64, seed: u64, today: chrono::NaiveDate) -> Store {
    let mut store = Store::open(db, Calendar::embedded()).expect("create");
    let opts = permitdesk::demo::DemoOptions {
        cases,
        seed,
        today,
        os_login: None,
    };
    permitdesk::demo::build(&mut store, &opts, &mut |_, _| {}).expect("demo");
    store
}

/// Undoes migrations 14 and 12: every case event back in the form written before them (the whole
/// event as JSON text in `payload`, linked in hex), the whole chain re-linked that way, and the
/// table as it was.
fn undo_compact_events(conn: &Connection) {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        String,
        String,
        String,
        i64,
        Option<i64>,
        i64,
        String,
        Option<String>,
        Option<i64>,
        String,
    )> = conn
        .prepare(
            "SELECT e.seq, c.case_no, e.at, e.actor, e.role, e.from_stage, e.to_stage, e.action,
                    e.number, e.late, e.payload
             FROM events e JOIN cases c ON c.id = e.case_id ORDER BY e.seq",
        )
        .expect("prepare")
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                support::forge::payload_text(r.get_ref(10)?),
            ))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("compact events");
    conn.execute_batch(
        "CREATE TABLE events_old (
             seq INTEGER PRIMARY KEY AUTOINCREMENT, case_id INTEGER NOT NULL REFERENCES cases (id),
             case_no TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
             payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT;
         INSERT INTO events_old (seq, case_id, case_no, at, actor, action, payload, prev_hash, hash)
             SELECT e.seq, e.case_id, c.case_no, e.at, e.actor, e.action, '', '', ''
             FROM events e JOIN cases c ON c.id = e.case_id;
         DROP TABLE events;
         ALTER TABLE events_old RENAME TO events;
         CREATE INDEX events_by_case ON events (case_id, seq);",
    )
    .expect("the old table");
    for (seq, case_no, at, actor, role, from, to, action, number, late, fields) in rows {
        let mut event: serde_json::Map<String, serde_json::Value> = if fields.is_empty() {
            serde_json::Map::new()
        } else {
            serde_json::from_str(&fields).expect("fields")
        };
        event.insert("case_no".into(), case_no.into());
        event.insert("at".into(), at.into());
        event.insert("actor".into(), actor.into());
        use support::forge::{ROLES, STAGES};
        event.insert("role".into(), ROLES[role as usize].into());
        event.insert("from".into(), from.map(|f| STAGES[f as usize]).into());
        event.insert("to".into(), STAGES[to as usize].into());
        event.insert("action".into(), action.into());
        if let Some(number) = number {
            event.insert("number".into(), number.into());
        }
        if late == Some(1) {
            event.insert("late".into(), true.into());
        }
        conn.execute(
            "UPDATE events SET payload = ?1 WHERE seq = ?2",
            rusqlite::params![serde_json::Value::Object(event).to_string(), seq],
        )
        .expect("the whole event");
    }
    // Every link in hex again, administrative events included.
    let links: Vec<(String, i64, String)> = conn
        .prepare(
            "SELECT 'events', seq, payload FROM events
             UNION ALL SELECT 'admin_events', seq, payload FROM admin_events ORDER BY 2",
        )
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("links");
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS admin_events_no_update; DROP TRIGGER IF EXISTS admin_events_no_delete;",
    )
    .expect("drop admin triggers");
    let mut prev = "0".repeat(64);
    for (table, seq, payload) in links {
        let hash = support::forge::link_hash(&prev, seq, &payload);
        conn.execute(
            &format!("UPDATE {table} SET prev_hash = ?1, hash = ?2 WHERE seq = ?3"),
            rusqlite::params![prev, hash, seq],
        )
        .expect("relink");
        prev = hash;
    }
    conn.execute_batch(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
             SELECT RAISE(ABORT, 'audit events are append-only');
         END;
         CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
             SELECT RAISE(ABORT, 'audit events are append-only');
         END;
         CREATE TRIGGER admin_events_no_update BEFORE UPDATE ON admin_events BEGIN
             SELECT RAISE(ABORT, 'audit events are append-only');
         END;
         CREATE TRIGGER admin_events_no_delete BEFORE DELETE ON admin_events BEGIN
             SELECT RAISE(ABORT, 'audit events are append-only');
         END;",
    )
    .expect("triggers");
}

/// Undoes migration 13, the review sessions.
const UNDO_REVIEW: &str = "DROP TABLE review_steps; DROP TABLE review_sessions;";

/// Undoes migrations 13, 11, 10 and 9: the review sessions, the import blocks with their
/// tab-count trigger, the supervisors' indexes and the kept figures.
const UNDO_FIGURES: &str = "DROP TABLE review_steps; DROP TABLE review_sessions; \
    DROP TRIGGER cases_count_insert; \
    ALTER TABLE import_batches DROP COLUMN first_id; \
    ALTER TABLE import_batches DROP COLUMN last_id; \
    CREATE TRIGGER cases_count_insert AFTER INSERT ON cases BEGIN \
        INSERT INTO stage_counts (stage, n) VALUES (NEW.stage, 1) \
            ON CONFLICT (stage) DO UPDATE SET n = n + 1; \
    END; \
    DROP INDEX cases_open_due; DROP INDEX cases_unclaimed; \
    DROP TABLE case_figures; DROP TABLE figure_days; DROP TABLE figure_running; \
    DROP TABLE figure_overdue;";

/// A current store set back to schema 4: migration 14's packed payloads and 12's compact events
/// undone, 5's indexes, 6's identity, 7's administrative events, 8's number sequences, 9's kept
/// figures, 10's indexes, 11's import blocks and 13's review sessions (with 15's column) dropped,
/// the version lowered.
fn schema_4_store(db: &Path) {
    assert_eq!(
        CURRENT_VERSION, 15,
        "a migration was added: undo it here too, so the store really is at schema 4"
    );
    let mut store = Store::open(db, Calendar::embedded()).expect("create the store");
    store
        .add_user(
            None,
            "admin",
            &[permitdesk::domain::Role::Admin],
            "2026-11-01T09:00:00+08:00",
        )
        .expect("a user, so the store has something for a baseline to record");
    drop(store);
    let conn = Connection::open(db).expect("raw connection");
    undo_compact_events(&conn);
    for index in MIGRATION_5_INDEXES {
        conn.execute_batch(&format!("DROP INDEX {index}"))
            .expect("drop index");
    }
    conn.execute("DELETE FROM meta WHERE key = 'store_id'", [])
        .expect("undo migration 6");
    conn.execute_batch("DROP TABLE admin_events")
        .expect("undo migration 7");
    conn.execute_batch("DROP TABLE number_sequences; DROP TABLE issued_numbers;")
        .expect("undo migration 8");
    conn.execute_batch(UNDO_FIGURES)
        .expect("undo migrations 9 to 11 and 13");
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
        let baselines: i64 = conn
            .query_row(
                "SELECT count(*) FROM admin_events WHERE kind = 'baseline'",
                [],
                |r| r.get(0),
            )
            .expect("baselines");
        assert_eq!(
            baselines, 1,
            "round {round}: migration 7 wrote one baseline event"
        );
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity");
        assert_eq!(integrity, "ok");
    }
}

/// A store from before administrative events, where someone who acted has left since: migrated
/// with a baseline, its old history still checks, and what follows is checked against it.
#[test]
fn an_old_history_still_checks_after_the_baseline() {
    use permitdesk::domain::case::{Applicant, Employer, Submission};
    use permitdesk::domain::{Action, Category, Kind, Role};
    use permitdesk::store::Request;
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("old.db");
    let today: chrono::NaiveDate = "2026-11-26".parse().expect("date");
    let now = "2026-11-01T09:00:00+08:00";
    let mut store = Store::open(&db, Calendar::embedded()).expect("create");
    store
        .add_user(None, "admin", &[Role::Admin], now)
        .expect("admin");
    store
        .add_user(Some("admin"), "li.wei", &[Role::Approver], now)
        .expect("li.wei");
    let submission = Submission {
        case_no: "OLD-1".into(),
        kind: Kind::OverseasNew,
        category: Category::B,
        legacy: false,
        applicant: Applicant {
            name: "LI WEI".into(),
            name_native: None,
            passport_no: "E12345678".into(),
            nationality: "SGP".into(),
            birth_date: None,
        },
        employer: Employer {
            name: "Example".into(),
            uscc: "91440101MA5CQ7H2XC".into(),
        },
        position: None,
        documents: vec![],
        exam_report: None,
        entry_date: None,
        permit: None,
    };
    store
        .submit("system", submission, Some(today))
        .expect("submit");
    store
        .act(Request {
            case_no: "OLD-1".into(),
            user: "li.wei".into(),
            action: Action::Claim,
            expect_version: None,
            expect_stage: None,
            today: Some(today),
        })
        .expect("claim");
    store
        .disable_user("admin", "li.wei", Some(today))
        .expect("disable");
    drop(store);
    // Back to schema 6: no administrative events at all (nor migration 8's number register, nor
    // 9's kept figures),
    // the case events numbered and linked as an older permitdesk wrote them.
    let conn = Connection::open(&db).expect("raw connection");
    undo_compact_events(&conn);
    conn.execute_batch(UNDO_FIGURES)
        .expect("undo migrations 9 to 11 and 13");
    conn.execute_batch("DROP TABLE number_sequences; DROP TABLE issued_numbers;")
        .expect("undo migration 8");
    conn.execute_batch(
        "DROP TABLE admin_events; DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;",
    )
    .expect("undo migration 7");
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT seq, payload FROM events ORDER BY seq")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("events");
    let mut prev = "0".repeat(64);
    for (i, (seq, payload)) in rows.iter().enumerate() {
        use sha2::Digest;
        let new_seq = i as i64 + 1;
        let mut h = sha2::Sha256::new();
        h.update(format!("{prev}|{new_seq}|{payload}").as_bytes());
        let hash = hex::encode(h.finalize());
        conn.execute(
            "UPDATE events SET seq = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            rusqlite::params![-new_seq, prev, hash, seq],
        )
        .expect("renumber");
        prev = hash;
    }
    conn.execute("UPDATE events SET seq = -seq WHERE seq < 0", [])
        .expect("renumber");
    conn.execute_batch(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
             SELECT RAISE(ABORT, 'audit events are append-only');
         END;
         CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
             SELECT RAISE(ABORT, 'audit events are append-only');
         END;",
    )
    .expect("triggers");
    conn.pragma_update(None, "user_version", 6)
        .expect("set version 6");
    drop(conn);

    let store = Store::open(&db, Calendar::embedded()).expect("migrate");
    let report = store.check(today, None).expect("check");
    assert!(report.ok(), "{:#?}", report.problems);
    assert_eq!(report.admin_events, 1, "one baseline");
    let log = store.admin_log(None, None).expect("log");
    assert_eq!(log[0].event.change.name(), "baseline");
}

/// A store from before the kept figures (schema 8): migration 9 folds every history into them,
/// and they equal what the replay gives; `check` agrees.
#[test]
fn migration_9_fills_the_kept_figures_from_the_histories() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("old.db");
    let today: chrono::NaiveDate = "2026-11-26".parse().expect("date");
    let store = demo_store(&db, 200, 9, today);
    let trend = store.overdue_trend(today, 366).expect("trend");
    let year = today - chrono::Days::new(365);
    let sla = store.sla(year, today, today).expect("sla");
    drop(store);
    let conn = Connection::open(&db).expect("raw connection");
    undo_compact_events(&conn);
    conn.execute_batch(UNDO_FIGURES)
        .expect("undo migrations 9 to 11 and 13");
    conn.pragma_update(None, "user_version", 8)
        .expect("set version 8");
    drop(conn);

    let store = Store::open(&db, Calendar::embedded()).expect("migrate");
    assert_eq!(store.overdue_trend(today, 366).expect("trend"), trend);
    assert_eq!(store.sla(year, today, today).expect("sla"), sla);
    let (replayed, _) = store.sla_replayed(year, today, today).expect("replay");
    assert_eq!(sla, replayed);
    let report = store.check(today, None).expect("check");
    assert!(report.ok(), "{:#?}", report.problems);
}

/// A store whose case events were all written before migration 12: they keep their hex links,
/// the events after the migration link to them compactly, and `check` verifies both; an edit to
/// either kind is named.
#[test]
fn an_old_chain_goes_on_in_compact_events_and_both_kinds_check() {
    use permitdesk::domain::Action;
    use permitdesk::store::Request;
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("old.db");
    let today: chrono::NaiveDate = "2026-11-26".parse().expect("date");
    drop(demo_store(&db, 100, 5, today));
    let conn = Connection::open(&db).expect("raw connection");
    undo_compact_events(&conn);
    conn.execute_batch(UNDO_REVIEW).expect("undo migration 13");
    // Migration 14 (packed payloads) was undone with 12.
    conn.pragma_update(None, "user_version", 11)
        .expect("set version 11");

    let case_no: String = conn
        .query_row(
            "SELECT case_no FROM cases WHERE stage = 'pre_audit' AND assignee IS NULL LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("an unclaimed case");
    drop(conn);

    let mut store = Store::open(&db, Calendar::embedded()).expect("migrate");
    store
        .act(Request {
            case_no: case_no.clone(),
            user: "li.wei".into(),
            action: Action::Claim,
            expect_version: None,
            expect_stage: None,
            today: Some(today),
        })
        .expect("claim");
    let report = store.check(today, None).expect("check");
    assert!(report.ok(), "{:#?}", report.problems);
    drop(store);

    let conn = Connection::open(&db).expect("raw connection");
    let (old, compact): (i64, i64) = conn
        .query_row(
            "SELECT count(*) FILTER (WHERE digest IS NULL), count(*) FILTER (WHERE digest IS NOT NULL)
             FROM events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("count");
    assert!(old > 100, "the old events are kept as they were: {old}");
    assert_eq!(compact, 1, "the claim is compact");
    let (old_seq, new_seq): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT max(seq) FROM events WHERE digest IS NULL),
                    (SELECT seq FROM events WHERE digest IS NOT NULL)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("seqs");
    conn.execute_batch("DROP TRIGGER events_no_update;")
        .expect("drop trigger");
    // Each edit is checked, then undone.
    let checked = |edit: &str, undo: &str, seq: i64| -> Vec<String> {
        conn.execute(edit, [seq]).expect("edit");
        let store = Store::open_read_only(&db, Calendar::embedded()).expect("open");
        let problems = store.check(today, None).expect("check").problems;
        conn.execute(undo, [seq]).expect("undo");
        problems
    };
    let problems = checked(
        "UPDATE events SET payload = replace(payload, '\"case_no\":\"', '\"case_no\":\"X') WHERE seq = ?1",
        "UPDATE events SET payload = replace(payload, '\"case_no\":\"X', '\"case_no\":\"') WHERE seq = ?1",
        old_seq,
    );
    assert!(
        problems
            .first()
            .is_some_and(|p| p.starts_with(&format!("audit event {old_seq} ("))),
        "{problems:#?}"
    );
    let problems = checked(
        "UPDATE events SET actor = 'mallory' WHERE seq = ?1",
        "UPDATE events SET actor = 'li.wei' WHERE seq = ?1",
        new_seq,
    );
    assert!(
        problems
            .first()
            .is_some_and(|p| p.starts_with(&format!("audit event {new_seq} ("))),
        "{problems:#?}"
    );
    let store = Store::open_read_only(&db, Calendar::embedded()).expect("open");
    assert!(store.check(today, None).expect("check").ok(), "undone");
}

/// Migration 14 lets `payload` hold packed text: a schema-13 store's payloads stay text, an
/// event written after is packed when that is shorter, and both check.
#[test]
fn migration_14_keeps_text_payloads_and_packs_new_ones() {
    use permitdesk::domain::Action;
    use permitdesk::store::Request;
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("v13.db");
    let today: chrono::NaiveDate = "2026-11-26".parse().expect("date");
    drop(demo_store(&db, 100, 3, today));
    let conn = Connection::open(&db).expect("raw connection");
    conn.execute_batch("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")
        .expect("drop triggers");
    support::forge::unpack_payloads(&conn);
    // The table as schema 13 made it: `payload TEXT NOT NULL`.
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'events'",
            [],
            |r| r.get(0),
        )
        .expect("events");
    let payload_column = "payload    ANY NOT NULL CHECK (typeof(payload) IN ('text', 'blob')),";
    assert!(sql.contains(payload_column), "{sql}");
    let v13 = sql
        .replace("CREATE TABLE \"events\"", "CREATE TABLE events_13")
        .replace(payload_column, "payload    TEXT NOT NULL,");
    conn.execute_batch(&format!(
        "{v13};
         INSERT INTO events_13 SELECT * FROM events;
         DROP TABLE events;
         ALTER TABLE events_13 RENAME TO events;
         CREATE INDEX events_by_case ON events (case_id, seq);"
    ))
    .expect("the schema-13 table");
    conn.execute_batch("ALTER TABLE review_steps DROP COLUMN skipped")
        .expect("undo migration 15");
    conn.pragma_update(None, "user_version", 13)
        .expect("set version 13");
    let case_no: String = conn
        .query_row(
            "SELECT case_no FROM cases WHERE open = 1 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("an open case");
    drop(conn);

    let mut store = Store::open(&db, Calendar::embedded()).expect("migrate");
    store
        .act(Request {
            case_no,
            user: "wang.fang".into(),
            action: Action::Note {
                text: "The employer called about the contract; the signed original follows by courier."
                    .into(),
            },
            expect_version: None,
            expect_stage: None,
            today: Some(today),
        })
        .expect("note");
    let report = store.check(today, None).expect("check");
    assert!(report.ok(), "{:#?}", report.problems);
    drop(store);
    let conn = Connection::open(&db).expect("raw connection");
    assert_eq!(user_version(&conn), CURRENT_VERSION);
    let (texts, blobs, last): (i64, i64, String) = conn
        .query_row(
            "SELECT count(*) FILTER (WHERE typeof(payload) = 'text'),
                    count(*) FILTER (WHERE typeof(payload) = 'blob'),
                    (SELECT typeof(payload) FROM events ORDER BY seq DESC LIMIT 1)
             FROM events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("count");
    assert!(texts > 100, "the old payloads stay text: {texts}");
    assert_eq!(
        (blobs, last.as_str()),
        (1, "blob"),
        "the long note is packed"
    );
}

/// A session recorded at schema 14: a skip, then the case on screen when it ended. Schema 14
/// could not tell them apart and counted both as skipped; migration 15 keeps that count for the
/// steps it finds (it cannot tell them apart either), and counts only skips from then on.
#[test]
fn migration_15_keeps_the_skips_it_cannot_tell_apart() {
    use permitdesk::domain::{Filter, Queue};
    use permitdesk::store::QueueQuery;
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("v14.db");
    let today: chrono::NaiveDate = "2026-11-26".parse().expect("date");
    let mut store = demo_store(&db, 300, 4, today);
    let query = QueueQuery {
        queue: Queue::PreAudit,
        filter: Filter::Unclaimed,
        search: None,
        user: "li.wei".into(),
        today,
        sort: Default::default(),
        after: None,
        limit: 100,
    };
    let skips = |store: &Store| {
        store
            .review_workload(today, today)
            .expect("workload")
            .iter()
            .map(|r| r.skipped)
            .sum::<i64>()
    };
    let turn = store.review_start(&query).expect("start");
    let turn = store.review_next(turn.session, &query).expect("skip");
    store
        .review_end(turn.session, "li.wei", today)
        .expect("end");
    assert_eq!(skips(&store), 1, "the skip alone");
    drop(store);

    let conn = Connection::open(&db).expect("raw connection");
    conn.execute_batch("ALTER TABLE review_steps DROP COLUMN skipped")
        .expect("undo migration 15");
    conn.pragma_update(None, "user_version", 14)
        .expect("set version 14");
    drop(conn);
    let mut store = Store::open(&db, Calendar::embedded()).expect("migrate");
    assert_eq!(skips(&store), 2, "as schema 14 counted them");
    assert!(store.check(today, None).expect("check").ok());

    // A session after the migration counts only its skip.
    let turn = store.review_start(&query).expect("start");
    let turn = store.review_next(turn.session, &query).expect("skip");
    store
        .review_end(turn.session, "li.wei", today)
        .expect("end");
    assert_eq!(skips(&store), 3);
}

/// The binary on `db`, as `admin` on the demo day, with nothing from the environment.
fn permitdesk(db: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_permitdesk"));
    for var in [
        "PERMITDESK_DB",
        "PERMITDESK_SOCKET",
        "PERMITDESK_CONNECT",
        "PERMITDESK_USER",
        "PERMITDESK_TODAY",
        "PERMITDESK_LANG",
        "PERMITDESK_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env_remove("LC_ALL")
        .env("LANG", "C.UTF-8")
        .env("XDG_CONFIG_HOME", db.parent().expect("dir"))
        .arg("--db")
        .arg(db)
        .args(["--as", "admin", "--today", "2026-11-26"])
        .args(args)
        .output()
        .expect("run permitdesk")
}

/// `check` only reads: on a store of an older schema it refuses, exit 7, saying how to migrate
/// it, and leaves the file as it was (it used to migrate it). Once a write command has opened
/// the store, it checks.
#[test]
fn check_refuses_an_older_schema_and_does_not_migrate_it() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("v14.db");
    let today = "2026-11-26";
    drop(demo_store(&db, 100, 6, today.parse().expect("date")));
    let conn = Connection::open(&db).expect("raw connection");
    conn.execute_batch("ALTER TABLE review_steps DROP COLUMN skipped")
        .expect("undo migration 15");
    conn.pragma_update(None, "user_version", 14)
        .expect("set version 14");
    drop(conn);
    let pd = |args: &[&str]| permitdesk(&db, args);
    let version = || user_version(&Connection::open(&db).expect("raw connection"));

    let out = pd(&["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the store is at schema 14 (this permitdesk needs {CURRENT_VERSION}) and is opened \
             read-only; open it once with `permitdesk serve` or any write command to migrate it first"
        )),
        "{stderr}"
    );
    assert_eq!(version(), 14, "check left the schema as it was");

    // A write command migrates it; then check checks.
    let out = pd(&["case", "list", "--queue", "pre-audit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(version(), CURRENT_VERSION);
    let out = pd(&["check"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Deadlines an older permitdesk's rules computed are recomputed by the first process that
/// opens the store to write; `check` only reads, so it checks them as they stand and says so.
#[test]
fn check_warns_of_deadlines_of_older_rules_and_checks_them_as_they_stand() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("old-rules.db");
    drop(demo_store(&db, 100, 6, "2026-11-26".parse().expect("date")));
    let conn = Connection::open(&db).expect("raw connection");
    conn.execute(
        "UPDATE meta SET value = 'older' WHERE key = 'rules_fingerprint'",
        [],
    )
    .expect("older rules");
    drop(conn);
    let out = permitdesk(&db, &["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("warning: the stored deadlines were computed with other rules"),
        "{stdout}"
    );
    let fingerprint: String = Connection::open(&db)
        .expect("raw connection")
        .query_row(
            "SELECT value FROM meta WHERE key = 'rules_fingerprint'",
            [],
            |r| r.get(0),
        )
        .expect("fingerprint");
    assert_eq!(fingerprint, "older", "check recomputed nothing");
}
