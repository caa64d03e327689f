//! Who may change what, and what leaks: a `viewer` changes nothing through any path (every case
//! action, user management, import, sync, conflict resolution, and the console's every action
//! key); the store and its -wal/-shm files are never world-readable even under `umask 000`; no
//! SQL is built from anything but constant fragments; and what permitdesk prints as logs (sync
//! and import messages) holds no passport number.

mod support;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use permitdesk::console::app::{App, Effect, Msg, Setup};
use permitdesk::console::i18n::Lang;
use permitdesk::console::keymap::Keymap;
use permitdesk::console::worker::execute;
use permitdesk::domain::Calendar;
use permitdesk::store::Store;
use rusqlite::{Connection, OpenFlags};
use serde_json::json;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{pd, run_ok};
use tempfile::TempDir;

const TODAY: &str = "2026-11-26";

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    run_ok(pd(&db).args([
        "demo", "--cases", "150", "--seed", "8", "--no-tui", "--today", TODAY,
    ]));
    db
}

fn cli(db: &Path, user: &str) -> Command {
    let mut cmd = pd(db);
    cmd.args(["--as", user, "--today", TODAY]);
    cmd
}

/// Everything that changes when anything is changed: the audit chain, the cases, the users,
/// the sync bookkeeping, the conflicts.
fn fingerprint(db: &Path) -> Vec<i64> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    [
        "SELECT count(*) FROM events",
        "SELECT coalesce(sum(version), 0) FROM cases",
        "SELECT count(*) FROM cases",
        "SELECT count(*) FROM users",
        "SELECT coalesce(sum(active), 0) FROM users",
        "SELECT count(*) FROM sync_batches",
        "SELECT count(*) FROM conflicts WHERE resolved_at IS NOT NULL",
        "SELECT count(*) FROM outbox_files",
    ]
    .iter()
    .map(|sql| conn.query_row(sql, [], |r| r.get(0)).expect(sql))
    .collect()
}

/// One case of each stage the demo has, by stage name.
fn case_in(db: &Path, stage: &str) -> String {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    conn.query_row(
        "SELECT case_no FROM cases WHERE stage = ?1 ORDER BY case_no LIMIT 1",
        [stage],
        |r| r.get(0),
    )
    .unwrap_or_else(|_| panic!("no {stage} case in the demo store"))
}

#[test]
fn a_viewer_changes_nothing_through_the_command_line() {
    let dir = TempDir::new().expect("dir");
    let db = demo(dir.path());
    // An open upstream conflict for the viewer to try to resolve: a resubmission of a case
    // that was never returned.
    let spool = dir.path().join("spool");
    std::fs::create_dir_all(spool.join("inbox")).expect("spool");
    let upstream = |version: i64, event: &str| {
        let mut line = json!({
            "event": event, "case_no": "ACC-C1", "upstream_version": version,
            "at": "2026-11-20T09:00:00+08:00"
        });
        if event == "submitted" {
            let case = json!({"kind": "overseas_new", "category": "B",
                "applicant": {"name": "SMITH JOHN", "passport_no": "E55500012", "nationality": "GBR"},
                "employer": {"name": "Guangzhou Example Co", "uscc": "91440101MA5CQ7H2XC"}});
            line.as_object_mut()
                .expect("object")
                .extend(case.as_object().expect("object").clone());
        }
        format!("{line}\n")
    };
    std::fs::write(spool.join("inbox/1.jsonl"), upstream(1, "submitted")).expect("batch");
    std::fs::write(spool.join("inbox/2.jsonl"), upstream(2, "resubmitted")).expect("batch");
    run_ok(cli(&db, "admin").args(["sync", "--spool"]).arg(&spool));
    let shown = support::json(cli(&db, "admin").args(["case", "show", "ACC-C1"]));
    let conflict = shown["conflicts"][0]["id"]
        .as_i64()
        .expect("a conflict was recorded")
        .to_string();
    let before = fingerprint(&db);
    let pre = case_in(&db, "pre_audit");
    let review = case_in(&db, "review");
    let decision = case_in(&db, "decision");
    let returned = case_in(&db, "returned");
    let notified = case_in(&db, "notified");
    let verification = case_in(&db, "verification");
    let import = dir.path().join("good.jsonl");
    std::fs::write(
        &import,
        format!(
            "{}\n",
            json!({"case_no": "ACC-1", "kind": "overseas_new", "category": "B",
                "applicant": {"name": "SMITH JOHN", "passport_no": "E55500011", "nationality": "GBR"},
                "employer": {"name": "Guangzhou Example Co", "uscc": "91440101MA5CQ7H2XC"}})
        ),
    )
    .expect("import file");
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    let attempts: Vec<Vec<String>> = vec![
        s(&["case", "claim", &pre]),
        s(&["case", "release", &review]),
        s(&["case", "assign", &pre, "--to", "li.wei"]),
        s(&["case", "approve", &decision]),
        s(&["case", "return", &review, "--reason", "x"]),
        s(&["case", "refuse", &decision, "--reason", "x"]),
        s(&["case", "not-accept", &pre, "--reason", "x"]),
        s(&["case", "send-back", &decision, "--reason", "x"]),
        s(&["case", "withdraw", &review, "--reason", "x"]),
        s(&["case", "resubmit", &returned]),
        s(&["case", "record-entry", &notified, "--date", "2026-11-20"]),
        s(&[
            "case",
            "correct-entry",
            &verification,
            "--date",
            "2026-11-20",
            "--reason",
            "x",
        ]),
        s(&[
            "case",
            "verify",
            &verification,
            "--presented-by",
            "applicant",
            "--exam-date",
            "2026-11-01",
            "--exam-domestic",
            "--visa-kind",
            "work-visa",
            "--visa-valid-until",
            "2027-11-01",
            "--originals",
            "--sealed-copies",
        ]),
        s(&["case", "lapse", &notified, "--reason", "x"]),
        s(&["case", "reopen", &notified, "--reason", "x"]),
        s(&["case", "extend", &decision, "--days", "5", "--reason", "x"]),
        s(&["case", "note", &pre, "--text", "x"]),
        s(&[
            "case",
            "resolve-conflict",
            "ACC-C1",
            "--id",
            &conflict,
            "--reason",
            "x",
        ]),
        s(&["user", "add", "intruder", "--role", "admin"]),
        s(&["user", "roles", "audit.he", "--role", "admin"]),
        s(&["user", "disable", "li.wei"]),
        s(&["import", import.to_str().expect("path")]),
        s(&["sync", "--spool", spool.to_str().expect("path")]),
        s(&["init"]),
    ];
    for args in &attempts {
        let out = cli(&db, "audit.he").args(args).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(3),
            "viewer: {args:?} must be refused (3): {err}"
        );
        assert!(
            err.starts_with("permitdesk: ") && err.lines().count() == 1,
            "{err}"
        );
    }
    // Import, sync and user management need an admin, not merely a case role.
    for args in &attempts[attempts.len() - 6..attempts.len() - 1] {
        let out = cli(&db, "li.wei").args(args).output().expect("run");
        assert_eq!(out.status.code(), Some(3), "approver: {args:?}");
    }
    assert_eq!(fingerprint(&db), before, "something changed");
    run_ok(cli(&db, "admin").arg("check"));
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(code, modifiers))
}

/// The console as `user`, its store jobs run as the worker would.
fn console(store: &mut Store, user: &str) -> App {
    let actor = store.actor(user).expect("user");
    let (mut app, effects) = App::new(Setup {
        user: user.into(),
        roles: actor.roles,
        today: TODAY.parse::<NaiveDate>().expect("date"),
        policy: store.policy().clone(),
        store_label: "demo.db".into(),
        store_read_only: false,
        lang: Lang::En,
        keymap: Keymap::default(),
        ascii: false,
        color: false,
        theme: Default::default(),
        alert: Default::default(),
    });
    app.update(Msg::Resize(160, 48));
    run(&mut app, store, effects);
    app
}

fn run(app: &mut App, store: &mut Store, effects: Vec<Effect>) {
    let mut queue: VecDeque<Effect> = effects.into();
    while let Some(effect) = queue.pop_front() {
        if let Effect::Store(ticket) = effect {
            let reply = execute(store, ticket.job);
            queue.extend(app.update(Msg::Reply {
                generation: ticket.generation,
                reply,
            }));
        }
    }
}

fn press(app: &mut App, store: &mut Store, msg: Msg) {
    let effects = app.update(msg);
    run(app, store, effects);
}

fn shifted(c: char) -> Msg {
    let modifiers = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    key(KeyCode::Char(c), modifiers)
}

/// Every way the console can change a case: each action key on rows of every tab, each dialog
/// filled in and submitted, marks with bulk actions, and every action of the command palette.
fn try_every_action(app: &mut App, store: &mut Store) {
    let submit_whatever_opened = |app: &mut App, store: &mut Store| {
        press(app, store, Msg::Paste("reason".into()));
        press(app, store, key(KeyCode::Char('s'), KeyModifiers::CONTROL));
        press(app, store, key(KeyCode::Enter, KeyModifiers::NONE));
        press(app, store, key(KeyCode::Char('y'), KeyModifiers::NONE));
        press(app, store, key(KeyCode::Esc, KeyModifiers::NONE));
        press(app, store, key(KeyCode::Esc, KeyModifiers::NONE));
    };
    for tab in '1'..='9' {
        press(app, store, shifted(tab));
        for _ in 0..3 {
            for k in ['c', 'a', 'r', 'x', 'e', 'v', 'n', 'A'] {
                press(app, store, shifted(k));
                submit_whatever_opened(app, store);
            }
            press(app, store, shifted(' '));
            press(app, store, shifted('j'));
            press(app, store, shifted(' '));
            for k in ['a', 'c', 'r', 'A'] {
                press(app, store, shifted(k));
                submit_whatever_opened(app, store);
            }
            for command in [
                "claim", "approve", "return", "refuse", "note", "assign", "withdraw", "lapse",
                "reopen", "extend", "send",
            ] {
                press(app, store, shifted(':'));
                for c in command.chars() {
                    press(app, store, shifted(c));
                }
                press(app, store, key(KeyCode::Enter, KeyModifiers::NONE));
                submit_whatever_opened(app, store);
            }
            press(app, store, shifted('j'));
        }
    }
}

#[test]
fn a_viewer_changes_nothing_through_the_console() {
    let dir = TempDir::new().expect("dir");
    let db = demo(dir.path());
    let before = fingerprint(&db);
    let mut store = Store::open(&db, Calendar::embedded()).expect("open");
    let mut app = console(&mut store, "audit.he");
    assert!(app.is_read_only());
    try_every_action(&mut app, &mut store);
    assert_eq!(
        fingerprint(&db),
        before,
        "the viewer's console changed the store"
    );

    // The same keys as an approver do change things: the sequence reaches the actions.
    let mut app = console(&mut store, "li.wei");
    try_every_action(&mut app, &mut store);
    assert_ne!(
        fingerprint(&db),
        before,
        "the key sequence never reached an action"
    );
    drop(store);
    run_ok(cli(&db, "admin").arg("check"));
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// `permitdesk ARGS` under `umask 000`.
fn with_umask_000(db: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("umask 000; exec \"$@\"")
        .arg("sh")
        .arg(support::BIN)
        .arg("--db")
        .arg(db)
        .args(args);
    for var in support::PERMITDESK_VARS {
        cmd.env_remove(var);
    }
    cmd.env("XDG_CONFIG_HOME", db.parent().expect("dir"));
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn the_store_and_its_wal_files_are_never_world_readable_even_under_umask_000() {
    let dir = TempDir::new().expect("dir");
    let db = dir.path().join("office.db");
    with_umask_000(&db, &["init", "--trust-declared-user"]);
    assert_eq!(mode(&db) & 0o007, 0, "store {:o}", mode(&db));
    // Keep a connection open so the -wal and -shm outlive the writer that creates them.
    let holder = Connection::open(&db).expect("open");
    let _: i64 = holder
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .expect("read");
    with_umask_000(&db, &["user", "add", "li.wei", "--role", "approver"]);
    for suffix in ["", "-wal", "-shm"] {
        let path = sidecar(&db, suffix);
        assert_eq!(
            mode(&path) & 0o007,
            0,
            "{} is {:o}",
            path.display(),
            mode(&path)
        );
    }
    drop(holder);

    // A demo store (built under a temporary name, then renamed) and a backup.
    let demo_db = dir.path().join("demo.db");
    with_umask_000(
        &demo_db,
        &["demo", "--cases", "100", "--no-tui", "--today", TODAY],
    );
    assert_eq!(mode(&demo_db) & 0o007, 0, "demo {:o}", mode(&demo_db));
    let backup = dir.path().join("backup.db");
    with_umask_000(&db, &["backup", backup.to_str().expect("path")]);
    assert_eq!(mode(&backup) & 0o007, 0, "backup {:o}", mode(&backup));
    // Exports carry passport numbers too.
    let export = dir.path().join("cases.csv");
    with_umask_000(
        &demo_db,
        &[
            "--as",
            "li.wei",
            "export",
            "-o",
            export.to_str().expect("path"),
        ],
    );
    assert_eq!(mode(&export) & 0o007, 0, "export {:o}", mode(&export));
}

/// Every `format!` that makes SQL, across the source: each placeholder must be a constant (an
/// ALL_CAPS name) or one of the reviewed expressions below, which only ever join `&'static str`
/// fragments. Values always travel as parameters. A new format!-built statement fails this test
/// until someone has reviewed it and added it here.
#[test]
fn sql_is_only_ever_built_from_constant_fragments() {
    const REVIEWED: &[&str] = &[
        // Conditions/Where (store::queues, store::figures): Vec<&'static str> joined.
        "self.sql.join(\" AND \")",
        "c.where_clause()",
        "w.clause()",
        // Sort::order_by, SearchPlan::from_clause: matches returning &'static str.
        "q.sort.order_by()",
        "search.from_clause()",
    ];
    // Inline names that are not constants: `sql` in `queue_plan` is the page query, itself one
    // of the format! calls checked here; `due_soon_condition` (store::figures::dashboard) is the
    // `&'static str` that Store::due_soon returns beside its parameters.
    const REVIEWED_INLINE: &[&str] = &["sql", "due_soon_condition"];
    let keywords = [
        "SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WHERE ", "PRAGMA ", "CREATE ", "DROP ",
        "ORDER BY", "EXPLAIN ",
    ];
    let mut sources = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push(path);
            }
        }
    }
    let mut found = 0;
    let mut problems = Vec::new();
    for path in sources {
        let text = std::fs::read_to_string(&path).expect("read");
        let mut rest = text.as_str();
        while let Some(at) = rest.find("format!(") {
            let call = &rest[at + "format!(".len()..];
            rest = call;
            let Some((literal, args)) = split_format(call) else {
                continue;
            };
            if !keywords.iter().any(|k| literal.contains(k)) {
                continue;
            }
            found += 1;
            let mut placeholders = Vec::new();
            let mut chars = literal.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '{' {
                    if chars.peek() == Some(&'{') {
                        chars.next();
                        continue;
                    }
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    placeholders.push(name);
                }
            }
            let mut positional = args.iter();
            for name in placeholders {
                let ok = if name.is_empty() {
                    positional
                        .next()
                        .is_some_and(|arg| REVIEWED.contains(&arg.as_str()))
                } else {
                    name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                        || REVIEWED_INLINE.contains(&name.as_str())
                };
                if !ok {
                    problems.push(format!(
                        "{}: format!(\"{}\", {})",
                        path.display(),
                        literal.replace('\n', " "),
                        args.join(", ")
                    ));
                }
            }
        }
    }
    assert!(found >= 8, "the scan found only {found} SQL format! calls");
    assert!(
        problems.is_empty(),
        "SQL built from something other than constant fragments:\n{}",
        problems.join("\n")
    );
    // The fragment lists only accept string constants.
    for (file, field) in [
        ("src/store/queues.rs", "sql: Vec<&'static str>"),
        ("src/store/figures.rs", "sql: Vec<&'static str>"),
    ] {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).expect(file);
        assert!(text.contains(field), "{file} no longer keeps `{field}`");
    }
}

/// The string literal that starts `call` (after `format!(`) and the top-level arguments after
/// it, as written.
fn split_format(call: &str) -> Option<(String, Vec<String>)> {
    let call = call.trim_start();
    let body = call.strip_prefix('"')?;
    let mut literal = String::new();
    let mut chars = body.char_indices();
    let mut end = None;
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    if next != '\n' {
                        literal.push('\\');
                        literal.push(next);
                    }
                }
            }
            '"' => {
                end = Some(i + 1);
                break;
            }
            c => literal.push(c),
        }
    }
    let mut rest = &body[end?..];
    let mut args = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    let mut in_string = false;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        if in_string {
            current.push(c);
            if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                current.push(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                current.push(c);
            }
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => {
                depth -= 1;
                current.push(c);
            }
            ',' if depth == 0 => {
                if !current.trim().is_empty() {
                    args.push(current.trim().to_string());
                }
                current.clear();
            }
            c => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        args.push(current.trim().to_string());
    }
    Some((literal, args))
}

#[test]
fn logs_and_messages_hold_no_passport_numbers() {
    // No tracing subscriber is installed anywhere, so the few `tracing::` events go nowhere.
    let main = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs"))
        .expect("main.rs");
    assert!(
        !main.contains("tracing_subscriber"),
        "a subscriber was installed: review what it logs"
    );

    // What sync prints (under --watch these are the log lines) and what import reports for bad
    // lines, with passports in good and bad lines alike.
    let dir = TempDir::new().expect("dir");
    let db = demo(dir.path());
    let spool = dir.path().join("spool");
    std::fs::create_dir_all(spool.join("inbox")).expect("inbox");
    let passports = ["E31415926", "E27182818", "K1234567X"];
    let submitted = |case_no: &str, passport: &str| {
        json!({
            "event": "submitted", "case_no": case_no, "upstream_version": 1,
            "at": "2026-11-20T09:00:00+08:00", "kind": "overseas_new", "category": "B",
            "applicant": {"name": "SMITH JOHN", "passport_no": passport, "nationality": "GBR"},
            "employer": {"name": "Guangzhou Example Co", "uscc": "91440101MA5CQ7H2XC"}
        })
        .to_string()
    };
    std::fs::write(
        spool.join("inbox/a-good.jsonl"),
        format!("{}\n", submitted("LOG-1", passports[0])),
    )
    .expect("batch");
    std::fs::write(
        spool.join("inbox/b-bad.jsonl"),
        format!(
            "{}\n{}\n",
            submitted("LOG-2", passports[1]),
            submitted("LOG-3", &format!("{}-", passports[2]))
        ),
    )
    .expect("batch");
    let out = cli(&db, "admin")
        .args(["sync", "--spool"])
        .arg(&spool)
        .output()
        .expect("sync");
    let mut printed = String::from_utf8_lossy(&out.stdout).into_owned();
    printed.push_str(&String::from_utf8_lossy(&out.stderr));
    assert!(
        printed.contains("b-bad.jsonl:2: applicant.passport_no: "),
        "the bad line is reported:\n{printed}"
    );

    let file = dir.path().join("bad.jsonl");
    std::fs::write(
        &file,
        format!(
            "{}\n{}\n",
            json!({"case_no": "LOG-9", "kind": "overseas_new", "category": "B",
                "applicant": {"name": "SMITH JOHN", "passport_no": "E3141592!", "nationality": "GBR"},
                "employer": {"name": "Guangzhou Example Co", "uscc": "91440101MA5CQ7H2XD"}}),
            json!({"case_no": "LOG-10", "kind": "overseas_new", "category": "B",
                "applicant": {"name": "SMITH JOHN", "passport_no": "E2718", "nationality": "GBR"},
                "employer": {"name": "Guangzhou Example Co", "uscc": "91440101MA5CQ7H2XC"}})
        ),
    )
    .expect("file");
    let out = cli(&db, "admin")
        .arg("import")
        .arg(&file)
        .output()
        .expect("import");
    assert_eq!(out.status.code(), Some(6));
    printed.push_str(&String::from_utf8_lossy(&out.stderr));
    for passport in passports.iter().chain(&["E3141592", "E2718"]) {
        assert!(
            !printed.contains(passport),
            "{passport} was printed:\n{printed}"
        );
    }
}
