//! Issue 15, "seed facts not modelled yet": who presents at verification and with what visa (FAQ
//! Q3), cases about an existing permit (Q2, Q10), the changeover day as an office setting (Q8)
//! and the structure of the unified social credit code (GB 32100), each pinned through the
//! public domain API (`submit` + `decide`). Every history a test drives is replayed when it goes
//! out of scope and must rebuild the very same case.

use chrono::{Days, NaiveDate, NaiveTime};
use permitdesk::domain::case::{Applicant, Document, Employer};
use permitdesk::domain::{
    Action, Actor, Calendar, Case, Category, Checklist, Clock, Clocks, Context, Event, Kind,
    PermitRef, Policy, Presenter, Refusal, Stage, Submission, VisaKind, decide, replay, submit,
};

mod domain_support;

use domain_support::*;

struct World {
    calendar: Calendar,
    policy: Policy,
    users: Users,
}

impl World {
    fn new() -> World {
        World {
            calendar: Calendar::embedded(),
            policy: Policy::default(),
            users: Users(vec![li_wei(), wang_fang(), liu_yang()]),
        }
    }

    fn ctx(&self, today: NaiveDate) -> Context<'_> {
        let clock = Clock::new(chrono_tz::Asia::Shanghai, Some(today));
        Context {
            now: clock.at(today, NaiveTime::from_hms_opt(9, 30, 0).expect("time")),
            clocks: Clocks {
                calendar: &self.calendar,
                policy: &self.policy,
                today,
            },
            directory: &self.users,
        }
    }

    fn submit(&self, submission: Submission, day: &str) -> Result<(Case, Event), Refusal> {
        submit(submission, &system(), &self.ctx(d(day)))
    }
}

fn submission(kind: Kind, category: Category) -> Submission {
    Submission {
        case_no: "GZ2026-000901".to_string(),
        kind,
        category,
        legacy: false,
        applicant: Applicant {
            name: "SMITH JOHN".to_string(),
            name_native: None,
            passport_no: "E12345678".to_string(),
            nationality: "USA".to_string(),
            birth_date: None,
        },
        employer: Employer {
            name: "Guangzhou Example Trading Co., Ltd.".to_string(),
            uscc: "91440101MA5CQ7H2XC".to_string(),
        },
        position: None,
        documents: vec![Document {
            kind: "degree".to_string(),
            ok: true,
        }],
        exam_report: None,
        entry_date: None,
        permit: kind
            .concerns_existing_permit()
            .then(|| permitdesk::domain::PermitRef {
                permit_no: "440100202500000042".to_string(),
                expires_on: d("2027-06-30"),
                collected: true,
            }),
    }
}

fn passing(on: NaiveDate) -> Checklist {
    Checklist {
        presented_by: Presenter::Applicant,
        power_of_attorney: false,
        originals: true,
        sealed_copies: true,
        visa_kind: Some(VisaKind::WorkVisa),
        visa_valid_until: Some(on + Days::new(300)),
        exam_issued_on: Some(on - Days::new(3)),
        exam_domestic: true,
        exam_institution: None,
    }
}

struct Run<'w> {
    world: &'w World,
    today: NaiveDate,
    case: Case,
    events: Vec<Event>,
}

impl<'w> Run<'w> {
    fn submit(world: &'w World, submission: Submission, day: &str) -> Run<'w> {
        let (case, event) = world
            .submit(submission, day)
            .unwrap_or_else(|r| panic!("submit refused: {r}"));
        Run {
            world,
            today: d(day),
            case,
            events: vec![event],
        }
    }

    fn on(&mut self, day: &str) -> &mut Self {
        self.today = d(day);
        self
    }

    fn attempt(&self, actor: &Actor, action: Action) -> Result<(Case, Event), Refusal> {
        decide(&self.case, actor, action, &self.world.ctx(self.today))
    }

    #[track_caller]
    fn ok(&mut self, actor: &Actor, action: Action) -> &mut Self {
        let name = action.name();
        let (case, event) = self.attempt(actor, action).unwrap_or_else(|r| {
            panic!(
                "{name} by {} in {} refused: {r}",
                actor.name, self.case.stage
            )
        });
        self.case = case;
        self.events.push(event);
        self
    }

    fn hold(&mut self) -> &mut Self {
        if self.case.assignee() != Some("li.wei") {
            self.ok(&li_wei(), Action::Claim);
        }
        self
    }

    /// Accept in pre-audit or recommend approval in review.
    fn approve(&mut self) -> &mut Self {
        self.hold().ok(&li_wei(), Action::Approve { note: None })
    }

    fn sign(&mut self) -> &mut Self {
        self.ok(&wang_fang(), Action::Approve { note: None })
    }

    /// An overseas B case notified on Mon 2026-03-09 and entered Tue 03-10: in verification.
    fn in_verification(world: &'w World) -> Run<'w> {
        let mut r = Run::submit(
            world,
            submission(Kind::OverseasNew, Category::B),
            "2026-03-02",
        );
        r.on("2026-03-03").approve().approve();
        r.on("2026-03-09").sign();
        r.on("2026-03-10").ok(
            &liu_yang(),
            Action::RecordEntry {
                date: d("2026-03-10"),
            },
        );
        assert_eq!(r.case.stage, Stage::Verification);
        r
    }

    fn verify_with(&self, checklist: Checklist) -> Result<(Case, Event), Refusal> {
        self.attempt(&liu_yang(), Action::Verify { checklist })
    }
}

impl Drop for Run<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let rebuilt = replay(&self.events).expect("replay").expect("case");
        assert_eq!(rebuilt, self.case, "replay rebuilds the case");
    }
}

#[track_caller]
fn checklist_failures(result: Result<(Case, Event), Refusal>) -> Vec<String> {
    match result {
        Err(Refusal::ChecklistFailed { failures, .. }) => failures
            .iter()
            .map(|rule| format!("{}: {}", rule.field(), rule.message()))
            .collect(),
        Err(other) => panic!("refused otherwise: {other}"),
        Ok(_) => panic!("the checklist passed"),
    }
}

// ---------------------------------------------------------------------------------------------
// Seed fact 1: who presents at verification (Q3)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_verification_event_records_who_presented() {
    let w = World::new();
    for presenter in [Presenter::Applicant, Presenter::Handler, Presenter::Agent] {
        let mut r = Run::in_verification(&w);
        let mut checklist = passing(d("2026-03-20"));
        checklist.presented_by = presenter;
        checklist.power_of_attorney = presenter == Presenter::Agent;
        r.on("2026-03-20")
            .ok(&liu_yang(), Action::Verify { checklist });
        assert_eq!(r.case.stage, Stage::Completed);
        let recorded = match &r.events.last().expect("event").action {
            Action::Verify { checklist } => checklist.presented_by,
            other => panic!("not a verification: {other:?}"),
        };
        assert_eq!(recorded, presenter);
    }
    assert_eq!(Presenter::Handler.label_zh(), "单位经办人");
    assert_eq!(Presenter::Agent.label_zh(), "签署委托书的代办人");
}

#[test]
fn an_agent_without_a_power_of_attorney_is_refused() {
    let w = World::new();
    let mut r = Run::in_verification(&w);
    r.on("2026-03-20");
    let mut checklist = passing(d("2026-03-20"));
    checklist.presented_by = Presenter::Agent;
    let failures = checklist_failures(r.verify_with(checklist.clone()));
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with(
            "power_of_attorney: an agent may present the materials only with a power of attorney"
        ),
        "{failures:?}"
    );
    checklist.power_of_attorney = true;
    r.ok(&liu_yang(), Action::Verify { checklist });
    assert_eq!(r.case.stage, Stage::Completed);
}

// ---------------------------------------------------------------------------------------------
// Seed fact 2: a work visa or a work-type residence permit (Q3)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_visa_kind_is_needed_and_only_the_two_work_kinds_are_accepted() {
    let w = World::new();
    let mut r = Run::in_verification(&w);
    r.on("2026-03-20");
    let mut checklist = passing(d("2026-03-20"));
    checklist.visa_kind = None;
    let failures = checklist_failures(r.verify_with(checklist.clone()));
    assert_eq!(
        failures,
        [
            "visa_kind: on-site verification needs a valid work visa (Z) or a work-type residence \
          permit (FAQ Q3): work-visa or work-residence-permit"
        ]
    );
    for (text, kind) in [
        ("work-visa", VisaKind::WorkVisa),
        ("work_residence_permit", VisaKind::WorkResidencePermit),
        ("Work-Residence-Permit", VisaKind::WorkResidencePermit),
    ] {
        assert_eq!(VisaKind::parse_presented(text), Ok(kind), "{text}");
    }
    for other in [
        "tourist-visa",
        "business-visa",
        "study-residence-permit",
        "",
    ] {
        let message = VisaKind::parse_presented(other).expect_err(other);
        assert!(
            message.ends_with(
                "is not accepted: on-site verification needs a valid work visa (Z) or a \
                 work-type residence permit (FAQ Q3): work-visa or work-residence-permit"
            ),
            "{message}"
        );
    }
    checklist.visa_kind = Some(VisaKind::WorkResidencePermit);
    r.ok(&liu_yang(), Action::Verify { checklist });
}

#[test]
fn a_verification_recorded_before_the_new_fields_still_replays() {
    let w = World::new();
    let mut r = Run::in_verification(&w);
    r.on("2026-03-20").ok(
        &liu_yang(),
        Action::Verify {
            checklist: passing(d("2026-03-20")),
        },
    );
    // The event as an older version wrote it: no visa kind, no power of attorney.
    let mut old = serde_json::to_value(r.events.last().expect("event")).expect("json");
    let list = old["checklist"].as_object_mut().expect("checklist");
    list.remove("visa_kind");
    list.remove("power_of_attorney");
    let old: Event = serde_json::from_value(old).expect("an old event reads");
    let mut events = r.events.clone();
    events.pop();
    events.push(old);
    let rebuilt = replay(&events).expect("replay").expect("case");
    assert_eq!(rebuilt, r.case);
}

// ---------------------------------------------------------------------------------------------
// Seed fact 3: cases about an existing permit (Q2, Q10)
// ---------------------------------------------------------------------------------------------

fn permit(expires_on: &str, collected: bool) -> PermitRef {
    PermitRef {
        permit_no: "440100202400000777".to_string(),
        expires_on: d(expires_on),
        collected,
    }
}

#[test]
fn a_case_about_an_existing_permit_names_it_and_a_new_one_names_none() {
    let w = World::new();
    for kind in [
        Kind::Extension,
        Kind::Change,
        Kind::Cancellation,
        Kind::ECertificate,
    ] {
        let mut s = submission(kind, Category::B);
        s.permit = None;
        match w.submit(s, "2026-03-02") {
            Err(Refusal::Invalid { field, message, .. }) => {
                assert_eq!(field, "permit");
                assert!(
                    message.ends_with(
                        "case concerns a permit the applicant holds: give permit.permit_no and \
                         permit.expires_on"
                    ),
                    "{message}"
                );
            }
            other => panic!("{kind}: {other:?}"),
        }
    }
    let mut s = submission(Kind::DomesticNew, Category::B);
    s.permit = Some(permit("2027-01-31", true));
    let refusal = w
        .submit(s, "2026-03-02")
        .expect_err("a new permit names none");
    assert_eq!(
        refusal.to_string(),
        "GZ2026-000901: permit: a domestic_new case applies for a new permit and names no \
         existing one"
    );
    let mut s = submission(Kind::Extension, Category::B);
    s.permit = Some(permit("2027-01-31", true));
    s.permit.as_mut().expect("permit").permit_no = "4401-00".to_string();
    let refusal = w.submit(s, "2026-03-02").expect_err("a bad number");
    assert!(
        refusal
            .to_string()
            .contains("permit.permit_no: a permit number is 8-24 digits"),
        "{refusal}"
    );
}

#[test]
fn approving_a_case_about_an_existing_permit_keeps_its_number() {
    let w = World::new();
    let mut s = submission(Kind::Extension, Category::B);
    s.permit = Some(PermitRef {
        permit_no: " 440100202400000777 ".to_string(),
        ..permit("2026-04-30", true)
    });
    let mut r = Run::submit(&w, s, "2026-03-02");
    // The number is kept as the office writes it, and the case is found by it from the start.
    assert_eq!(r.case.permit_no.as_deref(), Some("440100202400000777"));
    r.on("2026-03-03").approve().approve().sign();
    assert_eq!(r.case.stage, Stage::Completed);
    assert_eq!(r.case.permit_no.as_deref(), Some("440100202400000777"));
    assert_eq!(r.events.last().and_then(|e| e.number.clone()), None);
    // A new permit still gets a number from the sequence.
    let mut r = Run::submit(&w, submission(Kind::DomesticNew, Category::B), "2026-03-02");
    r.on("2026-03-03").approve().approve().sign();
    assert!(r.events.last().and_then(|e| e.number.clone()).is_some());
}

#[test]
fn an_e_certificate_exchange_of_an_expired_permit_is_not_accepted() {
    let w = World::new();
    let mut s = submission(Kind::ECertificate, Category::B);
    s.permit = Some(permit("2026-02-28", true));
    // Submitted (the employer filed it), but acceptance is refused with the reason.
    let mut r = Run::submit(&w, s, "2026-03-02");
    let refusal = r
        .on("2026-03-03")
        .hold()
        .attempt(&li_wei(), Action::Approve { note: None })
        .expect_err("barred");
    assert_eq!(refusal.exit_code(), 3);
    assert_eq!(
        refusal.to_string(),
        "GZ2026-000901: permit 440100202400000777 expired on 2026-02-28, before the submission \
         on 2026-03-02; an e-certificate exchange is only for a physical permit that has not \
         expired or one approved but never collected (FAQ Q10): not-accept it with this reason"
    );
    assert!(permitdesk::domain::approval_bar(&r.case).is_some());
    r.ok(
        &li_wei(),
        Action::NotAccept {
            reason: "The permit expired on 2026-02-28 (FAQ Q10)".to_string(),
        },
    );
    assert_eq!(r.case.stage, Stage::NotAccepted);
    // Not expired on the day it was submitted, or approved but never collected: accepted.
    for p in [permit("2026-03-02", true), permit("2025-06-30", false)] {
        let mut s = submission(Kind::ECertificate, Category::B);
        s.permit = Some(p);
        let mut r = Run::submit(&w, s, "2026-03-02");
        r.on("2026-03-03").approve().approve().sign();
        assert_eq!(r.case.stage, Stage::Completed);
    }
}

#[test]
fn cancelling_a_notification_is_refused_by_name() {
    let why =
        permitdesk::domain::permit::abolished_kind("notification_cancellation").expect("named");
    assert!(
        why.starts_with(
            "cancelling a Work Permit Notification (工作许可通知注销) no longer exists since the \
             card integration (FAQ Q2)"
        ),
        "{why}"
    );
    assert_eq!(
        permitdesk::domain::permit::abolished_kind("cancellation"),
        None
    );
}

#[test]
fn an_older_extension_without_its_permit_replays_and_check_warns() {
    let w = World::new();
    let mut s = submission(Kind::Extension, Category::B);
    s.permit = Some(permit("2026-04-30", true));
    let mut r = Run::submit(&w, s, "2026-03-02");
    r.on("2026-03-03").approve().approve();
    // What an older version wrote: no permit in the submission, a number issued at signing.
    let mut old = r.events.clone();
    if let Action::Submit { submission } = &mut old[0].action {
        submission.permit = None;
    }
    let case = replay(&old).expect("replay").expect("case");
    let mut signed = decide(
        &case,
        &wang_fang(),
        Action::Approve { note: None },
        &w.ctx(d("2026-03-05")),
    )
    .expect("an older case still signs");
    assert!(signed.1.number.is_some(), "it is given a number as before");
    old.push(signed.1.clone());
    let rebuilt = replay(&old).expect("replay").expect("case");
    signed.0.version = rebuilt.version;
    assert_eq!(rebuilt, signed.0);
    let report = check_old_history(old, "2026-03-05");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let warnings = report.warnings.join("\n");
    assert!(
        warnings
            .contains("1 extension, change, cancellation or e-certificate case(s) name no permit"),
        "{warnings}"
    );
}

// ---------------------------------------------------------------------------------------------
// Seed fact 4: the changeover day is an office setting (Q8, Q9, Q10)
// ---------------------------------------------------------------------------------------------

#[test]
fn no_new_notification_or_e_certificate_is_submitted_before_the_changeover_day() {
    let w = World::new();
    for kind in [Kind::NewNotification, Kind::ECertificate] {
        let refusal = w
            .submit(submission(kind, Category::B), "2024-11-30")
            .expect_err("before the changeover");
        assert_eq!(refusal.exit_code(), 6);
        assert_eq!(
            refusal.to_string(),
            format!(
                "GZ2026-000901: kind: {kind} cases exist only from the card integration's \
                 changeover day 2024-12-01 (FAQ Q9, Q10); this submission is dated 2024-11-30"
            )
        );
        w.submit(submission(kind, Category::B), "2024-12-01")
            .expect("on the changeover day");
    }
    // Other kinds existed before the reform.
    w.submit(submission(Kind::Extension, Category::B), "2024-11-30")
        .expect("an extension");
}

#[test]
fn another_changeover_day_moves_both_rules() {
    let mut w = World::new();
    // An office that switched on Wed 2025-01-15.
    w.policy.changeover = d("2025-01-15");
    let refusal = w
        .submit(submission(Kind::NewNotification, Category::B), "2025-01-10")
        .expect_err("before this office's changeover");
    assert!(
        refusal.to_string().contains("changeover day 2025-01-15"),
        "{refusal}"
    );
    let mut s = submission(Kind::OverseasNew, Category::B);
    s.legacy = true;
    let mut r = Run::submit(&w, s, "2024-11-20");
    // Its pre-audit restarts on the office's day: Thu 16 (1) .. Wed 01-22 (5).
    let clocks = Clocks {
        calendar: &w.calendar,
        policy: &w.policy,
        today: d("2025-01-16"),
    };
    let pre = clocks.pre_audit(&r.case);
    assert_eq!(
        (pre.started, pre.due),
        (d("2025-01-15"), Some(d("2025-01-22")))
    );
    // Nobody accepts or returns it before then.
    r.on("2025-01-14");
    let refusal = r
        .hold()
        .attempt(&li_wei(), Action::Approve { note: None })
        .expect_err("before the restart");
    assert_eq!(refusal.exit_code(), 3);
    assert!(
        refusal.to_string().ends_with(
            "(a legacy case's pre-audit restarts on the changeover day 2025-01-15 (FAQ Q8))"
        ),
        "{refusal}"
    );
    r.on("2025-01-15").approve();
    assert_eq!(r.case.stage, Stage::Review);
}

#[test]
fn check_reports_cases_that_contradict_the_changeover_day() {
    let w = World::new();
    // An older version took a new_notification dated before the changeover.
    let r = Run::submit(
        &w,
        submission(Kind::NewNotification, Category::B),
        "2024-12-02",
    );
    let mut old = r.events.clone();
    old[0].at = old[0].at - chrono::Days::new(10);
    let report = check_old_history(old, "2024-12-20");
    let problems = report.problems.join("\n");
    assert!(
        problems.contains(
            "GZ2026-000901: a new_notification case submitted on 2024-11-22, before the \
             changeover day 2024-12-01; such cases exist only from that day (FAQ Q9, Q10)"
        ),
        "{problems}"
    );
    // And accepted a legacy case in November, before its pre-audit restarted.
    let mut s = submission(Kind::OverseasNew, Category::B);
    s.legacy = true;
    let mut r = Run::submit(&w, s, "2024-10-15");
    r.on("2024-12-02").approve();
    let mut old = r.events.clone();
    for e in old.iter_mut().skip(1) {
        e.at = e.at - chrono::Days::new(14);
    }
    let report = check_old_history(old, "2024-12-20");
    let problems = report.problems.join("\n");
    assert!(
        problems.contains(
            "GZ2026-000901: a legacy case whose pre-audit ended on 2024-11-18, before the \
             changeover day 2024-12-01 it restarts on (FAQ Q8)"
        ),
        "{problems}"
    );
    // The history the current rules wrote has nothing to report.
    let report = check_old_history(r.events.clone(), "2024-12-20");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

// ---------------------------------------------------------------------------------------------
// Seed fact 5: the unified social credit code's structure (GB 32100)
// ---------------------------------------------------------------------------------------------

#[test]
fn an_employer_code_must_have_the_structure_of_gb_32100() {
    let w = World::new();
    for (uscc, says) in [
        (
            "6Y5U59AY6HWML65YY0",
            "the second character, the entity type under registration authority 6, is 'Y'",
        ),
        (
            "B1440101MA5CQ7H2XC",
            "the first character, the registration authority, is 'B'",
        ),
    ] {
        let mut s = submission(Kind::DomesticNew, Category::B);
        s.employer.uscc = uscc.to_string();
        match w.submit(s, "2026-03-02") {
            Err(Refusal::Invalid { field, message, .. }) => {
                assert_eq!(field, "employer.uscc");
                assert!(message.contains(says), "{message}");
            }
            other => panic!("{uscc}: {other:?}"),
        }
    }
    // A division that is not six digits of a province.
    let first17 = "91990101MA5CQ7H2X";
    let check = permitdesk::domain::ids::uscc_check_char(first17).expect("check");
    let mut s = submission(Kind::DomesticNew, Category::B);
    s.employer.uscc = format!("{first17}{check}");
    let refusal = w.submit(s, "2026-03-02").expect_err("refused");
    assert!(
        refusal
            .to_string()
            .contains("characters 3-8 (\"990101\") must be the registering authority's six-digit administrative division code"),
        "{refusal}"
    );
    assert_eq!(refusal.exit_code(), 6);
}

#[test]
fn check_reports_an_employer_code_an_older_version_accepted() {
    let w = World::new();
    let r = Run::submit(&w, submission(Kind::DomesticNew, Category::B), "2026-03-02");
    let mut old = r.events.clone();
    if let Action::Submit { submission } = &mut old[0].action {
        submission.employer.uscc = "6Y5U59AY6HWML65YY0".to_string();
    }
    let report = check_old_history(old, "2026-03-03");
    let problems = report.problems.join("\n");
    assert!(
        problems.contains(
            "GZ2026-000901: employer.uscc: unified social credit code 6Y5U59AY6HWML65YY0: the \
             second character"
        ),
        "{problems}"
    );
    assert!(
        problems.contains("(accepted by an older version)"),
        "{problems}"
    );
}

// ---------------------------------------------------------------------------------------------
// Old histories in a store
// ---------------------------------------------------------------------------------------------

/// The people the histories here name, registered first, so `check`'s replay of authority
/// knows them.
fn register_people(store: &mut permitdesk::store::Store) {
    use permitdesk::domain::Role;
    let at = "2024-01-01T09:00:00+08:00";
    store
        .add_user(None, "admin", &[Role::Admin], at)
        .expect("admin");
    for (name, role) in [
        ("li.wei", Role::Approver),
        ("wang.fang", Role::Supervisor),
        ("liu.yang", Role::Clerk),
    ] {
        store
            .add_user(Some("admin"), name, &[role], at)
            .expect("a user");
    }
}

/// Writes `events` (one case's history, as an older version might have written it) into a new
/// store and runs `check` on `today`.
fn check_old_history(events: Vec<Event>, today: &str) -> permitdesk::store::CheckReport {
    let case = replay(&events).expect("replay").expect("case");
    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut store = permitdesk::store::Store::open(&dir.path().join("s.db"), Calendar::embedded())
        .expect("store");
    register_people(&mut store);
    let encoded = permitdesk::store::EncodedHistory::new(case, events).expect("encode");
    store
        .insert_histories(&[encoded], d(today))
        .expect("insert");
    store.check(d(today), None).expect("check")
}
