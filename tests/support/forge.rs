//! What an insider who can write the store file and knows the hashing scheme would do to the
//! audit chain: relink it after an edit. Written from the format as documented
//! (src/store/chain.rs, src/store/event_row.rs), not with the library's own functions, so a test
//! that forges with it also checks that the format is what the documentation says.
//!
//! Two link formats: administrative events and case events written before schema 12 keep
//! `prev_hash` and `hash` in hex over their JSON `payload`; compact case events keep a 32-byte
//! `digest` over their columns.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

/// The hex link of an administrative event or an old case event.
pub fn link_hash(prev: &str, seq: i64, payload: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"|");
    h.update(seq.to_string().as_bytes());
    h.update(b"|");
    h.update(payload.as_bytes());
    hex::encode(h.finalize())
}

/// The raw-content zstd dictionary packed payloads are compressed with (src/store/packed.rs).
const PAYLOAD_DICTIONARY: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/store/payload-dictionary.txt"
));

/// The text of a stored payload: a text as it is, a blob unpacked as one zstd frame with the
/// payload dictionary.
pub fn payload_text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Text(t) => String::from_utf8(t.to_vec()).expect("UTF-8"),
        ValueRef::Blob(packed) => {
            let text = zstd::bulk::Decompressor::with_dictionary(PAYLOAD_DICTIONARY)
                .expect("a decompressor")
                .decompress(packed, 1 << 20)
                .expect("a packed payload");
            String::from_utf8(text).expect("UTF-8")
        }
        other => panic!("a payload of type {other:?}"),
    }
}

/// `text` packed as permitdesk packs a payload.
pub fn pack_payload(text: &str) -> Vec<u8> {
    zstd::bulk::Compressor::with_dictionary(3, PAYLOAD_DICTIONARY)
        .expect("a compressor")
        .compress(text.as_bytes())
        .expect("packed")
}

/// Every packed payload stored as its text instead (its link does not change: links cover the
/// text), so that an insider's edit of a payload is a plain text replace. Needs the update
/// trigger dropped.
pub fn unpack_payloads(conn: &Connection) {
    let packed: Vec<(i64, String)> = conn
        .prepare("SELECT seq, payload FROM events WHERE typeof(payload) = 'blob'")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, payload_text(r.get_ref(1)?))))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (seq, text) in packed {
        conn.execute(
            "UPDATE events SET payload = ?1 WHERE seq = ?2",
            params![text, seq],
        )
        .expect("unpack");
    }
}

/// The columns a compact case event's digest covers, in order.
const DIGEST_COLUMNS: &str =
    "case_id, at, actor, role, from_stage, to_stage, action, number, late, payload";

/// Roles as compact events store them (src/store/event_row.rs).
pub const ROLES: [&str; 6] = [
    "clerk",
    "approver",
    "supervisor",
    "admin",
    "viewer",
    "system",
];

/// Stages as compact events store them (src/store/event_row.rs).
pub const STAGES: [&str; 11] = [
    "pre_audit",
    "returned",
    "review",
    "decision",
    "notified",
    "verification",
    "completed",
    "refused",
    "not_accepted",
    "withdrawn",
    "lapsed",
];

pub fn role_code(name: &str) -> i64 {
    ROLES.iter().position(|r| *r == name).expect("a role") as i64
}

pub fn stage_code(name: &str) -> i64 {
    STAGES.iter().position(|s| *s == name).expect("a stage") as i64
}

/// The 32-byte link of compact case event `seq` as its columns stand now, after `prev` (hex).
pub fn link_digest(conn: &Connection, prev: &str, seq: i64) -> Vec<u8> {
    let mut prev_bytes = [0u8; 32];
    hex::decode_to_slice(prev, &mut prev_bytes).expect("a hex hash");
    let mut h = Sha256::new();
    h.update(b"permitdesk event 2|");
    h.update(prev_bytes);
    h.update(seq.to_be_bytes());
    conn.query_row(
        &format!("SELECT {DIGEST_COLUMNS} FROM events WHERE seq = ?1"),
        [seq],
        |r| {
            for i in 0..10 {
                match r.get_ref(i)? {
                    ValueRef::Null => h.update([0u8]),
                    ValueRef::Integer(n) => {
                        h.update([1u8]);
                        h.update(n.to_be_bytes());
                    }
                    ValueRef::Text(t) => {
                        h.update([2u8]);
                        h.update((t.len() as u64).to_be_bytes());
                        h.update(t);
                    }
                    // The payload packed: its link covers its text.
                    packed @ ValueRef::Blob(_) if i == 9 => {
                        let t = payload_text(packed);
                        h.update([2u8]);
                        h.update((t.len() as u64).to_be_bytes());
                        h.update(t.as_bytes());
                    }
                    other => panic!("unexpected column value {other:?}"),
                }
            }
            Ok(())
        },
    )
    .expect("a compact event");
    h.finalize().to_vec()
}

/// The hex hash of event `seq` (case or administrative, either format).
pub fn hash_at(conn: &Connection, seq: i64) -> String {
    if seq == 0 {
        return "0".repeat(64);
    }
    conn.query_row(
        "SELECT h FROM (SELECT seq, coalesce(hash, lower(hex(digest))) AS h FROM events
                        UNION ALL SELECT seq, hash FROM admin_events)
         WHERE seq = ?1",
        [seq],
        |r| r.get(0),
    )
    .expect("a hash")
}

/// The chain's head: the newest case or administrative event, with its hash in hex.
pub fn chain_top(conn: &Connection) -> (i64, String) {
    let seq: i64 = conn
        .query_row(
            "SELECT max(seq) FROM (SELECT seq FROM events UNION ALL SELECT seq FROM admin_events)",
            [],
            |r| r.get(0),
        )
        .expect("chain head");
    (seq, hash_at(conn, seq))
}

/// Links event `seq` after `prev` (hex) as it now stands, and returns its new hash in hex.
pub fn relink(conn: &Connection, seq: i64, prev: &str) -> String {
    let admin: Option<String> = conn
        .query_row(
            "SELECT payload FROM admin_events WHERE seq = ?1",
            [seq],
            |r| r.get(0),
        )
        .ok();
    if let Some(payload) = admin {
        let hash = link_hash(prev, seq, &payload);
        conn.execute(
            "UPDATE admin_events SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            params![prev, hash, seq],
        )
        .expect("relink");
        return hash;
    }
    let compact: bool = conn
        .query_row(
            "SELECT digest IS NOT NULL FROM events WHERE seq = ?1",
            [seq],
            |r| r.get(0),
        )
        .expect("an event");
    if compact {
        let digest = link_digest(conn, prev, seq);
        conn.execute(
            "UPDATE events SET digest = ?1 WHERE seq = ?2",
            params![digest, seq],
        )
        .expect("relink");
        hex::encode(digest)
    } else {
        let payload: String = conn
            .query_row("SELECT payload FROM events WHERE seq = ?1", [seq], |r| {
                Ok(payload_text(r.get_ref(0)?))
            })
            .expect("payload");
        let hash = link_hash(prev, seq, &payload);
        conn.execute(
            "UPDATE events SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            params![prev, hash, seq],
        )
        .expect("relink");
        hash
    }
}

/// Re-links every event from `from` on, case and administrative alike, each hash recomputed
/// from the one before. The append-only triggers must be gone.
pub fn relink_from(conn: &Connection, from: i64) {
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS admin_events_no_update; DROP TRIGGER IF EXISTS admin_events_no_delete;",
    )
    .expect("drop admin triggers");
    let mut prev = hash_at(conn, from - 1);
    let seqs: Vec<i64> = conn
        .prepare(
            "SELECT seq FROM events WHERE seq >= ?1
             UNION ALL SELECT seq FROM admin_events WHERE seq >= ?1 ORDER BY 1",
        )
        .expect("prepare")
        .query_map([from], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for seq in seqs {
        prev = relink(conn, seq, &prev);
    }
}

/// A copy of case event `like` inserted as event `seq`, linked after `prev` (hex); `hash`
/// overrides the link with made-up bytes (hex) instead.
pub fn copy_event(conn: &Connection, like: i64, seq: i64, prev: &str, hash: Option<&str>) {
    conn.execute(
        "INSERT INTO events (seq, case_id, case_no, at, actor, role, from_stage, to_stage, action,
                             number, late, payload, prev_hash, hash, digest)
         SELECT ?1, case_id, case_no, at, actor, role, from_stage, to_stage, action, number, late,
                payload, prev_hash, hash, digest
         FROM events WHERE seq = ?2",
        params![seq, like],
    )
    .expect("forge");
    match hash {
        None => {
            relink(conn, seq, prev);
        }
        Some(made_up) => {
            let bytes = hex::decode(made_up).expect("hex");
            conn.execute(
                "UPDATE events SET digest = CASE WHEN digest IS NULL THEN NULL ELSE ?1 END,
                                   hash = CASE WHEN hash IS NULL THEN NULL ELSE ?2 END
                 WHERE seq = ?3",
                params![bytes, made_up, seq],
            )
            .expect("forge");
        }
    }
}
