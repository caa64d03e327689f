//! The transition table of DOMAIN.md: `decide` checks whether an actor may take an action now and
//! produces the event, which `apply` then folds into the case.

use super::action::{Action, Actor, Event};
use super::apply::{apply, next_stage};
use super::case::{Case, Verdict};
use super::deadline::{Clocks, Policy};
use super::model::{ActionKind, Role, Stage};
use super::numbers::Series;
use super::precheck::Holding;
use super::refusal::Refusal;
use super::submission::SUBMITTERS;
pub use super::submission::{
    MAX_CASE_NO_CHARS, check_free_text, check_submitted_on, fold_case_no, normalize_submission,
    submit, validate_submission,
};
use chrono::Datelike;
use chrono::{DateTime, FixedOffset, NaiveDate};

/// The longest reason or note accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// What the domain asks of the office around it: other users (for `assign`) and the next number
/// of a yearly sequence (permit and decision-document numbers).
pub trait Directory {
    fn actor(&self, name: &str) -> Option<Actor>;

    /// Takes the next number of `series` for `year`, for `case_no`; `None` when this entry point
    /// cannot issue numbers.
    fn issue_number(&self, series: Series, year: i32, case_no: &str) -> Option<String>;
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
    validate_input(case, &action, ctx.today(), ctx.clocks.policy)?;
    let kind = action.kind();
    let role = authorize(case, actor, kind)?;
    check_rules(case, actor, &action, ctx)?;
    check_claim(case, actor, kind)?;
    let to = next_stage(case, kind).unwrap_or(case.stage);
    let number = match issues_number(case, kind, to) {
        Some(series) => Some(
            ctx.directory
                .issue_number(series, ctx.today().year(), &case.case_no)
                .ok_or_else(|| Refusal::WrongStage {
                    case_no: case.case_no.clone(),
                    action: kind,
                    stage: case.stage,
                    hint: Some(format!("no {} number can be issued here", series.as_str())),
                })?,
        ),
        None => None,
    };
    let event = Event {
        case_no: case.case_no.clone(),
        at: ctx.now,
        actor: actor.name.clone(),
        role,
        from: Some(case.stage),
        to,
        late: matches!(action, Action::Verify { .. }) && window_ended(case, ctx).is_some(),
        action,
        number,
    };
    let next = apply(Some(case), &event)?;
    Ok((next, event))
}

/// The sequence an action taking `case` to `to` draws a number from: signing an approval issues
/// the permit number, verification the decision document's.
pub fn issues_number(case: &Case, action: ActionKind, to: Stage) -> Option<Series> {
    match (action, case.stage, to) {
        // A case about an existing permit keeps that permit's number.
        (ActionKind::Approve, Stage::Decision, _) if case.permit.is_some() => None,
        (ActionKind::Approve, Stage::Decision, Stage::Notified | Stage::Completed)
        | (ActionKind::Approve, Stage::Decision, Stage::Verification) => Some(Series::Permit),
        (ActionKind::Verify, Stage::Verification, Stage::Completed) => {
            Some(Series::DecisionDocument)
        }
        _ => None,
    }
}

pub(super) fn validate_input(
    case: &Case,
    action: &Action,
    today: NaiveDate,
    policy: &Policy,
) -> Result<(), Refusal> {
    let case_no = || case.case_no.clone();
    if let Some(text) = action.required_text() {
        if text.trim().is_empty() {
            return Err(Refusal::MissingReason {
                case_no: case_no(),
                action: action.kind(),
            });
        }
    }
    if let Some(text) = action.reason() {
        // The same rule whether the text came from the console, the command line or upstream.
        if let Err(message) = check_free_text(text) {
            return Err(Refusal::Invalid {
                case_no: case_no(),
                field: action.text_field(),
                message,
            });
        }
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(Refusal::Invalid {
                case_no: case_no(),
                field: action.text_field(),
                message: format!(
                    "is {chars} characters long; at most {MAX_TEXT_CHARS} are allowed, and nothing \
                     was saved"
                ),
            });
        }
    }
    let future = |field: &'static str, date: NaiveDate| {
        if date > today {
            Err(Refusal::Invalid {
                case_no: case_no(),
                field,
                message: format!("{date} is in the future (today is {})", today),
            })
        } else {
            Ok(())
        }
    };
    match action {
        Action::RecordEntry { date } | Action::CorrectEntry { date, .. } => future("date", *date)?,
        Action::ECardRegistered { date } => future("date", *date)?,
        Action::Extend { days, .. } => {
            let max = policy.max_extension_days;
            if !policy.allows_extension(*days) {
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
fn allowed_roles(
    stage: Stage,
    action: ActionKind,
) -> Result<&'static [Role], Option<&'static str>> {
    use Role::*;
    use Stage::*;
    const REVIEWERS: &[Role] = &[Approver, Supervisor];
    let roles: &'static [Role] = match (action, stage) {
        (ActionKind::Submit, _) => return Err(Some("the case already exists")),
        (ActionKind::Claim | ActionKind::Release, PreAudit | Review) => REVIEWERS,
        (ActionKind::Assign, PreAudit | Review) => &[Supervisor],
        (ActionKind::Approve, PreAudit | Review) => REVIEWERS,
        (ActionKind::Approve, Decision) => &[Supervisor],
        (ActionKind::Return, PreAudit | Review) => REVIEWERS,
        (ActionKind::Return, Verification) => &[Clerk],
        (ActionKind::Refuse, PreAudit) => {
            return Err(Some("in pre-audit a case is not accepted: use not-accept"));
        }
        (ActionKind::Refuse, Review) => REVIEWERS,
        (ActionKind::Refuse, Decision) => &[Supervisor],
        (ActionKind::NotAccept, PreAudit) => REVIEWERS,
        (ActionKind::SendBack, Decision) => &[Supervisor],
        (ActionKind::Withdraw, s) if s.is_open() => &[Approver, Supervisor, System],
        (ActionKind::Resubmit, Returned) => &[System, Admin],
        (ActionKind::RecordEntry, Notified) => &[Clerk, System],
        (ActionKind::CorrectEntry | ActionKind::Verify, Verification) => &[Clerk],
        (ActionKind::Lapse | ActionKind::AllowLate, Verification) => &[Supervisor],
        (ActionKind::Reopen, Lapsed) => &[Supervisor],
        (ActionKind::Extend, Review | Decision) => &[Supervisor],
        (ActionKind::Note, _) => &[Approver, Supervisor, Clerk, Admin, System],
        (ActionKind::ECardRegistered, Notified | Verification) => &[System],
        (ActionKind::Claim | ActionKind::Release | ActionKind::Assign, _) => {
            return Err(Some("claims exist only in pre_audit and review"));
        }
        _ => return Err(None),
    };
    Ok(roles)
}

/// Whether taking `action` on `case` signs a decision against its recommendation, which needs a
/// reason (DOMAIN.md).
pub fn signs_against_recommendation(case: &Case, action: ActionKind) -> bool {
    case.stage == Stage::Decision
        && action == ActionKind::Approve
        && case.recommendation.as_ref().map(|r| r.verdict) == Some(Verdict::Refuse)
}

/// The roles that may take `action` in `stage`, or `None` where the action does not exist in
/// that stage: for screens that offer an action only to someone who could take it.
pub fn roles_for(stage: Stage, action: ActionKind) -> Option<&'static [Role]> {
    allowed_roles(stage, action).ok()
}

pub(super) fn pick_role(actor: &Actor, allowed: &[Role]) -> Option<Role> {
    allowed.iter().copied().find(|r| actor.has(*r))
}

pub(super) fn authorize(case: &Case, actor: &Actor, action: ActionKind) -> Result<Role, Refusal> {
    authorize_in(&case.case_no, case.stage, actor, action)
}

pub(super) fn authorize_in(
    case_no: &str,
    stage: Stage,
    actor: &Actor,
    action: ActionKind,
) -> Result<Role, Refusal> {
    let allowed = allowed_roles(stage, action).map_err(|hint| Refusal::WrongStage {
        case_no: case_no.to_string(),
        action,
        stage,
        hint: hint.map(str::to_string),
    })?;
    pick_role(actor, allowed).ok_or_else(|| Refusal::WrongRole {
        case_no: case_no.to_string(),
        action,
        stage,
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
    legacy_bar(case, action.kind(), ctx.today(), ctx.clocks.policy)?;
    match (action, case.stage) {
        (Action::Approve { .. }, _) if approval_bar(case).is_some() => {
            return Err(approval_bar(case).unwrap_or(Refusal::WrongStage {
                case_no: case_no(),
                action: action.kind(),
                stage: case.stage,
                hint: None,
            }));
        }
        (Action::Approve { .. } | Action::Refuse { .. }, Stage::Decision) => {
            check_four_eyes(case, actor, action.kind(), ctx.clocks.policy)?;
            if case.recommendation.is_some() {
                let against = signs_against_recommendation(case, action.kind());
                let note_blank = action.reason().is_none_or(|t| t.trim().is_empty());
                if against && note_blank {
                    return Err(Refusal::MissingSigningReason { case_no: case_no() });
                }
            }
        }
        (Action::Withdraw { .. }, Stage::Decision)
            if actor.has(Role::System) && !actor.has(Role::Supervisor) =>
        {
            return Err(Refusal::UpstreamConflict {
                case_no: case_no(),
                action: ActionKind::Withdraw,
                stage: case.stage,
            });
        }
        (Action::AllowLate { .. }, Stage::Verification) if case.late_allowed.is_some() => {
            return Err(Refusal::WrongStage {
                case_no: case_no(),
                action: action.kind(),
                stage: case.stage,
                hint: Some("a late verification is already allowed".into()),
            });
        }
        (Action::Lapse { .. } | Action::AllowLate { .. }, Stage::Verification) => {
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
            if let Some(registered) = case.e_card_registered_on.filter(|r| r < date) {
                return Err(Refusal::Invalid {
                    case_no: case_no(),
                    field: "date",
                    message: format!(
                        "entry {date} is after the e-card registration of {registered}; the applicant registers after entering China"
                    ),
                });
            }
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
        // FAQ Q3, Q5: the applicant registers the e-card after entering China.
        (Action::ECardRegistered { date }, _) => {
            if let Some(entry) = case.entry_date.filter(|entry| date < entry) {
                return Err(Refusal::Invalid {
                    case_no: case_no(),
                    field: "date",
                    message: format!(
                        "e-card registration {date} is before the entry of {entry}; the applicant registers after entering China"
                    ),
                });
            }
        }
        (Action::Verify { checklist }, Stage::Verification) => {
            if let Some(ended) = window_ended(case, ctx) {
                if case.late_allowed.is_none() {
                    return Err(Refusal::WindowEnded {
                        case_no: case_no(),
                        ended,
                    });
                }
            }
            let failures =
                checklist.failures(ctx.today(), ctx.clocks.policy.exam_report_valid_months);
            if !failures.is_empty() {
                return Err(Refusal::ChecklistFailed {
                    case_no: case_no(),
                    failures: failures.into_iter().map(|f| f.rule).collect(),
                });
            }
        }
        _ => {}
    }
    Ok(())
}

/// FAQ Q8: cases in transit for the card restart in pre-audit on the changeover day; until then
/// they are neither accepted, returned nor refused.
pub(super) fn legacy_bar(
    case: &Case,
    action: ActionKind,
    today: NaiveDate,
    policy: &Policy,
) -> Result<(), Refusal> {
    let decides_pre_audit = matches!(
        action,
        ActionKind::Approve | ActionKind::Return | ActionKind::NotAccept
    ) && case.stage == Stage::PreAudit;
    if decides_pre_audit && case.legacy && today < policy.changeover {
        return Err(Refusal::WrongStage {
            case_no: case.case_no.clone(),
            action,
            stage: case.stage,
            hint: Some(format!(
                "a legacy case's pre-audit restarts on the changeover day {} (FAQ Q8)",
                policy.changeover
            )),
        });
    }
    Ok(())
}

/// Why the case may not be approved (accepted, recommended or signed) whatever the stage, for
/// screens to ask before they offer it: an e-certificate exchange of a permit that had expired
/// when it was submitted (FAQ Q10: only a physical permit not expired, or one approved but never
/// collected), which is not accepted instead.
pub fn approval_bar(case: &Case) -> Option<Refusal> {
    let expired_on = case.e_certificate_bar()?;
    Some(Refusal::ECertificateBarred {
        case_no: case.case_no.clone(),
        permit_no: case
            .permit
            .as_ref()
            .map(|p| p.permit_no.clone())
            .unwrap_or_default(),
        expired_on,
        submitted_on: case.submitted_at.date_naive(),
    })
}

/// The four-eyes rule: under a policy that has it, whoever recommended a decision may not sign it.
pub(super) fn check_four_eyes(
    case: &Case,
    actor: &Actor,
    action: ActionKind,
    policy: &Policy,
) -> Result<(), Refusal> {
    four_eyes(Holding::of(case), actor, action, policy)
}

pub(super) fn four_eyes(
    holding: Holding<'_>,
    actor: &Actor,
    action: ActionKind,
    policy: &Policy,
) -> Result<(), Refusal> {
    let signs = holding.stage == Stage::Decision
        && matches!(action, ActionKind::Approve | ActionKind::Refuse);
    match holding.recommended_by {
        Some(by) if signs && policy.four_eyes && by == actor.name => Err(Refusal::FourEyes {
            case_no: holding.case_no.to_string(),
            user: actor.name.clone(),
        }),
        _ => Ok(()),
    }
}

/// Whether `actor`, as the store knew them when a recorded `event` was written, had the authority
/// for it under `policy`: active, holding the role the event names and one the action needs in
/// the case's stage (`case` is the case just before the event, `None` for a submission), holding
/// the claim where the stage needs one, and the four-eyes rule. `check` replays every event
/// through this; `decide` applies the same rules to new actions.
pub fn check_authority(
    case: Option<&Case>,
    actor: &Actor,
    event: &Event,
    policy: &Policy,
) -> Result<(), Refusal> {
    if !actor.active {
        return Err(Refusal::Inactive {
            user: actor.name.clone(),
        });
    }
    let Some(case) = case else {
        let allowed = SUBMITTERS;
        return if allowed.contains(&event.role) && actor.has(event.role) {
            Ok(())
        } else {
            Err(Refusal::WrongRole {
                case_no: event.case_no.clone(),
                action: event.action.kind(),
                stage: Stage::PreAudit,
                user: actor.name.clone(),
                needs: allowed.to_vec(),
                has: actor.roles.clone(),
            })
        };
    };
    let kind = event.action.kind();
    authorize(case, actor, kind)?;
    let named_role_ok = roles_for(case.stage, kind)
        .is_some_and(|allowed| allowed.contains(&event.role))
        && actor.has(event.role);
    if !named_role_ok {
        return Err(Refusal::WrongRole {
            case_no: case.case_no.clone(),
            action: event.action.kind(),
            stage: case.stage,
            user: actor.name.clone(),
            needs: vec![event.role],
            has: actor.roles.clone(),
        });
    }
    check_four_eyes(case, actor, kind, policy)?;
    check_claim(case, actor, kind)
}

/// An admin disabling a user releases that user's claims (the store does it in the same step):
/// a release by an admin of a case whose holder is no longer active. An admin who disabled
/// themself releases their own claims just after.
pub fn is_release_for_disabled_holder(
    case: &Case,
    actor: &Actor,
    event: &Event,
    holder_active: bool,
) -> bool {
    let own_claim = case.assignee() == Some(actor.name.as_str());
    matches!(event.action, Action::Release)
        && event.role == Role::Admin
        && (actor.active || own_claim)
        && actor.has(Role::Admin)
        && case.assignee().is_some()
        && !holder_active
}

/// The last day of the verification window, once it has passed.
fn window_ended(case: &Case, ctx: &Context) -> Option<NaiveDate> {
    let window = ctx.clocks.verification(case)?;
    (window.state == super::deadline::DeadlineState::Overdue)
        .then_some(window.due)
        .flatten()
}

pub(super) fn check_claim(case: &Case, actor: &Actor, action: ActionKind) -> Result<(), Refusal> {
    claim_rule(Holding::of(case), actor, action)
}

pub(super) fn claim_rule(
    holding: Holding<'_>,
    actor: &Actor,
    action: ActionKind,
) -> Result<(), Refusal> {
    if !holding.stage.is_claimable() {
        return Ok(());
    }
    let holder = holding.assignee;
    let case_no = || holding.case_no.to_string();
    let held_by_other = |holder: &str| Refusal::HeldByOther {
        case_no: case_no(),
        holder: holder.to_string(),
    };
    match action {
        ActionKind::Claim => match holder {
            None => Ok(()),
            Some(h) if h == actor.name => Err(Refusal::AlreadyHeld {
                case_no: case_no(),
                user: actor.name.clone(),
            }),
            Some(h) => Err(held_by_other(h)),
        },
        ActionKind::Release
        | ActionKind::Approve
        | ActionKind::Return
        | ActionKind::Refuse
        | ActionKind::NotAccept => match holder {
            None => Err(Refusal::NotClaimed { case_no: case_no() }),
            Some(h) if h == actor.name => Ok(()),
            Some(h) => Err(held_by_other(h)),
        },
        ActionKind::Withdraw if !actor.has(Role::System) => match holder {
            Some(h) if h != actor.name => Err(held_by_other(h)),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}
