//! `doctor`'s replication checks: is a replica configured, what is its newest position, and
//! how long has the oldest action the store holds but the replica does not been waiting.
//!
//! The lag is measured against the audit chain rather than against the replica's age: an idle
//! office writes nothing, so a replica whose newest position is hours old can be complete,
//! while one a few seconds old can already miss an approval.

use super::doctor::Report;
use super::litestream::{self, LitestreamError};
use crate::config::Replication;
use crate::store::Store;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `doctor --json` says of the replica (`"replication"`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Replica {
    pub configured: bool,
    pub litestream_config: Option<PathBuf>,
    /// `file`, `sftp`...: the replica's type in the Litestream configuration.
    pub replica_type: Option<String>,
    /// The highest transaction the replica holds (Litestream's TXID, hex).
    pub txid: Option<String>,
    /// When the replica's newest position was written, to the second.
    pub position_at: Option<String>,
    /// Seconds since then.
    pub age_seconds: Option<f64>,
    /// Events in the store recorded after the replica's newest position.
    pub pending_events: u64,
    /// Seconds the oldest of them has been waiting (0 when there are none).
    pub lag_seconds: f64,
    pub max_lag_seconds: u64,
    /// permitdesk's writers leave checkpoints to Litestream (the store carries its tables).
    pub checkpoints_left_to_litestream: bool,
    /// The store's `-wal` file: it grows without bound if nothing checkpoints it.
    pub wal_bytes: u64,
    /// `ok`, `fix` or `note`, as the check line.
    pub status: &'static str,
}

/// A WAL this big means nothing checkpoints it (Litestream itself forces a checkpoint at about
/// 500 MB): the store's reads slow down and its disk fills.
const WAL_TOO_BIG: u64 = 512 << 20;

const HOW_SERVICE: &str = "is Litestream running? systemctl status permitdesk-replicate; journalctl -u permitdesk-replicate (README.md, \"Recovery\")";

/// Adds the replication checks to `report`, and the replica's state to its JSON document.
pub fn check(
    report: &mut Report,
    settings: &Replication,
    store_path: &Path,
    store: &Store,
) -> anyhow::Result<()> {
    let mut replica = Replica {
        litestream_config: settings.litestream_config.clone(),
        max_lag_seconds: settings.max_lag.as_secs(),
        ..Replica::default()
    };
    let result = examine(&mut replica, settings, store_path, store);
    match result {
        Ok(Verdict::Ok(text)) => {
            replica.status = "ok";
            report.ok(&text);
        }
        Ok(Verdict::Note(text)) => {
            replica.status = "note";
            report.note(&text);
        }
        Ok(Verdict::Fix(text, how)) => {
            replica.status = "fix";
            report.fix(&text, &how);
        }
        Err(e) => return Err(e.into()),
    }
    replica.checkpoints_left_to_litestream = store.checkpoints_left_to_litestream()?;
    let mut wal = store_path.as_os_str().to_os_string();
    wal.push("-wal");
    replica.wal_bytes = std::fs::metadata(&wal).map_or(0, |m| m.len());
    let mib = replica.wal_bytes as f64 / f64::from(1 << 20);
    if replica.checkpoints_left_to_litestream {
        if replica.wal_bytes > WAL_TOO_BIG {
            report.fix(
                &format!(
                    "the WAL has grown to {mib:.0} MB: permitdesk leaves checkpoints to Litestream (the store carries its tables) and Litestream is not taking them"
                ),
                HOW_SERVICE,
            );
        } else {
            report.ok(&format!(
                "checkpoints are left to Litestream (the store carries its tables); the WAL is {mib:.1} MB"
            ));
        }
    }
    report.replication = Some(serde_json::to_value(&replica)?);
    Ok(())
}

enum Verdict {
    Ok(String),
    Note(String),
    Fix(String, String),
}

fn examine(
    replica: &mut Replica,
    settings: &Replication,
    store_path: &Path,
    store: &Store,
) -> Result<Verdict, crate::store::StoreError> {
    let Some(config) = &settings.litestream_config else {
        return Ok(Verdict::Note(
            "no replica: `litestream_config` is not set in the configuration, so a lost disk loses everything since the last backup (README.md, \"Recovery\")".into(),
        ));
    };
    replica.configured = true;
    let shown = config.display();
    let databases = match litestream::databases(config) {
        Ok(dbs) => dbs,
        Err(e) => return Ok(Verdict::Fix(format!("{shown}: {e}"), how_for(&e))),
    };
    let Some(db) = litestream::find(&databases, store_path) else {
        return Ok(Verdict::Fix(
            format!("{shown} does not replicate {}", store_path.display()),
            format!(
                "name the store under `dbs:` in {shown} (see /usr/share/permitdesk/litestream-file.yml) and restart permitdesk-replicate"
            ),
        ));
    };
    replica.replica_type = Some(db.replica.clone());
    let position = match litestream::position(config, &db.path) {
        Ok(Some(position)) => position,
        Ok(None) => {
            return Ok(Verdict::Fix(
                format!("the {} replica of {shown} holds nothing yet", db.replica),
                "start replication: systemctl enable --now permitdesk-replicate".into(),
            ));
        }
        // The server's sandbox has no network: a replica on another host is out of its reach.
        Err(e) if super::io::is_served() && db.replica != "file" => {
            return Ok(Verdict::Note(format!(
                "the server cannot reach the {} replica from its sandbox ({e}); check it as the service account: sudo -u permitdesk permitdesk --db {} doctor",
                db.replica,
                store_path.display()
            )));
        }
        Err(e) => {
            return Ok(Verdict::Fix(
                format!("cannot read the {} replica of {shown}: {e}", db.replica),
                how_for(&e),
            ));
        }
    };
    let now = Utc::now().fixed_offset();
    let age = seconds_between(position.at, now);
    replica.txid = Some(position.txid.clone());
    replica.position_at = Some(position.at.to_rfc3339());
    replica.age_seconds = Some(age);
    // Litestream prints its times to the second: anything within that second may be on it.
    let since = store.events_since(position.at + chrono::Duration::seconds(1))?;
    replica.pending_events = since.count;
    replica.lag_seconds = since
        .oldest_at
        .as_deref()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .map_or(0.0, |oldest| seconds_between(oldest, now));
    let behind = format!(
        "{}{} event(s) of the store are not on it",
        since.count,
        if since.more { "+" } else { "" }
    );
    let state = format!(
        "the {} replica holds transaction {} of {} ({age:.0} s ago); ",
        db.replica,
        position.txid,
        position.at.to_rfc3339()
    );
    if Duration::from_secs_f64(replica.lag_seconds) > settings.max_lag {
        return Ok(Verdict::Fix(
            format!(
                "{state}{behind}, the oldest for {:.0} s (replication_max_lag is {} s)",
                replica.lag_seconds,
                settings.max_lag.as_secs()
            ),
            HOW_SERVICE.into(),
        ));
    }
    if since.count == 0 {
        Ok(Verdict::Ok(format!(
            "{state}every event of the store is on it"
        )))
    } else {
        Ok(Verdict::Ok(format!(
            "{state}{behind} yet, the oldest for {:.1} s (within replication_max_lag, {} s)",
            replica.lag_seconds,
            settings.max_lag.as_secs()
        )))
    }
}

fn how_for(e: &LitestreamError) -> String {
    match e {
        LitestreamError::NotInstalled => {
            "install Litestream where the service account's PATH finds it (README.md, \"Recovery\")"
                .into()
        }
        _ => HOW_SERVICE.into(),
    }
}

/// Seconds from `from` to `to`, never negative (a clock set back, a store with a declared day).
fn seconds_between(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> f64 {
    let ms = (to - from).num_milliseconds().max(0);
    ms as f64 / 1000.0
}
