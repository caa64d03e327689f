//! `restore-check`: the drill for a lost disk. Litestream restores the replica into a scratch
//! directory; the restored store is opened read-only and checked as `check` would (with an
//! outbox anchor when given), and its chain head is compared with the live store's, if that
//! is still there. The restored store stays in the directory: it is what a recovery moves into
//! place (README.md, "Recovery").

use super::args::RestoreCheckArgs;
use super::litestream::{self, Source};
use super::output::print_json;
use super::{Cli, Exit, store_path};
use crate::domain::Calendar;
use crate::store::{ChainAnchor, ChainPosition, CheckReport, Store};
use crate::text::sanitize_line;
use anyhow::Context as _;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `restore-check --json` prints.
#[derive(Debug, Serialize)]
struct Drill {
    restored: PathBuf,
    source: String,
    /// Litestream's transaction ID of the restored position.
    txid: Option<String>,
    timestamp: Option<String>,
    restore_seconds: f64,
    chain_head: Option<ChainPosition>,
    live: Option<Live>,
    /// Why the live store could not be compared (it is gone, or unreadable).
    live_error: Option<String>,
    anchor_seq: Option<i64>,
    check: CheckReport,
    check_seconds: f64,
    ok: bool,
}

#[derive(Debug, Serialize)]
struct Live {
    store: PathBuf,
    chain_head: Option<ChainPosition>,
    /// Events the live store holds beyond the restored head.
    behind_events: i64,
    /// Seconds between the two heads' recorded times.
    behind_seconds: f64,
}

pub fn run(cli: &Cli, args: &RestoreCheckArgs, calendar: Calendar) -> anyhow::Result<()> {
    // The restored store holds every passport: nothing made here is for anyone else.
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
    let live_path = store_path(cli, "permitdesk.db")?;
    let source = source(cli, args, &live_path)?;
    if let Some(t) = &args.timestamp {
        chrono::DateTime::parse_from_rfc3339(t).map_err(|_| {
            Exit::new(
                6,
                format!(
                    "--timestamp: \"{}\" is not an RFC 3339 time (2026-11-26T15:30:00+08:00)",
                    sanitize_line(t)
                ),
            )
        })?;
    }
    let anchor = args.anchor.as_deref().map(anchor).transpose()?;
    prepare_dir(&args.into)?;
    let name = live_path
        .file_name()
        .map_or_else(|| "permitdesk.db".into(), |n| n.to_os_string());
    let restored = args.into.join(name);

    let started = Instant::now();
    let summary = litestream::restore(&source, &restored, args.timestamp.as_deref())
        .map_err(|e| Exit::new(1, e.to_string()))?;
    let restore_seconds = started.elapsed().as_secs_f64();
    set_private(&restored)?;

    let store = Store::open_read_only(&restored, calendar.clone())
        .with_context(|| format!("opening the restored store {}", restored.display()))?;
    let chain_head = store.chain_position()?;
    let (live, live_error) = match live_head(&live_path, calendar) {
        Ok(head) => (Some(compare(&live_path, head, chain_head.as_ref())), None),
        Err(e) => (None, Some(format!("{e:#}"))),
    };
    let today = match (&cli.today, store.settings().trust_declared_user) {
        (Some(day), true) => Some(super::parse_date("--today", day)?),
        _ => None,
    };
    let key_path = args
        .anchor_key
        .clone()
        .unwrap_or_else(|| crate::store::anchor_key_path(&live_path));
    let started = Instant::now();
    let check = store.check_with_key(store.clock(today).today(), anchor.as_ref(), &key_path)?;
    let drill = Drill {
        restored,
        source: describe(&source),
        txid: summary.txid,
        timestamp: args.timestamp.clone(),
        restore_seconds,
        chain_head,
        live,
        live_error,
        anchor_seq: anchor.map(|a| a.seq),
        ok: check.ok(),
        check,
        check_seconds: started.elapsed().as_secs_f64(),
    };
    if cli.json {
        print_json(&drill)?;
    } else {
        print(&drill);
    }
    match drill.check.problems.first() {
        None => Ok(()),
        Some(first) => Err(Exit::new(
            1,
            format!(
                "the restored store {} fails check: {}",
                drill.restored.display(),
                sanitize_line(first)
            ),
        )
        .into()),
    }
}

/// The replica named by `--replica`, `--litestream-config`, or the configuration.
fn source(cli: &Cli, args: &RestoreCheckArgs, live: &Path) -> Result<Source, Exit> {
    if let Some(url) = &args.replica {
        return Ok(Source::Url(url.clone()));
    }
    let config = args
        .litestream_config
        .clone()
        .or_else(|| cli.replication.litestream_config.clone())
        .ok_or_else(|| {
            Exit::new(
                2,
                "say where the replica is: --litestream-config PATH, --replica URL, or litestream_config in the configuration",
            )
        })?;
    Ok(Source::Config {
        config,
        db: live.to_path_buf(),
    })
}

fn describe(source: &Source) -> String {
    match source {
        Source::Config { config, db } => {
            format!("{} of {}", db.display(), config.display())
        }
        Source::Url(url) => url.clone(),
    }
}

/// `SEQ:HMAC`, an outbox file, or an outbox directory: the anchor of its newest file (outbox
/// files are named by their zero-padded sequence ranges, so the newest sorts last).
fn anchor(arg: &str) -> Result<ChainAnchor, Exit> {
    let path = Path::new(arg);
    if !path.is_dir() {
        return super::check::anchor(arg);
    }
    let newest = std::fs::read_dir(path)
        .map_err(|e| Exit::new(6, format!("--anchor: {arg}: {e}")))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl") && p.is_file())
        .max()
        .ok_or_else(|| Exit::new(6, format!("--anchor: {arg} holds no outbox file (*.jsonl)")))?;
    super::check::anchor(&newest.to_string_lossy())
}

/// The scratch directory: made 0700 if missing; if it exists, an empty directory of this user's
/// that nobody else may open (never a link: the restored store is not written through one).
fn prepare_dir(dir: &Path) -> Result<(), Exit> {
    use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, PermissionsExt as _};
    let bad = |why: String| Exit::new(6, format!("--into {}: {why}", dir.display()));
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::DirBuilder::new()
            .mode(0o700)
            .create(dir)
            .map_err(|e| bad(format!("{e} (its parent must exist)"))),
        Err(e) => Err(bad(e.to_string())),
        Ok(meta) if !meta.file_type().is_dir() => {
            Err(bad("not a directory; name a new or empty one".into()))
        }
        Ok(meta) if meta.uid() != nix::unistd::geteuid().as_raw() => {
            Err(bad("belongs to another user; name a new directory".into()))
        }
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => Err(bad(format!(
            "others may open it (mode {:o}) and the restored store holds every passport: chmod 0700 it, or name a new directory",
            meta.permissions().mode() & 0o7777
        ))),
        Ok(_) => match std::fs::read_dir(dir).map(|mut d| d.next().is_none()) {
            Ok(true) => Ok(()),
            Ok(false) => Err(bad("not empty; name a new or empty directory".into())),
            Err(e) => Err(bad(e.to_string())),
        },
    }
}

fn set_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("making {} private", path.display()))
}

/// The live store's chain head, read without writing to it.
fn live_head(path: &Path, calendar: Calendar) -> anyhow::Result<Option<ChainPosition>> {
    super::check_store_path(path)?;
    let store = Store::open_read_only(path, calendar)?;
    Ok(store.chain_position()?)
}

fn compare(path: &Path, live: Option<ChainPosition>, restored: Option<&ChainPosition>) -> Live {
    let seq = |p: Option<&ChainPosition>| p.map_or(0, |p| p.seq);
    let seconds = match (
        live.as_ref().and_then(|p| p.time()),
        restored.and_then(|p| p.time()),
    ) {
        (Some(l), Some(r)) => ((l - r).num_milliseconds().max(0) as f64) / 1000.0,
        _ => 0.0,
    };
    Live {
        store: path.to_path_buf(),
        behind_events: seq(live.as_ref()) - seq(restored),
        behind_seconds: seconds,
        chain_head: live,
    }
}

fn print(drill: &Drill) {
    crate::outln!(
        "restored {} from {}{} in {:.1} s (Litestream transaction {})",
        drill.restored.display(),
        sanitize_line(&drill.source),
        drill
            .timestamp
            .as_deref()
            .map(|t| format!(" as of {}", sanitize_line(t)))
            .unwrap_or_default(),
        drill.restore_seconds,
        drill.txid.as_deref().map(sanitize_line).unwrap_or_default()
    );
    match &drill.chain_head {
        Some(head) => crate::outln!(
            "restored chain head: event {} at {}",
            head.seq,
            sanitize_line(&head.at)
        ),
        None => crate::outln!("restored chain head: no events"),
    }
    match (&drill.live, &drill.live_error) {
        (Some(live), _) => crate::outln!(
            "live store {}: chain head event {}; the restore is {} event(s) and {:.1} s behind it",
            live.store.display(),
            live.chain_head.as_ref().map_or(0, |h| h.seq),
            live.behind_events,
            live.behind_seconds
        ),
        (None, Some(e)) => crate::outln!("live store not compared: {}", sanitize_line(e)),
        (None, None) => {}
    }
    let check = &drill.check;
    crate::outln!(
        "check: {} cases, {} audit events, {} administrative events in {:.1} s{}",
        check.cases,
        check.events,
        check.admin_events,
        drill.check_seconds,
        drill
            .anchor_seq
            .map(|seq| format!(", against the anchor at event {seq}"))
            .unwrap_or_default()
    );
    for warning in &check.warnings {
        crate::outln!("warning: {}", sanitize_line(warning));
    }
    for problem in &check.problems {
        crate::outln!("PROBLEM: {}", sanitize_line(problem));
    }
    if drill.ok {
        crate::outln!("ok");
    }
}
