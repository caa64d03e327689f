//! `calendar show` and `calendar install`: the holiday calendar belongs to the store.

use super::args::CalendarCommand;
use super::identity::{Need, Session};
use super::output::print_json;
use super::{Cli, Exit};
use crate::domain::Calendar;
use crate::text::sanitize_line;

pub fn run(cli: &Cli, cmd: &CalendarCommand, offered: Calendar) -> anyhow::Result<()> {
    match cmd {
        CalendarCommand::Show => {
            let session = Session::open(cli, offered, Need::Reader)?;
            let calendar = session.store.calendar();
            let years = calendar.years();
            if cli.json {
                return print_json(&serde_json::json!({
                    "source": calendar.source(),
                    "years": years,
                    "fingerprint": calendar.fingerprint(),
                    "offered_differs": session.store.offered_calendar(),
                }));
            }
            crate::outln!(
                "the store counts working days with the calendar from {}",
                sanitize_line(calendar.source())
            );
            crate::outln!("years covered: {}", join_years(&years));
            if let Some(other) = session.store.offered_calendar() {
                crate::outln!("{}", offered_differs(other));
            }
            Ok(())
        }
        CalendarCommand::Install { file } => {
            let calendar = match file {
                Some(path) => Calendar::load(path).map_err(|e| Exit::new(6, e.to_string()))?,
                None => offered.clone(),
            };
            let mut session = Session::open(cli, offered, Need::Reader)?;
            let by = session.actor.name.clone();
            let years = calendar.years();
            let source = calendar.source().to_string();
            let fingerprint = calendar.fingerprint();
            session.store.install_calendar(&by, calendar)?;
            if cli.json {
                return print_json(&serde_json::json!({
                    "installed": { "source": source, "years": years, "fingerprint": fingerprint },
                    "deadlines_recomputed": true,
                }));
            }
            crate::outln!(
                "installed the calendar from {} (years {}); every open deadline was recomputed",
                sanitize_line(&source),
                join_years(&years)
            );
            Ok(())
        }
    }
}

/// Says where the calendar this process was offered comes from, and that the store's is used.
pub fn offered_differs(source: &str) -> String {
    if source == crate::domain::calendar::EMBEDDED_SOURCE {
        "the calendar built into this permitdesk differs from the store's; the store's is used \
         (an admin replaces it with `permitdesk calendar install FILE`)"
            .to_string()
    } else {
        format!(
            "your configuration offers another calendar ({}); it is not used: an admin \
             installs it with `permitdesk calendar install`",
            sanitize_line(source)
        )
    }
}

fn join_years(years: &[i32]) -> String {
    years
        .iter()
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
