//! `settings show` and `settings changeover`: the office's policy, changed only by an admin and
//! audited like every administrative change.

use super::Cli;
use super::args::SettingsCommand;
use super::identity::{Need, Session, parse_date};
use super::output::print_json;
use crate::domain::Calendar;

pub fn run(cli: &Cli, cmd: &SettingsCommand, calendar: Calendar) -> anyhow::Result<()> {
    let mut session = Session::open(cli, calendar, Need::Reader)?;
    if let SettingsCommand::Changeover { date } = cmd {
        let date = parse_date("changeover", date)?;
        let by = session.actor.name.clone();
        let before = session.store.policy().changeover;
        session
            .store
            .set_changeover(&by, date, session.fixed_today)?;
        if !cli.json {
            crate::outln!(
                "the changeover day is {date} (was {before}); every open deadline was recomputed"
            );
            return Ok(());
        }
    }
    let settings = session.store.settings();
    let policy = &settings.policy;
    if cli.json {
        return print_json(&serde_json::json!({
            "trust_declared_user": settings.trust_declared_user,
            "made_by_demo": settings.made_by_demo,
            "policy": policy,
        }));
    }
    for (name, value) in [
        ("changeover", policy.changeover.to_string()),
        ("four_eyes", policy.four_eyes.to_string()),
        (
            "pre_audit_working_days",
            policy.pre_audit_working_days.to_string(),
        ),
        (
            "decision_working_days_a",
            policy.decision_working_days_a.to_string(),
        ),
        (
            "decision_working_days_bc",
            policy.decision_working_days_bc.to_string(),
        ),
        (
            "verification_calendar_days",
            policy.verification_calendar_days.to_string(),
        ),
        (
            "exam_report_valid_months",
            policy.exam_report_valid_months.to_string(),
        ),
        ("max_extension_days", policy.max_extension_days.to_string()),
        (
            "trust_declared_user",
            settings.trust_declared_user.to_string(),
        ),
    ] {
        crate::outln!("{name:<28} {value}");
    }
    Ok(())
}
