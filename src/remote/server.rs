//! `permitdesk serve`: binds the socket, accepts people, watches the spool, tells consoles what
//! changed, and on SIGTERM stops accepting and lets the requests in flight finish.

use super::pool::Pool;
use super::session;
use crate::cli::args::ServeArgs;
use crate::cli::{Cli, Exit};
use crate::domain::Calendar;
use anyhow::Context as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::net::UnixListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Mutex, broadcast};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How often the server looks for commits made outside it (the owner's own maintenance).
const SCAN_EVERY: Duration = Duration::from_secs(1);

/// Store connections for people's requests: enough for the consoles' reads beside one long
/// writer on a 2-core server.
const POOL: usize = 4;

/// Connections the server keeps open at once, and per uid: well under the 1,024 descriptors a
/// service gets by default, so the server never runs out of them.
pub const MAX_CONNECTIONS: usize = 768;
pub const MAX_CONNECTIONS_PER_UID: usize = 64;

/// Commands the server runs at once; more wait their turn.
const MAX_COMMANDS: usize = 16;

/// After a failed accept (descriptors exhausted), wait this long before the next.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What the server knows for its whole life.
pub struct Server {
    pub db: PathBuf,
    pub store_id: String,
    pub store_label: String,
    pub trust_declared_user: bool,
    pub spool: Option<PathBuf>,
    /// The server's own replica settings, for `doctor` run through it.
    pub replication: crate::config::Replication,
    pub calendar: Calendar,
    pub pool: Pool,
    /// One connection for the server's own short reads (handshakes, change scans), so they
    /// never wait behind people's requests.
    pub control: Pool,
    /// Connections open, in all and per uid, against the limits below.
    pub connections: std::sync::Mutex<std::collections::HashMap<u32, usize>>,
    /// Commands running at once: each opens the store for itself.
    pub commands: tokio::sync::Semaphore,
    /// Bytes of input files clients have sent and the server holds.
    pub upload_bytes: std::sync::atomic::AtomicU64,
    /// One spool pass at a time: the watcher's or one asked for by `sync`.
    pub spool_turn: Mutex<()>,
    /// Cancelled on SIGTERM: idle sessions close, the spool watcher stops after its pass.
    pub shutdown: CancellationToken,
    changes: broadcast::Sender<Change>,
    /// A number that grows with every change the server has seen.
    version: AtomicI64,
    scanned: std::sync::Mutex<crate::store::changes::Changes>,
}

/// A commit the consoles should know about.
#[derive(Debug, Clone)]
pub struct Change {
    pub version: i64,
    pub cases: Arc<Vec<String>>,
    pub users_changed: bool,
}

impl Server {
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    pub fn version(&self) -> i64 {
        self.version.load(Ordering::SeqCst)
    }

    /// Looks for commits since the last look and tells every console.
    pub async fn scan(self: &Arc<Self>) {
        let since = match self.scanned.lock() {
            Ok(last) => last.seq,
            Err(_) => return,
        };
        let found = self
            .control
            .run(move |store| store.changes_since(since))
            .await;
        let changes = match found {
            Ok(Ok(changes)) => changes,
            Ok(Err(e)) => {
                tracing::warn!("change scan failed: {e}");
                return;
            }
            Err(e) => {
                tracing::warn!("change scan failed: {e}");
                return;
            }
        };
        let (events_changed, users_changed) = {
            let Ok(mut last) = self.scanned.lock() else {
                return;
            };
            let events = changes.seq != last.seq;
            let users = changes.users != last.users;
            *last = changes.clone();
            (events, users)
        };
        if events_changed || users_changed {
            let version = self.version.fetch_add(1, Ordering::SeqCst) + 1;
            let _ = self.changes.send(Change {
                version,
                cases: Arc::new(changes.cases),
                users_changed,
            });
        }
    }
}

pub fn run(cli: &Cli, args: &ServeArgs, calendar: Calendar) -> anyhow::Result<()> {
    init_logging();
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        commit = crate::cli::args::COMMIT,
        protocol = super::protocol::PROTOCOL,
        "permitdesk serve starting"
    );
    // Whatever starts it: the WAL, the spool's directories and the outbox files it creates are
    // the account's alone (the socket is given its mode explicitly).
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
    let db = crate::cli::store_path(cli, "permitdesk.db")?;
    let store = crate::cli::open_existing(&db, calendar.clone())?;
    let store_id = store.id()?;
    // Where the consoles' news starts: the newest event now, and the users as they are.
    let scanned = store.changes_since(i64::MAX)?;
    let control = crate::store::Store::open(&db, calendar.clone())?;
    warn_if_shared(&db);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (changes, _) = broadcast::channel(256);
    let server = Arc::new(Server {
        store_label: db
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        db: db.clone(),
        store_id,
        trust_declared_user: args.trust_declared_user,
        spool: args.spool.clone(),
        replication: cli.replication.clone(),
        pool: Pool::new(store, calendar.clone(), POOL),
        control: Pool::new(control, calendar.clone(), 1),
        connections: std::sync::Mutex::new(std::collections::HashMap::new()),
        upload_bytes: std::sync::atomic::AtomicU64::new(0),
        commands: tokio::sync::Semaphore::new(MAX_COMMANDS),
        calendar,
        spool_turn: Mutex::new(()),
        shutdown: CancellationToken::new(),
        changes,
        version: AtomicI64::new(1),
        scanned: std::sync::Mutex::new(scanned),
    });
    runtime.block_on(serve(server, args))
}

async fn serve(server: Arc<Server>, args: &ServeArgs) -> anyhow::Result<()> {
    let listener = bind(&args.socket, &args.group)?;
    tracing::info!(
        socket = %args.socket.display(),
        store = %server.db.display(),
        store_id = %server.store_id,
        group = %args.group,
        trust_declared_user = server.trust_declared_user,
        "serving"
    );
    let tracker = TaskTracker::new();
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tracker.spawn(scan_every(Arc::clone(&server)));
    if let Some(spool) = server.spool.clone() {
        tracker.spawn(super::spool::watch(
            Arc::clone(&server),
            spool,
            Duration::from_secs(args.interval),
        ));
    }
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tracker.spawn(session::serve(Arc::clone(&server), stream));
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}; waiting {ACCEPT_BACKOFF:?}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    tracing::info!("stopping: no new connections; finishing the requests in flight");
    drop(listener);
    let _ = std::fs::remove_file(&args.socket);
    server.shutdown.cancel();
    tracker.close();
    tracker.wait().await;
    tracing::info!("stopped");
    Ok(())
}

/// Looks for commits made outside the server (and catches up on any it missed) every second.
async fn scan_every(server: Arc<Server>) {
    let mut tick = tokio::time::interval(SCAN_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => server.scan().await,
            _ = server.shutdown.cancelled() => return,
        }
    }
}

/// Binds the socket: a stale one (no server behind it) is replaced, a live one is refused. The
/// socket is 0660 with the people's group, so only its members (and the account) connect.
fn bind(path: &Path, group: &str) -> anyhow::Result<UnixListener> {
    check_socket_dir(path)?;
    if std::fs::symlink_metadata(path).is_ok() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(Exit::new(
                1,
                format!(
                    "{}: another server is listening there; stop it first",
                    path.display()
                ),
            )
            .into());
        }
        std::fs::remove_file(path)
            .with_context(|| format!("removing the stale socket {}", path.display()))?;
    }
    let gid = nix::unistd::Group::from_name(group)
        .ok()
        .flatten()
        .ok_or_else(|| {
            Exit::new(
                1,
                format!(
                    "--group {}: no such group; create it (groupadd {}) and add the people who may connect",
                    crate::text::sanitize_line(group),
                    crate::text::sanitize_line(group)
                ),
            )
        })?
        .gid;
    let listener =
        UnixListener::bind(path).with_context(|| format!("listening on {}", path.display()))?;
    let shared = give_to_group(path, gid).with_context(|| {
        format!(
            "giving {} to group {group} (is the server's account in that group?)",
            path.display()
        )
    });
    if let Err(e) = shared {
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(listener)
}

/// Mode 0660, group `gid`, on the socket just bound, never through a link put in its place.
fn give_to_group(path: &Path, gid: nix::unistd::Gid) -> anyhow::Result<()> {
    use std::os::unix::fs::FileTypeExt as _;
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.file_type().is_socket() {
        anyhow::bail!("{} is no longer the socket just bound", path.display());
    }
    nix::unistd::fchownat(
        nix::fcntl::AT_FDCWD,
        path,
        None,
        Some(gid),
        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    )?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
    Ok(())
}

/// The socket's directory must be writable by the server's account (or root) alone: anyone else
/// who could write it could put a link where the socket goes.
fn check_socket_dir(path: &Path) -> Result<(), Exit> {
    use std::os::unix::fs::MetadataExt as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let meta = std::fs::metadata(dir).map_err(|e| {
        Exit::new(
            1,
            format!(
                "{}: {e}; create the socket's directory first",
                dir.display()
            ),
        )
    })?;
    let me = nix::unistd::geteuid().as_raw();
    let mode = meta.permissions().mode();
    if (meta.uid() != me && meta.uid() != 0) || mode & 0o022 != 0 {
        return Err(Exit::new(
            1,
            format!(
                "{}: the socket's directory may be written by others (mode {:o}); use one only the server's account writes, such as systemd's RuntimeDirectory (/run/permitdesk)",
                dir.display(),
                mode & 0o7777
            ),
        ));
    }
    Ok(())
}

/// A store its people can read or write behind the server's back is no trust boundary.
fn warn_if_shared(db: &Path) {
    for (problem, how) in crate::cli::doctor::store_file_problems(db) {
        tracing::warn!("{problem}: {how}");
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PERMITDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
