//! The server's spool watcher: one `sync` pass every interval, as the server's own account
//! (which must be an admin of the store, as `init` makes it), its lines in the server's log.

use super::server::Server;
use crate::cli::Cli;
use crate::cli::args::{Caller, Command, FromEnv, SyncArgs};
use crate::cli::io::Remote;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub async fn watch(server: Arc<Server>, spool: PathBuf, interval: Duration) {
    tracing::info!(spool = %spool.display(), "watching the spool every {interval:?}");
    loop {
        {
            let _turn = server.spool_turn.lock().await;
            let cli = pass(&server, &spool);
            let calendar = server.calendar.clone();
            let ran = tokio::task::spawn_blocking(move || {
                crate::cli::io::served(Box::new(LogSink::default()), || {
                    crate::cli::execute(&cli, calendar)
                })
            })
            .await;
            match ran {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(
                    "spool pass: {}",
                    crate::text::sanitize_line(&format!("{e:#}"))
                ),
                Err(e) => tracing::error!("spool pass failed (a bug): {e}"),
            }
        }
        server.scan().await;
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = server.shutdown.cancelled() => return,
        }
    }
}

fn pass(server: &Server, spool: &Path) -> Cli {
    Cli {
        db: Some(server.db.clone()),
        connect: None,
        as_user: None,
        today: None,
        lang: Some("en".into()),
        config: None,
        json: false,
        ascii: true,
        command: Some(Command::Sync(SyncArgs {
            spool: Some(spool.to_path_buf()),
            watch: false,
            interval: 30,
        })),
        caller: Caller::Process,
        from_env: FromEnv::default(),
        replication: server.replication.clone(),
    }
}

/// A pass's output, line by line, into the server's log.
#[derive(Default)]
struct LogSink {
    partial: Vec<u8>,
}

impl LogSink {
    fn take_lines(&mut self, bytes: &[u8], error: bool) {
        self.partial.extend_from_slice(bytes);
        while let Some(end) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
            let text = crate::text::sanitize_line(&text);
            if text.is_empty() || text == "inbox empty; outbox up to date" {
                continue;
            }
            if error {
                tracing::warn!("spool: {text}");
            } else {
                tracing::info!("spool: {text}");
            }
        }
    }
}

impl Remote for LogSink {
    fn stdout(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.take_lines(bytes, false);
        Ok(())
    }

    fn stderr(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.take_lines(bytes, true);
        Ok(())
    }

    fn file_begin(&mut self, path: &Path) -> std::io::Result<()> {
        Err(std::io::Error::other(format!(
            "{}: a spool pass writes no output files",
            path.display()
        )))
    }

    fn file_chunk(&mut self, _bytes: &[u8]) -> std::io::Result<()> {
        Ok(())
    }

    fn file_commit(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    fn upload(&mut self, _path: &Path) -> Option<Vec<u8>> {
        None
    }
}
