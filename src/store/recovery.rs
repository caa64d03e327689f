//! What a recovery asks of a store: where its audit chain ends and when, and which events came
//! after a moment (the newest position of its replica). Every acknowledged action is an event
//! of the chain, so the chain is what a replica is measured against.

use super::Store;
use super::error::{Result, SqlContext};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

/// The newest event of the audit chain (case or administrative) and the time it records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainPosition {
    pub seq: i64,
    pub hash: String,
    pub at: String,
}

impl ChainPosition {
    pub fn time(&self) -> Option<DateTime<FixedOffset>> {
        DateTime::parse_from_rfc3339(&self.at).ok()
    }
}

/// The events recorded after a moment: how many, and the oldest one's time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EventsSince {
    pub count: u64,
    /// More than `count` were there; the walk stopped at its limit.
    pub more: bool,
    pub oldest_at: Option<String>,
}

/// How far back `events_since` walks: a replica that far behind is far behind whatever the
/// exact count.
const EVENTS_SINCE_LIMIT: u64 = 100_000;

/// Both chains' events, newest first (they share one numbering): a merge of the two tables'
/// row orders, never a sort.
const NEWEST_FIRST: &str = "SELECT seq, coalesce(hash, lower(hex(digest))), at FROM events
     UNION ALL SELECT seq, hash, at FROM admin_events
     ORDER BY seq DESC";

const HEAD: &str = "SELECT seq, coalesce(hash, lower(hex(digest))), at FROM events
     UNION ALL SELECT seq, hash, at FROM admin_events
     ORDER BY seq DESC LIMIT 1";

impl Store {
    /// The head of the audit chain with its time; `None` for a store without events.
    pub fn chain_position(&self) -> Result<Option<ChainPosition>> {
        let mut stmt = self
            .conn
            .prepare_cached(HEAD)
            .ctx("reading the audit chain's head")?;
        let mut rows = stmt.query([]).ctx("reading the audit chain's head")?;
        let Some(row) = rows.next().ctx("reading the audit chain's head")? else {
            return Ok(None);
        };
        Ok(Some(ChainPosition {
            seq: row.get(0).ctx("reading the audit chain's head")?,
            hash: row.get(1).ctx("reading the audit chain's head")?,
            at: row.get(2).ctx("reading the audit chain's head")?,
        }))
    }

    /// The events whose recorded time is after `since`, walking back from the head until one is
    /// not (events are recorded in time order, except upstream's, which carry upstream's time).
    pub fn events_since(&self, since: DateTime<FixedOffset>) -> Result<EventsSince> {
        let mut stmt = self
            .conn
            .prepare_cached(NEWEST_FIRST)
            .ctx("reading the newest events")?;
        let mut rows = stmt.query([]).ctx("reading the newest events")?;
        let mut found = EventsSince::default();
        while let Some(row) = rows.next().ctx("reading the newest events")? {
            let at: String = row.get(2).ctx("reading the newest events")?;
            let after = DateTime::parse_from_rfc3339(&at).is_ok_and(|t| t > since);
            if !after {
                break;
            }
            if found.count == EVENTS_SINCE_LIMIT {
                found.more = true;
                break;
            }
            found.count += 1;
            found.oldest_at = Some(at);
        }
        Ok(found)
    }
}
