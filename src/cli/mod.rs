//! The command line of INTERFACE.md: argument parsing, identity, and the exit codes.

mod args;
mod calendar;
mod case;
mod check;
mod console;
mod demo;
mod doctor;
mod export;
mod identity;
mod import;
mod log;
mod output;
mod report;
mod sync;
mod user;

pub use args::Cli;

use crate::console::i18n::{Lang, Why};
use crate::domain::Calendar;
use crate::store::{Store, StoreError};
use anyhow::Context as _;
use args::Command;
use std::path::PathBuf;

/// An error that carries its own exit code (usage and rule errors found before the store).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

impl Exit {
    pub fn new(code: u8, message: impl Into<String>) -> Exit {
        Exit {
            code,
            message: message.into(),
        }
    }
}

/// The exit code INTERFACE.md gives this error.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<Exit>() {
            return e.code;
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return e.exit_code();
        }
        if let Some(e) = cause.downcast_ref::<crate::domain::Refusal>() {
            return e.exit_code();
        }
    }
    1
}

/// The language of the console and of messages: `--lang`/`PERMITDESK_LANG`, else the locale.
pub fn language(cli: &Cli) -> Lang {
    Lang::choose(
        cli.lang.as_deref(),
        std::env::var("LC_ALL").ok().as_deref(),
        std::env::var("LANG").ok().as_deref(),
    )
}

/// What a failed command says: refusals and conflicts in the user's language, in the same words
/// as the console; anything else in English.
pub fn error_message(lang: Lang, err: &anyhow::Error) -> String {
    let english = format!("{err:#}");
    let why = err.chain().find_map(|cause| {
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            Some(Why::from_error(e))
        } else {
            cause
                .downcast_ref::<crate::domain::Refusal>()
                .map(|r| Why::Refused(r.clone()))
        }
    });
    match (lang, why) {
        (Lang::Zh, Some(why)) => why.say(lang, &english),
        _ => english,
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config = crate::config::Config::load(cli.config.as_deref())?;
    let calendar = load_calendar(&config)?;
    match &cli.command {
        None => console::open(&cli, calendar),
        Some(Command::Demo(args)) => demo::run(&cli, args, calendar),
        Some(Command::Init {
            trust_declared_user,
        }) => user::init(&cli, *trust_declared_user, calendar),
        Some(Command::User(cmd)) => user::run(&cli, cmd, calendar),
        Some(Command::Case(args::CaseCommand::ResolveConflict(a))) => {
            sync::resolve(&cli, a, calendar)
        }
        Some(Command::Case(cmd)) => case::run(&cli, cmd, calendar),
        Some(Command::Import(a)) => import::run(&cli, a, calendar),
        Some(Command::Sync(a)) => sync::run(&cli, a, calendar),
        Some(Command::Export(a)) => export::run(&cli, a, calendar),
        Some(Command::Report(a)) => report::run(&cli, a, calendar),
        Some(Command::Check(args)) => check::run(&cli, args, calendar),
        Some(Command::Doctor) => doctor::run(&cli, calendar),
        Some(Command::Calendar(cmd)) => calendar::run(&cli, cmd, calendar),
        Some(Command::Log(args)) => log::run(&cli, args, calendar),
        Some(Command::Backup { dest }) => {
            let session = identity::Session::open(&cli, calendar, identity::Need::Reader)?;
            session.store.backup(dest)?;
            println!(
                "backed up {} to {}",
                session.store.path().display(),
                dest.display()
            );
            Ok(())
        }
    }
}

/// The holiday calendar: a newer file named in the config, or the one built in.
fn load_calendar(config: &crate::config::Config) -> anyhow::Result<Calendar> {
    match &config.calendar {
        Some(path) => Calendar::load(path).map_err(|e| {
            let code = match e {
                crate::domain::calendar::CalendarError::Io { .. } => 1,
                _ => 6,
            };
            let named_by = config
                .path
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "the configuration".into());
            Exit::new(code, format!("{e} (named by `calendar` in {named_by})")).into()
        }),
        None => Ok(Calendar::embedded()),
    }
}

/// `--db`, `PERMITDESK_DB`, or the data directory's `permitdesk.db`.
pub fn store_path(cli: &Cli, file_name: &str) -> anyhow::Result<PathBuf> {
    if let Some(db) = &cli.db {
        return Ok(db.clone());
    }
    let dirs = directories::BaseDirs::new().context("cannot find the home directory; pass --db")?;
    Ok(dirs.data_dir().join("permitdesk").join(file_name))
}

pub(crate) fn open_existing(path: &std::path::Path, calendar: Calendar) -> anyhow::Result<Store> {
    if !path.exists() {
        return Err(Exit::new(
            1,
            format!(
                "{}: no store here; create one with `permitdesk init` or `permitdesk demo`, or pass --db",
                path.display()
            ),
        )
        .into());
    }
    Ok(Store::open(path, calendar)?)
}
