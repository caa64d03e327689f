//! One line per administrative change, for `permitdesk log`.

use super::{AdminChange, Policy, Role};

impl AdminChange {
    /// What changed, in one line: before and after where something was replaced.
    pub fn summary(&self) -> String {
        let roles = |r: &[Role]| r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
        match self {
            AdminChange::Baseline { users, settings } => format!(
                "{} user(s) as they stood: {}; trust_declared_user {}, four_eyes {}",
                users.len(),
                users
                    .iter()
                    .map(|u| format!(
                        "{} ({}{})",
                        u.name,
                        roles(&u.roles),
                        if u.active { "" } else { ", disabled" }
                    ))
                    .collect::<Vec<_>>()
                    .join(", "),
                settings.trust_declared_user,
                settings.policy.four_eyes
            ),
            AdminChange::UserAdd { name, roles: r } => format!("added {name} ({})", roles(r)),
            AdminChange::UserEnable { name } => format!("enabled {name}"),
            AdminChange::UserDisable { name, released } => format!(
                "disabled {name}; released {} claim(s){}",
                released.len(),
                if released.is_empty() {
                    String::new()
                } else {
                    format!(": {}", released.join(", "))
                }
            ),
            AdminChange::UserRoles {
                name,
                before,
                after,
            } => format!("{name}: roles {} -> {}", roles(before), roles(after)),
            AdminChange::Settings { before, after } => {
                let mut parts = Vec::new();
                if before.trust_declared_user != after.trust_declared_user {
                    parts.push(format!(
                        "trust_declared_user {} -> {}",
                        before.trust_declared_user, after.trust_declared_user
                    ));
                }
                if before.made_by_demo != after.made_by_demo {
                    parts.push(format!(
                        "made_by_demo {} -> {}",
                        before.made_by_demo, after.made_by_demo
                    ));
                }
                if before.policy != after.policy {
                    parts.extend(policy_changes(&before.policy, &after.policy));
                }
                parts.join("; ")
            }
            AdminChange::CalendarInstall {
                source,
                before,
                after,
            } => format!(
                "installed {source} (calendar {} -> {})",
                short(before),
                short(after)
            ),
            AdminChange::ImportApplied {
                file,
                checksum,
                cases,
            } => format!(
                "imported {cases} case(s) from {file} (sha256 {})",
                short(checksum)
            ),
            AdminChange::SyncBatchApplied {
                batch,
                applied,
                skipped,
                conflicts,
                ..
            } => format!(
                "applied batch {batch}: {applied} event(s), {skipped} duplicate(s), {conflicts} conflict(s)"
            ),
            AdminChange::ConflictResolved {
                case_no,
                conflict,
                resolution,
            } => format!("{case_no}: resolved conflict #{conflict}: {resolution}"),
        }
    }
}

fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}

/// Each policy field that differs, as `policy.NAME BEFORE -> AFTER`, so a log line shows what an
/// admin changed rather than the whole policy twice.
fn policy_changes(before: &Policy, after: &Policy) -> Vec<String> {
    let fields = |p: &Policy| match serde_json::to_value(p) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (old, new) = (fields(before), fields(after));
    let text = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "-".into(),
    };
    new.iter()
        .filter(|(name, value)| old.get(*name) != Some(*value))
        .map(|(name, value)| {
            format!(
                "policy.{name} {} -> {}",
                text(old.get(name)),
                text(Some(value))
            )
        })
        .collect()
}
