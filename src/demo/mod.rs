//! The demo store: a realistic Guangzhou back office built by driving the domain. Every case is
//! a plan of dated steps (submission, claims, pre-audit, review, decision, entry, on-site
//! verification, ...) that is taken through `domain::decide` step by step, so its history
//! replays to the stored case and `check` holds. The same seed, case count and today give the
//! same store, byte for byte.

mod goals;
mod plan;
mod pools;
mod texts;
mod timeline;

use crate::domain::case::Document;
use crate::domain::{Applicant, Case, Employer, Event, Kind, PermitRef, Queue, Role, Submission};
use crate::store::{EncodedHistory, Store, StoreError};
use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use plan::Plan;
use std::sync::mpsc;
use texts::{DOCUMENTS, EXAM_REPORT_DOCUMENT};
use timeline::{Cast, Env, Refused};

pub struct DemoOptions {
    /// At least 100.
    pub cases: u64,
    pub seed: u64,
    pub today: NaiveDate,
    /// The OS login, registered as an admin holding every case role.
    pub os_login: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub cases: u64,
    pub events: u64,
    pub users: Vec<String>,
}

/// The demo users: name, roles, and whether they are still active.
pub const DEMO_USERS: &[(&str, &[Role], bool)] = &[
    ("admin", &[Role::Admin], true),
    ("li.wei", &[Role::Approver], true),
    ("chen.yu", &[Role::Approver], true),
    ("zhao.min", &[Role::Approver], true),
    ("wang.fang", &[Role::Supervisor], true),
    ("sun.lei", &[Role::Supervisor], true),
    ("liu.yang", &[Role::Clerk], true),
    ("zhou.na", &[Role::Clerk], true),
    ("audit.he", &[Role::Viewer], true),
    ("former.staff", &[Role::Approver], false),
];

/// The fewest cases a demo store has: enough for every stage and timer state.
pub const MIN_CASES: u64 = 100;

/// Employers in the pool every case picks from.
const EMPLOYERS: usize = 300;

/// Cases per write transaction.
const CHUNK: usize = 5_000;

/// The roles the OS login gets, so the console opens ready for every action.
const OS_LOGIN_ROLES: &[Role] = &[Role::Clerk, Role::Approver, Role::Supervisor, Role::Admin];

/// Builds the demo into an EMPTY, freshly created store (the caller created it).
/// `progress(done, total)` is called after every chunk of cases is written.
pub fn build(
    store: &mut Store,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<DemoSummary, StoreError> {
    if opts.cases < MIN_CASES {
        return Err(StoreError::Invalid {
            field: "--cases".into(),
            message: format!(
                "a demo store has at least {MIN_CASES} cases, not {}",
                opts.cases
            ),
        });
    }
    if opts.cases > u64::from(u32::MAX) {
        return Err(StoreError::Invalid {
            field: "--cases".into(),
            message: format!("{} cases is more than a demo store holds", opts.cases),
        });
    }
    ensure_empty(store, opts.today)?;
    let users = add_users(store, opts)?;
    // At fixed times, so that one seed always gives the same audit chain.
    let clock = store.clock(Some(opts.today));
    let settled = clock.at(
        opts.today - chrono::Days::new(800),
        NaiveTime::from_hms_opt(9, 30, 0).unwrap_or(NaiveTime::MIN),
    );
    store.change_settings("admin", settled, |s| {
        s.made_by_demo = true;
        s.trust_declared_user = true;
    })?;

    let env = Env::new(
        store.calendar().clone(),
        store.policy().clone(),
        opts.today,
        store.clock(Some(opts.today)),
    );
    let cast = Cast::new(opts.cases);
    let employers = employer_pool(opts.seed);
    let order = submission_order(&env, opts.seed, opts.cases);
    let total = opts.cases;
    let mut events = 0u64;
    let mut done = 0u64;
    std::thread::scope(|scope| -> Result<(), StoreError> {
        let (tx, rx) = mpsc::sync_channel::<Result<Batch, StoreError>>(2);
        let (env, cast, employers, order) = (&env, &cast, &employers, &order);
        let seed = opts.seed;
        let (written_tx, written_rx) = mpsc::channel::<Batch>();
        let generator = move || generate(env, cast, employers, seed, order, &tx, &written_rx);
        std::thread::Builder::new()
            .name("demo-cases".into())
            .spawn_scoped(scope, generator)
            .map_err(|e| StoreError::Invalid {
                field: "demo".into(),
                message: format!("cannot start the case generator: {e}"),
            })?;
        for message in rx {
            let batch = message?;
            store.insert_histories(&batch, opts.today)?;
            done += batch.len() as u64;
            events += batch.iter().map(|h| h.events() as u64).sum::<u64>();
            progress(done, total);
            // Freed by the generator, off the writer's thread.
            let _ = written_tx.send(batch);
        }
        Ok(())
    })?;
    // Users who have left are disabled after the history they took part in: `check` replays
    // who could act in chain order.
    for (name, _, active) in DEMO_USERS {
        if !active {
            let left = clock.at(
                opts.today,
                NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            );
            store.disable_user_at("admin", name, left)?;
        }
    }
    Ok(DemoSummary {
        cases: done,
        events,
        users,
    })
}

/// The cases of one write transaction, encoded.
type Batch = Vec<EncodedHistory>;

/// Makes the cases of `order` chunk by chunk and sends them to the writer, encoding every event
/// here and freeing the batches the writer hands back: the writer thread is the bottleneck of a
/// big build, so it only hashes and inserts.
fn generate(
    env: &Env,
    cast: &Cast,
    employers: &[Employer],
    seed: u64,
    order: &[(i64, u32)],
    to_writer: &mpsc::SyncSender<Result<Batch, StoreError>>,
    written: &mpsc::Receiver<Batch>,
) {
    let mut numbers = CaseNumbers::default();
    for chunk in order.chunks(CHUNK) {
        while written.try_recv().is_ok() {}
        let batch = chunk
            .iter()
            .map(|&(_, index)| {
                let (case, events) =
                    make_case(env, cast, employers, seed, u64::from(index), &mut numbers)?;
                EncodedHistory::new(case, events)
            })
            .collect::<Result<Batch, StoreError>>();
        let stop = batch.is_err();
        if to_writer.send(batch).is_err() || stop {
            return;
        }
    }
}

fn ensure_empty(store: &Store, today: NaiveDate) -> Result<(), StoreError> {
    let counts = store.tab_counts("admin", today)?;
    let cases: i64 = Queue::TABS
        .iter()
        .filter(|q| q.stage().is_some() || **q == Queue::Closed)
        .map(|q| counts.get(*q))
        .sum();
    if cases > 0 || !store.users()?.is_empty() {
        return Err(StoreError::Invalid {
            field: "--db".into(),
            message: format!(
                "{} already holds cases or users; the demo is built only into a new, empty store",
                store.path().display()
            ),
        });
    }
    Ok(())
}

/// A login name the store accepts: 1-64 letters, digits, '.', '_' or '-', and not "system".
fn valid_login(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && name != crate::domain::Actor::SYSTEM
}

fn add_users(store: &mut Store, opts: &DemoOptions) -> Result<Vec<String>, StoreError> {
    // Users exist before the first case, so their creation predates every event.
    let created = store
        .clock(Some(opts.today))
        .at(
            opts.today - chrono::Days::new(800),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
        )
        .to_rfc3339();
    let mut names = Vec::new();
    let mut by: Option<&str> = None;
    for (name, roles, _) in DEMO_USERS {
        store.add_user(by, name, roles, &created)?;
        by = Some("admin");
        names.push(name.to_string());
    }
    let generated = timeline::generated_approvers(opts.cases)
        .into_iter()
        .map(|name| (name, Role::Approver))
        .chain(
            timeline::generated_supervisors(opts.cases)
                .into_iter()
                .map(|name| (name, Role::Supervisor)),
        );
    for (name, role) in generated {
        store.add_user(Some("admin"), &name, &[role], &created)?;
        names.push(name);
    }
    if let Some(login) = opts.os_login.as_deref() {
        let taken = DEMO_USERS.iter().any(|(name, _, _)| *name == login);
        if !taken && valid_login(login) {
            store.add_user(Some("admin"), login, OS_LOGIN_ROLES, &created)?;
            names.push(login.to_string());
        }
    }
    Ok(names)
}

/// Each case's own random stream, independent of every other case's.
fn case_rng(seed: u64, index: u64) -> fastrand::Rng {
    fastrand::Rng::with_seed(splitmix(
        seed ^ splitmix(index.wrapping_add(0x5DEE_CE66_D1CE_4E5B)),
    ))
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Every case index sorted by its submission instant, so case numbers follow submission order.
fn submission_order(env: &Env, seed: u64, cases: u64) -> Vec<(i64, u32)> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8) as u64;
    let per = cases.div_ceil(threads);
    let mut keys: Vec<(i64, u32)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * per).min(cases)..((t + 1) * per).min(cases);
                scope.spawn(move || {
                    range
                        .map(|i| {
                            let mut rng = case_rng(seed, i);
                            let plan = plan::plan(env, i, &mut rng);
                            let day = i64::from(plan.submitted().num_days_from_ce());
                            let secs = i64::from(plan.submitted_time.num_seconds_from_midnight());
                            (day * 86_400 + secs, i as u32)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    keys.sort_unstable();
    keys
}

/// Serial numbers restart every submission year: GZ2026-000001.
#[derive(Default)]
struct CaseNumbers {
    year: i32,
    serial: u32,
}

impl CaseNumbers {
    fn next(&mut self, day: NaiveDate) -> String {
        if day.year() != self.year {
            self.year = day.year();
            self.serial = 0;
        }
        self.serial += 1;
        format!("GZ{}-{:06}", self.year, self.serial)
    }
}

fn make_case(
    env: &Env,
    cast: &Cast,
    employers: &[Employer],
    seed: u64,
    index: u64,
    numbers: &mut CaseNumbers,
) -> Result<(Case, Vec<Event>), StoreError> {
    let mut rng = case_rng(seed, index);
    let plan = plan::plan(env, index, &mut rng);
    let case_no = numbers.next(plan.submitted());
    let submission = submission(&plan, case_no, index, employers, &mut rng);
    let (case, events, refused) = timeline::walk(
        env,
        &cast.crew(index),
        &plan.draft,
        &plan.dates,
        submission,
        plan.submitted_time,
        plan.stand_in,
        &mut rng,
    );
    match (case, refused) {
        (Some(case), None) => Ok((case, events)),
        (Some(case), Some(Refused { message, .. })) if !cfg!(debug_assertions) => {
            tracing::warn!("demo: {message}; the case stops before that step");
            Ok((case, events))
        }
        (_, Some(Refused { message, .. })) => Err(StoreError::Invalid {
            field: "demo".into(),
            message,
        }),
        (None, None) => Err(StoreError::Invalid {
            field: "demo".into(),
            message: format!("case {index} has no steps"),
        }),
    }
}

fn submission(
    plan: &Plan,
    case_no: String,
    index: u64,
    employers: &[Employer],
    rng: &mut fastrand::Rng,
) -> Submission {
    let applicant = applicant(rng);
    // A few employers hire most foreigners.
    let pick = (rng.f64().powi(3) * employers.len() as f64) as usize;
    let employer = employers[pick.min(employers.len() - 1)].clone();
    let position = Some(pools::job_title(rng).to_string());
    // What each kind of application submits (bits of `DOCUMENTS`).
    let base: u8 = match plan.kind {
        Kind::OverseasNew | Kind::NewNotification | Kind::DomesticNew => 0b11111,
        Kind::Extension => 0b10011,
        Kind::Change | Kind::Cancellation => 0b00011,
        Kind::ECertificate => 0b00001,
    };
    let mut present = base | plan.bad_documents;
    if plan.exam_report.is_none() {
        present &= !EXAM_REPORT_DOCUMENT;
    }
    let documents = DOCUMENTS
        .iter()
        .enumerate()
        .filter(|(i, _)| present & (1 << i) != 0)
        .map(|(i, kind)| Document {
            kind: kind.to_string(),
            ok: plan.bad_documents & (1 << i) == 0,
        })
        .collect();
    Submission {
        case_no,
        kind: plan.kind,
        category: plan.category,
        legacy: plan.legacy,
        applicant,
        employer,
        position,
        documents,
        exam_report: plan.exam_report.clone(),
        entry_date: plan.draft.entered,
        permit: plan
            .kind
            .concerns_existing_permit()
            .then(|| existing_permit(plan.kind, index, plan.submitted())),
    }
}

/// The permit a demo case about an existing permit names, derived from the case's index and
/// day alone (the case's random draws stay as they were). Numbers from 50,000,000 up are never
/// issued by a demo store's own sequences. Every sixth exchange is of a permit approved but
/// never collected; the others have not expired (FAQ Q10).
fn existing_permit(kind: Kind, index: u64, submitted: NaiveDate) -> PermitRef {
    let issued_year = submitted.year() - 1 - i32::from(index % 2 == 0);
    let valid_days = match kind {
        Kind::Extension => 10 + index % 50,
        Kind::ECertificate => 30 + index % 600,
        _ => 60 + index % 400,
    };
    PermitRef {
        permit_no: crate::domain::Series::Permit
            .format(issued_year, 50_000_000 + index % 49_999_999),
        expires_on: submitted + chrono::Days::new(valid_days),
        collected: !(kind == Kind::ECertificate && index % 6 == 0),
    }
}

/// The ~300 employers every case picks from, generated once per seed.
fn employer_pool(seed: u64) -> Vec<Employer> {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x00E3_F10E_4500_0001);
    pools::employers(&mut rng, EMPLOYERS)
        .into_iter()
        .map(|e| Employer {
            name: e.name_zh,
            uscc: e.uscc,
        })
        .collect()
}

fn applicant(rng: &mut fastrand::Rng) -> Applicant {
    let person = pools::person(rng);
    let (y, m, d) = person.birth_date;
    Applicant {
        name: person.name,
        name_native: person.name_native,
        passport_no: person.passport_no,
        nationality: person.nationality.to_string(),
        birth_date: NaiveDate::from_ymd_opt(y, m, d),
    }
}
