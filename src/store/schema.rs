//! Versioned migrations. `PRAGMA user_version` holds the schema version; each migration runs in
//! the same transaction that reads and bumps it.

use super::error::{Result, SqlContext, StoreError};
use crate::domain::Calendar;
use chrono::NaiveDate;
use rusqlite::Connection;
use std::path::PathBuf;

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    roles      TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE cases (
    id             INTEGER PRIMARY KEY,
    case_no        TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    category       TEXT NOT NULL,
    legacy         INTEGER NOT NULL,
    stage          TEXT NOT NULL,
    open           INTEGER NOT NULL,
    assignee       TEXT,
    version        INTEGER NOT NULL,
    timer          TEXT,
    timer_started  TEXT,
    -- The governing timer's due day, kept only for indexes; recomputed on every write and on
    -- every calendar or policy change, and verified by `check`.
    due            TEXT,
    due_key        TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    name_native    TEXT,
    passport_no    TEXT NOT NULL,
    nationality    TEXT NOT NULL,
    employer_name  TEXT NOT NULL,
    employer_uscc  TEXT NOT NULL,
    permit_no      TEXT,
    submitted_at   TEXT NOT NULL,
    entry_date     TEXT,
    updated_at     TEXT NOT NULL,
    data           TEXT NOT NULL
) STRICT;

CREATE INDEX cases_by_stage ON cases (stage, due_key, case_no);
CREATE INDEX cases_by_assignee ON cases (assignee, due_key, case_no) WHERE assignee IS NOT NULL;
CREATE INDEX cases_by_due ON cases (due_key, case_no);
CREATE INDEX cases_by_open ON cases (open, due_key, case_no);
CREATE INDEX cases_by_stage_no ON cases (stage, case_no);
CREATE INDEX cases_by_open_no ON cases (open, case_no);
CREATE INDEX cases_by_employer ON cases (employer_uscc);

-- Tab counts without scanning: kept by triggers in the same transaction as the case.
CREATE TABLE stage_counts (
    stage TEXT PRIMARY KEY,
    n     INTEGER NOT NULL
) STRICT;

CREATE TRIGGER cases_count_insert AFTER INSERT ON cases BEGIN
    INSERT INTO stage_counts (stage, n) VALUES (NEW.stage, 1)
        ON CONFLICT (stage) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER cases_count_update AFTER UPDATE OF stage ON cases WHEN OLD.stage <> NEW.stage BEGIN
    UPDATE stage_counts SET n = n - 1 WHERE stage = OLD.stage;
    INSERT INTO stage_counts (stage, n) VALUES (NEW.stage, 1)
        ON CONFLICT (stage) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER cases_count_delete AFTER DELETE ON cases BEGIN
    UPDATE stage_counts SET n = n - 1 WHERE stage = OLD.stage;
END;

CREATE TABLE events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    case_no   TEXT NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

CREATE INDEX events_by_case ON events (case_id, seq);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- Text typed into a reason editor, kept per user, case and action until the action commits or the
-- user discards it, so a dropped connection loses nothing.
CREATE TABLE drafts (
    user       TEXT NOT NULL,
    case_no    TEXT NOT NULL,
    action     TEXT NOT NULL,
    text       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user, case_no, action)
) STRICT;

-- Small per-user memories, such as the overdue cases seen at the last visit.
CREATE TABLE user_state (
    user  TEXT NOT NULL,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user, key)
) STRICT;

-- Single characters for CJK, words for the rest: see store::search.
CREATE VIRTUAL TABLE case_search USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
"#,
    UPSTREAM_SYNC,
    HOLDER_INDEXES,
    IMPORT_PROGRESS,
    LEGACY_INDEXES,
    STORE_ID,
    super::admin::ADMIN_EVENTS,
    NUMBER_SEQUENCES,
    super::figures::kept::TABLES,
    SUPERVISOR_INDEXES,
    IMPORT_VISIBILITY,
    COMPACT_EVENTS,
    super::review::TABLES,
    PACKED_PAYLOADS,
    super::review::SKIPS,
];

/// The version whose migration also writes the baseline administrative event (src/store/admin.rs).
const BASELINE_VERSION: i64 = 7;

/// The version whose migration also folds every history into the kept figures
/// (src/store/figures/kept.rs).
const FIGURES_VERSION: i64 = 9;

/// Migration 2: upstream sync (src/store/upstream.rs, src/store/outbox.rs).
const UPSTREAM_SYNC: &str = r#"
-- One row per inbox batch: its durable progress mark, written in the same transaction as the
-- events it covers, so a crash resumes after the last committed line.
CREATE TABLE sync_batches (
    name            TEXT PRIMARY KEY,
    checksum        TEXT NOT NULL,
    lines           INTEGER NOT NULL,
    applied_through INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('applying', 'applied')),
    applied         INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    conflicts       INTEGER NOT NULL DEFAULT 0,
    started_at      TEXT NOT NULL,
    finished_at     TEXT
) STRICT;

-- The newest upstream_version seen per case; older or equal versions are duplicates.
CREATE TABLE upstream_versions (
    case_no TEXT PRIMARY KEY,
    version INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Upstream events that no longer fit the local case, for a supervisor to resolve.
CREATE TABLE conflicts (
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    case_no          TEXT NOT NULL,
    batch            TEXT NOT NULL,
    line             INTEGER NOT NULL,
    event            TEXT NOT NULL,
    upstream_version INTEGER NOT NULL,
    message          TEXT NOT NULL,
    at               TEXT NOT NULL,
    audit_seq        INTEGER NOT NULL,
    resolved_by      TEXT,
    resolved_at      TEXT,
    resolution       TEXT,
    resolved_seq     INTEGER
) STRICT;
CREATE INDEX conflicts_by_case ON conflicts (case_id, id);
CREATE INDEX conflicts_open ON conflicts (at, id) WHERE resolved_at IS NULL;

-- Outbox files: planned (the range fixed) before they are written, so a crash between writing
-- and recording rewrites the same file under the same name: no duplicate, no gap.
CREATE TABLE outbox_files (
    first_seq     INTEGER PRIMARY KEY,
    last_seq      INTEGER NOT NULL,
    audit_after   INTEGER NOT NULL,
    audit_through INTEGER NOT NULL,
    head_seq      INTEGER NOT NULL,
    head_hash     TEXT NOT NULL,
    name          TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    written_at    TEXT
) STRICT;
"#;

/// Migration 3: indexes for the holder's queries (docs/PERFORMANCE.md). Only open cases have a
/// holder, so they are small. `My cases` (holder and open) and the `mine` filter in a stage queue
/// (holder and stage) each get one per order; before them both walked every open case of the
/// office checking the holder row by row, and the count behind the My cases tab took ~70 ms at
/// 1,000,000 cases.
const HOLDER_INDEXES: &str = r#"
CREATE INDEX cases_mine ON cases (assignee, open, due_key, case_no) WHERE assignee IS NOT NULL;
CREATE INDEX cases_mine_no ON cases (assignee, open, case_no) WHERE assignee IS NOT NULL;
CREATE INDEX cases_held ON cases (assignee, stage, due_key, case_no) WHERE assignee IS NOT NULL;
CREATE INDEX cases_held_no ON cases (assignee, stage, case_no) WHERE assignee IS NOT NULL;
"#;

/// Migration 4: `import` applies a file in short transactions (src/store/import.rs); each commits
/// its cases with this progress mark, so a run that stopped resumes after the last applied line.
const IMPORT_PROGRESS: &str = r#"
CREATE TABLE import_batches (
    checksum        TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    cases           INTEGER NOT NULL,
    applied_through INTEGER NOT NULL,
    applied         INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('applying', 'applied')),
    started_at      TEXT NOT NULL,
    finished_at     TEXT
) STRICT;
"#;

/// Migration 5: the `legacy` filter (cases from before the card integration, a small and shrinking
/// share) walked a whole queue row by row to find them: up to 0.7 s on Closed at 1,000,000 cases.
/// Partial indexes over the legacy cases only, for each queue shape and order.
const LEGACY_INDEXES: &str = r#"
CREATE INDEX cases_legacy_open ON cases (open, due_key, case_no) WHERE legacy = 1;
CREATE INDEX cases_legacy_open_no ON cases (open, case_no) WHERE legacy = 1;
CREATE INDEX cases_legacy_stage ON cases (stage, due_key, case_no) WHERE legacy = 1;
CREATE INDEX cases_legacy_stage_no ON cases (stage, case_no) WHERE legacy = 1;
CREATE INDEX cases_legacy_due ON cases (due_key, case_no) WHERE legacy = 1;
CREATE INDEX cases_legacy_no ON cases (case_no) WHERE legacy = 1;
"#;

/// Migration 6: a random identity for the store, fixed for its life: the server names it in its
/// handshake, and a spool directory is bound to the store that first used it.
const STORE_ID: &str = r#"
INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
"#;

/// Migration 8: permit and decision-document numbers from per-year sequences (issue 15), never
/// from the case number. `issued_numbers` registers every number once per series (its primary
/// key is the unique index); the numbers already issued are registered first, so a sequence
/// skips them (a duplicate among them stays for `check` to report).
const NUMBER_SEQUENCES: &str = r#"
CREATE TABLE number_sequences (
    series TEXT NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (series, year)
) STRICT;

CREATE TABLE issued_numbers (
    series  TEXT NOT NULL,
    number  TEXT NOT NULL,
    case_no TEXT NOT NULL,
    PRIMARY KEY (series, number)
) STRICT, WITHOUT ROWID;

INSERT OR IGNORE INTO issued_numbers (series, number, case_no)
    SELECT 'permit', permit_no, case_no FROM cases WHERE permit_no IS NOT NULL ORDER BY id;
INSERT OR IGNORE INTO issued_numbers (series, number, case_no)
    SELECT 'decision_document', json_extract(data, '$.decision_doc_no'), case_no FROM cases
    WHERE json_extract(data, '$.decision_doc_no') IS NOT NULL ORDER BY id;
"#;

/// Migration 10: what the dashboard and `report overdue` and `workload` count, each read from a
/// small index of its own instead of one row of `cases` per case (issue 18): the open cases by
/// due day with their timer and employer (the overdue figures, by band and by employer), and the
/// unclaimed pre-audit and review cases by the day their timer started.
const SUPERVISOR_INDEXES: &str = r#"
CREATE INDEX cases_open_due ON cases (due_key, timer, employer_uscc, employer_name) WHERE open = 1;
CREATE INDEX cases_unclaimed ON cases (stage, timer_started)
    WHERE stage IN ('pre_audit', 'review') AND assignee IS NULL;
"#;

/// Migration 11: an import's cases are hidden until the batch has wholly committed
/// (src/store/visibility.rs). Each batch records the block of case ids it fills; the tab counts
/// leave a hidden block out, and the batch's last transaction adds it.
const IMPORT_VISIBILITY: &str = r#"
ALTER TABLE import_batches ADD COLUMN first_id INTEGER;
ALTER TABLE import_batches ADD COLUMN last_id INTEGER;
DROP TRIGGER cases_count_insert;
CREATE TRIGGER cases_count_insert AFTER INSERT ON cases
    WHEN NOT EXISTS (SELECT 1 FROM import_batches
                     WHERE status = 'applying' AND NEW.id BETWEEN first_id AND last_id)
BEGIN
    INSERT INTO stage_counts (stage, n) VALUES (NEW.stage, 1)
        ON CONFLICT (stage) DO UPDATE SET n = n + 1;
END;
"#;

/// Migration 12: case events keep their facts in columns and only the action's own fields in
/// `payload`, linked by a 32-byte `digest` over the columns (src/store/event_row.rs). Rows
/// written before are copied as they are, with their hex `hash` over the whole JSON, so a store
/// written before still checks; `check` knows both links. Roughly halves the audit trail.
const COMPACT_EVENTS: &str = r#"
CREATE TABLE events_compact (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    -- Earlier rows only: compact rows name their case by case_id, which their digest covers.
    case_no    TEXT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    -- Compact rows only: the event's other facts, role and stages as the codes of
    -- src/store/event_row.rs.
    role       INTEGER,
    from_stage INTEGER,
    to_stage   INTEGER,
    number     TEXT,
    late       INTEGER,
    -- Compact rows: the action's fields as JSON without its name and without empty fields
    -- ('' when none are left). Earlier rows: the whole event as JSON.
    payload    TEXT NOT NULL,
    -- Earlier rows: the links in hex. Compact rows: the link as 32 bytes.
    prev_hash  TEXT,
    hash       TEXT,
    digest     BLOB,
    CHECK ((hash IS NULL) <> (digest IS NULL))
) STRICT;
INSERT INTO events_compact (seq, case_id, case_no, at, actor, action, payload, prev_hash, hash)
    SELECT seq, case_id, case_no, at, actor, action, payload, prev_hash, hash
    FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_compact RENAME TO events;
CREATE INDEX events_by_case ON events (case_id, seq);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
"#;

/// Migration 14: `payload` may hold its text packed (src/store/packed.rs), so its column takes
/// text or a blob. The rows are copied as they are: a payload written before stays text, which
/// every reader still takes. `seq` loses AUTOINCREMENT: every writer gives it as the chain's
/// head plus one, so it only cost a write to `sqlite_sequence` per event.
const PACKED_PAYLOADS: &str = r#"
CREATE TABLE events_packed (
    seq        INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    -- Earlier rows only: compact rows name their case by case_id, which their digest covers.
    case_no    TEXT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    -- Compact rows only: the event's other facts, role and stages as the codes of
    -- src/store/event_row.rs.
    role       INTEGER,
    from_stage INTEGER,
    to_stage   INTEGER,
    number     TEXT,
    late       INTEGER,
    -- Compact rows: the action's fields as JSON without its name and without empty fields
    -- ('' when none are left). Earlier rows: the whole event as JSON. Either as text, or packed
    -- as a blob (src/store/packed.rs); links cover the text.
    payload    ANY NOT NULL CHECK (typeof(payload) IN ('text', 'blob')),
    -- Earlier rows: the links in hex. Compact rows: the link as 32 bytes.
    prev_hash  TEXT,
    hash       TEXT,
    digest     BLOB,
    CHECK ((hash IS NULL) <> (digest IS NULL))
) STRICT;
INSERT INTO events_packed SELECT * FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_packed RENAME TO events;
CREATE INDEX events_by_case ON events (case_id, seq);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
"#;

pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .ctx("reading the schema version")
}

/// Brings the schema up to date, one migration per `BEGIN IMMEDIATE` transaction. Each step
/// reads the version again inside its own transaction, holding the write lock, and skips what is
/// already applied: processes opening an old store at once queue on the lock (the busy timeout)
/// and each applies only what the ones before it have not, so none fails on objects another has
/// just created. The caller has checked that the file is not newer than us; a newer process
/// migrating past us meanwhile is reported as such.
/// `calendar` is the process's, used by a store that has not recorded its own yet.
pub fn migrate(conn: &mut Connection, calendar: &Calendar) -> Result<()> {
    loop {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .ctx("starting a migration")?;
        let found = version(&tx)?;
        if found > CURRENT_VERSION {
            return Err(StoreError::TooNew {
                path: PathBuf::from(tx.path().unwrap_or_default()),
                found,
                known: CURRENT_VERSION,
            });
        }
        let applied = found.max(0) as usize;
        let Some(sql) = MIGRATIONS.get(applied) else {
            // Up to date, by this process or another one: nothing to write.
            return Ok(());
        };
        let target = applied as i64 + 1;
        tx.execute_batch(sql)
            .ctx(&format!("migrating the store to schema version {target}"))?;
        if target == BASELINE_VERSION {
            super::admin::write_baseline(&tx)?;
        }
        if target == FIGURES_VERSION {
            let stored = super::calendar::stored(&tx)?;
            let settings = super::meta::load(&tx)?;
            let clocks = settings.clocks(stored.as_ref().unwrap_or(calendar), NaiveDate::MIN);
            super::figures::kept::fill(&tx, &clocks)?;
        }
        tx.pragma_update(None, "user_version", target)
            .ctx("recording the schema version")?;
        tx.commit().ctx("committing a migration")?;
    }
}
