//! The command line of INTERFACE.md: argument parsing, identity, and the exit codes.

pub mod args;
pub mod calendar;
mod case;
mod check;
pub mod completions;
pub mod console;
mod demo;
pub mod doctor;
mod export;
mod identity;
mod import;
pub mod io;
mod litestream;
mod log;
mod output;
mod replication;
mod report;
mod restore_check;
mod settings;
mod sync;
mod user;

pub use args::Cli;
pub use identity::parse_date;

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

/// Where a command runs: on a store this process opens, or through a server's socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Direct,
    Served(PathBuf),
}

/// Flags, then the environment, then the configuration; then a deployed server's socket if one
/// is there; else the default store. `demo`, `init`, `serve` and `restore-check` always open
/// their store directly;
/// `completions` opens nothing.
pub fn endpoint(cli: &Cli, config: &crate::config::Config) -> Result<Endpoint, Exit> {
    if cli.connect.is_some() && !cli.from_env.connect && cli.db.is_some() && !cli.from_env.db {
        return Err(Exit::new(
            2,
            "--db and --connect name two stores: --db opens a store directly, --connect uses a server's; give one",
        ));
    }
    if matches!(
        cli.command,
        Some(
            Command::Demo(_)
                | Command::Init { .. }
                | Command::Serve(_)
                | Command::RestoreCheck(_)
                | Command::Completions { .. }
        )
    ) {
        return Ok(Endpoint::Direct);
    }
    Ok(
        match (&cli.connect, cli.from_env.connect, &cli.db, cli.from_env.db) {
            (Some(socket), false, _, _) => Endpoint::Served(socket.clone()),
            (_, _, Some(_), false) => Endpoint::Direct,
            (Some(socket), true, _, _) => Endpoint::Served(socket.clone()),
            (_, _, Some(_), true) => Endpoint::Direct,
            _ => match &config.connect {
                Some(socket) => Endpoint::Served(socket.clone()),
                None => {
                    let deployed = std::path::Path::new(crate::remote::DEFAULT_SOCKET);
                    if deployed.exists() {
                        Endpoint::Served(deployed.to_path_buf())
                    } else {
                        Endpoint::Direct
                    }
                }
            },
        },
    )
}

/// The whole line a failed command prints after `permitdesk: `, in `lang` where it can.
pub fn failure_text(lang: Lang, err: &anyhow::Error) -> String {
    format!("{}{}", error_message(lang, err), damage_hint(err))
}

/// What to do when SQLite says the store file itself is damaged.
fn damage_hint(err: &anyhow::Error) -> &'static str {
    let damaged = err.chain().any(|cause| {
        cause
            .downcast_ref::<rusqlite::Error>()
            .and_then(|e| e.sqlite_error_code())
            .is_some_and(|code| {
                matches!(
                    code,
                    rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
                )
            })
    });
    if damaged {
        " (the store file is damaged: restore it from a backup made with `permitdesk backup`)"
    } else {
        ""
    }
}

pub fn run(mut cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::Completions { shell }) = &cli.command {
        // Before the configuration: a broken config file must not break the shell's completion.
        return completions::print(*shell);
    }
    if let Some(lang) = cli.lang.as_deref() {
        check_lang(lang)?;
    }
    let config = crate::config::Config::load(cli.config.as_deref())?;
    cli.replication = config.replication();
    let calendar = match load_calendar(&config) {
        Ok(calendar) => calendar,
        // Only a new store and `calendar install` take the configured calendar; every other
        // command counts with the store's own, so an unreadable file is a warning for them.
        Err(e) if !uses_configured_calendar(&cli) => {
            crate::errln!("warning: {e:#}; the store's own calendar is used");
            Calendar::embedded()
        }
        Err(e) => return Err(e),
    };
    match endpoint(&cli, &config)? {
        Endpoint::Served(socket) => crate::remote::client::run(cli, &config, calendar, &socket),
        Endpoint::Direct => execute(&cli, calendar),
    }
}

/// Runs a command on the store this process opens (its own, or the server's for a client).
pub fn execute(cli: &Cli, calendar: Calendar) -> anyhow::Result<()> {
    match &cli.command {
        None => console::open(cli, calendar),
        Some(Command::Demo(args)) => demo::run(cli, args, calendar),
        Some(Command::Init {
            trust_declared_user,
        }) => user::init(cli, *trust_declared_user, calendar),
        Some(Command::User(cmd)) => user::run(cli, cmd, calendar),
        Some(Command::Case(args::CaseCommand::ResolveConflict(a))) => {
            sync::resolve(cli, a, calendar)
        }
        Some(Command::Case(cmd)) => case::run(cli, cmd, calendar),
        Some(Command::Import(a)) => import::run(cli, a, calendar),
        Some(Command::Sync(a)) => sync::run(cli, a, calendar),
        Some(Command::Export(a)) => export::run(cli, a, calendar),
        Some(Command::Report(a)) => report::run(cli, a, calendar),
        Some(Command::Check(args)) => check::run(cli, args, calendar),
        Some(Command::Doctor) => doctor::run(cli, calendar),
        Some(Command::RestoreCheck(args)) => restore_check::run(cli, args, calendar),
        Some(Command::Calendar(cmd)) => calendar::run(cli, cmd, calendar),
        Some(Command::Settings(cmd)) => settings::run(cli, cmd, calendar),
        Some(Command::Log(args)) => log::run(cli, args, calendar),
        Some(Command::Backup { dest }) => backup(cli, dest, calendar),
        Some(Command::Serve(args)) => crate::remote::server::run(cli, args, calendar),
        Some(Command::Completions { shell }) => completions::print(*shell),
    }
}

/// `--lang` (or `PERMITDESK_LANG`): `zh` or `en`, alone or as a locale (`zh_CN.UTF-8`).
fn check_lang(lang: &str) -> Result<(), Exit> {
    let lower = lang.trim().to_ascii_lowercase();
    let known = ["zh", "en"].iter().any(|code| {
        lower == *code
            || lower.starts_with(&format!("{code}_"))
            || lower.starts_with(&format!("{code}-"))
    });
    if known {
        Ok(())
    } else {
        Err(Exit::new(
            2,
            format!(
                "--lang {}: say zh (中文) or en (English)",
                crate::text::sanitize_line(lang)
            ),
        ))
    }
}

/// A backup goes into a directory that exists: none is made that the user did not ask for.
pub fn check_backup_dest(dest: &std::path::Path) -> Result<(), Exit> {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !parent.is_dir() {
        return Err(Exit::new(
            6,
            format!(
                "DEST: {} does not exist or is not a directory; create it first",
                parent.display()
            ),
        ));
    }
    Ok(())
}

/// `backup DEST` (admin): SQLite's online backup, a consistent copy while consoles run. Served,
/// the server copies into a private temporary file and the client writes DEST as the caller.
fn backup(cli: &Cli, dest: &std::path::Path, calendar: Calendar) -> anyhow::Result<()> {
    let session = identity::Session::open(cli, calendar, identity::Need::Reader)?;
    session.store.require_admin(session.user(), "backup")?;
    if !io::is_served() {
        check_backup_dest(dest)?;
    }
    if io::is_served() {
        let dir = tempfile::tempdir().context("a temporary directory for the copy")?;
        let copy = dir.path().join("backup.db");
        session.store.backup(&copy)?;
        let mut out = io::OutputFile::create(dest, &[])?;
        let mut file = std::fs::File::open(&copy).context("reading the copy")?;
        std::io::copy(&mut file, &mut out).context("sending the copy")?;
        out.commit()?;
    } else {
        session.store.backup(dest)?;
    }
    if cli.json {
        return output::print_json(&serde_json::json!({
            "store": session.store.path(),
            "backup": dest,
        }));
    }
    crate::outln!(
        "backed up {} to {}",
        session.store.path().display(),
        dest.display()
    );
    Ok(())
}

fn uses_configured_calendar(cli: &Cli) -> bool {
    matches!(
        cli.command,
        Some(
            Command::Demo(_)
                | Command::Init { .. }
                | Command::Calendar(args::CalendarCommand::Install { file: None })
        )
    )
}

/// The holiday calendar: a newer file named in the config, or the one built in.
pub fn load_calendar(config: &crate::config::Config) -> anyhow::Result<Calendar> {
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
    check_store_path(path)?;
    Ok(Store::open(path, calendar)?)
}

/// Says what is at a store path when it is not a store this process can open: nothing, a place
/// this user may not look (with its owner: a served store is the server's), or not a file.
pub(crate) fn check_store_path(path: &std::path::Path) -> Result<(), Exit> {
    use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
    match std::fs::metadata(path) {
        Ok(meta) => {
            let kind = meta.file_type();
            let what = if kind.is_dir() {
                Some("a directory")
            } else if kind.is_fifo() {
                Some("a FIFO")
            } else if kind.is_char_device() || kind.is_block_device() {
                Some("a device")
            } else if kind.is_socket() {
                Some("a socket (connect to a server with --connect)")
            } else {
                None
            };
            match what {
                Some(what) => Err(Exit::new(
                    1,
                    format!("{}: this is {what}, not a permitdesk store", path.display()),
                )),
                None => Ok(()),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            // The nearest place this user can see, and whose it is.
            let owner = path
                .ancestors()
                .skip(1)
                .find_map(|dir| std::fs::metadata(dir).ok().map(|m| (dir, m)))
                .map(|(dir, m)| {
                    let user = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(m.uid()))
                        .ok()
                        .flatten()
                        .map(|u| u.name)
                        .unwrap_or_else(|| m.uid().to_string());
                    let group = nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(m.gid()))
                        .ok()
                        .flatten()
                        .map(|g| g.name)
                        .unwrap_or_else(|| m.gid().to_string());
                    format!(" ({} belongs to {user}, group {group})", dir.display())
                })
                .unwrap_or_default();
            Err(Exit::new(
                1,
                format!(
                    "{}: permission denied{owner}; a store served by `permitdesk serve` is reached through its socket (--connect), never opened directly",
                    path.display()
                ),
            ))
        }
        Err(_) => Err(Exit::new(
            1,
            format!(
                "{}: no store here; create one with `permitdesk init` or `permitdesk demo`, or pass --db",
                path.display()
            ),
        )),
    }
}
