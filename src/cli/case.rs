//! `case list`, `case show` and every `case ACTION`.

use super::args::{CaseCommand, Common};
use super::identity::{Need, Session, case_arg, parse_date};
use super::output::{Table, deadline_cell, fit, print_json};
use super::{Cli, Exit};
use crate::domain::{Action, Calendar, Checklist, Filter, Presenter, Queue, Stage, VisaKind};
use crate::store::{QueueQuery, Request};
use crate::text::{sanitize_line, sanitize_multiline};
use serde_json::json;

pub fn run(cli: &Cli, cmd: &CaseCommand, calendar: Calendar) -> anyhow::Result<()> {
    let mut session = Session::open(cli, calendar, Need::Reader)?;
    match cmd {
        CaseCommand::List {
            queue,
            filter,
            search,
            limit,
        } => list(cli, &session, queue, filter, search.as_deref(), *limit),
        CaseCommand::Show { case_no } => show(cli, &session, case_no),
        action => act(cli, &mut session, action),
    }
}

/// The most rows `case list` prints; `export` pages through any number.
const MAX_LIST_ROWS: usize = 10_000;

fn list(
    cli: &Cli,
    session: &Session,
    queue: &str,
    filter: &str,
    search: Option<&str>,
    limit: usize,
) -> anyhow::Result<()> {
    let queue: Queue = queue
        .parse()
        .map_err(|e: crate::domain::model::UnknownName| Exit::new(6, format!("--queue: {e}")))?;
    let filter: Filter = filter
        .parse()
        .map_err(|e: crate::domain::model::UnknownName| Exit::new(6, format!("--filter: {e}")))?;
    let query = QueueQuery {
        queue,
        filter,
        search: search.map(str::to_string),
        user: session.user().to_string(),
        today: session.today(),
        sort: Default::default(),
        after: None,
        limit: limit.clamp(1, MAX_LIST_ROWS),
    };
    let page = session.store.page(&query)?;
    if limit > MAX_LIST_ROWS && page.rows.len() == MAX_LIST_ROWS {
        crate::errln!(
            "note: --limit is capped at {MAX_LIST_ROWS} rows; these are the first {MAX_LIST_ROWS} of \
             {} (`permitdesk export` writes every row)",
            session.store.count(&query)?
        );
    }
    if cli.json {
        return print_json(&page.rows);
    }
    let mut table = Table::new(&[
        ("Case", 14, false),
        ("Applicant", 24, false),
        ("Nat", 3, false),
        ("Cat", 3, false),
        ("Kind", 16, false),
        ("Stage", 12, false),
        ("Held by", 10, false),
        ("Deadline", 16, true),
        ("Employer", 36, false),
    ]);
    for row in &page.rows {
        let applicant = match &row.applicant.name_native {
            Some(native) => format!("{native} ({})", row.applicant.name),
            None => row.applicant.name.clone(),
        };
        table.row(vec![
            row.case_no.clone(),
            applicant,
            row.applicant.nationality.clone(),
            row.category.to_string(),
            row.kind.label_en().to_string(),
            row.stage.as_str().to_string(),
            row.assignee.clone().unwrap_or_else(|| "-".into()),
            deadline_cell(row.deadline.as_ref()),
            row.employer.name.clone(),
        ]);
    }
    crate::out!("{}", table.render());
    let total = session.store.count(&query)?;
    crate::outln!(
        "{} of {total} in {}{}",
        page.rows.len(),
        queue.label_en(),
        if filter == Filter::All {
            String::new()
        } else {
            format!(" ({filter})")
        }
    );
    Ok(())
}

fn show(cli: &Cli, session: &Session, case_no: &str) -> anyhow::Result<()> {
    let case_no = &case_arg(case_no)?;
    let case = session.store.case(case_no)?;
    let events = session.store.events(case_no)?;
    let clocks = session.store.clocks(session.today());
    let deadline = clocks.governing(&case);
    let deadlines = clocks.all(&case);
    if cli.json {
        return print_json(&json!({
            "case_no": case.case_no,
            "kind": case.kind,
            "category": case.category,
            "stage": case.stage,
            "legacy": case.legacy,
            "assignee": case.assignee(),
            "claimed_since": case.claim.as_ref().map(|c| c.since),
            "version": case.version,
            "applicant": case.applicant,
            "employer": case.employer,
            "position": case.position,
            "documents": case.documents,
            "exam_report": case.exam_report,
            "exam_report_expires_first": clocks.exam_report_expires_first(&case),
            "submitted_at": case.submitted_at,
            "entry_date": case.entry_date,
            "notified_on": case.notified_on,
            "permit_no": case.permit_no,
            "permit": case.permit,
            "e_certificate_barred_since": case.e_certificate_bar(),
            "decision_doc_no": case.decision_doc_no,
            "late_allowed": case.late_allowed,
            "verified_late": case.verified_late,
            "recommendation": case.recommendation,
            "returned_from": case.returned_from,
            "deadline": deadline,
            "deadlines": deadlines,
            "events": events,
            "conflicts": super::sync::conflicts_json(&session.store, case_no)?,
        }));
    }
    let s = |t: &str| sanitize_line(t).into_owned();
    crate::outln!(
        "{}  {}  Class {}  {}{}",
        s(&case.case_no),
        case.kind.label_en(),
        case.category,
        case.stage.label_en(),
        if case.legacy { "  legacy" } else { "" }
    );
    let a = &case.applicant;
    match &a.name_native {
        Some(native) => crate::outln!("Applicant  {} ({})", s(native), s(&a.name)),
        None => crate::outln!("Applicant  {}", s(&a.name)),
    }
    crate::outln!(
        "Passport   {}  {}{}",
        s(&a.passport_no),
        s(&a.nationality),
        a.birth_date
            .map(|d| format!("  born {d}"))
            .unwrap_or_default()
    );
    crate::outln!(
        "Employer   {}  {}",
        s(&case.employer.name),
        s(&case.employer.uscc)
    );
    if let Some(position) = &case.position {
        crate::outln!("Position   {}", s(position));
    }
    crate::outln!(
        "Version    {}   held by {}",
        case.version,
        case.assignee().map(s).unwrap_or_else(|| "nobody".into())
    );
    if !case.documents.is_empty() {
        let docs: Vec<String> = case
            .documents
            .iter()
            .map(|d| format!("{} {}", s(&d.kind), if d.ok { "ok" } else { "MISSING" }))
            .collect();
        crate::outln!("Documents  {}", docs.join("  "));
    }
    if let Some(exam) = &case.exam_report {
        crate::outln!(
            "Exam       issued {} {}{}",
            exam.issued_on,
            if exam.domestic {
                "domestic"
            } else {
                "NOT DOMESTIC"
            },
            if clocks.exam_report_expires_first(&case) {
                "  expires before the verification window closes"
            } else {
                ""
            }
        );
    }
    let permit_no = match &case.permit {
        Some(permit) => Some(format!(
            "{} (the permit this case concerns, valid through {}{})",
            permit.permit_no,
            permit.expires_on,
            if permit.collected {
                ""
            } else {
                "; approved but never collected"
            }
        )),
        None => case.permit_no.clone(),
    };
    for (label, value) in [
        ("Entry", case.entry_date.map(|d| d.to_string())),
        ("Notified", case.notified_on.map(|d| d.to_string())),
        ("Permit no", permit_no),
        ("Decision", case.decision_doc_no.clone()),
    ] {
        if let Some(value) = value {
            crate::outln!("{label:<10} {}", s(&value));
        }
    }
    if let Some(expired) = case.e_certificate_bar() {
        crate::outln!(
            "Not eligible  the permit expired on {expired}, before the submission: an \
             e-certificate exchange is only for a physical permit that has not expired or one \
             approved but never collected (FAQ Q10); not-accept it"
        );
    }
    if let Some(allowed) = &case.late_allowed {
        crate::outln!(
            "Late       verification allowed by {} on {}: {}{}",
            s(&allowed.by),
            allowed.on,
            s(&allowed.reason),
            if case.verified_late {
                " (verified late)"
            } else {
                ""
            }
        );
    }
    if let Some(rec) = &case.recommendation {
        crate::outln!(
            "Recommended {:?} by {} on {}",
            rec.verdict,
            s(&rec.by),
            rec.on
        );
    }
    crate::outln!("Deadlines");
    for d in &deadlines {
        let status = match (d.state, d.ended) {
            (
                crate::domain::DeadlineState::Met | crate::domain::DeadlineState::Missed,
                Some(ended),
            ) => {
                format!("{} (ended {ended})", d.state.as_str())
            }
            _ => deadline_cell(Some(d)),
        };
        crate::outln!(
            "  {:<13} started {}  due {}  {status}",
            d.timer.as_str(),
            d.started,
            d.due.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
        );
    }
    super::sync::print_conflicts(&session.store, case_no)?;
    crate::outln!("History");
    for e in &events {
        let at = e.at.format("%Y-%m-%d %H:%M");
        let transition = match e.from {
            Some(from) if from != e.to => format!("{from} -> {}", e.to),
            None => format!("-> {}", e.to),
            _ => String::new(),
        };
        crate::outln!(
            "  {at}  {:<12} {:<10} {:<18} {transition}",
            fit(&e.actor, 12),
            e.role.as_str(),
            if e.late {
                format!("{} LATE", e.action.name())
            } else {
                e.action.name().to_string()
            }
        );
        if let Action::Verify { checklist } = &e.action {
            crate::outln!("      {}", verification_summary(checklist));
        }
        if let Some(reason) = e.action.reason() {
            for line in sanitize_multiline(reason).lines() {
                crate::outln!("      {line}");
            }
        }
    }
    Ok(())
}

/// Who presented and what permitted the stay, as the history shows a verification.
fn verification_summary(checklist: &Checklist) -> String {
    let mut text = format!("presented by {}", checklist.presented_by.label_en());
    if checklist.power_of_attorney {
        text.push_str(" (power of attorney seen)");
    }
    let visa = checklist
        .visa_kind
        .map_or("visa or residence permit", |k| k.label_en());
    if let Some(until) = checklist.visa_valid_until {
        text.push_str(&format!("; {visa} valid until {until}"));
    }
    text
}

fn reason(common: &Common) -> String {
    common.reason.clone().unwrap_or_default()
}

/// The case and expectations an action command names.
fn common_of(cmd: &CaseCommand) -> Option<&Common> {
    match cmd {
        CaseCommand::Claim(c)
        | CaseCommand::Release(c)
        | CaseCommand::Approve(c)
        | CaseCommand::Return(c)
        | CaseCommand::Refuse(c)
        | CaseCommand::NotAccept(c)
        | CaseCommand::SendBack(c)
        | CaseCommand::Withdraw(c)
        | CaseCommand::Resubmit(c)
        | CaseCommand::Lapse(c)
        | CaseCommand::AllowLate(c)
        | CaseCommand::Reopen(c) => Some(c),
        CaseCommand::Assign { common, .. }
        | CaseCommand::RecordEntry { common, .. }
        | CaseCommand::CorrectEntry { common, .. }
        | CaseCommand::Verify { common, .. }
        | CaseCommand::Extend { common, .. }
        | CaseCommand::Note { common, .. } => Some(common),
        CaseCommand::List { .. } | CaseCommand::Show { .. } | CaseCommand::ResolveConflict(_) => {
            None
        }
    }
}

/// A date option of an action, its message naming the case.
fn case_date(common: &Common, field: &str, text: &str) -> Result<chrono::NaiveDate, Exit> {
    parse_date(field, text)
        .map_err(|e| Exit::new(e.code, format!("{}: {}", common.case_no, e.message)))
}

fn to_action(cmd: &CaseCommand) -> anyhow::Result<Action> {
    Ok(match cmd {
        CaseCommand::Claim(_) => Action::Claim,
        CaseCommand::Release(_) => Action::Release,
        CaseCommand::Assign { to, .. } => Action::Assign {
            assignee: to.clone(),
        },
        CaseCommand::Approve(c) => Action::Approve {
            note: c.reason.clone(),
        },
        CaseCommand::Return(c) => Action::Return { reason: reason(c) },
        CaseCommand::Refuse(c) => Action::Refuse { reason: reason(c) },
        CaseCommand::NotAccept(c) => Action::NotAccept { reason: reason(c) },
        CaseCommand::SendBack(c) => Action::SendBack { reason: reason(c) },
        CaseCommand::Withdraw(c) => Action::Withdraw { reason: reason(c) },
        CaseCommand::Resubmit(_) => Action::Resubmit,
        CaseCommand::RecordEntry { common, date } => Action::RecordEntry {
            date: case_date(common, "--date", date)?,
        },
        CaseCommand::CorrectEntry { common, date } => Action::CorrectEntry {
            date: case_date(common, "--date", date)?,
            reason: reason(common),
        },
        CaseCommand::Verify {
            common,
            presented_by,
            power_of_attorney,
            exam_date,
            exam_domestic,
            visa_kind,
            visa_valid_until,
            originals,
            sealed_copies,
            exam_institution,
        } => {
            let presented_by: Presenter =
                presented_by
                    .parse()
                    .map_err(|e: crate::domain::model::UnknownName| {
                        Exit::new(6, format!("{}: --presented-by: {e}", common.case_no))
                    })?;
            let visa_kind = VisaKind::parse_presented(visa_kind)
                .map_err(|e| Exit::new(6, format!("{}: --visa-kind: {e}", common.case_no)))?;
            let checklist = Checklist {
                presented_by,
                power_of_attorney: *power_of_attorney,
                originals: *originals,
                sealed_copies: *sealed_copies,
                visa_kind: Some(visa_kind),
                visa_valid_until: Some(case_date(common, "--visa-valid-until", visa_valid_until)?),
                exam_issued_on: Some(case_date(common, "--exam-date", exam_date)?),
                exam_domestic: *exam_domestic,
                exam_institution: exam_institution.clone(),
            };
            Action::Verify { checklist }
        }
        CaseCommand::Lapse(c) => Action::Lapse { reason: reason(c) },
        CaseCommand::AllowLate(c) => Action::AllowLate { reason: reason(c) },
        CaseCommand::Reopen(c) => Action::Reopen { reason: reason(c) },
        CaseCommand::Extend { common, days } => Action::Extend {
            days: *days,
            reason: reason(common),
        },
        CaseCommand::Note { text, .. } => Action::Note { text: text.clone() },
        CaseCommand::List { .. } | CaseCommand::Show { .. } | CaseCommand::ResolveConflict(_) => {
            return Err(Exit::new(2, "not an action").into());
        }
    })
}

fn act(cli: &Cli, session: &mut Session, cmd: &CaseCommand) -> anyhow::Result<()> {
    let common = common_of(cmd).ok_or_else(|| Exit::new(2, "not an action"))?;
    let case_no = case_arg(&common.case_no)?;
    let parsed = to_action(cmd).and_then(|action| {
        let expect_stage = common
            .expect_stage
            .as_deref()
            .map(|s| s.parse::<Stage>())
            .transpose()
            .map_err(|e| Exit::new(6, format!("{}: --expect-stage: {e}", common.case_no)))?;
        Ok((action, expect_stage))
    });
    let (action, expect_stage) = match parsed {
        Ok(parsed) => parsed,
        Err(invalid) => {
            // INTERFACE.md's order: an unknown case or a stale expectation outranks bad input.
            let stage = common.expect_stage.as_deref().and_then(|s| s.parse().ok());
            session
                .store
                .precheck(session.user(), &case_no, common.expect_version, stage)?;
            return Err(invalid);
        }
    };
    let outcome = session.store.act(Request {
        case_no,
        user: session.user().to_string(),
        action,
        expect_version: common.expect_version,
        expect_stage,
        today: session.fixed_today,
    })?;
    if cli.json {
        return print_json(&json!({
            "case_no": outcome.case.case_no,
            "action": outcome.event.action.name(),
            "from": outcome.event.from,
            "to": outcome.event.to,
            "version": outcome.case.version,
            "audit_seq": outcome.seq,
        }));
    }
    let e = &outcome.event;
    let from = e.from.map(|s| s.as_str()).unwrap_or("-");
    crate::outln!(
        "{}: {} by {} ({}): {from} -> {} (version {})",
        sanitize_line(&outcome.case.case_no),
        e.action.name(),
        sanitize_line(&e.actor),
        e.role,
        e.to,
        outcome.case.version
    );
    Ok(())
}
