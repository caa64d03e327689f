//! The upstream spool: inbox batches in, local decisions out (INTERFACE.md, "Sync"), and the
//! import file readers that share its record rules. SQL stays in `store`; this module reads and
//! writes files and drives the store in short transactions.

pub mod batch;
pub mod binding;
pub mod fsutil;
pub mod import;
pub mod inbox;
pub mod lines;
pub mod outbox;
pub mod record;

pub use inbox::{BatchOutcome, BatchReport, Observer, Options, SyncReport, run_once};
pub use lines::{FieldError, LineError};

use crate::store::StoreError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: another sync is running on this spool; try again when it ends")]
    Locked { path: PathBuf },
    #[error("{path}: no spool directory here; create it (with inbox/ inside) or fix --spool")]
    NoSpool { path: PathBuf },
    #[error(
        "{path}: this spool belongs to store {bound} but this store is {ours}; each store needs its own spool"
    )]
    OtherStore {
        path: PathBuf,
        bound: String,
        ours: String,
    },
    #[error(
        "{path}: {detail}; it should hold the id of the store this spool belongs to (remove it only if no other store uses the spool)"
    )]
    BadMarker { path: PathBuf, detail: String },
}

impl SyncError {
    /// The exit code of INTERFACE.md.
    pub fn exit_code(&self) -> u8 {
        match self {
            SyncError::Store(e) => e.exit_code(),
            SyncError::Locked { .. } => 4,
            SyncError::OtherStore { .. } => 3,
            SyncError::BadMarker { .. } => 6,
            SyncError::Io { .. } | SyncError::NoSpool { .. } => 1,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SyncError {
        let path = path.into();
        move |source| SyncError::Io { path, source }
    }
}
