use crate::domain::{ActionKind, Refusal, Stage};
use chrono::{DateTime, FixedOffset};
use std::path::PathBuf;

/// What last changed a case that changed since it was seen: its newest audit event, or why there
/// is none to name. Kept structured, so each screen words it in its own language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LastChange {
    Event {
        actor: String,
        action: ActionKind,
        at: DateTime<FixedOffset>,
    },
    NoHistory,
    /// The case moved on between this action's read and its write.
    WhileWriting,
    /// Another sync moved a batch's progress mark (a batch, not a case, changed).
    SyncMark,
}

impl LastChange {
    /// The minute of the change, as screens show times.
    pub fn minute(at: &DateTime<FixedOffset>) -> String {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

impl std::fmt::Display for LastChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LastChange::Event { actor, action, at } => write!(
                f,
                "last change: {actor} {} at {}",
                action.label_en(),
                LastChange::minute(at)
            ),
            LastChange::NoHistory => f.write_str("no history"),
            LastChange::WhileWriting => f.write_str("changed while this action was being written"),
            LastChange::SyncMark => f.write_str("another sync moved this batch's progress mark"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{case_no}: no such case")]
    NotFound { case_no: String },
    #[error("{case_no} has no upstream conflict #{id}")]
    NoSuchConflict { case_no: String, id: i64 },
    #[error(
        "{case_no}: changed since you saw it: you saw version {expected}, it is now version {actual} ({last_change})"
    )]
    StaleVersion {
        case_no: String,
        expected: i64,
        actual: i64,
        last_change: LastChange,
    },
    #[error(
        "{case_no}: changed since you saw it: you expected stage {expected}, it is now {actual} ({last_change})"
    )]
    StaleStage {
        case_no: String,
        expected: Stage,
        actual: Stage,
        last_change: LastChange,
    },
    #[error("unknown user \"{0}\": ask an admin to add you with `permitdesk user add`")]
    UnknownUser(String),
    /// A user named as the object of a change (`user disable NAME`), not the one acting.
    #[error("no user \"{0}\" in this store (see `permitdesk user list`)")]
    NoSuchUser(String),
    /// The acting user is disabled.
    #[error("your account {0} is disabled; ask an admin to enable it")]
    DisabledUser(String),
    #[error("{0}")]
    NotPermitted(String),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("user {0} already exists")]
    UserExists(String),
    #[error(
        "the store is busy: {waiting} waited {seconds} s for another writer to finish; try again"
    )]
    Busy { waiting: String, seconds: u64 },
    #[error("{path}: not a permitdesk store ({detail})")]
    NotAStore { path: PathBuf, detail: String },
    #[error(
        "{path}: made by a newer permitdesk (schema version {found}; this one knows up to {known}); upgrade permitdesk"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// A store of an older schema opened read-only (`check`), which cannot migrate it.
    #[error(
        "{path}: the store is at schema {found} (this permitdesk needs {known}) and is opened read-only; open it once with `permitdesk serve` or any write command to migrate it first"
    )]
    NeedsMigration {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path}: the store is full or the disk is full; nothing was written")]
    Full { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{context}: {source}")]
    Sqlite {
        context: String,
        source: rusqlite::Error,
    },
    /// Something the store holds is not what permitdesk wrote: a failure (1), not bad input.
    #[error("{0}")]
    Damaged(String),
    #[error(
        "the import of {name} is unfinished ({applied} of {total} cases written, none of them visible yet): run `permitdesk import {name}` again to finish it before importing another file"
    )]
    UnfinishedImport {
        name: String,
        applied: u64,
        total: u64,
    },
    #[error("{context}: stored data is not readable: {source}")]
    Corrupt {
        context: String,
        source: serde_json::Error,
    },
}

impl StoreError {
    /// The process exit code of INTERFACE.md.
    pub fn exit_code(&self) -> u8 {
        match self {
            StoreError::Refused(r) => r.exit_code(),
            StoreError::NotFound { .. }
            | StoreError::NoSuchConflict { .. }
            | StoreError::NoSuchUser(_) => 5,
            StoreError::StaleVersion { .. }
            | StoreError::StaleStage { .. }
            | StoreError::UnfinishedImport { .. } => 4,
            StoreError::UnknownUser(_)
            | StoreError::DisabledUser(_)
            | StoreError::NotPermitted(_) => 3,
            StoreError::Invalid { .. } | StoreError::UserExists(_) => 6,
            StoreError::NeedsMigration { .. } => 7,
            _ => 1,
        }
    }

    pub fn is_conflict(&self) -> bool {
        self.exit_code() == 4
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Adds what was being done to a rusqlite error.
pub trait SqlContext<T> {
    fn ctx(self, context: &str) -> Result<T>;
}

impl<T> SqlContext<T> for std::result::Result<T, rusqlite::Error> {
    fn ctx(self, context: &str) -> Result<T> {
        self.map_err(|source| StoreError::Sqlite {
            context: context.to_string(),
            source,
        })
    }
}
