//! `check`: proves the store is what its history says. The audit chain is verified link by link,
//! and every case is rebuilt from its events through the domain and compared with the stored row.

use super::Store;
use super::cases::{decode, derive};
use super::chain::{self, ChainHead};
use super::error::{Result, SqlContext};
use super::meta;
use crate::domain::{Event, apply};
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    pub schema_version: i64,
    pub cases: u64,
    pub events: u64,
    pub chain_head: Option<String>,
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Stops collecting after this many problems of one kind; the first one is what matters.
const MAX_PROBLEMS: usize = 50;

impl Store {
    pub fn check(&self, today: NaiveDate, anchor: Option<&ChainAnchor>) -> Result<CheckReport> {
        let mut report = CheckReport {
            schema_version: super::schema::version(&self.conn)?,
            ..CheckReport::default()
        };
        let integrity: String = self
            .conn
            .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
            .ctx("running SQLite's integrity check")?;
        if integrity != "ok" {
            report
                .problems
                .push(format!("SQLite integrity: {integrity}"));
            return Ok(report);
        }
        if report.schema_version != super::CURRENT_VERSION {
            report.problems.push(format!(
                "schema version {} (expected {})",
                report.schema_version,
                super::CURRENT_VERSION
            ));
        }
        self.check_chain(&mut report, anchor)?;
        self.check_cases(&mut report, today)?;
        self.check_counts(&mut report)?;
        self.check_numbers(&mut report)?;
        self.check_stale_rules(&mut report)?;
        if let Some(warning) = self.calendar.missing_year_warning(today) {
            report.warnings.push(warning);
        }
        Ok(report)
    }

    fn check_chain(&self, report: &mut CheckReport, anchor: Option<&ChainAnchor>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, case_no, at, actor, action, payload, prev_hash, hash FROM events ORDER BY seq")
            .ctx("reading the audit chain")?;
        let mut rows = stmt.query([]).ctx("reading the audit chain")?;
        let mut head = ChainHead::genesis();
        let mut anchor_seen = false;
        while let Some(r) = rows.next().ctx("reading the audit chain")? {
            let seq: i64 = r.get(0).ctx("reading the audit chain")?;
            let case_no: String = r.get(1).ctx("reading the audit chain")?;
            let payload: String = r.get(5).ctx("reading the audit chain")?;
            let prev_hash: String = r.get(6).ctx("reading the audit chain")?;
            let hash: String = r.get(7).ctx("reading the audit chain")?;
            report.events += 1;
            let name = format!("audit event {seq} ({case_no})");
            if seq != head.seq + 1 {
                report.problems.push(format!(
                    "{name}: follows event {} in the chain: {} event(s) missing or inserted",
                    head.seq,
                    (seq - head.seq - 1).abs()
                ));
                return Ok(());
            }
            if prev_hash != head.hash {
                report.problems.push(format!(
                    "{name}: does not link to the event before it (chain broken here)"
                ));
                return Ok(());
            }
            if chain::link_hash(&prev_hash, seq, &payload) != hash {
                report.problems.push(format!(
                    "{name}: its content does not match its hash (edited after it was written)"
                ));
                return Ok(());
            }
            match serde_json::from_str::<Event>(&payload) {
                Ok(event) => {
                    let columns = (
                        case_no.as_str(),
                        r.get::<_, String>(2).ctx("reading the audit chain")?,
                        r.get::<_, String>(3).ctx("reading the audit chain")?,
                        r.get::<_, String>(4).ctx("reading the audit chain")?,
                    );
                    let from_payload = (
                        event.case_no.as_str(),
                        event.at.to_rfc3339(),
                        event.actor.clone(),
                        event.action.name().to_string(),
                    );
                    if columns != from_payload {
                        report.problems.push(format!(
                            "{name}: its columns disagree with its hashed content"
                        ));
                        return Ok(());
                    }
                }
                Err(e) => {
                    report
                        .problems
                        .push(format!("{name}: unreadable content: {e}"));
                    return Ok(());
                }
            }
            if let Some(anchor) = anchor {
                if anchor.seq == seq {
                    anchor_seen = true;
                    if anchor.hash != hash {
                        report.problems.push(format!(
                            "{name}: differs from the anchor exported earlier (the chain was rewritten)"
                        ));
                        return Ok(());
                    }
                }
            }
            head = ChainHead { seq, hash };
        }
        if let Some(anchor) = anchor {
            if !anchor_seen {
                report.problems.push(format!(
                    "the audit chain ends at event {} but the anchor names event {}: events were removed",
                    head.seq, anchor.seq
                ));
            }
        }
        report.chain_head = Some(format!("{}:{}", head.seq, head.hash));
        Ok(())
    }

    /// Replays each case's events (streamed in case order) and compares with the stored row.
    fn check_cases(&self, report: &mut CheckReport, today: NaiveDate) -> Result<()> {
        let clocks = self.clocks(today);
        let mut cases = self
            .conn
            .prepare(
                "SELECT id, case_no, stage, open, assignee, version, timer, timer_started, due, due_key, data,
                        applicant_name, name_native, passport_no, employer_name, employer_uscc
                 FROM cases ORDER BY id",
            )
            .ctx("reading cases")?;
        let mut events = self
            .conn
            .prepare("SELECT case_id, payload FROM events ORDER BY case_id, seq")
            .ctx("reading events")?;
        let mut event_rows = events.query([]).ctx("reading events")?;
        let mut pending: Option<(i64, String)> = None;
        let mut case_rows = cases.query([]).ctx("reading cases")?;
        let mut problems = 0usize;
        while let Some(r) = case_rows.next().ctx("reading cases")? {
            report.cases += 1;
            let id: i64 = r.get(0).ctx("reading cases")?;
            let case_no: String = r.get(1).ctx("reading cases")?;
            let mut replayed = None;
            let mut broken = None;
            loop {
                let next = match pending.take() {
                    Some(p) => Some(p),
                    None => match event_rows.next().ctx("reading events")? {
                        Some(e) => Some((
                            e.get(0).ctx("reading events")?,
                            e.get(1).ctx("reading events")?,
                        )),
                        None => None,
                    },
                };
                let Some((case_id, payload)) = next else {
                    break;
                };
                if case_id != id {
                    if case_id < id {
                        broken.get_or_insert_with(|| {
                            format!("an audit event belongs to no case (case id {case_id})")
                        });
                        continue;
                    }
                    pending = Some((case_id, payload));
                    break;
                }
                if broken.is_some() {
                    continue;
                }
                match serde_json::from_str::<Event>(&payload) {
                    Ok(event) => match apply(replayed.as_ref(), &event) {
                        Ok(case) => replayed = Some(case),
                        Err(refusal) => {
                            broken = Some(format!("its history does not replay: {refusal}"))
                        }
                    },
                    Err(e) => broken = Some(format!("an event is unreadable: {e}")),
                }
            }
            let mut complain = |what: String| {
                problems += 1;
                if problems <= MAX_PROBLEMS {
                    report.problems.push(format!("{case_no}: {what}"));
                }
            };
            if let Some(why) = broken {
                complain(why);
                continue;
            }
            let Some(replayed) = replayed else {
                complain("has no history".into());
                continue;
            };
            let stored = match decode(&case_no, &r.get::<_, String>(10).ctx("reading cases")?) {
                Ok(c) => c,
                Err(e) => {
                    complain(e.to_string());
                    continue;
                }
            };
            if stored != replayed {
                complain(format!(
                    "the stored case differs from its replayed history (stored stage {}, version {}; history gives {}, version {})",
                    stored.stage, stored.version, replayed.stage, replayed.version
                ));
                continue;
            }
            let d = derive(&replayed, &clocks);
            let columns_ok = r.get::<_, String>(2).ctx("reading cases")? == replayed.stage.as_str()
                && r.get::<_, bool>(3).ctx("reading cases")? == replayed.is_open()
                && r.get::<_, Option<String>>(4)
                    .ctx("reading cases")?
                    .as_deref()
                    == replayed.assignee()
                && r.get::<_, i64>(5).ctx("reading cases")? == replayed.version;
            if !columns_ok {
                complain("its stage, assignee or version columns disagree with its history".into());
                continue;
            }
            // What the queues and search show comes from these columns, not from `data`.
            let shown_ok = case_no == replayed.case_no
                && r.get::<_, String>(11).ctx("reading cases")? == replayed.applicant.name
                && r.get::<_, Option<String>>(12).ctx("reading cases")?
                    == replayed.applicant.name_native
                && r.get::<_, String>(13).ctx("reading cases")? == replayed.applicant.passport_no
                && r.get::<_, String>(14).ctx("reading cases")? == replayed.employer.name
                && r.get::<_, String>(15).ctx("reading cases")? == replayed.employer.uscc;
            if !shown_ok {
                complain(
                    "its case number, name, passport or employer columns disagree with its history"
                        .into(),
                );
                continue;
            }
            let due_ok = r
                .get::<_, Option<String>>(6)
                .ctx("reading cases")?
                .as_deref()
                == d.timer
                && r.get::<_, Option<NaiveDate>>(7).ctx("reading cases")? == d.timer_started
                && r.get::<_, Option<NaiveDate>>(8).ctx("reading cases")? == d.due
                && r.get::<_, String>(9).ctx("reading cases")? == d.due_key;
            if !due_ok {
                complain(format!(
                    "its stored deadline disagrees with the one recomputed from the calendar (should be {} due {})",
                    d.timer.unwrap_or("none"),
                    d.due.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
                ));
            }
        }
        if pending.is_some() || event_rows.next().ctx("reading events")?.is_some() {
            report
                .problems
                .push("audit events exist for a case that is not in the store".into());
        }
        if problems > MAX_PROBLEMS {
            report.problems.push(format!(
                "... and {} more case problems",
                problems - MAX_PROBLEMS
            ));
        }
        Ok(())
    }

    fn check_counts(&self, report: &mut CheckReport) -> Result<()> {
        let mismatched: Vec<String> = self
            .conn
            .prepare(
                "SELECT s.stage FROM (SELECT stage, count(*) AS n FROM cases GROUP BY stage) s
                 LEFT JOIN stage_counts k ON k.stage = s.stage WHERE coalesce(k.n, 0) <> s.n",
            )
            .ctx("checking tab counts")?
            .query_map([], |r| r.get(0))
            .ctx("checking tab counts")?
            .collect::<rusqlite::Result<_>>()
            .ctx("checking tab counts")?;
        for stage in mismatched {
            report.problems.push(format!(
                "the kept count of stage {stage} disagrees with the cases"
            ));
        }
        Ok(())
    }

    /// Recomputes every stored due date when the calendar or the policy changed since the last
    /// time this store was opened, in short transactions so consoles never wait long.
    pub(crate) fn refresh_deadlines_if_rules_changed(&mut self) -> Result<()> {
        let fingerprint = format!(
            "{}:{}:{}",
            crate::domain::deadline::RULES_VERSION,
            self.calendar.fingerprint(),
            serde_json::to_string(&self.settings.policy).unwrap_or_default()
        );
        if meta::get(&self.conn, meta::RULES_FINGERPRINT)?.as_deref() == Some(fingerprint.as_str())
        {
            return Ok(());
        }
        let today = self.clock(None).today();
        let mut after = 0i64;
        // Each batch is read inside the transaction that rewrites it, so an action committed
        // between two batches is never overwritten with what was read before it.
        while let Some(last) = self.write(
            "recomputing deadlines after a calendar change",
            |tx, settings, calendar| {
                let batch: Vec<(i64, String, String)> = tx
                    .prepare_cached("SELECT id, case_no, data FROM cases WHERE id > ?1 AND open = 1 ORDER BY id LIMIT 2000")
                    .ctx("reading cases to recompute deadlines")?
                    .query_map([after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .ctx("reading cases to recompute deadlines")?
                    .collect::<rusqlite::Result<_>>()
                    .ctx("reading cases to recompute deadlines")?;
                let clocks = crate::domain::Clocks {
                    calendar,
                    policy: &settings.policy,
                    today,
                };
                let mut stmt = tx
                    .prepare_cached("UPDATE cases SET timer = ?1, timer_started = ?2, due = ?3, due_key = ?4 WHERE id = ?5")
                    .ctx("preparing the deadline update")?;
                for (id, case_no, json) in &batch {
                    let case = decode(case_no, json)?;
                    let d = derive(&case, &clocks);
                    stmt.execute(rusqlite::params![d.timer, d.timer_started, d.due, d.due_key, id])
                        .ctx("recomputing a deadline")?;
                }
                Ok(batch.last().map(|(id, _, _)| *id))
            },
        )? {
            after = last;
        }
        self.write("recording the deadline rules", |tx, _, _| {
            meta::set(tx, meta::RULES_FINGERPRINT, &fingerprint)
        })
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.write(&format!("saving the setting {key}"), |tx, _, _| {
            meta::set(tx, key, value)
        })?;
        self.settings = meta::load(&self.conn)?;
        Ok(())
    }
}

/// A chain head exported earlier (`SEQ:HASH`), for proving the chain was not truncated or rebuilt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainAnchor {
    pub seq: i64,
    pub hash: String,
}

impl std::str::FromStr for ChainAnchor {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let (seq, hash) = s
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("anchor \"{s}\" should be SEQ:HASH"))?;
        let seq = seq
            .parse()
            .map_err(|_| format!("anchor sequence \"{seq}\" is not a number"))?;
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err("anchor hash should be 64 hex digits".into());
        }
        Ok(ChainAnchor {
            seq,
            hash: hash.to_ascii_lowercase(),
        })
    }
}
