//! Opening the console: `permitdesk` with no subcommand, and `demo`.

use super::identity::{Need, Session};
use super::{Cli, Exit};
use crate::config::Config;
use crate::console::keymap::Keymap;
use crate::console::{Setup, runtime};
use crate::domain::Calendar;
use std::io::IsTerminal;

pub fn open(cli: &Cli, calendar: Calendar) -> anyhow::Result<()> {
    let session = Session::open(cli, calendar, Need::Reader)?;
    launch(cli, session)
}

pub fn launch(cli: &Cli, session: Session) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Exit::new(
            1,
            "the console needs a terminal; for scripts use `permitdesk case list` and `case show`",
        )
        .into());
    }
    let config = Config::load(cli.config.as_deref())?;
    let keymap = Keymap::with_overrides(&config.keys)
        .map_err(|e| Exit::new(6, format!("configuration: {e}")))?;
    let setup = Setup {
        user: session.actor.name.clone(),
        roles: session.actor.roles.clone(),
        today: session.today(),
        store_label: session
            .store
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        store_read_only: session.store.is_read_only(),
        lang: super::language(cli),
        keymap,
        ascii: cli.ascii,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        alert: config.alert,
        theme: config.theme,
    };
    runtime::run(session.store, setup)
}
