//! A spool belongs to one store: `DIR/.permitdesk-store` holds the id of the store that first
//! used it. Two stores draining one inbox would each apply half the batches and interleave their
//! outbox sequences, and upstream could not tell them apart.

use super::SyncError;
use super::fsutil::sync_dir;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The marker's name in the spool directory.
pub const MARKER: &str = ".permitdesk-store";

/// Longer than any id permitdesk writes; a marker past this is not one.
const MAX_MARKER_BYTES: u64 = 256;

/// Whether this pass bound the spool or found it already bound to this store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    Created,
    Found,
}

/// Checks that `dir` belongs to the store `ours`, binding it when no store has claimed it yet.
/// Called with the spool's lock held, so two first passes cannot both bind it.
pub fn bind(dir: &Path, ours: &str) -> Result<Binding, SyncError> {
    let path = dir.join(MARKER);
    match read_marker(&path)? {
        Some(bound) if bound == ours => Ok(Binding::Found),
        Some(bound) => Err(SyncError::OtherStore {
            path: dir.to_path_buf(),
            bound,
            ours: ours.to_string(),
        }),
        None => {
            if !is_id(ours) {
                return Err(crate::store::StoreError::Damaged(
                    "the store's identity (meta.store_id) is not a valid id".into(),
                )
                .into());
            }
            write_marker(dir, ours).map_err(SyncError::io(&path))?;
            tracing::info!(spool = %dir.display(), store = ours, "spool bound to this store");
            Ok(Binding::Created)
        }
    }
}

/// The id in the marker; `None` when there is no marker.
fn read_marker(path: &Path) -> Result<Option<String>, SyncError> {
    let bad = |detail: String| SyncError::BadMarker {
        path: path.to_path_buf(),
        detail,
    };
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(format!("cannot be read: {e}"))),
    };
    if !meta.file_type().is_file() {
        return Err(bad("is not a regular file".into()));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_MARKER_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| bad(format!("cannot be read: {e}")))?;
    let text = std::str::from_utf8(&bytes)
        .ok()
        .map(|t| t.trim_end_matches(['\n', '\r']))
        .filter(|t| bytes.len() as u64 <= MAX_MARKER_BYTES && is_id(t))
        .ok_or_else(|| bad("does not hold a store id".into()))?;
    Ok(Some(text.to_string()))
}

/// Ids are what migration 6 makes (32 hex digits); letters, digits and dashes up to 64 are taken
/// so that a marker never holds anything a terminal could act on.
fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Writes the marker under a fresh temporary name, flushes it, renames it into place and flushes
/// the directory. A temporary file left by a crashed pass is replaced (the lock is held).
fn write_marker(dir: &Path, id: &str) -> io::Result<PathBuf> {
    let tmp = dir.join(format!("{MARKER}.{}.tmp", std::process::id()));
    let open = || {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o640);
        }
        options.open(&tmp)
    };
    let mut file = match open() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(&tmp)?;
            open()?
        }
        other => other?,
    };
    file.write_all(format!("{id}\n").as_bytes())?;
    file.sync_all()?;
    drop(file);
    let target = dir.join(MARKER);
    fs::rename(&tmp, &target)?;
    sync_dir(dir)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_text() {
        assert!(is_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_id(""));
        assert!(!is_id("abc\u{1b}[2J"));
        assert!(!is_id(&"a".repeat(65)));
    }
}
