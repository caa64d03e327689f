//! One action with its audit event through `permitdesk serve`, next to the same action in the
//! same process (`Store::act`, as `act/app` measures it) on the same store at the same moment:
//! the served mode's cost per action is the difference.
//!
//! The bench starts the `permitdesk` binary of its own build (`common::binary`) as a server with
//! `--trust-declared-user` on a scratch copy of the bench store
//! (target/bench-store/act-served-scratch.db, removed afterwards), connects one console session
//! as `li.wei` (`BlockingSession`: what the console's worker sends, without a terminal) and times
//! `Job::Act` claim/release pairs from sending the job to reading its reply: the frame both ways,
//! JSON, the server's pool and blocking thread, the commit (WAL, synchronous=FULL), the server's
//! log line. After each write the server looks for changes to tell other consoles; that happens
//! after the reply, so only its competition for the CPU is measured.
//!
//! A commit's time is mostly its fsync, which on a shared machine varies from minute to minute far
//! more than the socket costs; so `paired` then alternates the two, one direct action and one
//! served action in turn (on two halves of the cases), and reports each side
//! (`act_served/paired_direct`, `act_served/paired_served`): the same disk weather for both.

mod common;

use common::{Samples, Server, pick_cases, request};
use permitdesk::console::worker::{Job, Reply};
use permitdesk::domain::Action;
use permitdesk::remote::client::BlockingSession;
use std::time::{Duration, Instant};

fn served_act(session: &mut BlockingSession, request: permitdesk::store::Request) -> i64 {
    match session
        .execute(Job::Act { request })
        .expect("the server answers")
    {
        Reply::Acted { result, .. } => result.expect("acted").seq,
        other => panic!("not an action's reply: {other:?}"),
    }
}

fn main() {
    let source = common::bench_db();
    let scratch = common::scratch_copy(&source, "act-served-scratch.db");
    let mut c = common::criterion().configure_from_args();
    let samples = Samples::new();
    let mut group = c.benchmark_group("act_served");

    // Direct: this process owns the store, as `act/app`.
    let mut store = common::open_store(&scratch);
    let cases = pick_cases(&mut store);
    let on = |cases: &[String], turn: usize| {
        let case_no = &cases[(turn / 2) % cases.len()];
        let action = if turn % 2 == 0 {
            Action::Claim
        } else {
            Action::Release
        };
        request(case_no, action)
    };
    let action = |turn: usize| on(&cases, turn);
    let mut turn = 0usize;
    group.bench_function("direct", |b| {
        b.iter_custom(|iters| {
            samples.timed(iters, || {
                let r = action(turn);
                turn += 1;
                store.act(r).expect("act").seq
            })
        })
    });
    samples.report("act_served/direct");
    if turn % 2 == 1 {
        store.act(action(turn)).expect("release");
    }

    // Served: the same actions as console jobs through the socket.
    let server = Server::start(&scratch);
    let mut session = server.session();
    let mut turn = 0usize;
    group.bench_function("served", |b| {
        b.iter_custom(|iters| {
            samples.timed(iters, || {
                let r = action(turn);
                turn += 1;
                served_act(&mut session, r)
            })
        })
    });
    samples.report("act_served/served");
    if turn % 2 == 1 {
        served_act(&mut session, action(turn));
    }

    // Paired: direct and served in turn, each on its own half of the cases.
    let (mine, theirs) = cases.split_at(cases.len() / 2);
    let (direct_samples, served_samples) = (Samples::new(), Samples::new());
    let mut turn = 0usize;
    group.bench_function("paired", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                std::hint::black_box(store.act(on(mine, turn)).expect("act").seq);
                direct_samples.push(started.elapsed());
                let started = Instant::now();
                std::hint::black_box(served_act(&mut session, on(theirs, turn)));
                let took = started.elapsed();
                served_samples.push(took);
                total += took;
                turn += 1;
            }
            total
        })
    });
    direct_samples.report("act_served/paired_direct");
    served_samples.report("act_served/paired_served");
    group.finish();
    drop(session);
    drop(server);
    drop(store);
    c.final_summary();
    common::remove_store(&scratch);
}
