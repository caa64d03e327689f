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

mod common;

use common::{Samples, Server, pick_cases, request};
use permitdesk::console::worker::{Job, Reply};
use permitdesk::domain::Action;

fn main() {
    let source = common::bench_db();
    let scratch = common::scratch_copy(&source, "act-served-scratch.db");
    let mut c = common::criterion().configure_from_args();
    let samples = Samples::new();
    let mut group = c.benchmark_group("act_served");

    // Direct: this process owns the store, as `act/app`.
    let mut store = common::open_store(&scratch);
    let cases = pick_cases(&mut store);
    let action = |turn: usize| {
        let case_no = &cases[(turn / 2) % cases.len()];
        let action = if turn % 2 == 0 {
            Action::Claim
        } else {
            Action::Release
        };
        request(case_no, action)
    };
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
    drop(store);

    // Served: the same actions as console jobs through the socket.
    let server = Server::start(&scratch);
    let mut session = server.session();
    let mut turn = 0usize;
    group.bench_function("served", |b| {
        b.iter_custom(|iters| {
            samples.timed(iters, || {
                let job = Job::Act {
                    request: action(turn),
                };
                turn += 1;
                match session.execute(job).expect("the server answers") {
                    Reply::Acted(result) => result.expect("acted").seq,
                    other => panic!("not an action's reply: {other:?}"),
                }
            })
        })
    });
    samples.report("act_served/served");
    group.finish();
    drop(session);
    drop(server);
    c.final_summary();
    common::remove_store(&scratch);
}
