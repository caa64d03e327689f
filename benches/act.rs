//! One action with its audit event, committed durably (WAL, synchronous=FULL): `Store::act`
//! claiming and releasing pre-audit cases in turn, next to the same statements through rusqlite
//! with precomputed values (no domain rules, no JSON, no hashing: the engine floor).
//!
//! Both write, so they run on a scratch copy of the bench store (target/bench-store/act-scratch.db),
//! removed afterwards; the bench store itself is never written.

mod common;

use common::{Samples, USER, pick_cases, request};
use permitdesk::domain::Action;
use rusqlite::{Connection, params};

/// What the raw floor writes for one case: the row's current values, read once.
struct RawCase {
    case_no: String,
    stage: String,
    open: i64,
    timer: Option<String>,
    timer_started: Option<String>,
    due: Option<String>,
    due_key: String,
    permit_no: Option<String>,
    entry_date: Option<String>,
    version: i64,
    payload: String,
}

fn raw_cases(conn: &Connection, case_nos: &[String]) -> Vec<RawCase> {
    case_nos
        .iter()
        .map(|no| {
            let mut c = conn
                .query_row(
                    "SELECT case_no, stage, open, timer, timer_started, due, due_key, permit_no,
                        entry_date, version FROM cases WHERE case_no = ?1",
                    [no],
                    |r| {
                        Ok(RawCase {
                            case_no: r.get(0)?,
                            stage: r.get(1)?,
                            open: r.get(2)?,
                            timer: r.get(3)?,
                            timer_started: r.get(4)?,
                            due: r.get(5)?,
                            due_key: r.get(6)?,
                            permit_no: r.get(7)?,
                            entry_date: r.get(8)?,
                            version: r.get(9)?,
                            payload: String::new(),
                        })
                    },
                )
                .expect("case");
            // A real event of this case, as the payload size to write.
            c.payload = conn
                .query_row(
                    "SELECT e.payload FROM events e JOIN cases c ON c.id = e.case_id
                     WHERE c.case_no = ?1 ORDER BY e.seq DESC LIMIT 1",
                    [no],
                    |r| r.get(0),
                )
                .expect("event");
            c
        })
        .collect()
}

/// The statements of `Store::act`, in order, with values computed beforehand.
fn raw_act(conn: &mut Connection, case: &mut RawCase, claim: bool) {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .expect("begin");
    let _: (String, bool) = tx
        .prepare_cached("SELECT roles, active FROM users WHERE name = ?1")
        .expect("prepare")
        .query_row([USER], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("user");
    let (id, data): (i64, String) = tx
        .prepare_cached("SELECT id, data FROM cases WHERE case_no = ?1")
        .expect("prepare")
        .query_row([&case.case_no], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("case");
    let now = "2026-11-26T10:00:00+08:00";
    tx.prepare_cached(
        "UPDATE cases SET stage = ?1, open = ?2, assignee = ?3, version = ?4, timer = ?5,
             timer_started = ?6, due = ?7, due_key = ?8, permit_no = ?9, entry_date = ?10,
             updated_at = ?11, data = ?12
         WHERE id = ?13 AND version = ?14",
    )
    .expect("prepare")
    .execute(params![
        case.stage,
        case.open,
        claim.then_some(USER),
        case.version + 1,
        case.timer,
        case.timer_started,
        case.due,
        case.due_key,
        case.permit_no,
        case.entry_date,
        now,
        data,
        id,
        case.version,
    ])
    .expect("update");
    case.version += 1;
    let (seq, _prev): (i64, String) = tx
        .query_row(
            "SELECT seq, coalesce(hash, lower(hex(digest))) FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("head");
    // A compact event (schema 12): its facts in columns, its link as 32 bytes.
    tx.prepare_cached(
        "INSERT INTO events (seq, case_id, at, actor, role, from_stage, to_stage, action, payload,
                             digest)
         VALUES (?1, ?2, ?3, ?4, 1, 0, 0, ?5, ?6, ?7)",
    )
    .expect("prepare")
    .execute(params![
        seq + 1,
        id,
        now,
        USER,
        if claim { "claim" } else { "release" },
        case.payload,
        [0xffu8; 32].as_slice(),
    ])
    .expect("event");
    tx.prepare_cached("DELETE FROM drafts WHERE user = ?1 AND case_no = ?2 AND action = ?3")
        .expect("prepare")
        .execute(params![USER, case.case_no, "claim"])
        .expect("drafts");
    tx.commit().expect("commit");
}

fn main() {
    let source = common::bench_db();
    let scratch = common::scratch_copy(&source, "act-scratch.db");
    let mut c = common::criterion().configure_from_args();
    let samples = Samples::new();
    {
        let mut store = common::open_store(&scratch);
        let cases = pick_cases(&mut store);
        let mut group = c.benchmark_group("act");
        let mut turn = 0usize;
        group.bench_function("app", |b| {
            b.iter_custom(|iters| {
                samples.timed(iters, || {
                    let case_no = &cases[(turn / 2) % cases.len()];
                    let action = if turn % 2 == 0 {
                        Action::Claim
                    } else {
                        Action::Release
                    };
                    turn += 1;
                    store.act(request(case_no, action)).expect("act").seq
                })
            })
        });
        samples.report("act/app");
        // Leave every case released, as the raw floor expects.
        if turn % 2 == 1 {
            let case_no = &cases[(turn / 2) % cases.len()];
            store
                .act(request(case_no, Action::Release))
                .expect("release");
        }
        drop(store);
        let mut conn = common::raw_connection(&scratch);
        let mut raw = raw_cases(&conn, &cases);
        let mut turn = 0usize;
        group.bench_function("raw", |b| {
            b.iter_custom(|iters| {
                samples.timed(iters, || {
                    let n = raw.len();
                    let case = &mut raw[(turn / 2) % n];
                    raw_act(&mut conn, case, turn % 2 == 0);
                    turn += 1;
                })
            })
        });
        samples.report("act/raw");
        group.finish();
    }
    c.final_summary();
    common::remove_store(&scratch);
}
