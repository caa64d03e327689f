//! The questions screens ask the domain before anything is sent, so that a refusal is said at
//! the key or in the form, never after the user typed: the same rules `decide` applies, asked
//! of a loaded case, of a queue row, or of typed input.

use super::action::{Action, Actor};
use super::case::Case;
use super::deadline::Policy;
use super::model::ActionKind;
use super::model::Stage;
use super::refusal::Refusal;
use super::transition::{
    approval_bar, authorize, authorize_in, check_claim, check_four_eyes, claim_rule, four_eyes,
    legacy_bar, validate_input,
};
use chrono::NaiveDate;

/// What `decide` would refuse in what the user typed or picked (a reason, a date, a number of
/// days, an assignee), before anything is sent: screens ask it when a form is submitted, so
/// that a refusal is said in the form, with everything typed kept.
pub fn input_refusal(
    case: &Case,
    action: &Action,
    today: NaiveDate,
    policy: &Policy,
) -> Result<(), Refusal> {
    validate_input(case, action, today, policy)
}

/// What `decide` would refuse before anything is typed: the user disabled, the action not in the
/// stage or not for the user's roles, a bar on approval, the changeover of a legacy case, the
/// four-eyes rule, the claim. Screens ask this before they open a dialog, so that nobody types a
/// reason for an action that cannot be taken; what depends on the typed text is `decide`'s.
pub fn refusal_before_input(
    case: &Case,
    actor: &Actor,
    action: ActionKind,
    today: NaiveDate,
    policy: &Policy,
) -> Result<(), Refusal> {
    if !actor.active {
        return Err(Refusal::Inactive {
            user: actor.name.clone(),
        });
    }
    authorize(case, actor, action)?;
    legacy_bar(case, action, today, policy)?;
    if let (ActionKind::Approve, Some(bar)) = (action, approval_bar(case)) {
        return Err(bar);
    }
    check_four_eyes(case, actor, action, policy)?;
    check_claim(case, actor, action)
}

/// What the claim and four-eyes rules look at in a case: enough to ask them of a queue row,
/// whose whole case is not loaded (a bulk preview), with the same answer as of the case.
#[derive(Debug, Clone, Copy)]
pub struct Holding<'a> {
    pub case_no: &'a str,
    pub stage: Stage,
    pub assignee: Option<&'a str>,
    pub recommended_by: Option<&'a str>,
}

impl<'a> Holding<'a> {
    pub fn of(case: &'a Case) -> Holding<'a> {
        Holding {
            case_no: &case.case_no,
            stage: case.stage,
            assignee: case.assignee(),
            recommended_by: case.recommendation.as_ref().map(|r| r.by.as_str()),
        }
    }
}

/// What `decide` would refuse of `action` by `actor` on a case as `holding` says it is, before
/// anything is typed: the stage and the roles, four-eyes and the claim. A bulk preview asks it
/// of every marked row; `refusal_before_input` asks more of a loaded case.
pub fn holding_refusal(
    holding: Holding<'_>,
    actor: &Actor,
    action: ActionKind,
    policy: &Policy,
) -> Result<(), Refusal> {
    if !actor.active {
        return Err(Refusal::Inactive {
            user: actor.name.clone(),
        });
    }
    authorize_in(holding.case_no, holding.stage, actor, action)?;
    four_eyes(holding, actor, action, policy)?;
    claim_rule(holding, actor, action)
}
