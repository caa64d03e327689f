//! The kept figures: each case's ledger (`case_figures`) and the ledgers' sums by day
//! (`figure_days`, `figure_running`, `figure_overdue`), written in the transaction that changes
//! the case, as `stage_counts` is. The dashboard's trend and `report sla` read only the sums.
//! Every case's stored ledger is what its history folds to (see `ledger.rs`) under the store's
//! calendar and policy; a change of either refolds them with the deadlines (`refold`), and
//! `check` folds every history again and compares.

use super::super::cases::NO_DUE;
use super::super::error::{Result, SqlContext, StoreError};
use super::ledger::{Ledger, Tally};
use crate::domain::{Case, Category, Clocks, Event};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

/// Migration 9: the tables, filled by `fill` in the same transaction.
pub(crate) const TABLES: &str = r#"
-- Each case's contribution to the figures below (src/store/figures/ledger.rs), so a change to the
-- case can take back what it added and add what it adds now.
CREATE TABLE case_figures (
    case_id INTEGER PRIMARY KEY,
    ledger  BLOB NOT NULL
) STRICT;

-- Stage timer runs by the day they started or ended, per timer and category. `until` is the day
-- a reopening undid a lapse ('9999-12-31': never); `late` excludes `allowed_late`.
CREATE TABLE figure_days (
    day          TEXT NOT NULL,
    timer        TEXT NOT NULL,
    category     TEXT NOT NULL,
    until        TEXT NOT NULL,
    started      INTEGER NOT NULL,
    met          INTEGER NOT NULL,
    late         INTEGER NOT NULL,
    allowed_late INTEGER NOT NULL,
    withdrawn    INTEGER NOT NULL,
    PRIMARY KEY (day, timer, category, until)
) STRICT, WITHOUT ROWID;

-- Runs counting as running overdue as of a day: the sum of `n` over the rows up to that day,
-- for the runs due on or after a period's first day.
CREATE TABLE figure_running (
    due      TEXT NOT NULL,
    day      TEXT NOT NULL,
    timer    TEXT NOT NULL,
    category TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (due, day, timer, category)
) STRICT, WITHOUT ROWID;

-- Cases whose governing timer is overdue at the end of a day: the sum of `n` up to that day.
CREATE TABLE figure_overdue (
    day TEXT PRIMARY KEY,
    n   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
"#;

fn text(day: NaiveDate) -> String {
    day.to_string()
}

fn until_text(until: Option<NaiveDate>) -> String {
    until.map_or_else(|| NO_DUE.to_string(), text)
}

/// Adds `tally` to the tables, removing rows that come to nothing.
pub(crate) fn flush(conn: &Connection, tally: &Tally) -> Result<()> {
    let ctx = "keeping the figures";
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO figure_days (day, timer, category, until, started, met, late,
                 allowed_late, withdrawn)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (day, timer, category, until) DO UPDATE SET
                 started = started + excluded.started, met = met + excluded.met,
                 late = late + excluded.late, allowed_late = allowed_late + excluded.allowed_late,
                 withdrawn = withdrawn + excluded.withdrawn",
        )
        .ctx(ctx)?;
    for ((day, timer, category, until), n) in &tally.days {
        let key = (text(*day), *timer, *category, until_text(*until));
        upsert
            .execute(params![
                key.0, key.1, key.2, key.3, n[0], n[1], n[2], n[3], n[4]
            ])
            .ctx(ctx)?;
        if n.iter().any(|n| *n < 0) {
            conn.prepare_cached(
                "DELETE FROM figure_days WHERE day = ?1 AND timer = ?2 AND category = ?3
                     AND until = ?4 AND started = 0 AND met = 0 AND late = 0
                     AND allowed_late = 0 AND withdrawn = 0",
            )
            .ctx(ctx)?
            .execute(params![key.0, key.1, key.2, key.3])
            .ctx(ctx)?;
        }
    }
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO figure_running (due, day, timer, category, n) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (due, day, timer, category) DO UPDATE SET n = n + excluded.n",
        )
        .ctx(ctx)?;
    for ((due, day, timer, category), n) in &tally.running {
        let (due, day) = (text(*due), text(*day));
        upsert
            .execute(params![due, day, timer, category, n])
            .ctx(ctx)?;
        if *n < 0 {
            conn.prepare_cached(
                "DELETE FROM figure_running WHERE due = ?1 AND day = ?2 AND timer = ?3
                     AND category = ?4 AND n = 0",
            )
            .ctx(ctx)?
            .execute(params![due, day, timer, category])
            .ctx(ctx)?;
        }
    }
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO figure_overdue (day, n) VALUES (?1, ?2)
             ON CONFLICT (day) DO UPDATE SET n = n + excluded.n",
        )
        .ctx(ctx)?;
    for (day, n) in &tally.overdue {
        let day = text(*day);
        upsert.execute(params![day, n]).ctx(ctx)?;
        if *n < 0 {
            conn.prepare_cached("DELETE FROM figure_overdue WHERE day = ?1 AND n = 0")
                .ctx(ctx)?
                .execute([&day])
                .ctx(ctx)?;
        }
    }
    Ok(())
}

fn save(conn: &Connection, case_id: i64, ledger: &Ledger) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO case_figures (case_id, ledger) VALUES (?1, ?2)")
        .ctx("keeping a case's figures")?
        .execute(params![case_id, ledger.encode()])
        .ctx("keeping a case's figures")?;
    Ok(())
}

/// The stored ledger of a case; `None` if it has none or it cannot be read.
pub(crate) fn stored(conn: &Connection, case_id: i64) -> Result<Option<Ledger>> {
    let bytes: Option<Vec<u8>> = conn
        .prepare_cached("SELECT ledger FROM case_figures WHERE case_id = ?1")
        .ctx("reading a case's figures")?
        .query_row([case_id], |r| r.get(0))
        .optional()
        .ctx("reading a case's figures")?;
    Ok(bytes.as_deref().and_then(Ledger::decode))
}

/// The case's events as stored, oldest first.
fn history(conn: &Connection, case_id: i64) -> Result<Vec<Event>> {
    crate::store::event_row::history(conn, case_id, None)
}

/// The ledger of the case's stored history, when it has one.
fn folded(conn: &Connection, case_id: i64, clocks: &Clocks) -> Result<Option<(Ledger, Case)>> {
    Ok(Ledger::of(&history(conn, case_id)?, clocks))
}

/// Keeps the figures of one event written to a case: `prev` is the case before it (`None` for
/// a submission) and `next` after. Called where the case row is written, before the event is.
pub(crate) fn record(
    conn: &Connection,
    case_id: i64,
    prev: Option<&Case>,
    event: &Event,
    next: &Case,
    clocks: &Clocks,
) -> Result<()> {
    let old = match prev {
        None => Ledger::default(),
        Some(case) => match stored(conn, case_id)? {
            Some(ledger) => ledger,
            // Lost or damaged (`check` names it): what the history before this event gives.
            None => folded(conn, case_id, clocks)?
                .map(|(ledger, _)| ledger)
                .ok_or_else(|| {
                    StoreError::Damaged(format!(
                        "{}: its kept figures are missing and its history does not replay; run \
                         `permitdesk check`",
                        case.case_no
                    ))
                })?,
        },
    };
    let mut new = old.clone();
    new.step(prev, event, next, clocks);
    let mut tally = Tally::default();
    tally.add(&old, next.category, -1);
    tally.add(&new, next.category, 1);
    tally.prune();
    save(conn, case_id, &new)?;
    flush(conn, &tally)
}

/// Keeps the ledger of a case written whole (demo, import); the caller flushes `tally` before
/// committing.
pub(crate) fn record_new(
    conn: &Connection,
    case_id: i64,
    ledger: &Ledger,
    category: Category,
    tally: &mut Tally,
) -> Result<()> {
    save(conn, case_id, ledger)?;
    tally.add(ledger, category, 1);
    Ok(())
}

/// Folds every case's history into its ledger and the sums (migration 9). Cases whose history
/// does not replay are left out; `check` names them. At migration 9 every event holds its whole
/// JSON in `payload` (compact rows came with migration 12).
pub(crate) fn fill(conn: &Connection, clocks: &Clocks) -> Result<()> {
    let ctx = "computing the kept figures";
    let mut stmt = conn
        .prepare("SELECT case_id, payload FROM events ORDER BY case_id, seq")
        .ctx(ctx)?;
    let mut rows = stmt.query([]).ctx(ctx)?;
    let mut tally = Tally::default();
    let finish = |id: Option<i64>, events: &[Event], tally: &mut Tally| -> Result<()> {
        let Some(id) = id else {
            return Ok(());
        };
        match Ledger::of(events, clocks) {
            Some((ledger, case)) => record_new(conn, id, &ledger, case.category, tally),
            None => Ok(()),
        }
    };
    let mut current: Option<i64> = None;
    let mut events: Vec<Event> = Vec::new();
    let mut readable = true;
    while let Some(row) = rows.next().ctx(ctx)? {
        let case_id: i64 = row.get(0).ctx(ctx)?;
        if current != Some(case_id) {
            if readable {
                finish(current, &events, &mut tally)?;
            }
            events.clear();
            readable = true;
            current = Some(case_id);
        }
        let payload = row.get_ref(1).ctx(ctx)?;
        match payload
            .as_str()
            .ok()
            .and_then(|p| serde_json::from_str(p).ok())
        {
            Some(event) => events.push(event),
            None => readable = false,
        }
    }
    if readable {
        finish(current, &events, &mut tally)?;
    }
    tally.prune();
    flush(conn, &tally)
}

/// Refolds the histories of the cases `ids` under the current calendar and policy, correcting
/// the sums by what changed.
pub(crate) fn refold(conn: &Connection, ids: &[i64], clocks: &Clocks) -> Result<()> {
    let mut tally = Tally::default();
    for id in ids {
        // A history that does not replay keeps what it had; `check` names it.
        let Some((new, case)) = folded(conn, *id, clocks)? else {
            continue;
        };
        let old = stored(conn, *id)?;
        if old.as_ref() == Some(&new) {
            continue;
        }
        if let Some(old) = &old {
            tally.add(old, case.category, -1);
        }
        tally.add(&new, case.category, 1);
        save(conn, *id, &new)?;
    }
    tally.prune();
    flush(conn, &tally)
}

/// The names the tables may hold, as the tally keys them.
fn known(name: &str, names: &[&'static str]) -> Option<&'static str> {
    names.iter().copied().find(|n| *n == name)
}

const TIMERS: [&str; 3] = ["pre_audit", "decision", "verification"];

fn categories() -> Vec<&'static str> {
    Category::ALL.iter().map(|c| c.as_str()).collect()
}

/// The sums as the tables hold them; rows that are not a key of ours are named in `strange`.
fn read_tables(conn: &Connection, strange: &mut Vec<String>) -> Result<Tally> {
    let ctx = "reading the kept figures";
    let categories = categories();
    let day = |s: &str| s.parse::<NaiveDate>().ok();
    let mut tally = Tally::default();
    let mut stmt = conn
        .prepare(
            "SELECT day, timer, category, until, started, met, late, allowed_late, withdrawn
             FROM figure_days",
        )
        .ctx(ctx)?;
    let mut rows = stmt.query([]).ctx(ctx)?;
    while let Some(r) = rows.next().ctx(ctx)? {
        let (d, timer, category, until): (String, String, String, String) = (
            r.get(0).ctx(ctx)?,
            r.get(1).ctx(ctx)?,
            r.get(2).ctx(ctx)?,
            r.get(3).ctx(ctx)?,
        );
        let mut n = [0i64; 5];
        for (i, v) in n.iter_mut().enumerate() {
            *v = r.get(4 + i).ctx(ctx)?;
        }
        let until_day = if until == NO_DUE {
            Some(None)
        } else {
            day(&until).map(Some)
        };
        match (
            day(&d),
            known(&timer, &TIMERS),
            known(&category, &categories),
            until_day,
        ) {
            (Some(d), Some(t), Some(c), Some(u)) => {
                tally.days.insert((d, t, c, u), n);
            }
            _ => strange.push(format!(
                "figure_days has a row no case could give: {d} {timer} {category} {until}"
            )),
        }
    }
    let mut stmt = conn
        .prepare("SELECT due, day, timer, category, n FROM figure_running")
        .ctx(ctx)?;
    let mut rows = stmt.query([]).ctx(ctx)?;
    while let Some(r) = rows.next().ctx(ctx)? {
        let (due, d, timer, category, n): (String, String, String, String, i64) = (
            r.get(0).ctx(ctx)?,
            r.get(1).ctx(ctx)?,
            r.get(2).ctx(ctx)?,
            r.get(3).ctx(ctx)?,
            r.get(4).ctx(ctx)?,
        );
        match (
            day(&due),
            day(&d),
            known(&timer, &TIMERS),
            known(&category, &categories),
        ) {
            (Some(due), Some(d), Some(t), Some(c)) => {
                tally.running.insert((due, d, t, c), n);
            }
            _ => strange.push(format!(
                "figure_running has a row no case could give: {due} {d} {timer} {category}"
            )),
        }
    }
    let mut stmt = conn.prepare("SELECT day, n FROM figure_overdue").ctx(ctx)?;
    let mut rows = stmt.query([]).ctx(ctx)?;
    while let Some(r) = rows.next().ctx(ctx)? {
        let (d, n): (String, i64) = (r.get(0).ctx(ctx)?, r.get(1).ctx(ctx)?);
        match day(&d) {
            Some(d) => {
                tally.overdue.insert(d, n);
            }
            None => strange.push(format!("figure_overdue has a row no case could give: {d}")),
        }
    }
    tally.prune();
    Ok(tally)
}

/// Stops listing differences of the kept sums after this many.
const MAX_LISTED: usize = 10;

/// How the kept sums differ from `expected`, what the histories give: one line each.
pub(crate) fn compare(conn: &Connection, expected: &Tally) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let kept = read_tables(conn, &mut problems)?;
    let mut differ = Vec::new();
    diff(
        &kept.days,
        &expected.days,
        &mut differ,
        |(d, t, c, u), k, e| {
            let until = u.map(|u| format!(" (undone on {u})")).unwrap_or_default();
            format!(
                "figure_days {d} {t} {c}{until}: kept [started, met, late, allowed_late, withdrawn] \
             {k:?}, the histories give {e:?}"
            )
        },
    );
    diff(
        &kept.running,
        &expected.running,
        &mut differ,
        |(due, d, t, c), k, e| {
            format!("figure_running due {due}, {d}, {t} {c}: kept {k}, the histories give {e}")
        },
    );
    diff(&kept.overdue, &expected.overdue, &mut differ, |d, k, e| {
        format!("figure_overdue {d}: kept {k}, the histories give {e}")
    });
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM case_figures WHERE case_id NOT IN (SELECT id FROM cases)",
            [],
            |r| r.get(0),
        )
        .ctx("reading the kept figures")?;
    if orphans > 0 {
        problems.push(format!(
            "case_figures holds the figures of {orphans} case(s) that are not in the store"
        ));
    }
    let extra = differ.len().saturating_sub(MAX_LISTED);
    problems.extend(
        differ
            .into_iter()
            .take(MAX_LISTED)
            .map(|d| format!("the kept figures disagree with the history: {d}")),
    );
    if extra > 0 {
        problems.push(format!(
            "... and {extra} more differences in the kept figures"
        ));
    }
    Ok(problems)
}

fn diff<K: Ord + Copy, V: PartialEq + Default + Copy>(
    kept: &std::collections::BTreeMap<K, V>,
    expected: &std::collections::BTreeMap<K, V>,
    out: &mut Vec<String>,
    say: impl Fn(K, V, V) -> String,
) {
    let keys: std::collections::BTreeSet<K> = kept.keys().chain(expected.keys()).copied().collect();
    for key in keys {
        let k = kept.get(&key).copied().unwrap_or_default();
        let e = expected.get(&key).copied().unwrap_or_default();
        if k != e {
            out.push(say(key, k, e));
        }
    }
}
