//! Administrative events (who may act, and under which rules) and the replay of authority: the
//! users, roles and settings as of any point of the audit chain, rebuilt from those events, and
//! every case event checked against them with the rules `decide` applies to new actions.
//!
//! "As of" means chain order, not the events' `at`: a decision's time can be backdated (upstream
//! events carry upstream's time, the demo writes history), but its place in the chain cannot.

use super::action::{Actor, Event};
use super::case::Case;
use super::deadline::Policy;
use super::model::Role;
use super::refusal::Refusal;
use super::transition::{check_authority, is_release_for_disabled_holder};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The store-wide settings that decide who may do what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SettingsState {
    pub trust_declared_user: bool,
    #[serde(default)]
    pub made_by_demo: bool,
    pub policy: Policy,
}

/// A user as an administrative event records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserState {
    pub name: String,
    pub roles: Vec<Role>,
    pub active: bool,
}

/// One administrative change, with what was before where it replaces something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum AdminChange {
    /// Users, roles and settings as they stood when a store made before administrative events
    /// was migrated (or as a new store starts): the authority its earlier history is checked
    /// against.
    Baseline {
        users: Vec<UserState>,
        settings: SettingsState,
    },
    UserAdd {
        name: String,
        roles: Vec<Role>,
    },
    UserEnable {
        name: String,
    },
    UserDisable {
        name: String,
        /// Cases whose claim was released with it.
        released: Vec<String>,
    },
    UserRoles {
        name: String,
        before: Vec<Role>,
        after: Vec<Role>,
    },
    Settings {
        before: SettingsState,
        after: SettingsState,
    },
    CalendarInstall {
        source: String,
        before: String,
        after: String,
    },
    ImportApplied {
        file: String,
        checksum: String,
        cases: u64,
    },
    SyncBatchApplied {
        batch: String,
        checksum: String,
        applied: u64,
        skipped: u64,
        conflicts: u64,
    },
    ConflictResolved {
        case_no: String,
        conflict: i64,
        resolution: String,
    },
}

/// What `log --kind` selects by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminKind {
    Baseline,
    User,
    Settings,
    Calendar,
    Import,
    Sync,
}

impl AdminKind {
    pub const FILTERS: &'static [AdminKind] = &[
        AdminKind::User,
        AdminKind::Settings,
        AdminKind::Calendar,
        AdminKind::Import,
        AdminKind::Sync,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdminKind::Baseline => "baseline",
            AdminKind::User => "user",
            AdminKind::Settings => "settings",
            AdminKind::Calendar => "calendar",
            AdminKind::Import => "import",
            AdminKind::Sync => "sync",
        }
    }

    pub fn parse(text: &str) -> Option<AdminKind> {
        AdminKind::FILTERS
            .iter()
            .copied()
            .find(|k| k.as_str() == text.trim())
    }
}

impl AdminChange {
    pub fn kind(&self) -> AdminKind {
        match self {
            AdminChange::Baseline { .. } => AdminKind::Baseline,
            AdminChange::UserAdd { .. }
            | AdminChange::UserEnable { .. }
            | AdminChange::UserDisable { .. }
            | AdminChange::UserRoles { .. } => AdminKind::User,
            AdminChange::Settings { .. } => AdminKind::Settings,
            AdminChange::CalendarInstall { .. } => AdminKind::Calendar,
            AdminChange::ImportApplied { .. } => AdminKind::Import,
            AdminChange::SyncBatchApplied { .. } | AdminChange::ConflictResolved { .. } => {
                AdminKind::Sync
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            AdminChange::Baseline { .. } => "baseline",
            AdminChange::UserAdd { .. } => "user_add",
            AdminChange::UserEnable { .. } => "user_enable",
            AdminChange::UserDisable { .. } => "user_disable",
            AdminChange::UserRoles { .. } => "user_roles",
            AdminChange::Settings { .. } => "settings",
            AdminChange::CalendarInstall { .. } => "calendar_install",
            AdminChange::ImportApplied { .. } => "import_applied",
            AdminChange::SyncBatchApplied { .. } => "sync_batch_applied",
            AdminChange::ConflictResolved { .. } => "conflict_resolved",
        }
    }

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

    /// The role the change needs of its actor.
    fn needs(&self) -> Option<Role> {
        match self {
            AdminChange::Baseline { .. } => None,
            AdminChange::ConflictResolved { .. } => Some(Role::Supervisor),
            _ => Some(Role::Admin),
        }
    }
}

/// One administrative event: who changed what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminEvent {
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    #[serde(flatten)]
    pub change: AdminChange,
}

fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}

/// Who may read the administrative log: admins, supervisors, and viewers (auditors).
pub fn may_read_admin_log(actor: &Actor) -> bool {
    actor.active
        && [Role::Admin, Role::Supervisor, Role::Viewer]
            .iter()
            .any(|r| actor.has(*r))
}

/// Why a change of users is refused before it is made, or was not allowed when replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminRefusal {
    #[error("no user \"{0}\"")]
    NoSuchUser(String),
    #[error("user {0} already exists")]
    UserExists(String),
    #[error(
        "{0} is the last active admin: the store must keep one; give another user the admin role first"
    )]
    LastAdmin(String),
    #[error("{what} needs the {needs} role; {user} {has}")]
    NotAllowed {
        what: &'static str,
        needs: Role,
        user: String,
        has: String,
    },
    #[error("a baseline may only open the administrative history")]
    LateBaseline,
}

/// The users of a store at one moment.
pub type Users = BTreeMap<String, (Vec<Role>, bool)>;

fn active_admins(users: &Users) -> usize {
    users
        .values()
        .filter(|(roles, active)| *active && roles.contains(&Role::Admin))
        .count()
}

/// Whether `change`, made by `actor`, is allowed on a store whose users are `users`: the actor
/// must hold the role it needs (the very first user of an empty store makes themselves admin),
/// the user it names must exist (or not, for an add), and the store must keep an active admin.
/// The store asks this before every change; `check` asks it again of every recorded one.
pub fn check_admin_change(
    users: &Users,
    actor: &str,
    change: &AdminChange,
) -> Result<(), AdminRefusal> {
    if let AdminChange::UserAdd { name, roles } = change {
        if users.is_empty() && name == actor && roles.contains(&Role::Admin) {
            return Ok(());
        }
    }
    if let Some(needs) = change.needs() {
        let refuse = |has: String| AdminRefusal::NotAllowed {
            what: change.name(),
            needs,
            user: actor.to_string(),
            has,
        };
        match users.get(actor) {
            None if actor == Actor::SYSTEM => return Err(refuse("is the upstream system".into())),
            None => return Err(refuse("is not a user".into())),
            Some((_, false)) => return Err(refuse("is disabled".into())),
            Some((roles, true)) if !roles.contains(&needs) => {
                return Err(refuse(format!(
                    "holds {}",
                    roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                )));
            }
            Some(_) => {}
        }
    }
    let named = match change {
        AdminChange::UserEnable { name }
        | AdminChange::UserDisable { name, .. }
        | AdminChange::UserRoles { name, .. } => Some(name),
        _ => None,
    };
    if let Some(name) = named {
        if !users.contains_key(name) {
            return Err(AdminRefusal::NoSuchUser(name.clone()));
        }
    }
    if let AdminChange::UserAdd { name, .. } = change {
        if users.contains_key(name) {
            return Err(AdminRefusal::UserExists(name.clone()));
        }
    }
    let mut after = users.clone();
    fold_users(&mut after, change);
    if active_admins(users) > 0 && active_admins(&after) == 0 {
        if let Some(name) = named {
            return Err(AdminRefusal::LastAdmin(name.clone()));
        }
    }
    Ok(())
}

fn fold_users(users: &mut Users, change: &AdminChange) {
    match change {
        AdminChange::Baseline { users: all, .. } => {
            users.clear();
            for u in all {
                users.insert(u.name.clone(), (u.roles.clone(), u.active));
            }
        }
        AdminChange::UserAdd { name, roles } => {
            users.insert(name.clone(), (roles.clone(), true));
        }
        AdminChange::UserEnable { name } => {
            if let Some(u) = users.get_mut(name) {
                u.1 = true;
            }
        }
        AdminChange::UserDisable { name, .. } => {
            if let Some(u) = users.get_mut(name) {
                u.1 = false;
            }
        }
        AdminChange::UserRoles { name, after, .. } => {
            if let Some(u) = users.get_mut(name) {
                u.0 = after.clone();
            }
        }
        _ => {}
    }
}

/// A rule a recorded event broke, named by the event's sequence number in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub seq: i64,
    /// The case, for a case event.
    pub case_no: Option<String>,
    /// `actor`, `active`, `role`, `claim`, `four-eyes`, `admin`.
    pub rule: &'static str,
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.case_no {
            Some(case_no) => write!(
                f,
                "audit event {} ({case_no}): rule {}: {}",
                self.seq, self.rule, self.message
            ),
            None => write!(
                f,
                "administrative event {}: rule {}: {}",
                self.seq, self.rule, self.message
            ),
        }
    }
}

/// Users and settings through the chain: each user's states and the settings, each from the
/// sequence number it took effect at, so that any moment is a binary search away.
#[derive(Debug, Clone, Default)]
pub struct Authority {
    history: HashMap<String, Vec<(i64, Vec<Role>, bool)>>,
    settings: Vec<(i64, SettingsState)>,
    users: Users,
    current: SettingsState,
    seen: usize,
    /// Where a migrated store's baseline stands in the chain: before it, roles and activity
    /// were not recorded.
    baseline_seq: Option<i64>,
}

impl Authority {
    pub fn new() -> Authority {
        Authority::default()
    }

    /// Folds the administrative event at `seq` (events come in chain order), after checking
    /// that it was allowed then. A violation is reported and the change still folded, so one
    /// forged change is named once, not at every later event.
    pub fn record(&mut self, seq: i64, event: &AdminEvent) -> Result<(), Violation> {
        let verdict = match &event.change {
            AdminChange::Baseline { .. } if self.seen > 0 => Err(AdminRefusal::LateBaseline),
            AdminChange::Baseline { .. } if event.actor != Actor::SYSTEM => {
                Err(AdminRefusal::NotAllowed {
                    what: "baseline",
                    needs: Role::System,
                    user: event.actor.clone(),
                    has: "is not the system".into(),
                })
            }
            change => check_admin_change(&self.users, &event.actor, change),
        };
        self.seen += 1;
        // A baseline holds from the start: the history before it is checked against it.
        let from = match event.change {
            AdminChange::Baseline { .. } => {
                self.baseline_seq = Some(seq);
                0
            }
            _ => seq,
        };
        fold_users(&mut self.users, &event.change);
        match &event.change {
            AdminChange::Baseline { settings, .. } => {
                self.current = settings.clone();
                self.settings.push((from, settings.clone()));
                self.history.clear();
                for (name, (roles, active)) in &self.users {
                    self.history
                        .insert(name.clone(), vec![(from, roles.clone(), *active)]);
                }
            }
            AdminChange::Settings { after, .. } => {
                self.current = after.clone();
                self.settings.push((from, after.clone()));
            }
            AdminChange::UserAdd { name, .. }
            | AdminChange::UserEnable { name }
            | AdminChange::UserDisable { name, .. }
            | AdminChange::UserRoles { name, .. } => {
                if let Some((roles, active)) = self.users.get(name) {
                    self.history.entry(name.clone()).or_default().push((
                        from,
                        roles.clone(),
                        *active,
                    ));
                }
            }
            _ => {}
        }
        verdict.map_err(|refusal| Violation {
            seq,
            case_no: None,
            rule: "admin",
            message: format!("{} by {}: {refusal}", event.change.name(), event.actor),
        })
    }

    /// The users as the last recorded event left them.
    pub fn users(&self) -> &Users {
        &self.users
    }

    /// The settings as the last recorded event left them.
    pub fn settings(&self) -> &SettingsState {
        &self.current
    }

    /// `name` as the store knew them just before event `seq` (the system always exists).
    pub fn actor_at(&self, name: &str, seq: i64) -> Option<Actor> {
        if name == Actor::SYSTEM {
            return Some(Actor::system());
        }
        let states = self.history.get(name)?;
        let i = states.partition_point(|(from, _, _)| *from < seq);
        let (_, roles, active) = states.get(i.checked_sub(1)?)?;
        Some(Actor {
            name: name.to_string(),
            roles: roles.clone(),
            active: *active,
        })
    }

    /// The policy in force just before event `seq`.
    pub fn policy_at(&self, seq: i64) -> Policy {
        let i = self.settings.partition_point(|(from, _)| *from < seq);
        i.checked_sub(1)
            .and_then(|i| self.settings.get(i))
            .map(|(_, s)| s.policy.clone())
            .unwrap_or_default()
    }

    /// Checks the case event at `seq` (`case` as it was just before it) against the users and
    /// policy then in force, with the domain's own rules.
    pub fn verify(&self, seq: i64, case: Option<&Case>, event: &Event) -> Result<(), Violation> {
        let violation = |rule: &'static str, message: String| Violation {
            seq,
            case_no: Some(event.case_no.clone()),
            rule,
            message,
        };
        // Before a migrated store's baseline nobody recorded who held which role when: the
        // actor must be one the baseline knows, and is taken to have held the role the event
        // names (which must still fit the action); claims and four-eyes are checked as ever.
        let before_baseline = self.baseline_seq.is_some_and(|b| seq < b);
        let found = self
            .actor_at(&event.actor, seq)
            .map(|actor| match before_baseline {
                true if actor.name != Actor::SYSTEM => Actor {
                    roles: vec![event.role],
                    active: true,
                    ..actor
                },
                _ => actor,
            });
        let Some(actor) = found else {
            return Err(violation(
                "actor",
                format!(
                    "{} was not a user when this was written ({})",
                    event.actor,
                    event.action.name()
                ),
            ));
        };
        if let Some(case) = case {
            let holder_active = case
                .assignee()
                .and_then(|holder| self.actor_at(holder, seq))
                .is_some_and(|h| h.active);
            if is_release_for_disabled_holder(case, &actor, event, holder_active) {
                return Ok(());
            }
        }
        check_authority(case, &actor, event, &self.policy_at(seq)).map_err(|refusal| {
            let rule = match refusal {
                Refusal::Inactive { .. } => "active",
                Refusal::FourEyes { .. } => "four-eyes",
                Refusal::NotClaimed { .. }
                | Refusal::HeldByOther { .. }
                | Refusal::AlreadyHeld { .. } => "claim",
                _ => "role",
            };
            violation(
                rule,
                format!("{} ({}): {refusal}", event.actor, event.action.name()),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(list: &[(&str, &[Role], bool)]) -> Users {
        list.iter()
            .map(|(n, r, a)| (n.to_string(), (r.to_vec(), *a)))
            .collect()
    }

    #[test]
    fn the_last_active_admin_stays() {
        let u = users(&[
            ("root", &[Role::Admin], true),
            ("li", &[Role::Approver], true),
        ]);
        let demote = AdminChange::UserRoles {
            name: "root".into(),
            before: vec![Role::Admin],
            after: vec![Role::Approver],
        };
        assert_eq!(
            check_admin_change(&u, "root", &demote),
            Err(AdminRefusal::LastAdmin("root".into()))
        );
        let disable = AdminChange::UserDisable {
            name: "root".into(),
            released: vec![],
        };
        assert!(check_admin_change(&u, "root", &disable).is_err());
        let u2 = users(&[("root", &[Role::Admin], true), ("bo", &[Role::Admin], true)]);
        assert_eq!(check_admin_change(&u2, "root", &disable), Ok(()));
    }

    #[test]
    fn only_admins_change_users_except_the_first() {
        let add = AdminChange::UserAdd {
            name: "root".into(),
            roles: vec![Role::Admin],
        };
        assert_eq!(check_admin_change(&Users::new(), "root", &add), Ok(()));
        let u = users(&[
            ("root", &[Role::Admin], true),
            ("li", &[Role::Approver], true),
        ]);
        let add_m = AdminChange::UserAdd {
            name: "m".into(),
            roles: vec![Role::Admin],
        };
        assert!(matches!(
            check_admin_change(&u, "li", &add_m),
            Err(AdminRefusal::NotAllowed { .. })
        ));
        assert_eq!(
            check_admin_change(
                &u,
                "root",
                &AdminChange::UserEnable {
                    name: "ghost".into()
                }
            ),
            Err(AdminRefusal::NoSuchUser("ghost".into()))
        );
    }

    #[test]
    fn history_before_a_baseline_is_checked_against_who_it_knows() {
        use crate::domain::case::{Applicant, Employer, Submission};
        use crate::domain::{Action, Category, Kind, Stage, apply};
        let at = DateTime::parse_from_rfc3339("2026-01-01T09:00:00+08:00").expect("date");
        let submission = Submission {
            case_no: "B-1".into(),
            kind: Kind::OverseasNew,
            category: Category::B,
            legacy: false,
            applicant: Applicant {
                name: "LI WEI".into(),
                name_native: None,
                passport_no: "E12345678".into(),
                nationality: "SGP".into(),
                birth_date: None,
            },
            employer: Employer {
                name: "Example".into(),
                uscc: "91440101MA5CQ7H2XC".into(),
            },
            position: None,
            documents: vec![],
            exam_report: None,
            entry_date: None,
        };
        let event = |actor: &str, role, from, to, action| Event {
            case_no: "B-1".into(),
            at,
            actor: actor.into(),
            role,
            from,
            to,
            action,
        };
        let submit = event(
            "system",
            Role::System,
            None,
            Stage::PreAudit,
            Action::Submit {
                submission: Box::new(submission),
            },
        );
        let case = apply(None, &submit).expect("submit");
        // li.wei claimed as an approver, has left since, and the store was then migrated.
        let claim = event(
            "li.wei",
            Role::Approver,
            Some(Stage::PreAudit),
            Stage::PreAudit,
            Action::Claim,
        );
        let mut a = Authority::new();
        a.record(
            3,
            &AdminEvent {
                at,
                actor: "system".into(),
                change: AdminChange::Baseline {
                    users: vec![UserState {
                        name: "li.wei".into(),
                        roles: vec![Role::Viewer],
                        active: false,
                    }],
                    settings: SettingsState::default(),
                },
            },
        )
        .expect("baseline");
        assert_eq!(a.verify(1, None, &submit), Ok(()));
        assert_eq!(a.verify(2, Some(&case), &claim), Ok(()));
        // The same claim after the baseline is not.
        assert_eq!(
            a.verify(4, Some(&case), &claim).map_err(|v| v.rule),
            Err("active")
        );
        // A user the baseline does not know never acted.
        let ghost = event(
            "ghost",
            Role::Approver,
            Some(Stage::PreAudit),
            Stage::PreAudit,
            Action::Claim,
        );
        assert_eq!(
            a.verify(2, Some(&case), &ghost).map_err(|v| v.rule),
            Err("actor")
        );
    }

    #[test]
    fn users_are_known_from_the_event_that_added_them() {
        let at = DateTime::parse_from_rfc3339("2026-01-01T09:00:00+08:00").expect("date");
        let mut a = Authority::new();
        let ev = |actor: &str, change| AdminEvent {
            at,
            actor: actor.into(),
            change,
        };
        a.record(
            1,
            &ev(
                "system",
                AdminChange::Baseline {
                    users: vec![UserState {
                        name: "root".into(),
                        roles: vec![Role::Admin],
                        active: true,
                    }],
                    settings: SettingsState::default(),
                },
            ),
        )
        .expect("baseline");
        a.record(
            5,
            &ev(
                "root",
                AdminChange::UserAdd {
                    name: "li".into(),
                    roles: vec![Role::Approver],
                },
            ),
        )
        .expect("add");
        assert!(
            a.actor_at("root", 1).is_some(),
            "the baseline holds from the start"
        );
        assert!(a.actor_at("li", 5).is_none());
        assert!(a.actor_at("li", 6).is_some());
        assert!(
            a.record(
                7,
                &ev(
                    "li",
                    AdminChange::UserRoles {
                        name: "li".into(),
                        before: vec![Role::Approver],
                        after: vec![Role::Admin],
                    },
                ),
            )
            .is_err(),
            "an approver cannot make themselves admin"
        );
    }
}
