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
use std::borrow::Cow;
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

fn person(name: &str, roles: &[Role], active: bool) -> Actor {
    Actor {
        name: name.to_string(),
        roles: roles.to_vec(),
        active,
    }
}

/// Users and settings through the chain: each user's states and the settings, each from the
/// sequence number it took effect at, so that any moment is a binary search away.
#[derive(Debug, Clone)]
pub struct Authority {
    system: Actor,
    /// Each user as of each change, kept whole so that checking an event allocates nothing.
    history: HashMap<String, Vec<(i64, Actor)>>,
    settings: Vec<(i64, SettingsState)>,
    users: Users,
    current: SettingsState,
    seen: usize,
    /// Where a migrated store's baseline stands in the chain: before it, roles and activity
    /// were not recorded.
    baseline_seq: Option<i64>,
}

impl Default for Authority {
    fn default() -> Self {
        Authority::new()
    }
}

impl Authority {
    pub fn new() -> Authority {
        Authority {
            system: Actor::system(),
            history: HashMap::new(),
            settings: Vec::new(),
            users: Users::new(),
            current: SettingsState::default(),
            seen: 0,
            baseline_seq: None,
        }
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
                        .insert(name.clone(), vec![(from, person(name, roles, *active))]);
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
                    self.history
                        .entry(name.clone())
                        .or_default()
                        .push((from, person(name, roles, *active)));
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
        self.known_at(name, seq).cloned()
    }

    fn known_at(&self, name: &str, seq: i64) -> Option<&Actor> {
        let states = self.history.get(name)?;
        let i = states.partition_point(|(from, _)| *from < seq);
        states.get(i.checked_sub(1)?).map(|(_, actor)| actor)
    }

    /// The policy in force just before event `seq`.
    pub fn policy_at(&self, seq: i64) -> Policy {
        self.policy_ref(seq).cloned().unwrap_or_default()
    }

    fn policy_ref(&self, seq: i64) -> Option<&Policy> {
        let i = self.settings.partition_point(|(from, _)| *from < seq);
        self.settings.get(i.checked_sub(1)?).map(|(_, s)| &s.policy)
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
        let found = match self.known_at(&event.actor, seq) {
            _ if event.actor == Actor::SYSTEM => Some(Cow::Borrowed(&self.system)),
            Some(actor) if before_baseline => Some(Cow::Owned(Actor {
                roles: vec![event.role],
                active: true,
                ..actor.clone()
            })),
            found => found.map(Cow::Borrowed),
        };
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
                .and_then(|holder| self.known_at(holder, seq))
                .is_some_and(|h| h.active);
            if is_release_for_disabled_holder(case, &actor, event, holder_active) {
                return Ok(());
            }
        }
        let default_policy;
        let policy = match self.policy_ref(seq) {
            Some(policy) => policy,
            None => {
                default_policy = Policy::default();
                &default_policy
            }
        };
        check_authority(case, &actor, event, policy).map_err(|refusal| {
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

mod summary;
#[cfg(test)]
mod tests;
