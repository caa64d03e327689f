//! The holiday calendar belongs to the store, not to whoever opens it: deadlines are stored for
//! the queues' indexes, so every process sharing a store must count working days alike. A store
//! records the calendar it was created with; only an admin replaces it (`calendar install`),
//! and every open case's deadline is recomputed in the same step.

use super::error::{Result, StoreError};
use super::{Store, meta, users};
use crate::domain::Calendar;
use rusqlite::Connection;

/// The calendar a store runs on, if it has recorded one yet.
pub(super) fn stored(conn: &Connection) -> Result<Option<Calendar>> {
    let Some(text) = meta::get(conn, meta::CALENDAR)? else {
        return Ok(None);
    };
    let source = meta::get(conn, meta::CALENDAR_SOURCE)?.unwrap_or_default();
    Calendar::from_toml_str(&text, &source)
        .map(Some)
        .map_err(|e| StoreError::Damaged(format!("the store's holiday calendar: {e}")))
}

fn record(conn: &Connection, calendar: &Calendar) -> Result<()> {
    meta::set(conn, meta::CALENDAR, calendar.text())?;
    meta::set(conn, meta::CALENDAR_SOURCE, calendar.source())?;
    meta::set(conn, meta::CALENDAR_FINGERPRINT, &calendar.fingerprint())
}

/// The store's calendar when it is no longer `known` (its fingerprint): an admin installed
/// another since this process read it. Read inside every write, so no writer computes a deadline
/// with a calendar the store has replaced.
pub(super) fn replaced(conn: &Connection, known: &str) -> Result<Option<(Calendar, String)>> {
    match meta::get(conn, meta::CALENDAR_FINGERPRINT)? {
        Some(fingerprint) if fingerprint != known => {
            Ok(stored(conn)?.map(|calendar| (calendar, fingerprint)))
        }
        _ => Ok(None),
    }
}

impl Store {
    /// Records the calendar this store was opened with, the first time it is opened for writing
    /// (a new store, or one made before stores kept their calendar); if another process recorded
    /// one first, that one is adopted.
    pub(super) fn record_calendar_if_missing(&mut self) -> Result<()> {
        let offered = self.calendar.clone();
        let recorded_first = self.write("recording the holiday calendar", |tx, _, _| {
            let found = stored(tx)?;
            if found.is_none() {
                record(tx, &offered)?;
            }
            Ok(found)
        })?;
        if let Some(stored) = recorded_first {
            if stored.fingerprint() != offered.fingerprint() {
                self.offered_calendar = Some(offered.source().to_string());
            }
            self.calendar_fingerprint = stored.fingerprint();
            self.calendar = stored;
        }
        Ok(())
    }

    /// Replaces the store's calendar (admins only) and recomputes every open case's deadline.
    pub fn install_calendar(&mut self, by: &str, calendar: Calendar) -> Result<()> {
        let now = self.clock(None).now();
        self.write("installing a holiday calendar", |tx, _, _| {
            users::require_admin_to(tx, by, "installing a holiday calendar")?;
            let change = crate::domain::AdminChange::CalendarInstall {
                source: calendar.source().to_string(),
                before: meta::get(tx, meta::CALENDAR_FINGERPRINT)?.unwrap_or_default(),
                after: calendar.fingerprint(),
            };
            super::admin::permit(tx, by, &change)?;
            record(tx, &calendar)?;
            super::admin::record(tx, by, now, change)?;
            Ok(())
        })?;
        self.calendar_fingerprint = calendar.fingerprint();
        self.calendar = calendar;
        self.offered_calendar = None;
        self.refresh_deadlines_if_rules_changed()
    }

    /// Switches to the store's calendar if an admin replaced it since this process read it: for
    /// long-running readers (the console polls it), whose writes already do this themselves.
    pub fn follow_calendar(&mut self) -> Result<()> {
        if let Some((calendar, fingerprint)) = replaced(&self.conn, &self.calendar_fingerprint)? {
            self.calendar = calendar;
            self.calendar_fingerprint = fingerprint;
        }
        Ok(())
    }

    /// Where the calendar this process offered came from, when the store runs on another one
    /// (the store's is used).
    pub fn offered_calendar(&self) -> Option<&str> {
        self.offered_calendar.as_deref()
    }
}
