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
                    let json = |p: &Policy| serde_json::to_string(p).unwrap_or_default();
                    parts.push(format!(
                        "policy {} -> {}",
                        json(&before.policy),
                        json(&after.policy)
                    ));
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
