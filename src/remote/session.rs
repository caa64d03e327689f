//! One client connection: who the kernel says it is, the handshake, then either one command or
//! a console's jobs with news of other people's changes pushed in between.

use super::protocol::{self, ClientMsg, Hello, PROTOCOL, ServerMsg, Welcome};
use super::server::Server;
use crate::console::worker::{Job, Reply};
use crate::domain::{Policy, Role};
use chrono::NaiveDate;
use futures_util::{SinkExt as _, StreamExt as _};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UnixStream;
use tokio::sync::{broadcast, mpsc};

/// The most cases one bulk action may name, and the most rows one page may ask for: far more
/// than a console asks, and small enough that no reply outgrows a frame.
const MAX_BULK: usize = 1000;
const MAX_PAGE: usize = 1000;

/// A client that says nothing for this long after connecting is dropped.
const HELLO_WITHIN: Duration = Duration::from_secs(10);

/// Who is on the other end: from the kernel (`SO_PEERCRED`) and the password database only.
#[derive(Debug, Clone)]
pub struct Peer {
    pub uid: u32,
    pub pid: Option<i32>,
    pub login: String,
}

/// The person a session acts as, decided once at the handshake.
#[derive(Debug, Clone)]
pub struct Bound {
    pub peer: Peer,
    pub user: String,
    pub roles: Vec<Role>,
    pub fixed_today: Option<NaiveDate>,
    pub lang: String,
}

pub type Outgoing = mpsc::Sender<ServerMsg>;

pub async fn serve(server: Arc<Server>, stream: UnixStream) {
    let peer = match identify(&stream) {
        Ok(peer) => peer,
        Err(message) => {
            tracing::warn!("refused a connection: {message}");
            let mut conn = protocol::frame(stream);
            let _ = send(&mut conn, &ServerMsg::Refused { code: 3, message }).await;
            return;
        }
    };
    let mut conn = protocol::frame(stream);
    let Some(_slot) = Slot::take(&server, peer.uid) else {
        tracing::warn!(login = %peer.login, uid = peer.uid, "refused: too many connections");
        let message = "the server has too many connections open (from you, or in all); close some consoles and try again".to_string();
        let _ = send(&mut conn, &ServerMsg::Refused { code: 1, message }).await;
        return;
    };
    let hello = match tokio::time::timeout(HELLO_WITHIN, conn.next()).await {
        Ok(Some(Ok(frame))) => match protocol::decode::<ClientMsg>(&frame) {
            Ok(ClientMsg::Hello(hello)) => hello,
            Ok(_) => {
                tracing::warn!(login = %peer.login, "closed: the first message was not a hello");
                return;
            }
            Err(e) => {
                tracing::warn!(login = %peer.login, "closed: malformed hello: {}", clean(&e));
                return;
            }
        },
        Ok(Some(Err(e))) => {
            tracing::warn!(login = %peer.login, "closed: unreadable frame: {}", clean(&e));
            return;
        }
        Ok(None) => return,
        Err(_) => {
            tracing::warn!(login = %peer.login, "closed: no hello within {HELLO_WITHIN:?}");
            return;
        }
    };
    let bound = match handshake(&server, &peer, &hello).await {
        Ok(bound) => bound,
        Err((code, message)) => {
            tracing::warn!(login = %peer.login, uid = peer.uid, code, "refused: {message}");
            let _ = send(&mut conn, &ServerMsg::Refused { code, message }).await;
            return;
        }
    };
    let (today, policy) = match today_and_policy(&server, bound.fixed_today).await {
        Ok(found) => found,
        Err(message) => {
            let _ = send(&mut conn, &ServerMsg::Refused { code: 1, message }).await;
            return;
        }
    };
    let welcome = ServerMsg::Welcome(Welcome {
        protocol: PROTOCOL,
        server_version: env!("CARGO_PKG_VERSION").to_string(),
        store_id: server.store_id.clone(),
        store_label: server.store_label.clone(),
        user: bound.user.clone(),
        roles: bound.roles.clone(),
        today,
        policy,
    });
    if send(&mut conn, &welcome).await.is_err() {
        return;
    }
    tracing::info!(
        login = %peer.login,
        uid = peer.uid,
        pid = peer.pid.unwrap_or(0),
        user = %bound.user,
        "connected"
    );
    let (sink, frames) = conn.split();
    let (tx, rx) = mpsc::channel::<ServerMsg>(64);
    let writer = tokio::spawn(write_frames(sink, rx));
    converse(&server, &bound, frames, tx).await;
    let _ = writer.await;
    tracing::info!(login = %peer.login, user = %bound.user, "disconnected");
}

async fn converse(
    server: &Arc<Server>,
    bound: &Bound,
    mut frames: futures_util::stream::SplitStream<protocol::Connection>,
    tx: Outgoing,
) {
    let mut changes = server.subscribe();
    let mut console = false;
    let mut uploads = Uploads::new(Arc::clone(server));
    loop {
        tokio::select! {
            frame = frames.next() => {
                let bytes = match frame {
                    None => return,
                    Some(Err(e)) => {
                        tracing::warn!(user = %bound.user, "closed: unreadable frame: {}", clean(&e));
                        return;
                    }
                    Some(Ok(bytes)) => bytes,
                };
                match protocol::decode::<ClientMsg>(&bytes) {
                    Err(e) => {
                        tracing::warn!(user = %bound.user, "closed: malformed message: {}", clean(&e));
                        return;
                    }
                    Ok(ClientMsg::Upload { .. }) if console => {
                        tracing::warn!(user = %bound.user, "closed: an upload in a console session");
                        return;
                    }
                    Ok(ClientMsg::Upload { path, chunk }) => {
                        if let Err(message) = uploads.add(path, chunk) {
                            let _ = tx.send(ServerMsg::Refused { code: 6, message }).await;
                            return;
                        }
                    }
                    Ok(ClientMsg::Run { cli, calendar }) => {
                        let files = std::mem::take(&mut uploads.files);
                        // `uploads` keeps its bytes counted against the server's budget until
                        // the command is done.
                        super::command::run(server, bound, *cli, calendar, files, &tx).await;
                        return;
                    }
                    Ok(ClientMsg::Job(job)) => {
                        console = true;
                        let writes = matches!(
                            *job,
                            Job::Act { .. }
                                | Job::Bulk { .. }
                                | Job::ReviewStart { .. }
                                | Job::ReviewNext { .. }
                                | Job::ReviewEnd { .. }
                        );
                        let reply = job_reply(server, bound, *job).await;
                        if tx.send(ServerMsg::Reply(Box::new(reply))).await.is_err() {
                            return;
                        }
                        if writes {
                            server.scan().await;
                        }
                    }
                    Ok(ClientMsg::Hello(_)) => {
                        tracing::warn!(user = %bound.user, "closed: a second hello");
                        return;
                    }
                }
            }
            change = changes.recv() => {
                let (version, cases, users_changed) = match change {
                    Ok(c) => (c.version, c.cases.as_ref().clone(), c.users_changed),
                    // Too far behind to name the cases: everything may have changed.
                    Err(broadcast::error::RecvError::Lagged(_)) => (server.version(), Vec::new(), true),
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                if users_changed {
                    if let Err(message) = still_active(server, &bound.user).await {
                        tracing::info!(user = %bound.user, "session closed: {message}");
                        let _ = tx.send(ServerMsg::Refused { code: 3, message }).await;
                        return;
                    }
                }
                if console && tx.send(ServerMsg::Changed { version, cases }).await.is_err() {
                    return;
                }
            }
            _ = server.shutdown.cancelled() => {
                let _ = tx
                    .send(ServerMsg::Refused {
                        code: 1,
                        message: "the server is stopping (it will be back shortly); nothing you submitted was lost".into(),
                    })
                    .await;
                return;
            }
        }
    }
}

/// Input files a client sent for its command, kept in memory up to a limit per connection and
/// one for the whole server.
struct Uploads {
    files: HashMap<PathBuf, Vec<u8>>,
    total: u64,
    server: Arc<Server>,
}

/// Input files one command may name.
const MAX_UPLOADED_FILES: usize = 64;

/// What all clients together may have sent and the server hold at once.
const MAX_UPLOADS_HELD: u64 = 512 << 20;

impl Uploads {
    fn new(server: Arc<Server>) -> Uploads {
        Uploads {
            files: HashMap::new(),
            total: 0,
            server,
        }
    }

    fn add(&mut self, path: PathBuf, chunk: Vec<u8>) -> Result<(), String> {
        use std::sync::atomic::Ordering;
        let name_len = path.as_os_str().len();
        if name_len > 4096 {
            return Err("an input file's name is longer than 4,096 bytes".into());
        }
        if !self.files.contains_key(&path) && self.files.len() >= MAX_UPLOADED_FILES {
            return Err(format!(
                "more than {MAX_UPLOADED_FILES} input files for one command"
            ));
        }
        let size = chunk.len() as u64 + name_len as u64;
        self.total += size;
        let held = self.server.upload_bytes.fetch_add(size, Ordering::SeqCst) + size;
        if self.total > protocol::MAX_UPLOAD || held > MAX_UPLOADS_HELD {
            return Err(format!(
                "{}: the input files are larger than the server accepts now ({} MiB for one command); try again, or split them",
                crate::text::sanitize_line(&path.display().to_string()),
                protocol::MAX_UPLOAD >> 20
            ));
        }
        self.files.entry(path).or_default().extend(chunk);
        Ok(())
    }
}

impl Drop for Uploads {
    fn drop(&mut self) {
        self.server
            .upload_bytes
            .fetch_sub(self.total, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A connection counted against the server's limits while it lasts.
struct Slot {
    server: Arc<Server>,
    uid: u32,
}

impl Slot {
    fn take(server: &Arc<Server>, uid: u32) -> Option<Slot> {
        use super::server::{MAX_CONNECTIONS, MAX_CONNECTIONS_PER_UID};
        let mut open = server.connections.lock().ok()?;
        let all: usize = open.values().sum();
        let mine = open.get(&uid).copied().unwrap_or(0);
        if all >= MAX_CONNECTIONS || mine >= MAX_CONNECTIONS_PER_UID {
            return None;
        }
        *open.entry(uid).or_insert(0) += 1;
        Some(Slot {
            server: Arc::clone(server),
            uid,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.server.connections.lock() {
            if let Some(n) = open.get_mut(&self.uid) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    open.remove(&self.uid);
                }
            }
        }
    }
}

/// Peer input (inside a decoding error) made one inert line for the log.
fn clean(e: &dyn std::fmt::Display) -> String {
    crate::text::sanitize_line(&e.to_string()).into_owned()
}

async fn write_frames(
    mut sink: futures_util::stream::SplitSink<protocol::Connection, bytes::Bytes>,
    mut rx: mpsc::Receiver<ServerMsg>,
) {
    while let Some(msg) = rx.recv().await {
        let Ok(frame) = protocol::encode(&msg) else {
            continue;
        };
        if frame.len() > protocol::MAX_FRAME {
            tracing::warn!(
                "closed: a reply of {} bytes is larger than a frame may be",
                frame.len()
            );
            let refusal = ServerMsg::Refused {
                code: 1,
                message:
                    "the server's answer was larger than the protocol allows; ask for less at once"
                        .into(),
            };
            if let Ok(frame) = protocol::encode(&refusal) {
                let _ = sink.send(frame).await;
            }
            let _ = sink.close().await;
            return;
        }
        if sink.send(frame).await.is_err() {
            return;
        }
    }
    let _ = sink.close().await;
}

async fn send(conn: &mut protocol::Connection, msg: &ServerMsg) -> Result<(), ()> {
    let frame = protocol::encode(msg).map_err(|_| ())?;
    conn.send(frame).await.map_err(|_| ())
}

/// The peer's uid from the kernel, then its login from the password database.
fn identify(stream: &UnixStream) -> Result<Peer, String> {
    let cred = stream
        .peer_cred()
        .map_err(|e| format!("cannot read the peer's credentials: {e}"))?;
    let uid = cred.uid();
    let login = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name)
        .ok_or_else(|| format!("uid {uid} has no entry in the password database"))?;
    Ok(Peer {
        uid,
        pid: cred.pid(),
        login,
    })
}

/// Decides who the session acts as: the login, or a declared user where the server trusts
/// declarations; refuses a protocol mismatch (1) and anyone not an active user (3).
async fn handshake(
    server: &Arc<Server>,
    peer: &Peer,
    hello: &Hello,
) -> Result<Bound, (u8, String)> {
    if hello.protocol != PROTOCOL {
        return Err((
            1,
            format!(
                "this client speaks protocol {} (permitdesk {}), the server protocol {PROTOCOL} (permitdesk {}); install the same version on both sides",
                hello.protocol,
                crate::text::sanitize_line(&hello.version),
                env!("CARGO_PKG_VERSION")
            ),
        ));
    }
    let trusted = server.trust_declared_user;
    let login = peer.login.clone();
    let user = match hello.as_user.as_deref() {
        Some(named) if named != login && !trusted => {
            return Err((
                3,
                format!(
                    "--as {}: this server acts as your login ({login}); --as is honoured only by servers started with --trust-declared-user",
                    crate::text::sanitize_line(named)
                ),
            ));
        }
        Some(named) => named.to_string(),
        None => login.clone(),
    };
    let fixed_today = match hello.today.as_deref() {
        None => None,
        Some(_) if !trusted => {
            return Err((
                3,
                "--today: this server does not allow fixing the date (only servers started with --trust-declared-user do)".into(),
            ));
        }
        Some(text) => {
            Some(crate::cli::parse_date("--today", text).map_err(|e| (e.code, e.message))?)
        }
    };
    let name = user.clone();
    let actor = server
        .control
        .run(move |store| store.actor(&name))
        .await
        .map_err(|e| (1, e.to_string()))?
        .map_err(|e| {
            (
                3,
                format!("{login} (uid {}) may not use this store: {e}", peer.uid),
            )
        })?;
    Ok(Bound {
        peer: peer.clone(),
        user,
        roles: actor.roles,
        fixed_today,
        lang: hello.lang.clone(),
    })
}

/// The session's day, and the office's policy for the console's questions before a dialog
/// opens (the extension limit, the verification window).
async fn today_and_policy(
    server: &Arc<Server>,
    fixed: Option<NaiveDate>,
) -> Result<(NaiveDate, Policy), String> {
    server
        .control
        .run(move |store| (store.clock(fixed).today(), store.policy().clone()))
        .await
        .map_err(|e| e.to_string())
}

async fn still_active(server: &Arc<Server>, user: &str) -> Result<(), String> {
    let name = user.to_string();
    match server.control.run(move |store| store.actor(&name)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!(
            "{e}; this session is closed (an administrator changed your account)"
        )),
        // A failed check is not a verdict on the user.
        Err(_) => Ok(()),
    }
}

/// Runs a console job as the session's user: every name and date a job carries is replaced by
/// the server's, so a client cannot act or read as anyone else.
async fn job_reply(server: &Arc<Server>, bound: &Bound, job: Job) -> Reply {
    if matches!(job, Job::Poll) {
        // The console answers its own polls from pushed news; a client that asks gets a fresh look.
        server.scan().await;
        return Reply::Changed(server.version());
    }
    if let Job::Bulk { requests } = &job {
        if requests.len() > MAX_BULK {
            return Reply::Failed(format!(
                "{} cases at once: a bulk action takes at most {MAX_BULK}",
                requests.len()
            ));
        }
    }
    let user = bound.user.clone();
    let fixed = bound.fixed_today;
    let logged = describe(&job);
    let result = server
        .pool
        .run(move |store| {
            let today = store.clock(fixed).today();
            let job = bind(job, &user, today, fixed);
            crate::console::worker::execute(store, job)
        })
        .await;
    let reply = result.unwrap_or_else(|e| Reply::Failed(e.to_string()));
    if let Some(what) = logged {
        log_acted(&bound.user, &what, &reply);
    }
    reply
}

fn bind(job: Job, user: &str, today: NaiveDate, fixed: Option<NaiveDate>) -> Job {
    let user = user.to_string();
    match job {
        Job::Page { mut query, fetch } => {
            query.user = user;
            query.today = today;
            query.limit = query.limit.min(MAX_PAGE);
            Job::Page { query, fetch }
        }
        Job::Counts { .. } => Job::Counts { user, today },
        Job::Detail { case_no, .. } => Job::Detail { case_no, today },
        Job::Act { mut request } => {
            request.user = user;
            request.today = fixed;
            Job::Act { request }
        }
        Job::Bulk { requests } => Job::Bulk {
            requests: requests
                .into_iter()
                .map(|mut r| {
                    r.user = user.clone();
                    r.today = fixed;
                    r
                })
                .collect(),
        },
        Job::LoadDrafts { .. } => Job::LoadDrafts { user },
        Job::Visit { .. } => Job::Visit { user, today },
        Job::Dashboard { section, .. } => Job::Dashboard { section, today },
        Job::Figure { figure, .. } => Job::Figure { figure, today },
        Job::SaveDraft {
            case_no,
            action,
            text,
            ..
        } => Job::SaveDraft {
            user,
            case_no,
            action,
            text,
        },
        // A session is the user's own: the store refuses another's session number.
        Job::ReviewStart { mut query } => {
            query.user = user;
            query.today = today;
            Job::ReviewStart { query }
        }
        Job::ReviewNext { session, mut query } => {
            query.user = user;
            query.today = today;
            Job::ReviewNext { session, query }
        }
        Job::ReviewEnd { session, .. } => Job::ReviewEnd {
            session,
            user,
            today,
        },
        Job::Standing { .. } => Job::Standing { user },
        job @ (Job::Assignees | Job::Poll) => job,
    }
}

fn describe(job: &Job) -> Option<String> {
    match job {
        Job::Act { request } => Some(format!(
            "{} {}",
            request.action.name(),
            crate::text::sanitize_line(&request.case_no)
        )),
        Job::Bulk { requests } => Some(format!("{} bulk action(s)", requests.len())),
        _ => None,
    }
}

fn log_acted(user: &str, what: &str, reply: &Reply) {
    match reply {
        Reply::Acted { result, .. } => match result.as_ref() {
            Ok(outcome) => tracing::info!(user, seq = outcome.seq, "{what}: committed"),
            Err(f) => tracing::info!(
                user,
                "{what}: refused: {}",
                crate::text::sanitize_line(&f.message)
            ),
        },
        Reply::Bulk(results) => {
            let ok = results.iter().filter(|(_, r)| r.is_ok()).count();
            tracing::info!(
                user,
                "{what}: {ok} committed, {} refused",
                results.len() - ok
            );
        }
        Reply::Failed(message) => {
            tracing::warn!(
                user,
                "{what}: failed: {}",
                crate::text::sanitize_line(message)
            )
        }
        _ => {}
    }
}
