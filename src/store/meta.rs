//! Store-wide settings kept in the `meta` table, shared by every user of the store.

use super::error::{Result, SqlContext, StoreError};
use crate::domain::Policy;
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, params};

pub const OFFICE_TZ: &str = "office_tz";
pub const TRUST_DECLARED_USER: &str = "trust_declared_user";
pub const MADE_BY_DEMO: &str = "made_by_demo";
pub const POLICY: &str = "policy";
pub const RULES_FINGERPRINT: &str = "rules_fingerprint";
/// The holiday calendar the store runs on (its TOML), and where it was installed from.
pub const CALENDAR: &str = "calendar";
pub const CALENDAR_SOURCE: &str = "calendar_source";
pub const CALENDAR_FINGERPRINT: &str = "calendar_fingerprint";
/// A random identity given by migration 6.
pub const STORE_ID: &str = "store_id";

#[derive(Debug, Clone)]
pub struct Settings {
    pub office_tz: Tz,
    /// `--as` and `--today` are honoured (demo and training stores, or forced-command deployments).
    pub trust_declared_user: bool,
    pub made_by_demo: bool,
    pub policy: Policy,
}

impl Settings {
    /// The deadline rules of this store on `today`, with `calendar`.
    pub fn clocks<'a>(
        &'a self,
        calendar: &'a crate::domain::Calendar,
        today: chrono::NaiveDate,
    ) -> crate::domain::Clocks<'a> {
        crate::domain::Clocks {
            calendar,
            policy: &self.policy,
            today,
        }
    }
}

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .ctx("reading the store settings")
}

pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )
    .ctx("saving a store setting")?;
    Ok(())
}

/// The settings the store runs on: the `meta` table's office zone, with the trust flag, the demo
/// mark and the policy as the newest audited change left them (src/store/admin.rs, the defaults
/// before any), so a value written into the table by hand is not honoured; `check` reports the
/// difference.
pub fn load(conn: &Connection) -> Result<Settings> {
    let mut settings = load_stored(conn)?;
    // No baseline nor settings event: a store created with the defaults and never changed.
    let audited = super::admin::settings_audited(conn)?.unwrap_or_default();
    settings.trust_declared_user = audited.trust_declared_user;
    settings.made_by_demo = audited.made_by_demo;
    settings.policy = audited.policy;
    Ok(settings)
}

/// The settings exactly as the `meta` table holds them.
pub fn load_stored(conn: &Connection) -> Result<Settings> {
    let office_tz = match get(conn, OFFICE_TZ)? {
        None => chrono_tz::Asia::Shanghai,
        Some(name) => name.parse::<Tz>().map_err(|_| {
            StoreError::Damaged(format!(
                "the store's office time zone \"{}\" is not a time zone name",
                crate::text::sanitize_line(&name)
            ))
        })?,
    };
    let policy = match get(conn, POLICY)? {
        None => Policy::default(),
        Some(json) => serde_json::from_str(&json).map_err(|source| StoreError::Corrupt {
            context: "the store's deadline policy".into(),
            source,
        })?,
    };
    Ok(Settings {
        office_tz,
        trust_declared_user: get(conn, TRUST_DECLARED_USER)?.as_deref() == Some("1"),
        made_by_demo: get(conn, MADE_BY_DEMO)?.as_deref() == Some("1"),
        policy,
    })
}
