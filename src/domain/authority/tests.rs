//! The authority rules and their replay.

use super::*;

fn users(list: &[(&str, &[Role], bool)]) -> Users {
    list.iter()
        .map(|(n, r, a)| (n.to_string(), (r.to_vec(), *a)))
        .collect()
}

#[test]
fn the_last_active_admin_stays() {
    let u = users(&[
        ("root", &[Role::Admin], true),
        ("li", &[Role::Approver], true),
    ]);
    let demote = AdminChange::UserRoles {
        name: "root".into(),
        before: vec![Role::Admin],
        after: vec![Role::Approver],
    };
    assert_eq!(
        check_admin_change(&u, "root", &demote),
        Err(AdminRefusal::LastAdmin("root".into()))
    );
    let disable = AdminChange::UserDisable {
        name: "root".into(),
        released: vec![],
    };
    assert!(check_admin_change(&u, "root", &disable).is_err());
    let u2 = users(&[("root", &[Role::Admin], true), ("bo", &[Role::Admin], true)]);
    assert_eq!(check_admin_change(&u2, "root", &disable), Ok(()));
}

#[test]
fn only_admins_change_users_except_the_first() {
    let add = AdminChange::UserAdd {
        name: "root".into(),
        roles: vec![Role::Admin],
    };
    assert_eq!(check_admin_change(&Users::new(), "root", &add), Ok(()));
    let u = users(&[
        ("root", &[Role::Admin], true),
        ("li", &[Role::Approver], true),
    ]);
    let add_m = AdminChange::UserAdd {
        name: "m".into(),
        roles: vec![Role::Admin],
    };
    assert!(matches!(
        check_admin_change(&u, "li", &add_m),
        Err(AdminRefusal::NotAllowed { .. })
    ));
    assert_eq!(
        check_admin_change(
            &u,
            "root",
            &AdminChange::UserEnable {
                name: "ghost".into()
            }
        ),
        Err(AdminRefusal::NoSuchUser("ghost".into()))
    );
}

#[test]
fn history_before_a_baseline_is_checked_against_who_it_knows() {
    use crate::domain::case::{Applicant, Employer, Submission};
    use crate::domain::{Action, Category, Kind, Stage, apply};
    let at = DateTime::parse_from_rfc3339("2026-01-01T09:00:00+08:00").expect("date");
    let submission = Submission {
        case_no: "B-1".into(),
        kind: Kind::OverseasNew,
        category: Category::B,
        legacy: false,
        applicant: Applicant {
            name: "LI WEI".into(),
            name_native: None,
            passport_no: "E12345678".into(),
            nationality: "SGP".into(),
            birth_date: None,
        },
        employer: Employer {
            name: "Example".into(),
            uscc: "91440101MA5CQ7H2XC".into(),
        },
        position: None,
        documents: vec![],
        exam_report: None,
        entry_date: None,
        permit: None,
    };
    let event = |actor: &str, role, from, to, action| Event {
        case_no: "B-1".into(),
        at,
        actor: actor.into(),
        role,
        from,
        to,
        action,
        number: None,
        late: false,
    };
    let submit = event(
        "system",
        Role::System,
        None,
        Stage::PreAudit,
        Action::Submit {
            submission: Box::new(submission),
        },
    );
    let case = apply(None, &submit).expect("submit");
    // li.wei claimed as an approver, has left since, and the store was then migrated.
    let claim = event(
        "li.wei",
        Role::Approver,
        Some(Stage::PreAudit),
        Stage::PreAudit,
        Action::Claim,
    );
    let mut a = Authority::new();
    a.record(
        3,
        &AdminEvent {
            at,
            actor: "system".into(),
            change: AdminChange::Baseline {
                users: vec![UserState {
                    name: "li.wei".into(),
                    roles: vec![Role::Viewer],
                    active: false,
                }],
                settings: SettingsState::default(),
            },
        },
    )
    .expect("baseline");
    assert_eq!(a.verify(1, None, &submit), Ok(()));
    assert_eq!(a.verify(2, Some(&case), &claim), Ok(()));
    // The same claim after the baseline is not.
    assert_eq!(
        a.verify(4, Some(&case), &claim).map_err(|v| v.rule),
        Err("active")
    );
    // A user the baseline does not know never acted.
    let ghost = event(
        "ghost",
        Role::Approver,
        Some(Stage::PreAudit),
        Stage::PreAudit,
        Action::Claim,
    );
    assert_eq!(
        a.verify(2, Some(&case), &ghost).map_err(|v| v.rule),
        Err("actor")
    );
}

#[test]
fn users_are_known_from_the_event_that_added_them() {
    let at = DateTime::parse_from_rfc3339("2026-01-01T09:00:00+08:00").expect("date");
    let mut a = Authority::new();
    let ev = |actor: &str, change| AdminEvent {
        at,
        actor: actor.into(),
        change,
    };
    a.record(
        1,
        &ev(
            "system",
            AdminChange::Baseline {
                users: vec![UserState {
                    name: "root".into(),
                    roles: vec![Role::Admin],
                    active: true,
                }],
                settings: SettingsState::default(),
            },
        ),
    )
    .expect("baseline");
    a.record(
        5,
        &ev(
            "root",
            AdminChange::UserAdd {
                name: "li".into(),
                roles: vec![Role::Approver],
            },
        ),
    )
    .expect("add");
    assert!(
        a.actor_at("root", 1).is_some(),
        "the baseline holds from the start"
    );
    assert!(a.actor_at("li", 5).is_none());
    assert!(a.actor_at("li", 6).is_some());
    assert!(
        a.record(
            7,
            &ev(
                "li",
                AdminChange::UserRoles {
                    name: "li".into(),
                    before: vec![Role::Approver],
                    after: vec![Role::Admin],
                },
            ),
        )
        .is_err(),
        "an approver cannot make themselves admin"
    );
}
