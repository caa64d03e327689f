//! Users and their roles. Every entry point resolves its actor here.

use super::Store;
use super::admin;
use super::error::{Result, SqlContext, StoreError};
use crate::domain::{Actor, AdminChange, Role};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub name: String,
    pub roles: Vec<Role>,
    pub active: bool,
    pub created_at: String,
}

pub(super) fn parse_roles(text: &str) -> Vec<Role> {
    text.split(',').filter_map(|r| r.parse().ok()).collect()
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn actor(conn: &Connection, name: &str) -> Result<Option<Actor>> {
    conn.prepare_cached("SELECT roles, active FROM users WHERE name = ?1")
        .ctx("preparing the user read")?
        .query_row([name], |r| {
            Ok(Actor {
                name: name.to_string(),
                roles: parse_roles(&r.get::<_, String>(0)?),
                active: r.get(1)?,
            })
        })
        .optional()
        .ctx("reading a user")
}

pub(crate) fn require_active(conn: &Connection, name: &str) -> Result<Actor> {
    match actor(conn, name)? {
        None => Err(StoreError::UnknownUser(name.to_string())),
        Some(a) if !a.active => Err(StoreError::DisabledUser(name.to_string())),
        Some(a) => Ok(a),
    }
}

/// A user name: a login name, so letters, digits, `.`, `_` and `-`.
pub fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && name != Actor::SYSTEM;
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            field: "NAME".into(),
            message: format!(
                "\"{}\" is not a user name: use 1-64 letters, digits, '.', '_' or '-' (and not \"system\")",
                crate::text::sanitize_line(name)
            ),
        })
    }
}

fn validate_roles(roles: &[Role]) -> Result<()> {
    if roles.is_empty() {
        return Err(StoreError::Invalid {
            field: "--role".into(),
            message: "give at least one role".into(),
        });
    }
    if roles.contains(&Role::System) {
        return Err(StoreError::Invalid {
            field: "--role".into(),
            message: "system is reserved for the upstream sync".into(),
        });
    }
    Ok(())
}

impl Store {
    /// The acting user, known and active; refused otherwise.
    pub fn actor(&self, name: &str) -> Result<Actor> {
        require_active(&self.conn, name)
    }

    pub fn find_actor(&self, name: &str) -> Result<Option<Actor>> {
        actor(&self.conn, name)
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, roles, active, created_at FROM users ORDER BY name")
            .ctx("preparing the user list")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(User {
                    name: r.get(0)?,
                    roles: parse_roles(&r.get::<_, String>(1)?),
                    active: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })
            .ctx("listing users")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("listing users")
    }

    /// Adds a user, audited. `by` must be an admin, except for the very first user of a new
    /// store.
    pub fn add_user(
        &mut self,
        by: Option<&str>,
        name: &str,
        roles: &[Role],
        now: &str,
    ) -> Result<()> {
        validate_name(name)?;
        validate_roles(roles)?;
        let at = self.event_time(now)?;
        self.write(&format!("adding user {name}"), |tx, _, _| {
            if let Some(by) = by {
                require_admin(tx, by)?;
            }
            if actor(tx, name)?.is_some() {
                return Err(StoreError::UserExists(name.to_string()));
            }
            let change = AdminChange::UserAdd {
                name: name.to_string(),
                roles: roles.to_vec(),
            };
            admin::permit(tx, by.unwrap_or(name), &change)?;
            tx.execute(
                "INSERT INTO users (name, roles, active, created_at) VALUES (?1, ?2, 1, ?3)",
                params![name, roles_text(roles), now],
            )
            .ctx("adding a user")?;
            admin::record(tx, by.unwrap_or(name), at, change)?;
            Ok(())
        })
    }

    /// `now` as given to the user commands (RFC 3339), as an event's time.
    fn event_time(&self, now: &str) -> Result<chrono::DateTime<chrono::FixedOffset>> {
        chrono::DateTime::parse_from_rfc3339(now).map_err(|_| StoreError::Invalid {
            field: "now".into(),
            message: format!("\"{now}\" is not an RFC 3339 time"),
        })
    }

    /// Makes `name` the first admin of a new store, and marks whether it trusts `--as`, in one
    /// transaction, so an interrupted `init` leaves a store that `init` can finish. Both are
    /// administrative events by the new admin.
    pub fn init_admin(&mut self, name: &str, trust_declared_user: bool, now: &str) -> Result<()> {
        validate_name(name)?;
        let at = self.event_time(now)?;
        self.write("creating the first admin", |tx, _, _| {
            let change = AdminChange::UserAdd {
                name: name.to_string(),
                roles: vec![Role::Admin],
            };
            admin::permit(tx, name, &change)?;
            tx.execute(
                "INSERT INTO users (name, roles, active, created_at) VALUES (?1, 'admin', 1, ?2)",
                params![name, now],
            )
            .ctx("adding the first admin")?;
            admin::record(tx, name, at, change)?;
            if trust_declared_user {
                let before = admin::settings_audited(tx)?.unwrap_or_default();
                let mut after = before.clone();
                after.trust_declared_user = true;
                admin::store_settings(tx, &after)?;
                admin::record(tx, name, at, AdminChange::Settings { before, after })?;
            }
            Ok(())
        })?;
        self.settings = super::meta::load(&self.conn)?;
        Ok(())
    }

    /// Replaces a user's roles, audited; the last active admin keeps theirs.
    pub fn set_roles(&mut self, by: &str, name: &str, roles: &[Role]) -> Result<()> {
        validate_roles(roles)?;
        let now = self.clock(None).now();
        self.write(&format!("changing the roles of {name}"), |tx, _, _| {
            require_admin(tx, by)?;
            let before = actor(tx, name)?
                .ok_or_else(|| StoreError::NoSuchUser(name.to_string()))?
                .roles;
            let change = AdminChange::UserRoles {
                name: name.to_string(),
                before,
                after: roles.to_vec(),
            };
            admin::permit(tx, by, &change)?;
            tx.execute(
                "UPDATE users SET roles = ?1 WHERE name = ?2",
                params![roles_text(roles), name],
            )
            .ctx("changing roles")?;
            admin::record(tx, by, now, change)?;
            Ok(())
        })
    }

    /// Restores a disabled user, audited.
    pub fn enable_user(
        &mut self,
        by: &str,
        name: &str,
        today: Option<chrono::NaiveDate>,
    ) -> Result<()> {
        let now = self.clock(today).now();
        self.write(&format!("enabling {name}"), |tx, _, _| {
            require_admin(tx, by)?;
            let found = actor(tx, name)?.ok_or_else(|| StoreError::NoSuchUser(name.to_string()))?;
            if found.active {
                return Err(StoreError::Invalid {
                    field: "NAME".into(),
                    message: format!("{name} is already active; nothing was changed"),
                });
            }
            let change = AdminChange::UserEnable {
                name: name.to_string(),
            };
            admin::permit(tx, by, &change)?;
            tx.execute("UPDATE users SET active = 1 WHERE name = ?1", [name])
                .ctx("enabling a user")?;
            admin::record(tx, by, now, change)?;
            Ok(())
        })
    }

    /// Disables a user and releases every claim they hold, each release audited after the
    /// disabling itself, and ends their running review sessions; the last active admin stays.
    pub fn disable_user(
        &mut self,
        by: &str,
        name: &str,
        today: Option<chrono::NaiveDate>,
    ) -> Result<Vec<String>> {
        let now = self.clock(today).now();
        self.disable_user_at(by, name, now)
    }

    /// [`Store::disable_user`] at a given time (the demo writes a reproducible history).
    pub fn disable_user_at(
        &mut self,
        by: &str,
        name: &str,
        now: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<Vec<String>> {
        self.write(&format!("disabling {name}"), |tx, settings, calendar| {
            let admin = require_admin(tx, by)?;
            if actor(tx, name)?.is_none() {
                return Err(StoreError::NoSuchUser(name.to_string()));
            }
            let held: Vec<String> = tx
                .prepare("SELECT case_no FROM cases WHERE assignee = ?1 AND stage IN ('pre_audit', 'review', 'returned') ORDER BY case_no")
                .ctx("listing claims")?
                .query_map([name], |r| r.get(0))
                .ctx("listing claims")?
                .collect::<rusqlite::Result<_>>()
                .ctx("listing claims")?;
            let change = AdminChange::UserDisable {
                name: name.to_string(),
                released: held.clone(),
            };
            admin::permit(tx, by, &change)?;
            tx.execute("UPDATE users SET active = 0 WHERE name = ?1", [name])
                .ctx("disabling a user")?;
            let mut head = admin::record(tx, by, now, change)?;
            let clocks = crate::domain::Clocks {
                calendar,
                policy: &settings.policy,
                today: now.date_naive(),
            };
            for case_no in &held {
                let Some((id, case)) = super::cases::load(tx, case_no)? else {
                    continue;
                };
                let event = crate::domain::Event {
                    case_no: case_no.clone(),
                    at: now,
                    actor: admin.name.clone(),
                    role: crate::domain::Role::Admin,
                    from: Some(case.stage),
                    to: case.stage,
                    action: crate::domain::Action::Release,
                    number: None,
                    late: false,
                };
                let next = crate::domain::apply(Some(&case), &event)?;
                super::cases::update(tx, id, &case, &next, &event, &clocks, &now.to_rfc3339())?;
                head = super::chain::append(tx, &head, id, &event)?;
            }
            // A review session they were in ends with the claims it held: nothing is left
            // running in the name of someone who may no longer act.
            super::review::end_sessions_of(tx, (settings, calendar), name, now)?;
            Ok(held)
        })
    }
}

pub(super) fn require_admin(conn: &Connection, by: &str) -> Result<Actor> {
    require_admin_to(conn, by, "managing users")
}

/// `by` must be an active admin to do `what` ("managing users needs the admin role; ...").
pub(super) fn require_admin_to(conn: &Connection, by: &str, what: &str) -> Result<Actor> {
    let actor = require_active(conn, by)?;
    if actor.has(Role::Admin) {
        Ok(actor)
    } else {
        Err(StoreError::NotPermitted(format!(
            "{what} needs the admin role; {by} holds {}",
            roles_text(&actor.roles)
        )))
    }
}
