//! `check`'s walk of the audit chain: every link, case and administrative events alike in
//! sequence order, and keyed anchors. It reads only the chain, so it runs on a connection of its
//! own beside the replay of the cases (src/store/check.rs).

use super::admin;
use super::chain::{self, ChainHead};
use super::error::{Result, SqlContext};
use crate::domain::AdminEvent;
use chrono::{DateTime, FixedOffset};
use rusqlite::Connection;
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
        .prepare("SELECT seq, case_no, at, actor, action, payload, prev_hash, hash FROM events ORDER BY seq")
        .ctx("reading the audit chain")?;
    let mut rows = stmt.query([]).ctx("reading the audit chain")?;
    let mut walk = Walk {
        head: ChainHead::genesis(),
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
                walk.link(|| name.clone(), a.seq, &a.payload, &a.prev_hash, &a.hash)
            {
                out.problems.push(problem);
                return Ok(out);
            }
            match serde_json::from_str::<AdminEvent>(&a.payload) {
                Ok(event) => {
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
                        out.problems.push(format!(
                            "{name}: its columns disagree with its hashed content"
                        ));
                        return Ok(out);
                    }
                }
                Err(e) => {
                    out.problems
                        .push(format!("{name}: unreadable content: {e}"));
                    return Ok(out);
                }
            }
        }
        let Some(r) = row else { break };
        let seq: i64 = r.get(0).ctx("reading the audit chain")?;
        let case_no: String = r.get(1).ctx("reading the audit chain")?;
        let payload: String = r.get(5).ctx("reading the audit chain")?;
        let prev_hash: String = r.get(6).ctx("reading the audit chain")?;
        let hash: String = r.get(7).ctx("reading the audit chain")?;
        out.events += 1;
        out.last_seq = seq;
        let name = || format!("audit event {seq} ({case_no})");
        if let Err(problem) = walk.link(name, seq, &payload, &prev_hash, &hash) {
            out.problems.push(problem);
            return Ok(out);
        }
        // Only the columns' fields are read here; the whole event is decoded by the replay.
        match serde_json::from_str::<Columns>(&payload) {
            Ok(event) => {
                let columns = (
                    case_no.as_str(),
                    r.get::<_, String>(2).ctx("reading the audit chain")?,
                    r.get_ref(3).ctx("reading the audit chain")?.as_str().ok(),
                    r.get_ref(4).ctx("reading the audit chain")?.as_str().ok(),
                );
                let from_payload = (
                    event.case_no.as_ref(),
                    event.at.to_rfc3339(),
                    Some(event.actor.as_ref()),
                    Some(event.action.as_ref()),
                );
                if columns != from_payload {
                    out.problems.push(format!(
                        "{}: its columns disagree with its hashed content",
                        name()
                    ));
                    return Ok(out);
                }
            }
            Err(e) => {
                out.problems
                    .push(format!("{}: unreadable content: {e}", name()));
                return Ok(out);
            }
        }
    }
    let head = walk.head;
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

/// Walks the chain link by link (case and administrative events alike).
struct Walk<'a> {
    head: ChainHead,
    anchor: Option<&'a ChainAnchor>,
    key: Option<&'a [u8]>,
    anchor_seen: bool,
}

impl Walk<'_> {
    /// Checks one link; the first broken one ends the walk with its problem.
    fn link(
        &mut self,
        name: impl Fn() -> String,
        seq: i64,
        payload: &str,
        prev_hash: &str,
        hash: &str,
    ) -> std::result::Result<(), String> {
        if seq != self.head.seq + 1 {
            return Err(format!(
                "{}: follows event {} in the chain: {} event(s) missing or inserted",
                name(),
                self.head.seq,
                (seq - self.head.seq - 1).abs()
            ));
        }
        if prev_hash != self.head.hash {
            return Err(format!(
                "{}: does not link to the event before it (chain broken here)",
                name()
            ));
        }
        if !chain::link_hash_is(prev_hash, seq, payload, hash) {
            return Err(format!(
                "{}: its content does not match its hash (edited after it was written)",
                name()
            ));
        }
        let here = ChainHead {
            seq,
            hash: hash.to_string(),
        };
        if let (Some(anchor), Some(key)) = (self.anchor, self.key) {
            if anchor.seq == seq {
                self.anchor_seen = true;
                if chain::anchor_mac(key, &here) != anchor.mac {
                    return Err(format!(
                        "{}: differs from the anchor exported earlier (the chain was rewritten, or the anchor was made with another key)",
                        name()
                    ));
                }
            }
        }
        self.head = here;
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
