//! `log`: the administrative events, newest first (admins, supervisors and viewers).

use super::identity::{Need, Session, parse_date};
use super::output::{Table, print_json};
use super::{Cli, Exit};
use crate::domain::{AdminKind, Calendar, may_read_admin_log};

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, clap::Args)]
pub struct LogArgs {
    /// Only events on or after this day (office time)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<String>,
    /// Only one kind: user, settings, calendar, import or sync
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
}

pub fn run(cli: &Cli, args: &LogArgs, calendar: Calendar) -> anyhow::Result<()> {
    let since = args
        .since
        .as_deref()
        .map(|s| parse_date("--since", s))
        .transpose()?;
    let kind = match args.kind.as_deref() {
        None => None,
        Some(text) => Some(AdminKind::parse(text).ok_or_else(|| {
            Exit::new(
                6,
                format!(
                    "--kind: \"{}\" is not a kind; expected one of: {}",
                    crate::text::sanitize_line(text),
                    AdminKind::FILTERS
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?),
    };
    let session = Session::open(cli, calendar, Need::Reader)?;
    if !may_read_admin_log(&session.actor) {
        return Err(Exit::new(
            3,
            format!(
                "log: the administrative log is for admins, supervisors and viewers; {} holds {}",
                session.user(),
                session
                    .actor
                    .roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        )
        .into());
    }
    let entries = session.store.admin_log(since, kind)?;
    if cli.json {
        return print_json(&entries);
    }
    let tz = session.store.settings().office_tz;
    let mut table = Table::new(&[
        ("Seq", 8, true),
        ("At", 19, false),
        ("Actor", 16, false),
        ("Kind", 8, false),
        ("Change", 18, false),
        ("What", 80, false),
    ]);
    for e in entries {
        table.row(vec![
            e.seq.to_string(),
            e.event
                .at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            e.event.actor.clone(),
            e.kind.as_str().to_string(),
            e.event.change.name().to_string(),
            e.event.change.summary(),
        ]);
    }
    crate::out!("{}", table.render());
    Ok(())
}
