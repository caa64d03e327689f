//! `check` replays authority: every case event against the users, roles and settings that the
//! administrative events (in the same hash chain) give at its place in the chain. An attacker
//! with write access to the store file plants forgeries with raw SQL and recomputes every hash;
//! each is caught by `check`, or, where the rewritten chain is consistent in itself, by
//! `check --anchor` with a keyed anchor exported before the cover-up.

mod support;

use chrono::DateTime;
use permitdesk::domain::{AdminChange, AdminEvent, Role, SettingsState};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::forge::{chain_top, link_hash, relink_from};
use support::{pd, run_ok};
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";

fn demo() -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("dir");
    let db = dir.path().join("demo.db");
    run_ok(pd(&db).args([
        "demo", "--cases", "120", "--seed", "3", "--no-tui", "--today", TODAY,
    ]));
    (dir, db)
}

fn cli(db: &Path, user: &str) -> std::process::Command {
    let mut cmd = pd(db);
    cmd.args(["--as", user, "--today", TODAY]);
    cmd
}

/// `check` on the demo store, as its admin.
fn check(db: &Path, anchor: Option<&str>) -> (i32, String, String) {
    check_with(cli(db, "admin"), anchor)
}

fn check_with(mut cmd: std::process::Command, anchor: Option<&str>) -> (i32, String, String) {
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

fn problems(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.strip_prefix("PROBLEM: "))
        .map(str::to_string)
        .collect()
}

/// A raw connection with every append-only trigger gone, as an attacker would have it.
fn tamper(db: &Path) -> Connection {
    let conn = Connection::open(db).expect("open");
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;
         DROP TRIGGER IF EXISTS admin_events_no_update; DROP TRIGGER IF EXISTS admin_events_no_delete;",
    )
    .expect("drop triggers");
    conn
}

/// Appends a well-formed administrative event at the chain's head, correctly linked.
fn plant_admin(conn: &Connection, actor: &str, change: AdminChange) -> i64 {
    let event = AdminEvent {
        at: DateTime::parse_from_rfc3339("2026-11-26T10:00:00+08:00").expect("time"),
        actor: actor.into(),
        change,
    };
    let payload = serde_json::to_string(&event).expect("encode");
    let (top, prev) = chain_top(conn);
    let seq = top + 1;
    conn.execute(
        "INSERT INTO admin_events (seq, at, actor, kind, change, payload, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            seq,
            event.at.to_rfc3339(),
            actor,
            event.change.kind().as_str(),
            event.change.name(),
            payload,
            prev,
            link_hash(&prev, seq, &payload)
        ],
    )
    .expect("plant");
    seq
}

/// Removes the administrative event at `seq` and closes the gap: every later event renumbered
/// and the chain re-linked, so that it is consistent in itself.
fn cover_up(conn: &Connection, seq: i64) {
    conn.execute("DELETE FROM admin_events WHERE seq = ?1", [seq])
        .expect("delete");
    for table in ["events", "admin_events"] {
        conn.execute(
            &format!("UPDATE {table} SET seq = -(seq - 1) WHERE seq > ?1"),
            [seq],
        )
        .expect("shift");
        conn.execute(&format!("UPDATE {table} SET seq = -seq WHERE seq < 0"), [])
            .expect("shift back");
    }
    relink_from(conn, seq);
}

/// The settings the store's administrative history gives now (the defaults before any change).
fn audited_settings(conn: &Connection) -> SettingsState {
    let payload: Option<String> = conn
        .query_row(
            "SELECT payload FROM admin_events WHERE kind IN ('baseline', 'settings')
             ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .expect("settings");
    let Some(payload) = payload else {
        return SettingsState::default();
    };
    match serde_json::from_str::<AdminEvent>(&payload)
        .expect("decode")
        .change
    {
        AdminChange::Baseline { settings, .. } => settings,
        AdminChange::Settings { after, .. } => after,
        other => panic!("not settings: {other:?}"),
    }
}

/// Runs a sync with an empty inbox and returns the keyed anchor of the newest outbox file.
fn export_anchor(dir: &Path, db: &Path) -> String {
    export_anchor_with(dir, cli(db, "admin"))
}

fn export_anchor_with(dir: &Path, mut sync: std::process::Command) -> String {
    let spool = dir.join("spool");
    std::fs::create_dir_all(spool.join("inbox")).expect("inbox");
    run_ok(sync.arg("sync").arg("--spool").arg(&spool));
    let mut files: Vec<PathBuf> = std::fs::read_dir(spool.join("outbox"))
        .expect("outbox")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let text = std::fs::read_to_string(files.last().expect("a file")).expect("read");
    let line: Value = serde_json::from_str(text.lines().last().expect("line")).expect("json");
    format!(
        "{}:{}",
        line["chain_head"]["seq"].as_i64().expect("seq"),
        line["chain_head"]["hmac"].as_str().expect("hmac")
    )
}

fn newest_event_by(conn: &Connection, actor: &str) -> (i64, String) {
    conn.query_row(
        "SELECT e.seq, c.case_no FROM events e JOIN cases c ON c.id = e.case_id
         WHERE e.actor = ?1 ORDER BY e.seq DESC LIMIT 1",
        [actor],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("an event by the actor")
}

#[test]
fn a_user_added_by_hand_who_acts_and_is_removed_is_named() {
    let (dir, db) = demo();
    // The attacker adds mallory as an admin with a well-formed administrative event.
    let conn = tamper(&db);
    let planted = plant_admin(
        &conn,
        "admin",
        AdminChange::UserAdd {
            name: "mallory".into(),
            roles: vec![Role::Admin],
        },
    );
    conn.execute(
        "INSERT INTO users (name, roles, active, created_at) VALUES ('mallory', 'admin', 1, ?1)",
        [TODAY],
    )
    .expect("user row");
    drop(conn);
    run_ok(cli(&db, "mallory").args([
        "case",
        "note",
        "GZ2026-000005",
        "--text",
        "documents verified in person",
    ]));
    let anchor = export_anchor(dir.path(), &db);

    // ... then removes every trace of mallory but the action.
    let conn = tamper(&db);
    conn.execute("DELETE FROM users WHERE name = 'mallory'", [])
        .expect("delete user");
    cover_up(&conn, planted);
    let (seq, case_no) = newest_event_by(&conn, "mallory");
    drop(conn);

    let (code, out, err) = check(&db, None);
    assert_eq!(code, 1, "{out}{err}");
    let first = format!(
        "audit event {seq} ({case_no}): rule actor: mallory was not a user when this was written (note)"
    );
    assert_eq!(problems(&out).first(), Some(&first), "{out}");
    assert_eq!(err, format!("permitdesk: check failed: {first}\n"));
    // The anchor exported while the forged event stood names the rewrite too.
    let (code, out, _) = check(&db, Some(&anchor));
    assert_eq!(code, 1, "{out}");
    let anchor_seq = anchor.split(':').next().expect("seq");
    assert!(
        problems(&out)[0].contains(&format!("anchor names event {anchor_seq}"))
            || problems(&out)[0].contains("differs from the anchor exported earlier"),
        "{out}"
    );
}

#[test]
fn an_event_in_the_name_of_a_disabled_user_is_named() {
    let (_dir, db) = demo();
    let conn = tamper(&db);
    let (case_id, case_no, stage): (i64, String, String) = conn
        .query_row(
            "SELECT id, case_no, stage FROM cases WHERE open = 1 ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("an open case");
    // A note backdated into the history of someone who has left, appended and linked.
    let at = "2026-11-26T12:00:00+08:00";
    let (top, prev) = chain_top(&conn);
    let seq = top + 1;
    conn.execute(
        "INSERT INTO events (seq, case_id, case_no, at, actor, role, from_stage, to_stage, action,
                             payload, digest)
         VALUES (?1, ?2, NULL, ?3, 'former.staff', ?4, ?5, ?5, 'note', ?6, zeroblob(32))",
        params![
            seq,
            case_id,
            DateTime::parse_from_rfc3339(at).expect("at").to_rfc3339(),
            support::forge::role_code("approver"),
            support::forge::stage_code(&stage),
            r#"{"text":"approved by phone"}"#,
        ],
    )
    .expect("forge");
    support::forge::relink(&conn, seq, &prev);
    drop(conn);
    let (code, out, _) = check(&db, None);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        problems(&out)[0],
        format!(
            "audit event {seq} ({case_no}): rule active: former.staff (note): former.staff is disabled and may not act"
        )
    );
}

/// A case nobody holds in review (or pre-audit): one a supervisor can take to a decision alone.
fn unheld_case(conn: &Connection) -> String {
    conn.query_row(
        "SELECT case_no FROM cases WHERE assignee IS NULL AND stage IN ('review', 'pre_audit')
         ORDER BY stage = 'review' DESC, case_no LIMIT 1",
        [],
        |r| r.get(0),
    )
    .expect("an unheld case")
}

fn stage_and_holder(db: &Path, case_no: &str) -> (String, Option<String>) {
    let conn = Connection::open(db).expect("open");
    conn.query_row(
        "SELECT stage, assignee FROM cases WHERE case_no = ?1",
        [case_no],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("case")
}

/// `user` takes `case_no` from pre-audit or review to a signed decision.
fn recommend_and_sign(db: &Path, user: &str, case_no: &str) {
    for _ in 0..6 {
        let (stage, holder) = stage_and_holder(db, case_no);
        match stage.as_str() {
            "pre_audit" | "review" => {
                if holder.is_none() {
                    run_ok(cli(db, user).args(["case", "claim", case_no]));
                }
                run_ok(cli(db, user).args(["case", "approve", case_no]));
            }
            "decision" => {
                run_ok(cli(db, user).args(["case", "approve", case_no]));
                return;
            }
            other => panic!("{case_no} reached {other}"),
        }
    }
    panic!("{case_no} never reached a decision");
}

#[test]
fn a_policy_without_four_eyes_slipped_in_and_out_is_named() {
    let (_dir, db) = demo();
    let conn = tamper(&db);
    let case_no = unheld_case(&conn);
    // The attacker plants a settings change turning four-eyes off, attributed to the admin.
    let conn = tamper(&db);
    let before = audited_settings(&conn);
    let mut after = before.clone();
    after.policy.four_eyes = false;
    let planted = plant_admin(&conn, "admin", AdminChange::Settings { before, after });
    drop(conn);
    recommend_and_sign(&db, "wang.fang", &case_no);
    // ... and removes it.
    let conn = tamper(&db);
    cover_up(&conn, planted);
    let (seq, signed) = newest_event_by(&conn, "wang.fang");
    assert_eq!(signed, case_no);
    drop(conn);

    let (code, out, _) = check(&db, None);
    assert_eq!(code, 1, "{out}");
    let first = &problems(&out)[0];
    assert!(
        first.starts_with(&format!("audit event {seq} ({case_no}): rule four-eyes: ")),
        "{out}"
    );
    assert!(first.contains("wang.fang recommended this decision and may not sign it"));
}

#[test]
fn the_four_eyes_flag_flipped_in_the_settings_table_is_not_honoured() {
    let (_dir, db) = demo();
    let conn = tamper(&db);
    let case_no = unheld_case(&conn);
    let policy: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'policy'", [], |r| {
            r.get(0)
        })
        .expect("policy");
    let mut policy: Value = serde_json::from_str(&policy.expect("a policy")).expect("json");
    policy["four_eyes"] = Value::Bool(false);
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'policy'",
        [policy.to_string()],
    )
    .expect("flip");
    drop(conn);
    // The audited policy still holds: the signature is refused.
    let (stage, _) = stage_and_holder(&db, &case_no);
    let steps = if stage == "review" { 1 } else { 2 };
    for _ in 0..steps {
        if stage_and_holder(&db, &case_no).1.is_none() {
            run_ok(cli(&db, "wang.fang").args(["case", "claim", &case_no]));
        }
        run_ok(cli(&db, "wang.fang").args(["case", "approve", &case_no]));
    }
    let out = cli(&db, "wang.fang")
        .args(["case", "approve", &case_no])
        .output()
        .expect("sign");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("four-eyes"));
    let (code, out, _) = check(&db, None);
    assert_eq!(code, 1, "{out}");
    assert!(
        problems(&out).iter().any(|p| p.starts_with(
            "settings: the stored policy differs from the one the administrative history gives"
        )),
        "{out}"
    );
}

/// This process's login, which `init` makes the store's admin.
fn login() -> String {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .expect("password database")
        .expect("a login")
        .name
}

/// A store made with `init` (not trusting `--as`), with a supervisor and a few cases.
fn office() -> (TempDir, PathBuf, String) {
    let dir = TempDir::new().expect("dir");
    let db = dir.path().join("office.db");
    run_ok(pd(&db).arg("init"));
    let me = login();
    run_ok(pd(&db).args(["user", "add", "wang.fang", "--role", "supervisor"]));
    run_ok(pd(&db).args(["user", "add", "li.wei", "--role", "approver"]));
    let file = dir.path().join("cases.jsonl");
    let mut text = String::new();
    for i in 1..=3 {
        text.push_str(&format!(
            "{{\"case_no\":\"OF-{i}\",\"kind\":\"overseas_new\",\"category\":\"B\",\
             \"applicant\":{{\"name\":\"SMITH JOHN\",\"passport_no\":\"E7000000{i}\",\"nationality\":\"GBR\"}},\
             \"employer\":{{\"name\":\"Guangzhou Example Co\",\"uscc\":\"91440101MA5CQ7H2XC\"}}}}\n"
        ));
    }
    std::fs::write(&file, text).expect("cases");
    run_ok(pd(&db).arg("import").arg(&file));
    (dir, db, me)
}

#[test]
fn a_trust_flag_flipped_to_act_as_someone_else_is_caught() {
    let (dir, db, me) = office();
    // Flipped in the settings table alone: not honoured, and reported.
    let conn = tamper(&db);
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('trust_declared_user', '1')",
        [],
    )
    .expect("flip");
    drop(conn);
    let out = pd(&db)
        .args(["--as", "wang.fang", "case", "claim", "OF-1"])
        .output()
        .expect("claim");
    assert_eq!(out.status.code(), Some(3), "--as stays refused: {out:?}");
    let (code, out, _) = check_with(pd(&db), None);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        problems(&out),
        vec![
            "settings: the stored trust_declared_user is true, the administrative history says false (the stored value is not honoured)"
                .to_string()
        ]
    );

    // Flipped with a planted settings event in an approver's name: the event is named.
    let conn = tamper(&db);
    let before = audited_settings(&conn);
    let mut after = before.clone();
    after.trust_declared_user = true;
    let planted = plant_admin(
        &conn,
        "li.wei",
        AdminChange::Settings {
            before: before.clone(),
            after: after.clone(),
        },
    );
    drop(conn);
    let (code, out, _) = check_with(pd(&db), None);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        problems(&out)[0],
        format!(
            "administrative event {planted}: rule admin: settings by li.wei: settings needs the admin role; li.wei holds approver"
        )
    );

    // In the admin's own name, used to act as a supervisor, then removed: the chain is
    // consistent again, and only an anchor exported in between tells.
    let conn = tamper(&db);
    cover_up(&conn, planted);
    let planted = plant_admin(&conn, &me, AdminChange::Settings { before, after });
    drop(conn);
    run_ok(pd(&db).args(["--as", "wang.fang", "case", "claim", "OF-1"]));
    run_ok(pd(&db).args(["--as", "wang.fang", "case", "approve", "OF-1"]));
    let anchor = export_anchor_with(dir.path(), pd(&db));
    let conn = tamper(&db);
    cover_up(&conn, planted);
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('trust_declared_user', '0')",
        [],
    )
    .expect("flip back");
    drop(conn);
    let mut plain = pd(&db);
    let out = plain.arg("check").output().expect("check");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = pd(&db)
        .args(["check", "--anchor", &anchor])
        .output()
        .expect("check");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let anchor_seq = anchor.split(':').next().expect("seq");
    assert!(
        problems(&text)[0].contains(&format!("event {anchor_seq}"))
            || problems(&text)[0].contains(&format!("anchor names event {anchor_seq}")),
        "{text}"
    );
}

#[test]
fn an_anchor_from_another_key_or_without_the_key_is_refused() {
    let (dir, db) = demo();
    let anchor = export_anchor(dir.path(), &db);
    let (code, out, _) = check(&db, Some(&anchor));
    assert_eq!(code, 0, "{out}");
    // An outbox file is an anchor too.
    let outbox = dir.path().join("spool/outbox");
    let file = std::fs::read_dir(&outbox)
        .expect("outbox")
        .map(|e| e.expect("entry").path())
        .max()
        .expect("file");
    let (code, out, _) = check(&db, Some(file.to_str().expect("utf-8 path")));
    assert_eq!(code, 0, "{out}");
    // The plain chain hash is not an anchor: it is not keyed.
    let (seq, _) = anchor.split_once(':').expect("anchor");
    let hash: String = Connection::open(&db)
        .expect("open")
        .query_row(
            "SELECT hash FROM (SELECT seq, hash FROM events UNION ALL SELECT seq, hash FROM admin_events) WHERE seq = ?1",
            [seq.parse::<i64>().expect("seq")],
            |r| r.get(0),
        )
        .expect("hash");
    let (code, out, _) = check(&db, Some(&format!("{seq}:{hash}")));
    assert_eq!(code, 1, "{out}");
    // Without the key no anchor can be verified; the chain itself still checks.
    let key = PathBuf::from(format!("{}.anchor-key", db.display()));
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(&key).expect("key").permissions().mode()
    };
    assert_eq!(mode & 0o077, 0, "the key is private: {mode:o}");
    std::fs::remove_file(&key).expect("lose the key");
    let (code, out, _) = check(&db, Some(&anchor));
    assert_eq!(code, 1, "{out}");
    assert!(problems(&out)[0].starts_with("cannot verify the anchor: the anchor key"));
    let (code, out, _) = check(&db, None);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn the_log_is_for_admins_supervisors_and_viewers() {
    let (_dir, db) = demo();
    for (user, code) in [
        ("admin", 0),
        ("wang.fang", 0),
        ("audit.he", 0),
        ("li.wei", 3),
        ("liu.yang", 3),
    ] {
        let out = cli(&db, user).arg("log").output().expect("log");
        assert_eq!(out.status.code(), Some(code), "{user}: {out:?}");
    }
    let out = cli(&db, "admin")
        .args(["log", "--kind", "settings"])
        .output()
        .expect("log");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("trust_declared_user false -> true"), "{text}");
    assert!(!text.contains("user_add"), "{text}");
    for args in [
        vec!["log", "--kind", "cases"],
        vec!["log", "--since", "yesterday"],
    ] {
        let out = cli(&db, "admin").args(&args).output().expect("log");
        assert_eq!(out.status.code(), Some(6), "{args:?}: {out:?}");
    }
    let out = cli(&db, "admin")
        .args(["log", "--since", "2099-01-01"])
        .output()
        .expect("log");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        1,
        "only the header"
    );
}

#[test]
fn the_last_admin_stays_and_a_disabled_user_comes_back() {
    let (_dir, db, me) = office();
    for args in [
        vec!["user", "roles", me.as_str(), "--role", "supervisor"],
        vec!["user", "disable", me.as_str()],
    ] {
        let out = pd(&db).args(&args).output().expect("run");
        assert_eq!(out.status.code(), Some(3), "{args:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("last active admin"),
            "{out:?}"
        );
    }
    for args in [
        vec!["user", "disable", "ghost"],
        vec!["user", "roles", "ghost", "--role", "clerk"],
        vec!["user", "enable", "ghost"],
    ] {
        let out = pd(&db).args(&args).output().expect("run");
        assert_eq!(out.status.code(), Some(5), "{args:?}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("\"ghost\""));
    }
    run_ok(pd(&db).args(["user", "disable", "li.wei"]));
    run_ok(pd(&db).args(["user", "enable", "li.wei"]));
    let out = pd(&db)
        .args(["--json", "log", "--kind", "user"])
        .output()
        .expect("log");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let log: Value = serde_json::from_slice(&out.stdout).expect("json");
    let changes: Vec<&str> = log
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["change"].as_str().expect("change"))
        .collect();
    assert_eq!(
        changes,
        [
            "user_enable",
            "user_disable",
            "user_add",
            "user_add",
            "user_add"
        ]
    );
    assert_eq!(log[1]["name"], "li.wei");
    assert_eq!(log[0]["actor"], me.as_str());
    run_ok(pd(&db).arg("check"));
}

mod histories {
    //! Random valid histories with random administrative changes pass `check`; changing one
    //! event's actor, or one user's roles in the table, fails it.

    use super::relink_from;
    use chrono::NaiveDate;
    use permitdesk::domain::case::{Applicant, Employer, Submission};
    use permitdesk::domain::{Action, Calendar, Case, Category, Kind, Role, Stage};
    use permitdesk::store::{Request, Store};
    use proptest::prelude::*;
    use rusqlite::params;

    const NAMES: [&str; 6] = ["root", "ann", "bob", "cai", "dai", "eve"];
    const CASES: usize = 4;

    #[derive(Debug, Clone)]
    enum Op {
        Add(usize, Vec<Role>),
        Roles(usize, usize, Vec<Role>),
        Disable(usize, usize),
        Enable(usize, usize),
        Act(usize, usize, u8),
    }

    fn roles() -> impl Strategy<Value = Vec<Role>> {
        proptest::sample::subsequence(
            vec![
                Role::Clerk,
                Role::Approver,
                Role::Supervisor,
                Role::Admin,
                Role::Viewer,
            ],
            1..=3,
        )
    }

    fn op() -> impl Strategy<Value = Op> {
        let who = 0..NAMES.len();
        prop_oneof![
            1 => (who.clone(), roles()).prop_map(|(u, r)| Op::Add(u, r)),
            1 => (who.clone(), who.clone(), roles()).prop_map(|(b, u, r)| Op::Roles(b, u, r)),
            1 => (who.clone(), who.clone()).prop_map(|(b, u)| Op::Disable(b, u)),
            1 => (who.clone(), who.clone()).prop_map(|(b, u)| Op::Enable(b, u)),
            8 => (who, 0..CASES, any::<u8>()).prop_map(|(u, c, a)| Op::Act(u, c, a)),
        ]
    }

    fn day() -> NaiveDate {
        "2026-11-26".parse().expect("date")
    }

    fn submission(n: usize) -> Submission {
        Submission {
            case_no: format!("PR2026-{n:06}"),
            kind: Kind::OverseasNew,
            category: Category::B,
            legacy: false,
            applicant: Applicant {
                name: "LI WEI".into(),
                name_native: None,
                passport_no: format!("E{n:08}"),
                nationality: "SGP".into(),
                birth_date: None,
            },
            employer: Employer {
                name: "Guangzhou Lingnan Robotics Co., Ltd.".into(),
                uscc: "91440101MA5CQ7H2XC".into(),
            },
            position: None,
            documents: vec![],
            exam_report: None,
            entry_date: None,
            permit: None,
        }
    }

    /// An action that fits the case's stage (mostly moving it on), and who takes it: often the
    /// holder, so that claimed work goes ahead; `pick` chooses.
    fn next_step(case: &Case, named: &'static str, pick: u8) -> (String, Action) {
        let reason = || "1. Passport copy unreadable".to_string();
        let holder = case.assignee().map(str::to_string);
        let who = match &holder {
            Some(h) if pick % 3 != 0 => h.clone(),
            _ => named.to_string(),
        };
        let action = match case.stage {
            Stage::PreAudit | Stage::Review if holder.is_none() => Action::Claim,
            Stage::PreAudit | Stage::Review => match pick % 8 {
                0 => Action::Release,
                1 => Action::Return { reason: reason() },
                2 => Action::Note { text: reason() },
                _ => Action::Approve { note: None },
            },
            Stage::Decision => match pick % 6 {
                0 => Action::SendBack { reason: reason() },
                1 => Action::Refuse { reason: reason() },
                _ => Action::Approve { note: None },
            },
            _ => Action::Note { text: reason() },
        };
        (who, action)
    }

    /// Runs the operations; refusals change nothing and are part of a valid history.
    fn build(store: &mut Store, ops: &[Op]) {
        let now = "2026-11-20T09:00:00+08:00";
        store
            .add_user(None, "root", &[Role::Admin], now)
            .expect("root");
        for (name, role) in [
            ("ann", Role::Approver),
            ("bob", Role::Approver),
            ("cai", Role::Supervisor),
            ("dai", Role::Supervisor),
        ] {
            store
                .add_user(Some("root"), name, &[role], now)
                .expect("user");
        }
        for n in 0..CASES {
            store
                .submit("system", submission(n), Some(day()))
                .expect("submit");
        }
        for op in ops {
            let _ = match op {
                Op::Add(u, roles) => store.add_user(Some("root"), NAMES[*u], roles, now),
                Op::Roles(by, u, roles) => store.set_roles(NAMES[*by], NAMES[*u], roles),
                Op::Disable(by, u) => store
                    .disable_user(NAMES[*by], NAMES[*u], Some(day()))
                    .map(drop),
                Op::Enable(by, u) => store.enable_user(NAMES[*by], NAMES[*u], Some(day())),
                Op::Act(u, c, a) => {
                    let case_no = submission(*c).case_no;
                    let case = store.case(&case_no).expect("case");
                    let (user, action) = next_step(&case, NAMES[*u], *a);
                    store
                        .act(Request {
                            case_no,
                            user,
                            action,
                            expect_version: None,
                            expect_stage: None,
                            today: Some(day()),
                        })
                        .map(drop)
                }
            };
        }
    }

    /// Found by the property: an admin who disables themself while holding a claim.
    #[test]
    fn an_admin_who_disables_themself_releases_their_claims_and_check_passes() {
        let dir = tempfile::TempDir::new().expect("dir");
        let mut store = Store::open(&dir.path().join("p.db"), Calendar::embedded()).expect("open");
        let now = "2026-11-20T09:00:00+08:00";
        store
            .add_user(None, "root", &[Role::Approver, Role::Admin], now)
            .expect("root");
        store
            .submit("system", submission(0), Some(day()))
            .expect("submit");
        store
            .act(Request {
                case_no: submission(0).case_no,
                user: "root".into(),
                action: Action::Claim,
                expect_version: None,
                expect_stage: None,
                today: Some(day()),
            })
            .expect("claim");
        store
            .add_user(Some("root"), "ann", &[Role::Admin], now)
            .expect("ann");
        store
            .disable_user("root", "root", Some(day()))
            .expect("root disables themself");
        let case = store.case(&submission(0).case_no).expect("case");
        assert_eq!(case.assignee(), None, "the claim was released");
        let report = store.check(day(), None).expect("check");
        assert!(report.ok(), "{:#?}", report.problems);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn valid_histories_pass_and_one_forged_actor_or_role_fails(
            ops in proptest::collection::vec(op(), 20..60),
            pick in any::<proptest::sample::Index>(),
            forge_actor in any::<bool>(),
        ) {
            let dir = tempfile::TempDir::new().expect("dir");
            let db = dir.path().join("p.db");
            let mut store = Store::open(&db, Calendar::embedded()).expect("open");
            build(&mut store, &ops);
            let report = store.check(day(), None).expect("check");
            prop_assert!(report.ok(), "{:#?}", report.problems);

            let conn = super::tamper(&db);
            let expected = if forge_actor {
                let events: Vec<i64> = conn
                    .prepare("SELECT seq FROM events ORDER BY seq")
                    .expect("prepare")
                    .query_map([], |r| r.get(0))
                    .expect("query")
                    .collect::<Result<_, _>>()
                    .expect("events");
                let seq = *pick.get(&events);
                conn.execute("UPDATE events SET actor = 'mallory' WHERE seq = ?1", [seq])
                    .expect("forge");
                relink_from(&conn, seq);
                format!("audit event {seq} (")
            } else {
                let users: Vec<(String, String)> = conn
                    .prepare("SELECT name, roles FROM users ORDER BY name")
                    .expect("prepare")
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .expect("query")
                    .collect::<Result<_, _>>()
                    .expect("users");
                let (name, roles) = pick.get(&users).clone();
                let forged = if roles == "admin" { "viewer" } else { "admin" };
                conn.execute("UPDATE users SET roles = ?1 WHERE name = ?2", params![forged, name])
                    .expect("forge");
                format!("user {name}: the users table says")
            };
            drop(conn);
            let report = store.check(day(), None).expect("check");
            prop_assert!(!report.ok());
            prop_assert!(
                report.problems.iter().any(|p| p.starts_with(&expected)),
                "expected {expected}: {:#?}",
                report.problems
            );
        }
    }
}
