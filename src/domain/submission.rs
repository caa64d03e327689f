//! Opening a case: the rules a submission (from upstream sync or an import) must meet.

use super::action::{Action, Actor, Event};
use super::apply::apply;
use super::case::{Case, Submission};
use super::deadline::Policy;
use super::ids;
use super::invisible;
use super::model::{ActionKind, Kind, Role, Stage};
use super::refusal::Refusal;
use super::transition::{Context, pick_role};
use chrono::NaiveDate;

/// Who may open a case: the upstream system (sync) or an admin (import).
pub(super) const SUBMITTERS: &[Role] = &[Role::System, Role::Admin];

/// Opens a new case from an upstream (or imported) submission.
pub fn submit(
    submission: Submission,
    actor: &Actor,
    ctx: &Context,
) -> Result<(Case, Event), Refusal> {
    let submission = normalize_submission(submission);
    validate_submission(&submission)?;
    check_submitted_on(&submission, ctx.now.date_naive(), ctx.clocks.policy)?;
    let role = pick_role(actor, SUBMITTERS).ok_or_else(|| Refusal::WrongRole {
        case_no: submission.case_no.clone(),
        action: ActionKind::Submit,
        stage: Stage::PreAudit,
        user: actor.name.clone(),
        needs: SUBMITTERS.to_vec(),
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
        number: None,
        late: false,
    };
    let case = apply(None, &event)?;
    Ok((case, event))
}

/// The longest case number accepted, in characters (not bytes: `案件` is two).
pub const MAX_CASE_NO_CHARS: usize = 40;

/// The one rule for case numbers, shared by submissions, upstream sync, import and the command
/// line: no invisible character, then folded (`ids::fold_id`: `ｆｗ-000007` is `FW-000007`),
/// then 1 to [`MAX_CASE_NO_CHARS`] characters, none of them whitespace. Gives the case number as
/// the store keeps it, or the message reported against the `case_no` field.
pub fn fold_case_no(raw: &str) -> Result<String, String> {
    ids::refuse_invisible(raw).map_err(|e| e.to_string())?;
    let case_no = ids::fold_id(raw);
    let chars = case_no.chars().count();
    if chars == 0
        || chars > MAX_CASE_NO_CHARS
        || case_no.chars().any(char::is_whitespace)
        || invisible::in_identifier(&case_no).is_some()
    {
        return Err(format!(
            "must be 1-{MAX_CASE_NO_CHARS} characters without spaces"
        ));
    }
    Ok(case_no)
}

/// The one rule for free text (names, reasons, notes): no control or invisible character but
/// line breaks and tabs.
pub fn check_free_text(text: &str) -> Result<(), String> {
    match invisible::in_text(text) {
        None => Ok(()),
        Some(hidden) if hidden.is_control() => {
            Err("must not contain control characters (line breaks and tabs are fine)".into())
        }
        Some(hidden) => Err(hidden.to_string()),
    }
}

/// What the office corrects rather than refuses: identifiers typed in another width or case
/// (`ids::fold_id`). Invisible characters stay, for `validate_submission` to refuse.
pub fn normalize_submission(mut s: Submission) -> Submission {
    s.case_no = ids::fold_id(&s.case_no);
    s.applicant.passport_no = ids::normalize_passport(&s.applicant.passport_no);
    s.employer.uscc = ids::fold_id(s.employer.uscc.trim());
    if let Some(permit) = s.permit.as_mut() {
        permit.permit_no = super::permit::normalize_permit_no(&permit.permit_no);
    }
    s
}

/// Checks a submission's fields; the first bad field is reported with the case number.
pub fn validate_submission(s: &Submission) -> Result<(), Refusal> {
    let invalid = |field: &'static str, message: String| Refusal::Invalid {
        case_no: s.case_no.clone(),
        field,
        message,
    };
    fold_case_no(&s.case_no).map_err(|message| invalid("case_no", message))?;
    let texts = [
        ("applicant.name", Some(&s.applicant.name)),
        ("applicant.name_native", s.applicant.name_native.as_ref()),
        ("employer.name", Some(&s.employer.name)),
        ("position", s.position.as_ref()),
        (
            "exam_report.institution",
            s.exam_report.as_ref().and_then(|e| e.institution.as_ref()),
        ),
    ];
    for (field, text) in texts {
        if let Some(text) = text {
            check_free_text(text).map_err(|message| invalid(field, message))?;
        }
    }
    for document in &s.documents {
        check_free_text(&document.kind).map_err(|message| invalid("documents", message))?;
    }
    if s.applicant.name.trim().is_empty() {
        return Err(invalid("applicant.name", "must not be empty".into()));
    }
    ids::validate_latin_name(&s.applicant.name)
        .map_err(|e| invalid("applicant.name", e.to_string()))?;
    let identifiers = [
        ("applicant.passport_no", &s.applicant.passport_no),
        ("applicant.nationality", &s.applicant.nationality),
        ("employer.uscc", &s.employer.uscc),
    ];
    for (field, id) in identifiers {
        ids::refuse_invisible(id).map_err(|e| invalid(field, e.to_string()))?;
    }
    if let Some(permit) = &s.permit {
        ids::refuse_invisible(&permit.permit_no)
            .map_err(|e| invalid("permit.permit_no", e.to_string()))?;
    }
    ids::validate_passport(&s.applicant.passport_no)
        .map_err(|e| invalid("applicant.passport_no", e.to_string()))?;
    ids::validate_nationality(&s.applicant.nationality)
        .map_err(|e| invalid("applicant.nationality", e.to_string()))?;
    if s.employer.name.trim().is_empty() {
        return Err(invalid("employer.name", "must not be empty".into()));
    }
    ids::validate_uscc(&s.employer.uscc).map_err(|e| invalid("employer.uscc", e.to_string()))?;
    if s.legacy && s.kind != Kind::OverseasNew {
        return Err(invalid(
            "legacy",
            format!(
                "only overseas_new cases may be legacy (in transit for the physical permit card on \
                 1 December 2024, FAQ Q8); this case is {}",
                s.kind
            ),
        ));
    }
    if s.entry_date.is_some() && !(s.legacy || s.kind == Kind::NewNotification) {
        return Err(invalid(
            "entry_date",
            "only legacy and new_notification cases may arrive with an entry date".into(),
        ));
    }
    super::permit::check_permit(s).map_err(|(field, message)| invalid(field, message))
}

/// The rules that depend on the day a submission is made and the office's policy: the
/// Notification of the card integration and the e-certificate exchange exist only from the
/// changeover day (FAQ Q2, Q9, Q10), so no such submission is dated before it.
pub fn check_submitted_on(s: &Submission, on: NaiveDate, policy: &Policy) -> Result<(), Refusal> {
    if matches!(s.kind, Kind::NewNotification | Kind::ECertificate) && on < policy.changeover {
        return Err(Refusal::Invalid {
            case_no: s.case_no.clone(),
            field: "kind",
            message: format!(
                "{} cases exist only from the card integration's changeover day {} (FAQ Q9, Q10); \
                 this submission is dated {on}",
                s.kind, policy.changeover
            ),
        });
    }
    Ok(())
}
