//! Opening the console: `permitdesk` with no subcommand, and `demo`.

use super::identity::{Need, Session};
use super::{Cli, Exit};
use crate::config::Config;
use crate::console::keymap::Keymap;
use crate::console::{Setup, runtime};
use crate::domain::{Calendar, Policy, Role};
use chrono::NaiveDate;
use std::io::IsTerminal;

pub fn open(cli: &Cli, calendar: Calendar) -> anyhow::Result<()> {
    let session = Session::open(cli, calendar, Need::Reader)?;
    launch(cli, session)
}

pub fn launch(cli: &Cli, session: Session) -> anyhow::Result<()> {
    let label = session
        .store
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let setup = setup(
        cli,
        Who {
            user: session.actor.name.clone(),
            roles: session.actor.roles.clone(),
            today: session.today(),
            policy: session.store.policy().clone(),
            store_label: label,
            read_only: session.store.is_read_only(),
        },
    )?;
    runtime::run(session.store, setup)
}

/// Who the console is for and on what store, as the store (or the server) says.
pub struct Who {
    pub user: String,
    pub roles: Vec<Role>,
    pub today: NaiveDate,
    pub policy: Policy,
    pub store_label: String,
    pub read_only: bool,
}

/// The console's setup from the command line, the configuration and who the user is; refuses
/// when there is no terminal to draw on.
pub fn setup(cli: &Cli, who: Who) -> anyhow::Result<Setup> {
    need_terminal()?;
    let config = Config::load(cli.config.as_deref())?;
    let keymap = Keymap::with_overrides(&config.keys)
        .map_err(|e| Exit::new(6, format!("configuration: {e}")))?;
    Ok(Setup {
        user: who.user,
        roles: who.roles,
        today: who.today,
        policy: who.policy,
        store_label: who.store_label,
        store_read_only: who.read_only,
        lang: super::language(cli),
        keymap,
        ascii: cli.ascii,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        alert: config.alert,
        theme: config.theme,
    })
}

pub fn need_terminal() -> Result<(), Exit> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Exit::new(
            1,
            "the console needs a terminal; for scripts use `permitdesk case list` and `case show`",
        ));
    }
    Ok(())
}
