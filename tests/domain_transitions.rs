//! The transition table of DOMAIN.md, row by row, through the public domain API.
//!
//! Every case is driven with `submit` + `decide` exactly as the console would; every event that
//! `decide` returns is kept, and when a driven case goes out of scope its history is replayed and
//! must rebuild the very same case (see `impl Drop for Run`).
//!
//! `role_and_stage_sweep` walks every stage x every action x every kind of actor against an
//! independent transcription of the table (`domain_row`); the other tests pin the rules of each row
//! (claims, four-eyes, reasons, dates, exit codes).

use chrono::{Days, NaiveDate, NaiveTime};
use permitdesk::domain::case::{Applicant, Document, Employer, Verdict};
use permitdesk::domain::{
    Action, ActionKind, Actor, Calendar, Case, Category, Checklist, Clock, Clocks, Context, Event,
    Kind, Policy, Presenter, Refusal, Role, Stage, Submission, VisaKind, decide, replay, submit,
};
use std::collections::BTreeSet;

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
            users: Users(vec![
                li_wei(),
                chen_yu(),
                wang_fang(),
                sun_lei(),
                liu_yang(),
                admin(),
                audit_he(),
                zhao_min(),
            ]),
        }
    }

    /// The context of an action taken at 10:00 office time on `today`.
    fn ctx(&self, today: NaiveDate) -> Context<'_> {
        let clock = Clock::new(chrono_tz::Asia::Shanghai, Some(today));
        Context {
            now: clock.at(today, NaiveTime::from_hms_opt(10, 0, 0).expect("time")),
            clocks: Clocks {
                calendar: &self.calendar,
                policy: &self.policy,
                today,
            },
            directory: &self.users,
        }
    }
}

fn submission(case_no: &str, kind: Kind, category: Category) -> Submission {
    Submission {
        case_no: case_no.to_string(),
        kind,
        category,
        legacy: false,
        applicant: Applicant {
            name: "SMITH JOHN".to_string(),
            name_native: None,
            passport_no: "E12345678".to_string(),
            nationality: "USA".to_string(),
            birth_date: Some(d("1988-04-12")),
        },
        employer: Employer {
            name: "Guangzhou Example Trading Co., Ltd.".to_string(),
            uscc: "91440101MA5CQ7H2XC".to_string(),
        },
        position: Some("Software engineer".to_string()),
        documents: vec![Document {
            kind: "passport".to_string(),
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

/// A checklist that passes on `on`: visa valid a year on, domestic exam report a week old.
fn passing(on: NaiveDate) -> Checklist {
    Checklist {
        presented_by: Presenter::Applicant,
        power_of_attorney: false,
        originals: true,
        sealed_copies: true,
        visa_kind: Some(VisaKind::WorkResidencePermit),
        visa_valid_until: Some(on + Days::new(365)),
        exam_issued_on: Some(on - Days::new(7)),
        exam_domestic: true,
        exam_institution: Some("Guangdong International Travel Healthcare Center".to_string()),
    }
}

fn text(s: &str) -> String {
    s.to_string()
}

fn approve() -> Action {
    Action::Approve { note: None }
}

fn approve_noting(note: &str) -> Action {
    Action::Approve {
        note: Some(text(note)),
    }
}

fn ret(reason: &str) -> Action {
    Action::Return {
        reason: text(reason),
    }
}

fn refuse(reason: &str) -> Action {
    Action::Refuse {
        reason: text(reason),
    }
}

fn not_accept(reason: &str) -> Action {
    Action::NotAccept {
        reason: text(reason),
    }
}

fn send_back(reason: &str) -> Action {
    Action::SendBack {
        reason: text(reason),
    }
}

fn withdraw(reason: &str) -> Action {
    Action::Withdraw {
        reason: text(reason),
    }
}

fn record_entry(date: &str) -> Action {
    Action::RecordEntry { date: d(date) }
}

fn correct_entry(date: &str, reason: &str) -> Action {
    Action::CorrectEntry {
        date: d(date),
        reason: text(reason),
    }
}

fn lapse(reason: &str) -> Action {
    Action::Lapse {
        reason: text(reason),
    }
}

fn reopen(reason: &str) -> Action {
    Action::Reopen {
        reason: text(reason),
    }
}

fn extend(days: u32, reason: &str) -> Action {
    Action::Extend {
        days,
        reason: text(reason),
    }
}

fn note(s: &str) -> Action {
    Action::Note { text: text(s) }
}

fn assign(to: &str) -> Action {
    Action::Assign { assignee: text(to) }
}

// ---------------------------------------------------------------------------------------------
// Driving cases
// ---------------------------------------------------------------------------------------------

/// One case driven through the domain, with every event `submit`/`decide` returned.
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
        assert_eq!(case.stage, Stage::PreAudit);
        assert_eq!(case.version, 1);
        assert_eq!(event.from, None);
        assert_eq!(event.to, Stage::PreAudit);
        assert_eq!(event.role, Role::System);
        Run {
            world,
            today,
            case,
            events: vec![event],
        }
    }

    fn on(&mut self, day: &str) -> &mut Self {
        let day = d(day);
        assert!(
            day >= self.today,
            "time runs forward: {day} < {}",
            self.today
        );
        self.today = day;
        self
    }

    fn attempt(&self, actor: &Actor, action: Action) -> Result<(Case, Event), Refusal> {
        decide(&self.case, actor, action, &self.world.ctx(self.today))
    }

    /// Takes an action that must be allowed, checks the audit event, and keeps the result.
    #[track_caller]
    fn ok(&mut self, actor: &Actor, action: Action) -> &mut Self {
        let name = action.name();
        let (next, event) = self.attempt(actor, action).unwrap_or_else(|r| {
            panic!(
                "{name} by {} in {} was refused: {r} ({r:?})",
                actor.name, self.case.stage
            )
        });
        assert_eq!(event.case_no, self.case.case_no);
        assert_eq!(event.actor, actor.name);
        assert!(actor.has(event.role), "event role {} not held", event.role);
        assert_eq!(event.from, Some(self.case.stage));
        assert_eq!(event.to, next.stage);
        assert_eq!(event.date(), self.today);
        assert_eq!(event.action.name(), name);
        assert_eq!(
            next.version,
            self.case.version + 1,
            "each event bumps the version"
        );
        self.case = next;
        self.events.push(event);
        self
    }

    /// An action that must be refused; the case is untouched.
    #[track_caller]
    fn refused(&self, actor: &Actor, action: Action) -> Refusal {
        let name = action.name();
        match self.attempt(actor, action) {
            Ok((case, _)) => panic!(
                "{name} by {} in {} was allowed (-> {})",
                actor.name, self.case.stage, case.stage
            ),
            Err(refusal) => refusal,
        }
    }

    fn last_event(&self) -> &Event {
        self.events.last().expect("events")
    }

    fn holder(&self) -> Option<&str> {
        self.case.assignee()
    }
}

impl Drop for Run<'_> {
    /// Every driven case must be rebuilt exactly by replaying the events `decide` returned.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let rebuilt = replay(&self.events)
            .unwrap_or_else(|r| panic!("replay of {} refused: {r}", self.case.case_no))
            .expect("a replayed case");
        assert_eq!(
            rebuilt,
            self.case,
            "replaying {} events does not rebuild {}",
            self.events.len(),
            self.case.case_no
        );
    }
}

/// Asserts a refusal's variant and exit code; evaluates to the refusal.
macro_rules! refused {
    ($run:expr, $actor:expr, $action:expr, $pat:pat, $code:expr) => {{
        let refusal = $run.refused(&$actor, $action);
        assert!(
            matches!(refusal, $pat),
            "expected {}, got {refusal:?}",
            stringify!($pat)
        );
        assert_eq!(refusal.exit_code(), $code, "exit code of {refusal:?}");
        refusal
    }};
}

// The standard schedule (March 2026 has no holidays):
// Mon 03-02 submitted and claimed, Tue 03-03 accepted, Wed 03-04 claimed and recommended,
// Thu 03-05 signed (Notification), Mon 03-09 entry recorded, Tue 03-10 verified.
// The verification window of an entry on 03-09 closes 03-09 + 30 = 04-08; overdue from 04-09.

const CASE_NO: &str = "WP2026030001";

fn pre_audit(w: &World, kind: Kind, category: Category) -> Run<'_> {
    Run::submit(w, submission(CASE_NO, kind, category), "2026-03-02")
}

fn pre_audit_claimed(w: &World, kind: Kind, category: Category) -> Run<'_> {
    let mut r = pre_audit(w, kind, category);
    r.ok(&li_wei(), Action::Claim);
    r
}

fn returned_from_pre_audit(w: &World) -> Run<'_> {
    let mut r = pre_audit_claimed(w, Kind::OverseasNew, Category::B);
    r.on("2026-03-03").ok(
        &li_wei(),
        ret("passport copy unreadable; degree certificate not notarised"),
    );
    r
}

/// In review, unclaimed.
fn review(w: &World, kind: Kind, category: Category) -> Run<'_> {
    let mut r = pre_audit_claimed(w, kind, category);
    r.on("2026-03-03").ok(&li_wei(), approve());
    r
}

fn review_claimed(w: &World, kind: Kind, category: Category) -> Run<'_> {
    let mut r = review(w, kind, category);
    r.on("2026-03-04").ok(&li_wei(), Action::Claim);
    r
}

fn returned_from_review(w: &World) -> Run<'_> {
    let mut r = review_claimed(w, Kind::OverseasNew, Category::B);
    r.ok(&li_wei(), ret("employment contract unsigned"));
    r
}

/// In decision, recommended by li.wei.
fn decision(w: &World, kind: Kind, category: Category, verdict: Verdict) -> Run<'_> {
    let mut r = review_claimed(w, kind, category);
    match verdict {
        Verdict::Approve => r.ok(&li_wei(), approve()),
        Verdict::Refuse => r.ok(&li_wei(), refuse("degree does not match the post")),
    };
    r
}

fn notified(w: &World, kind: Kind, category: Category) -> Run<'_> {
    let mut r = decision(w, kind, category, Verdict::Approve);
    r.on("2026-03-05").ok(&wang_fang(), approve());
    assert_eq!(r.case.stage, Stage::Notified);
    r
}

/// In verification: entry on 03-09, today 03-09 (window due 04-08, not overdue).
fn verification(w: &World, category: Category) -> Run<'_> {
    let mut r = notified(w, Kind::OverseasNew, category);
    r.on("2026-03-09")
        .ok(&liu_yang(), record_entry("2026-03-09"));
    assert_eq!(r.case.stage, Stage::Verification);
    r
}

/// In verification with the window overdue (today 04-09, due 04-08).
fn verification_overdue(w: &World) -> Run<'_> {
    let mut r = verification(w, Category::B);
    r.on("2026-04-09");
    r
}

fn completed(w: &World) -> Run<'_> {
    let mut r = verification(w, Category::B);
    r.on("2026-03-10").ok(
        &liu_yang(),
        Action::Verify {
            checklist: passing(d("2026-03-10")),
        },
    );
    r
}

fn refused(w: &World) -> Run<'_> {
    let mut r = decision(w, Kind::OverseasNew, Category::B, Verdict::Refuse);
    r.on("2026-03-05")
        .ok(&wang_fang(), refuse("degree does not match the post"));
    r
}

fn not_accepted(w: &World) -> Run<'_> {
    let mut r = pre_audit_claimed(w, Kind::OverseasNew, Category::B);
    r.ok(
        &li_wei(),
        not_accept("employer registered outside this jurisdiction"),
    );
    r
}

fn withdrawn(w: &World) -> Run<'_> {
    let mut r = pre_audit(w, Kind::OverseasNew, Category::B);
    r.ok(&system(), withdraw("employer withdrew upstream"));
    r
}

fn lapsed(w: &World) -> Run<'_> {
    let mut r = verification_overdue(w);
    r.ok(&wang_fang(), lapse("applicant never came to the window"));
    r
}

/// One case in every stage of DOMAIN.md.
fn every_stage(w: &World) -> Vec<Run<'_>> {
    let runs = vec![
        pre_audit(w, Kind::OverseasNew, Category::B),
        returned_from_pre_audit(w),
        review(w, Kind::OverseasNew, Category::B),
        decision(w, Kind::OverseasNew, Category::B, Verdict::Approve),
        notified(w, Kind::OverseasNew, Category::B),
        verification_overdue(w),
        completed(w),
        refused(w),
        not_accepted(w),
        withdrawn(w),
        lapsed(w),
    ];
    let stages: Vec<Stage> = runs.iter().map(|r| r.case.stage).collect();
    assert_eq!(stages, Stage::ALL, "one case per stage");
    runs
}

// ---------------------------------------------------------------------------------------------
// The whole table, swept against an independent transcription of DOMAIN.md
// ---------------------------------------------------------------------------------------------

/// DOMAIN.md's transition table, written out by hand: the roles that may take `action` in the
/// case's stage and the stage it leads to, or `None` when the table has no such row. "Approver"
/// rows include supervisors ("everything an approver may").
fn domain_row(case: &Case, action: &Action) -> Option<(&'static [Role], Stage)> {
    use Role::*;
    use Stage::*;
    const REVIEWERS: &[Role] = &[Approver, Supervisor];
    const OPEN: [Stage; 6] = [PreAudit, Returned, Review, Decision, Notified, Verification];
    let stage = case.stage;
    let row: (&'static [Role], Stage) = match (action, stage) {
        (Action::Approve { .. }, PreAudit) => (REVIEWERS, Review),
        (Action::Return { .. }, PreAudit) => (REVIEWERS, Returned),
        (Action::NotAccept { .. }, PreAudit) => (REVIEWERS, NotAccepted),
        (Action::Resubmit, Returned) => (&[System, Admin], case.returned_from?),
        (Action::Approve { .. } | Action::Refuse { .. }, Review) => (REVIEWERS, Decision),
        (Action::Return { .. }, Review) => (REVIEWERS, Returned),
        (Action::Approve { .. }, Decision) => {
            let to = match case.kind {
                Kind::OverseasNew | Kind::NewNotification => Notified,
                _ => Completed,
            };
            (&[Supervisor], to)
        }
        (Action::Refuse { .. }, Decision) => (&[Supervisor], Refused),
        (Action::SendBack { .. }, Decision) => (&[Supervisor], Review),
        (Action::RecordEntry { .. }, Notified) => {
            let to = match case.category {
                Category::A => Completed,
                Category::B | Category::C => Verification,
            };
            (&[Clerk, System], to)
        }
        (Action::CorrectEntry { .. } | Action::Return { .. }, Verification) => {
            (&[Clerk], Verification)
        }
        (Action::Verify { .. }, Verification) => (&[Clerk], Completed),
        (Action::Lapse { .. }, Verification) => (&[Supervisor], Lapsed),
        (Action::AllowLate { .. }, Verification) => (&[Supervisor], Verification),
        (Action::Reopen { .. }, Lapsed) => (&[Supervisor], Verification),
        (Action::Withdraw { .. }, s) if OPEN.contains(&s) => {
            (&[Approver, Supervisor, System], Withdrawn)
        }
        (Action::Claim | Action::Release, PreAudit | Review) => (REVIEWERS, stage),
        (Action::Assign { .. }, PreAudit | Review) => (&[Supervisor], stage),
        (Action::Extend { .. }, Review | Decision) => (&[Supervisor], stage),
        (Action::Note { .. }, _) => (&[Clerk, Approver, Supervisor, Admin, System], stage),
        (Action::ECardRegistered { .. }, Notified | Verification) => (&[System], stage),
        _ => return None,
    };
    Some(row)
}

/// One valid instance of every action (besides submit), for a case on `today`.
fn every_action(today: NaiveDate) -> Vec<Action> {
    vec![
        Action::Claim,
        Action::Release,
        assign("chen.yu"),
        approve_noting("materials in order"),
        ret("please add the notarised degree"),
        refuse("points below the threshold"),
        not_accept("outside this office's jurisdiction"),
        send_back("check the points calculation"),
        withdraw("employer asked to withdraw"),
        Action::Resubmit,
        Action::RecordEntry { date: today },
        Action::CorrectEntry {
            date: today,
            reason: text("entry stamp misread"),
        },
        Action::Verify {
            checklist: passing(today),
        },
        lapse("applicant never came"),
        Action::AllowLate {
            reason: text("the applicant's flight was cancelled"),
        },
        reopen("applicant came with a medical certificate"),
        extend(3, "awaiting a reply from the employer"),
        note("called the employer"),
        Action::ECardRegistered { date: today },
    ]
}

#[test]
fn role_and_stage_sweep() {
    let w = World::new();
    let actors = [
        li_wei(),
        sun_lei(),
        liu_yang(),
        admin(),
        audit_he(),
        system(),
        zhao_min(),
    ];
    let mut allowed = 0;
    let mut refusals = 0;
    for base in every_stage(&w) {
        for action in every_action(base.today) {
            for actor in &actors {
                let mut run = base.clone();
                let claims = actor.has(Role::Approver) || actor.has(Role::Supervisor);
                let claimable = matches!(run.case.stage, Stage::PreAudit | Stage::Review);
                // Approvers and supervisors act on cases they hold (the claim rules have
                // their own tests below).
                if actor.active && claims && claimable && !matches!(action, Action::Claim) {
                    run.ok(actor, Action::Claim);
                }
                let what = format!("{} by {} in {}", action.name(), actor.name, run.case.stage);
                let result = run.attempt(actor, action.clone());
                let row = domain_row(&run.case, &action);
                match (actor.active, row, result) {
                    (false, _, Err(r)) => {
                        assert!(matches!(r, Refusal::Inactive { .. }), "{what}: {r:?}");
                        assert_eq!(r.exit_code(), 3, "{what}");
                        refusals += 1;
                    }
                    (true, None, Err(r)) => {
                        assert!(
                            matches!(r, Refusal::WrongStage { stage, .. } if stage == run.case.stage),
                            "{what}: the table has no such row, expected WrongStage, got {r:?}"
                        );
                        assert_eq!(r.exit_code(), 3, "{what}");
                        refusals += 1;
                    }
                    (true, Some((roles, _)), Err(r))
                        if !roles.iter().any(|role| actor.has(*role)) =>
                    {
                        // The roles a person could be given (the system role is not one).
                        // A system-only action names the system, so the message is never empty.
                        let mut people: BTreeSet<Role> = roles
                            .iter()
                            .copied()
                            .filter(|r| *r != Role::System)
                            .collect();
                        if people.is_empty() {
                            people.insert(Role::System);
                        }
                        assert!(
                            matches!(&r, Refusal::WrongRole { needs, has, .. }
                                if needs.iter().copied().collect::<BTreeSet<_>>() == people
                                    && *has == actor.roles),
                            "{what}: expected WrongRole needing {people:?}, got {r:?}"
                        );
                        assert_eq!(r.exit_code(), 3, "{what}");
                        refusals += 1;
                    }
                    (true, Some(_), Err(r))
                        if run.case.stage == Stage::Decision
                            && matches!(action, Action::Withdraw { .. })
                            && actor.has(Role::System) =>
                    {
                        assert!(
                            matches!(
                                r,
                                Refusal::UpstreamConflict {
                                    stage: Stage::Decision,
                                    ..
                                }
                            ),
                            "{what}: {r:?}"
                        );
                        assert_eq!(r.exit_code(), 4, "{what}");
                        refusals += 1;
                    }
                    // The sweep's verification window has ended: verifying needs an allowance
                    // first (issue 15).
                    (true, Some(_), Err(r @ Refusal::WindowEnded { .. }))
                        if matches!(action, Action::Verify { .. }) =>
                    {
                        assert_eq!(r.exit_code(), 3, "{what}");
                        refusals += 1;
                    }
                    (true, Some((roles, to)), Ok((next, event))) => {
                        assert!(roles.iter().any(|role| actor.has(*role)), "{what}: allowed");
                        assert_eq!(next.stage, to, "{what}");
                        assert_eq!(event.to, to, "{what}");
                        assert!(
                            roles.contains(&event.role),
                            "{what}: event role {}",
                            event.role
                        );
                        assert_eq!(next.version, run.case.version + 1, "{what}");
                        run.case = next;
                        run.events.push(event);
                        allowed += 1;
                    }
                    (active, row, result) => panic!(
                        "{what}: active={active}, table row {row:?}, but the domain said {:?}",
                        result.map(|(c, _)| c.stage)
                    ),
                }
            }
        }
    }
    // 11 stages x 19 actions x 7 actors.
    assert_eq!(allowed + refusals, 11 * 19 * 7);
    assert!(allowed > 50, "only {allowed} transitions were allowed");
}

// ---------------------------------------------------------------------------------------------
// pre_audit
// ---------------------------------------------------------------------------------------------

#[test]
fn pre_audit_accept_goes_to_review_and_starts_the_decision_clock() {
    let w = World::new();
    let mut r = pre_audit_claimed(&w, Kind::OverseasNew, Category::B);
    assert_eq!(r.holder(), Some("li.wei"));
    r.on("2026-03-03").ok(&li_wei(), approve());
    assert_eq!(r.case.stage, Stage::Review);
    assert_eq!(r.holder(), None, "the pre-audit claim ends with pre-audit");
    assert_eq!(r.case.pre_audit.ended, Some(d("2026-03-03")));
    let clock = r.case.decision.as_ref().expect("decision clock");
    assert_eq!(clock.started, d("2026-03-03"));
    assert_eq!(clock.ended, None);
    assert_eq!(r.case.recommendation, None);
    assert_eq!(r.last_event().role, Role::Approver);
}

#[test]
fn pre_audit_return_keeps_the_holder_and_remembers_the_stage() {
    let w = World::new();
    let r = returned_from_pre_audit(&w);
    assert_eq!(r.case.stage, Stage::Returned);
    assert_eq!(r.case.returned_from, Some(Stage::PreAudit));
    assert_eq!(
        r.holder(),
        Some("li.wei"),
        "a returned case keeps its holder"
    );
    assert_eq!(r.case.pre_audit.paused_since, Some(d("2026-03-03")));
    assert!(r.case.is_open());
}

#[test]
fn pre_audit_not_accept_closes_the_case() {
    let w = World::new();
    let r = not_accepted(&w);
    assert_eq!(r.case.stage, Stage::NotAccepted);
    assert_eq!(r.holder(), None);
    assert_eq!(r.case.closed_on, Some(d("2026-03-02")));
    assert_eq!(r.case.pre_audit.ended, Some(d("2026-03-02")));
    assert!(!r.case.is_open());
}

#[test]
fn refuse_in_pre_audit_is_refused_with_a_hint_to_use_not_accept() {
    let w = World::new();
    let r = pre_audit_claimed(&w, Kind::OverseasNew, Category::B);
    let refusal = refused!(
        r,
        li_wei(),
        refuse("ineligible"),
        Refusal::WrongStage {
            stage: Stage::PreAudit,
            hint: Some(_),
            ..
        },
        3
    );
    let message = refusal.to_string();
    assert!(message.contains("not-accept"), "{message}");
    assert!(message.contains("refuse"), "{message}");
}

#[test]
fn resubmission_returns_to_the_stage_it_came_from() {
    let w = World::new();

    // Returned from pre-audit, resubmitted upstream (sync) on Thu 03-05.
    let mut r = returned_from_pre_audit(&w);
    r.on("2026-03-05").ok(&system(), Action::Resubmit);
    assert_eq!(r.case.stage, Stage::PreAudit);
    assert_eq!(r.case.returned_from, None);
    assert_eq!(r.last_event().role, Role::System);
    assert_eq!(
        r.case.pre_audit.started,
        d("2026-03-05"),
        "pre-audit restarts"
    );
    assert_eq!(r.case.pre_audit.paused_since, None);

    // The same by an admin (manual resubmit).
    let mut r = returned_from_pre_audit(&w);
    r.on("2026-03-05").ok(&admin(), Action::Resubmit);
    assert_eq!(r.case.stage, Stage::PreAudit);
    assert_eq!(r.last_event().role, Role::Admin);

    // Returned from review: back to review, the decision clock's pause closed on 03-06.
    let mut r = returned_from_review(&w);
    assert_eq!(r.case.returned_from, Some(Stage::Review));
    assert_eq!(r.holder(), Some("li.wei"));
    let pauses = &r.case.decision.as_ref().expect("clock").pauses;
    assert_eq!(pauses.len(), 1);
    assert_eq!((pauses[0].from, pauses[0].until), (d("2026-03-04"), None));
    r.on("2026-03-06").ok(&system(), Action::Resubmit);
    assert_eq!(r.case.stage, Stage::Review);
    assert_eq!(r.case.returned_from, None);
    let pauses = &r.case.decision.as_ref().expect("clock").pauses;
    assert_eq!(pauses[0].until, Some(d("2026-03-06")));

    // Only system and admin resubmit.
    let r = returned_from_review(&w);
    for actor in [li_wei(), wang_fang(), liu_yang(), audit_he()] {
        refused!(r, actor, Action::Resubmit, Refusal::WrongRole { .. }, 3);
    }
}

#[test]
fn resubmission_gives_the_case_back_to_its_holder() {
    let w = World::new();
    let mut r = returned_from_pre_audit(&w);
    r.on("2026-03-05").ok(&system(), Action::Resubmit);
    assert_eq!(r.case.stage, Stage::PreAudit);
    assert_eq!(
        r.holder(),
        Some("li.wei"),
        "back in pre-audit with its holder"
    );
    // ...so the holder may act at once, without claiming again.
    r.ok(&li_wei(), approve());

    let mut r = returned_from_review(&w);
    r.on("2026-03-06").ok(&admin(), Action::Resubmit);
    assert_eq!(r.case.stage, Stage::Review);
    assert_eq!(r.holder(), Some("li.wei"), "back in review with its holder");
}

// ---------------------------------------------------------------------------------------------
// review
// ---------------------------------------------------------------------------------------------

#[test]
fn review_recommendations_go_to_decision() {
    let w = World::new();
    let r = decision(&w, Kind::OverseasNew, Category::B, Verdict::Approve);
    assert_eq!(r.case.stage, Stage::Decision);
    assert_eq!(r.holder(), None, "the review claim ends with review");
    let rec = r.case.recommendation.as_ref().expect("recommendation");
    assert_eq!(rec.verdict, Verdict::Approve);
    assert_eq!(rec.by, "li.wei");
    assert_eq!(rec.on, d("2026-03-04"));

    let r = decision(&w, Kind::OverseasNew, Category::B, Verdict::Refuse);
    assert_eq!(r.case.stage, Stage::Decision);
    let rec = r.case.recommendation.as_ref().expect("recommendation");
    assert_eq!(rec.verdict, Verdict::Refuse);
    assert_eq!(
        rec.reason.as_deref(),
        Some("degree does not match the post")
    );

    // A supervisor may recommend too ("everything an approver may").
    let mut r = review(&w, Kind::DomesticNew, Category::A);
    r.on("2026-03-04")
        .ok(&wang_fang(), Action::Claim)
        .ok(&wang_fang(), approve());
    assert_eq!(r.case.stage, Stage::Decision);
    assert_eq!(r.last_event().role, Role::Supervisor);
}

#[test]
fn review_return_keeps_the_holder() {
    let w = World::new();
    let r = returned_from_review(&w);
    assert_eq!(r.case.stage, Stage::Returned);
    assert_eq!(r.case.returned_from, Some(Stage::Review));
    assert_eq!(r.holder(), Some("li.wei"));
}

// ---------------------------------------------------------------------------------------------
// decision
// ---------------------------------------------------------------------------------------------

#[test]
fn signing_an_approval_depends_on_the_kind() {
    let w = World::new();
    let cases = [
        (Kind::OverseasNew, Stage::Notified),
        (Kind::NewNotification, Stage::Notified),
        (Kind::ECertificate, Stage::Completed),
        (Kind::DomesticNew, Stage::Completed),
        (Kind::Extension, Stage::Completed),
        (Kind::Change, Stage::Completed),
        (Kind::Cancellation, Stage::Completed),
    ];
    for (kind, expected) in cases {
        let mut r = decision(&w, kind, Category::B, Verdict::Approve);
        r.on("2026-03-05").ok(&wang_fang(), approve());
        assert_eq!(r.case.stage, expected, "{kind}");
        assert_eq!(r.last_event().role, Role::Supervisor);
        assert_eq!(r.holder(), None);
        let clock = r.case.decision.as_ref().expect("decision clock");
        assert_eq!(
            clock.ended,
            Some(d("2026-03-05")),
            "{kind}: signing ends the timer"
        );
        assert!(
            r.case.permit_no.is_some(),
            "{kind}: a permit number is issued"
        );
        match expected {
            Stage::Notified => {
                assert_eq!(r.case.notified_on, Some(d("2026-03-05")), "{kind}");
                assert_eq!(r.case.closed_on, None, "{kind}");
                assert!(r.case.is_open());
            }
            _ => {
                assert_eq!(r.case.notified_on, None, "{kind}");
                assert_eq!(r.case.closed_on, Some(d("2026-03-05")), "{kind}");
                assert!(!r.case.is_open());
            }
        }
    }
}

#[test]
fn signing_a_refusal_closes_the_case() {
    let w = World::new();
    let r = refused(&w);
    assert_eq!(r.case.stage, Stage::Refused);
    assert_eq!(r.case.closed_on, Some(d("2026-03-05")));
    assert_eq!(r.case.permit_no, None);
    assert_eq!(
        r.case.decision.as_ref().and_then(|c| c.ended),
        Some(d("2026-03-05"))
    );

    // A refusal against an approve recommendation needs (as every refusal) a reason.
    let r = decision(&w, Kind::OverseasNew, Category::B, Verdict::Approve);
    refused!(
        r,
        wang_fang(),
        refuse(" "),
        Refusal::MissingReason { .. },
        6
    );
}

#[test]
fn four_eyes_the_recommender_cannot_sign() {
    let w = World::new();
    // wang.fang (supervisor) recommends in review...
    let mut r = review(&w, Kind::OverseasNew, Category::B);
    r.on("2026-03-04")
        .ok(&wang_fang(), Action::Claim)
        .ok(&wang_fang(), approve());
    // ...and may sign neither the approval nor a refusal.
    refused!(r, wang_fang(), approve(), Refusal::FourEyes { .. }, 3);
    let refusal = refused!(
        r,
        wang_fang(),
        refuse("changed my mind"),
        Refusal::FourEyes { .. },
        3
    );
    assert!(refusal.to_string().contains("wang.fang"));
    // Another supervisor may.
    r.on("2026-03-05").ok(&sun_lei(), approve());
    assert_eq!(r.case.stage, Stage::Notified);
    assert_eq!(r.last_event().actor, "sun.lei");
}

#[test]
fn signing_against_a_refuse_recommendation_needs_a_reason() {
    let w = World::new();
    let mut r = decision(&w, Kind::DomesticNew, Category::B, Verdict::Refuse);
    r.on("2026-03-05");
    refused!(
        r,
        wang_fang(),
        approve(),
        Refusal::MissingSigningReason { .. },
        6
    );
    refused!(
        r,
        wang_fang(),
        approve_noting("   "),
        Refusal::MissingSigningReason { .. },
        6
    );
    r.ok(
        &wang_fang(),
        approve_noting("the degree is equivalent; see the CSCSE report"),
    );
    assert_eq!(r.case.stage, Stage::Completed);
}

#[test]
fn send_back_returns_to_review() {
    let w = World::new();
    let mut r = decision(&w, Kind::OverseasNew, Category::B, Verdict::Approve);
    r.on("2026-03-05")
        .ok(&wang_fang(), send_back("recheck the points"));
    assert_eq!(r.case.stage, Stage::Review);
    assert_eq!(
        r.case.recommendation, None,
        "the recommendation is withdrawn"
    );
    // The case goes back to the approver who recommended it.
    assert_eq!(r.holder(), Some("li.wei"));
    assert_eq!(r.case.decision.as_ref().and_then(|c| c.ended), None);
    // Only a supervisor sends back, with a reason.
    let r = decision(&w, Kind::OverseasNew, Category::B, Verdict::Approve);
    refused!(r, li_wei(), send_back("x"), Refusal::WrongRole { .. }, 3);
    refused!(
        r,
        wang_fang(),
        send_back(""),
        Refusal::MissingReason { .. },
        6
    );
}

// ---------------------------------------------------------------------------------------------
// notified
// ---------------------------------------------------------------------------------------------

#[test]
fn record_entry_completes_class_a_and_opens_verification_for_b_and_c() {
    let w = World::new();
    for (category, expected) in [
        (Category::A, Stage::Completed),
        (Category::B, Stage::Verification),
        (Category::C, Stage::Verification),
    ] {
        let mut r = notified(&w, Kind::OverseasNew, category);
        r.on("2026-03-09")
            .ok(&liu_yang(), record_entry("2026-03-08"));
        assert_eq!(r.case.stage, expected, "{category}");
        assert_eq!(r.case.entry_date, Some(d("2026-03-08")));
        assert_eq!(r.last_event().role, Role::Clerk);
        match expected {
            Stage::Completed => assert_eq!(r.case.closed_on, Some(d("2026-03-09"))),
            _ => assert_eq!(r.case.closed_on, None),
        }
    }
    // The upstream system may record the entry too (e-card registration data).
    let mut r = notified(&w, Kind::NewNotification, Category::C);
    r.on("2026-03-09").ok(&system(), record_entry("2026-03-09"));
    assert_eq!(r.case.stage, Stage::Verification);
    assert_eq!(r.last_event().role, Role::System);
    // Not an approver or a supervisor.
    let r = notified(&w, Kind::OverseasNew, Category::B);
    refused!(
        r,
        li_wei(),
        record_entry("2026-03-05"),
        Refusal::WrongRole { .. },
        3
    );
    refused!(
        r,
        wang_fang(),
        record_entry("2026-03-05"),
        Refusal::WrongRole { .. },
        3
    );
}

#[test]
fn record_entry_with_a_future_date_is_invalid() {
    let w = World::new();
    let mut r = notified(&w, Kind::OverseasNew, Category::B);
    r.on("2026-03-09");
    let refusal = refused!(
        r,
        liu_yang(),
        record_entry("2026-03-10"),
        Refusal::Invalid { field: "date", .. },
        6
    );
    assert!(refusal.to_string().contains("future"), "{refusal}");
    // Today itself is fine.
    r.ok(&liu_yang(), record_entry("2026-03-09"));
}

#[test]
fn record_entry_before_the_notification_only_for_legacy_and_new_notification() {
    let w = World::new();
    // Notification issued Thu 03-05; entry on Sun 03-01.
    let mut r = notified(&w, Kind::OverseasNew, Category::B);
    r.on("2026-03-09");
    refused!(
        r,
        liu_yang(),
        record_entry("2026-03-01"),
        Refusal::Invalid { field: "date", .. },
        6
    );
    // On the day of the Notification is fine.
    r.ok(&liu_yang(), record_entry("2026-03-05"));

    let mut r = notified(&w, Kind::NewNotification, Category::B);
    r.on("2026-03-09")
        .ok(&liu_yang(), record_entry("2026-03-01"));
    assert_eq!(r.case.stage, Stage::Verification);

    let mut legacy = submission("WP2024110001", Kind::OverseasNew, Category::C);
    legacy.legacy = true;
    let mut r = Run::submit(&w, legacy, "2026-03-02");
    r.ok(&li_wei(), Action::Claim)
        .on("2026-03-03")
        .ok(&li_wei(), approve())
        .ok(&li_wei(), Action::Claim)
        .ok(&li_wei(), approve())
        .on("2026-03-05")
        .ok(&wang_fang(), approve())
        .on("2026-03-09")
        .ok(&liu_yang(), record_entry("2024-10-15"));
    assert_eq!(r.case.stage, Stage::Verification);
    assert_eq!(r.case.entry_date, Some(d("2024-10-15")));
}

#[test]
fn e_card_registration_is_recorded_by_the_system_only() {
    let w = World::new();
    let mut r = notified(&w, Kind::OverseasNew, Category::B);
    r.on("2026-03-09");
    for actor in [liu_yang(), li_wei(), wang_fang(), admin()] {
        refused!(
            r,
            actor,
            Action::ECardRegistered {
                date: d("2026-03-08")
            },
            Refusal::WrongRole { .. },
            3
        );
    }
    refused!(
        r,
        system(),
        Action::ECardRegistered {
            date: d("2026-03-10")
        },
        Refusal::Invalid { .. },
        6
    );
    r.ok(
        &system(),
        Action::ECardRegistered {
            date: d("2026-03-08"),
        },
    );
    assert_eq!(r.case.stage, Stage::Notified);
    assert_eq!(r.case.e_card_registered_on, Some(d("2026-03-08")));

    let mut r = verification(&w, Category::C);
    r.ok(
        &system(),
        Action::ECardRegistered {
            date: d("2026-03-09"),
        },
    );
    assert_eq!(r.case.stage, Stage::Verification);
    assert_eq!(r.case.e_card_registered_on, Some(d("2026-03-09")));

    let r = completed(&w);
    refused!(
        r,
        system(),
        Action::ECardRegistered {
            date: d("2026-03-09")
        },
        Refusal::WrongStage { .. },
        3
    );
}

// ---------------------------------------------------------------------------------------------
// verification and lapsed
// ---------------------------------------------------------------------------------------------

#[test]
fn verify_completes_and_issues_a_decision_document_number() {
    let w = World::new();
    let r = completed(&w);
    assert_eq!(r.case.stage, Stage::Completed);
    assert_eq!(r.case.verified_on, Some(d("2026-03-10")));
    assert_eq!(r.case.closed_on, Some(d("2026-03-10")));
    let doc = r
        .case
        .decision_doc_no
        .as_deref()
        .expect("decision document number");
    assert!(!doc.is_empty());
    assert_eq!(r.last_event().role, Role::Clerk);
    // The exam report seen at the window is kept.
    let exam = r.case.exam_report.as_ref().expect("exam report");
    assert_eq!(exam.issued_on, d("2026-03-03"));
    assert!(exam.domestic);
}

#[test]
fn verify_with_a_failing_checklist_is_refused() {
    let w = World::new();
    let mut r = verification(&w, Category::B);
    r.on("2026-03-10");
    let mut list = passing(d("2026-03-10"));
    list.exam_domestic = false;
    list.visa_valid_until = Some(d("2026-03-09"));
    let refusal = refused!(
        r,
        liu_yang(),
        Action::Verify { checklist: list },
        Refusal::ChecklistFailed { .. },
        6
    );
    let Refusal::ChecklistFailed { failures, .. } = &refusal else {
        unreachable!()
    };
    assert_eq!(failures.len(), 2, "{failures:?}");
    // An exam report older than 6 months: 2026-03-10 - 6 months = 2025-09-10 is the oldest.
    let mut list = passing(d("2026-03-10"));
    list.exam_issued_on = Some(d("2025-09-09"));
    refused!(
        r,
        liu_yang(),
        Action::Verify { checklist: list },
        Refusal::ChecklistFailed { .. },
        6
    );
    let mut list = passing(d("2026-03-10"));
    list.exam_issued_on = Some(d("2025-09-10"));
    list.presented_by = Presenter::Agent;
    list.power_of_attorney = true;
    r.ok(&liu_yang(), Action::Verify { checklist: list });
    assert_eq!(r.case.stage, Stage::Completed);
    // Only a clerk verifies.
    let r = verification(&w, Category::B);
    refused!(
        r,
        wang_fang(),
        Action::Verify {
            checklist: passing(d("2026-03-09"))
        },
        Refusal::WrongRole { .. },
        3
    );
}

#[test]
fn verification_return_keeps_the_stage_and_counts() {
    let w = World::new();
    let mut r = verification(&w, Category::B);
    r.on("2026-03-10")
        .ok(&liu_yang(), ret("copies lack the employer's seal"));
    assert_eq!(r.case.stage, Stage::Verification);
    assert_eq!(r.case.verification_returns, 1);
    assert_eq!(r.case.returned_from, None);
    r.on("2026-03-12")
        .ok(&liu_yang(), ret("exam report from abroad"));
    assert_eq!(r.case.stage, Stage::Verification);
    assert_eq!(r.case.verification_returns, 2);
    // Approvers do not return at the window.
    refused!(r, li_wei(), ret("x"), Refusal::WrongRole { .. }, 3);
}

#[test]
fn correct_entry_updates_the_entry_date() {
    let w = World::new();
    let mut r = verification(&w, Category::B);
    r.on("2026-03-11").ok(
        &liu_yang(),
        correct_entry("2026-03-07", "entry stamp misread"),
    );
    assert_eq!(r.case.stage, Stage::Verification);
    assert_eq!(r.case.entry_date, Some(d("2026-03-07")));
    refused!(
        r,
        liu_yang(),
        correct_entry("2026-03-12", "typo"),
        Refusal::Invalid { .. },
        6
    );
    refused!(
        r,
        liu_yang(),
        correct_entry("2026-03-08", " "),
        Refusal::MissingReason { .. },
        6
    );
    refused!(
        r,
        wang_fang(),
        correct_entry("2026-03-08", "typo"),
        Refusal::WrongRole { .. },
        3
    );
}

#[test]
fn correct_entry_keeps_the_record_entry_rules() {
    let w = World::new();
    // overseas_new, not legacy, Notification of 03-05: record_entry refuses an entry on 03-01...
    let mut r = notified(&w, Kind::OverseasNew, Category::B);
    r.on("2026-03-09");
    refused!(
        r,
        liu_yang(),
        record_entry("2026-03-01"),
        Refusal::Invalid { .. },
        6
    );
    // ...and correcting the entry to 03-01 must be refused the same way.
    r.ok(&liu_yang(), record_entry("2026-03-09"));
    refused!(
        r,
        liu_yang(),
        correct_entry("2026-03-01", "entered before the Notification"),
        Refusal::Invalid { field: "date", .. },
        6
    );
}

#[test]
fn lapse_only_when_overdue_then_reopen() {
    let w = World::new();
    // Entry 03-09: the window closes 04-08 (03-09 + 22 = 03-31, + 8 = 04-08).
    let mut r = verification(&w, Category::B);
    r.on("2026-04-08");
    let refusal = refused!(
        r,
        wang_fang(),
        lapse("never came"),
        Refusal::NotOverdue { .. },
        3
    );
    assert!(refusal.to_string().contains("2026-04-08"), "{refusal}");
    r.on("2026-04-09");
    refused!(
        r,
        liu_yang(),
        lapse("never came"),
        Refusal::WrongRole { .. },
        3
    );
    refused!(r, wang_fang(), lapse(""), Refusal::MissingReason { .. }, 6);
    r.ok(&wang_fang(), lapse("never came"));
    assert_eq!(r.case.stage, Stage::Lapsed);
    assert_eq!(r.case.closed_on, Some(d("2026-04-09")));
    assert!(!r.case.is_open());

    r.on("2026-04-10");
    refused!(r, li_wei(), reopen("x"), Refusal::WrongRole { .. }, 3);
    refused!(
        r,
        wang_fang(),
        reopen(" "),
        Refusal::MissingReason { .. },
        6
    );
    refused!(r, system(), withdraw("x"), Refusal::WrongStage { .. }, 3);
    r.ok(&wang_fang(), reopen("applicant was in hospital"));
    assert_eq!(r.case.stage, Stage::Verification);
    assert_eq!(r.case.closed_on, None);
    // Verification goes on as before.
    r.ok(
        &liu_yang(),
        Action::Verify {
            checklist: passing(d("2026-04-10")),
        },
    );
    assert_eq!(r.case.stage, Stage::Completed);
}

// ---------------------------------------------------------------------------------------------
// withdraw
// ---------------------------------------------------------------------------------------------

#[test]
fn withdraw_from_every_open_stage() {
    let w = World::new();
    let open: Vec<Run> = every_stage(&w)
        .into_iter()
        .filter(|r| r.case.is_open())
        .collect();
    assert_eq!(open.len(), 6);
    for base in open {
        let from = base.case.stage;
        // By the approver (the employer asked); in pre-audit they hold it first.
        let mut r = base.clone();
        if from == Stage::PreAudit {
            r.ok(&li_wei(), Action::Claim);
        }
        if from == Stage::Review {
            r.ok(&chen_yu(), Action::Claim);
            r.ok(&chen_yu(), withdraw("employer asked"));
        } else {
            r.ok(&li_wei(), withdraw("employer asked"));
        }
        assert_eq!(r.case.stage, Stage::Withdrawn, "from {from}");
        assert_eq!(r.case.closed_on, Some(r.today), "from {from}");
        assert_eq!(r.holder(), None, "from {from}");
        assert_eq!(r.case.returned_from, None, "from {from}");
        assert_eq!(r.last_event().from, Some(from));

        // By the upstream system, except in decision.
        let mut r = base.clone();
        if from == Stage::Decision {
            let refusal = refused!(
                r,
                system(),
                withdraw("withdrawn upstream"),
                Refusal::UpstreamConflict {
                    stage: Stage::Decision,
                    ..
                },
                4
            );
            assert!(refusal.to_string().contains("supervisor"), "{refusal}");
            // A supervisor resolves it.
            r.ok(&wang_fang(), withdraw("employer confirmed the withdrawal"));
        } else {
            r.ok(&system(), withdraw("withdrawn upstream"));
            assert_eq!(r.last_event().role, Role::System);
        }
        assert_eq!(r.case.stage, Stage::Withdrawn, "from {from}");

        // A withdrawal needs a reason; a clerk cannot withdraw.
        let r = base.clone();
        refused!(r, system(), withdraw(" "), Refusal::MissingReason { .. }, 6);
        refused!(r, liu_yang(), withdraw("x"), Refusal::WrongRole { .. }, 3);
    }
    // Closed stages cannot be withdrawn.
    for base in every_stage(&w).into_iter().filter(|r| !r.case.is_open()) {
        refused!(base, system(), withdraw("x"), Refusal::WrongStage { .. }, 3);
        refused!(
            base,
            wang_fang(),
            withdraw("x"),
            Refusal::WrongStage { .. },
            3
        );
    }
}

#[test]
fn withdrawing_a_case_someone_else_holds_is_a_conflict() {
    let w = World::new();
    let r = pre_audit_claimed(&w, Kind::OverseasNew, Category::B);
    refused!(
        r,
        chen_yu(),
        withdraw("employer asked"),
        Refusal::HeldByOther { .. },
        4
    );
    // The upstream system is not bound by claims.
    let mut r = r.clone();
    r.ok(&system(), withdraw("withdrawn upstream"));
    assert_eq!(r.case.stage, Stage::Withdrawn);
}

// ---------------------------------------------------------------------------------------------
// claims and assignment
// ---------------------------------------------------------------------------------------------

#[test]
fn claims_belong_to_pre_audit_and_review() {
    let w = World::new();
    for base in [
        pre_audit(&w, Kind::OverseasNew, Category::B),
        review(&w, Kind::OverseasNew, Category::B),
    ] {
        let stage = base.case.stage;
        let mut r = base.clone();
        // Unclaimed: "claim it first", for every claimed action.
        for action in [approve(), ret("x"), Action::Release] {
            let refusal = refused!(r, li_wei(), action, Refusal::NotClaimed { .. }, 3);
            assert!(refusal.to_string().contains("claim it first"), "{refusal}");
        }
        if stage == Stage::PreAudit {
            refused!(r, li_wei(), not_accept("x"), Refusal::NotClaimed { .. }, 3);
        } else {
            refused!(r, li_wei(), refuse("x"), Refusal::NotClaimed { .. }, 3);
        }

        r.ok(&li_wei(), Action::Claim);
        assert_eq!(r.case.stage, stage);
        assert_eq!(r.holder(), Some("li.wei"));
        let since = r.case.claim.as_ref().expect("claim").since;
        assert_eq!(since, r.last_event().at);

        // Claiming it again: already held by yourself (3); by someone else: conflict (4).
        refused!(r, li_wei(), Action::Claim, Refusal::AlreadyHeld { .. }, 3);
        let refusal = refused!(r, chen_yu(), Action::Claim, Refusal::HeldByOther { .. }, 4);
        assert!(refusal.to_string().contains("li.wei"), "{refusal}");
        refused!(
            r,
            wang_fang(),
            Action::Claim,
            Refusal::HeldByOther { .. },
            4
        );
        // Acting on a case someone else holds: conflict (4).
        refused!(r, chen_yu(), approve(), Refusal::HeldByOther { .. }, 4);
        refused!(r, chen_yu(), ret("x"), Refusal::HeldByOther { .. }, 4);
        refused!(r, wang_fang(), approve(), Refusal::HeldByOther { .. }, 4);
        // Release by a non-holder: conflict (4).
        refused!(
            r,
            chen_yu(),
            Action::Release,
            Refusal::HeldByOther { .. },
            4
        );
        // Clerks do not claim.
        refused!(r, liu_yang(), Action::Claim, Refusal::WrongRole { .. }, 3);

        r.ok(&li_wei(), Action::Release);
        assert_eq!(r.holder(), None);
        assert_eq!(r.case.stage, stage);
        r.ok(&chen_yu(), Action::Claim);
        assert_eq!(r.holder(), Some("chen.yu"));
    }
    // Claims exist only in pre-audit and review.
    for base in every_stage(&w)
        .into_iter()
        .filter(|r| !matches!(r.case.stage, Stage::PreAudit | Stage::Review))
    {
        for action in [Action::Claim, Action::Release, assign("chen.yu")] {
            let actor = if matches!(action, Action::Assign { .. }) {
                wang_fang()
            } else {
                li_wei()
            };
            let refusal = refused!(
                base,
                actor,
                action,
                Refusal::WrongStage { hint: Some(_), .. },
                3
            );
            assert!(
                refusal.to_string().contains("pre_audit and review"),
                "{refusal}"
            );
        }
    }
}

#[test]
fn supervisors_sign_and_clerks_record_without_claims() {
    let w = World::new();
    let mut r = decision(&w, Kind::OverseasNew, Category::B, Verdict::Approve);
    assert_eq!(r.holder(), None);
    r.on("2026-03-05").ok(&wang_fang(), approve());
    assert_eq!(r.holder(), None);
    r.on("2026-03-09")
        .ok(&liu_yang(), record_entry("2026-03-09"));
    r.ok(
        &liu_yang(),
        Action::Verify {
            checklist: passing(d("2026-03-09")),
        },
    );
    assert_eq!(r.case.stage, Stage::Completed);
}

#[test]
fn assign_to_an_active_approver() {
    let w = World::new();
    let mut r = pre_audit_claimed(&w, Kind::OverseasNew, Category::B);
    // A supervisor reassigns a held case.
    r.ok(&wang_fang(), assign("chen.yu"));
    assert_eq!(r.case.stage, Stage::PreAudit);
    assert_eq!(r.holder(), Some("chen.yu"));
    assert_eq!(r.last_event().role, Role::Supervisor);
    // Now li.wei's actions conflict and chen.yu may act.
    refused!(r, li_wei(), approve(), Refusal::HeldByOther { .. }, 4);
    r.on("2026-03-03").ok(&chen_yu(), approve());
    assert_eq!(r.case.stage, Stage::Review);
    // In review, on an unclaimed case.
    r.ok(&sun_lei(), assign("li.wei"));
    assert_eq!(r.holder(), Some("li.wei"));

    // Not a clerk, a viewer, a disabled user or a stranger; not by an approver; not empty.
    for to in ["liu.yang", "audit.he", "zhao.min", "nobody", "admin"] {
        let refusal = refused!(
            r,
            wang_fang(),
            assign(to),
            Refusal::Invalid { field: "to", .. },
            6
        );
        assert!(refusal.to_string().contains(to), "{refusal}");
    }
    refused!(
        r,
        wang_fang(),
        assign(" "),
        Refusal::Invalid { field: "to", .. },
        6
    );
    refused!(r, li_wei(), assign("chen.yu"), Refusal::WrongRole { .. }, 3);
}

// ---------------------------------------------------------------------------------------------
// extend and note
// ---------------------------------------------------------------------------------------------

#[test]
fn extend_once_by_at_most_ten_working_days() {
    let w = World::new();
    for base in [
        review(&w, Kind::OverseasNew, Category::B),
        decision(&w, Kind::OverseasNew, Category::B, Verdict::Approve),
    ] {
        let stage = base.case.stage;
        let mut r = base.clone();
        refused!(
            r,
            wang_fang(),
            extend(11, "x"),
            Refusal::Invalid { field: "days", .. },
            6
        );
        refused!(
            r,
            wang_fang(),
            extend(0, "x"),
            Refusal::Invalid { field: "days", .. },
            6
        );
        refused!(
            r,
            wang_fang(),
            extend(3, " "),
            Refusal::MissingReason { .. },
            6
        );
        refused!(r, li_wei(), extend(3, "x"), Refusal::WrongRole { .. }, 3);
        r.ok(&wang_fang(), extend(10, "expert opinion requested"));
        assert_eq!(r.case.stage, stage);
        assert_eq!(
            r.case.decision.as_ref().and_then(|c| c.extension_days),
            Some(10)
        );
        let refusal = refused!(
            r,
            sun_lei(),
            extend(1, "again"),
            Refusal::AlreadyExtended { days: 10, .. },
            3
        );
        assert!(refusal.to_string().contains("once"), "{refusal}");
    }
    // Once per case: an extension in review still counts in decision.
    let mut r = review_claimed(&w, Kind::OverseasNew, Category::B);
    r.ok(&wang_fang(), extend(2, "x")).ok(&li_wei(), approve());
    assert_eq!(r.case.stage, Stage::Decision);
    refused!(
        r,
        wang_fang(),
        extend(2, "y"),
        Refusal::AlreadyExtended { days: 2, .. },
        3
    );
    // Not in pre-audit (no decision timer yet) nor after.
    let r = pre_audit(&w, Kind::OverseasNew, Category::B);
    refused!(
        r,
        wang_fang(),
        extend(2, "x"),
        Refusal::WrongStage { .. },
        3
    );
    let r = notified(&w, Kind::OverseasNew, Category::B);
    refused!(
        r,
        wang_fang(),
        extend(2, "x"),
        Refusal::WrongStage { .. },
        3
    );
}

#[test]
fn note_in_every_stage_by_every_role_but_viewer() {
    let w = World::new();
    for base in every_stage(&w) {
        let stage = base.case.stage;
        let mut r = base.clone();
        for (actor, role) in [
            (li_wei(), Role::Approver),
            (wang_fang(), Role::Supervisor),
            (liu_yang(), Role::Clerk),
            (admin(), Role::Admin),
            (system(), Role::System),
        ] {
            let claim = r.case.claim.clone();
            r.ok(&actor, note("called the employer"));
            assert_eq!(r.case.stage, stage);
            assert_eq!(r.case.claim, claim, "a note leaves the claim alone");
            assert_eq!(r.last_event().role, role);
        }
        refused!(r, audit_he(), note("x"), Refusal::WrongRole { .. }, 3);
        refused!(r, zhao_min(), note("x"), Refusal::Inactive { .. }, 3);
        refused!(r, liu_yang(), note("  "), Refusal::MissingReason { .. }, 6);
    }
}

// ---------------------------------------------------------------------------------------------
// Who may act
// ---------------------------------------------------------------------------------------------

#[test]
fn viewer_can_do_nothing() {
    let w = World::new();
    let viewer = audit_he();
    for base in every_stage(&w) {
        for action in every_action(base.today) {
            let name = action.name();
            let refusal = base.refused(&viewer, action);
            assert!(
                matches!(
                    refusal,
                    Refusal::WrongRole { .. } | Refusal::WrongStage { .. }
                ),
                "{name} by a viewer in {}: {refusal:?}",
                base.case.stage
            );
            assert_eq!(refusal.exit_code(), 3);
        }
    }
    // Nor open a case.
    let refusal = submit(
        submission("WP2026039999", Kind::OverseasNew, Category::B),
        &viewer,
        &w.ctx(d("2026-03-02")),
    )
    .expect_err("a viewer cannot submit");
    assert!(matches!(refusal, Refusal::WrongRole { .. }));
}

#[test]
fn admin_resubmits_and_notes_but_does_not_decide() {
    let w = World::new();
    let mut r = returned_from_review(&w);
    r.ok(
        &admin(),
        note("employer phoned: corrected contract uploaded"),
    )
    .on("2026-03-05")
    .ok(&admin(), Action::Resubmit);
    assert_eq!(r.case.stage, Stage::Review);

    let r = pre_audit(&w, Kind::OverseasNew, Category::B);
    for action in [Action::Claim, approve(), not_accept("x")] {
        refused!(r, admin(), action, Refusal::WrongRole { .. }, 3);
    }
    let r = decision(&w, Kind::OverseasNew, Category::B, Verdict::Approve);
    refused!(r, admin(), approve(), Refusal::WrongRole { .. }, 3);
    refused!(r, admin(), refuse("x"), Refusal::WrongRole { .. }, 3);
    refused!(r, admin(), withdraw("x"), Refusal::WrongRole { .. }, 3);
    // An admin may open a case (import).
    let (case, event) = submit(
        submission("WP2026039998", Kind::Extension, Category::A),
        &admin(),
        &w.ctx(d("2026-03-02")),
    )
    .expect("admin import");
    assert_eq!(case.stage, Stage::PreAudit);
    assert_eq!(event.role, Role::Admin);
}

#[test]
fn a_disabled_actor_is_refused_everything() {
    let w = World::new();
    let mut r = pre_audit(&w, Kind::OverseasNew, Category::B);
    let disabled = zhao_min();
    for action in [Action::Claim, note("x"), withdraw("x")] {
        let refusal = refused!(r, disabled, action, Refusal::Inactive { .. }, 3);
        assert!(refusal.to_string().contains("zhao.min"), "{refusal}");
    }
    // Even on a case they still hold from before they were disabled.
    let mut active = disabled.clone();
    active.active = true;
    r.ok(&active, Action::Claim);
    refused!(r, disabled, approve(), Refusal::Inactive { .. }, 3);
    // Disabling the system actor disables sync.
    let mut sync = system();
    sync.active = false;
    refused!(r, sync, withdraw("x"), Refusal::Inactive { .. }, 3);
}

#[test]
fn a_system_only_action_is_refused_with_a_readable_message() {
    let w = World::new();
    let r = notified(&w, Kind::OverseasNew, Category::B);
    let refusal = refused!(
        r,
        liu_yang(),
        Action::ECardRegistered {
            date: d("2026-03-05")
        },
        Refusal::WrongRole { .. },
        3
    );
    let message = refusal.to_string();
    assert!(!message.contains("no role"), "{message}");
}

#[test]
fn the_event_records_the_role_the_transition_requires() {
    let w = World::new();
    // One person who is approver, supervisor and clerk.
    let all = person("zhou.jie", &[Role::Clerk, Role::Approver, Role::Supervisor]);
    let mut r = pre_audit(&w, Kind::OverseasNew, Category::B);
    r.ok(&all, Action::Claim);
    assert_eq!(r.last_event().role, Role::Approver);
    r.ok(&all, approve());
    assert_eq!(r.last_event().role, Role::Approver);
    r.ok(&li_wei(), Action::Claim).ok(&li_wei(), approve());
    r.ok(&all, approve());
    assert_eq!(r.last_event().role, Role::Supervisor);
    r.ok(&all, record_entry("2026-03-02"));
    assert_eq!(r.last_event().role, Role::Clerk);
    r.ok(
        &all,
        Action::Verify {
            checklist: passing(d("2026-03-02")),
        },
    );
    assert_eq!(r.last_event().role, Role::Clerk);
    assert_eq!(r.case.stage, Stage::Completed);
}

// ---------------------------------------------------------------------------------------------
// Input checks and their order
// ---------------------------------------------------------------------------------------------

#[test]
fn input_is_checked_before_stage_role_and_claim() {
    let w = World::new();
    let r = pre_audit(&w, Kind::OverseasNew, Category::B);
    // send_back does not exist in pre-audit, but a missing reason is reported first (6, not 3).
    refused!(
        r,
        wang_fang(),
        send_back(""),
        Refusal::MissingReason { .. },
        6
    );
    refused!(r, wang_fang(), lapse(" "), Refusal::MissingReason { .. }, 6);
    // Before the role: a clerk's empty return in pre-audit.
    refused!(r, liu_yang(), ret(""), Refusal::MissingReason { .. }, 6);
    // Before the claim: an unclaimed case, empty reason.
    refused!(
        r,
        li_wei(),
        not_accept("\t"),
        Refusal::MissingReason { .. },
        6
    );
    // A future date on a wrong-stage record_entry.
    refused!(
        r,
        liu_yang(),
        record_entry("2026-03-03"),
        Refusal::Invalid { .. },
        6
    );
    // An invalid extension in pre-audit.
    refused!(r, wang_fang(), extend(11, "x"), Refusal::Invalid { .. }, 6);
    // With valid input, the stage is what is wrong.
    refused!(
        r,
        wang_fang(),
        send_back("x"),
        Refusal::WrongStage { .. },
        3
    );
}

/// Builds an action around a reason.
type MakeAction = fn(String) -> Action;

#[test]
fn every_reason_is_required_and_bounded() {
    let w = World::new();
    let long = "长".repeat(4001);
    let max = "长".repeat(4000);
    let cases: Vec<(Run, Actor, MakeAction)> = vec![
        (
            pre_audit_claimed(&w, Kind::OverseasNew, Category::B),
            li_wei(),
            |s| Action::Return { reason: s },
        ),
        (
            pre_audit_claimed(&w, Kind::OverseasNew, Category::B),
            li_wei(),
            |s| Action::NotAccept { reason: s },
        ),
        (
            review_claimed(&w, Kind::OverseasNew, Category::B),
            li_wei(),
            |s| Action::Refuse { reason: s },
        ),
        (
            review_claimed(&w, Kind::OverseasNew, Category::B),
            li_wei(),
            |s| Action::Return { reason: s },
        ),
        (
            decision(&w, Kind::OverseasNew, Category::B, Verdict::Approve),
            wang_fang(),
            |s| Action::Refuse { reason: s },
        ),
        (
            decision(&w, Kind::OverseasNew, Category::B, Verdict::Approve),
            wang_fang(),
            |s| Action::SendBack { reason: s },
        ),
        (
            decision(&w, Kind::OverseasNew, Category::B, Verdict::Approve),
            wang_fang(),
            |s| Action::Withdraw { reason: s },
        ),
        (verification(&w, Category::B), liu_yang(), |s| {
            Action::Return { reason: s }
        }),
        (verification(&w, Category::B), liu_yang(), |s| {
            Action::CorrectEntry {
                date: d("2026-03-08"),
                reason: s,
            }
        }),
        (verification_overdue(&w), wang_fang(), |s| Action::Lapse {
            reason: s,
        }),
        (lapsed(&w), wang_fang(), |s| Action::Reopen { reason: s }),
        (
            review(&w, Kind::OverseasNew, Category::B),
            wang_fang(),
            |s| Action::Extend { days: 2, reason: s },
        ),
        (completed(&w), liu_yang(), |s| Action::Note { text: s }),
    ];
    for (run, actor, make) in cases {
        let name = make(String::new()).name();
        for blank in ["", " ", "\n\t "] {
            let refusal = refused!(
                run,
                actor,
                make(blank.to_string()),
                Refusal::MissingReason { .. },
                6
            );
            let needs = if name == "note" {
                "needs text (--text)"
            } else {
                "needs a reason"
            };
            assert!(refusal.to_string().contains(needs), "{name}: {refusal}");
        }
        let field = make(String::new()).text_field();
        let refusal = refused!(run, actor, make(long.clone()), Refusal::Invalid { .. }, 6);
        assert!(
            refusal.to_string().contains(&format!("{field}: ")),
            "{name}: {refusal}"
        );
        for unsafe_text in [
            "seal\x1b[2J missing",
            "seal\rmissing",
            "seal \u{202e}gnissim",
        ] {
            let refusal = refused!(
                run,
                actor,
                make(unsafe_text.to_string()),
                Refusal::Invalid { .. },
                6
            );
            assert!(
                refusal.to_string().contains(&format!("{field}: ")),
                "{name}: {refusal}"
            );
        }
        // Invisible characters are named by code point and place (issue 16, item 4).
        for (hidden_text, found) in [
            ("seal\u{200B}missing", "U+200B at position 5"),
            ("seal\u{AD}missing", "U+00AD at position 5"),
            ("seal missing\u{E0041}", "U+E0041 at position 13"),
            ("seal\u{2028}missing", "U+2028 at position 5"),
        ] {
            let refusal = refused!(
                run,
                actor,
                make(hidden_text.to_string()),
                Refusal::Invalid { .. },
                6
            );
            assert!(
                refusal
                    .to_string()
                    .contains(&format!("{field}: contains an invisible character {found}")),
                "{name}: {refusal}"
            );
        }
        let mut multiline = run.clone();
        multiline.ok(&actor, make("line one\nline two\twith a tab".to_string()));
        let mut run = run.clone();
        run.ok(&actor, make(max.clone()));
        assert_eq!(
            run.last_event().action.reason(),
            Some(max.as_str()),
            "{name}"
        );
    }
}

#[test]
fn submit_checks_the_submission_and_the_role() {
    let w = World::new();
    let ctx = w.ctx(d("2026-03-02"));
    let good = submission("WP2026030009", Kind::OverseasNew, Category::B);
    for actor in [li_wei(), wang_fang(), liu_yang()] {
        let refusal = submit(good.clone(), &actor, &ctx).expect_err("people do not submit");
        assert!(matches!(refusal, Refusal::WrongRole { .. }), "{refusal:?}");
        assert_eq!(refusal.exit_code(), 3);
    }
    let invalid = |s: Submission, field: &str| {
        let refusal = submit(s, &system(), &ctx).expect_err("invalid submission");
        assert!(
            matches!(&refusal, Refusal::Invalid { field: f, .. } if *f == field),
            "{field}: {refusal:?}"
        );
        assert_eq!(refusal.exit_code(), 6);
    };
    // Lower case is corrected, not refused (issue 15); other characters are refused.
    let mut s = good.clone();
    s.applicant.passport_no = "E12-34".into();
    invalid(s, "applicant.passport_no");
    let mut s = good.clone();
    s.applicant.nationality = "US".into();
    invalid(s, "applicant.nationality");
    let mut s = good.clone();
    s.employer.uscc = "91440101MA5CQ7H2XD".into();
    invalid(s, "employer.uscc");
    let mut s = good.clone();
    s.case_no = "WP 1".into();
    invalid(s, "case_no");
    let mut s = good.clone();
    s.entry_date = Some(d("2026-01-10"));
    invalid(s, "entry_date");
    // Entry dates are allowed on new_notification and legacy cases.
    let mut s = good.clone();
    s.kind = Kind::NewNotification;
    s.entry_date = Some(d("2026-01-10"));
    let (case, _) = submit(s, &system(), &ctx).expect("new_notification with entry");
    assert_eq!(case.entry_date, Some(d("2026-01-10")));
    // No social security number is ever required, nor a native name.
    let (case, event) = submit(good, &system(), &ctx).expect("valid");
    assert_eq!(case.submitted_at, event.at);
    assert_eq!(case.pre_audit.started, d("2026-03-02"));
    assert_eq!(case.claim, None);
}

#[test]
fn submit_folds_identifiers_and_refuses_invisible_characters() {
    let w = World::new();
    let ctx = w.ctx(d("2026-03-02"));
    let mut wide = submission("ｗｐ２０２６０３０００９", Kind::OverseasNew, Category::B);
    wide.applicant.passport_no = " ｅ12345678 ".into();
    wide.employer.uscc = "91440101ma5cq7h2xc".into();
    let (case, event) = submit(wide, &system(), &ctx).expect("folded");
    assert_eq!(case.case_no, "WP2026030009");
    assert_eq!(event.case_no, "WP2026030009");
    assert_eq!(case.applicant.passport_no, "E12345678");
    assert_eq!(case.employer.uscc, "91440101MA5CQ7H2XC");
    let good = submission("WP2026030010", Kind::OverseasNew, Category::B);
    let refused = |s: Submission| submit(s, &system(), &ctx).expect_err("refused").to_string();
    let mut s = good.clone();
    s.case_no = "WP2026\u{200D}030010".into();
    assert!(refused(s).ends_with("case_no: contains an invisible character U+200D at position 7"),);
    let mut s = good.clone();
    s.applicant.passport_no = "E1234\u{FEFF}5678".into();
    assert!(
        refused(s).ends_with(
            "applicant.passport_no: contains an invisible character U+FEFF at position 6"
        )
    );
    let mut s = good.clone();
    s.employer.name = "Guangzhou\u{200B}Example".into();
    assert!(
        refused(s)
            .ends_with("employer.name: contains an invisible character U+200B at position 10")
    );
    let mut s = good.clone();
    s.applicant.name_native = Some("李\u{3164}伟".into());
    assert!(
        refused(s).ends_with(
            "applicant.name_native: contains an invisible character U+3164 at position 2"
        )
    );
    let mut s = good;
    s.position = Some("Engineer\u{E0001}".into());
    assert!(
        refused(s).ends_with("position: contains an invisible character U+E0001 at position 9")
    );
}

// ---------------------------------------------------------------------------------------------
// Refusals and exit codes, history
// ---------------------------------------------------------------------------------------------

#[test]
fn refusal_exit_codes() {
    let c = || CASE_NO.to_string();
    let codes = [
        (
            Refusal::WrongStage {
                case_no: c(),
                action: ActionKind::Verify,
                stage: Stage::Review,
                hint: None,
            },
            3,
        ),
        (
            Refusal::WrongRole {
                case_no: c(),
                action: ActionKind::Verify,
                stage: Stage::Verification,
                user: "li.wei".into(),
                needs: vec![Role::Clerk],
                has: vec![Role::Approver],
            },
            3,
        ),
        (
            Refusal::Inactive {
                user: "zhao.min".into(),
            },
            3,
        ),
        (
            Refusal::FourEyes {
                case_no: c(),
                user: "wang.fang".into(),
            },
            3,
        ),
        (Refusal::NotClaimed { case_no: c() }, 3),
        (
            Refusal::AlreadyHeld {
                case_no: c(),
                user: "li.wei".into(),
            },
            3,
        ),
        (
            Refusal::NotOverdue {
                case_no: c(),
                due: "2026-04-08".into(),
            },
            3,
        ),
        (
            Refusal::AlreadyExtended {
                case_no: c(),
                days: 5,
            },
            3,
        ),
        (
            Refusal::HeldByOther {
                case_no: c(),
                holder: "li.wei".into(),
            },
            4,
        ),
        (
            Refusal::UpstreamConflict {
                case_no: c(),
                action: ActionKind::Withdraw,
                stage: Stage::Decision,
            },
            4,
        ),
        (
            Refusal::MissingReason {
                case_no: c(),
                action: ActionKind::Return,
            },
            6,
        ),
        (Refusal::MissingSigningReason { case_no: c() }, 6),
        (Refusal::MissingResolutionReason { case_no: c() }, 6),
        (
            Refusal::Invalid {
                case_no: c(),
                field: "date",
                message: "in the future".into(),
            },
            6,
        ),
        (
            Refusal::ChecklistFailed {
                case_no: c(),
                failures: vec![permitdesk::domain::checklist::ChecklistRule::NoOriginals],
            },
            6,
        ),
    ];
    for (refusal, code) in codes {
        assert_eq!(refusal.exit_code(), code, "{refusal:?}");
        assert!(!refusal.to_string().is_empty());
    }
    let message = Refusal::WrongRole {
        case_no: c(),
        action: ActionKind::Verify,
        stage: Stage::Verification,
        user: "li.wei".into(),
        needs: vec![Role::Clerk],
        has: vec![Role::Approver],
    }
    .to_string();
    assert!(
        message.contains("clerk") && message.contains("li.wei"),
        "{message}"
    );
}

/// Every path through the table, in one history each.
fn long_paths(w: &World) -> Vec<Run<'_>> {
    let mut paths = every_stage(w);

    // Returned twice, sent back, extended, notified, entered, returned at the window, lapsed,
    // reopened and verified.
    let mut r = pre_audit(w, Kind::NewNotification, Category::C);
    r.ok(&li_wei(), Action::Claim)
        .ok(&li_wei(), Action::Release)
        .ok(&li_wei(), Action::Claim)
        .ok(&li_wei(), ret("a"))
        .on("2026-03-03")
        .ok(&system(), Action::Resubmit);
    if r.holder().is_none() {
        r.ok(&li_wei(), Action::Claim);
    }
    r.ok(&li_wei(), approve())
        .ok(&wang_fang(), assign("chen.yu"))
        .ok(&chen_yu(), ret("b"))
        .on("2026-03-05")
        .ok(&admin(), Action::Resubmit);
    if r.holder().is_none() {
        r.ok(&chen_yu(), Action::Claim);
    }
    r.ok(&chen_yu(), refuse("c"))
        .ok(&wang_fang(), send_back("d"))
        .ok(&wang_fang(), extend(4, "e"));
    if r.holder() != Some("chen.yu") {
        r.ok(&wang_fang(), assign("chen.yu"));
    }
    r.ok(&chen_yu(), approve())
        .on("2026-03-06")
        .ok(&sun_lei(), approve())
        .on("2026-03-09")
        .ok(
            &system(),
            Action::ECardRegistered {
                date: d("2026-03-08"),
            },
        )
        .ok(&system(), record_entry("2026-03-08"))
        .ok(&liu_yang(), ret("f"))
        .ok(&liu_yang(), correct_entry("2026-03-07", "g"))
        .on("2026-04-07")
        .ok(&wang_fang(), lapse("h"))
        .on("2026-04-08")
        .ok(&wang_fang(), reopen("i"))
        .ok(
            &liu_yang(),
            Action::Verify {
                checklist: passing(d("2026-04-08")),
            },
        )
        .ok(&admin(), note("j"));
    assert_eq!(r.case.stage, Stage::Completed);
    assert_eq!(r.case.verification_returns, 1);
    paths.push(r);

    // Class A abroad: completed on entry.
    let mut r = notified(w, Kind::OverseasNew, Category::A);
    r.on("2026-03-06")
        .ok(&liu_yang(), record_entry("2026-03-06"));
    assert_eq!(r.case.stage, Stage::Completed);
    paths.push(r);

    // A domestic case refused at signing after a refuse recommendation.
    let mut r = decision(w, Kind::DomesticNew, Category::C, Verdict::Refuse);
    r.on("2026-03-05").ok(&sun_lei(), refuse("quota exhausted"));
    paths.push(r);

    // Withdrawn while returned from review.
    let mut r = returned_from_review(w);
    r.on("2026-03-06")
        .ok(&system(), withdraw("employer withdrew"));
    paths.push(r);
    paths
}

#[test]
fn replay_rebuilds_every_driven_case() {
    let w = World::new();
    for run in long_paths(&w) {
        let rebuilt = replay(&run.events).expect("replay").expect("case");
        assert_eq!(rebuilt, run.case, "{}", run.case.case_no);
        assert_eq!(rebuilt.version, run.events.len() as i64);
        // Each prefix of the history rebuilds an earlier version.
        for n in 1..run.events.len() {
            let earlier = replay(&run.events[..n]).expect("prefix").expect("case");
            assert_eq!(earlier.version, n as i64);
        }
    }
    assert_eq!(replay(std::iter::empty::<&Event>()).expect("empty"), None);
}

#[test]
fn replay_rejects_a_tampered_history() {
    let w = World::new();
    let r = completed(&w);
    // An event claiming a different target stage does not fit.
    let mut events = r.events.clone();
    let last = events.last_mut().expect("event");
    last.to = Stage::Refused;
    assert!(replay(&events).is_err());
    // An event out of order does not fit either (verify before the entry).
    let mut events = r.events.clone();
    let n = events.len();
    events.swap(n - 1, n - 2);
    assert!(replay(&events).is_err());
    // Nor a history that does not start with the submission.
    assert!(replay(&r.events[1..]).is_err());
}

fn round_trip(event: &Event) -> Result<Event, String> {
    let json = serde_json::to_string(event).map_err(|e| e.to_string())?;
    serde_json::from_str::<Event>(&json).map_err(|e| format!("{e} in {json}"))
}

#[test]
fn events_round_trip_through_json() {
    let w = World::new();
    let mut seen = BTreeSet::new();
    for run in long_paths(&w) {
        for event in &run.events {
            if matches!(event.action, Action::Assign { .. }) {
                continue; // see assign_events_round_trip_through_json
            }
            let back = round_trip(event).unwrap_or_else(|e| panic!("{}: {e}", event.action.name()));
            assert_eq!(&back, event);
            seen.insert(event.action.name());
        }
    }
    // Every action of the table went through JSON.
    for name in [
        "submit",
        "claim",
        "release",
        "approve",
        "return",
        "refuse",
        "not_accept",
        "send_back",
        "withdraw",
        "resubmit",
        "record_entry",
        "correct_entry",
        "verify",
        "lapse",
        "reopen",
        "extend",
        "note",
        "e_card_registered",
    ] {
        assert!(seen.contains(name), "no {name} event was round-tripped");
    }
}

#[test]
fn assign_events_round_trip_through_json() {
    let w = World::new();
    let mut r = pre_audit(&w, Kind::OverseasNew, Category::B);
    r.ok(&wang_fang(), assign("chen.yu"));
    let event = r.last_event().clone();
    assert_eq!(round_trip(&event).expect("round trip"), event);
}

#[test]
fn clock_now_is_today_in_shanghai() {
    let day = d("2026-02-14");
    let clock = Clock::new(chrono_tz::Asia::Shanghai, Some(day));
    let now = clock.now();
    assert_eq!(now.date_naive(), day);
    assert_eq!(now.offset().local_minus_utc(), 8 * 3600);
    // An event stamped with it is dated that office day.
    let w = World::new();
    let ctx = Context { now, ..w.ctx(day) };
    let (case, event) = submit(
        submission("WP2026021401", Kind::OverseasNew, Category::B),
        &system(),
        &ctx,
    )
    .expect("submit");
    assert_eq!(event.date(), day);
    assert_eq!(case.pre_audit.started, day);
    // Late evening in Shanghai is still the same office day, though UTC has moved on.
    let late = clock.at(day, NaiveTime::from_hms_opt(23, 30, 0).expect("time"));
    assert_eq!(late.date_naive(), day);
    assert_eq!(late.naive_utc().date(), day);
    let early = clock.at(day, NaiveTime::from_hms_opt(7, 0, 0).expect("time"));
    assert_eq!(early.naive_utc().date(), d("2026-02-13"));
}
