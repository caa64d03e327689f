//! `sync --spool DIR [--watch] [--interval S]`, `case resolve-conflict`, and the conflicts part
//! of `case show`.

use super::args::{ResolveConflictArgs, SyncArgs};
use super::identity::{Need, Session};
use super::output::print_json;
use super::{Cli, Exit};
use crate::domain::Calendar;
use crate::store::Store;
use crate::store::outbox::OutboxFile;
use crate::store::upstream::Budget;
use crate::sync::{BatchOutcome, BatchReport, Observer, Options, SyncError, run_once};
use crate::text::sanitize_line;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use std::time::Duration;

pub fn run(cli: &Cli, args: &SyncArgs, calendar: Calendar) -> anyhow::Result<()> {
    let spool = args.spool.clone().ok_or_else(|| {
        Exit::new(
            2,
            "sync: --spool DIR is required (or --connect a server that has one)",
        )
    })?;
    let mut session = Session::open(cli, calendar, Need::Reader)?;
    session.store.require_admin(session.user(), "sync")?;
    let options = Options {
        spool: spool.clone(),
        user: session.user().to_string(),
        today: session.fixed_today,
        budget: Budget::default(),
    };
    let mut observer = CliObserver::new(cli.json, args.watch);
    if !args.watch {
        let report = run_once(&mut session.store, &options, &mut observer).map_err(exit)?;
        if cli.json {
            print_json(&report)?;
        } else if report.batches.is_empty() && report.outbox.is_empty() {
            crate::outln!("inbox empty; outbox up to date");
        }
        let refused = report.refused();
        if refused > 0 {
            return Err(Exit::new(
                6,
                format!("{refused} batch(es) refused; they stay in the inbox (see above)"),
            )
            .into());
        }
        return Ok(());
    }
    observer.log(&format!(
        "watching {} every {} s",
        spool.display(),
        args.interval
    ));
    loop {
        match run_once(&mut session.store, &options, &mut observer) {
            Ok(report) if cli.json => print_json(&report)?,
            Ok(_) => {}
            Err(e) => {
                let code = e.exit_code();
                observer.log(&format!("error: {}", sanitize_line(&e.to_string())));
                if code == 3 || matches!(e, SyncError::NoSpool { .. }) {
                    return Err(exit(e).into());
                }
            }
        }
        std::thread::sleep(Duration::from_secs(args.interval));
    }
}

fn exit(e: SyncError) -> Exit {
    Exit::new(e.exit_code(), e.to_string())
}

/// Log lines on stdout, bad lines on stderr, a progress bar only on a terminal.
struct CliObserver {
    json: bool,
    watch: bool,
    bar: Option<ProgressBar>,
}

impl CliObserver {
    fn new(json: bool, watch: bool) -> Self {
        CliObserver {
            json,
            watch,
            bar: None,
        }
    }

    fn log(&self, line: &str) {
        if self.json {
            return;
        }
        if self.watch {
            let now = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z");
            crate::outln!("{now} {line}");
        } else {
            crate::outln!("{line}");
        }
    }
}

/// A bar on stderr when it is a terminal; nothing otherwise.
pub(super) fn progress_bar(len: u64, what: &str) -> ProgressBar {
    if !super::io::stderr_is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {human_pos}/{human_len} ({eta} left)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(sanitize_line(what).into_owned());
    bar
}

impl Observer for CliObserver {
    fn batch_started(&mut self, name: &str, events: u64, already: u64) {
        if !self.json {
            let bar = progress_bar(events, name);
            bar.set_position(already);
            self.bar = Some(bar);
        }
    }

    fn progress(&mut self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    fn batch_done(&mut self, report: &BatchReport) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.log(&sanitize_line(&report.summary()));
        if report.outcome == BatchOutcome::Invalid {
            for e in &report.errors {
                crate::errln!("{}", sanitize_line(&e.to_string()));
            }
        }
    }

    fn outbox_written(&mut self, file: &OutboxFile) {
        self.log(&format!(
            "outbox: wrote {} ({} decision(s), chain head {})",
            file.name,
            file.records(),
            file.head_seq
        ));
    }
}

/// `case resolve-conflict CASE_NO --id N --reason TEXT`.
pub fn resolve(cli: &Cli, args: &ResolveConflictArgs, calendar: Calendar) -> anyhow::Result<()> {
    let mut session = Session::open(cli, calendar, Need::Reader)?;
    let user = session.user().to_string();
    let case_no = super::identity::case_arg(&args.case_no)?;
    let outcome = session.store.resolve_conflict(
        &user,
        &case_no,
        args.id,
        &args.reason,
        session.fixed_today,
    )?;
    if cli.json {
        return print_json(&json!({
            "case_no": outcome.case.case_no,
            "conflict": args.id,
            "resolved_by": user,
            "version": outcome.case.version,
            "audit_seq": outcome.seq,
        }));
    }
    crate::outln!(
        "{}: upstream conflict #{} resolved by {} (version {})",
        sanitize_line(&outcome.case.case_no),
        args.id,
        sanitize_line(&user),
        outcome.case.version
    );
    Ok(())
}

/// The `conflicts` of `case show --json`.
pub(super) fn conflicts_json(store: &Store, case_no: &str) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::to_value(store.conflicts(case_no)?)?)
}

/// The conflicts block of `case show`, if the case has any.
pub(super) fn print_conflicts(store: &Store, case_no: &str) -> anyhow::Result<()> {
    let conflicts = store.conflicts(case_no)?;
    if conflicts.is_empty() {
        return Ok(());
    }
    crate::outln!("Upstream conflicts");
    for c in &conflicts {
        let state = match (&c.resolved_by, &c.resolved_at) {
            (Some(by), Some(at)) => format!(
                "resolved by {} at {}",
                sanitize_line(by),
                at.get(..16).unwrap_or(at).replace('T', " ")
            ),
            _ => "OPEN".to_string(),
        };
        crate::outln!(
            "  #{} {} (upstream version {}, {} line {}): {}",
            c.id,
            c.event,
            c.upstream_version,
            sanitize_line(&c.batch),
            c.line,
            state
        );
        crate::outln!("      {}", sanitize_line(&c.message));
    }
    Ok(())
}
