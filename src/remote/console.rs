//! The console through a server: its jobs go to the server one at a time (a newer page or
//! detail replaces an older one still queued, as in the local worker), and the server's news of
//! other people's changes arrives between them. Polls are answered here from that news: an idle
//! console costs the server nothing.

use super::protocol::{self, ClientMsg, ServerMsg};
use crate::cli::Cli;
use crate::cli::console::{Who, setup};
use crate::console::runtime::{Backend, run_on};
use crate::console::worker::{Job, Reply, Ticket, superseded};
use std::collections::VecDeque;
use std::path::Path;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

pub fn open(cli: &Cli, socket: &Path) -> anyhow::Result<()> {
    crate::cli::console::need_terminal()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (conn, welcome) = runtime.block_on(super::client::connect(socket, cli))?;
    let setup = setup(
        cli,
        Who {
            user: welcome.user,
            roles: welcome.roles,
            today: welcome.today,
            policy: welcome.policy,
            store_label: welcome.store_label,
            read_only: false,
        },
    )?;
    run_on(&runtime, Backend::Remote(conn), setup)
}

/// Starts the task that carries jobs to the server and replies back; returns where jobs go.
pub fn spawn(
    conn: protocol::Connection,
    replies: UnboundedSender<(u64, Reply)>,
) -> UnboundedSender<Ticket> {
    let (tx, rx) = unbounded_channel();
    tokio::spawn(carry(conn, rx, replies));
    tx
}

async fn carry(
    mut conn: protocol::Connection,
    mut tickets: tokio::sync::mpsc::UnboundedReceiver<Ticket>,
    replies: UnboundedSender<(u64, Reply)>,
) {
    let mut queue: VecDeque<Ticket> = VecDeque::new();
    // The generation of the job the server is working on.
    let mut waiting: Option<u64> = None;
    let mut version: i64 = 0;
    loop {
        while waiting.is_none() {
            let Some(ticket) = next(&mut queue) else {
                break;
            };
            if matches!(ticket.job, Job::Poll) {
                let _ = replies.send((ticket.generation, Reply::Changed(version)));
                continue;
            }
            let msg = ClientMsg::Job(Box::new(ticket.job));
            if let Err(e) = super::client::send(&mut conn, &msg).await {
                closed(&replies, 1, format!("{e:#}"));
                return;
            }
            waiting = Some(ticket.generation);
        }
        tokio::select! {
            ticket = tickets.recv() => match ticket {
                Some(ticket) => queue.push_back(ticket),
                None => return,
            },
            msg = super::client::receive(&mut conn) => match msg {
                None => {
                    closed(&replies, 1, "the server closed the connection (it may have stopped or restarted); open the console again".into());
                    return;
                }
                Some(Err(e)) => {
                    closed(&replies, 1, format!("{e:#}"));
                    return;
                }
                Some(Ok(ServerMsg::Reply(reply))) => {
                    if let Some(generation) = waiting.take() {
                        let _ = replies.send((generation, *reply));
                    }
                }
                Some(Ok(ServerMsg::Changed { version: v, .. })) => {
                    version = v;
                    let _ = replies.send((0, Reply::Changed(v)));
                }
                Some(Ok(ServerMsg::Refused { code, message })) => {
                    closed(&replies, code, message);
                    return;
                }
                Some(Ok(_)) => {}
            },
        }
    }
}

/// The next job worth sending: queued pages, details and counts that a newer one of the same
/// kind replaces are dropped, as the local worker drops them.
fn next(queue: &mut VecDeque<Ticket>) -> Option<Ticket> {
    while let Some(ticket) = queue.pop_front() {
        if !queue
            .iter()
            .any(|later| superseded(&ticket.job, &later.job))
        {
            return Some(ticket);
        }
    }
    None
}

fn closed(replies: &UnboundedSender<(u64, Reply)>, code: u8, message: String) {
    let _ = replies.send((0, Reply::Closed { code, message }));
}
