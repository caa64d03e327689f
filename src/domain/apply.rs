//! The state machine: how each event changes a case. `apply` is all that replay uses, so the
//! stored history always rebuilds the stored case.

use super::action::{Action, Event};
use super::case::{
    Case, Claim, DecisionClock, LateAllowance, Pause, PreAuditClock, Recommendation, Submission,
    Verdict,
};
use super::model::{ActionKind, Stage};
use super::numbers::{Series, derived_from_case_no};
use super::refusal::Refusal;
use chrono::{DateTime, FixedOffset, NaiveDate};

/// The stage `action` would move `case` to, if the transition exists (used to preview actions).
pub fn next_stage(case: &Case, action: ActionKind) -> Option<Stage> {
    use Stage::*;
    let to = match (action, case.stage) {
        (ActionKind::Submit, _) => PreAudit,
        (ActionKind::Approve, PreAudit) => Review,
        (ActionKind::Approve | ActionKind::Refuse, Review) => Decision,
        // The applicant already in China (entry on file): the window runs from the Notification.
        (ActionKind::Approve, Decision)
            if case.kind.issues_notification() && case.entry_date.is_some() =>
        {
            if case.category.needs_verification() {
                Verification
            } else {
                Completed
            }
        }
        (ActionKind::Approve, Decision) if case.kind.issues_notification() => Notified,
        (ActionKind::Approve, Decision) => Completed,
        (ActionKind::Refuse, Decision) => Refused,
        (ActionKind::Return, PreAudit | Review) => Returned,
        (ActionKind::NotAccept, PreAudit) => NotAccepted,
        (ActionKind::SendBack, Decision) => Review,
        (ActionKind::Withdraw, s) if s.is_open() => Withdrawn,
        (ActionKind::Resubmit, Returned) => case.returned_from?,
        (ActionKind::RecordEntry, Notified) if case.category.needs_verification() => Verification,
        (ActionKind::RecordEntry, Notified) => Completed,
        (ActionKind::Verify, Verification) => Completed,
        (ActionKind::Lapse, Verification) => Lapsed,
        (ActionKind::Reopen, Lapsed) => Verification,
        _ => return None,
    };
    Some(to)
}

/// The number an event issued: the one it carries, or for a history written before numbers came
/// from the store's sequences, the one the old rule derived from the case number.
fn issued_number(event: &Event, series: Series) -> String {
    event
        .number
        .clone()
        .unwrap_or_else(|| derived_from_case_no(series, &event.case_no, event.date()))
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
                action: other.kind(),
                stage: Stage::PreAudit,
                hint: Some("the case has no submission yet".into()),
            }),
        };
    };
    let mut next = case.clone();
    let wrong_stage = || Refusal::WrongStage {
        case_no: case.case_no.clone(),
        action: event.action.kind(),
        stage: case.stage,
        hint: None,
    };
    let mut to = next_stage(case, event.action.kind());
    // Histories written before issue 15 signed an in-China case into `notified` although its
    // entry was on file; they still replay, and `check` reports the case.
    if case.stage == Stage::Decision
        && event.to == Stage::Notified
        && case.kind.issues_notification()
        && matches!(event.action, Action::Approve { .. })
    {
        to = Some(Stage::Notified);
    }
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
                    if next.stage == Stage::Refused {
                        next.closed_on = Some(day);
                    } else {
                        // A case about an existing permit keeps that permit's number.
                        if event.number.is_some() || case.permit.is_none() {
                            next.permit_no = Some(issued_number(event, Series::Permit));
                        }
                        if case.kind.issues_notification() {
                            next.notified_on = Some(day);
                        }
                        if next.stage == Stage::Completed {
                            next.closed_on = Some(day);
                        }
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
            next.verified_late = event.late;
            next.closed_on = Some(day);
            next.decision_doc_no = Some(issued_number(event, Series::DecisionDocument));
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
        Action::AllowLate { reason } => {
            guard_stage(case.stage == Stage::Verification)?;
            next.late_allowed = Some(LateAllowance {
                by: event.actor.clone(),
                on: day,
                reason: reason.clone(),
            });
        }
        Action::Reopen { reason } => {
            guard_stage(case.stage == Stage::Lapsed)?;
            next.closed_on = None;
            // Reopening a lapsed window is the supervisor's decision to let the applicant verify
            // late.
            next.late_allowed = Some(LateAllowance {
                by: event.actor.clone(),
                on: day,
                reason: reason.clone(),
            });
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
        permit_no: s.permit.as_ref().map(|p| p.permit_no.clone()),
        permit: s.permit.clone(),
        entry_date: s.entry_date,
        e_card_registered_on: None,
        verification_returns: 0,
        verified_on: None,
        late_allowed: None,
        verified_late: false,
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
