//! `demo`: builds a realistic demo store through the domain, into a temporary file that replaces
//! the old one only when complete, so an interrupted build leaves the old store or none.

use super::args::DemoArgs;
use super::identity::{Session, os_login, parse_date};
use super::{Cli, Exit, store_path};
use crate::demo::{DemoOptions, build};
use crate::domain::{Calendar, Queue};
use crate::store::Store;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

pub fn run(cli: &Cli, args: &DemoArgs, calendar: Calendar) -> anyhow::Result<()> {
    let path = store_path(cli, "demo.db")?;
    let today = match cli.today.as_deref() {
        Some(text) => parse_date("--today", text)?,
        None => crate::domain::Clock::new(chrono_tz::Asia::Shanghai, None).today(),
    };
    let reuse = if path.exists() {
        let made_by_demo = Store::open_read_only(&path, calendar.clone())
            .map(|s| s.settings().made_by_demo)
            .unwrap_or(false);
        if !made_by_demo {
            return Err(Exit::new(
                3,
                format!(
                    "{}: this store was not made by `demo`; it is never overwritten (choose another --db)",
                    path.display()
                ),
            )
            .into());
        }
        !args.force
    } else {
        false
    };
    if !reuse {
        build_store(&path, args, today, calendar.clone())?;
    } else {
        crate::errln!(
            "reusing the demo store {} (use --force to rebuild it)",
            path.display()
        );
    }
    let store = Store::open(&path, calendar)?;
    let mut demo_cli_today = cli.today.clone();
    if demo_cli_today.is_none() {
        demo_cli_today = Some(today.to_string());
    }
    let session = Session::with_store(
        &Cli {
            today: demo_cli_today,
            ..clone_cli(cli)
        },
        store,
    )?;
    if args.no_tui {
        print_summary(&session)
    } else {
        super::console::launch(cli, session)
    }
}

fn clone_cli(cli: &Cli) -> Cli {
    Cli {
        connect: None,
        command: None,
        ..cli.clone()
    }
}

fn building_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".building");
    path.with_file_name(name)
}

fn remove_with_sidecars(path: &Path) -> anyhow::Result<()> {
    remove_files(path, &["", "-wal", "-shm", "-journal"])
}

fn remove_sidecars(path: &Path) -> anyhow::Result<()> {
    remove_files(path, &["-wal", "-shm", "-journal"])
}

fn remove_files(path: &Path, suffixes: &[&str]) -> anyhow::Result<()> {
    for suffix in suffixes {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(anyhow::anyhow!("{}: {e}", PathBuf::from(name).display())),
        }
    }
    Ok(())
}

fn build_store(
    path: &Path,
    args: &DemoArgs,
    today: chrono::NaiveDate,
    calendar: Calendar,
) -> anyhow::Result<()> {
    let temp = building_path(path);
    remove_with_sidecars(&temp)?;
    let bar = ProgressBar::new(args.cases);
    bar.set_style(
        ProgressStyle::with_template(
            "building demo store {bar:40} {pos}/{len} cases  {elapsed_precise} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let summary = {
        let mut store = Store::open(&temp, calendar)?;
        // Nobody else opens the `.building` file, and it is thrown away if the build stops.
        let set_aside = store.begin_bulk_load()?;
        let options = DemoOptions {
            cases: args.cases,
            seed: args.seed,
            today,
            os_login: os_login(),
        };
        let summary = build(&mut store, &options, &mut |done, _total| {
            bar.set_position(done)
        })?;
        store.end_bulk_load(set_aside)?;
        store.checkpoint()?;
        summary
    };
    bar.finish_and_clear();
    // The old store's WAL must not meet the new file, and the old file itself is replaced by
    // the rename in one step, so an interruption leaves the old store or the new one.
    remove_sidecars(path)?;
    std::fs::rename(&temp, path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    crate::store::ensure_anchor_key(path)?;
    crate::errln!(
        "built {} with {} cases and {} audit events (seed {}, today {today})",
        path.display(),
        summary.cases,
        summary.events,
        args.seed
    );
    Ok(())
}

fn print_summary(session: &Session) -> anyhow::Result<()> {
    let counts = session.store.tab_counts(session.user(), session.today())?;
    crate::outln!(
        "Demo store {} as {} on {}:",
        session.store.path().display(),
        session.user(),
        session.today()
    );
    for (i, queue) in Queue::TABS.iter().enumerate() {
        crate::outln!(
            "  {} {:<16} {:>7}",
            i + 1,
            queue.label_en(),
            counts.get(*queue)
        );
    }
    Ok(())
}
