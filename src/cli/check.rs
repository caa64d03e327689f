//! `check`: exit 0 only if the store is sound.

use super::args::CheckArgs;
use super::identity::{Need, Session};
use super::output::print_json;
use super::{Cli, Exit};
use crate::domain::Calendar;
use crate::store::ChainAnchor;
use crate::text::sanitize_line;

pub fn run(cli: &Cli, args: &CheckArgs, calendar: Calendar) -> anyhow::Result<()> {
    let anchor = args
        .anchor
        .as_deref()
        .map(ChainAnchor::from_arg)
        .transpose()
        .map_err(|e| Exit::new(6, format!("--anchor: {e}")))?;
    let session = Session::open(cli, calendar, Need::Reader)?;
    let report = session.store.check(session.today(), anchor.as_ref())?;
    if cli.json {
        print_json(&report)?;
    } else {
        crate::outln!(
            "{}: schema {}, {} cases, {} audit events, {} administrative events",
            session.store.path().display(),
            report.schema_version,
            report.cases,
            report.events,
            report.admin_events
        );
        if let Some(head) = &report.chain_head {
            crate::outln!("audit chain head {}", sanitize_line(head));
        }
        // A damaged or tampered store is what `check` is for: its text is never trusted.
        for warning in &report.warnings {
            crate::outln!("warning: {}", sanitize_line(warning));
        }
        for problem in &report.problems {
            crate::outln!("PROBLEM: {}", sanitize_line(problem));
        }
        if report.ok() {
            crate::outln!("ok");
        }
    }
    if report.ok() {
        Ok(())
    } else {
        Err(Exit::new(1, format!("check failed: {}", report.problems[0])).into())
    }
}
