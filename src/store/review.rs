//! Review sessions (src/domain/review.rs): a person's run through a queue, one case after
//! another. Taking the next case is one write transaction that reads the queue in its urgency
//! order, picks the first case the user may act on that nobody else holds, and claims it, audited
//! like any claim: two sessions on one queue queue on the write lock, and the second sees the
//! first's claim. What the user did with each case is read from the audit events, never taken on
//! the console's word.

use super::Store;
use super::cases::{self, read_row};
use super::error::{Result, SqlContext, StoreError};
use super::queues::{QueueQuery, Sort};
use super::{chain, users};
use crate::domain::review::{Pick, ReviewStep, ReviewSummary, pick};
use crate::domain::{Action, ActionKind, Actor, Context, Holding, Stage, decide};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

/// Migration 13: sessions, and each case a session took with when it was taken and closed.
/// `outcome` is the action the user took (the name of their last audit event on the case after
/// it was taken, a claim or release aside), NULL when they took none (a skip, or the case on
/// screen when the session ended: migration 15's `skipped` tells them apart); `done_ms` is NULL
/// while the case is on screen, and `done_seq` is the chain's head when it was closed, so `check`
/// can read the outcome from the events again ([`check_steps`]). Times are milliseconds since the
/// epoch, for the time per case; `day` is the office day, for the workload figures.
pub(super) const TABLES: &str = r#"
CREATE TABLE review_sessions (
    id         INTEGER PRIMARY KEY,
    user       TEXT NOT NULL,
    queue      TEXT NOT NULL,
    filter     TEXT NOT NULL,
    day        TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at   TEXT
) STRICT;

CREATE INDEX review_sessions_by_day ON review_sessions (day, user);

CREATE TABLE review_steps (
    session_id INTEGER NOT NULL REFERENCES review_sessions (id),
    case_no    TEXT NOT NULL,
    case_id    INTEGER NOT NULL,
    stage      TEXT NOT NULL,
    claimed    INTEGER NOT NULL,
    taken_seq  INTEGER NOT NULL,
    taken_ms   INTEGER NOT NULL,
    done_ms    INTEGER,
    done_seq   INTEGER,
    outcome    TEXT,
    PRIMARY KEY (session_id, case_no)
) STRICT;
"#;

/// Migration 15: whether the user skipped a case (`s`). Only a skip is one: the case on screen
/// when a session ends (`q`, a closed console, an admin disabling the user) is closed without
/// being counted. Steps closed before cannot be told apart, so they stay counted as the version
/// that wrote them counted them: every closed step without an outcome as a skip.
pub(super) const SKIPS: &str = r#"
ALTER TABLE review_steps ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1));
UPDATE review_steps SET skipped = 1 WHERE done_ms IS NOT NULL AND outcome IS NULL;
"#;

/// Rows read per transaction while looking for a case to take.
const TAKE_ROWS: usize = 50;

/// The case a session took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    pub case_no: String,
    /// The session claimed it (rather than finding it already held by the user): a skip or the
    /// end of the session releases it unless the user acted on it.
    pub claimed: bool,
}

/// A session's state after a turn: the case now on screen (`None`: nothing left to take) and
/// what the session has done so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewTurn {
    pub session: i64,
    pub taken: Option<Taken>,
    pub handled: usize,
    pub skipped: usize,
}

/// One person's review sessions over some days, for the supervisors' workload figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewWorkRow {
    pub user: String,
    pub sessions: i64,
    pub handled: i64,
    pub skipped: i64,
    /// The median time on screen of a case handled in a session, in seconds.
    pub median_seconds: Option<i64>,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

enum Found {
    Taken(Taken),
    /// Nothing to take in the rows read; the queue goes on after this query.
    More(QueueQuery),
    End,
}

/// The store's directory of users, for the claim's `decide` (a claim issues no number).
struct Users<'c>(&'c Connection);

impl crate::domain::Directory for Users<'_> {
    fn actor(&self, name: &str) -> Option<Actor> {
        users::actor(self.0, name).ok().flatten()
    }

    fn issue_number(&self, _: crate::domain::Series, _: i32, _: &str) -> Option<String> {
        None
    }
}

/// Claims or releases `case_no` as `actor` through the domain, with its audit event, in `tx`.
/// `Ok(None)` when the domain refuses (the case changed meanwhile); the new chain head otherwise.
fn claim_or_release(
    tx: &Transaction<'_>,
    store: (&super::Settings, &crate::domain::Calendar),
    today: NaiveDate,
    actor: &Actor,
    case_no: &str,
    action: Action,
) -> Result<Option<i64>> {
    let (settings, calendar) = store;
    let Some((id, case)) = cases::load(tx, case_no)? else {
        return Ok(None);
    };
    let now = crate::domain::Clock::new(settings.office_tz, Some(today)).now();
    let clocks = settings.clocks(calendar, today);
    let directory = Users(tx);
    let ctx = Context {
        now,
        clocks,
        directory: &directory,
    };
    let Ok((next, event)) = decide(&case, actor, action, &ctx) else {
        return Ok(None);
    };
    cases::update(tx, id, &case, &next, &event, &clocks, &now.to_rfc3339())?;
    let head = chain::append(tx, &chain::head(tx)?, id, &event)?;
    Ok(Some(head.seq))
}

/// Whether session `session` of `user` runs; refused when it is not theirs.
fn running(tx: &Connection, session: i64, user: &str) -> Result<bool> {
    let found: Option<Option<String>> = tx
        .query_row(
            "SELECT ended_at FROM review_sessions WHERE id = ?1 AND user = ?2",
            params![session, user],
            |r| r.get(0),
        )
        .optional()
        .ctx("reading the review session")?;
    match found {
        Some(ended) => Ok(ended.is_none()),
        None => Err(StoreError::Invalid {
            field: "session".into(),
            message: format!("{user} has no review session {session}"),
        }),
    }
}

/// The session, if it is `user`'s and still running.
fn require_running(tx: &Connection, session: i64, user: &str) -> Result<()> {
    if running(tx, session, user)? {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            field: "session".into(),
            message: format!("review session {session} has ended"),
        })
    }
}

/// Ends a running session at `ended`: the case on screen is closed as at `q` (released unless
/// acted on, not counted), and a session that took no case is not kept.
fn finish(
    tx: &Transaction<'_>,
    store: (&super::Settings, &crate::domain::Calendar),
    today: NaiveDate,
    session: i64,
    actor: &Actor,
    ended: &str,
) -> Result<()> {
    close_step(tx, store, today, session, actor, Close::End)?;
    let steps: i64 = tx
        .query_row(
            "SELECT count(*) FROM review_steps WHERE session_id = ?1",
            [session],
            |r| r.get(0),
        )
        .ctx("counting the session's cases")?;
    if steps == 0 {
        tx.execute("DELETE FROM review_sessions WHERE id = ?1", [session])
            .ctx("dropping an empty review session")?;
    } else {
        tx.execute(
            "UPDATE review_sessions SET ended_at = ?1 WHERE id = ?2",
            params![ended, session],
        )
        .ctx("ending the review session")?;
    }
    Ok(())
}

/// Ends every running session of `user`, whom an admin is disabling in `tx`: each ends as at `q`,
/// its summary kept for when their console asks. The disable released their claims first.
pub(super) fn end_sessions_of(
    tx: &Transaction<'_>,
    store: (&super::Settings, &crate::domain::Calendar),
    user: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<()> {
    let Some(actor) = users::actor(tx, user)? else {
        return Ok(());
    };
    let sessions: Vec<i64> = tx
        .prepare("SELECT id FROM review_sessions WHERE user = ?1 AND ended_at IS NULL")
        .ctx("listing the running review sessions")?
        .query_map([user], |r| r.get(0))
        .ctx("listing the running review sessions")?
        .collect::<rusqlite::Result<_>>()
        .ctx("listing the running review sessions")?;
    let ended = now.to_rfc3339();
    for session in sessions {
        finish(tx, store, now.date_naive(), session, &actor, &ended)?;
    }
    Ok(())
}

/// How the case on screen leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Close {
    /// `s`, or the next case after an action: counted as skipped if nothing was done.
    Next,
    /// The session ends: closed without being counted if nothing was done.
    End,
}

/// Closes the case on screen, if any: its outcome is the user's last action on it since it was
/// taken, as the audit events have it. With none it was skipped (`Close::Next`) or merely left
/// on screen when the session ended (`Close::End`, not counted); either way a claim the session
/// made and the user still holds is released (audited), so nobody is left holding a case they
/// did not act on.
fn close_step(
    tx: &Transaction<'_>,
    store: (&super::Settings, &crate::domain::Calendar),
    today: NaiveDate,
    session: i64,
    actor: &Actor,
    how: Close,
) -> Result<()> {
    let open: Option<(String, i64, bool, i64)> = tx
        .query_row(
            "SELECT case_no, case_id, claimed, taken_seq FROM review_steps
             WHERE session_id = ?1 AND done_ms IS NULL",
            [session],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .ctx("reading the case on screen")?;
    let Some((case_no, case_id, claimed, taken_seq)) = open else {
        return Ok(());
    };
    let done = now_ms();
    let outcome: Option<String> = tx
        .query_row(
            "SELECT action FROM events WHERE case_id = ?1 AND seq > ?2 AND actor = ?3
                 AND action NOT IN ('claim', 'release')
             ORDER BY seq DESC LIMIT 1",
            params![case_id, taken_seq, actor.name],
            |r| r.get(0),
        )
        .optional()
        .ctx("reading what was done with the case")?;
    if outcome.is_none() && claimed {
        let held = cases::load(tx, &case_no)?
            .is_some_and(|(_, case)| case.assignee() == Some(actor.name.as_str()));
        if held {
            claim_or_release(tx, store, today, actor, &case_no, Action::Release)?;
        }
    }
    let skipped = outcome.is_none() && how == Close::Next;
    let head = chain::head(tx)?.seq;
    tx.execute(
        "UPDATE review_steps SET done_ms = ?1, done_seq = ?2, outcome = ?3, skipped = ?4
         WHERE session_id = ?5 AND case_no = ?6",
        params![done, head, outcome, skipped, session, case_no],
    )
    .ctx("closing the case on screen")?;
    Ok(())
}

/// Every closed step's outcome read from the audit events again, as [`close_step`] read it: a
/// stored outcome (the workload figures) that the events do not give is named.
pub(super) fn check_steps(conn: &Connection) -> Result<Vec<String>> {
    let what = "checking the review sessions against the audit events";
    let mut stmt = conn
        .prepare(
            "SELECT st.session_id, st.case_no, st.outcome, st.done_seq, st.skipped,
                    (SELECT e.action FROM events e
                     WHERE e.case_id = st.case_id AND e.seq > st.taken_seq
                       AND e.seq <= st.done_seq AND e.actor = s.user
                       AND e.action NOT IN ('claim', 'release')
                     ORDER BY e.seq DESC LIMIT 1)
             FROM review_steps st JOIN review_sessions s ON s.id = st.session_id
             WHERE st.done_ms IS NOT NULL ORDER BY st.session_id, st.taken_seq",
        )
        .ctx(what)?;
    let mut rows = stmt.query([]).ctx(what)?;
    let mut problems = Vec::new();
    while let Some(r) = rows.next().ctx(what)? {
        let session: i64 = r.get(0).ctx(what)?;
        let case_no: String = r.get(1).ctx(what)?;
        let stored: Option<String> = r.get(2).ctx(what)?;
        let done_seq: Option<i64> = r.get(3).ctx(what)?;
        let skipped: bool = r.get(4).ctx(what)?;
        let from_events: Option<String> = r.get(5).ctx(what)?;
        let said = |o: &Option<String>, skipped: bool| match o {
            Some(action) => action.clone(),
            None if skipped => "skipped".into(),
            None => "not acted on".into(),
        };
        if done_seq.is_none() {
            problems.push(format!(
                "review session {session}: {case_no} is closed without its place in the chain"
            ));
        } else if stored != from_events {
            problems.push(format!(
                "review session {session}: {case_no} is recorded as {} but the audit events give {}",
                said(&stored, skipped),
                said(&from_events, skipped)
            ));
        } else if stored.is_some() && skipped {
            problems.push(format!(
                "review session {session}: {case_no} is recorded as both {} and skipped",
                said(&stored, false)
            ));
        }
    }
    Ok(problems)
}

fn tally(tx: &Connection, session: i64) -> Result<(usize, usize)> {
    tx.query_row(
        "SELECT coalesce(sum(outcome IS NOT NULL), 0), coalesce(sum(skipped), 0)
         FROM review_steps WHERE session_id = ?1 AND done_ms IS NOT NULL",
        [session],
        |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize)),
    )
    .ctx("counting the session's cases")
}

impl Store {
    /// Starts a review session of `query.user` on the queue, filter and search of `query`, and
    /// takes its first case.
    pub fn review_start(&mut self, query: &QueueQuery) -> Result<ReviewTurn> {
        let started = self.clock(Some(query.today)).now();
        let session = self.write("starting a review session", |tx, _, _| {
            users::require_active(tx, &query.user)?;
            tx.execute(
                "INSERT INTO review_sessions (user, queue, filter, day, started_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    query.user,
                    query.queue.as_str(),
                    query.filter.as_str(),
                    query.today.to_string(),
                    started.to_rfc3339()
                ],
            )
            .ctx("starting a review session")?;
            Ok(tx.last_insert_rowid())
        })?;
        self.review_take(session, query)
    }

    /// Closes the case on screen (skipped and released when the user did nothing with it) and
    /// takes the next one.
    pub fn review_next(&mut self, session: i64, query: &QueueQuery) -> Result<ReviewTurn> {
        let today = query.today;
        let user = query.user.clone();
        self.write("moving to the next case", |tx, settings, calendar| {
            let actor = users::require_active(tx, &user)?;
            require_running(tx, session, &user)?;
            close_step(
                tx,
                (settings, calendar),
                today,
                session,
                &actor,
                Close::Next,
            )
        })?;
        self.review_take(session, query)
    }

    /// Ends the session: the case on screen is closed (released unless acted on, not counted),
    /// and the summary is read back. A session that took no case is not kept. A session already
    /// ended (by a disable, or by an end whose answer was lost) is read back as it ended, with
    /// nothing written: so a disabled user's console still gets the summary of the session the
    /// disable ended.
    pub fn review_end(
        &mut self,
        session: i64,
        user: &str,
        today: NaiveDate,
    ) -> Result<ReviewSummary> {
        let ended = self.clock(Some(today)).now().to_rfc3339();
        self.write("ending the review session", |tx, settings, calendar| {
            if !running(tx, session, user)? {
                return Ok(());
            }
            let actor = users::require_active(tx, user)?;
            finish(tx, (settings, calendar), today, session, &actor, &ended)
        })?;
        self.review_summary(session, user)
    }

    /// What session `session` of `user` did, case by case in the order they came.
    pub fn review_summary(&self, session: i64, user: &str) -> Result<ReviewSummary> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT st.case_no, st.stage, st.outcome, coalesce(st.done_ms - st.taken_ms, 0),
                        st.skipped
                 FROM review_steps st JOIN review_sessions s ON s.id = st.session_id
                 WHERE st.session_id = ?1 AND s.user = ?2 AND st.done_ms IS NOT NULL
                 ORDER BY st.taken_ms, st.rowid",
            )
            .ctx("preparing the session summary")?;
        let rows = stmt
            .query_map(params![session, user], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, bool>(4)?,
                ))
            })
            .ctx("reading the session summary")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading the session summary")?;
        let mut steps = Vec::new();
        for (case_no, stage, outcome, millis, skipped) in rows {
            let stage = stage.parse::<Stage>().map_err(|_| {
                StoreError::Damaged(format!("review session {session}: stage {stage:?}"))
            })?;
            let outcome = outcome
                .map(|action| {
                    action.parse::<ActionKind>().map_err(|_| {
                        StoreError::Damaged(format!("review session {session}: outcome {action:?}"))
                    })
                })
                .transpose()?;
            steps.push(ReviewStep {
                case_no,
                stage,
                outcome,
                skipped,
                millis: millis.max(0),
            });
        }
        Ok(ReviewSummary {
            session,
            user: user.to_string(),
            steps,
        })
    }

    /// Review sessions per person that started from `from` to `to` (office days): how many, the
    /// cases handled and skipped in them, and the median time per handled case. A session whose
    /// console went away without ending it counts with the cases it closed.
    pub fn review_workload(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<ReviewWorkRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.user, s.id, st.outcome, st.done_ms - st.taken_ms, st.skipped
                 FROM review_sessions s
                 LEFT JOIN review_steps st ON st.session_id = s.id AND st.done_ms IS NOT NULL
                 WHERE s.day >= ?1 AND s.day <= ?2
                 ORDER BY s.user, s.id",
            )
            .ctx("preparing the review workload")?;
        let rows = stmt
            .query_map(params![from.to_string(), to.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<bool>>(4)?,
                ))
            })
            .ctx("reading the review workload")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading the review workload")?;
        let mut out: Vec<(ReviewWorkRow, Vec<i64>, Option<i64>)> = Vec::new();
        for (user, session, outcome, millis, skipped) in rows {
            if out.last().is_none_or(|(row, _, _)| row.user != user) {
                out.push((
                    ReviewWorkRow {
                        user: user.clone(),
                        sessions: 0,
                        handled: 0,
                        skipped: 0,
                        median_seconds: None,
                    },
                    Vec::new(),
                    None,
                ));
            }
            let Some((row, times, last)) = out.last_mut() else {
                continue;
            };
            if *last != Some(session) {
                row.sessions += 1;
                *last = Some(session);
            }
            match (outcome, millis) {
                (Some(_), Some(ms)) => {
                    row.handled += 1;
                    times.push(ms.max(0));
                }
                // Only a skip counts; a case merely on screen when the session ended does not.
                (None, Some(_)) if skipped == Some(true) => row.skipped += 1,
                _ => {}
            }
        }
        Ok(out
            .into_iter()
            .map(|(mut row, times, _)| {
                row.median_seconds = crate::domain::review::median(times).map(|ms| ms / 1000);
                row
            })
            .collect())
    }

    /// Takes the most urgent case of the query that the user may act on and nobody else holds
    /// (claiming it), or finds none. Each transaction reads `TAKE_ROWS` rows of the queue in the
    /// urgency order and claims in the same transaction: the case it picks is free when claimed.
    fn review_take(&mut self, session: i64, query: &QueueQuery) -> Result<ReviewTurn> {
        let mut q = query.clone();
        q.sort = Sort::default();
        q.after = None;
        q.limit = TAKE_ROWS;
        let today = q.today;
        let user = q.user.clone();
        let taken = loop {
            let (sql, values) = self.page_sql(&q)?;
            let found = self.write("taking the next case", |tx, settings, calendar| {
                let actor = users::require_active(tx, &user)?;
                require_running(tx, session, &user)?;
                let clocks = settings.clocks(calendar, today);
                let rows = tx
                    .prepare_cached(&sql)
                    .ctx("preparing the queue")?
                    .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                        read_row(r, &clocks)
                    })
                    .ctx("reading the queue")?
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .ctx("reading the queue")?;
                let more = rows.len() > q.limit;
                let seen: std::collections::HashSet<String> = tx
                    .prepare_cached("SELECT case_no FROM review_steps WHERE session_id = ?1")
                    .ctx("preparing the session's cases")?
                    .query_map([session], |r| r.get(0))
                    .ctx("reading the session's cases")?
                    .collect::<rusqlite::Result<_>>()
                    .ctx("reading the session's cases")?;
                for row in rows.iter().take(q.limit) {
                    if seen.contains(&row.case_no) {
                        continue;
                    }
                    let holding = Holding {
                        case_no: &row.case_no,
                        stage: row.stage,
                        assignee: row.assignee.as_deref(),
                        recommended_by: row.recommended.as_ref().map(|r| r.by.as_str()),
                    };
                    let (seq, claimed) = match pick(holding, &actor, &settings.policy) {
                        None => continue,
                        Some(Pick::Held) => (chain::head(tx)?.seq, false),
                        Some(Pick::Claim) => match claim_or_release(
                            tx,
                            (settings, calendar),
                            today,
                            &actor,
                            &row.case_no,
                            Action::Claim,
                        )? {
                            Some(seq) => (seq, true),
                            None => continue,
                        },
                    };
                    tx.execute(
                        "INSERT INTO review_steps
                             (session_id, case_no, case_id, stage, claimed, taken_seq, taken_ms)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![
                            session,
                            row.case_no,
                            row.id,
                            row.stage.as_str(),
                            claimed,
                            seq,
                            now_ms()
                        ],
                    )
                    .ctx("recording the case taken")?;
                    return Ok(Found::Taken(Taken {
                        case_no: row.case_no.clone(),
                        claimed,
                    }));
                }
                Ok(match rows.get(q.limit - 1) {
                    Some(last) if more => {
                        let mut next = q.clone();
                        next.after = Some(super::Cursor::after(last));
                        Found::More(next)
                    }
                    _ => Found::End,
                })
            })?;
            match found {
                Found::Taken(taken) => break Some(taken),
                Found::More(next) => q = next,
                Found::End => break None,
            }
        };
        let (handled, skipped) = tally(&self.conn, session)?;
        Ok(ReviewTurn {
            session,
            taken,
            handled,
            skipped,
        })
    }
}
