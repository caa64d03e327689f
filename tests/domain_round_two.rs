//! Issue 15, "domain round two": the defects an independent audit found, each pinned through the
//! public domain API (`submit` + `decide`), against the official 2026 calendar. Every history a
//! test drives is replayed when it goes out of scope and must rebuild the very same case.
//!
//! March 2026 has no holidays: Mon 03-02, 03-09, 03-16, 03-23 and 03-30 are Mondays.

use chrono::{Days, NaiveDate, NaiveTime};
use permitdesk::domain::case::{Applicant, Document, Employer};
use permitdesk::domain::{
    Action, Actor, Calendar, Case, Category, Checklist, Clock, Clocks, Context, DeadlineState,
    Event, Kind, Policy, Presenter, Refusal, Stage, Submission, TimerKind, VisaKind, decide,
    replay, submit,
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
            users: Users(vec![li_wei(), wang_fang(), sun_lei(), liu_yang()]),
        }
    }

    fn clocks(&self, today: &str) -> Clocks<'_> {
        Clocks {
            calendar: &self.calendar,
            policy: &self.policy,
            today: d(today),
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
}

fn submission(kind: Kind, category: Category) -> Submission {
    Submission {
        case_no: "GZ2026-000101".to_string(),
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
        presented_by: Presenter::Handler,
        power_of_attorney: false,
        originals: true,
        sealed_copies: true,
        visa_kind: Some(VisaKind::WorkResidencePermit),
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
        let today = d(day);
        let (case, event) = submit(submission, &system(), &world.ctx(today))
            .unwrap_or_else(|r| panic!("submit refused: {r}"));
        Run {
            world,
            today,
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

    fn return_to_employer(&mut self) -> &mut Self {
        self.hold().ok(
            &li_wei(),
            Action::Return {
                reason: "1. add the notarised degree".to_string(),
            },
        )
    }

    fn resubmit(&mut self) -> &mut Self {
        self.ok(&system(), Action::Resubmit)
    }

    fn verify(&mut self) -> &mut Self {
        let checklist = passing(self.today);
        self.ok(&liu_yang(), Action::Verify { checklist })
    }

    fn decision_state(&self, today: &str) -> (Option<NaiveDate>, DeadlineState) {
        let deadline = self
            .world
            .clocks(today)
            .decision(&self.case)
            .expect("timer");
        (deadline.due, deadline.state)
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

// ---------------------------------------------------------------------------------------------
// Defect 1: the decision timer is paused while returned, even when no working day is left
// ---------------------------------------------------------------------------------------------

#[test]
fn returned_on_its_due_day_the_decision_timer_is_paused_then_due_on_resubmission() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::A), "2026-02-27");
    // Category A: accepted Mon 03-02, due the 5th working day after: Mon 03-09.
    r.on("2026-03-02").approve();
    assert_eq!(r.decision_state("2026-03-02").0, Some(d("2026-03-09")));
    // Returned from review on the due day itself: every working day is used.
    r.on("2026-03-09").return_to_employer();
    for today in ["2026-03-09", "2026-03-10", "2026-03-16"] {
        let clocks = w.clocks(today);
        let governing = clocks.governing(&r.case).expect("governing");
        assert_eq!(governing.timer, TimerKind::Decision);
        assert_eq!(governing.state, DeadlineState::Paused, "on {today}");
        assert_eq!(governing.due, None);
        assert_eq!(governing.days_left, None);
    }
    // Resubmitted Wed 03-18 with no working day left: due that very day.
    r.on("2026-03-18").resubmit();
    assert_eq!(
        r.decision_state("2026-03-18"),
        (Some(d("2026-03-18")), DeadlineState::DueSoon)
    );
    assert_eq!(
        r.decision_state("2026-03-19"),
        (Some(d("2026-03-18")), DeadlineState::Overdue)
    );
}

#[test]
fn returned_after_its_due_day_the_run_is_paused_but_still_missed() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::DomesticNew, Category::A), "2026-02-27");
    r.on("2026-03-02").approve();
    // Due Mon 03-09; returned Wed 03-11, two days overdue: paused, not overdue.
    r.on("2026-03-11").return_to_employer();
    assert_eq!(
        r.decision_state("2026-03-20"),
        (None, DeadlineState::Paused)
    );
    // Resubmitted Mon 03-23: due that day. Recommended and signed the same day: the run still
    // counts as missed, because it had overrun before the return.
    r.on("2026-03-23").resubmit().approve().sign();
    assert_eq!(r.case.stage, Stage::Completed);
    assert_eq!(
        r.decision_state("2026-03-24"),
        (Some(d("2026-03-23")), DeadlineState::Missed)
    );
}

#[test]
fn returned_the_day_before_its_due_day_one_working_day_remains() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::A), "2026-02-27");
    r.on("2026-03-02").approve();
    // Returned Fri 03-06: used Tue 03, Wed 04, Thu 05, Fri 06 (4); 1 remains.
    r.on("2026-03-06").return_to_employer();
    // Resubmitted Tue 03-10; the remaining day is Wed 03-11.
    r.on("2026-03-10").resubmit();
    assert_eq!(
        r.decision_state("2026-03-10"),
        (Some(d("2026-03-11")), DeadlineState::DueSoon)
    );
    r.approve().sign();
    assert_eq!(
        r.decision_state("2026-03-12"),
        (Some(d("2026-03-11")), DeadlineState::Met)
    );
}

// ---------------------------------------------------------------------------------------------
// Defect 2: permit and decision-document numbers come from the store's sequences
// ---------------------------------------------------------------------------------------------

fn numbered(w: &World, case_no: &str) -> Case {
    let mut s = submission(Kind::DomesticNew, Category::A);
    s.case_no = case_no.to_string();
    let mut r = Run::submit(w, s, "2026-03-02");
    r.on("2026-03-03").approve().approve().sign();
    assert_eq!(r.case.stage, Stage::Completed);
    let issued = r.events.last().and_then(|e| e.number.clone());
    assert_eq!(
        issued, r.case.permit_no,
        "the signing event carries the number"
    );
    r.case.clone()
}

#[test]
fn permit_numbers_come_from_the_sequence_not_the_case_number() {
    let w = World::new();
    // The old rule gave all three 440100202600000001 or ...00000000.
    let numbers: Vec<String> = ["UP2026-000001", "GZ2026-000001", "NO-DIGITS", "ALSO-NONE"]
        .iter()
        .map(|n| numbered(&w, n).permit_no.expect("permit number"))
        .collect();
    let distinct: std::collections::BTreeSet<_> = numbers.iter().collect();
    assert_eq!(distinct.len(), numbers.len(), "{numbers:?}");
    for n in &numbers {
        assert_eq!(
            permitdesk::domain::Series::Permit.parse(n).map(|(y, _)| y),
            Some(2026)
        );
    }
}

#[test]
fn a_history_without_numbers_replays_to_the_numbers_it_was_given() {
    let w = World::new();
    let mut s = submission(Kind::DomesticNew, Category::A);
    s.case_no = "GZ2026-000777".to_string();
    let mut r = Run::submit(&w, s, "2026-03-02");
    r.on("2026-03-03").approve().approve().sign();
    // An event written before the sequences existed carries no number: replay derives the old
    // one, so old stores still replay (and `check` warns about them).
    let mut old = r.events.clone();
    if let Some(last) = old.last_mut() {
        last.number = None;
    }
    let rebuilt = replay(&old).expect("replay").expect("case");
    assert_eq!(rebuilt.permit_no.as_deref(), Some("440100202626000777"));
}

// ---------------------------------------------------------------------------------------------
// Defect 3: an applicant already in China goes straight to verification at signing
// ---------------------------------------------------------------------------------------------

fn in_china(kind: Kind, category: Category, legacy: bool) -> Submission {
    let mut s = submission(kind, category);
    s.legacy = legacy;
    s.entry_date = Some(d("2026-01-20"));
    s
}

#[test]
fn signing_a_case_whose_entry_is_on_file_starts_the_verification_window() {
    let w = World::new();
    for (kind, legacy) in [(Kind::NewNotification, false), (Kind::OverseasNew, true)] {
        let mut r = Run::submit(&w, in_china(kind, Category::B, legacy), "2026-02-27");
        r.on("2026-03-02").approve().approve();
        // Signed Thu 03-05: the Notification is later than the entry (01-20), so the window
        // runs from 03-05 and closes 30 calendar days later, Sat 04-04.
        r.on("2026-03-05").sign();
        assert_eq!(r.case.stage, Stage::Verification, "{kind}");
        assert_eq!(r.case.notified_on, Some(d("2026-03-05")));
        assert!(r.case.permit_no.is_some());
        let window = w.clocks("2026-04-04").governing(&r.case).expect("window");
        assert_eq!(window.timer, TimerKind::Verification);
        assert_eq!(window.started, d("2026-03-05"));
        assert_eq!(window.due, Some(d("2026-04-04")));
        assert_eq!(window.state, DeadlineState::DueSoon);
        let late = w.clocks("2026-04-05").governing(&r.case).expect("window");
        assert_eq!(late.state, DeadlineState::Overdue);
        // No second entry is recorded: the clerk verifies directly.
        let again = r.attempt(
            &liu_yang(),
            Action::RecordEntry {
                date: d("2026-01-20"),
            },
        );
        assert!(
            matches!(again, Err(Refusal::WrongStage { .. })),
            "{again:?}"
        );
        r.on("2026-03-20").verify();
        assert_eq!(r.case.stage, Stage::Completed);
    }
}

#[test]
fn category_a_already_in_china_is_completed_at_signing() {
    let w = World::new();
    let mut r = Run::submit(
        &w,
        in_china(Kind::NewNotification, Category::A, false),
        "2026-02-27",
    );
    r.on("2026-03-02").approve().approve().sign();
    assert_eq!(r.case.stage, Stage::Completed);
    assert_eq!(r.case.notified_on, Some(d("2026-03-02")));
    assert_eq!(r.case.closed_on, Some(d("2026-03-02")));
}

#[test]
fn an_old_history_signed_into_notified_still_replays_and_check_reports_it() {
    let w = World::new();
    let mut r = Run::submit(
        &w,
        in_china(Kind::NewNotification, Category::C, false),
        "2026-02-27",
    );
    r.on("2026-03-02").approve().approve().sign();
    // What an older version wrote: the signing event went to `notified`, with no number.
    let mut old = r.events.clone();
    if let Some(sign) = old.last_mut() {
        sign.to = Stage::Notified;
        sign.number = None;
    }
    let case = replay(&old).expect("replay").expect("case");
    assert_eq!(case.stage, Stage::Notified);

    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut store = permitdesk::store::Store::open(&dir.path().join("s.db"), Calendar::embedded())
        .expect("store");
    register_people(&mut store);
    let encoded = permitdesk::store::EncodedHistory::new(case, old).expect("encode");
    store
        .insert_histories(&[encoded], d("2026-03-10"))
        .expect("insert");
    let report = store.check(d("2026-03-10"), None).expect("check");
    let problems = report.problems.join("\n");
    assert!(
        problems.contains("GZ2026-000101: awaits entry although its entry (2026-01-20) is on file"),
        "{problems}"
    );
    let warnings = report.warnings.join("\n");
    assert!(
        warnings.contains("made from their case numbers") && warnings.contains("GZ2026-000101"),
        "{warnings}"
    );
}

/// Issue 16, item 4: case numbers an older version kept as typed are named, with what the
/// current rule makes of them.
#[test]
fn check_names_case_numbers_an_older_version_kept_unfolded() {
    let w = World::new();
    for (old_no, problem) in [
        (
            "gz2026-000101",
            "case_no: \"gz2026-000101\" is folded to \"GZ2026-000101\" now, so commands that name \
             it look for \"GZ2026-000101\"",
        ),
        (
            "GZ2026\u{200D}-000101",
            "case_no: contains an invisible character U+200D at position 7",
        ),
    ] {
        let r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-03-02");
        let old: Vec<Event> = r
            .events
            .iter()
            .cloned()
            .map(|mut e| {
                e.case_no = old_no.into();
                if let Action::Submit { submission } = &mut e.action {
                    submission.case_no = old_no.into();
                }
                e
            })
            .collect();
        let report = check_old_history(old, "2026-03-03");
        let expected = format!("{old_no}: {problem} (accepted by an older version)");
        assert!(
            report.problems.contains(&expected),
            "{expected}\n{:?}",
            report.problems
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Defect 4: late verification is a decision a supervisor takes
// ---------------------------------------------------------------------------------------------

/// A category B overseas case signed Mon 03-02 and entered Tue 03-10: the window closes
/// Thu 04-09 (30 calendar days after the entry).
fn in_window(w: &World) -> Run<'_> {
    let mut r = Run::submit(w, submission(Kind::OverseasNew, Category::B), "2026-02-20");
    r.on("2026-02-24").approve().approve();
    r.on("2026-03-02").sign();
    r.on("2026-03-10").ok(
        &liu_yang(),
        Action::RecordEntry {
            date: d("2026-03-10"),
        },
    );
    assert_eq!(r.case.stage, Stage::Verification);
    r
}

fn allow(reason: &str) -> Action {
    Action::AllowLate {
        reason: reason.to_string(),
    }
}

#[test]
fn verifying_after_the_window_is_refused_until_a_supervisor_allows_it() {
    let w = World::new();
    let mut r = in_window(&w);
    // Day 30 (04-09) is still inside the window: nothing to allow.
    r.on("2026-04-09");
    let early = r
        .attempt(&wang_fang(), allow("flight delayed"))
        .unwrap_err();
    assert!(matches!(early, Refusal::NotOverdue { .. }), "{early}");
    // Day 31: verify is refused, exit 3, naming the last day of the window.
    r.on("2026-04-10");
    let checklist = passing(d("2026-04-10"));
    let refusal = r
        .attempt(&liu_yang(), Action::Verify { checklist })
        .unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "GZ2026-000101: the verification window ended on 2026-04-09; a supervisor may lapse the case \
         or allow a late verification"
    );
    assert_eq!(refusal.exit_code(), 3);
    // Only a supervisor, and only with a reason.
    let clerk = r.attempt(&liu_yang(), allow("flight delayed")).unwrap_err();
    assert!(matches!(clerk, Refusal::WrongRole { .. }), "{clerk}");
    let blank = r.attempt(&wang_fang(), allow("  ")).unwrap_err();
    assert!(matches!(blank, Refusal::MissingReason { .. }), "{blank}");
    r.ok(
        &wang_fang(),
        allow("flight delayed; the employer explained"),
    );
    assert_eq!(r.case.stage, Stage::Verification);
    let allowed = r.case.late_allowed.clone().expect("allowance");
    assert_eq!(
        (allowed.by.as_str(), allowed.on),
        ("wang.fang", d("2026-04-10"))
    );
    let twice = r.attempt(&sun_lei(), allow("again")).unwrap_err();
    assert!(matches!(twice, Refusal::WrongStage { .. }), "{twice}");
    // The next verify proceeds and is marked late in its event and on the case.
    r.on("2026-04-13").verify();
    assert_eq!(r.case.stage, Stage::Completed);
    assert!(r.case.verified_late);
    assert!(r.events.last().expect("event").late);
    assert!(r.case.decision_doc_no.is_some());
}

#[test]
fn a_verification_inside_the_window_is_not_late() {
    let w = World::new();
    let mut r = in_window(&w);
    r.on("2026-04-09").verify();
    assert!(!r.case.verified_late);
    assert!(!r.events.last().expect("event").late);
}

#[test]
fn reopening_a_lapsed_case_allows_the_late_verification() {
    let w = World::new();
    let mut r = in_window(&w);
    r.on("2026-04-15").ok(
        &wang_fang(),
        Action::Lapse {
            reason: "not verified".to_string(),
        },
    );
    r.on("2026-04-20").ok(
        &wang_fang(),
        Action::Reopen {
            reason: "the applicant was in hospital".to_string(),
        },
    );
    r.verify();
    assert!(r.case.verified_late);
}

/// The people the histories here name, registered first, so `check`'s replay of authority
/// knows them.
fn register_people(store: &mut permitdesk::store::Store) {
    use permitdesk::domain::Role;
    let at = "2025-01-01T09:00:00+08:00";
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

#[test]
fn check_warns_about_late_verifications_nobody_allowed() {
    let w = World::new();
    let mut r = in_window(&w);
    r.on("2026-04-10")
        .ok(&wang_fang(), allow("flight delayed"))
        .verify();
    // An older version let the clerk verify on day 31 without anyone allowing it.
    let old: Vec<Event> = r
        .events
        .iter()
        .filter(|e| !matches!(e.action, Action::AllowLate { .. }))
        .cloned()
        .map(|mut e| {
            e.late = false;
            e
        })
        .collect();
    let report = check_old_history(old, "2026-04-20");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let warnings = report.warnings.join("\n");
    assert!(
        warnings.contains("1 case(s) were verified after their window closed without a supervisor"),
        "{warnings}"
    );
    // The store the current rules wrote has nothing to warn about.
    let report = check_old_history(r.events.clone(), "2026-04-20");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

// ---------------------------------------------------------------------------------------------
// Defect 5: a return ends the pre-audit run
// ---------------------------------------------------------------------------------------------

#[test]
fn a_return_before_the_due_day_ends_the_pre_audit_run_met_even_if_later_withdrawn() {
    let w = World::new();
    // Submitted Mon 03-02: due Mon 03-09. Returned Wed 03-04, withdrawn while returned 03-20.
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-03-02");
    r.on("2026-03-04").return_to_employer();
    let pre = w.clocks("2026-03-25").pre_audit(&r.case);
    assert_eq!(
        (pre.due, pre.state, pre.ended),
        (
            Some(d("2026-03-09")),
            DeadlineState::Met,
            Some(d("2026-03-04"))
        )
    );
    r.on("2026-03-20").ok(
        &system(),
        Action::Withdraw {
            reason: "the employer withdrew".to_string(),
        },
    );
    assert_eq!(r.case.stage, Stage::Withdrawn);
    let pre = w.clocks("2026-03-25").pre_audit(&r.case);
    assert_eq!(pre.state, DeadlineState::Met, "{pre:?}");
    assert_eq!(pre.ended, Some(d("2026-03-04")));
}

#[test]
fn a_return_after_the_due_day_is_missed_and_resubmission_starts_a_new_run() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-03-02");
    // Returned Tue 03-10, a day after the due day: missed.
    r.on("2026-03-10").return_to_employer();
    let pre = w.clocks("2026-03-12").pre_audit(&r.case);
    assert_eq!(pre.state, DeadlineState::Missed);
    // Resubmitted Thu 03-12: a new run, due Thu 03-19 (Fri 13, Mon 16, Tue 17, Wed 18, Thu 19).
    r.on("2026-03-12").resubmit();
    let pre = w.clocks("2026-03-12").pre_audit(&r.case);
    assert_eq!(
        (pre.started, pre.due, pre.state),
        (
            d("2026-03-12"),
            Some(d("2026-03-19")),
            DeadlineState::OnTrack
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Defect 6: only overseas_new cases may be legacy
// ---------------------------------------------------------------------------------------------

#[test]
fn the_legacy_flag_is_refused_on_any_kind_but_overseas_new() {
    let w = World::new();
    for kind in Kind::ALL.iter().copied() {
        let mut s = submission(kind, Category::B);
        s.legacy = true;
        let result = submit(s, &system(), &w.ctx(d("2026-03-02")));
        if kind == Kind::OverseasNew {
            assert!(result.is_ok(), "{kind}: {result:?}");
            continue;
        }
        let refusal = result.expect_err("refused");
        assert_eq!(refusal.exit_code(), 6);
        assert!(
            matches!(
                &refusal,
                Refusal::Invalid {
                    field: "legacy",
                    ..
                }
            ),
            "{refusal:?}"
        );
        assert!(
            refusal
                .to_string()
                .starts_with("GZ2026-000101: legacy: only overseas_new cases may be legacy"),
            "{refusal}"
        );
    }
}

#[test]
fn check_reports_a_legacy_flag_on_another_kind() {
    let w = World::new();
    let r = Run::submit(&w, submission(Kind::DomesticNew, Category::B), "2026-03-02");
    let mut old = r.events.clone();
    if let Action::Submit { submission } = &mut old[0].action {
        submission.legacy = true;
    }
    let report = check_old_history(old, "2026-03-03");
    let problems = report.problems.join("\n");
    assert!(
        problems.contains("GZ2026-000101: legacy is set on a domestic_new case"),
        "{problems}"
    );
}

// ---------------------------------------------------------------------------------------------
// Defect 7: identity fields
// ---------------------------------------------------------------------------------------------

fn submitted_with(w: &World, edit: impl FnOnce(&mut Submission)) -> Result<Case, Refusal> {
    let mut s = submission(Kind::OverseasNew, Category::B);
    edit(&mut s);
    submit(s, &system(), &w.ctx(d("2026-03-02"))).map(|(case, _)| case)
}

#[track_caller]
fn refused_on(result: Result<Case, Refusal>, field: &str, says: &str) {
    let refusal = result.expect_err("refused");
    assert_eq!(refusal.exit_code(), 6, "{refusal}");
    assert!(
        matches!(&refusal, Refusal::Invalid { field: f, .. } if *f == field),
        "{refusal:?}"
    );
    assert!(refusal.to_string().contains(says), "{refusal}");
}

#[test]
fn applicant_names_are_the_passports_latin_spelling() {
    let w = World::new();
    for ok in [
        "O'BRIEN, Mary-Jane",
        "González Rodríguez Daniel",
        "NGUYỄN VĂN AN",
    ] {
        let case = submitted_with(&w, |s| s.applicant.name = ok.to_string());
        assert!(case.is_ok(), "{ok}: {case:?}");
    }
    for cjk in ["李伟", "LI 伟", "やまだ たろう", "김민준"] {
        refused_on(
            submitted_with(&w, |s| s.applicant.name = cjk.to_string()),
            "applicant.name",
            "put this name in name_native",
        );
    }
    refused_on(
        submitted_with(&w, |s| s.applicant.name = "Никитин Андрей".to_string()),
        "applicant.name",
        "is not a Latin letter",
    );
    refused_on(
        submitted_with(&w, |s| s.applicant.name = "SMITH J0HN".to_string()),
        "applicant.name",
        "'0' at position 8 is not a Latin letter",
    );
}

#[test]
fn chinese_hong_kong_macao_and_taiwan_nationalities_are_refused() {
    let w = World::new();
    refused_on(
        submitted_with(&w, |s| s.applicant.nationality = "CHN".to_string()),
        "applicant.nationality",
        "CHN: a citizen of China needs no foreigner's work permit",
    );
    for code in ["HKG", "MAC", "TWN"] {
        refused_on(
            submitted_with(&w, |s| s.applicant.nationality = code.to_string()),
            "applicant.nationality",
            "residents of Hong Kong, Macao and Taiwan need no work permit to work in the mainland since 2018",
        );
    }
}

#[test]
fn a_lowercase_passport_number_is_kept_in_upper_case() {
    let w = World::new();
    let case = submitted_with(&w, |s| s.applicant.passport_no = "e12345678".to_string())
        .expect("accepted");
    assert_eq!(case.applicant.passport_no, "E12345678");
}

#[test]
fn check_reports_identity_fields_an_older_version_accepted() {
    let w = World::new();
    let r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-03-02");
    let mut old = r.events.clone();
    if let Action::Submit { submission } = &mut old[0].action {
        submission.applicant.name = "李伟".to_string();
    }
    let report = check_old_history(old, "2026-03-03");
    let problems = report.problems.join("\n");
    assert!(
        problems.contains("GZ2026-000101: applicant.name: \"李伟\" is in Chinese"),
        "{problems}"
    );
}

// ---------------------------------------------------------------------------------------------
// Defect 10: the e-card is registered after entry
// ---------------------------------------------------------------------------------------------

#[test]
fn an_e_card_registration_before_the_entry_is_refused() {
    let w = World::new();
    let mut r = in_window(&w);
    // Entered 03-10 (in_window). Registered the day before: refused, naming the field.
    let early = r
        .attempt(
            &system(),
            Action::ECardRegistered {
                date: d("2026-03-09"),
            },
        )
        .unwrap_err();
    assert_eq!(early.exit_code(), 6);
    assert_eq!(
        early.to_string(),
        "GZ2026-000101: date: e-card registration 2026-03-09 is before the entry of 2026-03-10; \
         the applicant registers after entering China"
    );
    r.on("2026-03-12").ok(
        &system(),
        Action::ECardRegistered {
            date: d("2026-03-10"),
        },
    );
    assert_eq!(r.case.e_card_registered_on, Some(d("2026-03-10")));
}

#[test]
fn an_entry_after_the_e_card_registration_is_refused() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::A), "2026-02-20");
    r.on("2026-02-24").approve().approve();
    r.on("2026-03-02").sign();
    // Category A: registered 03-05 while awaiting entry; an entry on 03-06 cannot be right.
    r.on("2026-03-06").ok(
        &system(),
        Action::ECardRegistered {
            date: d("2026-03-05"),
        },
    );
    let late = r
        .attempt(
            &liu_yang(),
            Action::RecordEntry {
                date: d("2026-03-06"),
            },
        )
        .unwrap_err();
    assert_eq!(late.exit_code(), 6);
    assert!(
        late.to_string()
            .contains("after the e-card registration of 2026-03-05")
    );
    r.ok(
        &liu_yang(),
        Action::RecordEntry {
            date: d("2026-03-04"),
        },
    );
    assert_eq!(r.case.stage, Stage::Completed);
}

#[test]
fn check_reports_an_e_card_registered_before_the_entry() {
    let w = World::new();
    let mut r = in_window(&w);
    r.on("2026-03-12").ok(
        &system(),
        Action::ECardRegistered {
            date: d("2026-03-11"),
        },
    );
    let mut old = r.events.clone();
    if let Some(Action::ECardRegistered { date }) = old.last_mut().map(|e| &mut e.action) {
        *date = d("2026-03-01");
    }
    let report = check_old_history(old, "2026-03-20");
    let problems = report.problems.join("\n");
    assert!(
        problems.contains(
            "GZ2026-000101: the e-card was registered on 2026-03-01, before the entry of 2026-03-10"
        ),
        "{problems}"
    );
}

// ---------------------------------------------------------------------------------------------
// Defect 9: the changeover day (an office setting, default 2024-12-01)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_legacy_cases_pre_audit_runs_from_the_changeover_day() {
    let w = World::new();
    let mut s = submission(Kind::OverseasNew, Category::B);
    s.legacy = true;
    let mut r = Run::submit(&w, s, "2024-10-15");
    // Restarted on Sun 2024-12-01: Mon 02 (1), Tue 03 (2), Wed 04 (3), Thu 05 (4), Fri 06 (5).
    let pre = w.clocks("2024-12-02").pre_audit(&r.case);
    assert_eq!(
        (pre.started, pre.due, pre.state),
        (
            d("2024-12-01"),
            Some(d("2024-12-06")),
            DeadlineState::OnTrack
        )
    );
    r.on("2024-12-04").return_to_employer();
    let pre = w.clocks("2024-12-10").pre_audit(&r.case);
    assert_eq!(pre.state, DeadlineState::Met);
    // Not legacy: the clock runs from the submission as always.
    let plain = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2024-10-15");
    let pre = w.clocks("2024-10-16").pre_audit(&plain.case);
    assert_eq!(pre.started, d("2024-10-15"));
}

#[test]
fn a_store_written_under_the_old_rules_recomputes_its_stored_deadlines_when_opened() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::A), "2026-02-27");
    r.on("2026-03-02").approve();
    r.on("2026-03-09").return_to_employer();
    let case = r.case.clone();
    let dir = tempfile::TempDir::new().expect("temp dir");
    let path = dir.path().join("s.db");
    let mut store = permitdesk::store::Store::open(&path, Calendar::embedded()).expect("store");
    register_people(&mut store);
    let encoded = permitdesk::store::EncodedHistory::new(case, r.events.clone()).expect("encode");
    store
        .insert_histories(&[encoded], d("2026-03-16"))
        .expect("insert");
    drop(store);
    // What an older version stored: the returned case still due (and overdue) on 03-09, under
    // the rules fingerprint it wrote.
    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.execute(
        "UPDATE cases SET timer = 'decision', due = '2026-03-09', due_key = '2026-03-09'",
        [],
    )
    .expect("stale due");
    conn.execute(
        "UPDATE meta SET value = 'an older version' WHERE key = 'rules_fingerprint'",
        [],
    )
    .expect("old fingerprint");
    drop(conn);
    let store = permitdesk::store::Store::open(&path, Calendar::embedded()).expect("reopen");
    let report = store.check(d("2026-03-16"), None).expect("check");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}
