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

/// Whether `hash` (hex) is the link hash of `payload` at `seq` after `prev_hash`, without
/// formatting one: `check` asks this of every event.
pub fn link_hash_is(prev_hash: &str, seq: i64, payload: &str, hash: &str) -> bool {
    let mut stored = [0u8; 32];
    if hex::decode_to_slice(hash, &mut stored).is_err() {
        return false;
    }
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"|");
    hasher.update(seq.to_string().as_bytes());
    hasher.update(b"|");
    hasher.update(payload.as_bytes());
    hasher.finalize().as_slice() == stored
}

pub fn head(conn: &Connection) -> Result<ChainHead> {
    // Case events and administrative events (src/store/admin.rs) share one chain.
    let head = conn
        .prepare_cached(
            "SELECT seq, hash FROM (SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1)
             UNION ALL
             SELECT seq, hash FROM (SELECT seq, hash FROM admin_events ORDER BY seq DESC LIMIT 1)
             ORDER BY seq DESC LIMIT 1",
        )
        .ctx("preparing the audit chain's head")?
        .query_row([], |r| {
            Ok(ChainHead {
                seq: r.get(0)?,
                hash: r.get(1)?,
            })
        })
        .optional()
        .ctx("reading the audit chain's head")?;
    Ok(head.unwrap_or_else(ChainHead::genesis))
}

/// The HMAC-SHA-256, under the store's anchor key, of a chain head: an anchor that proves the
/// chain had this head without letting anyone who lacks the key make one for a rewritten chain.
pub fn anchor_mac(key: &[u8], head: &ChainHead) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = match hmac::Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes a key of any length; this arm is never taken.
        Err(_) => return String::new(),
    };
    mac.update(b"permitdesk anchor|");
    mac.update(head.seq.to_string().as_bytes());
    mac.update(b"|");
    mac.update(head.hash.as_bytes());
    hex::encode(mac.finalize().into_bytes())
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

/// `STORE.anchor-key` beside the store file.
pub fn anchor_key_path(store: &std::path::Path) -> std::path::PathBuf {
    let mut name = store.as_os_str().to_os_string();
    name.push(".anchor-key");
    std::path::PathBuf::from(name)
}
