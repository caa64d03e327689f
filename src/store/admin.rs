//! Administrative events: changes of users, roles, settings and the calendar, applied imports and
//! sync batches and resolved conflicts, each linked into the same hash chain as the case events
//! (their own table, sharing its sequence numbers) and written in the transaction that makes the
//! change. `check` rebuilds who could do what from them (domain::authority).

use super::Store;
use super::chain::{self, ChainHead};
use super::error::{Result, SqlContext, StoreError};
use super::meta;
use crate::domain::{
    AdminChange, AdminEvent, AdminKind, AdminRefusal, Policy, SettingsState, UserState, Users,
    check_admin_change,
};
use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// Migration 7's tables; the baseline event is written by [`write_baseline`] in the same
/// transaction.
pub(super) const ADMIN_EVENTS: &str = r#"
CREATE TABLE admin_events (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    change    TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

CREATE INDEX admin_events_by_kind ON admin_events (kind, seq);

CREATE TRIGGER admin_events_no_update BEFORE UPDATE ON admin_events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER admin_events_no_delete BEFORE DELETE ON admin_events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
"#;

fn encode(event: &AdminEvent) -> Result<String> {
    serde_json::to_string(event).map_err(|source| StoreError::Corrupt {
        context: format!("encoding the administrative event {}", event.change.name()),
        source,
    })
}

pub(super) fn decode(seq: i64, payload: &str) -> Result<AdminEvent> {
    serde_json::from_str(payload).map_err(|source| StoreError::Corrupt {
        context: format!("administrative event {seq}"),
        source,
    })
}

/// Links `event` into the chain after `head`.
pub(super) fn append(conn: &Connection, head: &ChainHead, event: &AdminEvent) -> Result<ChainHead> {
    let payload = encode(event)?;
    let seq = head.seq + 1;
    let hash = chain::link_hash(&head.hash, seq, &payload);
    conn.prepare_cached(
        "INSERT INTO admin_events (seq, at, actor, kind, change, payload, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .ctx("preparing the administrative event insert")?
    .execute(params![
        seq,
        event.at.to_rfc3339(),
        event.actor,
        event.change.kind().as_str(),
        event.change.name(),
        payload,
        head.hash,
        hash
    ])
    .ctx("writing the administrative event")?;
    Ok(ChainHead { seq, hash })
}

/// Appends a change by `actor` at `at` at the chain's head.
pub(super) fn record(
    conn: &Connection,
    actor: &str,
    at: DateTime<FixedOffset>,
    change: AdminChange,
) -> Result<ChainHead> {
    let head = chain::head(conn)?;
    append(
        conn,
        &head,
        &AdminEvent {
            at,
            actor: actor.to_string(),
            change,
        },
    )
}

/// The users table as the domain's authority rules see it.
pub(super) fn users_now(conn: &Connection) -> Result<Users> {
    let mut stmt = conn
        .prepare_cached("SELECT name, roles, active FROM users")
        .ctx("reading users")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })
        .ctx("reading users")?;
    let mut users = Users::new();
    for row in rows {
        let (name, roles, active) = row.ctx("reading users")?;
        users.insert(name, (super::users::parse_roles(&roles), active));
    }
    Ok(users)
}

/// The settings as the `meta` table holds them (whatever the administrative history says).
pub(super) fn settings_stored(conn: &Connection) -> Result<SettingsState> {
    let raw = meta::load_stored(conn)?;
    Ok(SettingsState {
        trust_declared_user: raw.trust_declared_user,
        made_by_demo: raw.made_by_demo,
        policy: raw.policy,
    })
}

pub(super) fn store_settings(conn: &Connection, s: &SettingsState) -> Result<()> {
    meta::set(
        conn,
        meta::TRUST_DECLARED_USER,
        if s.trust_declared_user { "1" } else { "0" },
    )?;
    meta::set(
        conn,
        meta::MADE_BY_DEMO,
        if s.made_by_demo { "1" } else { "0" },
    )?;
    let policy = serde_json::to_string(&s.policy).map_err(|source| StoreError::Corrupt {
        context: "encoding the deadline policy".into(),
        source,
    })?;
    meta::set(conn, meta::POLICY, &policy)
}

/// The settings the newest baseline or settings event left, if there is one: what the store
/// runs on, so a flag flipped in the `meta` table without an audited change is not honoured.
pub(super) fn settings_audited(conn: &Connection) -> Result<Option<SettingsState>> {
    let found: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT seq, payload FROM admin_events WHERE kind IN ('baseline', 'settings')
             ORDER BY seq DESC LIMIT 1",
        )
        .ctx("reading the audited settings")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .ctx("reading the audited settings")?;
    let Some((seq, payload)) = found else {
        return Ok(None);
    };
    match decode(seq, &payload)?.change {
        AdminChange::Baseline { settings, .. } => Ok(Some(settings)),
        AdminChange::Settings { after, .. } => Ok(Some(after)),
        _ => Err(StoreError::Damaged(format!(
            "administrative event {seq} is filed as settings but is not"
        ))),
    }
}

/// Migration 7: one baseline event recording users, roles and settings as they stand. A new,
/// empty store needs none: its authority starts empty, with the default settings.
pub(super) fn write_baseline(conn: &Connection) -> Result<()> {
    let used: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM events)",
            [],
            |r| r.get(0),
        )
        .ctx("reading the store before its baseline")?;
    if !used {
        return Ok(());
    }
    let users = users_now(conn)?
        .into_iter()
        .map(|(name, (roles, active))| UserState {
            name,
            roles,
            active,
        })
        .collect();
    let settings = settings_stored(conn)?;
    let zone = meta::load_stored(conn)?.office_tz;
    // Migration 7 runs before case events became compact (migration 12).
    let head = chain::head_before_compact(conn)?;
    append(
        conn,
        &head,
        &AdminEvent {
            at: chrono::Utc::now().with_timezone(&zone).fixed_offset(),
            actor: crate::domain::Actor::SYSTEM.to_string(),
            change: AdminChange::Baseline { users, settings },
        },
    )?;
    Ok(())
}

/// Asks the domain whether `by` may make `change` now, in the store's words and exit codes.
pub(super) fn permit(conn: &Connection, by: &str, change: &AdminChange) -> Result<()> {
    check_admin_change(&users_now(conn)?, by, change).map_err(|refusal| match refusal {
        AdminRefusal::NoSuchUser(name) => StoreError::NoSuchUser(name),
        AdminRefusal::UserExists(name) => StoreError::UserExists(name),
        other => StoreError::NotPermitted(other.to_string()),
    })
}

/// One line of `permitdesk log`.
#[derive(Debug, Clone, Serialize)]
pub struct AdminLogEntry {
    pub seq: i64,
    pub kind: AdminKind,
    #[serde(flatten)]
    pub event: AdminEvent,
}

/// An administrative event as stored, for `check`.
pub(super) struct AdminRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub change: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Every administrative event in chain order (they are few: changes, batches, imports).
pub(super) fn all(conn: &Connection) -> Result<Vec<AdminRow>> {
    conn.prepare(
        "SELECT seq, at, actor, kind, change, payload, prev_hash, hash FROM admin_events
         ORDER BY seq",
    )
    .ctx("reading the administrative events")?
    .query_map([], |r| {
        Ok(AdminRow {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            kind: r.get(3)?,
            change: r.get(4)?,
            payload: r.get(5)?,
            prev_hash: r.get(6)?,
            hash: r.get(7)?,
        })
    })
    .ctx("reading the administrative events")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .ctx("reading the administrative events")
}

impl Store {
    /// Administrative events, newest first: those on or after `since` (office-local days), of
    /// `kind` (a baseline counts as both `user` and `settings`).
    pub fn admin_log(
        &self,
        since: Option<NaiveDate>,
        kind: Option<AdminKind>,
    ) -> Result<Vec<AdminLogEntry>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, payload FROM admin_events
                 WHERE (?1 IS NULL OR kind = ?1 OR (kind = 'baseline' AND ?1 IN ('user', 'settings')))
                 ORDER BY seq DESC",
            )
            .ctx("reading the administrative log")?;
        let rows = stmt
            .query_map([kind.map(|k| k.as_str())], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .ctx("reading the administrative log")?;
        let tz = self.settings.office_tz;
        let mut out = Vec::new();
        for row in rows {
            let (seq, payload) = row.ctx("reading the administrative log")?;
            let event = decode(seq, &payload)?;
            if since.is_some_and(|day| event.at.with_timezone(&tz).date_naive() < day) {
                continue;
            }
            out.push(AdminLogEntry {
                seq,
                kind: event.change.kind(),
                event,
            });
        }
        Ok(out)
    }

    /// Changes the store's settings (admins only), audited; nothing is written when nothing
    /// changes.
    pub fn change_settings(
        &mut self,
        by: &str,
        now: DateTime<FixedOffset>,
        edit: impl FnOnce(&mut SettingsState),
    ) -> Result<()> {
        self.write("changing the store's settings", |tx, _, _| {
            let before = settings_audited(tx)?.unwrap_or_default();
            let mut after = before.clone();
            edit(&mut after);
            if after == before {
                return Ok(());
            }
            let change = AdminChange::Settings { before, after };
            permit(tx, by, &change)?;
            if let AdminChange::Settings { after, .. } = &change {
                store_settings(tx, after)?;
            }
            record(tx, by, now, change)?;
            Ok(())
        })?;
        self.settings = meta::load(&self.conn)?;
        Ok(())
    }

    /// Replaces the deadline and four-eyes policy (admins only), audited.
    pub fn set_policy(&mut self, by: &str, policy: Policy, today: Option<NaiveDate>) -> Result<()> {
        let now = self.clock(today).now();
        self.change_settings(by, now, |s| s.policy = policy)?;
        self.refresh_deadlines_if_rules_changed()
    }
}
