//! How a case event is kept in `events` (schema version 12): its facts in columns (its case by
//! `case_id`, its role and stages as small codes), and in `payload` only the action's own fields
//! (a reason, a checklist, a submission) as JSON, without the `action` name its column holds and
//! without empty fields. Such a row is linked by `digest`, a 32-byte SHA-256 over the columns
//! themselves (`chain::link_digest`), so nothing is written twice.
//!
//! Since version 14 `payload` may hold its text packed (src/store/packed.rs); links cover the text.
//!
//! Rows written before version 12 (`digest` NULL) keep what they were written with: the whole
//! event as JSON in `payload`, linked by the hex `hash` over it. Both kinds check.

use super::case_row::drop_nulls;
use super::error::{Result, SqlContext, StoreError};
use crate::domain::{Action, Event, Role, Stage};
use chrono::DateTime;
use rusqlite::Row;
use rusqlite::types::ValueRef;
use serde_json::Value;

/// The columns [`decode`] reads, in its order; `e.` so that it also serves a join.
pub(crate) const EVENT_COLUMNS: &str = "coalesce(e.case_no, (SELECT case_no FROM cases \
     WHERE id = e.case_id)), e.at, e.actor, e.role, e.from_stage, e.to_stage, e.action, \
     e.number, e.late, e.payload, e.digest IS NOT NULL";

/// The codes roles are stored as in compact events: append only, never reordered.
const ROLE_CODES: [Role; 6] = [
    Role::Clerk,
    Role::Approver,
    Role::Supervisor,
    Role::Admin,
    Role::Viewer,
    Role::System,
];

/// The codes stages are stored as in compact events: append only, never reordered.
const STAGE_CODES: [Stage; 11] = [
    Stage::PreAudit,
    Stage::Returned,
    Stage::Review,
    Stage::Decision,
    Stage::Notified,
    Stage::Verification,
    Stage::Completed,
    Stage::Refused,
    Stage::NotAccepted,
    Stage::Withdrawn,
    Stage::Lapsed,
];

pub(crate) fn role_code(role: Role) -> i64 {
    code_of(&ROLE_CODES, role)
}

pub(crate) fn stage_code(stage: Stage) -> i64 {
    code_of(&STAGE_CODES, stage)
}

fn code_of<T: PartialEq>(codes: &[T], value: T) -> i64 {
    // Every value has a code (a test holds the tables to the enums).
    codes.iter().position(|c| *c == value).unwrap_or(usize::MAX) as i64
}

fn from_code<T: Copy>(codes: &[T], code: i64) -> Option<T> {
    usize::try_from(code)
        .ok()
        .and_then(|i| codes.get(i).copied())
}

/// An event's stored text: the time as its column holds it, the action's own fields (which the
/// digest covers) and the value `payload` keeps of them (src/store/packed.rs).
#[derive(Debug, Clone)]
pub(crate) struct StoredText {
    pub at: String,
    pub fields: String,
    pub payload: rusqlite::types::Value,
}

impl StoredText {
    pub fn of(event: &Event) -> Result<StoredText> {
        let fields = action_fields(event)?;
        Ok(StoredText {
            at: event.at.to_rfc3339(),
            payload: super::packed::pack(&fields),
            fields,
        })
    }
}

/// The action's JSON without its `action` member and its empty fields: `""` for an action with
/// no fields left, else `{"reason":"…"}`.
fn action_fields(event: &Event) -> Result<String> {
    let corrupt = |source| StoreError::Corrupt {
        context: format!("{}: encoding the audit event", event.case_no),
        source,
    };
    let Value::Object(mut fields) = serde_json::to_value(&event.action).map_err(corrupt)? else {
        return Err(StoreError::Damaged(format!(
            "{}: the {} action did not encode as an object",
            event.case_no,
            event.action.name()
        )));
    };
    fields.remove("action");
    drop_nulls(&mut fields);
    if fields.is_empty() {
        return Ok(String::new());
    }
    serde_json::to_string(&fields).map_err(corrupt)
}

/// The action back from its name and stored fields.
fn action_from(name: &str, fields: &str) -> serde_json::Result<Action> {
    // The name as a JSON string, whatever the column holds.
    let name = serde_json::to_string(name)?;
    let json = match fields.strip_prefix('{') {
        Some(rest) => format!("{{\"action\":{name},{rest}"),
        None => format!("{{\"action\":{name}}}"),
    };
    serde_json::from_str(&json)
}

/// Reads the event whose [`EVENT_COLUMNS`] start at column `first` of `row`; `seq` names it in
/// a message.
pub(crate) fn decode(row: &Row<'_>, first: usize, seq: i64) -> Result<Event> {
    let damaged = |what: &str| StoreError::Damaged(format!("audit event {seq}: {what}"));
    let text = |i: usize| -> Result<Option<&str>> {
        match row.get_ref(first + i) {
            Ok(ValueRef::Null) => Ok(None),
            Ok(ValueRef::Text(t)) => std::str::from_utf8(t)
                .map(Some)
                .map_err(|_| damaged("text that is not UTF-8")),
            Ok(_) => Err(damaged("a column of the wrong type")),
            Err(e) => Err(damaged(&e.to_string())),
        }
    };
    let compact = matches!(row.get_ref(first + 10), Ok(ValueRef::Integer(1)));
    let payload = row
        .get_ref(first + 9)
        .map_err(|e| damaged(&e.to_string()))
        .and_then(|value| super::packed::unpack(value).map_err(|e| damaged(&e.to_string())))?;
    let payload = payload.as_ref();
    if !compact {
        return serde_json::from_str(payload).map_err(|source| StoreError::Corrupt {
            context: format!("audit event {seq}"),
            source,
        });
    }
    let required = |i: usize, what: &str| text(i)?.ok_or_else(|| damaged(&format!("no {what}")));
    let action_name = required(6, "action")?;
    let action = action_from(action_name, payload).map_err(|source| StoreError::Corrupt {
        context: format!("audit event {seq}"),
        source,
    })?;
    let at = DateTime::parse_from_rfc3339(required(1, "time")?)
        .map_err(|e| damaged(&format!("its time: {e}")))?;
    let code = |i: usize| -> Result<Option<i64>> {
        match row.get_ref(first + i) {
            Ok(ValueRef::Null) => Ok(None),
            Ok(ValueRef::Integer(n)) => Ok(Some(n)),
            _ => Err(damaged("a code column of the wrong type")),
        }
    };
    let role = code(3)?
        .and_then(|c| from_code(&ROLE_CODES, c))
        .ok_or_else(|| damaged("an unknown role"))?;
    let to = code(5)?
        .and_then(|c| from_code(&STAGE_CODES, c))
        .ok_or_else(|| damaged("an unknown stage"))?;
    let from = match code(4)? {
        Some(c) => Some(from_code(&STAGE_CODES, c).ok_or_else(|| damaged("an unknown stage"))?),
        None => None,
    };
    let late = matches!(row.get_ref(first + 8), Ok(ValueRef::Integer(1)));
    Ok(Event {
        case_no: required(0, "case number")?.to_string(),
        at,
        actor: required(2, "actor")?.to_string(),
        role,
        from,
        to,
        action,
        number: text(7)?.map(str::to_string),
        late,
    })
}

/// Case `case_id`'s events, oldest first, through audit event `through` when given.
pub(crate) fn history(
    conn: &rusqlite::Connection,
    case_id: i64,
    through: Option<i64>,
) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT e.seq, {EVENT_COLUMNS} FROM events e
         WHERE e.case_id = ?1 AND e.seq <= ?2 ORDER BY e.seq"
    );
    let mut stmt = conn
        .prepare_cached(&sql)
        .ctx("preparing the history read")?;
    let mut rows = stmt
        .query(rusqlite::params![case_id, through.unwrap_or(i64::MAX)])
        .ctx("reading a history")?;
    let mut events = Vec::new();
    while let Some(row) = rows.next().ctx("reading a history")? {
        let seq = row.get(0).ctx("reading a history")?;
        events.push(decode(row, 1, seq)?);
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_and_stage_has_one_code() {
        for role in Role::ALL {
            assert_eq!(from_code(&ROLE_CODES, role_code(*role)), Some(*role));
        }
        for stage in Stage::ALL {
            assert_eq!(from_code(&STAGE_CODES, stage_code(*stage)), Some(*stage));
        }
        assert_eq!(ROLE_CODES.len(), Role::ALL.len());
        assert_eq!(STAGE_CODES.len(), Stage::ALL.len());
    }

    #[test]
    fn an_action_without_fields_stores_nothing_and_one_with_fields_stores_only_them() {
        let claim = Action::Claim;
        let json = serde_json::to_string(&claim).unwrap_or_default();
        assert_eq!(json, "{\"action\":\"claim\"}");
        let back = action_from("claim", "").ok();
        assert_eq!(back, Some(Action::Claim));
        let ret = Action::Return {
            reason: "缺少学历证明, \"盖章\"".into(),
        };
        let back = action_from("return", "{\"reason\":\"缺少学历证明, \\\"盖章\\\"\"}").ok();
        assert_eq!(back, Some(ret));
    }
}
