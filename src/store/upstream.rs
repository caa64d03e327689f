//! Upstream sync in the store: applying inbox batches in short transactions with a durable
//! progress mark, recording upstream events that no longer fit the local case as conflicts, and
//! resolving those conflicts. Every event goes through the domain as `Actor::system()`.

use super::Store;
use super::cases;
use super::chain;
use super::error::{Result, SqlContext, StoreError};
use super::meta::Settings;
use super::users;
use crate::domain::{
    Action, Actor, Calendar, Case, Clock, Clocks, Context, Directory, Refusal, Role, Submission,
    decide, submit,
};
use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::time::{Duration, Instant};

/// What one inbox line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum UpstreamAction {
    Submitted(Box<Submission>),
    Resubmitted,
    EntryRecorded { date: NaiveDate },
    ECardRegistered { date: NaiveDate },
    Withdrawn { reason: String },
}

impl UpstreamAction {
    pub const NAMES: &'static [&'static str] = &[
        "submitted",
        "resubmitted",
        "entry_recorded",
        "e_card_registered",
        "withdrawn",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            UpstreamAction::Submitted(_) => "submitted",
            UpstreamAction::Resubmitted => "resubmitted",
            UpstreamAction::EntryRecorded { .. } => "entry_recorded",
            UpstreamAction::ECardRegistered { .. } => "e_card_registered",
            UpstreamAction::Withdrawn { .. } => "withdrawn",
        }
    }

    /// The domain action for an event on an existing case; `None` for a submission.
    fn to_domain(&self) -> Option<Action> {
        Some(match self {
            UpstreamAction::Submitted(_) => return None,
            UpstreamAction::Resubmitted => Action::Resubmit,
            UpstreamAction::EntryRecorded { date } => Action::RecordEntry { date: *date },
            UpstreamAction::ECardRegistered { date } => Action::ECardRegistered { date: *date },
            UpstreamAction::Withdrawn { reason } => Action::Withdraw {
                reason: reason.clone(),
            },
        })
    }
}

/// One validated inbox line.
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamEvent {
    /// The 1-based line of the batch file.
    pub line: u64,
    pub case_no: String,
    pub upstream_version: i64,
    pub at: DateTime<FixedOffset>,
    pub action: UpstreamAction,
}

/// The durable progress mark of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchMark {
    pub name: String,
    pub checksum: String,
    pub lines: u64,
    /// The last line whose event is committed (0 before the first).
    pub applied_through: u64,
    pub finished: bool,
    pub counts: Counts,
}

/// What happened to a batch's events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub applied: u64,
    /// Not above the case's last upstream version: already applied.
    pub skipped: u64,
    /// Recorded on the case for a person to resolve.
    pub conflicts: u64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.applied += other.applied;
        self.skipped += other.skipped;
        self.conflicts += other.conflicts;
    }
}

/// Which batch a chunk belongs to, and where the caller saw its mark.
#[derive(Debug, Clone)]
pub struct BatchId<'a> {
    pub name: &'a str,
    pub checksum: &'a str,
    pub lines: u64,
    /// `applied_through` as the caller read it; anything else means another writer moved on.
    pub seen_through: u64,
}

/// How much one transaction may do, so consoles never wait long on the lock.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub max_events: usize,
    pub max_time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_events: 500,
            max_time: Duration::from_millis(50),
        }
    }
}

/// One committed chunk.
#[derive(Debug, Clone, Copy)]
pub struct Chunk {
    pub consumed: usize,
    pub through_line: u64,
    pub finished: bool,
    pub counts: Counts,
}

/// Nobody else is looked up by upstream events.
pub(crate) struct NoDirectory;

impl Directory for NoDirectory {
    fn actor(&self, _name: &str) -> Option<Actor> {
        None
    }

    fn issue_number(
        &self,
        _series: crate::domain::Series,
        _year: i32,
        _case_no: &str,
    ) -> Option<String> {
        None
    }
}

pub(crate) fn require_role(conn: &Connection, user: &str, role: Role, what: &str) -> Result<Actor> {
    let actor = users::require_active(conn, user)?;
    if actor.has(role) {
        return Ok(actor);
    }
    let has: Vec<&str> = actor.roles.iter().map(|r| r.as_str()).collect();
    Err(StoreError::NotPermitted(format!(
        "{what} needs the {role} role; {user} holds {}",
        if has.is_empty() {
            "no role".to_string()
        } else {
            has.join(",")
        }
    )))
}

fn read_mark(conn: &Connection, name: &str) -> Result<Option<BatchMark>> {
    conn.prepare_cached(
        "SELECT name, checksum, lines, applied_through, status, applied, skipped, conflicts
         FROM sync_batches WHERE name = ?1",
    )
    .ctx("preparing the batch mark read")?
    .query_row([name], |r| {
        Ok(BatchMark {
            name: r.get(0)?,
            checksum: r.get(1)?,
            lines: r.get::<_, i64>(2)? as u64,
            applied_through: r.get::<_, i64>(3)? as u64,
            finished: r.get::<_, String>(4)? == "applied",
            counts: Counts {
                applied: r.get::<_, i64>(5)? as u64,
                skipped: r.get::<_, i64>(6)? as u64,
                conflicts: r.get::<_, i64>(7)? as u64,
            },
        })
    })
    .optional()
    .ctx("reading a batch mark")
}

/// The moment an upstream event is recorded at: its own time in the office zone, but never
/// before the case's newest event nor after now, so the case's clocks never run backwards.
fn event_time(
    conn: &Connection,
    case_id: Option<i64>,
    at: DateTime<FixedOffset>,
    clock: &Clock,
) -> Result<DateTime<FixedOffset>> {
    let at = at
        .with_timezone(&clock.zone())
        .fixed_offset()
        .min(clock.now());
    let Some(case_id) = case_id else {
        return Ok(at);
    };
    let last: Option<String> = conn
        .prepare_cached("SELECT at FROM events WHERE case_id = ?1 ORDER BY seq DESC LIMIT 1")
        .ctx("preparing the last-event read")?
        .query_row([case_id], |r| r.get(0))
        .optional()
        .ctx("reading the case's last event")?;
    let last = last.and_then(|t| DateTime::parse_from_rfc3339(&t).ok());
    Ok(match last {
        Some(last) if last > at => last,
        _ => at,
    })
}

enum Effect {
    Done,
    Skipped,
    Conflict,
}

struct Env<'a> {
    tx: &'a Connection,
    settings: &'a Settings,
    calendar: &'a Calendar,
    clock: &'a Clock,
    today: NaiveDate,
    batch: &'a str,
}

impl Env<'_> {
    fn context<'c>(&'c self, now: DateTime<FixedOffset>) -> Context<'c> {
        Context {
            now,
            clocks: Clocks {
                calendar: self.calendar,
                policy: &self.settings.policy,
                today: self.today,
            },
            directory: &NoDirectory,
        }
    }

    fn stamp(&self) -> String {
        self.clock.now().to_rfc3339()
    }

    fn apply(&self, event: &UpstreamEvent) -> Result<Effect> {
        let last: Option<i64> = self
            .tx
            .prepare_cached("SELECT version FROM upstream_versions WHERE case_no = ?1")
            .ctx("preparing the upstream version read")?
            .query_row([&event.case_no], |r| r.get(0))
            .optional()
            .ctx("reading the case's upstream version")?;
        if last.is_some_and(|v| event.upstream_version <= v) {
            return Ok(Effect::Skipped);
        }
        let system = Actor::system();
        let loaded = cases::load(self.tx, &event.case_no)?;
        let at = event_time(self.tx, loaded.as_ref().map(|l| l.0), event.at, self.clock)?;
        let ctx = self.context(at);
        let clocks = ctx.clocks;
        let result = match (&loaded, &event.action) {
            (None, UpstreamAction::Submitted(submission)) => {
                let mut submission = (**submission).clone();
                submission.case_no = event.case_no.clone();
                let (case, domain_event) = submit(submission, &system, &ctx)?;
                let id = cases::insert(self.tx, &case, &domain_event, &clocks, &self.stamp())?;
                chain::append(self.tx, &chain::head(self.tx)?, id, &domain_event)?;
                Effect::Done
            }
            (None, _) => {
                return Err(StoreError::NotFound {
                    case_no: event.case_no.clone(),
                });
            }
            (Some((id, case)), UpstreamAction::Submitted(_)) => {
                let message = format!(
                    "a case with this number already exists here (stage {})",
                    case.stage
                );
                self.conflict(*id, case, event, &message, &ctx)?;
                Effect::Conflict
            }
            (Some((id, case)), action) => {
                let Some(action) = action.to_domain() else {
                    return Err(StoreError::NotFound {
                        case_no: event.case_no.clone(),
                    });
                };
                match decide(case, &system, action, &ctx) {
                    Ok((next, domain_event)) => {
                        cases::update(
                            self.tx,
                            *id,
                            case,
                            &next,
                            &domain_event,
                            &clocks,
                            &self.stamp(),
                        )?;
                        chain::append(self.tx, &chain::head(self.tx)?, *id, &domain_event)?;
                        Effect::Done
                    }
                    Err(refusal) => {
                        let message = refusal_text(&refusal, &case.case_no);
                        self.conflict(*id, case, event, &message, &ctx)?;
                        Effect::Conflict
                    }
                }
            }
        };
        self.tx
            .prepare_cached(
                "INSERT INTO upstream_versions (case_no, version) VALUES (?1, ?2)
                 ON CONFLICT (case_no) DO UPDATE SET version = excluded.version",
            )
            .ctx("preparing the upstream version write")?
            .execute(params![event.case_no, event.upstream_version])
            .ctx("recording the case's upstream version")?;
        Ok(result)
    }

    /// Records the conflict and a system note on the case, so it shows in every history view and
    /// is covered by the audit chain.
    fn conflict(
        &self,
        case_id: i64,
        case: &Case,
        event: &UpstreamEvent,
        message: &str,
        ctx: &Context,
    ) -> Result<()> {
        let at = ctx.now.to_rfc3339();
        self.tx
            .prepare_cached(
                "INSERT INTO conflicts (case_id, case_no, batch, line, event, upstream_version,
                     message, at, audit_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)",
            )
            .ctx("preparing the conflict insert")?
            .execute(params![
                case_id,
                case.case_no,
                self.batch,
                event.line as i64,
                event.action.name(),
                event.upstream_version,
                message,
                at
            ])
            .ctx(&format!("{}: recording an upstream conflict", case.case_no))?;
        let conflict_id = self.tx.last_insert_rowid();
        let text = format!(
            "upstream conflict #{conflict_id}: {} (upstream version {}, {} line {}) was not applied: {message}",
            event.action.name(),
            event.upstream_version,
            self.batch,
            event.line
        );
        let (next, note) = decide(case, &Actor::system(), Action::Note { text }, ctx)?;
        cases::update(
            self.tx,
            case_id,
            case,
            &next,
            &note,
            &ctx.clocks,
            &self.stamp(),
        )?;
        let head = chain::append(self.tx, &chain::head(self.tx)?, case_id, &note)?;
        self.tx
            .execute(
                "UPDATE conflicts SET audit_seq = ?1 WHERE id = ?2",
                params![head.seq, conflict_id],
            )
            .ctx("linking the conflict to its audit event")?;
        Ok(())
    }
}

/// The refusal's words without the case number it starts with (the case is named already).
fn refusal_text(refusal: &Refusal, case_no: &str) -> String {
    let text = refusal.to_string();
    match text
        .strip_prefix(case_no)
        .and_then(|t| t.strip_prefix(": "))
    {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

impl Store {
    /// The progress mark of a batch, if it was ever started.
    pub fn batch_mark(&self, name: &str) -> Result<Option<BatchMark>> {
        read_mark(&self.conn, name)
    }

    pub fn case_exists(&self, case_no: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM cases WHERE case_no = ?1")
            .ctx("preparing the case lookup")?
            .query_row([case_no], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .ctx("looking a case up")
    }

    /// Applies events of a batch from the first one, as many as `budget` allows, in one
    /// transaction together with the batch's progress mark. `events` are the batch's remaining
    /// events in line order; when all are consumed the batch is marked applied.
    pub fn apply_upstream_chunk(
        &mut self,
        user: &str,
        batch: &BatchId,
        events: &[UpstreamEvent],
        budget: Budget,
        today: Option<NaiveDate>,
    ) -> Result<Chunk> {
        let clock = self.clock(today);
        let waiting = format!("applying the upstream batch {}", batch.name);
        self.write(&waiting, |tx, settings, calendar| {
            require_role(tx, user, Role::Admin, "sync")?;
            let now = clock.now().to_rfc3339();
            match read_mark(tx, batch.name)? {
                None if batch.seen_through == 0 => {
                    tx.execute(
                        "INSERT INTO sync_batches (name, checksum, lines, applied_through, status,
                             started_at)
                         VALUES (?1, ?2, ?3, 0, 'applying', ?4)",
                        params![batch.name, batch.checksum, batch.lines as i64, now],
                    )
                    .ctx("starting a batch")?;
                }
                Some(mark)
                    if mark.checksum == batch.checksum
                        && !mark.finished
                        && mark.applied_through == batch.seen_through => {}
                other => {
                    return Err(StoreError::StaleVersion {
                        case_no: batch.name.to_string(),
                        expected: batch.seen_through as i64,
                        actual: other.map(|m| m.applied_through as i64).unwrap_or(0),
                        last_change: super::LastChange::SyncMark,
                    });
                }
            }
            let env = Env {
                tx,
                settings,
                calendar,
                clock: &clock,
                today: clock.today(),
                batch: batch.name,
            };
            let started = Instant::now();
            let mut counts = Counts::default();
            let mut consumed = 0;
            for event in events {
                if consumed >= budget.max_events.max(1)
                    || (consumed > 0 && started.elapsed() >= budget.max_time)
                {
                    break;
                }
                match env.apply(event)? {
                    Effect::Done => counts.applied += 1,
                    Effect::Skipped => counts.skipped += 1,
                    Effect::Conflict => counts.conflicts += 1,
                }
                consumed += 1;
            }
            let finished = consumed == events.len();
            let through_line = if finished {
                batch.lines
            } else {
                events[consumed - 1].line
            };
            tx.execute(
                "UPDATE sync_batches SET applied_through = ?1,
                     status = CASE WHEN ?2 THEN 'applied' ELSE 'applying' END,
                     applied = applied + ?3, skipped = skipped + ?4, conflicts = conflicts + ?5,
                     finished_at = CASE WHEN ?2 THEN ?6 ELSE NULL END
                 WHERE name = ?7",
                params![
                    through_line as i64,
                    finished,
                    counts.applied as i64,
                    counts.skipped as i64,
                    counts.conflicts as i64,
                    now,
                    batch.name
                ],
            )
            .ctx("moving the batch's progress mark")?;
            if finished {
                if let Some(mark) = read_mark(tx, batch.name)? {
                    super::admin::record(
                        tx,
                        user,
                        clock.now(),
                        crate::domain::AdminChange::SyncBatchApplied {
                            batch: batch.name.to_string(),
                            checksum: batch.checksum.to_string(),
                            applied: mark.counts.applied,
                            skipped: mark.counts.skipped,
                            conflicts: mark.counts.conflicts,
                        },
                    )?;
                }
            }
            Ok(Chunk {
                consumed,
                through_line,
                finished,
                counts,
            })
        })
        .inspect(|chunk| {
            if !chunk.finished {
                self.let_waiting_writers_in();
            }
        })
    }
}
