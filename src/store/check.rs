//! `check`: proves the store is what its history says. The audit chain is verified link by link,
//! and every case is rebuilt from its events through the domain and compared with the stored row.

use super::Store;
use super::admin;
use super::cases::{decode, derive};
use super::chain::{self, ChainHead};
use super::error::{Result, SqlContext};
use super::meta;
use crate::domain::{AdminEvent, Authority, Event, Role, Violation, apply};
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    pub schema_version: i64,
    pub cases: u64,
    /// Case events.
    pub events: u64,
    /// Administrative events (src/store/admin.rs), in the same chain.
    pub admin_events: u64,
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
        let mut authority = Authority::new();
        let mut violations = Vec::new();
        self.check_chain(&mut report, anchor, &mut authority, &mut violations)?;
        // Authority is replayed only over a whole chain: a broken one is reported as such.
        let whole = report.ok();
        self.check_cases(
            &mut report,
            today,
            whole.then_some(&authority),
            &mut violations,
        )?;
        // Every authority violation, in chain order, before the state that follows from them.
        violations.sort_by_key(|v| v.seq);
        let extra = violations.len().saturating_sub(MAX_PROBLEMS);
        let mut found: Vec<String> = violations
            .iter()
            .take(MAX_PROBLEMS)
            .map(|v| v.to_string())
            .collect();
        if extra > 0 {
            found.push(format!("... and {extra} more authority violations"));
        }
        if whole {
            // Chain problems stay first; authority violations come before what follows from them.
            found.append(&mut report.problems);
            report.problems = found;
            self.check_authority_state(&mut report, &authority)?;
        }
        self.check_counts(&mut report)?;
        if let Some(warning) = self.calendar.missing_year_warning(today) {
            report.warnings.push(warning);
        }
        Ok(report)
    }

    fn check_chain(
        &self,
        report: &mut CheckReport,
        anchor: Option<&ChainAnchor>,
        authority: &mut Authority,
        violations: &mut Vec<Violation>,
    ) -> Result<()> {
        let key = match anchor {
            Some(_) => match self.anchor_key()? {
                Some(key) => Some(key),
                None => {
                    report.problems.push(format!(
                        "cannot verify the anchor: the anchor key {} is missing (restore it from its backup; without it no anchor can be verified, though the chain itself still checks)",
                        self.anchor_key_path().display()
                    ));
                    return Ok(());
                }
            },
            None => None,
        };
        let mut admin_rows = admin::all(&self.conn)?.into_iter().peekable();
        let mut stmt = self
            .conn
            .prepare("SELECT seq, case_no, at, actor, action, payload, prev_hash, hash FROM events ORDER BY seq")
            .ctx("reading the audit chain")?;
        let mut rows = stmt.query([]).ctx("reading the audit chain")?;
        let mut walk = Walk {
            head: ChainHead::genesis(),
            anchor,
            key: key.as_deref(),
            anchor_seen: false,
        };
        loop {
            let row = rows.next().ctx("reading the audit chain")?;
            let next_case_seq = match row {
                Some(r) => Some(r.get::<_, i64>(0).ctx("reading the audit chain")?),
                None => None,
            };
            // Administrative events before this case event, in chain order.
            while let Some(a) = admin_rows.next_if(|a| next_case_seq.is_none_or(|s| a.seq < s)) {
                report.admin_events += 1;
                let name = format!("administrative event {}", a.seq);
                if let Err(problem) = walk.link(&name, a.seq, &a.payload, &a.prev_hash, &a.hash) {
                    report.problems.push(problem);
                    return Ok(());
                }
                match serde_json::from_str::<AdminEvent>(&a.payload) {
                    Ok(event) => {
                        let from_payload = (
                            event.at.to_rfc3339(),
                            event.actor.clone(),
                            event.change.kind().as_str(),
                            event.change.name(),
                        );
                        if (
                            a.at.clone(),
                            a.actor.clone(),
                            a.kind.as_str(),
                            a.change.as_str(),
                        ) != from_payload
                        {
                            report.problems.push(format!(
                                "{name}: its columns disagree with its hashed content"
                            ));
                            return Ok(());
                        }
                        if let Err(v) = authority.record(a.seq, &event) {
                            violations.push(v);
                        }
                    }
                    Err(e) => {
                        report
                            .problems
                            .push(format!("{name}: unreadable content: {e}"));
                        return Ok(());
                    }
                }
            }
            let Some(r) = row else { break };
            let seq: i64 = r.get(0).ctx("reading the audit chain")?;
            let case_no: String = r.get(1).ctx("reading the audit chain")?;
            let payload: String = r.get(5).ctx("reading the audit chain")?;
            let prev_hash: String = r.get(6).ctx("reading the audit chain")?;
            let hash: String = r.get(7).ctx("reading the audit chain")?;
            report.events += 1;
            let name = format!("audit event {seq} ({case_no})");
            if let Err(problem) = walk.link(&name, seq, &payload, &prev_hash, &hash) {
                report.problems.push(problem);
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
        }
        let head = walk.head;
        if let Some(anchor) = anchor {
            if !walk.anchor_seen {
                report.problems.push(format!(
                    "the audit chain ends at event {} but the anchor names event {}: events were removed",
                    head.seq, anchor.seq
                ));
            }
        }
        report.chain_head = Some(format!("{}:{}", head.seq, head.hash));
        Ok(())
    }

    /// The users table and the stored settings against what the administrative history gives.
    fn check_authority_state(&self, report: &mut CheckReport, authority: &Authority) -> Result<()> {
        let stored = admin::users_now(&self.conn)?;
        let audited = authority.users();
        for (name, (roles, active)) in &stored {
            match audited.get(name) {
                None => report.problems.push(format!(
                    "user {name}: in the users table but never added by an administrative event"
                )),
                Some((r, a)) if r != roles || a != active => report.problems.push(format!(
                    "user {name}: the users table says {} ({}), the administrative history says {} ({})",
                    roles_text(roles),
                    if *active { "active" } else { "disabled" },
                    roles_text(r),
                    if *a { "active" } else { "disabled" },
                )),
                Some(_) => {}
            }
        }
        for name in audited.keys().filter(|n| !stored.contains_key(*n)) {
            report.problems.push(format!(
                "user {name}: added by the administrative history but missing from the users table"
            ));
        }
        let settings = admin::settings_stored(&self.conn)?;
        let want = authority.settings();
        if settings.trust_declared_user != want.trust_declared_user {
            report.problems.push(format!(
                "settings: the stored trust_declared_user is {}, the administrative history says {} (the stored value is not honoured)",
                settings.trust_declared_user, want.trust_declared_user
            ));
        }
        if settings.policy != want.policy {
            report.problems.push(
                "settings: the stored policy differs from the one the administrative history gives (the stored one is not honoured)"
                    .into(),
            );
        }
        Ok(())
    }

    /// Replays each case's events (streamed in case order) and compares with the stored row.
    fn check_cases(
        &self,
        report: &mut CheckReport,
        today: NaiveDate,
        authority: Option<&Authority>,
        violations: &mut Vec<Violation>,
    ) -> Result<()> {
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
            .prepare("SELECT case_id, seq, payload FROM events ORDER BY case_id, seq")
            .ctx("reading events")?;
        let mut event_rows = events.query([]).ctx("reading events")?;
        let mut pending: Option<(i64, i64, String)> = None;
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
                            e.get(2).ctx("reading events")?,
                        )),
                        None => None,
                    },
                };
                let Some((case_id, seq, payload)) = next else {
                    break;
                };
                if case_id != id {
                    if case_id < id {
                        broken.get_or_insert_with(|| {
                            format!("an audit event belongs to no case (case id {case_id})")
                        });
                        continue;
                    }
                    pending = Some((case_id, seq, payload));
                    break;
                }
                if broken.is_some() {
                    continue;
                }
                match serde_json::from_str::<Event>(&payload) {
                    Ok(event) => match apply(replayed.as_ref(), &event) {
                        Ok(case) => {
                            if let Some(Err(v)) =
                                authority.map(|a| a.verify(seq, replayed.as_ref(), &event))
                            {
                                violations.push(v);
                            }
                            replayed = Some(case);
                        }
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
            "{}:{}",
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
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Walks the chain link by link (case and administrative events alike).
struct Walk<'a> {
    head: ChainHead,
    anchor: Option<&'a ChainAnchor>,
    key: Option<&'a [u8]>,
    anchor_seen: bool,
}

impl Walk<'_> {
    /// Checks one link; the first broken one ends the walk with its problem.
    fn link(
        &mut self,
        name: &str,
        seq: i64,
        payload: &str,
        prev_hash: &str,
        hash: &str,
    ) -> std::result::Result<(), String> {
        if seq != self.head.seq + 1 {
            return Err(format!(
                "{name}: follows event {} in the chain: {} event(s) missing or inserted",
                self.head.seq,
                (seq - self.head.seq - 1).abs()
            ));
        }
        if prev_hash != self.head.hash {
            return Err(format!(
                "{name}: does not link to the event before it (chain broken here)"
            ));
        }
        if chain::link_hash(prev_hash, seq, payload) != hash {
            return Err(format!(
                "{name}: its content does not match its hash (edited after it was written)"
            ));
        }
        let here = ChainHead {
            seq,
            hash: hash.to_string(),
        };
        if let (Some(anchor), Some(key)) = (self.anchor, self.key) {
            if anchor.seq == seq {
                self.anchor_seen = true;
                if chain::anchor_mac(key, &here) != anchor.mac {
                    return Err(format!(
                        "{name}: differs from the anchor exported earlier (the chain was rewritten, or the anchor was made with another key)"
                    ));
                }
            }
        }
        self.head = here;
        Ok(())
    }
}

/// A keyed anchor exported earlier (`SEQ:HMAC`, the last line of every outbox file), for proving
/// the chain was not truncated or rebuilt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainAnchor {
    pub seq: i64,
    /// HMAC-SHA-256 of the chain head at `seq` under the store's anchor key, hex.
    pub mac: String,
}

impl ChainAnchor {
    /// `SEQ:HMAC`, or the path of an outbox file, whose last line is its anchor.
    pub fn from_arg(arg: &str) -> std::result::Result<ChainAnchor, String> {
        let path = std::path::Path::new(arg);
        if arg.contains(':') || !path.is_file() {
            return arg.parse();
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("{arg}: {e}"))?;
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let line: serde_json::Value = serde_json::from_str(last)
            .map_err(|_| format!("{arg}: its last line is not an outbox anchor"))?;
        let head = &line["chain_head"];
        match (head["seq"].as_i64(), head["hmac"].as_str()) {
            (Some(seq), Some(mac)) => format!("{seq}:{mac}").parse(),
            _ => Err(format!(
                "{arg}: its last line is not an outbox anchor ({{\"chain_head\": {{\"seq\", \"hmac\"}}}})"
            )),
        }
    }
}

impl std::str::FromStr for ChainAnchor {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let (seq, hash) = s
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("anchor \"{s}\" should be SEQ:HMAC"))?;
        let seq = seq
            .parse()
            .map_err(|_| format!("anchor sequence \"{seq}\" is not a number"))?;
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err("anchor HMAC should be 64 hex digits".into());
        }
        Ok(ChainAnchor {
            seq,
            mac: hash.to_ascii_lowercase(),
        })
    }
}
