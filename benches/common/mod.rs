//! What every bench shares: finding (or building) the bench store, the raw engine floor (the same
//! SQL through rusqlite with no permitdesk code), and per-iteration timings for percentiles.
//!
//! - `PERMITDESK_BENCH_DB=PATH`: the store to measure (scripts/bench.sh passes the cached
//!   1,000,000-case demo store). Without it a small demo store is built once and cached under
//!   `target/bench-store/` with `PERMITDESK_BENCH_CASES` cases (default 20,000).
//! - `PERMITDESK_BENCH_QUICK=1` or `cargo bench -- --quick`: tiny warm-up, measurement time and
//!   sample count, to prove in CI that the benches still run. Nothing here ever asserts a time.
//! - `PERMITDESK_BENCH_REPORT=FILE`: appends one tab-separated line per measure (name, n, p50,
//!   p95, p99 in microseconds) for scripts/bench.sh's summary.

#![allow(dead_code)]

use chrono::NaiveDate;
use criterion::Criterion;
use permitdesk::demo::{DemoOptions, build};
use permitdesk::domain::{Action, Calendar, Filter, Queue};
use permitdesk::store::{QueueQuery, Request, Store};
use rusqlite::{Connection, OpenFlags};
use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

pub const TODAY: &str = "2026-11-26";
/// An approver of the demo store with cases of their own.
pub const USER: &str = "li.wei";

pub fn today() -> NaiveDate {
    TODAY.parse().expect("date")
}

pub fn quick() -> bool {
    std::env::var_os("PERMITDESK_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
        || std::env::args().any(|a| a == "--quick")
}

/// Criterion as configured for this suite: its own defaults, or tiny runs in quick mode.
pub fn criterion() -> Criterion {
    let c = Criterion::default();
    if quick() {
        c.warm_up_time(Duration::from_millis(20))
            .measurement_time(Duration::from_millis(100))
            .sample_size(10)
            .nresamples(1000)
            .without_plots()
    } else {
        c.warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3))
            .sample_size(50)
            .without_plots()
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The store the benches read: `PERMITDESK_BENCH_DB`, or a small demo store built once.
pub fn bench_db() -> PathBuf {
    if let Some(path) = std::env::var_os("PERMITDESK_BENCH_DB") {
        let path = PathBuf::from(path);
        assert!(
            path.exists(),
            "PERMITDESK_BENCH_DB={} is missing",
            path.display()
        );
        return path;
    }
    let cases: u64 = std::env::var("PERMITDESK_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = target_dir().join("bench-store");
    let path = dir.join(format!("small-{cases}.db"));
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).expect("bench-store dir");
    let building = dir.join(format!("small-{cases}.db.building"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
    }
    let started = Instant::now();
    {
        let mut store = Store::open(&building, Calendar::embedded()).expect("bench store");
        let options = DemoOptions {
            cases,
            seed: 2026,
            today: today(),
            os_login: None,
        };
        build(&mut store, &options, &mut |_, _| {}).expect("demo build");
        store.checkpoint().expect("checkpoint");
    }
    std::fs::rename(&building, &path).expect("rename bench store");
    eprintln!(
        "built the bench store {} ({cases} cases) in {:.1} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    path
}

pub fn open_store(path: &Path) -> Store {
    Store::open(path, Calendar::embedded()).expect("open store")
}

/// A plain rusqlite connection configured as the store configures its own (WAL, FULL, busy
/// timeout, statement cache), so the floor runs on the same bundled engine with the same settings.
pub fn raw_connection(path: &Path) -> Connection {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("raw connection");
    conn.busy_timeout(Duration::from_secs(5)).expect("busy");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("sync");
    conn.pragma_update(None, "foreign_keys", "ON").expect("fk");
    conn.set_prepared_statement_cache_capacity(64);
    conn
}

/// The columns of a queue row, exactly as `store::cases::ROW_COLUMNS` lists them.
pub const ROW_COLUMNS: &str = "id, case_no, kind, category, stage, legacy, assignee, version, \
     applicant_name, name_native, passport_no, nationality, employer_name, employer_uscc, \
     submitted_at, entry_date, timer, timer_started, due, due_key";

/// A queue row as the engine hands it over: typed columns, no parsing, no deadline arithmetic.
#[derive(Debug)]
pub struct RawRow {
    pub id: i64,
    pub text: [String; 10],
    pub optional: [Option<String>; 6],
    pub legacy: i64,
    pub version: i64,
}

pub fn raw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        id: r.get(0)?,
        text: [
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(8)?,
            r.get(10)?,
            r.get(11)?,
            r.get(12)?,
            r.get(13)?,
            r.get(14)?,
        ],
        optional: [
            r.get(6)?,
            r.get(9)?,
            r.get(15)?,
            r.get(16)?,
            r.get(17)?,
            r.get(18)?,
        ],
        legacy: r.get(5)?,
        version: r.get(7)?,
    })
}

/// Runs a prepared-and-cached query and reads every row.
pub fn raw_rows(conn: &Connection, sql: &str, params: &[&dyn rusqlite::ToSql]) -> Vec<RawRow> {
    let mut stmt = conn.prepare_cached(sql).expect("prepare");
    stmt.query_map(params, raw_row)
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows")
}

pub fn raw_count(conn: &Connection, sql: &str, params: &[&dyn rusqlite::ToSql]) -> i64 {
    conn.prepare_cached(sql)
        .expect("prepare")
        .query_row(params, |r| r.get(0))
        .expect("count")
}

/// Every iteration's own time, so p50/p95/p99 can be told (criterion reports means and medians
/// of batches only).
#[derive(Clone, Default)]
pub struct Samples(Rc<RefCell<Vec<Duration>>>);

impl Samples {
    pub fn new() -> Samples {
        Samples::default()
    }

    /// Times `f` once per iteration criterion asks for.
    pub fn timed<T>(&self, iters: u64, mut f: impl FnMut() -> T) -> Duration {
        let mut total = Duration::ZERO;
        let mut all = self.0.borrow_mut();
        for _ in 0..iters {
            let started = Instant::now();
            std::hint::black_box(f());
            let took = started.elapsed();
            all.push(took);
            total += took;
        }
        total
    }

    /// Adds one time measured by the caller.
    pub fn push(&self, took: Duration) {
        self.0.borrow_mut().push(took);
    }

    /// Prints (and with `PERMITDESK_BENCH_REPORT` appends) the percentiles, then starts over.
    pub fn report(&self, name: &str) {
        let mut all = std::mem::take(&mut *self.0.borrow_mut());
        if all.is_empty() {
            return;
        }
        all.sort_unstable();
        let pct = |p: f64| {
            let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
            all[i].as_secs_f64() * 1e6
        };
        let (p50, p95, p99) = (pct(0.50), pct(0.95), pct(0.99));
        eprintln!(
            "permitdesk-bench {name}: n={} p50={} p95={} p99={}",
            all.len(),
            show(p50),
            show(p95),
            show(p99)
        );
        if let Some(file) = std::env::var_os("PERMITDESK_BENCH_REPORT") {
            let mut out = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .expect("report file");
            writeln!(out, "{name}\t{}\t{p50:.1}\t{p95:.1}\t{p99:.1}", all.len())
                .expect("report line");
        }
    }
}

fn show(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

/// Two employer codes from the store: the employer with the most of the first 5,000 cases (in the
/// demo store it holds about 15 % of all cases) and the one in the middle.
pub fn employer_codes(conn: &Connection) -> (String, String) {
    let employers: Vec<String> = conn
        .prepare(
            "SELECT employer_uscc FROM cases WHERE id <= 5000 \
             GROUP BY employer_uscc ORDER BY count(*) DESC, employer_uscc",
        )
        .expect("employers")
        .query_map([], |r| r.get(0))
        .expect("employers")
        .collect::<rusqlite::Result<_>>()
        .expect("employers");
    (employers[0].clone(), employers[employers.len() / 2].clone())
}

/// How many cases the claims and releases rotate over.
pub const ACT_CASES: usize = 64;

pub fn request(case_no: &str, action: Action) -> Request {
    Request {
        case_no: case_no.to_string(),
        user: USER.into(),
        action,
        expect_version: None,
        expect_stage: None,
        today: Some(today()),
    }
}

/// Unclaimed pre-audit cases the bench user can claim and release again.
pub fn pick_cases(store: &mut Store) -> Vec<String> {
    let page = store
        .page(&QueueQuery {
            queue: Queue::PreAudit,
            filter: Filter::Unclaimed,
            search: None,
            user: USER.into(),
            today: today(),
            sort: Default::default(),
            after: None,
            limit: ACT_CASES * 4,
        })
        .expect("pre-audit page");
    let mut picked = Vec::new();
    for row in page.rows {
        if picked.len() == ACT_CASES {
            break;
        }
        let ok = store.act(request(&row.case_no, Action::Claim)).is_ok()
            && store.act(request(&row.case_no, Action::Release)).is_ok();
        if ok {
            picked.push(row.case_no);
        }
    }
    assert!(!picked.is_empty(), "no pre-audit case to claim");
    picked
}

/// A copy of `source` beside it, named `name`, for a bench that writes; any WAL is folded into
/// the source first (so one file copy is the whole store) and the copy is flushed to disk before
/// returning (or its writeback competes with the commits being measured).
pub fn scratch_copy(source: &Path, name: &str) -> PathBuf {
    open_store(source).checkpoint().expect("checkpoint");
    let target = source
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
        .join(name);
    remove_store(&target);
    let started = Instant::now();
    std::fs::copy(source, &target).expect("copy the bench store");
    std::fs::File::open(&target)
        .and_then(|f| f.sync_all())
        .expect("flush the copy");
    eprintln!(
        "copied the bench store to {} in {:.1} s",
        target.display(),
        started.elapsed().as_secs_f64()
    );
    target
}

/// Removes a store with its WAL and shared-memory files.
pub fn remove_store(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// The `permitdesk` binary of this build: the one cargo built beside this bench (`cargo bench`
/// builds it, in the bench's profile: target/release, or target/debug with `--profile dev`).
pub fn binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_permitdesk") {
        return PathBuf::from(path);
    }
    // target/PROFILE/deps/BENCH-HASH -> target/PROFILE/permitdesk
    let exe = std::env::current_exe().expect("this bench's path");
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("permitdesk"))
        .expect("the profile directory");
    assert!(
        path.exists(),
        "{} is missing: cargo build (in the bench's profile) first",
        path.display()
    );
    path
}

/// A `permitdesk serve` of the bench's own on `db`, trusting declared users (so the bench acts
/// as `USER` on `TODAY`), its socket and log beside the store; stopped (SIGTERM) when dropped.
pub struct Server {
    child: std::process::Child,
    pub socket: PathBuf,
    pub log: PathBuf,
}

impl Server {
    pub fn start(db: &Path) -> Server {
        let name = db.file_name().expect("file name").to_string_lossy();
        let dir = db.parent().expect("the store's directory");
        let socket = dir.join(format!("{name}.sock"));
        let log = dir.join(format!("{name}.serve.log"));
        let group = nix::unistd::Group::from_gid(nix::unistd::getgid())
            .ok()
            .flatten()
            .map(|g| g.name)
            .expect("this user's group has a name");
        let mut child = std::process::Command::new(binary())
            .env("PERMITDESK_LOG", "info")
            .arg("--db")
            .arg(db)
            .arg("serve")
            .arg("--socket")
            .arg(&socket)
            .arg("--group")
            .arg(group)
            .arg("--trust-declared-user")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).expect("server log"))
            .spawn()
            .expect("start permitdesk serve");
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::os::unix::net::UnixStream::connect(&socket).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "permitdesk serve exited ({status}):\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "permitdesk serve did not listen within 60 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        Server { child, socket, log }
    }

    /// A console's session as `USER` on `TODAY`.
    pub fn session(&self) -> permitdesk::remote::client::BlockingSession {
        permitdesk::remote::client::BlockingSession::connect(&self.socket, Some(USER), Some(TODAY))
            .expect("connect to the bench server")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
