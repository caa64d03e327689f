//! Reading and writing cases. Every write puts the case row, its audit event and its search entry
//! in the caller's transaction, and reads the version it checks inside that same transaction.

use super::Store;
use super::case_row::{self, CASE_COLUMNS};
use super::chain::{self, ChainHead, EncodedEvent, EncodedHistory};
use super::error::{LastChange, Result, SqlContext, StoreError};
use super::figures::kept;
use super::figures::ledger::{Ledger, Tally};
use super::search;
use super::users;
use super::visibility::Hidden;
use crate::domain::{
    Action, Actor, Case, Category, Clocks, Context, Deadline, Event, Kind, Stage, Submission,
    TimerKind, decide, submit,
};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// Sorts after every real date: cases with no running timer go last.
pub const NO_DUE: &str = "9999-12-31";

/// A row of a queue: what lists and tables show, without the whole case. Its JSON (the command
/// line's) leaves out the keys; [`rows_with_keys`] carries them to a console through a server.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CaseRow {
    #[serde(skip)]
    pub id: i64,
    pub case_no: String,
    pub kind: Kind,
    pub category: Category,
    pub stage: Stage,
    pub legacy: bool,
    pub assignee: Option<String>,
    pub version: i64,
    pub applicant: RowApplicant,
    pub employer: RowEmployer,
    pub submitted_at: String,
    pub entry_date: Option<NaiveDate>,
    pub deadline: Option<Deadline>,
    /// A case awaiting decision: the recommendation it awaits, and whose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended: Option<RowRecommendation>,
    #[serde(skip)]
    pub due_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RowRecommendation {
    pub verdict: crate::domain::case::Verdict,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RowApplicant {
    pub name: String,
    pub name_native: Option<String>,
    pub passport_no: String,
    pub nationality: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RowEmployer {
    pub name: String,
    pub uscc: String,
}

pub(crate) const ROW_COLUMNS: &str = "id, case_no, kind, category, stage, legacy, assignee, version, \
     applicant_name, name_native, passport_no, nationality, employer_name, employer_uscc, \
     submitted_at, entry_date, timer, timer_started, due, due_key, \
     CASE WHEN stage = 'decision' THEN json_extract(data, '$.recommendation.verdict') END, \
     CASE WHEN stage = 'decision' THEN json_extract(data, '$.recommendation.by') END";

pub(crate) fn read_row(r: &Row<'_>, clocks: &Clocks) -> rusqlite::Result<CaseRow> {
    let timer: Option<String> = r.get(16)?;
    let started: Option<NaiveDate> = r.get(17)?;
    let due: Option<NaiveDate> = r.get(18)?;
    let deadline = match (timer.as_deref().and_then(timer_kind), started) {
        (Some(kind), Some(started)) => Some(clocks.deadline(kind, started, due, None)),
        _ => None,
    };
    Ok(CaseRow {
        id: r.get(0)?,
        case_no: r.get(1)?,
        kind: parse(2, r.get(2)?)?,
        category: parse(3, r.get(3)?)?,
        stage: parse(4, r.get(4)?)?,
        legacy: r.get(5)?,
        assignee: r.get(6)?,
        version: r.get(7)?,
        applicant: RowApplicant {
            name: r.get(8)?,
            name_native: r.get(9)?,
            passport_no: r.get(10)?,
            nationality: r.get(11)?,
        },
        employer: RowEmployer {
            name: r.get(12)?,
            uscc: r.get(13)?,
        },
        submitted_at: r.get(14)?,
        entry_date: r.get(15)?,
        deadline,
        recommended: match (
            r.get::<_, Option<String>>(20)?,
            r.get::<_, Option<String>>(21)?,
        ) {
            (Some(verdict), Some(by)) => Some(RowRecommendation {
                verdict: serde_json::from_value(serde_json::Value::String(verdict)).map_err(
                    |e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            20,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    },
                )?,
                by,
            }),
            _ => None,
        },
        due_key: r.get(19)?,
    })
}

fn parse<T>(i: usize, text: String) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn timer_kind(name: &str) -> Option<TimerKind> {
    match name {
        "pre_audit" => Some(TimerKind::PreAudit),
        "decision" => Some(TimerKind::Decision),
        "verification" => Some(TimerKind::Verification),
        "exam_report" => Some(TimerKind::ExamReport),
        _ => None,
    }
}

/// The derived columns of a case row, recomputed from the case on every write.
pub(crate) struct Derived {
    pub timer: Option<&'static str>,
    pub timer_started: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub due_key: String,
}

pub(crate) fn derive(case: &Case, clocks: &Clocks) -> Derived {
    let governing = clocks.governing(case);
    let due = governing.as_ref().and_then(|d| d.due);
    Derived {
        timer: governing.as_ref().map(|d| d.timer.as_str()),
        timer_started: governing.as_ref().map(|d| d.started),
        due,
        due_key: due
            .map(|d| d.to_string())
            .unwrap_or_else(|| NO_DUE.to_string()),
    }
}

/// Writes a new case, its search entry and its kept figures; `event` is its submission, which
/// the caller appends.
pub(crate) fn insert(
    conn: &Connection,
    case: &Case,
    event: &Event,
    clocks: &Clocks,
    now: &str,
) -> Result<i64> {
    let id = insert_row(conn, None, case, clocks, now)?;
    index(conn, &[(id, search::index_text(case))])?;
    super::figures::kept::record(conn, id, None, event, case, clocks)?;
    Ok(id)
}

/// Writes the case row only; the caller indexes it with `index` before committing. Bulk writers
/// (demo, import) index a whole chunk at the end: FTS5 flushes its pending terms at every
/// statement savepoint, and each case insert opens one (its trigger), so indexing case by case
/// wrote one tiny segment per case and then merged them (docs/PERFORMANCE.md).
/// `id` is chosen by SQLite when `None` (every insert but an import's, see
/// src/store/visibility.rs).
pub(crate) fn insert_row(
    conn: &Connection,
    id: Option<i64>,
    case: &Case,
    clocks: &Clocks,
    now: &str,
) -> Result<i64> {
    insert_encoded_row(conn, id, case, &case_row::encode(case)?, clocks, now)
}

/// [`insert_row`] with the case's `data` already encoded (`case_row::encode`).
fn insert_encoded_row(
    conn: &Connection,
    id: Option<i64>,
    case: &Case,
    data: &str,
    clocks: &Clocks,
    now: &str,
) -> Result<i64> {
    let d = derive(case, clocks);
    conn.prepare_cached(
        "INSERT INTO cases (case_no, kind, category, legacy, stage, open, assignee, version, timer,
             timer_started, due, due_key, applicant_name, name_native, passport_no, nationality,
             employer_name, employer_uscc, permit_no, submitted_at, entry_date, updated_at, data,
             id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22, ?23, ?24)",
    )
    .ctx("preparing the case insert")?
    .execute(params![
        case.case_no,
        case.kind.as_str(),
        case.category.as_str(),
        case.legacy,
        case.stage.as_str(),
        case.is_open(),
        case.assignee(),
        case.version,
        d.timer,
        d.timer_started,
        d.due,
        d.due_key,
        case.applicant.name,
        case.applicant.name_native,
        case.applicant.passport_no,
        case.applicant.nationality,
        case.employer.name,
        case.employer.uscc,
        case.permit_no,
        case.submitted_at.to_rfc3339(),
        case.entry_date,
        now,
        data,
        id,
    ])
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => {
            StoreError::Refused(crate::domain::Refusal::Duplicate {
                case_no: case.case_no.clone(),
            })
        }
        _ => StoreError::Sqlite {
            context: format!("{}: writing the case", case.case_no),
            source: e,
        },
    })?;
    Ok(conn.last_insert_rowid())
}

/// Adds cases to the search index: (row id, `search::index_text`).
pub(crate) fn index<T: AsRef<str>>(conn: &Connection, entries: &[(i64, T)]) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("INSERT INTO case_search (rowid, text) VALUES (?1, ?2)")
        .ctx("preparing the search insert")?;
    for (id, text) in entries {
        stmt.execute(params![id, text.as_ref()])
            .ctx(&format!("case {id}: indexing the case"))?;
    }
    Ok(())
}

/// Writes `next` over the row of `prev`, refusing if the row moved on meanwhile, and keeps the
/// figures of `event`, which made it and which the caller appends.
pub(crate) fn update(
    conn: &Connection,
    id: i64,
    prev: &Case,
    next: &Case,
    event: &Event,
    clocks: &Clocks,
    now: &str,
) -> Result<()> {
    let d = derive(next, clocks);
    let changed = conn
        .prepare_cached(
            "UPDATE cases SET stage = ?1, open = ?2, assignee = ?3, version = ?4, timer = ?5,
                 timer_started = ?6, due = ?7, due_key = ?8, permit_no = ?9, entry_date = ?10,
                 updated_at = ?11, data = ?12
             WHERE id = ?13 AND version = ?14",
        )
        .ctx("preparing the case update")?
        .execute(params![
            next.stage.as_str(),
            next.is_open(),
            next.assignee(),
            next.version,
            d.timer,
            d.timer_started,
            d.due,
            d.due_key,
            next.permit_no,
            next.entry_date,
            now,
            case_row::encode(next)?,
            id,
            prev.version,
        ])
        .ctx(&format!("{}: writing the case", next.case_no))?;
    if changed != 1 {
        return Err(StoreError::StaleVersion {
            case_no: next.case_no.clone(),
            expected: prev.version,
            actual: prev.version + 1,
            last_change: LastChange::WhileWriting,
        });
    }
    if search::index_text(prev) != search::index_text(next) {
        conn.prepare_cached("DELETE FROM case_search WHERE rowid = ?1")
            .ctx("preparing the search update")?
            .execute([id])
            .ctx(&format!("{}: re-indexing the case", next.case_no))?;
        conn.prepare_cached("INSERT INTO case_search (rowid, text) VALUES (?1, ?2)")
            .ctx("preparing the search update")?
            .execute(params![id, search::index_text(next)])
            .ctx(&format!("{}: re-indexing the case", next.case_no))?;
    }
    super::figures::kept::record(conn, id, Some(prev), event, next, clocks)
}

/// A visible case: one of an unfinished import is not there yet (src/store/visibility.rs).
pub(crate) fn load(conn: &Connection, case_no: &str) -> Result<Option<(i64, Case)>> {
    let hidden = Hidden::read(conn)?;
    let sql = format!("SELECT id, {CASE_COLUMNS} FROM cases WHERE case_no = ?1");
    let mut stmt = conn.prepare_cached(&sql).ctx("preparing the case read")?;
    let mut rows = stmt
        .query([case_no])
        .ctx(&format!("{case_no}: reading the case"))?;
    let Some(row) = rows.next().ctx(&format!("{case_no}: reading the case"))? else {
        return Ok(None);
    };
    let id: i64 = row.get(0).ctx(&format!("{case_no}: reading the case"))?;
    if hidden.contains(id) {
        return Ok(None);
    }
    Ok(Some((id, case_row::decode(row, 1)?)))
}

/// The checks INTERFACE.md puts before the input's own, in its order: the user is known and
/// active, the case exists, and it is still at the version and stage the caller expects.
fn current(
    conn: &Connection,
    user: &str,
    case_no: &str,
    expect_version: Option<i64>,
    expect_stage: Option<Stage>,
) -> Result<(Actor, i64, Case)> {
    let actor = users::require_active(conn, user)?;
    let (id, case) = load(conn, case_no)?.ok_or_else(|| StoreError::NotFound {
        case_no: case_no.to_string(),
    })?;
    if let Some(expected) = expect_version {
        if expected != case.version {
            return Err(StoreError::StaleVersion {
                case_no: case.case_no.clone(),
                expected,
                actual: case.version,
                last_change: last_change(conn, id)?,
            });
        }
    }
    if let Some(expected) = expect_stage {
        if expected != case.stage {
            return Err(StoreError::StaleStage {
                case_no: case.case_no.clone(),
                expected,
                actual: case.stage,
                last_change: last_change(conn, id)?,
            });
        }
    }
    Ok((actor, id, case))
}

impl Store {
    /// Runs the checks that outrank invalid input (`current`) without acting: a caller that
    /// found its input invalid reports an unknown case or a stale expectation first.
    pub fn precheck(
        &self,
        user: &str,
        case_no: &str,
        expect_version: Option<i64>,
        expect_stage: Option<Stage>,
    ) -> Result<()> {
        current(&self.conn, user, case_no, expect_version, expect_stage).map(|_| ())
    }
}

/// Who did what when to the case last, from its newest audit event.
fn last_change(conn: &Connection, case_id: i64) -> Result<LastChange> {
    let last: Option<(i64, String, String, String)> = conn
        .query_row(
            "SELECT seq, actor, action, at FROM events WHERE case_id = ?1 ORDER BY seq DESC LIMIT 1",
            [case_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .ctx("reading the case's last change")?;
    let Some((seq, actor, action, at)) = last else {
        return Ok(LastChange::NoHistory);
    };
    let damaged = |what: String| StoreError::Damaged(format!("audit event {seq}: {what}"));
    Ok(LastChange::Event {
        actor,
        action: action
            .parse()
            .map_err(|e: crate::domain::model::UnknownName| damaged(e.to_string()))?,
        at: chrono::DateTime::parse_from_rfc3339(&at)
            .map_err(|e| damaged(format!("its time: {e}")))?,
    })
}

/// What an action asks of the store.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Request {
    pub case_no: String,
    pub user: String,
    pub action: Action,
    pub expect_version: Option<i64>,
    pub expect_stage: Option<Stage>,
    pub today: Option<NaiveDate>,
}

/// A committed action.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    pub case: Case,
    pub event: Event,
    pub seq: i64,
}

struct TxDirectory<'c>(&'c Connection);

impl crate::domain::Directory for TxDirectory<'_> {
    fn actor(&self, name: &str) -> Option<Actor> {
        users::actor(self.0, name).ok().flatten()
    }

    fn issue_number(
        &self,
        series: crate::domain::Series,
        year: i32,
        case_no: &str,
    ) -> Option<String> {
        super::numbers::issue(self.0, series, year, case_no).ok()
    }
}

impl Store {
    /// Takes one action on one case: the identity, version and rules are all checked inside the
    /// write transaction, and the case and its audit event commit together or not at all.
    pub fn act(&mut self, request: Request) -> Result<Outcome> {
        let clock = self.clock(request.today);
        let waiting = format!("{} on {}", request.action.name(), request.case_no);
        self.write(&waiting, |tx, settings, calendar| {
            let (actor, id, case) = current(
                tx,
                &request.user,
                &request.case_no,
                request.expect_version,
                request.expect_stage,
            )?;
            let now = clock.now();
            let clocks = settings.clocks(calendar, now.date_naive());
            let directory = TxDirectory(tx);
            let ctx = Context {
                now,
                clocks,
                directory: &directory,
            };
            let (next, event) = decide(&case, &actor, request.action.clone(), &ctx)?;
            let stamp = now.to_rfc3339();
            update(tx, id, &case, &next, &event, &clocks, &stamp)?;
            let head = chain::append(tx, &chain::head(tx)?, id, &event)?;
            tx.prepare_cached(
                "DELETE FROM drafts WHERE user = ?1 AND case_no = ?2 AND action = ?3",
            )
            .ctx("preparing the draft cleanup")?
            .execute(params![actor.name, case.case_no, event.action.name()])
            .ctx("removing the committed draft")?;
            Ok(Outcome {
                case: next,
                event,
                seq: head.seq,
            })
        })
    }

    /// Opens a new case from a submission, as `user` (the system or an admin).
    pub fn submit(
        &mut self,
        user: &str,
        submission: Submission,
        today: Option<NaiveDate>,
    ) -> Result<Outcome> {
        let clock = self.clock(today);
        let waiting = format!("submitting {}", submission.case_no);
        self.write(&waiting, |tx, settings, calendar| {
            let actor = if user == Actor::SYSTEM {
                Actor::system()
            } else {
                users::require_active(tx, user)?
            };
            let now = clock.now();
            let clocks = settings.clocks(calendar, now.date_naive());
            let directory = TxDirectory(tx);
            let ctx = Context {
                now,
                clocks,
                directory: &directory,
            };
            let (case, event) = submit(submission, &actor, &ctx)?;
            let id = insert(tx, &case, &event, &clocks, &now.to_rfc3339())?;
            let head = chain::append(tx, &chain::head(tx)?, id, &event)?;
            Ok(Outcome {
                case,
                event,
                seq: head.seq,
            })
        })
    }

    pub fn case(&self, case_no: &str) -> Result<Case> {
        load(&self.conn, case_no)?
            .map(|(_, case)| case)
            .ok_or_else(|| StoreError::NotFound {
                case_no: case_no.to_string(),
            })
    }

    /// The case's whole history, oldest first.
    pub fn events(&self, case_no: &str) -> Result<Vec<Event>> {
        let [first, last] = Hidden::read(&self.conn)?.bounds();
        let id: Option<i64> = self
            .conn
            .prepare_cached("SELECT id FROM cases WHERE case_no = ?1 AND id NOT BETWEEN ?2 AND ?3")
            .ctx("preparing the history read")?
            .query_row(params![case_no, first, last], |r| r.get(0))
            .optional()
            .ctx("reading the history")?;
        match id {
            Some(id) => super::event_row::history(&self.conn, id, None),
            None => Ok(Vec::new()),
        }
    }

    /// Writes whole case histories that were produced by the domain (demo, import), in one
    /// transaction per call; the caller keeps calls short.
    pub fn insert_histories(
        &mut self,
        histories: &[EncodedHistory],
        today: NaiveDate,
    ) -> Result<()> {
        // Statement journals in memory (each case insert opens one, for its trigger): on disk
        // they cost bulk writers a third of their time (docs/PERFORMANCE.md).
        self.conn
            .pragma_update(None, "temp_store", "MEMORY")
            .ctx("preparing a bulk write")?;
        self.write("writing a batch of cases", |tx, settings, calendar| {
            let clocks = settings.clocks(calendar, today);
            let mut head: ChainHead = chain::head(tx)?;
            let mut entries = Vec::with_capacity(histories.len());
            let mut figures = Tally::default();
            for history in histories {
                let (case, events) = (&history.case, &history.events);
                let stamp = events
                    .last()
                    .map(|e| e.event().at.to_rfc3339())
                    .unwrap_or_default();
                let id = insert_encoded_row(tx, None, case, &history.data, &clocks, &stamp)?;
                super::numbers::register(tx, case)?;
                entries.push((id, history.search.as_str()));
                let (ledger, _) = Ledger::of(events.iter().map(EncodedEvent::event), &clocks)
                    .ok_or_else(|| StoreError::Invalid {
                        field: "history".into(),
                        message: format!("{}: the history does not replay", case.case_no),
                    })?;
                kept::record_new(tx, id, &ledger, case.category, &mut figures)?;
                for event in events {
                    head = chain::append_encoded(tx, &head, id, event)?;
                }
            }
            index(tx, &entries)?;
            figures.prune();
            kept::flush(tx, &figures)
        })
    }
}

/// Rows with their keyset keys (`id`, `due_key`), which a console pages by: the wire form of a
/// page of rows, where the command line's JSON leaves them out.
pub mod rows_with_keys {
    use super::CaseRow;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Keyed {
        row: CaseRow,
        id: i64,
        due_key: String,
    }

    pub fn serialize<S: Serializer>(rows: &[CaseRow], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(rows.iter().map(|row| Keyed {
            row: row.clone(),
            id: row.id,
            due_key: row.due_key.clone(),
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<CaseRow>, D::Error> {
        Ok(Vec::<Keyed>::deserialize(d)?
            .into_iter()
            .map(|k| CaseRow {
                id: k.id,
                due_key: k.due_key,
                ..k.row
            })
            .collect())
    }
}
