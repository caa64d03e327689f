//! The audit chain: every event's hash covers the previous event's hash, its sequence number and
//! its content, so an edit, deletion or insertion anywhere breaks every later link.
//!
//! Two link formats share the chain (src/store/event_row.rs): administrative events and case
//! events written before schema version 12 hash their JSON payload after the previous hash in
//! hex ([`link_hash`]); case events since hash their columns after the previous hash's 32 bytes
//! ([`link_digest`]). A head is always named by its hash in hex.

use super::error::{Result, SqlContext, StoreError};
use super::event_row::{StoredText, role_code, stage_code};
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

/// One stored field of a compact case event, as its digest covers it.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    Null,
    Int(i64),
    Text(&'a [u8]),
}

/// The fields of a compact case event that its digest covers, in this order: case_id, at,
/// actor, role, from_stage, to_stage, action, number, late, payload. Each is hashed with its
/// kind and length, so no two different rows hash the same bytes.
pub type DigestFields<'a> = [Field<'a>; 10];

/// The link of a case event written since schema version 12: SHA-256 over the previous head's
/// 32 bytes, the sequence number and every stored field (see [`DigestFields`]).
pub fn link_digest(prev: &[u8; 32], seq: i64, fields: &DigestFields<'_>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"permitdesk event 2|");
    hasher.update(prev);
    hasher.update(seq.to_be_bytes());
    for field in fields {
        match field {
            Field::Null => hasher.update([0u8]),
            Field::Int(n) => {
                hasher.update([1u8]);
                hasher.update(n.to_be_bytes());
            }
            Field::Text(bytes) => {
                hasher.update([2u8]);
                hasher.update((bytes.len() as u64).to_be_bytes());
                hasher.update(bytes);
            }
        }
    }
    hasher.finalize().into()
}

/// A head's hash as 32 bytes; `None` for text that is not 64 hex digits.
pub fn digest_of(hash_hex: &str) -> Option<[u8; 32]> {
    let mut digest = [0u8; 32];
    hex::decode_to_slice(hash_hex, &mut digest).ok()?;
    Some(digest)
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
    read_head(
        conn,
        "SELECT seq, hash FROM (SELECT seq, coalesce(hash, lower(hex(digest))) AS hash
                                FROM events ORDER BY seq DESC LIMIT 1)
         UNION ALL
         SELECT seq, hash FROM (SELECT seq, hash FROM admin_events ORDER BY seq DESC LIMIT 1)
         ORDER BY seq DESC LIMIT 1",
    )
}

/// The head while case events have only hex links: for a migration before 12 (the baseline of
/// migration 7), when `events` has no `digest` column yet.
pub(super) fn head_before_compact(conn: &Connection) -> Result<ChainHead> {
    read_head(
        conn,
        "SELECT seq, hash FROM (SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1)
         UNION ALL
         SELECT seq, hash FROM (SELECT seq, hash FROM admin_events ORDER BY seq DESC LIMIT 1)
         ORDER BY seq DESC LIMIT 1",
    )
}

fn read_head(conn: &Connection, sql: &str) -> Result<ChainHead> {
    let head = conn
        .prepare_cached(sql)
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
    text: StoredText,
}

impl EncodedEvent {
    pub fn new(event: Event) -> Result<EncodedEvent> {
        Ok(EncodedEvent {
            text: StoredText::of(&event)?,
            event,
        })
    }

    pub fn event(&self) -> &Event {
        &self.event
    }
}

/// A whole case history for a bulk writer ([`crate::store::Store::insert_histories`]): its
/// events, its row's `data` and its search text all encoded beforehand, on the producer's
/// thread, so that the writer's thread only hashes and inserts.
pub struct EncodedHistory {
    pub(super) case: crate::domain::Case,
    pub(super) events: Vec<EncodedEvent>,
    pub(super) data: String,
    pub(super) search: String,
}

impl EncodedHistory {
    pub fn new(case: crate::domain::Case, events: Vec<Event>) -> Result<EncodedHistory> {
        // Sized once: collecting through `?` would grow it by doubling, moving every event.
        let mut encoded = Vec::with_capacity(events.len());
        for event in events {
            encoded.push(EncodedEvent::new(event)?);
        }
        Ok(EncodedHistory {
            events: encoded,
            data: super::case_row::encode(&case)?,
            search: super::search::index_text(&case),
            case,
        })
    }

    pub fn events(&self) -> usize {
        self.events.len()
    }
}

/// Appends `event` for case `case_id` after `head` and returns the new head.
pub fn append(
    conn: &Connection,
    head: &ChainHead,
    case_id: i64,
    event: &Event,
) -> Result<ChainHead> {
    insert(conn, head, case_id, event, &StoredText::of(event)?)
}

pub fn append_encoded(
    conn: &Connection,
    head: &ChainHead,
    case_id: i64,
    encoded: &EncodedEvent,
) -> Result<ChainHead> {
    insert(conn, head, case_id, &encoded.event, &encoded.text)
}

fn insert(
    conn: &Connection,
    head: &ChainHead,
    case_id: i64,
    event: &Event,
    text: &StoredText,
) -> Result<ChainHead> {
    let seq = head.seq + 1;
    let prev = digest_of(&head.hash).ok_or_else(|| {
        StoreError::Damaged(format!(
            "the audit chain's head (event {}) has no readable hash; run `permitdesk check`",
            head.seq
        ))
    })?;
    let role = role_code(event.role);
    let from = event.from.map(stage_code);
    let to = stage_code(event.to);
    let action = event.action.name();
    let late = event.late.then_some(1_i64);
    let fields: DigestFields<'_> = [
        Field::Int(case_id),
        Field::Text(text.at.as_bytes()),
        Field::Text(event.actor.as_bytes()),
        Field::Int(role),
        from.map_or(Field::Null, Field::Int),
        Field::Int(to),
        Field::Text(action.as_bytes()),
        event
            .number
            .as_deref()
            .map_or(Field::Null, |n| Field::Text(n.as_bytes())),
        late.map_or(Field::Null, Field::Int),
        Field::Text(text.fields.as_bytes()),
    ];
    let digest = link_digest(&prev, seq, &fields);
    conn.prepare_cached(
        "INSERT INTO events (seq, case_id, at, actor, role, from_stage, to_stage, action, number,
                             late, payload, digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )
    .ctx("preparing the audit insert")?
    .execute(params![
        seq,
        case_id,
        text.at,
        event.actor,
        role,
        from,
        to,
        action,
        event.number,
        late,
        text.payload,
        digest.as_slice()
    ])
    .ctx(&format!("{}: writing the audit event", event.case_no))?;
    Ok(ChainHead {
        seq,
        hash: hex::encode(digest),
    })
}

/// `STORE.anchor-key` beside the store file.
pub fn anchor_key_path(store: &std::path::Path) -> std::path::PathBuf {
    let mut name = store.as_os_str().to_os_string();
    name.push(".anchor-key");
    std::path::PathBuf::from(name)
}
