//! The transition table of DOMAIN.md. `decide` checks whether an actor may take an action now and
//! produces the event; `apply` folds an event into a case and is all that replay uses, so the
//! stored history always rebuilds the stored case.

use super::action::{Action, Actor, Event};
use super::case::{
    Case, Claim, DecisionClock, Pause, PreAuditClock, Recommendation, Submission, Verdict,
};
use super::deadline::Clocks;
use super::ids;
use super::model::{Role, Stage};
use super::refusal::Refusal;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

/// The longest reason or note accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// Looks up other users, for `assign`.
pub trait Directory {
    fn actor(&self, name: &str) -> Option<Actor>;
}

/// The moment and rules an action is decided under.
pub struct Context<'a> {
    pub now: DateTime<FixedOffset>,
    pub clocks: Clocks<'a>,
    pub directory: &'a dyn Directory,
}

impl Context<'_> {
    fn today(&self) -> NaiveDate {
        self.clocks.today
    }
}

/// Opens a new case from an upstream (or imported) submission.
pub fn submit(
    submission: Submission,
    actor: &Actor,
    ctx: &Context,
) -> Result<(Case, Event), Refusal> {
    validate_submission(&submission)?;
    let role =
        pick_role(actor, &[Role::System, Role::Admin]).ok_or_else(|| Refusal::WrongRole {
            case_no: submission.case_no.clone(),
            action: "submit",
            stage: Stage::PreAudit,
            user: actor.name.clone(),
            needs: vec![Role::System, Role::Admin],
            has: actor.roles.clone(),
        })?;
    let event = Event {
        case_no: submission.case_no.clone(),
        at: ctx.now,
        actor: actor.name.clone(),
        role,
        from: None,
        to: Stage::PreAudit,
        action: Action::Submit {
            submission: Box::new(submission),
        },
    };
    let case = apply(None, &event)?;
    Ok((case, event))
}

/// Checks a submission's fields; the first bad field is reported with the case number.
pub fn validate_submission(s: &Submission) -> Result<(), Refusal> {
    let invalid = |field: &'static str, message: String| Refusal::Invalid {
        case_no: s.case_no.clone(),
        field,
        message,
    };
    if s.case_no.trim().is_empty()
        || s.case_no.len() > 40
        || s.case_no
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(invalid(
            "case_no",
            "must be 1-40 characters without spaces".into(),
        ));
    }
    if s.applicant.name.trim().is_empty() {
        return Err(invalid("applicant.name", "must not be empty".into()));
    }
    ids::validate_passport(&s.applicant.passport_no)
        .map_err(|e| invalid("applicant.passport_no", e.to_string()))?;
    ids::validate_nationality(&s.applicant.nationality)
        .map_err(|e| invalid("applicant.nationality", e.to_string()))?;
    if s.employer.name.trim().is_empty() {
        return Err(invalid("employer.name", "must not be empty".into()));
    }
    ids::validate_uscc(&s.employer.uscc).map_err(|e| invalid("employer.uscc", e.to_string()))?;
    if s.entry_date.is_some() && !(s.legacy || s.kind == super::model::Kind::NewNotification) {
        return Err(invalid(
            "entry_date",
            "only legacy and new_notification cases may arrive with an entry date".into(),
        ));
    }
    Ok(())
}

/// Decides whether `actor` may take `action` on `case` now. Checks run in the order of
/// INTERFACE.md: input (6), then role and stage (3), then the claim (4, or 3 when unclaimed).
pub fn decide(
    case: &Case,
    actor: &Actor,
    action: Action,
    ctx: &Context,
) -> Result<(Case, Event), Refusal> {
    if !actor.active {
        return Err(Refusal::Inactive {
            user: actor.name.clone(),
        });
    }
    validate_input(case, &action, ctx)?;
    let role = authorize(case, actor, &action)?;
    check_rules(case, actor, &action, ctx)?;
    check_claim(case, actor, &action)?;
    let event = Event {
        case_no: case.case_no.clone(),
        at: ctx.now,
        actor: actor.name.clone(),
        role,
        from: Some(case.stage),
        to: next_stage(case, &action).unwrap_or(case.stage),
        action,
    };
    let next = apply(Some(case), &event)?;
    Ok((next, event))
}

fn validate_input(case: &Case, action: &Action, ctx: &Context) -> Result<(), Refusal> {
    let case_no = || case.case_no.clone();
    let needs_reason = match action {
        Action::Return { reason }
        | Action::Refuse { reason }
        | Action::NotAccept { reason }
        | Action::SendBack { reason }
        | Action::Withdraw { reason }
        | Action::CorrectEntry { reason, .. }
        | Action::Lapse { reason }
        | Action::Reopen { reason }
        | Action::Extend { reason, .. } => Some(reason),
        Action::Note { text } => Some(text),
        _ => None,
    };
    if let Some(text) = needs_reason {
        if text.trim().is_empty() {
            return Err(Refusal::MissingReason {
                case_no: case_no(),
                action: action.name(),
            });
        }
    }
    if let Some(text) = action.reason() {
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(Refusal::Invalid {
                case_no: case_no(),
                field: "reason",
                message: format!("is {chars} characters long; at most {MAX_TEXT_CHARS} are kept"),
            });
        }
    }
    let future = |field: &'static str, date: NaiveDate| {
        if date > ctx.today() {
            Err(Refusal::Invalid {
                case_no: case_no(),
                field,
                message: format!("{date} is in the future (today is {})", ctx.today()),
            })
        } else {
            Ok(())
        }
    };
    match action {
        Action::RecordEntry { date } | Action::CorrectEntry { date, .. } => future("date", *date)?,
        Action::ECardRegistered { date } => future("date", *date)?,
        Action::Extend { days, .. } => {
            let max = ctx.clocks.policy.max_extension_days;
            if *days == 0 || *days > max {
                return Err(Refusal::Invalid {
                    case_no: case_no(),
                    field: "days",
                    message: format!("must be 1 to {max} working days, not {days}"),
                });
            }
        }
        Action::Assign { assignee } if assignee.trim().is_empty() => {
            return Err(Refusal::Invalid {
                case_no: case_no(),
                field: "to",
                message: "names no user".into(),
            });
        }
        _ => {}
    }
    Ok(())
}

/// The roles that may take `action` in `stage`, in the order the audit event prefers them; `Err`
/// with a hint when the action does not exist in that stage at all.
fn allowed_roles(stage: Stage, action: &Action) -> Result<&'static [Role], Option<&'static str>> {
    use Role::*;
    use Stage::*;
    const REVIEWERS: &[Role] = &[Approver, Supervisor];
    let roles: &'static [Role] = match (action, stage) {
        (Action::Submit { .. }, _) => return Err(Some("the case already exists")),
        (Action::Claim | Action::Release, PreAudit | Review) => REVIEWERS,
        (Action::Assign { .. }, PreAudit | Review) => &[Supervisor],
        (Action::Approve { .. }, PreAudit | Review) => REVIEWERS,
        (Action::Approve { .. }, Decision) => &[Supervisor],
        (Action::Return { .. }, PreAudit | Review) => REVIEWERS,
        (Action::Return { .. }, Verification) => &[Clerk],
        (Action::Refuse { .. }, PreAudit) => {
            return Err(Some("in pre-audit a case is not accepted: use not-accept"));
        }
        (Action::Refuse { .. }, Review) => REVIEWERS,
        (Action::Refuse { .. }, Decision) => &[Supervisor],
        (Action::NotAccept { .. }, PreAudit) => REVIEWERS,
        (Action::SendBack { .. }, Decision) => &[Supervisor],
        (Action::Withdraw { .. }, s) if s.is_open() => &[Approver, Supervisor, System],
        (Action::Resubmit, Returned) => &[System, Admin],
        (Action::RecordEntry { .. }, Notified) => &[Clerk, System],
        (Action::CorrectEntry { .. } | Action::Verify { .. }, Verification) => &[Clerk],
        (Action::Lapse { .. }, Verification) => &[Supervisor],
        (Action::Reopen { .. }, Lapsed) => &[Supervisor],
        (Action::Extend { .. }, Review | Decision) => &[Supervisor],
        (Action::Note { .. }, _) => &[Approver, Supervisor, Clerk, Admin, System],
        (Action::ECardRegistered { .. }, Notified | Verification) => &[System],
        (Action::Claim | Action::Release | Action::Assign { .. }, _) => {
            return Err(Some("claims exist only in pre_audit and review"));
        }
        _ => return Err(None),
    };
    Ok(roles)
}

fn pick_role(actor: &Actor, allowed: &[Role]) -> Option<Role> {
    allowed.iter().copied().find(|r| actor.has(*r))
}

fn authorize(case: &Case, actor: &Actor, action: &Action) -> Result<Role, Refusal> {
    let allowed = allowed_roles(case.stage, action).map_err(|hint| Refusal::WrongStage {
        case_no: case.case_no.clone(),
        action: action.name(),
        stage: case.stage,
        hint: hint.map(str::to_string),
    })?;
    pick_role(actor, allowed).ok_or_else(|| Refusal::WrongRole {
        case_no: case.case_no.clone(),
        action: action.name(),
        stage: case.stage,
        user: actor.name.clone(),
        needs: {
            let people: Vec<Role> = allowed
                .iter()
                .copied()
                .filter(|r| *r != Role::System)
                .collect();
            if people.is_empty() {
                allowed.to_vec()
            } else {
                people
            }
        },
        has: actor.roles.clone(),
    })
}

/// Rules that depend on the case's state beyond its stage.
fn check_rules(case: &Case, actor: &Actor, action: &Action, ctx: &Context) -> Result<(), Refusal> {
    let case_no = || case.case_no.clone();
    match (action, case.stage) {
        (Action::Approve { .. } | Action::Refuse { .. }, Stage::Decision) => {
            if let Some(rec) = &case.recommendation {
                if ctx.clocks.policy.four_eyes && rec.by == actor.name {
                    return Err(Refusal::FourEyes {
                        case_no: case_no(),
                        user: actor.name.clone(),
                    });
                }
                let against = matches!(
                    (action, rec.verdict),
                    (Action::Approve { .. }, Verdict::Refuse)
                );
                let note_blank = action.reason().is_none_or(|t| t.trim().is_empty());
                if against && note_blank {
                    return Err(Refusal::MissingReason {
                        case_no: case_no(),
                        action: "signing against the recommendation",
                    });
                }
            }
        }
        (Action::Withdraw { .. }, Stage::Decision)
            if actor.has(Role::System) && !actor.has(Role::Supervisor) =>
        {
            return Err(Refusal::UpstreamConflict {
                case_no: case_no(),
                action: "withdraw",
                stage: case.stage,
            });
        }
        (Action::Lapse { .. }, Stage::Verification) => {
            let window = ctx.clocks.verification(case);
            let overdue = window
                .as_ref()
                .is_some_and(|d| d.state == super::deadline::DeadlineState::Overdue);
            if !overdue {
                return Err(Refusal::NotOverdue {
                    case_no: case_no(),
                    due: window
                        .and_then(|d| d.due)
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "unknown".into()),
                });
            }
        }
        (Action::Extend { .. }, _) => {
            if let Some(days) = case.decision.as_ref().and_then(|d| d.extension_days) {
                return Err(Refusal::AlreadyExtended {
                    case_no: case_no(),
                    days,
                });
            }
        }
        (Action::Assign { assignee: to }, _) => {
            let ok = ctx
                .directory
                .actor(to)
                .is_some_and(|a| a.active && (a.has(Role::Approver) || a.has(Role::Supervisor)));
            if !ok {
                return Err(Refusal::Invalid {
                    case_no: case_no(),
                    field: "to",
                    message: format!("{to} is not an active approver"),
                });
            }
        }
        (Action::RecordEntry { date }, Stage::Notified)
        | (Action::CorrectEntry { date, .. }, Stage::Verification) => {
            let may_precede = case.legacy || case.kind == super::model::Kind::NewNotification;
            if let Some(notified) = case.notified_on {
                if *date < notified && !may_precede {
                    return Err(Refusal::Invalid {
                        case_no: case_no(),
                        field: "date",
                        message: format!(
                            "entry {date} is before the Notification of {notified}; only legacy and new_notification cases may enter first"
                        ),
                    });
                }
            }
        }
        (Action::Verify { checklist }, Stage::Verification) => {
            let failures =
                checklist.failures(ctx.today(), ctx.clocks.policy.exam_report_valid_months);
            if !failures.is_empty() {
                return Err(Refusal::ChecklistFailed {
                    case_no: case_no(),
                    failures: failures
                        .into_iter()
                        .map(|f| format!("{}: {}", f.field, f.message))
                        .collect(),
                });
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_claim(case: &Case, actor: &Actor, action: &Action) -> Result<(), Refusal> {
    if !case.stage.is_claimable() {
        return Ok(());
    }
    let holder = case.assignee();
    let case_no = || case.case_no.clone();
    let held_by_other = |holder: &str| Refusal::HeldByOther {
        case_no: case_no(),
        holder: holder.to_string(),
    };
    match action {
        Action::Claim => match holder {
            None => Ok(()),
            Some(h) if h == actor.name => Err(Refusal::AlreadyHeld {
                case_no: case_no(),
                user: actor.name.clone(),
            }),
            Some(h) => Err(held_by_other(h)),
        },
        Action::Release
        | Action::Approve { .. }
        | Action::Return { .. }
        | Action::Refuse { .. }
        | Action::NotAccept { .. } => match holder {
            None => Err(Refusal::NotClaimed { case_no: case_no() }),
            Some(h) if h == actor.name => Ok(()),
            Some(h) => Err(held_by_other(h)),
        },
        Action::Withdraw { .. } if !actor.has(Role::System) => match holder {
            Some(h) if h != actor.name => Err(held_by_other(h)),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The stage `action` would move `case` to, if the transition exists (used to preview actions).
pub fn next_stage(case: &Case, action: &Action) -> Option<Stage> {
    use Stage::*;
    let to = match (action, case.stage) {
        (Action::Submit { .. }, _) => PreAudit,
        (Action::Approve { .. }, PreAudit) => Review,
        (Action::Approve { .. } | Action::Refuse { .. }, Review) => Decision,
        (Action::Approve { .. }, Decision) if case.kind.issues_notification() => Notified,
        (Action::Approve { .. }, Decision) => Completed,
        (Action::Refuse { .. }, Decision) => Refused,
        (Action::Return { .. }, PreAudit | Review) => Returned,
        (Action::NotAccept { .. }, PreAudit) => NotAccepted,
        (Action::SendBack { .. }, Decision) => Review,
        (Action::Withdraw { .. }, s) if s.is_open() => Withdrawn,
        (Action::Resubmit, Returned) => case.returned_from?,
        (Action::RecordEntry { .. }, Notified) if case.category.needs_verification() => {
            Verification
        }
        (Action::RecordEntry { .. }, Notified) => Completed,
        (Action::Verify { .. }, Verification) => Completed,
        (Action::Lapse { .. }, Verification) => Lapsed,
        (Action::Reopen { .. }, Lapsed) => Verification,
        _ => return None,
    };
    Some(to)
}

/// The number on the Work Permit Notification: the city, the year, the case's serial digits.
fn permit_number(case_no: &str, on: NaiveDate) -> String {
    format!("440100{}{:0>8}", on.year(), serial_digits(case_no))
}

/// The number of the Decision on Permitting Administrative License (准予行政许可决定书).
fn decision_document_number(case_no: &str, on: NaiveDate) -> String {
    format!("WPD{}{:0>8}", on.year(), serial_digits(case_no))
}

fn serial_digits(case_no: &str) -> String {
    let digits: String = case_no.chars().filter(char::is_ascii_digit).collect();
    let start = digits.len().saturating_sub(8);
    digits[start..].to_string()
}

/// Folds one event into a case (`None` before the first event). This is the whole state machine;
/// it checks only that the event fits the stage, because permissions were decided when it was
/// written and roles may have changed since.
pub fn apply(case: Option<&Case>, event: &Event) -> Result<Case, Refusal> {
    let day = event.date();
    let Some(case) = case else {
        return match &event.action {
            Action::Submit { submission } => Ok(open_case(submission, event.at)),
            other => Err(Refusal::WrongStage {
                case_no: event.case_no.clone(),
                action: other.name(),
                stage: Stage::PreAudit,
                hint: Some("the case has no submission yet".into()),
            }),
        };
    };
    let mut next = case.clone();
    let wrong_stage = || Refusal::WrongStage {
        case_no: case.case_no.clone(),
        action: event.action.name(),
        stage: case.stage,
        hint: None,
    };
    let to = next_stage(case, &event.action);
    if let Some(to) = to {
        next.stage = to;
        // A claim belongs to its stage, except that a returned case keeps its holder and goes
        // back to them on resubmission.
        let keeps_claim = to == Stage::Returned || matches!(event.action, Action::Resubmit);
        if to != case.stage && !keeps_claim {
            next.claim = None;
        }
    }
    let guard_stage = |ok: bool| if ok { Ok(()) } else { Err(wrong_stage()) };
    match &event.action {
        Action::Submit { .. } => return Err(wrong_stage()),
        Action::Claim => {
            guard_stage(case.stage.is_claimable())?;
            next.claim = Some(Claim {
                holder: event.actor.clone(),
                since: event.at,
            });
        }
        Action::Release => {
            // A returned case keeps its holder; an admin disabling that holder releases it.
            guard_stage(case.stage.is_claimable() || case.stage == Stage::Returned)?;
            next.claim = None;
        }
        Action::Assign { assignee: to } => {
            guard_stage(case.stage.is_claimable())?;
            next.claim = Some(Claim {
                holder: to.clone(),
                since: event.at,
            });
        }
        Action::Approve { .. } | Action::Refuse { .. } => {
            let verdict = if matches!(event.action, Action::Approve { .. }) {
                Verdict::Approve
            } else {
                Verdict::Refuse
            };
            match case.stage {
                Stage::PreAudit => {
                    next.pre_audit.ended = Some(day);
                    next.decision = Some(DecisionClock {
                        started: day,
                        extension_days: None,
                        pauses: Vec::new(),
                        ended: None,
                    });
                }
                Stage::Review => {
                    next.recommendation = Some(Recommendation {
                        verdict,
                        by: event.actor.clone(),
                        on: day,
                        reason: event.action.reason().map(str::to_string),
                    });
                }
                Stage::Decision => {
                    if let Some(clock) = next.decision.as_mut() {
                        clock.ended = Some(day);
                    }
                    match next.stage {
                        Stage::Notified => {
                            next.notified_on = Some(day);
                            next.permit_no = Some(permit_number(&case.case_no, day));
                        }
                        Stage::Completed => {
                            next.permit_no = Some(permit_number(&case.case_no, day));
                            next.closed_on = Some(day);
                        }
                        _ => next.closed_on = Some(day),
                    }
                }
                _ => return Err(wrong_stage()),
            }
        }
        Action::Return { .. } => match case.stage {
            Stage::PreAudit => {
                next.returned_from = Some(Stage::PreAudit);
                next.pre_audit.paused_since = Some(day);
            }
            Stage::Review => {
                next.returned_from = Some(Stage::Review);
                if let Some(clock) = next.decision.as_mut() {
                    clock.pauses.push(Pause {
                        from: day,
                        until: None,
                    });
                }
            }
            Stage::Verification => next.verification_returns += 1,
            _ => return Err(wrong_stage()),
        },
        Action::NotAccept { .. } => {
            guard_stage(case.stage == Stage::PreAudit)?;
            next.pre_audit.ended = Some(day);
            next.closed_on = Some(day);
        }
        Action::SendBack { .. } => {
            guard_stage(case.stage == Stage::Decision)?;
            let recommender = case.recommendation.as_ref().map(|r| r.by.clone());
            next.recommendation = None;
            next.claim = recommender.map(|holder| Claim {
                holder,
                since: event.at,
            });
        }
        Action::Withdraw { .. } => {
            guard_stage(case.stage.is_open())?;
            end_running_clocks(&mut next, case.stage, day);
            next.returned_from = None;
            next.closed_on = Some(day);
        }
        Action::Resubmit => {
            match case.returned_from {
                Some(Stage::PreAudit) if case.stage == Stage::Returned => {
                    next.pre_audit = PreAuditClock {
                        started: day,
                        paused_since: None,
                        ended: None,
                    };
                }
                Some(Stage::Review) if case.stage == Stage::Returned => {
                    if let Some(pause) = next.decision.as_mut().and_then(|c| c.pauses.last_mut()) {
                        pause.until = Some(day);
                    }
                }
                _ => return Err(wrong_stage()),
            }
            next.returned_from = None;
        }
        Action::RecordEntry { date } => {
            guard_stage(case.stage == Stage::Notified)?;
            next.entry_date = Some(*date);
            if next.stage == Stage::Completed {
                next.closed_on = Some(day);
            }
        }
        Action::CorrectEntry { date, .. } => {
            guard_stage(case.stage == Stage::Verification)?;
            next.entry_date = Some(*date);
        }
        Action::Verify { checklist } => {
            guard_stage(case.stage == Stage::Verification)?;
            next.verified_on = Some(day);
            next.closed_on = Some(day);
            next.decision_doc_no = Some(decision_document_number(&case.case_no, day));
            if let Some(issued_on) = checklist.exam_issued_on {
                next.exam_report = Some(super::case::ExamReport {
                    issued_on,
                    domestic: checklist.exam_domestic,
                    institution: checklist.exam_institution.clone(),
                });
            }
        }
        Action::Lapse { .. } => {
            guard_stage(case.stage == Stage::Verification)?;
            next.closed_on = Some(day);
        }
        Action::Reopen { .. } => {
            guard_stage(case.stage == Stage::Lapsed)?;
            next.closed_on = None;
        }
        Action::Extend { days, .. } => {
            guard_stage(matches!(case.stage, Stage::Review | Stage::Decision))?;
            let clock = next.decision.as_mut().ok_or_else(wrong_stage)?;
            clock.extension_days = Some(*days);
        }
        Action::Note { .. } => {}
        Action::ECardRegistered { date } => {
            guard_stage(matches!(case.stage, Stage::Notified | Stage::Verification))?;
            next.e_card_registered_on = Some(*date);
        }
    }
    if let Some(expected) = to {
        if expected != event.to {
            return Err(wrong_stage());
        }
    } else if event.to != case.stage {
        return Err(wrong_stage());
    }
    next.version = case.version + 1;
    Ok(next)
}

fn end_running_clocks(case: &mut Case, stage: Stage, day: NaiveDate) {
    match stage {
        Stage::PreAudit => case.pre_audit.ended = Some(day),
        Stage::Review | Stage::Decision => {
            if let Some(clock) = case.decision.as_mut() {
                clock.ended = Some(day);
            }
        }
        Stage::Returned => match case.returned_from {
            Some(Stage::Review) => {
                if let Some(clock) = case.decision.as_mut() {
                    if let Some(pause) = clock.pauses.last_mut() {
                        pause.until.get_or_insert(day);
                    }
                    clock.ended = Some(day);
                }
            }
            _ => case.pre_audit.ended = Some(day),
        },
        _ => {}
    }
}

fn open_case(s: &Submission, at: DateTime<FixedOffset>) -> Case {
    Case {
        case_no: s.case_no.clone(),
        kind: s.kind,
        category: s.category,
        legacy: s.legacy,
        stage: Stage::PreAudit,
        returned_from: None,
        claim: None,
        applicant: s.applicant.clone(),
        employer: s.employer.clone(),
        position: s.position.clone(),
        documents: s.documents.clone(),
        exam_report: s.exam_report.clone(),
        submitted_at: at,
        pre_audit: PreAuditClock {
            started: at.date_naive(),
            paused_since: None,
            ended: None,
        },
        decision: None,
        recommendation: None,
        notified_on: None,
        permit_no: None,
        entry_date: s.entry_date,
        e_card_registered_on: None,
        verification_returns: 0,
        verified_on: None,
        decision_doc_no: None,
        closed_on: None,
        version: 1,
    }
}

/// Rebuilds a case from its whole history, oldest event first.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Option<Case>, Refusal> {
    let mut case: Option<Case> = None;
    for event in events {
        case = Some(apply(case.as_ref(), event)?);
    }
    Ok(case)
}
