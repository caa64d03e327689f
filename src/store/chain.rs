//! The audit chain: every event's hash covers the previous event's hash, its sequence number and
//! its payload, so an edit, deletion or insertion anywhere breaks every later link.

use super::error::{Result, SqlContext, StoreError};
use crate::domain::Event;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The newest link of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl ChainHead {
    pub fn genesis() -> ChainHead {
        ChainHead {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

pub fn link_hash(prev_hash: &str, seq: i64, payload: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"|");
    hasher.update(seq.to_string().as_bytes());
    hasher.update(b"|");
    hasher.update(payload.as_bytes());
    hex::encode(hasher.finalize())
}

pub fn head(conn: &Connection) -> Result<ChainHead> {
    let head = conn
        .query_row(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                Ok(ChainHead {
                    seq: r.get(0)?,
                    hash: r.get(1)?,
                })
            },
        )
        .optional()
        .ctx("reading the audit chain's head")?;
    Ok(head.unwrap_or_else(ChainHead::genesis))
}

/// An audit event with its payload already encoded, so that a bulk writer's thread only hashes
/// and inserts while another thread does the encoding.
pub struct EncodedEvent {
    event: Event,
    at: String,
    payload: String,
}

impl EncodedEvent {
    pub fn new(event: Event) -> Result<EncodedEvent> {
        let payload = encode(&event)?;
        Ok(EncodedEvent {
            at: event.at.to_rfc3339(),
            event,
            payload,
        })
    }

    pub fn event(&self) -> &Event {
        &self.event
    }
}

fn encode(event: &Event) -> Result<String> {
    serde_json::to_string(event).map_err(|source| StoreError::Corrupt {
        context: format!("{}: encoding the audit event", event.case_no),
        source,
    })
}

/// Appends `event` for case `case_id` after `head` and returns the new head.
pub fn append(
    conn: &Connection,
    head: &ChainHead,
    case_id: i64,
    event: &Event,
) -> Result<ChainHead> {
    let payload = encode(event)?;
    insert(conn, head, case_id, event, &event.at.to_rfc3339(), &payload)
}

pub fn append_encoded(
    conn: &Connection,
    head: &ChainHead,
    case_id: i64,
    encoded: &EncodedEvent,
) -> Result<ChainHead> {
    insert(
        conn,
        head,
        case_id,
        &encoded.event,
        &encoded.at,
        &encoded.payload,
    )
}

fn insert(
    conn: &Connection,
    head: &ChainHead,
    case_id: i64,
    event: &Event,
    at: &str,
    payload: &str,
) -> Result<ChainHead> {
    let seq = head.seq + 1;
    let hash = link_hash(&head.hash, seq, payload);
    conn.prepare_cached(
        "INSERT INTO events (seq, case_id, case_no, at, actor, action, payload, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .ctx("preparing the audit insert")?
    .execute(params![
        seq,
        case_id,
        event.case_no,
        at,
        event.actor,
        event.action.name(),
        payload,
        head.hash,
        hash
    ])
    .ctx(&format!("{}: writing the audit event", event.case_no))?;
    Ok(ChainHead { seq, hash })
}
