//! A command run by the server for a client: the same code as a direct run, on the server's
//! store, as the person the kernel named; its output, files and exit code go back to the client.

use super::protocol::{CalendarText, ServerMsg};
use super::server::Server;
use super::session::{Bound, Outgoing};
use crate::cli::args::{CalendarCommand, Caller, Command};
use crate::cli::{Cli, io::Remote};
use crate::domain::Calendar;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A client that takes longer than this to accept the next piece of output is given up on.
const CLIENT_READS_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);

/// Once the server is stopping, a client gets this long to take each piece.
const CLIENT_READS_WHILE_STOPPING: std::time::Duration = std::time::Duration::from_secs(5);

/// Standard output is sent in pieces of about this size.
const FLUSH_AT: usize = 64 << 10;

pub async fn run(
    server: &Arc<Server>,
    bound: &Bound,
    mut cli: Cli,
    calendar: Option<CalendarText>,
    files: HashMap<PathBuf, Vec<u8>>,
    tx: &Outgoing,
) {
    let name = command_name(&cli);
    let done = match prepare(server, bound, &mut cli, calendar) {
        Err((code, message)) => ServerMsg::Done {
            code,
            message: Some(message),
        },
        Ok(offered) => {
            let Ok(_turn_to_run) = server.commands.acquire().await else {
                return;
            };
            let spool_pass = matches!(cli.command, Some(Command::Sync(_)));
            let _turn = match spool_pass {
                true => Some(server.spool_turn.lock().await),
                false => None,
            };
            let sink = RemoteSink {
                runtime: tokio::runtime::Handle::current(),
                shutdown: server.shutdown.clone(),
                tx: tx.clone(),
                stdout: Vec::new(),
                file: Vec::new(),
                files,
            };
            let lang = crate::cli::language(&cli);
            let ran = tokio::task::spawn_blocking(move || {
                crate::cli::io::served(Box::new(sink), || {
                    match crate::cli::execute(&cli, offered) {
                        Ok(()) => ServerMsg::Done {
                            code: 0,
                            message: None,
                        },
                        Err(err) => ServerMsg::Done {
                            code: crate::cli::exit_code(&err),
                            message: Some(crate::cli::failure_text(lang, &err)),
                        },
                    }
                })
            })
            .await;
            ran.unwrap_or_else(|e| ServerMsg::Done {
                code: 1,
                message: Some(format!("internal error in the server (a bug): {e}")),
            })
        }
    };
    if let ServerMsg::Done { code, message } = &done {
        match message {
            None => tracing::info!(user = %bound.user, "{name}: ok"),
            Some(m) => tracing::info!(
                user = %bound.user,
                code,
                "{name}: {}",
                crate::text::sanitize_line(m)
            ),
        }
    }
    let _ = tx.send(done).await;
    server.scan().await;
}

/// Points the command at the server's store and names who asks; refuses what only runs
/// directly; returns the calendar the command is offered.
fn prepare(
    server: &Server,
    bound: &Bound,
    cli: &mut Cli,
    calendar: Option<CalendarText>,
) -> Result<Calendar, (u8, String)> {
    cli.db = Some(server.db.clone());
    cli.connect = None;
    cli.config = None;
    cli.replication = server.replication.clone();
    cli.lang = Some(bound.lang.clone());
    cli.caller = Caller::Peer {
        login: bound.peer.login.clone(),
        trust_declared_user: server.trust_declared_user,
    };
    match &mut cli.command {
        None
        | Some(
            Command::Demo(_)
            | Command::Init { .. }
            | Command::Serve(_)
            | Command::RestoreCheck(_)
            | Command::Completions { .. },
        ) => {
            return Err((
                2,
                "this command opens a store directly; run it without --connect".into(),
            ));
        }
        Some(Command::Sync(args)) => {
            if args.watch {
                return Err((
                    2,
                    "sync --watch: the server watches its spool itself (serve --spool)".into(),
                ));
            }
            let Some(own) = &server.spool else {
                return Err((
                    2,
                    "sync: this server has no spool; start it with `serve --spool DIR`".into(),
                ));
            };
            if args.spool.as_ref().is_some_and(|asked| asked != own) {
                return Err((
                    2,
                    format!(
                        "sync --spool: the server applies its own spool ({}); leave --spool out",
                        own.display()
                    ),
                ));
            }
            args.spool = Some(own.clone());
        }
        Some(Command::Calendar(CalendarCommand::Install { file })) => *file = None,
        _ => {}
    }
    match calendar {
        None => Ok(server.calendar.clone()),
        Some(text) => {
            Calendar::from_toml_str(&text.text, &text.source).map_err(|e| (6, e.to_string()))
        }
    }
}

fn command_name(cli: &Cli) -> &'static str {
    cli.command.as_ref().map_or("console", Command::name)
}

/// What a served command prints and writes, sent to its client. Sending blocks while the client
/// is behind, so a large export never piles up in the server's memory.
struct RemoteSink {
    runtime: tokio::runtime::Handle,
    /// A client that stops reading is given up on when the server stops, or after a while.
    shutdown: tokio_util::sync::CancellationToken,
    tx: Outgoing,
    stdout: Vec<u8>,
    /// The output file's bytes not yet sent.
    file: Vec<u8>,
    /// Input files the client sent, by the path it named them with.
    files: HashMap<PathBuf, Vec<u8>>,
}

impl RemoteSink {
    /// Sends, waiting while the client is behind, but not forever: a client that stops reading
    /// must not hold the command (and its read of the store) open, nor keep the server from
    /// stopping.
    fn send(&self, msg: ServerMsg) -> std::io::Result<()> {
        let gone = |why: &str| std::io::Error::new(std::io::ErrorKind::BrokenPipe, why.to_string());
        self.runtime.block_on(async {
            tokio::select! {
                sent = self.tx.send(msg) => sent.map_err(|_| gone("the client left")),
                _ = tokio::time::sleep(CLIENT_READS_WITHIN) => Err(gone("the client stopped reading")),
                _ = async {
                    self.shutdown.cancelled().await;
                    tokio::time::sleep(CLIENT_READS_WHILE_STOPPING).await;
                } => Err(gone("the server is stopping")),
            }
        })
    }

    fn flush_stdout(&mut self) -> std::io::Result<()> {
        if self.stdout.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.stdout);
        self.send(ServerMsg::Stdout(bytes))
    }
}

impl Remote for RemoteSink {
    fn stdout(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stdout.extend_from_slice(bytes);
        if self.stdout.len() >= FLUSH_AT {
            self.flush_stdout()?;
        }
        Ok(())
    }

    fn stderr(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.flush_stdout()?;
        self.send(ServerMsg::Stderr(bytes.to_vec()))
    }

    fn file_begin(&mut self, path: &Path) -> std::io::Result<()> {
        self.flush_stdout()?;
        self.send(ServerMsg::FileBegin {
            path: path.to_path_buf(),
        })
    }

    fn file_chunk(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.extend_from_slice(bytes);
        while self.file.len() >= super::protocol::CHUNK {
            let rest = self.file.split_off(super::protocol::CHUNK);
            let piece = std::mem::replace(&mut self.file, rest);
            self.send(ServerMsg::FileChunk(piece))?;
        }
        Ok(())
    }

    fn file_commit(&mut self) -> std::io::Result<()> {
        if !self.file.is_empty() {
            let piece = std::mem::take(&mut self.file);
            self.send(ServerMsg::FileChunk(piece))?;
        }
        self.send(ServerMsg::FileCommit)
    }

    fn upload(&mut self, path: &Path) -> Option<Vec<u8>> {
        self.files.remove(path)
    }
}

impl Drop for RemoteSink {
    fn drop(&mut self) {
        let _ = self.flush_stdout();
    }
}
