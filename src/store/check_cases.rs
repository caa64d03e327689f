//! `check`'s replay of the cases: each case's events, streamed in case order, through the
//! domain and the authority the administrative events give, compared with the stored row and
//! its kept figures. It runs over a range of case ids on a connection of its own, so the store's
//! cases can be replayed in parts side by side (src/store/check.rs).

use super::case_row::{self, CASE_COLUMNS};
use super::cases::derive;
use super::error::{Result, SqlContext};
use super::event_row::{self, EVENT_COLUMNS};
use super::figures::ledger::{Ledger, Tally};
use super::numbers::HeldNumbers;
use super::stale_rules::StaleCases;
use crate::domain::{Authority, Case, Clocks, Event, Policy, Violation, apply};
use chrono::NaiveDate;
use rusqlite::Connection;

/// At most this many case problems are listed; the rest are counted.
pub(super) const MAX_PROBLEMS: usize = 50;

/// What the replay gathers from every case for the rules that look across cases.
#[derive(Default)]
pub(super) struct Gathered {
    pub ledgers: Tally,
    pub numbers: HeldNumbers,
    pub stale: StaleCases,
}

/// What one part of the replay needs.
#[derive(Clone, Copy)]
pub(super) struct Part<'a> {
    pub conn: &'a Connection,
    pub clocks: &'a Clocks<'a>,
    pub policy: &'a Policy,
    pub authority: Option<&'a Authority>,
}

/// What one part of the replay found.
#[derive(Default)]
pub(super) struct CasesChecked {
    pub cases: u64,
    /// The first [`MAX_PROBLEMS`] problems, in case order.
    pub problems: Vec<String>,
    pub problem_count: usize,
    pub violations: Vec<Violation>,
    pub gathered: Gathered,
}

impl CasesChecked {
    /// Adds what the part after this one found.
    pub fn append(&mut self, later: CasesChecked) {
        self.cases += later.cases;
        let room = MAX_PROBLEMS.saturating_sub(self.problems.len());
        self.problems.extend(later.problems.into_iter().take(room));
        self.problem_count += later.problem_count;
        self.violations.extend(later.violations);
        self.gathered.ledgers.merge(later.gathered.ledgers);
        self.gathered.numbers.merge(later.gathered.numbers);
        self.gathered.stale.merge(later.gathered.stale);
    }

    /// The listed problems, with a line for those only counted.
    pub fn problem_lines(&self) -> Vec<String> {
        let mut lines = self.problems.clone();
        if self.problem_count > MAX_PROBLEMS {
            lines.push(format!(
                "... and {} more case problems",
                self.problem_count - MAX_PROBLEMS
            ));
        }
        lines
    }
}

/// The cases whose ids are in `ids` (inclusive), replayed on `part.conn`.
pub(super) fn check_cases(part: &Part<'_>, ids: (i64, i64)) -> Result<CasesChecked> {
    let Part {
        conn,
        clocks,
        policy,
        authority,
    } = *part;
    let mut out = CasesChecked::default();
    let CasesChecked {
        cases: checked,
        problems: listed,
        problem_count: problems,
        violations,
        gathered,
    } = &mut out;
    {
        let mut cases = conn
            .prepare(&format!(
                "SELECT id, case_no, stage, open, assignee, version, timer, timer_started, due, due_key, data,
                        applicant_name, name_native, passport_no, employer_name, employer_uscc,
                        category, (SELECT ledger FROM case_figures WHERE case_id = cases.id),
                        permit_no, {CASE_COLUMNS}
                 FROM cases WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
            ))
            .ctx("reading cases")?;
        let mut events = conn
            .prepare(&format!(
                "SELECT e.case_id, e.seq, {EVENT_COLUMNS} FROM events e
                 WHERE e.case_id BETWEEN ?1 AND ?2 ORDER BY e.case_id, e.seq"
            ))
            .ctx("reading events")?;
        let mut event_rows = events.query([ids.0, ids.1]).ctx("reading events")?;
        let mut pending: Option<(i64, i64, std::result::Result<Event, String>)> = None;
        let mut case_rows = cases.query([ids.0, ids.1]).ctx("reading cases")?;
        while let Some(r) = case_rows.next().ctx("reading cases")? {
            *checked += 1;
            let id: i64 = r.get(0).ctx("reading cases")?;
            let case_no: String = r.get(1).ctx("reading cases")?;
            let mut replayed = None;
            let mut broken = None;
            let mut ledger = Ledger::default();
            let mut derived_number = false;
            loop {
                let next = match pending.take() {
                    Some(p) => Some(p),
                    None => match event_rows.next().ctx("reading events")? {
                        Some(e) => {
                            let seq = e.get(1).ctx("reading events")?;
                            Some((
                                e.get(0).ctx("reading events")?,
                                seq,
                                event_row::decode(e, 2, seq).map_err(|e| e.to_string()),
                            ))
                        }
                        None => None,
                    },
                };
                let Some((case_id, seq, decoded)) = next else {
                    break;
                };
                if case_id != id {
                    if case_id < id {
                        broken.get_or_insert_with(|| {
                            format!("an audit event belongs to no case (case id {case_id})")
                        });
                        continue;
                    }
                    pending = Some((case_id, seq, decoded));
                    break;
                }
                if broken.is_some() {
                    continue;
                }
                match decoded {
                    // The case row an event is filed under is the one column its link does not
                    // cover; the case number it names is covered.
                    Ok(event) if event.case_no != case_no => {
                        broken = Some(format!(
                            "audit event {seq} of {} is filed under this case",
                            event.case_no
                        ))
                    }
                    Ok(event) => match apply(replayed.as_ref(), &event) {
                        Ok(case) => {
                            if let Some(Err(v)) =
                                authority.map(|a| a.verify(seq, replayed.as_ref(), &event))
                            {
                                violations.push(v);
                            }
                            ledger.step(replayed.as_ref(), &event, &case, clocks);
                            derived_number |= HeldNumbers::derived_by(&event, &case);
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
                *problems += 1;
                if *problems <= MAX_PROBLEMS {
                    listed.push(format!("{case_no}: {what}"));
                }
            };
            let kept = r
                .get::<_, Option<Vec<u8>>>(17)
                .ctx("reading cases")?
                .and_then(|bytes| Ledger::decode(&bytes));
            let category = r.get::<_, String>(16).ctx("reading cases")?.parse().ok();
            let (Some(replayed), None) = (replayed, &broken) else {
                if let (Some(kept), Some(category)) = (&kept, category) {
                    gathered.ledgers.add(kept, category, 1);
                }
                complain(broken.unwrap_or_else(|| "has no history".into()));
                continue;
            };
            gathered.ledgers.add(&ledger, replayed.category, 1);
            if kept.as_ref() != Some(&ledger) {
                complain("its kept figures disagree with its history".into());
            }
            let stored = match case_row::decode(r, 19) {
                Ok(c) => c,
                Err(e) => {
                    complain(e.to_string());
                    continue;
                }
            };
            // Numbers as the store holds them: a stored number the history does not give is
            // named below as well.
            let permit_no: Option<String> = r.get(18).ctx("reading cases")?;
            gathered
                .numbers
                .observe(&stored, permit_no.as_deref(), derived_number);
            gathered.stale.observe(&stored, policy);
            if stored != replayed {
                complain(format!(
                    "the stored case differs from its replayed history in {} (stored stage {}, version {}; history gives {}, version {})",
                    differing_fields(&stored, &replayed).join(", "),
                    stored.stage,
                    stored.version,
                    replayed.stage,
                    replayed.version
                ));
                continue;
            }
            let d = derive(&replayed, clocks);
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
                && r.get::<_, String>(15).ctx("reading cases")? == replayed.employer.uscc
                && permit_no == replayed.permit_no;
            if !shown_ok {
                complain(
                    "its case number, name, passport, employer or permit columns disagree with its history"
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
            listed.push("audit events exist for a case that is not in the store".into());
        }
    }
    Ok(out)
}

/// The names of the case's fields in which `stored` and `replayed` differ, so that a problem
/// says where they part even when their stage and version agree.
fn differing_fields(stored: &Case, replayed: &Case) -> Vec<String> {
    use serde_json::Value;
    match (serde_json::to_value(stored), serde_json::to_value(replayed)) {
        (Ok(Value::Object(a)), Ok(Value::Object(b))) => {
            let mut names: Vec<String> = a
                .iter()
                .filter(|(k, v)| b.get(*k) != Some(*v))
                .map(|(k, _)| k.clone())
                .collect();
            names.extend(b.keys().filter(|k| !a.contains_key(*k)).cloned());
            names
        }
        _ => vec!["fields that do not encode".into()],
    }
}
