//! `check`: proves the store is what its history says. The audit chain is verified link by link,
//! and every case is rebuilt from its events through the domain and compared with the stored row.

use super::Store;
use super::admin;
use super::chain;
use super::check_cases::{CasesChecked, MAX_PROBLEMS, Part, check_cases};
pub use super::check_chain::ChainAnchor;
use super::check_chain::{self, ChainBreak};
use super::error::{Result, SqlContext, StoreError};
use super::figures::kept;
use super::visibility::Hidden;
use crate::domain::{AdminEvent, Authority, Role, Violation};
use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags};
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
    /// Where the chain breaks, if it does.
    pub chain_break: Option<ChainBreak>,
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What the replay of cases and authority found.
struct Replay {
    violations: Vec<Violation>,
    problems: Vec<String>,
    /// The users table and stored settings against the history.
    state_problems: Vec<String>,
    /// The kept figures' sums against what the histories give.
    figure_problems: Vec<String>,
    /// The numbers the cases hold against each other and the register.
    numbers: CheckReport,
    /// What older versions' rules left in the decoded cases.
    stale: CheckReport,
    cases: u64,
}

/// A check thread's result; a panic in it is a failure of the check, not a finding.
fn joined<T>(result: std::thread::Result<Result<T>>) -> Result<T> {
    result.unwrap_or_else(|_| Err(StoreError::Damaged("a check thread stopped".into())))
}

/// SQLite's own check of the file.
fn integrity_check(conn: &Connection) -> Result<String> {
    conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .ctx("running SQLite's integrity check")
}

/// `check` reads the whole file: mapped, its pages are not copied out of the page cache one
/// `read` at a time (a tenth of its time on a million cases).
const CHECK_MMAP_BYTES: i64 = 1 << 40;

impl Store {
    /// Checks the whole store. SQLite's integrity check and the walk of the chain each run on a
    /// read-only connection of their own, in threads beside the replay of cases and authority on
    /// this one: on a million cases the three take about as long each, and check stays within
    /// a minute on two cores (docs/PERFORMANCE.md). A store opened read-only does them in turn.
    pub fn check(&self, today: NaiveDate, anchor: Option<&ChainAnchor>) -> Result<CheckReport> {
        self.check_with_key(today, anchor, &self.anchor_key_path())
    }

    /// `check`, verifying `anchor` with the key in `key_path` rather than the one beside the
    /// store: a restored copy has none beside it (the key is kept off the store's disk).
    pub fn check_with_key(
        &self,
        today: NaiveDate,
        anchor: Option<&ChainAnchor>,
        key_path: &std::path::Path,
    ) -> Result<CheckReport> {
        let mut report = CheckReport {
            schema_version: super::schema::version(&self.conn)?,
            ..CheckReport::default()
        };
        let key = match anchor {
            Some(_) => super::anchor::read_key(key_path)?,
            None => None,
        };
        let side = self.side_connection().ok().zip(self.side_connection().ok());
        let (integrity, chain, cases) = std::thread::scope(|scope| {
            let chain_anchor = if key.is_some() { anchor } else { None };
            match side {
                Some((first, second)) => {
                    let integrity = scope.spawn(move || integrity_check(&first));
                    let key = key.as_deref();
                    let chain = scope.spawn(move || check_chain::walk(&second, chain_anchor, key));
                    let cases = self.replay(today);
                    (joined(integrity.join()), joined(chain.join()), cases)
                }
                None => (
                    integrity_check(&self.conn),
                    check_chain::walk(&self.conn, chain_anchor, key.as_deref()),
                    self.replay(today),
                ),
            }
        });
        // A damaged file is all there is to say, whatever the other readers met.
        let integrity = integrity?;
        if integrity != "ok" {
            report
                .problems
                .push(format!("SQLite integrity: {integrity}"));
            return Ok(report);
        }
        let chain = chain?;
        let Replay {
            mut violations,
            problems: case_problems,
            state_problems,
            figure_problems,
            numbers,
            stale,
            cases,
        } = cases?;
        if report.schema_version != super::CURRENT_VERSION {
            report.problems.push(format!(
                "schema version {} (expected {})",
                report.schema_version,
                super::CURRENT_VERSION
            ));
        }
        if anchor.is_some() && key.is_none() {
            report.problems.push(format!(
                "cannot verify the anchor: the anchor key {} is missing (restore it from its backup; without it no anchor can be verified, though the chain itself still checks)",
                key_path.display()
            ));
        }
        report.events = chain.events;
        report.admin_events = chain.admin_events;
        report.chain_head = chain.head;
        report.chain_break = chain.broken;
        report.cases = cases;
        // Authority is judged only over a whole chain: a broken one is reported as such.
        let whole = chain.problems.is_empty();
        report.problems.extend(chain.problems);
        if whole {
            // Every authority violation, in chain order, before the state that follows from them.
            violations.sort_by_key(|v| v.seq);
            let extra = violations.len().saturating_sub(MAX_PROBLEMS);
            report
                .problems
                .extend(violations.iter().take(MAX_PROBLEMS).map(|v| v.to_string()));
            if extra > 0 {
                report
                    .problems
                    .push(format!("... and {extra} more authority violations"));
            }
        }
        report.problems.extend(case_problems);
        report.problems.extend(figure_problems);
        if whole {
            report.problems.extend(state_problems);
        }
        self.check_counts(&mut report)?;
        report
            .problems
            .extend(super::review::check_steps(&self.conn)?);
        for found in [numbers, stale] {
            report.problems.extend(found.problems);
            report.warnings.extend(found.warnings);
        }
        self.check_stale_rules(&mut report)?;
        // Checked as it stands: a store opened only to read is not brought up to date first.
        if !self.rules_current()? {
            report.warnings.push(
                "the stored deadlines were computed with other rules than this permitdesk's (an \
                 older version's, or a calendar or policy change not finished): a deadline \
                 reported as disagreeing may be only that; open the store once with `permitdesk \
                 serve` or any write command to recompute them"
                    .into(),
            );
        }
        if let Some(warning) = self.calendar.missing_year_warning(today) {
            report.warnings.push(warning);
        }
        report.warnings.extend(
            self.unfinished_batches()?
                .iter()
                .map(|b| format!("{b}; {}", b.how_to_finish())),
        );
        Ok(report)
    }

    /// Another read-only connection to this store, for one part of `check`.
    fn side_connection(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&self.path, flags)
            .ctx("opening a second connection for check")?;
        super::wait_when_busy(&mut conn).ctx("opening a second connection for check")?;
        conn.pragma_update(None, "query_only", "ON")
            .ctx("opening a second connection for check")?;
        conn.pragma_update(None, "mmap_size", CHECK_MMAP_BYTES)
            .ctx("opening a second connection for check")?;
        // A store this process may only read as immutable (no -shm can be made beside it) opens
        // here but cannot be read: then check reads on its one connection.
        conn.query_row("PRAGMA user_version", [], |_| Ok(()))
            .ctx("opening a second connection for check")?;
        Ok(conn)
    }

    /// Every case replayed through the domain, and its events through the authority the
    /// administrative events give, in one read transaction so both see the same store.
    fn replay(&self, today: NaiveDate) -> Result<Replay> {
        self.conn
            .pragma_update(None, "mmap_size", CHECK_MMAP_BYTES)
            .ctx("starting check's read")?;
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .ctx("starting check's read")?;
        let result = self.replay_in_transaction(today);
        let end = self.conn.execute_batch("COMMIT").ctx("ending check's read");
        let unmapped = self
            .conn
            .pragma_update(None, "mmap_size", 0)
            .ctx("ending check's read");
        let replay = result?;
        end?;
        unmapped?;
        Ok(replay)
    }

    fn replay_in_transaction(&self, today: NaiveDate) -> Result<Replay> {
        let mut authority = Authority::new();
        let mut violations = Vec::new();
        for row in admin::all(&self.conn)? {
            // An unreadable one is named by the walk of the chain.
            if let Ok(event) = serde_json::from_str::<AdminEvent>(&row.payload) {
                if let Err(v) = authority.record(row.seq, &event) {
                    violations.push(v);
                }
            }
        }
        let clocks = self.clocks(today);
        let here = Part {
            conn: &self.conn,
            clocks: &clocks,
            policy: &self.settings.policy,
            authority: Some(&authority),
        };
        let checked = match self.second_replayer()? {
            Some(side) => self.replay_in_two(&here, side)?,
            None => check_cases(&here, (i64::MIN, i64::MAX))?,
        };
        violations.extend(checked.violations.iter().cloned());
        let problems = checked.problem_lines();
        let cases = checked.cases;
        let gathered = checked.gathered;
        let super::check_cases::Gathered {
            mut ledgers,
            numbers: held,
            stale: stale_cases,
        } = gathered;
        ledgers.prune();
        // The sums and the register read in the same transaction as the histories they are
        // compared with.
        let figure_problems = kept::compare(&self.conn, &ledgers)?;
        let mut numbers = CheckReport::default();
        held.check(&self.conn, &mut numbers)?;
        let mut stale = CheckReport::default();
        stale_cases.report(&mut stale);
        // The users table read in the same transaction as the history it is compared with.
        let mut state = CheckReport::default();
        self.check_authority_state(&mut state, &authority)?;
        Ok(Replay {
            violations,
            problems,
            state_problems: state.problems,
            figure_problems,
            numbers,
            stale,
            cases,
        })
    }

    /// A second connection reading the very state this one reads (the same chain head, which
    /// every write moves), for replaying half the cases beside it; `None` where there is none.
    fn second_replayer(&self) -> Result<Option<Connection>> {
        let Ok(side) = self.side_connection() else {
            return Ok(None);
        };
        side.execute_batch("BEGIN DEFERRED")
            .ctx("starting check's second read")?;
        if chain::head(&side)? == chain::head(&self.conn)? {
            Ok(Some(side))
        } else {
            // A write came between the two reads: one replay does it all.
            side.execute_batch("COMMIT")
                .ctx("ending check's second read")?;
            Ok(None)
        }
    }

    /// The cases replayed in two halves by id, the later half on `side` in a thread of its own.
    fn replay_in_two(&self, here: &Part<'_>, side: Connection) -> Result<CasesChecked> {
        let (low, high): (i64, i64) = self
            .conn
            .query_row(
                "SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM cases",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("reading cases")?;
        let middle = low + (high - low) / 2;
        let (clocks, policy, authority) = (here.clocks, here.policy, here.authority);
        let (first, later) = std::thread::scope(|scope| {
            let later = scope.spawn(move || {
                let there = Part {
                    conn: &side,
                    clocks,
                    policy,
                    authority,
                };
                let checked = check_cases(&there, (middle + 1, i64::MAX));
                let end = side
                    .execute_batch("COMMIT")
                    .ctx("ending check's second read");
                checked.and_then(|c| end.map(|()| c))
            });
            (check_cases(here, (i64::MIN, middle)), joined(later.join()))
        });
        let mut checked = first?;
        checked.append(later?);
        Ok(checked)
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

    /// The kept tab counts against the visible cases: an unfinished import's are added when it
    /// finishes (src/store/visibility.rs).
    fn check_counts(&self, report: &mut CheckReport) -> Result<()> {
        let hidden = Hidden::read(&self.conn)?.bounds();
        let mismatched: Vec<String> = self
            .conn
            .prepare(
                "SELECT s.stage FROM (SELECT stage, count(*) AS n FROM cases
                     WHERE cases.id NOT BETWEEN ?1 AND ?2 GROUP BY stage) s
                 LEFT JOIN stage_counts k ON k.stage = s.stage WHERE coalesce(k.n, 0) <> s.n",
            )
            .ctx("checking tab counts")?
            .query_map(hidden, |r| r.get(0))
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
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}
