//! `check`: exit 0 only if the store is sound.

use super::args::CheckArgs;
use super::identity::{Need, Session};
use super::output::print_json;
use super::{Cli, Exit};
use crate::domain::Calendar;
use crate::store::ChainAnchor;
use crate::text::sanitize_line;

/// An outbox file is far smaller than this; anything bigger is not one.
const MAX_ANCHOR_FILE: u64 = 16 << 20;

/// `--anchor SEQ:HMAC`, or an outbox file whose last line holds one (read by the person who
/// named it: through a server, the client sends it).
pub(super) fn anchor(arg: &str) -> Result<ChainAnchor, Exit> {
    let bad = |e: String| Exit::new(6, format!("--anchor: {}", sanitize_line(&e)));
    let path = std::path::Path::new(arg);
    // Through a server the client sent the file if it is one; the server never looks at its own.
    let a_file = !arg.contains(':') && (super::io::is_served() || path.is_file());
    let bytes = match a_file.then(|| super::io::read_input_limited(path, MAX_ANCHOR_FILE)) {
        None => return arg.parse().map_err(bad),
        Some(Err(e)) if super::io::is_served() && e.kind() == std::io::ErrorKind::NotFound => {
            return arg.parse().map_err(bad);
        }
        Some(Err(e)) => return Err(bad(format!("{arg}: {e}"))),
        Some(Ok(bytes)) => bytes,
    };
    let text = String::from_utf8(bytes).map_err(|_| bad(format!("{arg}: not UTF-8 text")))?;
    ChainAnchor::from_outbox_text(arg, &text).map_err(bad)
}

pub fn run(cli: &Cli, args: &CheckArgs, calendar: Calendar) -> anyhow::Result<()> {
    let anchor = args.anchor.as_deref().map(anchor).transpose()?;
    // `check` only reads: it never migrates a store nor recomputes its deadlines. A store of an
    // older schema is refused, exit 7, saying how to migrate it (its tables are not the ones
    // checked); deadlines computed with other rules are checked as they stand, with a warning.
    let session = Session::open(cli, calendar, Need::ReadOnly)?;
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
        if let Some(broken) = &report.chain_break {
            crate::outln!(
                "the audit chain breaks at event {}: {} of its {} events were verified before it",
                broken.at_seq,
                broken.verified_events,
                report.events + report.admin_events
            );
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
