//! Many people on one store at once (issue 4): sixteen processes of the real binary act on the same
//! fifty cases at the same time, each acting on what it read from `case list --json` a moment
//! before (so many of its versions are stale by the time it acts). Every action must either
//! commit with its audit event (exit 0) or be refused cleanly: a conflict (4) or a rule (3).
//! Never a BUSY error, never any other exit, and no lost update: per case, the versions the
//! committed actions report are exactly the version increments, the new audit events are exactly
//! the committed actions (who and what), and `check` passes afterwards.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Barrier};
use std::time::Instant;
use support::{json, pd, run_ok};

const TODAY: &str = "2026-11-26";
const WORKERS: usize = 16;
const CASES: usize = 50;
/// Each worker reads the list this many times...
const ROUNDS: usize = 8;
/// ...and acts this many times on what it read.
const ACTIONS_PER_ROUND: usize = 5;

const APPROVERS: [&str; 3] = ["li.wei", "chen.yu", "zhao.min"];
const SUPERVISORS: [&str; 2] = ["wang.fang", "sun.lei"];
const CLERKS: [&str; 2] = ["liu.yang", "zhou.na"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Approver,
    Supervisor,
    Clerk,
}

/// Who each of the sixteen processes is: the same person may well have two terminals open.
fn team() -> Vec<(&'static str, Role)> {
    let mut team = Vec::new();
    for i in 0..9 {
        team.push((APPROVERS[i % 3], Role::Approver));
    }
    for i in 0..4 {
        team.push((SUPERVISORS[i % 2], Role::Supervisor));
    }
    for i in 0..3 {
        team.push((CLERKS[i % 2], Role::Clerk));
    }
    assert_eq!(team.len(), WORKERS);
    team
}

/// xorshift64*: each worker's choices are reproducible from its index.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

#[derive(Debug, Clone)]
struct Row {
    case_no: String,
    stage: String,
    assignee: Option<String>,
    version: i64,
}

fn cli(db: &Path, user: &str) -> Command {
    let mut cmd = pd(db);
    cmd.args(["--as", user, "--today", TODAY]);
    cmd
}

fn rows(db: &Path, user: &str) -> Vec<Row> {
    json(cli(db, user).args(["case", "list", "--queue", "all", "--limit", "10000"]))
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| Row {
            case_no: r["case_no"].as_str().expect("case_no").to_string(),
            stage: r["stage"].as_str().expect("stage").to_string(),
            assignee: r["assignee"].as_str().map(str::to_string),
            version: r["version"].as_i64().expect("version"),
        })
        .collect()
}

fn check(db: &Path) -> Value {
    json(cli(db, "audit.he").arg("check"))
}

/// The chain head's sequence number, from `check`'s `SEQ:HASH`.
fn head_seq(report: &Value) -> i64 {
    report["chain_head"]
        .as_str()
        .and_then(|h| h.split(':').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no chain head in {report}"))
}

fn events(db: &Path, case_no: &str) -> Vec<Value> {
    json(cli(db, "audit.he").args(["case", "show", case_no]))["events"]
        .as_array()
        .cloned()
        .expect("events")
}

/// One attempted action and how it ended.
#[derive(Debug)]
struct Attempt {
    worker: usize,
    user: &'static str,
    case_no: String,
    args: Vec<String>,
    code: i32,
    stderr: String,
    /// For a commit: the action, the case version and the audit sequence it reported.
    committed: Option<(String, i64, i64)>,
}

/// The stages a role works in (DOMAIN.md, "Queues people expect").
fn likes(role: Role, stage: &str) -> bool {
    match role {
        Role::Approver => matches!(stage, "pre_audit" | "review"),
        Role::Supervisor => matches!(stage, "decision" | "review"),
        Role::Clerk => matches!(stage, "verification" | "notified"),
    }
}

impl Attempt {
    fn describe(&self) -> String {
        format!(
            "worker {} as {}: case {}: exit {}: {}",
            self.worker,
            self.user,
            self.args.join(" "),
            self.code,
            self.stderr.trim()
        )
    }
}

/// What `user` in `role` does to a case it saw as `row` (the arguments after `case`).
fn choose(role: Role, user: &str, row: &Row, rng: &mut Rng, tag: &str) -> Vec<String> {
    let v = row.version.to_string();
    let expect = vec!["--expect-version".to_string(), v];
    let s = |x: &str| x.to_string();
    let with = |mut a: Vec<String>, expect: &[String]| {
        a.extend_from_slice(expect);
        a
    };
    let note = |rng: &mut Rng| {
        let args = vec![
            s("note"),
            row.case_no.clone(),
            s("--text"),
            format!("note {tag}"),
        ];
        // A third of the notes name no version: they must all commit, one after another.
        if rng.below(3) == 0 {
            args
        } else {
            with(args, &expect)
        }
    };
    let reason = |verb: &str| {
        vec![
            s(verb),
            row.case_no.clone(),
            s("--reason"),
            format!("{verb} {tag}"),
        ]
    };
    let claimable = row.stage == "pre_audit" || row.stage == "review";
    match role {
        Role::Approver if claimable => match row.assignee.as_deref() {
            None => with(vec![s("claim"), row.case_no.clone()], &expect),
            Some(holder) if holder == user => match rng.below(10) {
                0..=2 => with(vec![s("release"), row.case_no.clone()], &expect),
                3 | 4 => with(vec![s("approve"), row.case_no.clone()], &expect),
                5 => with(reason("return"), &expect),
                _ => note(rng),
            },
            // Held by someone else: refused as a conflict, whatever the version.
            Some(_) => with(vec![s("claim"), row.case_no.clone()], &expect),
        },
        Role::Supervisor if row.stage == "decision" => match rng.below(3) {
            0 => with(reason("approve"), &expect),
            1 => with(reason("send-back"), &expect),
            _ => {
                let mut a = reason("extend");
                a.extend([s("--days"), s("2")]);
                with(a, &expect)
            }
        },
        Role::Supervisor if claimable && rng.below(2) == 0 => {
            let to = APPROVERS[rng.below(APPROVERS.len())];
            with(
                vec![s("assign"), row.case_no.clone(), s("--to"), s(to)],
                &expect,
            )
        }
        Role::Clerk if row.stage == "verification" && rng.below(2) == 0 => {
            with(reason("return"), &expect)
        }
        _ => note(rng),
    }
}

fn attempt(
    db: &Path,
    worker: usize,
    user: &'static str,
    case_no: &str,
    args: Vec<String>,
) -> Attempt {
    let out: Output = cli(db, user)
        .arg("--json")
        .arg("case")
        .args(&args)
        .output()
        .expect("run permitdesk");
    let code = out.status.code().unwrap_or(-1);
    let committed = (code == 0).then(|| {
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: committed but printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        assert_eq!(v["case_no"], case_no, "{v}");
        (
            v["action"].as_str().expect("action").to_string(),
            v["version"].as_i64().expect("version"),
            v["audit_seq"].as_i64().expect("audit_seq"),
        )
    });
    Attempt {
        worker,
        user,
        case_no: case_no.to_string(),
        args,
        code,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        committed,
    }
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("demo.db");
    run_ok(pd(&db).args(["demo", "--cases", "400", "--no-tui", "--today", TODAY]));
    db
}

/// Fifty cases, the ones people can act on first (claimable, to sign, to verify), then any.
fn fifty(db: &Path) -> Vec<Row> {
    let rank = |stage: &str| match stage {
        "pre_audit" | "review" => 0,
        "decision" => 1,
        "verification" => 2,
        "notified" | "returned" => 3,
        _ => 4,
    };
    let mut all = rows(db, "li.wei");
    all.sort_by(|a, b| (rank(&a.stage), &a.case_no).cmp(&(rank(&b.stage), &b.case_no)));
    all.truncate(CASES);
    assert_eq!(
        all.len(),
        CASES,
        "the demo store has fewer than {CASES} cases"
    );
    all
}

#[test]
fn sixteen_processes_on_fifty_cases_lose_nothing() {
    let started = Instant::now();
    let dir = tempfile::TempDir::new().expect("temp dir");
    let db = demo(dir.path());
    let cases = fifty(&db);
    let ours: BTreeSet<String> = cases.iter().map(|r| r.case_no.clone()).collect();
    let before_versions: HashMap<String, i64> = cases
        .iter()
        .map(|r| (r.case_no.clone(), r.version))
        .collect();
    let before_events: HashMap<String, usize> = ours
        .iter()
        .map(|c| (c.clone(), events(&db, c).len()))
        .collect();
    let report = check(&db);
    let (events_before, head_before) = (
        report["events"].as_i64().expect("events"),
        head_seq(&report),
    );

    let barrier = Arc::new(Barrier::new(WORKERS));
    let handles: Vec<_> = team()
        .into_iter()
        .enumerate()
        .map(|(worker, (user, role))| {
            let (db, ours, barrier) = (db.clone(), ours.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ ((worker as u64 + 1) * 0x1000_0001));
                let mut attempts = Vec::new();
                barrier.wait();
                for round in 0..ROUNDS {
                    let seen: Vec<Row> = rows(&db, user)
                        .into_iter()
                        .filter(|r| ours.contains(&r.case_no))
                        .collect();
                    let liked: Vec<&Row> = seen.iter().filter(|r| likes(role, &r.stage)).collect();
                    for i in 0..ACTIONS_PER_ROUND {
                        // Mostly the cases of one's own queues, sometimes any of the fifty.
                        let row = if !liked.is_empty() && rng.below(4) != 0 {
                            liked[rng.below(liked.len())]
                        } else {
                            &seen[rng.below(seen.len())]
                        };
                        let tag = format!("w{worker} r{round} #{i}");
                        let args = choose(role, user, row, &mut rng, &tag);
                        attempts.push(attempt(&db, worker, user, &row.case_no, args));
                    }
                }
                attempts
            })
        })
        .collect();
    let attempts: Vec<Attempt> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("worker"))
        .collect();
    let acting = started.elapsed();

    // Every action committed or was refused cleanly; nothing was busy.
    let unclean: Vec<&Attempt> = attempts
        .iter()
        .filter(|a| !matches!(a.code, 0 | 3 | 4) || a.stderr.to_lowercase().contains("busy"))
        .collect();
    assert!(
        unclean.is_empty(),
        "{} action(s) failed other than as a conflict (4) or a refusal (3):\n{}",
        unclean.len(),
        unclean
            .iter()
            .map(|a| a.describe())
            .collect::<Vec<_>>()
            .join("\n")
    );
    for a in attempts.iter().filter(|a| a.code != 0) {
        assert!(
            a.stderr.trim().lines().count() == 1 && a.stderr.contains(&a.case_no),
            "a refusal is one line naming the case: {}",
            a.describe()
        );
    }
    let mut by_code: BTreeMap<i32, usize> = BTreeMap::new();
    for a in &attempts {
        *by_code.entry(a.code).or_default() += 1;
    }
    let committed: Vec<&Attempt> = attempts.iter().filter(|a| a.code == 0).collect();
    assert!(
        by_code.get(&4).copied().unwrap_or(0) > 0 && !committed.is_empty(),
        "the processes should both commit and collide: {by_code:?}"
    );

    // No lost update, case by case: the versions the commits report are exactly the increments,
    // and the new audit events are exactly the commits (who did what).
    let after: HashMap<String, Row> = rows(&db, "li.wei")
        .into_iter()
        .map(|r| (r.case_no.clone(), r))
        .collect();
    for case_no in &ours {
        let mine: Vec<&&Attempt> = committed.iter().filter(|a| &a.case_no == case_no).collect();
        let before = before_versions[case_no];
        let now = after[case_no].version;
        let mut versions: Vec<i64> = mine
            .iter()
            .map(|a| a.committed.as_ref().expect("commit").1)
            .collect();
        versions.sort();
        let expected: Vec<i64> = (before + 1..=now).collect();
        assert_eq!(
            versions, expected,
            "{case_no}: version {before} -> {now}, but the commits reported {versions:?}"
        );
        let new_events = events(&db, case_no).split_off(before_events[case_no]);
        let mut recorded: Vec<(String, String)> = new_events
            .iter()
            .map(|e| {
                (
                    e["actor"].as_str().expect("actor").to_string(),
                    e["action"].as_str().expect("action").to_string(),
                )
            })
            .collect();
        let mut done: Vec<(String, String)> = mine
            .iter()
            .map(|a| {
                (
                    a.user.to_string(),
                    a.committed.as_ref().expect("commit").0.clone(),
                )
            })
            .collect();
        recorded.sort();
        done.sort();
        assert_eq!(
            recorded, done,
            "{case_no}: audit events vs committed actions"
        );
    }

    // The whole store: one event per commit, each at its own place in the chain, and `check` holds.
    let report = check(&db);
    let events_after = report["events"].as_i64().expect("events");
    assert_eq!(
        events_after,
        events_before + committed.len() as i64,
        "audit events = the demo's own + one per committed action"
    );
    let seqs: BTreeSet<i64> = committed
        .iter()
        .map(|a| a.committed.as_ref().expect("commit").2)
        .collect();
    assert_eq!(
        seqs.len(),
        committed.len(),
        "two commits reported one audit seq"
    );
    assert_eq!(
        seqs,
        (head_before + 1..=head_seq(&report)).collect::<BTreeSet<_>>(),
        "the commits' audit seqs are exactly the new part of the chain"
    );
    assert!(
        report["problems"].as_array().is_some_and(|p| p.is_empty()),
        "check: {report}"
    );
    run_ok(cli(&db, "audit.he").arg("check"));

    let mut actions: BTreeMap<String, usize> = BTreeMap::new();
    for a in &committed {
        *actions
            .entry(a.committed.as_ref().expect("commit").0.clone())
            .or_default() += 1;
    }
    let workers: BTreeSet<usize> = committed.iter().map(|a| a.worker).collect();
    eprintln!(
        "concurrency: {} actions by {WORKERS} processes on {CASES} cases in {acting:.1?} \
         (exit codes {by_code:?}; committed {actions:?} by {} workers); total {:.1?}",
        attempts.len(),
        workers.len(),
        started.elapsed()
    );
}

/// The sharpest case: all sixteen at the same instant on one case. With the version they all
/// saw, exactly one commits and fifteen are conflicts; without a version, all sixteen commit,
/// one after another, and the version rises by sixteen.
#[test]
fn sixteen_processes_on_one_case_exactly_one_wins() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let db = demo(dir.path());
    let case = fifty(&db).remove(0);
    let users: Vec<&str> = team().into_iter().map(|(u, _)| u).collect();

    let spawn_all = |expect: Option<i64>, tag: &str| -> Vec<(String, Output)> {
        let children: Vec<_> = users
            .iter()
            .enumerate()
            .map(|(i, user)| {
                let mut cmd = cli(&db, user);
                cmd.args(["--json", "case", "note", &case.case_no, "--text"])
                    .arg(format!("{tag} {i}"));
                if let Some(v) = expect {
                    cmd.args(["--expect-version", &v.to_string()]);
                }
                let child = cmd
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn");
                (user.to_string(), child)
            })
            .collect();
        children
            .into_iter()
            .map(|(u, c)| (u, c.wait_with_output().expect("wait")))
            .collect()
    };
    let codes = |outs: &[(String, Output)]| -> Vec<i32> {
        let mut c: Vec<i32> = outs
            .iter()
            .map(|(_, o)| o.status.code().unwrap_or(-1))
            .collect();
        c.sort();
        c
    };

    let events_before = events(&db, &case.case_no).len();
    let outs = spawn_all(Some(case.version), "same version");
    let mut expected = vec![4; WORKERS - 1];
    expected.insert(0, 0);
    assert_eq!(
        codes(&outs),
        expected,
        "one commit, fifteen conflicts: {:#?}",
        outs.iter()
            .map(|(u, o)| (u, String::from_utf8_lossy(&o.stderr).into_owned()))
            .collect::<Vec<_>>()
    );
    let (winner, _) = outs
        .iter()
        .find(|(_, o)| o.status.success())
        .expect("winner");
    let history = events(&db, &case.case_no);
    assert_eq!(history.len(), events_before + 1, "exactly one event");
    assert_eq!(history.last().expect("event")["actor"], winner.as_str());

    let outs = spawn_all(None, "no version");
    assert_eq!(
        codes(&outs),
        vec![0; WORKERS],
        "without a version every note commits: {:#?}",
        outs.iter()
            .map(|(u, o)| (u, String::from_utf8_lossy(&o.stderr).into_owned()))
            .collect::<Vec<_>>()
    );
    let mut versions: Vec<i64> = outs
        .iter()
        .map(|(_, o)| {
            serde_json::from_slice::<Value>(&o.stdout).expect("json")["version"]
                .as_i64()
                .expect("version")
        })
        .collect();
    versions.sort();
    assert_eq!(
        versions,
        (case.version + 2..=case.version + 1 + WORKERS as i64).collect::<Vec<_>>(),
        "each commit got its own version"
    );
    assert_eq!(
        events(&db, &case.case_no).len(),
        events_before + 1 + WORKERS
    );
    run_ok(cli(&db, "audit.he").arg("check"));
}
