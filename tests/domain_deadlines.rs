//! Deadlines of DOMAIN.md on cases driven through the domain, against the official 2026 calendar
//! (assets/cn-holidays.toml). Every expected date is counted by hand in a comment.
//!
//! The 2026 days that matter here (State Council notice for 2026):
//!
//! ```text
//!      February 2026            March 2026             September 2026          October 2026
//! Mo Tu We Th Fr Sa Su   Mo Tu We Th Fr Sa Su   Mo Tu We Th Fr Sa Su   Mo Tu We Th Fr Sa Su
//!                    1                      1       1  2  3  4  5  6             1  2  3  4
//!  2  3  4  5  6  7  8    2  3  4  5  6  7  8    7  8  9 10 11 12 13    5  6  7  8  9 10 11
//!  9 10 11 12 13 14  15   9 10 11 12 13 14 15   14 15 16 17 18 19 20   12 13 14 15 16 17 18
//! 16 17 18 19 20 21 22   16 17 18 19 20 21 22   21 22 23 24 25 26 27   19 20 21 22 23 24 25
//! 23 24 25 26 27 28      23 24 25 26 27 28 29   28 29 30                26 27 28 29 30 31
//!                        30 31
//! ```
//! Spring Festival: off Sun 02-15 .. Mon 02-23; make-up workdays Sat 02-14 and Sat 02-28.
//! Mid-Autumn: off Fri 09-25 .. Sun 09-27. National Day: off Thu 10-01 .. Wed 10-07; make-up
//! workdays Sun 09-20 and Sat 10-10. March 2026 has no holidays. 2027 is not in the calendar:
//! 2027-01-01 is a Friday and is counted as a working day (Monday-Friday), provisionally.

use chrono::{Days, NaiveDate, NaiveTime};
use permitdesk::domain::case::{Applicant, Document, Employer, ExamReport};
use permitdesk::domain::{
    Action, Actor, Calendar, Case, Category, Checklist, Clock, Clocks, Context, Deadline,
    DeadlineState, Event, Kind, Policy, Presenter, Refusal, Stage, Submission, TimerKind, VisaKind,
    decide, replay, submit,
};

mod domain_support;

use domain_support::*;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

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
        case_no: "WP2026020001".to_string(),
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

fn reason(s: &str) -> String {
    s.to_string()
}

/// One case driven through `submit` and `decide`; replaying its events must rebuild it.
#[derive(Clone)]
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

    /// Claims the case for `actor` unless they already hold it (whether a resubmitted case
    /// comes back to its holder is tested in domain_transitions.rs).
    fn hold(&mut self, actor: &Actor) -> &mut Self {
        if self.case.assignee() != Some(actor.name.as_str()) {
            self.ok(actor, Action::Claim);
        }
        self
    }

    /// Claim and accept (pre_audit -> review) today.
    fn accept(&mut self) -> &mut Self {
        self.hold(&li_wei())
            .ok(&li_wei(), Action::Approve { note: None })
    }

    /// Claim and recommend approval (review -> decision) today.
    fn recommend(&mut self) -> &mut Self {
        self.hold(&li_wei())
            .ok(&li_wei(), Action::Approve { note: None })
    }

    fn sign(&mut self) -> &mut Self {
        self.ok(&wang_fang(), Action::Approve { note: None })
    }

    fn return_to_employer(&mut self) -> &mut Self {
        self.hold(&li_wei()).ok(
            &li_wei(),
            Action::Return {
                reason: reason("add the notarised degree"),
            },
        )
    }

    fn resubmit(&mut self) -> &mut Self {
        self.ok(&system(), Action::Resubmit)
    }

    fn record_entry(&mut self, date: &str) -> &mut Self {
        self.ok(&liu_yang(), Action::RecordEntry { date: d(date) })
    }

    fn verify(&mut self) -> &mut Self {
        let checklist = passing(self.today);
        self.ok(&liu_yang(), Action::Verify { checklist })
    }

    fn extend(&mut self, days: u32) -> &mut Self {
        self.ok(
            &wang_fang(),
            Action::Extend {
                days,
                reason: reason("expert opinion requested"),
            },
        )
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

/// What a deadline should look like; `None` fields are not checked.
#[track_caller]
fn check(
    deadline: &Deadline,
    timer: TimerKind,
    started: &str,
    due: Option<&str>,
    state: DeadlineState,
    days_left: Option<i64>,
) {
    assert_eq!(deadline.timer, timer, "{deadline:?}");
    assert_eq!(deadline.started, d(started), "started: {deadline:?}");
    assert_eq!(deadline.due, due.map(d), "due: {deadline:?}");
    assert_eq!(deadline.state, state, "state: {deadline:?}");
    assert_eq!(deadline.days_left, days_left, "days_left: {deadline:?}");
}

// ---------------------------------------------------------------------------------------------
// Pre-audit: 5th working day after the (re)submission day
// ---------------------------------------------------------------------------------------------

#[test]
fn pre_audit_counts_the_spring_festival_make_up_saturday() {
    let w = World::new();
    // Submitted Thu 02-12. Working days after: Fri 02-13 (1), Sat 02-14 make-up (2),
    // [02-15 .. 02-23 Spring Festival], Tue 02-24 (3), Wed 02-25 (4), Thu 02-26 (5).
    let r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-02-12");
    let today = w.clocks("2026-02-12");
    let pre = today.pre_audit(&r.case);
    // days_left = 02-26 - 02-12 = 14 calendar days; 5 working days left: on track.
    check(
        &pre,
        TimerKind::PreAudit,
        "2026-02-12",
        Some("2026-02-26"),
        DeadlineState::OnTrack,
        Some(14),
    );
    assert!(!pre.provisional);
    assert_eq!(pre.ended, None);
    assert_eq!(today.governing(&r.case), Some(pre));
    assert_eq!(today.decision(&r.case), None);
    assert_eq!(today.verification(&r.case), None);
}

#[test]
fn pre_audit_due_can_be_a_make_up_saturday() {
    let w = World::new();
    // Submitted Mon 02-09: Tue 02-10 (1), Wed 02-11 (2), Thu 02-12 (3), Fri 02-13 (4),
    // Sat 02-14 make-up (5).
    let r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-02-09");
    let pre = w.clocks("2026-02-09").pre_audit(&r.case);
    check(
        &pre,
        TimerKind::PreAudit,
        "2026-02-09",
        Some("2026-02-14"),
        DeadlineState::OnTrack,
        Some(5),
    );
}

#[test]
fn pre_audit_in_ordinary_weeks_and_around_national_day() {
    let w = World::new();
    let cases = [
        // Mon 03-02: Tue 03 (1), Wed 04 (2), Thu 05 (3), Fri 06 (4), Mon 09 (5).
        ("2026-03-02", "2026-03-09"),
        // Fri 09-18: Sun 09-20 make-up (1), Mon 21 (2), Tue 22 (3), Wed 23 (4), Thu 24 (5).
        ("2026-09-18", "2026-09-24"),
        // Wed 09-23: Thu 24 (1), [Fri 25 .. Sun 27 Mid-Autumn], Mon 28 (2), Tue 29 (3),
        // Wed 30 (4), [10-01 .. 10-07 National Day], Thu 10-08 (5).
        ("2026-09-23", "2026-10-08"),
        // Tue 09-29: Wed 30 (1), Thu 10-08 (2), Fri 10-09 (3), Sat 10-10 make-up (4), Mon 12 (5).
        ("2026-09-29", "2026-10-12"),
        // Sat 02-14 (a make-up workday; day 0 is not counted anyway): Tue 02-24 (1), Wed 25 (2),
        // Thu 26 (3), Fri 27 (4), Sat 28 make-up (5).
        ("2026-02-14", "2026-02-28"),
    ];
    for (submitted, due) in cases {
        let r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), submitted);
        let pre = w.clocks(submitted).pre_audit(&r.case);
        assert_eq!(pre.due, Some(d(due)), "submitted {submitted}");
        assert!(!pre.provisional);
    }
}

#[test]
fn pre_audit_pauses_while_returned_and_restarts_at_resubmission() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-03-02");
    r.on("2026-03-04").return_to_employer();
    // Returned on Wed 03-04: the return ends the pre-audit run, met (due Mon 03-09: Tue 03 (1),
    // Wed 04 (2), Thu 05 (3), Fri 06 (4), Mon 09 (5)); nothing runs while the employer corrects,
    // so the governing timer is paused with no due day (issue 15, defect 5).
    let today = w.clocks("2026-03-06");
    let pre = today.pre_audit(&r.case);
    check(
        &pre,
        TimerKind::PreAudit,
        "2026-03-02",
        Some("2026-03-09"),
        DeadlineState::Met,
        None,
    );
    assert_eq!(pre.ended, Some(d("2026-03-04")));
    let governing = today.governing(&r.case).expect("governing deadline");
    assert_eq!(governing.timer, TimerKind::PreAudit);
    assert_eq!(governing.state, DeadlineState::Paused);
    assert_eq!(governing.due, None);
    assert!(!governing.state.is_running());

    // Resubmitted Tue 03-10: restarts. Wed 11 (1), Thu 12 (2), Fri 13 (3), Mon 16 (4), Tue 17 (5).
    r.on("2026-03-10").resubmit();
    let pre = w.clocks("2026-03-10").pre_audit(&r.case);
    check(
        &pre,
        TimerKind::PreAudit,
        "2026-03-10",
        Some("2026-03-17"),
        DeadlineState::OnTrack,
        Some(7),
    );

    // Accepted on the due day: met.
    r.on("2026-03-17").accept();
    let pre = w.clocks("2026-03-20").pre_audit(&r.case);
    check(
        &pre,
        TimerKind::PreAudit,
        "2026-03-10",
        Some("2026-03-17"),
        DeadlineState::Met,
        None,
    );
    assert_eq!(pre.ended, Some(d("2026-03-17")));
}

#[test]
fn pre_audit_accepted_late_is_missed() {
    let w = World::new();
    // Submitted Mon 03-02, due Mon 03-09 (03, 04, 05, 06, 09); accepted Tue 03-10.
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-03-02");
    // Overdue on 03-10 before anyone acts: days_left = 03-09 - 03-10 = -1.
    let pre = w.clocks("2026-03-10").pre_audit(&r.case);
    check(
        &pre,
        TimerKind::PreAudit,
        "2026-03-02",
        Some("2026-03-09"),
        DeadlineState::Overdue,
        Some(-1),
    );
    r.on("2026-03-10").accept();
    let pre = w.clocks("2026-03-10").pre_audit(&r.case);
    check(
        &pre,
        TimerKind::PreAudit,
        "2026-03-02",
        Some("2026-03-09"),
        DeadlineState::Missed,
        None,
    );
}

// ---------------------------------------------------------------------------------------------
// Decision: A 5 / B, C 10 working days after acceptance
// ---------------------------------------------------------------------------------------------

#[test]
fn decision_b_across_the_spring_festival() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-02-12");
    // Accepted Fri 02-13: Sat 02-14 (1), [02-15 .. 02-23], Tue 02-24 (2), Wed 25 (3), Thu 26 (4),
    // Fri 27 (5), Sat 28 make-up (6), Mon 03-02 (7), Tue 03 (8), Wed 04 (9), Thu 03-05 (10).
    r.on("2026-02-13").accept();
    let today = w.clocks("2026-02-13");
    let decision = today.decision(&r.case).expect("decision timer");
    // days_left = 03-05 - 02-13 = 20 (15 days to 02-28, + 5).
    check(
        &decision,
        TimerKind::Decision,
        "2026-02-13",
        Some("2026-03-05"),
        DeadlineState::OnTrack,
        Some(20),
    );
    assert!(!decision.provisional);
    assert_eq!(today.governing(&r.case), Some(decision));
    // The pre-audit timer (due 02-26) ended on 02-13: met.
    let pre = today.pre_audit(&r.case);
    check(
        &pre,
        TimerKind::PreAudit,
        "2026-02-12",
        Some("2026-02-26"),
        DeadlineState::Met,
        None,
    );
}

#[test]
fn decision_a_across_the_spring_festival() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::DomesticNew, Category::A), "2026-02-11");
    // Accepted Thu 02-12: Fri 02-13 (1), Sat 02-14 (2), Tue 02-24 (3), Wed 25 (4), Thu 26 (5).
    r.on("2026-02-12").accept();
    let decision = w
        .clocks("2026-02-12")
        .decision(&r.case)
        .expect("decision timer");
    check(
        &decision,
        TimerKind::Decision,
        "2026-02-12",
        Some("2026-02-26"),
        DeadlineState::OnTrack,
        Some(14),
    );
}

#[test]
fn decision_across_mid_autumn_and_national_day() {
    let w = World::new();
    let cases = [
        // C, accepted Fri 09-18: Sun 09-20 make-up (1), Mon 21 (2), Tue 22 (3), Wed 23 (4),
        // Thu 24 (5), [25-27 Mid-Autumn], Mon 28 (6), Tue 29 (7), Wed 30 (8),
        // [10-01 .. 10-07], Thu 10-08 (9), Fri 10-09 (10).
        (Category::C, "2026-09-17", "2026-09-18", "2026-10-09"),
        // B, the same.
        (Category::B, "2026-09-17", "2026-09-18", "2026-10-09"),
        // A, accepted Wed 09-23: Thu 24 (1), Mon 28 (2), Tue 29 (3), Wed 30 (4), Thu 10-08 (5).
        (Category::A, "2026-09-22", "2026-09-23", "2026-10-08"),
        // A, accepted Wed 09-30: Thu 10-08 (1), Fri 09 (2), Sat 10 make-up (3), Mon 12 (4),
        // Tue 13 (5).
        (Category::A, "2026-09-29", "2026-09-30", "2026-10-13"),
    ];
    for (category, submitted, accepted, due) in cases {
        let mut r = Run::submit(&w, submission(Kind::OverseasNew, category), submitted);
        r.on(accepted).accept();
        let decision = w
            .clocks(accepted)
            .decision(&r.case)
            .expect("decision timer");
        assert_eq!(decision.started, d(accepted));
        assert_eq!(decision.due, Some(d(due)), "{category} accepted {accepted}");
        assert!(!decision.provisional);
    }
}

#[test]
fn decision_pauses_while_returned_and_resumes_after_resubmission() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-02-27");
    // Accepted Mon 03-02; due (10 working days) Mon 03-16 before any pause:
    // Tue 03 (1), Wed 04 (2), Thu 05 (3), Fri 06 (4), Mon 09 (5), Tue 10 (6), Wed 11 (7),
    // Thu 12 (8), Fri 13 (9), Mon 16 (10).
    r.on("2026-03-02").accept();
    let decision = w.clocks("2026-03-02").decision(&r.case).expect("timer");
    assert_eq!(decision.due, Some(d("2026-03-16")));

    // Returned from review on Thu 03-05: used Tue 03 (1), Wed 04 (2), Thu 05 (3); 7 remain.
    r.on("2026-03-05").return_to_employer();
    for today in ["2026-03-05", "2026-03-09", "2026-03-20"] {
        let clocks = w.clocks(today);
        let decision = clocks.decision(&r.case).expect("timer");
        check(
            &decision,
            TimerKind::Decision,
            "2026-03-02",
            None,
            DeadlineState::Paused,
            None,
        );
        let governing = clocks.governing(&r.case).expect("governing");
        assert_eq!(governing.timer, TimerKind::Decision);
        assert_eq!(governing.state, DeadlineState::Paused);
        assert_eq!(governing.due, None);
        assert_eq!(governing.days_left, None);
    }

    // Resubmitted Wed 03-11; the remaining 7 resume on Thu 03-12: Thu 12 (4), Fri 13 (5),
    // Mon 16 (6), Tue 17 (7), Wed 18 (8), Thu 19 (9), Fri 20 (10).
    r.on("2026-03-11").resubmit();
    assert_eq!(r.case.stage, Stage::Review);
    let decision = w.clocks("2026-03-11").decision(&r.case).expect("timer");
    // days_left = 03-20 - 03-11 = 9.
    check(
        &decision,
        TimerKind::Decision,
        "2026-03-02",
        Some("2026-03-20"),
        DeadlineState::OnTrack,
        Some(9),
    );

    // Extended by 3 working days in review on 03-12: Mon 23 (11), Tue 24 (12), Wed 25 (13).
    r.on("2026-03-12").extend(3);
    let decision = w.clocks("2026-03-12").decision(&r.case).expect("timer");
    check(
        &decision,
        TimerKind::Decision,
        "2026-03-02",
        Some("2026-03-25"),
        DeadlineState::OnTrack,
        Some(13),
    );

    // Recommended 03-24, signed on the due day 03-25: met.
    r.on("2026-03-24").recommend().on("2026-03-25").sign();
    assert_eq!(r.case.stage, Stage::Notified);
    let decision = w.clocks("2026-03-26").decision(&r.case).expect("timer");
    check(
        &decision,
        TimerKind::Decision,
        "2026-03-02",
        Some("2026-03-25"),
        DeadlineState::Met,
        None,
    );
    assert_eq!(decision.ended, Some(d("2026-03-25")));
}

#[test]
fn a_pause_across_the_spring_festival() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::C), "2026-02-06");
    // Accepted Mon 02-09. Returned Wed 02-11: used Tue 10 (1), Wed 11 (2); 8 remain.
    r.on("2026-02-09").accept();
    r.on("2026-02-11").return_to_employer();
    // Resubmitted upstream on Sun 02-22 (a holiday). Resume from Mon 02-23 (holiday, not
    // counted): Tue 24 (3), Wed 25 (4), Thu 26 (5), Fri 27 (6), Sat 28 make-up (7),
    // Mon 03-02 (8), Tue 03 (9), Wed 03-04 (10).
    r.on("2026-02-22").resubmit();
    let decision = w.clocks("2026-02-22").decision(&r.case).expect("timer");
    // days_left = 03-04 - 02-22 = 10.
    check(
        &decision,
        TimerKind::Decision,
        "2026-02-09",
        Some("2026-03-04"),
        DeadlineState::OnTrack,
        Some(10),
    );
}

#[test]
fn two_pauses_add_up() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-02-27");
    // Accepted Mon 03-02. Returned Wed 03-04: used Tue 03 (1), Wed 04 (2).
    r.on("2026-03-02").accept();
    r.on("2026-03-04").return_to_employer();
    // Resubmitted Fri 03-06; returned again Wed 03-11: Mon 09 (3), Tue 10 (4), Wed 11 (5).
    r.on("2026-03-06").resubmit();
    r.on("2026-03-11").return_to_employer();
    let decision = w.clocks("2026-03-12").decision(&r.case).expect("timer");
    assert_eq!(decision.state, DeadlineState::Paused);
    assert_eq!(decision.due, None);
    // Resubmitted Mon 03-16: Tue 17 (6), Wed 18 (7), Thu 19 (8), Fri 20 (9), Mon 23 (10).
    r.on("2026-03-16").resubmit();
    let decision = w.clocks("2026-03-16").decision(&r.case).expect("timer");
    check(
        &decision,
        TimerKind::Decision,
        "2026-03-02",
        Some("2026-03-23"),
        DeadlineState::OnTrack,
        Some(7),
    );
}

#[test]
fn extend_in_decision_adds_working_days() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::DomesticNew, Category::B), "2026-09-17");
    // Accepted Fri 09-18, due Fri 10-09 (see decision_across_mid_autumn_and_national_day).
    r.on("2026-09-18").accept();
    r.on("2026-09-24").recommend();
    // Extended by the maximum 10 on Thu 10-08: after Fri 10-09 (10): Sat 10-10 make-up (11),
    // Mon 12 (12), Tue 13 (13), Wed 14 (14), Thu 15 (15), Fri 16 (16), Mon 19 (17),
    // Tue 20 (18), Wed 21 (19), Thu 10-22 (20).
    r.on("2026-10-08").extend(10);
    let decision = w.clocks("2026-10-08").decision(&r.case).expect("timer");
    check(
        &decision,
        TimerKind::Decision,
        "2026-09-18",
        Some("2026-10-22"),
        DeadlineState::OnTrack,
        Some(14),
    );
    // Signed by another supervisor on 10-23, a day late: missed.
    r.on("2026-10-23")
        .ok(&sun_lei(), Action::Approve { note: None });
    assert_eq!(r.case.stage, Stage::Completed);
    let decision = w.clocks("2026-10-23").decision(&r.case).expect("timer");
    check(
        &decision,
        TimerKind::Decision,
        "2026-09-18",
        Some("2026-10-22"),
        DeadlineState::Missed,
        None,
    );
    assert_eq!(
        w.clocks("2026-10-23").governing(&r.case),
        None,
        "completed: no running timer"
    );
}

// ---------------------------------------------------------------------------------------------
// States: on_track -> due_soon -> overdue; met / missed
// ---------------------------------------------------------------------------------------------

#[test]
fn decision_states_through_time() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-02-12");
    // Accepted Fri 02-13, due Thu 03-05 (decision_b_across_the_spring_festival).
    r.on("2026-02-13").accept();
    let expect = [
        // today, working days left after today up to the due day, state, days_left
        (
            "2026-02-27",
            "Sat 28, Mon 2, Tue 3, Wed 4, Thu 5 = 5",
            DeadlineState::OnTrack,
            6,
        ),
        (
            "2026-03-02",
            "Tue 3, Wed 4, Thu 5 = 3",
            DeadlineState::OnTrack,
            3,
        ),
        ("2026-03-03", "Wed 4, Thu 5 = 2", DeadlineState::DueSoon, 2),
        ("2026-03-04", "Thu 5 = 1", DeadlineState::DueSoon, 1),
        ("2026-03-05", "the due day = 0", DeadlineState::DueSoon, 0),
        ("2026-03-06", "the day after", DeadlineState::Overdue, -1),
        ("2026-03-20", "two weeks after", DeadlineState::Overdue, -15),
    ];
    for (today, why, state, days_left) in expect {
        let decision = w.clocks(today).decision(&r.case).expect("timer");
        assert_eq!(decision.due, Some(d("2026-03-05")));
        assert_eq!(decision.state, state, "{today}: {why}");
        assert_eq!(decision.days_left, Some(days_left), "{today}");
    }
    // Signed on 03-05 (the due day): met.
    r.on("2026-03-04").recommend().on("2026-03-05").sign();
    let decision = w.clocks("2026-03-09").decision(&r.case).expect("timer");
    check(
        &decision,
        TimerKind::Decision,
        "2026-02-13",
        Some("2026-03-05"),
        DeadlineState::Met,
        None,
    );
    assert!(!decision.state.is_running());
}

#[test]
fn decision_signed_late_is_missed() {
    let w = World::new();
    let mut r = Run::submit(
        &w,
        submission(Kind::ECertificate, Category::A),
        "2026-02-27",
    );
    // A, accepted Mon 03-02: Tue 03 (1), Wed 04 (2), Thu 05 (3), Fri 06 (4), Mon 09 (5).
    r.on("2026-03-02").accept();
    r.on("2026-03-06").recommend();
    r.on("2026-03-10").sign();
    let decision = w.clocks("2026-03-10").decision(&r.case).expect("timer");
    check(
        &decision,
        TimerKind::Decision,
        "2026-03-02",
        Some("2026-03-09"),
        DeadlineState::Missed,
        None,
    );
    assert_eq!(decision.ended, Some(d("2026-03-10")));
}

#[test]
fn due_soon_counts_working_days_across_the_festival() {
    let w = World::new();
    // Submitted Tue 02-10: Wed 11 (1), Thu 12 (2), Fri 13 (3), Sat 14 (4), Tue 24 (5).
    let r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-02-10");
    let expect = [
        // On Thu 02-12, 3 working days are left (Fri 13, Sat 14, Tue 24): on track, 12 days.
        ("2026-02-12", DeadlineState::OnTrack, 12),
        // On Fri 02-13, 2 are left (Sat 14, Tue 24): due soon though 11 calendar days remain.
        ("2026-02-13", DeadlineState::DueSoon, 11),
        // On Sat 02-14 (make-up), 1 is left (Tue 24).
        ("2026-02-14", DeadlineState::DueSoon, 10),
        // During the festival, still 1 left.
        ("2026-02-18", DeadlineState::DueSoon, 6),
        ("2026-02-24", DeadlineState::DueSoon, 0),
        ("2026-02-25", DeadlineState::Overdue, -1),
    ];
    for (today, state, days_left) in expect {
        let pre = w.clocks(today).pre_audit(&r.case);
        assert_eq!(pre.due, Some(d("2026-02-24")));
        assert_eq!(pre.state, state, "{today}");
        assert_eq!(pre.days_left, Some(days_left), "{today}");
    }
}

// ---------------------------------------------------------------------------------------------
// Verification: 30 calendar days from the later of entry and Notification
// ---------------------------------------------------------------------------------------------

/// An overseas_new case notified Thu 03-05 (submitted 03-02, accepted 03-03, recommended 03-04).
fn notified<'w>(w: &'w World, kind: Kind, category: Category) -> Run<'w> {
    let mut r = Run::submit(w, submission(kind, category), "2026-03-02");
    r.on("2026-03-03")
        .accept()
        .on("2026-03-04")
        .recommend()
        .on("2026-03-05")
        .sign();
    assert_eq!(r.case.stage, Stage::Notified);
    assert_eq!(r.case.notified_on, Some(d("2026-03-05")));
    r
}

#[test]
fn verification_window_is_30_calendar_days_from_entry() {
    let w = World::new();
    let mut r = notified(&w, Kind::OverseasNew, Category::B);
    assert_eq!(
        w.clocks("2026-03-06").verification(&r.case),
        None,
        "no entry yet"
    );
    assert_eq!(
        w.clocks("2026-03-06").governing(&r.case),
        None,
        "awaiting entry"
    );
    // Entry Mon 03-09 (after the Notification of 03-05): 03-09 + 30 = 04-08
    // (22 days to 03-31, + 8).
    r.on("2026-03-09").record_entry("2026-03-09");
    let expect = [
        ("2026-03-09", DeadlineState::OnTrack, 30),
        ("2026-04-02", DeadlineState::OnTrack, 6),
        // 5 or fewer calendar days left: due soon.
        ("2026-04-03", DeadlineState::DueSoon, 5),
        ("2026-04-08", DeadlineState::DueSoon, 0),
        ("2026-04-09", DeadlineState::Overdue, -1),
    ];
    for (today, state, days_left) in expect {
        let clocks = w.clocks(today);
        let window = clocks.verification(&r.case).expect("window");
        check(
            &window,
            TimerKind::Verification,
            "2026-03-09",
            Some("2026-04-08"),
            state,
            Some(days_left),
        );
        assert!(!window.provisional);
        assert_eq!(clocks.governing(&r.case), Some(window));
    }
    // Verified on the last day: met.
    let mut late = r.clone();
    r.on("2026-04-08").verify();
    let window = w
        .clocks("2026-04-10")
        .verification(&r.case)
        .expect("window");
    check(
        &window,
        TimerKind::Verification,
        "2026-03-09",
        Some("2026-04-08"),
        DeadlineState::Met,
        None,
    );
    assert_eq!(window.ended, Some(d("2026-04-08")));
    // Verified a day late, as a supervisor allowed (issue 15): missed.
    late.on("2026-04-09").ok(
        &wang_fang(),
        Action::AllowLate {
            reason: reason("the applicant's flight was cancelled"),
        },
    );
    late.verify();
    let window = w
        .clocks("2026-04-10")
        .verification(&late.case)
        .expect("window");
    check(
        &window,
        TimerKind::Verification,
        "2026-03-09",
        Some("2026-04-08"),
        DeadlineState::Missed,
        None,
    );
}

#[test]
fn lapse_becomes_possible_the_day_after_the_window_closes() {
    let w = World::new();
    let mut r = notified(&w, Kind::OverseasNew, Category::C);
    // Entry Fri 03-06: 03-06 + 30 = 04-05 (25 days to 03-31, + 5); overdue from 04-06.
    r.on("2026-03-06").record_entry("2026-03-06");
    let lapse = || Action::Lapse {
        reason: reason("did not come"),
    };
    r.on("2026-04-05");
    let refusal = r
        .attempt(&wang_fang(), lapse())
        .expect_err("not overdue yet");
    assert!(
        matches!(&refusal, Refusal::NotOverdue { due, .. } if due == "2026-04-05"),
        "{refusal:?}"
    );
    r.on("2026-04-06").ok(&wang_fang(), lapse());
    assert_eq!(r.case.stage, Stage::Lapsed);
    // The lapsed window ended after its due day: missed; no governing timer.
    let clocks = w.clocks("2026-04-07");
    let window = clocks.verification(&r.case).expect("window");
    check(
        &window,
        TimerKind::Verification,
        "2026-03-06",
        Some("2026-04-05"),
        DeadlineState::Missed,
        None,
    );
    assert_eq!(clocks.governing(&r.case), None);
    // Reopened: the window is never extended, so it is overdue again at once.
    r.on("2026-04-07").ok(
        &wang_fang(),
        Action::Reopen {
            reason: reason("came with a hospital certificate"),
        },
    );
    let window = w
        .clocks("2026-04-07")
        .verification(&r.case)
        .expect("window");
    check(
        &window,
        TimerKind::Verification,
        "2026-03-06",
        Some("2026-04-05"),
        DeadlineState::Overdue,
        Some(-2),
    );
}

#[test]
fn verification_starts_at_the_notification_when_entry_came_first() {
    let w = World::new();
    // A new_notification case (FAQ Q9): the applicant entered on 01-20, long before the new
    // Notification of Thu 03-05. Window: 03-05 + 30 = 04-04 (26 days to 03-31, + 4).
    let mut r = notified(&w, Kind::NewNotification, Category::B);
    r.on("2026-03-06").record_entry("2026-01-20");
    assert_eq!(r.case.stage, Stage::Verification);
    assert_eq!(r.case.entry_date, Some(d("2026-01-20")));
    let window = w
        .clocks("2026-03-06")
        .verification(&r.case)
        .expect("window");
    // days_left = 04-04 - 03-06 = 29.
    check(
        &window,
        TimerKind::Verification,
        "2026-03-05",
        Some("2026-04-04"),
        DeadlineState::OnTrack,
        Some(29),
    );
}

#[test]
fn correcting_the_entry_recomputes_the_window() {
    let w = World::new();
    let mut r = notified(&w, Kind::OverseasNew, Category::B);
    r.on("2026-03-09").record_entry("2026-03-09");
    // Corrected to Thu 03-12: 03-12 + 30 = 04-11 (19 days to 03-31, + 11).
    r.on("2026-03-13").ok(
        &liu_yang(),
        Action::CorrectEntry {
            date: d("2026-03-12"),
            reason: reason("entry stamp misread"),
        },
    );
    let window = w
        .clocks("2026-03-13")
        .verification(&r.case)
        .expect("window");
    check(
        &window,
        TimerKind::Verification,
        "2026-03-12",
        Some("2026-04-11"),
        DeadlineState::OnTrack,
        Some(29),
    );
    // A return at the window does not stop or extend it.
    r.on("2026-04-10").ok(
        &liu_yang(),
        Action::Return {
            reason: reason("exam report issued abroad"),
        },
    );
    let window = w
        .clocks("2026-04-12")
        .verification(&r.case)
        .expect("window");
    check(
        &window,
        TimerKind::Verification,
        "2026-03-12",
        Some("2026-04-11"),
        DeadlineState::Overdue,
        Some(-1),
    );
}

#[test]
fn class_a_has_no_verification_window() {
    let w = World::new();
    let mut r = notified(&w, Kind::OverseasNew, Category::A);
    r.on("2026-03-09").record_entry("2026-03-08");
    assert_eq!(r.case.stage, Stage::Completed);
    let clocks = w.clocks("2026-03-09");
    assert_eq!(clocks.verification(&r.case), None);
    assert_eq!(clocks.governing(&r.case), None);
    assert!(!clocks.exam_report_expires_first(&r.case));
    let timers: Vec<TimerKind> = clocks.all(&r.case).iter().map(|t| t.timer).collect();
    assert_eq!(timers, [TimerKind::PreAudit, TimerKind::Decision]);
}

// ---------------------------------------------------------------------------------------------
// Provisional deadlines (the calendar lacks 2027)
// ---------------------------------------------------------------------------------------------

#[test]
fn deadlines_crossing_into_2027_are_provisional() {
    let w = World::new();
    // B accepted Mon 2026-12-21: Tue 22 (1), Wed 23 (2), Thu 24 (3), Fri 25 (4), Mon 28 (5),
    // Tue 29 (6), Wed 30 (7), Thu 31 (8), Fri 2027-01-01 (9, assumed: Monday-Friday),
    // Mon 2027-01-04 (10).
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-12-18");
    r.on("2026-12-21").accept();
    let decision = w.clocks("2026-12-21").decision(&r.case).expect("timer");
    check(
        &decision,
        TimerKind::Decision,
        "2026-12-21",
        Some("2027-01-04"),
        DeadlineState::OnTrack,
        Some(14),
    );
    assert!(decision.provisional, "reaches into 2027");

    // Pre-audit submitted Mon 2026-12-28: Tue 29 (1), Wed 30 (2), Thu 31 (3), Fri 01-01 (4),
    // Mon 2027-01-04 (5).
    let r = Run::submit(&w, submission(Kind::OverseasNew, Category::C), "2026-12-28");
    let pre = w.clocks("2026-12-28").pre_audit(&r.case);
    check(
        &pre,
        TimerKind::PreAudit,
        "2026-12-28",
        Some("2027-01-04"),
        DeadlineState::OnTrack,
        Some(7),
    );
    assert!(pre.provisional);
}

#[test]
fn deadlines_inside_2026_are_not_provisional() {
    let w = World::new();
    // B accepted Thu 2026-12-03: Fri 04 (1), Mon 07 (2), Tue 08 (3), Wed 09 (4), Thu 10 (5),
    // Fri 11 (6), Mon 14 (7), Tue 15 (8), Wed 16 (9), Thu 12-17 (10).
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-12-02");
    r.on("2026-12-03").accept();
    let decision = w.clocks("2026-12-03").decision(&r.case).expect("timer");
    check(
        &decision,
        TimerKind::Decision,
        "2026-12-03",
        Some("2026-12-17"),
        DeadlineState::OnTrack,
        Some(14),
    );
    assert!(!decision.provisional);
    // Pre-audit submitted Wed 12-02: Thu 03, Fri 04, Mon 07, Tue 08, Wed 09.
    let pre = w.clocks("2026-12-03").pre_audit(&r.case);
    assert_eq!(pre.due, Some(d("2026-12-09")));
    assert!(!pre.provisional);
}

#[test]
fn the_verification_window_counts_calendar_days_and_is_never_provisional() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-11-02");
    // Submitted Mon 11-02, accepted Tue 11-03, recommended 11-04, signed Thu 11-05.
    r.on("2026-11-03")
        .accept()
        .on("2026-11-04")
        .recommend()
        .on("2026-11-05")
        .sign();
    // Entry Sun 12-20: 12-20 + 30 = 2027-01-19 (11 days to 12-31, + 19). No working days are
    // counted, so the missing 2027 calendar does not matter.
    r.on("2026-12-21").record_entry("2026-12-20");
    let window = w
        .clocks("2026-12-21")
        .verification(&r.case)
        .expect("window");
    check(
        &window,
        TimerKind::Verification,
        "2026-12-20",
        Some("2027-01-19"),
        DeadlineState::OnTrack,
        Some(29),
    );
    assert!(!window.provisional);
}

#[test]
fn a_2026_deadline_viewed_in_2027_is_not_provisional() {
    let w = World::new();
    // Decision accepted 2026-12-03, due 2026-12-17 (hand count above), signed 12-17: met.
    let mut r = Run::submit(&w, submission(Kind::DomesticNew, Category::B), "2026-12-02");
    r.on("2026-12-03")
        .accept()
        .on("2026-12-16")
        .recommend()
        .on("2026-12-17")
        .sign();
    let decision = w.clocks("2027-01-15").decision(&r.case).expect("timer");
    assert_eq!(decision.due, Some(d("2026-12-17")));
    assert_eq!(decision.state, DeadlineState::Met);
    assert!(
        !decision.provisional,
        "no day of 2027 was counted to find 2026-12-17"
    );
}

// ---------------------------------------------------------------------------------------------
// Exam report
// ---------------------------------------------------------------------------------------------

fn with_exam(issued_on: &str, category: Category) -> Submission {
    let mut s = submission(Kind::OverseasNew, category);
    s.exam_report = Some(ExamReport {
        issued_on: d(issued_on),
        domestic: true,
        institution: Some("Guangdong International Travel Healthcare Center".to_string()),
    });
    s
}

/// Drives an exam-report case to verification: notified 03-05, entry Mon 03-09, so the window
/// closes 03-09 + 30 = 04-08.
fn in_verification<'w>(w: &'w World, s: Submission) -> Run<'w> {
    let mut r = Run::submit(w, s, "2026-03-02");
    r.on("2026-03-03")
        .accept()
        .on("2026-03-04")
        .recommend()
        .on("2026-03-05")
        .sign();
    let clocks = w.clocks("2026-03-05");
    assert_eq!(clocks.exam_report(&r.case), None, "not in China yet");
    assert!(!clocks.exam_report_expires_first(&r.case));
    r.on("2026-03-09").record_entry("2026-03-09");
    r
}

#[test]
fn an_exam_report_expiring_before_the_window_closes_is_flagged() {
    let w = World::new();
    // Issued 2025-10-07: expires 2025-10-07 + 6 months = 2026-04-07, before the window's
    // 04-08: flagged.
    let r = in_verification(&w, with_exam("2025-10-07", Category::B));
    let clocks = w.clocks("2026-03-09");
    let exam = clocks.exam_report(&r.case).expect("exam timer");
    // days_left = 04-07 - 03-09 = 29.
    check(
        &exam,
        TimerKind::ExamReport,
        "2025-10-07",
        Some("2026-04-07"),
        DeadlineState::OnTrack,
        Some(29),
    );
    assert!(!exam.provisional);
    assert!(clocks.exam_report_expires_first(&r.case));
    // It is one of the case's timers.
    assert!(clocks.all(&r.case).contains(&exam));

    // Issued 2025-10-01: expires 2026-04-01: flagged.
    let r = in_verification(&w, with_exam("2025-10-01", Category::C));
    assert!(w.clocks("2026-03-09").exam_report_expires_first(&r.case));
}

#[test]
fn an_exam_report_valid_through_the_window_is_not_flagged() {
    let w = World::new();
    // Issued 2025-10-08: expires 2026-04-08, the window's last day: still valid then.
    let r = in_verification(&w, with_exam("2025-10-08", Category::B));
    let clocks = w.clocks("2026-03-09");
    assert_eq!(
        clocks.exam_report(&r.case).and_then(|e| e.due),
        Some(d("2026-04-08"))
    );
    assert!(!clocks.exam_report_expires_first(&r.case));
    // Issued 2026-02-20: expires 2026-08-20.
    let r = in_verification(&w, with_exam("2026-02-20", Category::B));
    assert!(!w.clocks("2026-03-09").exam_report_expires_first(&r.case));
    // Class A is never verified on site: no exam timer, no flag.
    let mut r = Run::submit(&w, with_exam("2025-10-01", Category::A), "2026-03-02");
    r.on("2026-03-03")
        .accept()
        .on("2026-03-04")
        .recommend()
        .on("2026-03-05")
        .sign()
        .on("2026-03-09")
        .record_entry("2026-03-09");
    assert_eq!(w.clocks("2026-03-09").exam_report(&r.case), None);
    assert!(!w.clocks("2026-03-09").exam_report_expires_first(&r.case));
}

#[test]
fn the_exam_flag_agrees_with_the_checklist_at_month_end() {
    let w = World::new();
    // Entry Sat 08-01 after a Notification of Thu 07-30: window 08-01 + 30 = 08-31.
    // Exam report issued 2026-02-28. DOMAIN.md: "a verification on 08-31 accepts reports from
    // 02-28", so the report is good through the window's last day and must not be flagged.
    let mut r = Run::submit(&w, with_exam("2026-02-28", Category::B), "2026-07-27");
    // Submitted Mon 07-27, accepted Tue 07-28, recommended Wed 07-29, signed Thu 07-30.
    r.on("2026-07-28")
        .accept()
        .on("2026-07-29")
        .recommend()
        .on("2026-07-30")
        .sign()
        .on("2026-08-01")
        .record_entry("2026-08-01");
    let window = w
        .clocks("2026-08-01")
        .verification(&r.case)
        .expect("window");
    assert_eq!(window.due, Some(d("2026-08-31")));
    // The checklist accepts the report on the last day of the window...
    let mut list = passing(d("2026-08-31"));
    list.exam_issued_on = Some(d("2026-02-28"));
    assert!(list.failures(d("2026-08-31"), 6).is_empty());
    // ...so it does not expire first.
    assert!(!w.clocks("2026-08-01").exam_report_expires_first(&r.case));
}

// ---------------------------------------------------------------------------------------------
// The governing timer by stage
// ---------------------------------------------------------------------------------------------

#[test]
fn governing_timer_by_stage() {
    let w = World::new();
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-03-02");
    let timer = |r: &Run, today: &str| {
        w.clocks(today)
            .governing(&r.case)
            .map(|g| (g.timer, g.state))
    };
    assert_eq!(
        timer(&r, "2026-03-02"),
        Some((TimerKind::PreAudit, DeadlineState::OnTrack))
    );
    r.on("2026-03-03").accept();
    assert_eq!(
        timer(&r, "2026-03-03"),
        Some((TimerKind::Decision, DeadlineState::OnTrack))
    );
    r.on("2026-03-04").recommend();
    assert_eq!(r.case.stage, Stage::Decision);
    assert_eq!(
        timer(&r, "2026-03-04"),
        Some((TimerKind::Decision, DeadlineState::OnTrack))
    );
    r.on("2026-03-05").sign();
    assert_eq!(timer(&r, "2026-03-05"), None);
    r.on("2026-03-09").record_entry("2026-03-09");
    assert_eq!(
        timer(&r, "2026-03-09"),
        Some((TimerKind::Verification, DeadlineState::OnTrack))
    );
    r.on("2026-03-10").verify();
    assert_eq!(timer(&r, "2026-03-10"), None);
    // Every timer ended in time. The exam report seen at the window (issued 03-07, valid to
    // 09-07) is kept on the case, so its timer shows too, ended (met) at verification.
    let all = w.clocks("2026-03-10").all(&r.case);
    let states: Vec<(TimerKind, DeadlineState)> = all.iter().map(|t| (t.timer, t.state)).collect();
    assert_eq!(
        states,
        [
            (TimerKind::PreAudit, DeadlineState::Met),
            (TimerKind::Decision, DeadlineState::Met),
            (TimerKind::Verification, DeadlineState::Met),
            (TimerKind::ExamReport, DeadlineState::Met),
        ]
    );
    let exam = all.last().expect("exam timer");
    assert_eq!(
        (exam.started, exam.due),
        (d("2026-03-07"), Some(d("2026-09-07")))
    );
}

#[test]
fn no_verification_window_before_the_notification() {
    let w = World::new();
    // A new_notification case whose applicant entered on 01-20 arrives on Mon 03-02.
    let mut s = submission(Kind::NewNotification, Category::B);
    s.entry_date = Some(d("2026-01-20"));
    let r = Run::submit(&w, s, "2026-03-02");
    let clocks = w.clocks("2026-03-02");
    // The window opens at the later of entry and Notification: there is no Notification yet.
    assert_eq!(clocks.verification(&r.case), None);
    assert!(
        clocks
            .all(&r.case)
            .iter()
            .all(|t| t.state != DeadlineState::Overdue),
        "{:?}",
        clocks.all(&r.case)
    );
}

#[test]
fn a_case_waiting_outside_the_office_counts_calendar_days_since_its_return_or_notification() {
    use permitdesk::domain::{Wait, Waiting};
    let w = World::new();
    // Returned from pre-audit on Fri 02-13: across the Spring Festival the wait counts every day.
    let mut r = Run::submit(&w, submission(Kind::OverseasNew, Category::B), "2026-02-12");
    assert_eq!(
        w.clocks("2026-02-12").waiting(&r.case),
        None,
        "pre-audit runs"
    );
    r.on("2026-02-13").return_to_employer();
    for (today, days) in [("2026-02-13", 0), ("2026-02-24", 11)] {
        let wait = w.clocks(today).waiting(&r.case);
        let expected = Wait {
            on: Waiting::Correction,
            since: d("2026-02-13"),
            days,
        };
        assert_eq!(wait, Some(expected), "{today}");
    }
    // Returned again from review on 03-05: the wait starts at that return, not the first one.
    r.on("2026-02-24")
        .resubmit()
        .on("2026-02-25")
        .accept()
        .on("2026-03-05")
        .return_to_employer();
    assert_eq!(r.case.returned_from, Some(Stage::Review));
    let wait = w.clocks("2026-03-09").waiting(&r.case).expect("returned");
    assert_eq!(
        (wait.on, wait.since, wait.days),
        (Waiting::Correction, d("2026-03-05"), 4)
    );
    r.on("2026-03-09").resubmit();
    assert_eq!(
        w.clocks("2026-03-09").waiting(&r.case),
        None,
        "review runs again"
    );

    // A Notification waits on the applicant's entry from the day it was issued.
    let mut n = notified(&w, Kind::OverseasNew, Category::B);
    let wait = w.clocks("2026-04-04").waiting(&n.case).expect("notified");
    assert_eq!(
        (wait.on, wait.since, wait.days),
        (Waiting::Entry, d("2026-03-05"), 30)
    );
    n.on("2026-04-04").record_entry("2026-04-03");
    assert_eq!(
        w.clocks("2026-04-04").waiting(&n.case),
        None,
        "the window runs"
    );
}
