//! `check`'s walk of the audit chain: every link, case and administrative events alike in
//! sequence order, and keyed anchors. It reads only the chain, so it runs on a connection of its
//! own beside the replay of the cases (src/store/check.rs).

use super::admin;
use super::chain::{self, ChainHead};
use super::error::{Result, SqlContext};
use super::packed;
use crate::domain::AdminEvent;
use chrono::{DateTime, FixedOffset};
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde::Deserialize;
use std::borrow::Cow;

/// The fields of a case event that its table repeats as columns.
#[derive(Deserialize)]
struct Columns<'a> {
    #[serde(borrow)]
    case_no: Cow<'a, str>,
    at: DateTime<FixedOffset>,
    #[serde(borrow)]
    actor: Cow<'a, str>,
    #[serde(borrow)]
    action: Cow<'a, str>,
}

/// What the walk found.
#[derive(Debug, Default)]
pub(super) struct ChainOutcome {
    pub problems: Vec<String>,
    /// Case events in the store (walked, when the chain is whole).
    pub events: u64,
    pub admin_events: u64,
    pub head: Option<String>,
    /// Where a broken chain breaks: the sequence number of the first bad link, and how many
    /// events (of both kinds) before it were verified.
    pub broken: Option<ChainBreak>,
    last_seq: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ChainBreak {
    pub at_seq: i64,
    pub verified_events: u64,
}

/// Walks the whole chain; where a link is broken, says where, and counts every event anyway.
pub(super) fn walk(
    conn: &Connection,
    anchor: Option<&ChainAnchor>,
    key: Option<&[u8]>,
) -> Result<ChainOutcome> {
    let mut out = walk_to_break(conn, anchor, key)?;
    if out.head.is_none() && !out.problems.is_empty() {
        out.broken = Some(ChainBreak {
            at_seq: out.last_seq,
            verified_events: (out.events + out.admin_events).saturating_sub(1),
        });
        let (events, admin_events) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM admin_events)",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .ctx("counting the audit chain")?;
        out.events = u64::try_from(events).unwrap_or(0);
        out.admin_events = u64::try_from(admin_events).unwrap_or(0);
    }
    Ok(out)
}

/// Walks the whole chain; the first broken link ends the walk with its problem. `key` is the
/// anchor key, needed when `anchor` is given.
fn walk_to_break(
    conn: &Connection,
    anchor: Option<&ChainAnchor>,
    key: Option<&[u8]>,
) -> Result<ChainOutcome> {
    let mut out = ChainOutcome::default();
    let mut admin_rows = admin::all(conn)?.into_iter().peekable();
    let mut stmt = conn
        .prepare(
            "SELECT seq, case_no, at, actor, role, from_stage, to_stage, action, number, late,
                    payload, prev_hash, hash, digest, case_id
             FROM events ORDER BY seq",
        )
        .ctx("reading the audit chain")?;
    let mut rows = stmt.query([]).ctx("reading the audit chain")?;
    let mut walk = Walk {
        seq: 0,
        digest: [0; 32],
        anchor,
        key,
        anchor_seen: false,
    };
    loop {
        let row = rows.next().ctx("reading the audit chain")?;
        let next_case_seq = match row {
            Some(r) => Some(r.get::<_, i64>(0).ctx("reading the audit chain")?),
            None => None,
        };
        // Administrative events before this case event, in chain order.
        while let Some(a) = admin_rows.next_if(|a| next_case_seq.is_none_or(|s| a.seq < s)) {
            out.admin_events += 1;
            out.last_seq = a.seq;
            let name = format!("administrative event {}", a.seq);
            if let Err(problem) =
                walk.hex_link(&|| name.clone(), a.seq, &a.payload, &a.prev_hash, &a.hash)
            {
                out.problems.push(problem);
                return Ok(out);
            }
            if let Err(problem) = admin_columns_agree(&name, &a) {
                out.problems.push(problem);
                return Ok(out);
            }
        }
        let Some(r) = row else { break };
        let seq: i64 = r.get(0).ctx("reading the audit chain")?;
        out.events += 1;
        out.last_seq = seq;
        // Compact events name their case by id only: looked up when a problem is named.
        let name = || {
            let case_no = match r.get_ref(1).ok().and_then(|v| v.as_str().ok()) {
                Some(case_no) => case_no.to_string(),
                None => case_no_of(conn, r.get(14).unwrap_or(0)),
            };
            format!("audit event {seq} ({case_no})")
        };
        let checked = match r.get_ref(13).ctx("reading the audit chain")? {
            ValueRef::Null => hex_event(&mut walk, r, seq, &name),
            // The earlier rows' columns are empty on a compact one: its digest does not cover
            // them, so nothing may hide there.
            ValueRef::Blob(_) if !matches!(r.get_ref(11), Ok(ValueRef::Null)) => Err(format!(
                "{}: a compact event with an earlier event's prev_hash (written outside permitdesk)",
                name()
            )),
            ValueRef::Blob(digest) => {
                match packed::unpack(r.get_ref(10).ctx("reading the audit chain")?) {
                    Ok(payload) => {
                        walk.digest_link(&name, seq, &digest_fields(r, payload.as_bytes()), digest)
                    }
                    Err(e) => Err(format!("{}: {e}", name())),
                }
            }
            _ => Err(format!("{}: its link is not 32 bytes", name())),
        };
        if let Err(problem) = checked {
            out.problems.push(problem);
            return Ok(out);
        }
    }
    let head = walk.head();
    if let Some(anchor) = anchor {
        if !walk.anchor_seen {
            out.problems.push(format!(
                "the audit chain ends at event {} but the anchor names event {}: events were removed",
                head.seq, anchor.seq
            ));
        }
    }
    out.head = Some(format!("{}:{}", head.seq, head.hash));
    Ok(out)
}

/// A case event written before schema version 12: its hex link over the whole JSON, and its
/// columns, which the link does not cover, against that JSON.
fn hex_event(
    walk: &mut Walk<'_>,
    r: &rusqlite::Row<'_>,
    seq: i64,
    name: &dyn Fn() -> String,
) -> std::result::Result<(), String> {
    let text = |i: usize| r.get_ref(i).ok().and_then(|v| v.as_str().ok());
    let payload = r
        .get_ref(10)
        .map_err(|e| e.to_string())
        .and_then(|value| packed::unpack(value).map_err(|e| e.to_string()))
        .map_err(|e| format!("{}: {e}", name()))?;
    let payload = payload.as_ref();
    walk.hex_link(
        name,
        seq,
        payload,
        text(11).unwrap_or_default(),
        text(12).unwrap_or_default(),
    )?;
    // Only the columns' fields are read here; the whole event is decoded by the replay.
    let event = serde_json::from_str::<Columns>(payload)
        .map_err(|e| format!("{}: unreadable content: {e}", name()))?;
    let columns = (text(1), text(2).map(str::to_string), text(3), text(7));
    let from_payload = (
        Some(event.case_no.as_ref()),
        Some(event.at.to_rfc3339()),
        Some(event.actor.as_ref()),
        Some(event.action.as_ref()),
    );
    if columns != from_payload {
        return Err(format!(
            "{}: its columns disagree with its hashed content",
            name()
        ));
    }
    Ok(())
}

/// A compact case event's columns as its digest covers them (see `chain::DigestFields`), with
/// `payload` the text its column keeps (src/store/packed.rs).
fn digest_fields<'r>(r: &'r rusqlite::Row<'_>, payload: &'r [u8]) -> chain::DigestFields<'r> {
    let field = |i: usize| match r.get_ref(i) {
        Ok(ValueRef::Text(t)) => chain::Field::Text(t),
        Ok(ValueRef::Integer(n)) => chain::Field::Int(n),
        Ok(ValueRef::Null) => chain::Field::Null,
        // Nothing writes another kind: hash something no row was written with.
        _ => chain::Field::Text(b"\0unexpected"),
    };
    // case_id, at, actor, role, from, to, action, number, late, payload.
    let [case_id, at, actor, role, from, to, action, number, late] =
        [14, 2, 3, 4, 5, 6, 7, 8, 9].map(field);
    let payload = chain::Field::Text(payload);
    [
        case_id, at, actor, role, from, to, action, number, late, payload,
    ]
}

fn case_no_of(conn: &Connection, case_id: i64) -> String {
    conn.query_row("SELECT case_no FROM cases WHERE id = ?1", [case_id], |r| {
        r.get(0)
    })
    .unwrap_or_else(|_| format!("case id {case_id}"))
}

fn admin_columns_agree(name: &str, a: &admin::AdminRow) -> std::result::Result<(), String> {
    let event = serde_json::from_str::<AdminEvent>(&a.payload)
        .map_err(|e| format!("{name}: unreadable content: {e}"))?;
    let from_payload = (
        event.at.to_rfc3339(),
        event.actor.as_str(),
        event.change.kind().as_str(),
        event.change.name(),
    );
    if (
        a.at.clone(),
        a.actor.as_str(),
        a.kind.as_str(),
        a.change.as_str(),
    ) != from_payload
    {
        return Err(format!(
            "{name}: its columns disagree with its hashed content"
        ));
    }
    Ok(())
}

/// Walks the chain link by link (case and administrative events alike).
struct Walk<'a> {
    seq: i64,
    digest: [u8; 32],
    anchor: Option<&'a ChainAnchor>,
    key: Option<&'a [u8]>,
    anchor_seen: bool,
}

impl Walk<'_> {
    fn head(&self) -> ChainHead {
        ChainHead {
            seq: self.seq,
            hash: hex::encode(self.digest),
        }
    }

    fn in_sequence(&self, name: &dyn Fn() -> String, seq: i64) -> std::result::Result<(), String> {
        if seq != self.seq + 1 {
            return Err(format!(
                "{}: follows event {} in the chain: {} event(s) missing or inserted",
                name(),
                self.seq,
                (seq - self.seq - 1).abs()
            ));
        }
        Ok(())
    }

    /// Checks a link in hex over a JSON payload (administrative events, and case events
    /// written before schema version 12).
    fn hex_link(
        &mut self,
        name: &dyn Fn() -> String,
        seq: i64,
        payload: &str,
        prev_hash: &str,
        hash: &str,
    ) -> std::result::Result<(), String> {
        self.in_sequence(name, seq)?;
        let mut head_hex = [0u8; 64];
        // Writing 32 bytes as 64 hex digits cannot fail.
        let _ = hex::encode_to_slice(self.digest, &mut head_hex);
        if prev_hash.as_bytes() != head_hex {
            return Err(format!(
                "{}: does not link to the event before it (chain broken here)",
                name()
            ));
        }
        let digest = chain::digest_of(hash)
            .filter(|_| chain::link_hash_is(prev_hash, seq, payload, hash))
            .ok_or_else(|| {
                format!(
                    "{}: its content does not match its hash (edited after it was written)",
                    name()
                )
            })?;
        self.advance(name, seq, digest)
    }

    /// Checks a compact case event's 32-byte link over its columns.
    fn digest_link(
        &mut self,
        name: &dyn Fn() -> String,
        seq: i64,
        fields: &chain::DigestFields<'_>,
        stored: &[u8],
    ) -> std::result::Result<(), String> {
        self.in_sequence(name, seq)?;
        let digest = chain::link_digest(&self.digest, seq, fields);
        if stored != digest {
            return Err(format!(
                "{}: its content does not match its hash (edited after it was written, or the chain was broken here)",
                name()
            ));
        }
        self.advance(name, seq, digest)
    }

    fn advance(
        &mut self,
        name: &dyn Fn() -> String,
        seq: i64,
        digest: [u8; 32],
    ) -> std::result::Result<(), String> {
        self.seq = seq;
        self.digest = digest;
        if let (Some(anchor), Some(key)) = (self.anchor, self.key) {
            if anchor.seq == seq {
                self.anchor_seen = true;
                if chain::anchor_mac(key, &self.head()) != anchor.mac {
                    return Err(format!(
                        "{}: differs from the anchor exported earlier (the chain was rewritten, or the anchor was made with another key)",
                        name()
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A keyed anchor exported earlier (`SEQ:HMAC`, the last line of every outbox file), for proving
/// the chain was not truncated or rebuilt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainAnchor {
    pub seq: i64,
    /// HMAC-SHA-256 of the chain head at `seq` under the store's anchor key, hex.
    pub mac: String,
}

impl ChainAnchor {
    /// `SEQ:HMAC`, or the path of an outbox file, whose last line is its anchor.
    /// The anchor on the last line of an outbox file (`name` is for messages only; the caller
    /// reads the file, as the person who named it).
    pub fn from_outbox_text(name: &str, text: &str) -> std::result::Result<ChainAnchor, String> {
        let arg = name;
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let line: serde_json::Value = serde_json::from_str(last)
            .map_err(|_| format!("{arg}: its last line is not an outbox anchor"))?;
        let head = &line["chain_head"];
        match (head["seq"].as_i64(), head["hmac"].as_str()) {
            (Some(seq), Some(mac)) => format!("{seq}:{mac}").parse(),
            _ => Err(format!(
                "{arg}: its last line is not an outbox anchor ({{\"chain_head\": {{\"seq\", \"hmac\"}}}})"
            )),
        }
    }
}

impl std::str::FromStr for ChainAnchor {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let (seq, hash) = s
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("anchor \"{s}\" should be SEQ:HMAC"))?;
        let seq = seq
            .parse()
            .map_err(|_| format!("anchor sequence \"{seq}\" is not a number"))?;
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err("anchor HMAC should be 64 hex digits".into());
        }
        Ok(ChainAnchor {
            seq,
            mac: hash.to_ascii_lowercase(),
        })
    }
}
