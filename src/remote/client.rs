//! The client side of `--connect`: every command runs in the server, which sends back what it
//! prints, the files it writes (written here, as the person who asked) and its exit code.

use super::protocol::{self, CalendarText, ClientMsg, Hello, PROTOCOL, ServerMsg, Welcome};
use crate::cli::args::{CalendarCommand, Command};
use crate::cli::doctor::Report;
use crate::cli::io::OutputFile;
use crate::cli::{Cli, Exit};
use crate::config::Config;
use futures_util::{SinkExt as _, StreamExt as _};
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub fn run(
    mut cli: Cli,
    config: &Config,
    offered: crate::domain::Calendar,
    socket: &Path,
) -> anyhow::Result<()> {
    let lang = crate::cli::language(&cli);
    cli.lang = Some(lang.code().to_string());
    if cli.command.is_none() {
        return super::console::open(&cli, socket);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    if matches!(cli.command, Some(Command::Doctor)) {
        return runtime.block_on(doctor(&cli, socket));
    }
    let outputs = check_outputs(&cli)?;
    let uploads = uploads(&cli)?;
    let calendar = offered_calendar(&cli, config, offered)?;
    runtime.block_on(async {
        let (mut conn, _) = connect(socket, &cli).await?;
        for (path, bytes) in uploads {
            for chunk in bytes.chunks(protocol::CHUNK) {
                send(
                    &mut conn,
                    &ClientMsg::Upload {
                        path: path.clone(),
                        chunk: chunk.to_vec(),
                    },
                )
                .await?;
            }
        }
        send(
            &mut conn,
            &ClientMsg::Run {
                cli: Box::new(cli),
                calendar,
            },
        )
        .await?;
        relay(&mut conn, socket, &outputs).await
    })
}

/// Prints, writes and finally exits as the server says.
async fn relay(
    conn: &mut protocol::Connection,
    socket: &Path,
    outputs: &[PathBuf],
) -> anyhow::Result<()> {
    let mut file: Option<OutputFile> = None;
    loop {
        let msg = match receive(conn).await {
            Some(msg) => msg?,
            None => {
                return Err(Exit::new(
                    1,
                    format!(
                        "the server at {} closed the connection before the command finished; it may have completed: look before repeating it (`permitdesk case show`, `permitdesk log`)",
                        socket.display()
                    ),
                )
                .into());
            }
        };
        match msg {
            ServerMsg::Stdout(bytes) => {
                let mut out = std::io::stdout().lock();
                match out.write_all(&bytes).and_then(|()| out.flush()) {
                    // The reader went away (`| head`): stop reading, as a direct run would.
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                    other => other?,
                }
            }
            ServerMsg::Stderr(bytes) => {
                let _ = std::io::stderr().lock().write_all(&bytes);
            }
            ServerMsg::FileBegin { path } => {
                if !outputs.contains(&path) {
                    return Err(Exit::new(
                        1,
                        format!(
                            "the server tried to write {}, which this command did not name",
                            path.display()
                        ),
                    )
                    .into());
                }
                file = Some(OutputFile::create(&path, &[])?);
            }
            ServerMsg::FileChunk(bytes) => match file.as_mut() {
                Some(f) => f.write_all(&bytes)?,
                None => return Err(protocol_error("a file piece before the file began")),
            },
            ServerMsg::FileCommit => match file.take() {
                Some(f) => f.commit()?,
                None => return Err(protocol_error("a file commit before the file began")),
            },
            ServerMsg::Done { code: 0, .. } => return Ok(()),
            ServerMsg::Done { code, message } => {
                return Err(Exit::new(code, message.unwrap_or_default()).into());
            }
            ServerMsg::Refused { code, message } => return Err(Exit::new(code, message).into()),
            ServerMsg::Welcome(_) | ServerMsg::Reply(_) | ServerMsg::Changed { .. } => {}
        }
    }
}

fn protocol_error(what: &str) -> anyhow::Error {
    Exit::new(1, format!("the server broke the protocol: {what}")).into()
}

/// Connects and shakes hands: the server's versions and who it says we are.
pub async fn connect(socket: &Path, cli: &Cli) -> anyhow::Result<(protocol::Connection, Welcome)> {
    let stream = tokio::net::UnixStream::connect(socket)
        .await
        .map_err(|e| unreachable(socket, &e))?;
    let mut conn = protocol::frame(stream);
    let hello = Hello {
        protocol: PROTOCOL,
        version: env!("CARGO_PKG_VERSION").to_string(),
        as_user: cli.as_user.clone(),
        today: cli.today.clone(),
        lang: cli.lang.clone().unwrap_or_else(|| "en".into()),
    };
    send(&mut conn, &ClientMsg::Hello(hello)).await?;
    match receive(&mut conn).await {
        Some(Ok(ServerMsg::Welcome(welcome))) => {
            if welcome.protocol != PROTOCOL {
                return Err(Exit::new(
                    1,
                    format!(
                        "the server at {} speaks protocol {} (permitdesk {}), this client protocol {PROTOCOL} (permitdesk {}); install the same version on both sides",
                        socket.display(),
                        welcome.protocol,
                        crate::text::sanitize_line(&welcome.server_version),
                        env!("CARGO_PKG_VERSION")
                    ),
                )
                .into());
            }
            Ok((conn, welcome))
        }
        Some(Ok(ServerMsg::Refused { code, message })) => Err(Exit::new(code, message).into()),
        Some(Ok(_)) => Err(protocol_error("no welcome")),
        Some(Err(e)) => Err(e),
        None => Err(Exit::new(
            1,
            format!(
                "the server at {} closed the connection during the handshake; see its log (journalctl -u permitdesk)",
                socket.display()
            ),
        )
        .into()),
    }
}

fn unreachable(socket: &Path, e: &std::io::Error) -> Exit {
    let check = match e.kind() {
        std::io::ErrorKind::NotFound => {
            "no server socket there: is `permitdesk serve` running (systemctl status permitdesk)?"
        }
        std::io::ErrorKind::PermissionDenied => {
            "not allowed: are you in the server's group (id -nG)? log in again after being added"
        }
        std::io::ErrorKind::ConnectionRefused => {
            "nothing is listening (a stale socket): is `permitdesk serve` running (systemctl status permitdesk)?"
        }
        _ => "is `permitdesk serve` running, and are you in its group?",
    };
    Exit::new(
        1,
        format!(
            "cannot reach the permitdesk server at {}: {e}; {check}",
            socket.display()
        ),
    )
}

pub async fn send(conn: &mut protocol::Connection, msg: &ClientMsg) -> anyhow::Result<()> {
    let frame = protocol::encode(msg)?;
    conn.send(frame)
        .await
        .map_err(|e| Exit::new(1, format!("lost the connection to the server: {e}")).into())
}

pub async fn receive(conn: &mut protocol::Connection) -> Option<anyhow::Result<ServerMsg>> {
    let frame = conn.next().await?;
    Some(match frame {
        Err(e) => Err(Exit::new(1, format!("lost the connection to the server: {e}")).into()),
        Ok(bytes) => protocol::decode(&bytes)
            .map_err(|e| protocol_error(&format!("an unreadable message: {e}"))),
    })
}

/// The files this command writes, checked here before the server does any work: never a
/// directory, a device or a FIFO; a backup never over an existing file.
fn check_outputs(cli: &Cli) -> anyhow::Result<Vec<PathBuf>> {
    let outputs: Vec<PathBuf> = match &cli.command {
        Some(Command::Export(a)) => a.output.iter().cloned().collect(),
        Some(Command::Report(a)) => a.output.iter().cloned().collect(),
        Some(Command::Backup { dest }) => {
            crate::cli::check_backup_dest(dest)?;
            if std::fs::symlink_metadata(dest).is_ok() {
                return Err(Exit::new(
                    6,
                    format!("DEST: {} already exists; choose a new file", dest.display()),
                )
                .into());
            }
            vec![dest.clone()]
        }
        _ => Vec::new(),
    };
    for path in &outputs {
        crate::cli::io::check_target(path, &[])?;
    }
    Ok(outputs)
}

/// Input files named on the command line, read here as the person who named them.
fn uploads(cli: &Cli) -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
    if let Some(Command::Check(args)) = &cli.command {
        // An outbox file named as the anchor; `SEQ:HMAC` travels as it is.
        return Ok(match args.anchor.as_deref() {
            Some(arg) if !arg.contains(':') && std::path::Path::new(arg).is_file() => {
                let path = PathBuf::from(arg);
                let bytes = crate::cli::io::read_input_limited(&path, protocol::MAX_UPLOAD)
                    .map_err(|e| {
                        Exit::new(
                            6,
                            format!(
                                "--anchor: {}",
                                crate::text::sanitize_line(&format!("{arg}: {e}"))
                            ),
                        )
                    })?;
                vec![(path, bytes)]
            }
            _ => Vec::new(),
        });
    }
    let Some(Command::Import(args)) = &cli.command else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    let mut total = 0u64;
    for path in &args.files {
        if crate::sync::import::Format::of(path).is_none() {
            // The server names the unknown type, as a direct run does.
            continue;
        }
        let left = protocol::MAX_UPLOAD.saturating_sub(total);
        let bytes = crate::cli::io::read_local_limited(path, left).map_err(|e| {
            let name = path.display().to_string();
            let shown = crate::text::sanitize_line(&name);
            match e.kind() {
                std::io::ErrorKind::InvalidData => Exit::new(
                    6,
                    format!(
                        "{shown}: the input files are larger than the server accepts ({} MiB in all); split them",
                        protocol::MAX_UPLOAD >> 20
                    ),
                ),
                std::io::ErrorKind::InvalidInput => Exit::new(6, format!("{shown}: {e}")),
                _ => Exit::new(1, format!("{shown}: {e}")),
            }
        })?;
        total += bytes.len() as u64;
        files.push((path.clone(), bytes));
    }
    Ok(files)
}

/// The calendar this person's configuration offers (the one `calendar install` installs without
/// a file, and `calendar show` compares), read here, or the file `calendar install` names.
fn offered_calendar(
    cli: &Cli,
    config: &Config,
    offered: crate::domain::Calendar,
) -> anyhow::Result<Option<CalendarText>> {
    let calendar = match &cli.command {
        Some(Command::Calendar(CalendarCommand::Install { file: Some(path) })) => {
            crate::domain::Calendar::load(path).map_err(|e| Exit::new(6, e.to_string()))?
        }
        Some(Command::Calendar(CalendarCommand::Install { file: None })) => offered,
        _ if config.calendar.is_some() => offered,
        _ => return Ok(None),
    };
    Ok(Some(CalendarText {
        text: calendar.text().to_string(),
        source: calendar.source().to_string(),
    }))
}

/// `doctor` through a server: the socket, the handshake and the versions here; the store's files,
/// journal and calendar there. With `--json`, one document holding both sides' checks.
async fn doctor(cli: &Cli, socket: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let mut report = crate::cli::doctor::Report::new(cli.json);
    report.note(&format!("server socket {}", socket.display()));
    match std::fs::metadata(socket) {
        Err(e) => report.fix(
            &format!("{}: {e}", socket.display()),
            "start the server: systemctl start permitdesk",
        ),
        Ok(meta) => {
            let mode = meta.permissions().mode() & 0o777;
            let group = nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(meta.gid()))
                .ok()
                .flatten()
                .map(|g| g.name)
                .unwrap_or_else(|| meta.gid().to_string());
            if mode & 0o007 != 0 || mode & 0o060 != 0o060 {
                report.fix(
                    &format!("the socket's mode is {mode:o} (group {group})"),
                    "the server sets 0660 itself; restart it, and check nothing else changes the socket",
                );
            } else {
                report.ok(&format!("the socket is mode {mode:o}, group {group}"));
            }
        }
    }
    let (mut conn, welcome) = match connect(socket, cli).await {
        Ok(connected) => connected,
        Err(e) => {
            report.fix(
                &format!("{e:#}"),
                "start the server (systemctl start permitdesk) and check you are in its group",
            );
            return report.finish();
        }
    };
    report.ok(&format!(
        "the server answers: permitdesk {}, protocol {}, store {}",
        crate::text::sanitize_line(&welcome.server_version),
        welcome.protocol,
        welcome.store_id
    ));
    if welcome.server_version != env!("CARGO_PKG_VERSION") {
        report.fix(
            &format!(
                "this client is permitdesk {}, the server {}",
                env!("CARGO_PKG_VERSION"),
                crate::text::sanitize_line(&welcome.server_version)
            ),
            "install the same version on both sides",
        );
    } else {
        report.ok("client and server are the same version");
    }
    report.ok(&format!(
        "the server says you are {}: {}",
        welcome.user,
        welcome
            .roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    send(
        &mut conn,
        &ClientMsg::Run {
            cli: Box::new(cli.clone()),
            calendar: None,
        },
    )
    .await?;
    if !cli.json {
        let server_side = relay(&mut conn, socket, &[]).await;
        return match (report.fixes, server_side) {
            (0, result) => result,
            (n, Ok(())) => Err(Exit::new(1, format!("{n} thing(s) to fix on this side")).into()),
            (n, Err(e)) => Err(Exit::new(
                1,
                format!("{n} thing(s) to fix on this side; the server: {e:#}"),
            )
            .into()),
        };
    }
    // The server's document, folded into this one.
    let mut printed = Vec::new();
    loop {
        match receive(&mut conn).await {
            Some(Ok(ServerMsg::Stdout(bytes))) => printed.extend(bytes),
            Some(Ok(ServerMsg::Done { .. })) | None => break,
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e),
        }
    }
    let theirs: serde_json::Value = serde_json::from_slice(&printed)
        .map_err(|e| protocol_error(&format!("doctor's report: {e}")))?;
    let mut all = Report::new(true);
    all.checks = report.checks;
    all.fixes = report.fixes;
    if let Some(checks) = theirs["checks"].as_array() {
        all.checks.extend(checks.iter().cloned());
    }
    all.fixes += theirs["fixes"].as_u64().unwrap_or(0) as usize;
    all.replication = theirs.get("replication").cloned().filter(|r| !r.is_null());
    all.finish()
}

/// A console session driven one job at a time, for tests and benchmarks: what the console's
/// worker does, without a terminal.
pub struct BlockingSession {
    runtime: tokio::runtime::Runtime,
    conn: protocol::Connection,
    pub welcome: Welcome,
}

impl BlockingSession {
    /// Connects as the calling process's user, or as `as_user` on a trusting server.
    pub fn connect(
        socket: &Path,
        as_user: Option<&str>,
        today: Option<&str>,
    ) -> anyhow::Result<BlockingSession> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let cli = Cli {
            db: None,
            connect: Some(socket.to_path_buf()),
            as_user: as_user.map(str::to_string),
            today: today.map(str::to_string),
            lang: Some("en".into()),
            config: None,
            json: false,
            ascii: false,
            command: None,
            caller: Default::default(),
            from_env: Default::default(),
            replication: Default::default(),
        };
        let (conn, welcome) = runtime.block_on(connect(socket, &cli))?;
        Ok(BlockingSession {
            runtime,
            conn,
            welcome,
        })
    }

    /// Sends one job and waits for its reply; news of changes in between is passed over.
    pub fn execute(
        &mut self,
        job: crate::console::worker::Job,
    ) -> anyhow::Result<crate::console::worker::Reply> {
        let conn = &mut self.conn;
        self.runtime.block_on(async {
            send(conn, &ClientMsg::Job(Box::new(job))).await?;
            loop {
                match receive(conn).await {
                    None => return Err(Exit::new(1, "the server closed the connection").into()),
                    Some(Err(e)) => return Err(e),
                    Some(Ok(ServerMsg::Reply(reply))) => return Ok(*reply),
                    Some(Ok(ServerMsg::Refused { code, message })) => {
                        return Err(Exit::new(code, message).into());
                    }
                    Some(Ok(_)) => {}
                }
            }
        })
    }
}
