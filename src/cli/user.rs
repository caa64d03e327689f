//! `init` and `user add/list/enable/disable/roles`.

use super::args::UserCommand;
use super::identity::{Need, Session, os_login};
use super::output::{Table, print_json};
use super::{Cli, Exit, store_path};
use crate::domain::{Calendar, Role};
use crate::store::Store;

fn parse_roles(names: &[String]) -> Result<Vec<Role>, Exit> {
    let mut roles = Vec::new();
    for name in names {
        let role: Role = name
            .parse()
            .map_err(|e| Exit::new(6, format!("--role: {e}")))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    Ok(roles)
}

pub fn init(cli: &Cli, trust_declared_user: bool, calendar: Calendar) -> anyhow::Result<()> {
    let path = store_path(cli, "permitdesk.db")?;
    let login = os_login().ok_or_else(|| {
        Exit::new(
            3,
            "cannot tell who you are: this user id has no entry in the password database",
        )
    })?;
    let existed = path.exists();
    let mut store = Store::open(&path, calendar)?;
    // A store with no users is one an earlier `init` created and did not finish: finish it.
    if existed && !store.users()?.is_empty() {
        return Err(Exit::new(
            3,
            format!(
                "{}: a store already exists here; nothing was changed",
                path.display()
            ),
        )
        .into());
    }
    let now = store.clock(None).now().to_rfc3339();
    store.init_admin(&login, trust_declared_user, &now)?;
    let key = crate::store::ensure_anchor_key(&path)?;
    if cli.json {
        return print_json(&serde_json::json!({
            "store": path.display().to_string(),
            "admin": login,
            "trust_declared_user": trust_declared_user,
            "anchor_key": key.as_ref().map(|k| k.display().to_string()),
        }));
    }
    crate::outln!("created {} with {login} as its admin", path.display());
    if let Some(key) = key {
        crate::outln!(
            "anchor key: {} (back it up somewhere safe; see README, \"The anchor key\")",
            key.display()
        );
    }
    crate::outln!("add people with: permitdesk user add NAME --role approver");
    Ok(())
}

pub fn run(cli: &Cli, cmd: &UserCommand, calendar: Calendar) -> anyhow::Result<()> {
    let mut session = Session::open(cli, calendar, Need::Reader)?;
    let by = session.user().to_string();
    let now = session.store.clock(session.fixed_today).now().to_rfc3339();
    match cmd {
        UserCommand::Add { name, roles } => {
            let roles = parse_roles(roles)?;
            session.store.add_user(Some(&by), name, &roles, &now)?;
            if !cli.json {
                crate::outln!("added {name} ({})", role_names(&roles));
            }
            print_user_json(cli, &session, name, &[])?;
        }
        UserCommand::Roles { name, roles } => {
            let roles = parse_roles(roles)?;
            session.store.set_roles(&by, name, &roles)?;
            if !cli.json {
                crate::outln!("{name} now holds {}", role_names(&roles));
            }
            print_user_json(cli, &session, name, &[])?;
        }
        UserCommand::Enable { name } => {
            session.store.enable_user(&by, name, session.fixed_today)?;
            if !cli.json {
                crate::outln!("enabled {name}");
            }
            print_user_json(cli, &session, name, &[])?;
        }
        UserCommand::Disable { name } => {
            let released = session.store.disable_user(&by, name, session.fixed_today)?;
            if !cli.json {
                crate::outln!(
                    "disabled {name}; released {} claim(s){}",
                    released.len(),
                    if released.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", crate::text::sanitize_line(&released.join(", ")))
                    }
                );
            }
            print_user_json(cli, &session, name, &released)?;
        }
        UserCommand::List => {
            let users = session.store.users()?;
            if cli.json {
                return print_json(&users);
            }
            let mut table = Table::new(&[
                ("User", 24, false),
                ("Roles", 40, false),
                ("Active", 6, false),
            ]);
            for u in users {
                table.row(vec![
                    u.name,
                    role_names(&u.roles),
                    if u.active { "yes" } else { "no" }.into(),
                ]);
            }
            crate::out!("{}", table.render());
        }
    }
    Ok(())
}

fn role_names(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// `--json` for the user commands that change someone: the user as `user list --json` shows them
/// after the change, and the claims a disable released.
fn print_user_json(
    cli: &Cli,
    session: &Session,
    name: &str,
    released_claims: &[String],
) -> anyhow::Result<()> {
    if !cli.json {
        return Ok(());
    }
    let user = session
        .store
        .users()?
        .into_iter()
        .find(|u| u.name == name)
        .ok_or_else(|| Exit::new(5, format!("no user named {name}")))?;
    print_json(&serde_json::json!({
        "user": user,
        "released_claims": released_claims,
    }))
}
