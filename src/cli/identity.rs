//! Who is acting: the Unix login, or `--as` where the store trusts declared users (INTERFACE.md,
//! "Identity"). Unknown and disabled users are refused before anything else happens.

use super::args::Caller;
use super::{Cli, Exit, open_existing, store_path};
use crate::domain::{Actor, Calendar};
use crate::store::Store;
use chrono::NaiveDate;

/// The login name of the process's real user, from the password database only: never from
/// `$USER`, which the user could set to anyone. A uid the database does not know has no name.
pub fn os_login() -> Option<String> {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
}

pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate, Exit> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Exit::new(
            6,
            format!(
                "{field}: \"{}\" is not a date; expected YYYY-MM-DD",
                crate::text::sanitize_line(text)
            ),
        )
    })
}

/// A case number given on the command line, as the store keeps it (the domain's one rule,
/// `fold_case_no`): `case show ｆｗ-000007` shows FW-000007.
pub fn case_arg(raw: &str) -> Result<String, Exit> {
    crate::domain::transition::fold_case_no(raw.trim())
        .map_err(|message| Exit::new(6, format!("CASE_NO: {message}")))
}

/// Whether this process may write the store file and create files (`-wal`, `-shm`) beside it.
fn writable(path: &std::path::Path) -> bool {
    use nix::unistd::{AccessFlags, access};
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    access(path, AccessFlags::W_OK).is_ok() && access(dir, AccessFlags::W_OK).is_ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Any known, active user.
    Reader,
    /// Any known, active user, and the store opened without writing to it, whatever the file
    /// allows: it is neither migrated nor brought up to date (`check` only reads).
    ReadOnly,
}

pub struct Session {
    pub store: Store,
    pub actor: Actor,
    /// `--today` where honoured.
    pub fixed_today: Option<NaiveDate>,
}

impl Session {
    /// Opens the store for this command. A store file or directory this process may not write
    /// is opened read-only: reading works (the console shows READ-ONLY), and any change is
    /// refused with exit 3 naming the store.
    pub fn open(cli: &Cli, calendar: Calendar, need: Need) -> anyhow::Result<Session> {
        let path = store_path(cli, "permitdesk.db")?;
        super::check_store_path(&path)?;
        // SQLite would take an empty file for an empty database and build a new store in it; an
        // empty file where a store should be is a damaged store (or an `init` cut short).
        if std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == 0) {
            return Err(Exit::new(
                1,
                format!(
                    "{}: the file is empty: not a permitdesk store (restore it from a backup, or remove it and run `permitdesk init`)",
                    path.display()
                ),
            )
            .into());
        }
        let store = if need == Need::ReadOnly || (path.exists() && !writable(&path)) {
            Store::open_read_only(&path, calendar)?
        } else {
            open_existing(&path, calendar)?
        };
        Self::with_store(cli, store)
    }

    pub fn with_store(cli: &Cli, store: Store) -> anyhow::Result<Session> {
        let (user, fixed_today) = resolve(cli, &store)?;
        let actor = store.actor(&user)?;
        Ok(Session {
            store,
            actor,
            fixed_today,
        })
    }

    pub fn today(&self) -> NaiveDate {
        self.store.clock(self.fixed_today).today()
    }

    pub fn user(&self) -> &str {
        &self.actor.name
    }
}

/// The acting user's name and the fixed day, each honoured only where the store allows it.
pub fn resolve(cli: &Cli, store: &Store) -> anyhow::Result<(String, Option<NaiveDate>)> {
    let (login, trusted) = match &cli.caller {
        Caller::Process => (
            os_login().ok_or_else(|| {
                Exit::new(
                    3,
                    "cannot tell who you are: this user id has no entry in the password database",
                )
            })?,
            store.settings().trust_declared_user,
        ),
        // The kernel named the client; only the server's own flag trusts what it declares.
        Caller::Peer {
            login,
            trust_declared_user,
        } => (login.clone(), *trust_declared_user),
    };
    let refused_here = match cli.caller {
        Caller::Process => "this store acts as your login",
        Caller::Peer { .. } => "this server acts as your login",
    };
    let user = match cli.as_user.as_deref() {
        Some(named) if named != login && !trusted => {
            return Err(Exit::new(
                3,
                format!(
                    "--as {}: {refused_here} ({login}); --as is honoured only on stores (and servers) that trust declared users",
                    crate::text::sanitize_line(named)
                ),
            )
            .into());
        }
        Some(named) => named.to_string(),
        None => login,
    };
    let fixed_today = match cli.today.as_deref() {
        None => None,
        Some(_) if !trusted => {
            return Err(Exit::new(
                3,
                "--today: this store does not allow fixing the date (only demo and training stores, and servers started with --trust-declared-user, do)",
            )
            .into());
        }
        Some(text) => Some(parse_date("--today", text)?),
    };
    Ok((user, fixed_today))
}
