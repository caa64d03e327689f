//! Someone with write access to the store file edits the audit trail with raw SQL (dropping the
//! append-only triggers first). `check` must name the first bad event for an edit, a deletion or
//! an insertion; a truncated or wholly recomputed chain is only detectable against a chain head
//! exported earlier (`--anchor SEQ:HMAC`, the keyed anchor on the last line of every outbox
//! file), and these tests show both halves of that: without the anchor such a rewrite passes,
//! with it it fails. Administrative events (`admin_events`) share the chain's sequence numbers.

mod support;

use rusqlite::{Connection, params};
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::forge::{chain_top, copy_event, hash_at, relink_from};
use support::{pd, run_ok};
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";

/// A demo store with a note on one case (a payload whose text an attacker might want to change).
fn demo() -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("dir");
    let db = dir.path().join("demo.db");
    run_ok(pd(&db).args([
        "demo", "--cases", "120", "--seed", "3", "--no-tui", "--today", TODAY,
    ]));
    (dir, db)
}

fn cli(db: &Path) -> std::process::Command {
    let mut cmd = pd(db);
    cmd.args(["--as", "admin", "--today", TODAY]);
    cmd
}

/// Runs `check` (with an anchor if given): the exit code, stdout and stderr.
fn check(db: &Path, anchor: Option<&str>) -> (i32, String, String) {
    let mut cmd = cli(db);
    cmd.arg("check");
    if let Some(anchor) = anchor {
        cmd.args(["--anchor", anchor]);
    }
    let out = cmd.output().expect("check");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_passes(db: &Path, anchor: Option<&str>) {
    let (code, out, err) = check(db, anchor);
    assert_eq!(code, 0, "check should pass:\n{out}{err}");
    assert!(out.ends_with("ok\n"), "{out}");
}

/// `check` fails, and its first problem (also the one-line error) is exactly `first`.
fn assert_fails_with(db: &Path, anchor: Option<&str>, first: &str) {
    let (code, out, err) = check(db, anchor);
    assert_eq!(code, 1, "check should fail:\n{out}{err}");
    let problems: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("PROBLEM: "))
        .collect();
    assert_eq!(problems.first().copied(), Some(first), "{out}");
    assert_eq!(err, format!("permitdesk: check failed: {first}\n"));
}

/// A raw connection with the append-only triggers gone, as an attacker would have it.
fn tamper(db: &Path) -> Connection {
    let conn = Connection::open(db).expect("open");
    conn.execute_batch("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")
        .expect("drop triggers");
    conn
}

/// The newest case event's sequence number.
fn head(conn: &Connection) -> i64 {
    conn.query_row("SELECT max(seq) FROM events", [], |r| r.get(0))
        .expect("head")
}

fn case_of(conn: &Connection, seq: i64) -> String {
    conn.query_row(
        "SELECT c.case_no FROM events e JOIN cases c ON c.id = e.case_id WHERE e.seq = ?1",
        [seq],
        |r| r.get(0),
    )
    .expect("case of event")
}

/// Runs a sync with an empty inbox, which writes the decision history to the outbox, and returns
/// the keyed anchor on the last line of the newest outbox file, as `SEQ:HMAC`.
fn export_anchor(dir: &Path, db: &Path) -> String {
    let spool = dir.join("spool");
    std::fs::create_dir_all(spool.join("inbox")).expect("inbox");
    run_ok(cli(db).arg("sync").arg("--spool").arg(&spool));
    let mut files: Vec<PathBuf> = std::fs::read_dir(spool.join("outbox"))
        .expect("outbox")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let last = files.last().expect("an outbox file");
    let text = std::fs::read_to_string(last).expect("read");
    let line: Value = serde_json::from_str(text.lines().last().expect("line")).expect("json");
    let head = &line["chain_head"];
    format!(
        "{}:{}",
        head["seq"].as_i64().expect("seq"),
        head["hmac"].as_str().expect("hmac")
    )
}

#[test]
fn an_untouched_store_passes_with_and_without_its_anchor() {
    let (dir, db) = demo();
    let conn = Connection::open(&db).expect("open");
    let seq = head(&conn) / 2;
    assert!(
        conn.execute("UPDATE events SET actor = 'mallory' WHERE seq = ?1", [seq])
            .is_err(),
        "the triggers refuse updates"
    );
    assert!(
        conn.execute("DELETE FROM events WHERE seq = ?1", [seq])
            .is_err(),
        "the triggers refuse deletes"
    );
    assert!(
        conn.execute(
            "UPDATE admin_events SET actor = 'mallory' WHERE seq = 1",
            []
        )
        .is_err(),
        "administrative events are append-only too"
    );
    assert!(
        conn.execute("DELETE FROM admin_events WHERE seq = 1", [])
            .is_err(),
        "administrative events are append-only too"
    );
    drop(conn);
    let anchor = export_anchor(dir.path(), &db);
    assert_passes(&db, None);
    assert_passes(&db, Some(&anchor));
    // Later events do not disturb an older anchor.
    run_ok(cli(&db).args(["case", "note", "GZ2026-000001", "--text", "later"]));
    assert_passes(&db, Some(&anchor));
}

#[test]
fn an_edited_event_is_named() {
    let (_dir, db) = demo();
    let conn = tamper(&db);
    let seq = head(&conn) / 2;
    let case_no = case_of(&conn, seq);
    conn.execute(
        "UPDATE events SET actor = 'x' || actor WHERE seq = ?1",
        [seq],
    )
    .expect("edit");
    drop(conn);
    assert_fails_with(
        &db,
        None,
        &format!(
            "audit event {seq} ({case_no}): its content does not match its hash (edited after it was written, or the chain was broken here)"
        ),
    );
    // The summary counts every event in the store, and says where the chain broke.
    let conn = Connection::open(&db).expect("open");
    let total: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM admin_events)",
            [],
            |r| r.get(0),
        )
        .expect("count");
    let before: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM events WHERE seq < ?1) \
             + (SELECT count(*) FROM admin_events WHERE seq < ?1)",
            [seq],
            |r| r.get(0),
        )
        .expect("count");
    drop(conn);
    let (_, out, _) = check(&db, None);
    assert!(
        out.contains(&format!(
            "the audit chain breaks at event {seq}: {before} of its {total} events were verified before it"
        )),
        "{out}"
    );
}

#[test]
fn a_packed_payload_edited_is_named_and_one_merely_unpacked_is_not() {
    // Submissions are stored packed (src/store/packed.rs); the link covers their text.
    let (_dir, db) = demo();
    let conn = tamper(&db);
    let (seq, packed): (i64, Vec<u8>) = conn
        .query_row(
            "SELECT seq, payload FROM events
             WHERE action = 'submit' AND typeof(payload) = 'blob' ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a packed submission");
    let text = support::forge::payload_text(rusqlite::types::ValueRef::Blob(&packed));
    assert!(text.contains("\"passport_no\""), "{text}");
    // Stored as its text, the event still links: nothing a reader sees changed.
    support::forge::unpack_payloads(&conn);
    drop(conn);
    assert_passes(&db, None);
    // A passport number changed inside it breaks its link, packed again or not.
    let conn = Connection::open(&db).expect("open");
    let case_no = case_of(&conn, seq);
    let edited = text.replacen("\"passport_no\":\"", "\"passport_no\":\"X", 1);
    assert_ne!(edited, text);
    let repacked = support::forge::pack_payload(&edited);
    conn.execute(
        "UPDATE events SET payload = ?1 WHERE seq = ?2",
        rusqlite::params![repacked, seq],
    )
    .expect("edit");
    drop(conn);
    assert_fails_with(
        &db,
        None,
        &format!(
            "audit event {seq} ({case_no}): its content does not match its hash (edited after it was written, or the chain was broken here)"
        ),
    );
}

#[test]
fn an_event_moved_to_another_case_is_named() {
    // A compact event names its case by id, and its link covers the id.
    let (_dir, db) = demo();
    let conn = tamper(&db);
    let seq = head(&conn) / 3;
    let case_no = case_of(&conn, seq);
    let other_id: i64 = conn
        .query_row(
            "SELECT id FROM cases WHERE case_no <> ?1 ORDER BY id LIMIT 1",
            [&case_no],
            |r| r.get(0),
        )
        .expect("another case");
    conn.execute(
        "UPDATE events SET case_id = ?1 WHERE seq = ?2",
        params![other_id, seq],
    )
    .expect("edit");
    let moved_to = case_of(&conn, seq);
    drop(conn);
    assert_fails_with(
        &db,
        None,
        &format!(
            "audit event {seq} ({moved_to}): its content does not match its hash (edited after it was written, or the chain was broken here)"
        ),
    );
}

#[test]
fn a_deleted_middle_event_is_named() {
    let (_dir, db) = demo();
    let conn = tamper(&db);
    let seq = head(&conn) / 2;
    let next_case = case_of(&conn, seq + 1);
    conn.execute("DELETE FROM events WHERE seq = ?1", [seq])
        .expect("delete");
    drop(conn);
    assert_fails_with(
        &db,
        None,
        &format!(
            "audit event {} ({next_case}): follows event {} in the chain: 1 event(s) missing or inserted",
            seq + 1,
            seq - 1
        ),
    );
}

#[test]
fn an_inserted_event_is_named() {
    // Inserted in the middle, correctly linked to the event before it: the event after it no
    // longer links.
    let (_dir, db) = demo();
    let conn = tamper(&db);
    let at = head(&conn) / 2;
    let top = head(&conn);
    // Make room: shift every later event up by one (through negative numbers, to keep the
    // primary key unique on the way).
    conn.execute("UPDATE events SET seq = -(seq + 1) WHERE seq > ?1", [at])
        .expect("shift");
    conn.execute("UPDATE events SET seq = -seq WHERE seq < 0", [])
        .expect("shift back");
    let prev = hash_at(&conn, at);
    copy_event(&conn, at, at + 1, &prev, None);
    assert_eq!(head(&conn), top + 1);
    let after = case_of(&conn, at + 2);
    drop(conn);
    assert_fails_with(
        &db,
        None,
        &format!(
            "audit event {} ({after}): its content does not match its hash (edited after it was written, or the chain was broken here)",
            at + 2
        ),
    );

    // Appended with a made-up hash: named itself.
    let (_dir2, db2) = demo();
    let conn = tamper(&db2);
    let (top, prev) = chain_top(&conn);
    let like: i64 = conn
        .query_row("SELECT min(seq) FROM events", [], |r| r.get(0))
        .expect("first case event");
    copy_event(&conn, like, top + 1, &prev, Some(&"ab".repeat(32)));
    let case_no = case_of(&conn, top + 1);
    drop(conn);
    assert_fails_with(
        &db2,
        None,
        &format!(
            "audit event {} ({case_no}): its content does not match its hash (edited after it was written, or the chain was broken here)",
            top + 1
        ),
    );
}

#[test]
fn a_correctly_linked_forged_event_still_breaks_its_case() {
    // The chain alone cannot tell a well-formed forged event at the end from a real one; the
    // case it claims to have changed can (its stored row no longer matches its replayed
    // history), and so can the replay of authority (a second claim by the holder).
    let (_dir, db) = demo();
    let conn = tamper(&db);
    let newest = head(&conn);
    let (top, prev) = chain_top(&conn);
    let case_no = case_of(&conn, newest);
    // A second copy of the newest case event, properly linked at the chain's head.
    copy_event(&conn, newest, top + 1, &prev, None);
    drop(conn);
    let (code, out, _) = check(&db, None);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("PROBLEM: {case_no}: ")),
        "the forged event's case is named:\n{out}"
    );
    assert!(
        !out.contains("does not link") && !out.contains("does not match its hash"),
        "the chain itself is intact:\n{out}"
    );
    assert!(
        out.contains(&format!(
            "PROBLEM: audit event {} ({case_no}): rule ",
            top + 1
        )),
        "the replay of authority names the forged event:\n{out}"
    );
}

const KEPT_SUMS: [&str; 3] = ["figure_days", "figure_running", "figure_overdue"];

/// Every row of the kept figures' sums, as SQL literals (an attacker's copy).
fn kept_sums(db: &Path) -> Vec<(&'static str, Vec<String>)> {
    let conn = Connection::open(db).expect("open");
    KEPT_SUMS
        .iter()
        .map(|table| {
            let columns: Vec<String> = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .expect("columns")
                .query_map([], |r| r.get(0))
                .expect("columns")
                .collect::<Result<_, _>>()
                .expect("columns");
            let quoted = columns
                .iter()
                .map(|c| format!("quote({c})"))
                .collect::<Vec<_>>()
                .join(" || ',' || ");
            let values = conn
                .prepare(&format!("SELECT {quoted} FROM {table}"))
                .expect("rows")
                .query_map([], |r| r.get(0))
                .expect("rows")
                .collect::<Result<_, _>>()
                .expect("rows");
            (*table, values)
        })
        .collect()
}

fn restore_kept_sums(conn: &Connection, saved: &[(&'static str, Vec<String>)]) {
    for (table, rows) in saved {
        conn.execute(&format!("DELETE FROM {table}"), [])
            .expect("clear");
        for row in rows {
            conn.execute(&format!("INSERT INTO {table} VALUES ({row})"), [])
                .expect("restore");
        }
    }
}

#[test]
fn a_truncated_chain_passes_alone_and_fails_against_its_anchor() {
    let (dir, db) = demo();
    // Three new cases; the anchor exported afterwards covers them.
    let file = dir.path().join("three.jsonl");
    let mut text = String::new();
    for i in 1..=3 {
        text.push_str(&format!(
            "{{\"case_no\":\"TR-{i}\",\"kind\":\"overseas_new\",\"category\":\"B\",\
             \"applicant\":{{\"name\":\"SMITH JOHN\",\"passport_no\":\"E7000000{i}\",\"nationality\":\"GBR\"}},\
             \"employer\":{{\"name\":\"Guangzhou Example Co\",\"uscc\":\"91440101MA5CQ7H2XC\"}}}}\n"
        ));
    }
    std::fs::write(&file, text).expect("file");
    let figures_before = kept_sums(&db);
    run_ok(cli(&db).arg("import").arg(&file));
    let anchor = export_anchor(dir.path(), &db);
    let anchor_seq: i64 = anchor.split(':').next().expect("seq").parse().expect("n");
    assert_passes(&db, Some(&anchor));

    // Remove the newest events and every trace of the cases they made (their kept figures put
    // back as they were before), leaving a store that is consistent in itself.
    let conn = tamper(&db);
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM cases WHERE case_no LIKE 'TR-%'")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("ids");
    assert_eq!(ids.len(), 3);
    let first: i64 = conn
        .query_row(
            "SELECT min(seq) FROM events WHERE case_id IN (SELECT id FROM cases WHERE case_no LIKE 'TR-%')",
            [],
            |r| r.get(0),
        )
        .expect("first TR event");
    conn.execute(
        "DELETE FROM events WHERE case_id IN (SELECT id FROM cases WHERE case_no LIKE 'TR-%')",
        [],
    )
    .expect("delete events");
    // The import's own administrative event goes too.
    conn.execute_batch("DROP TRIGGER admin_events_no_delete")
        .expect("drop trigger");
    conn.execute("DELETE FROM admin_events WHERE seq > ?1", [first])
        .expect("delete the import event");
    for id in &ids {
        conn.execute("DELETE FROM case_search WHERE rowid = ?1", [id])
            .expect("delete search");
        conn.execute("DELETE FROM case_figures WHERE case_id = ?1", [id])
            .expect("delete the case's figures");
        conn.execute("DELETE FROM cases WHERE id = ?1", [id])
            .expect("delete case");
    }
    restore_kept_sums(&conn, &figures_before);
    let (new_head, _) = chain_top(&conn);
    assert_eq!(
        new_head,
        anchor_seq - 4,
        "three cases and the import's event"
    );
    drop(conn);

    assert_passes(&db, None);
    assert_fails_with(
        &db,
        Some(&anchor),
        &format!(
            "the audit chain ends at event {new_head} but the anchor names event {anchor_seq}: events were removed"
        ),
    );
}

#[test]
fn a_recomputed_chain_passes_alone_and_fails_against_its_anchor() {
    let (dir, db) = demo();
    run_ok(cli(&db).args([
        "case",
        "note",
        "GZ2026-000010",
        "--text",
        "Employer confirmed the contract by phone",
    ]));
    let anchor = export_anchor(dir.path(), &db);
    let anchor_seq: i64 = anchor.split(':').next().expect("seq").parse().expect("n");

    // Rewrite what the note says, then re-link every later event so the chain is consistent.
    let conn = tamper(&db);
    let seq: i64 = conn
        .query_row(
            "SELECT seq FROM events WHERE action = 'note' AND payload LIKE '%by phone%'",
            [],
            |r| r.get(0),
        )
        .expect("the note");
    let changed = conn
        .execute(
            "UPDATE events SET payload = replace(payload, 'confirmed', 'denied') WHERE seq = ?1",
            [seq],
        )
        .expect("edit");
    assert_eq!(changed, 1);
    relink_from(&conn, seq);
    let case_no = case_of(&conn, anchor_seq);
    drop(conn);

    // The chain and every case replay: without an anchor nothing can tell.
    assert_passes(&db, None);
    // The anchor held elsewhere does.
    assert_fails_with(
        &db,
        Some(&anchor),
        &format!(
            "audit event {anchor_seq} ({case_no}): differs from the anchor exported earlier (the chain was rewritten, or the anchor was made with another key)"
        ),
    );
}

#[test]
fn a_malformed_anchor_is_a_usage_error() {
    let (_dir, db) = demo();
    for (anchor, message) in [
        ("12", "--anchor: anchor \"12\" should be SEQ:HMAC"),
        ("x:00", "--anchor: anchor sequence \"x\" is not a number"),
        ("12:abc", "--anchor: anchor HMAC should be 64 hex digits"),
    ] {
        let (code, _, err) = check(&db, Some(anchor));
        assert_eq!(code, 6, "{err}");
        assert_eq!(err, format!("permitdesk: {message}\n"));
    }
}

#[test]
fn check_prints_tampered_text_without_its_control_characters() {
    let (_dir, db) = demo();
    let conn = tamper(&db);
    conn.execute(
        "UPDATE cases SET case_no = case_no || char(27) || ']0;PWNED' || char(7) \
         || char(27) || '[2J' WHERE id = 1",
        [],
    )
    .expect("edit");
    drop(conn);
    let (code, out, err) = check(&db, None);
    assert_eq!(code, 1, "check should fail:\n{out}{err}");
    assert!(out.contains("PROBLEM: "), "{out}");
    for text in [&out, &err] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "control characters reached the terminal: {text:?}"
        );
    }
}

/// The figures the dashboard and `report sla` read are kept beside the cases (issue 18): an
/// edited sum, or one case's edited contribution, is named; the history is not touched.
#[test]
fn an_edited_kept_figure_is_named() {
    let (_dir, db) = demo();
    let conn = Connection::open(&db).expect("open");
    let (day, n): (String, i64) = conn
        .query_row(
            "SELECT day, n FROM figure_overdue ORDER BY day DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a trend row");
    conn.execute("UPDATE figure_overdue SET n = n + 5 WHERE day = ?1", [&day])
        .expect("edit");
    drop(conn);
    assert_fails_with(
        &db,
        None,
        &format!(
            "the kept figures disagree with the history: figure_overdue {day}: kept {}, the histories give {n}",
            n + 5
        ),
    );
    let conn = tamper(&db);
    conn.execute("UPDATE figure_overdue SET n = n - 5 WHERE day = ?1", [&day])
        .expect("undo");
    let (first, second): (i64, i64) = conn
        .query_row(
            "SELECT a.case_id, b.case_id FROM case_figures a JOIN case_figures b
             ON a.case_id < b.case_id AND a.ledger <> b.ledger ORDER BY a.case_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("two cases with different figures");
    let case_no: String = conn
        .query_row("SELECT case_no FROM cases WHERE id = ?1", [first], |r| {
            r.get(0)
        })
        .expect("case");
    conn.execute(
        "UPDATE case_figures SET ledger = (SELECT ledger FROM case_figures WHERE case_id = ?2)
         WHERE case_id = ?1",
        [first, second],
    )
    .expect("edit");
    drop(conn);
    assert_fails_with(
        &db,
        None,
        &format!("{case_no}: its kept figures disagree with its history"),
    );
}

#[test]
fn text_hidden_in_a_compact_events_unused_link_column_is_named() {
    // A compact event's digest covers its columns; the hex link columns of earlier rows are not
    // among them and must stay empty.
    let (_dir, db) = demo();
    let conn = tamper(&db);
    let seq = head(&conn) / 2;
    let case_no = case_of(&conn, seq);
    conn.execute(
        "UPDATE events SET prev_hash = 'approved by phone' WHERE seq = ?1",
        [seq],
    )
    .expect("edit");
    drop(conn);
    assert_fails_with(
        &db,
        None,
        &format!(
            "audit event {seq} ({case_no}): a compact event with an earlier event's prev_hash (written outside permitdesk)"
        ),
    );
}
