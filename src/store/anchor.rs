//! The anchor key: 32 random bytes in a file beside the store (`STORE.anchor-key`, 0600), never in
//! it, so that whoever can write the store cannot also make anchors for a chain they rewrote.

use super::Store;
use super::chain::{self, ChainHead};
use super::error::{Result, StoreError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const KEY_BYTES: usize = 32;

impl Store {
    pub fn anchor_key_path(&self) -> PathBuf {
        chain::anchor_key_path(&self.path)
    }

    /// The store's anchor key, `None` when its file does not exist.
    pub fn anchor_key(&self) -> Result<Option<Vec<u8>>> {
        read_key(&self.anchor_key_path())
    }

    /// The keyed anchor (`HMAC-SHA-256`, hex) of `head`, `None` without a key.
    pub fn anchor_for(&self, head: &ChainHead) -> Result<Option<String>> {
        Ok(self.anchor_key()?.map(|key| chain::anchor_mac(&key, head)))
    }
}

/// The anchor key in `path`, `None` when the file does not exist.
pub(super) fn read_key(path: &Path) -> Result<Option<Vec<u8>>> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut text = String::new();
    match std::fs::File::open(path) {
        Ok(file) => {
            file.take(1024).read_to_string(&mut text).map_err(io)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    }
    match hex::decode(text.trim()) {
        Ok(key) if key.len() == KEY_BYTES => Ok(Some(key)),
        _ => Err(StoreError::Damaged(format!(
            "{}: not an anchor key (64 hex digits expected)",
            path.display()
        ))),
    }
}

/// Creates a new random anchor key for the store at `store`, readable only by its owner;
/// refuses to replace one that exists.
pub fn create_anchor_key(store: &Path) -> Result<PathBuf> {
    let path = chain::anchor_key_path(store);
    let io = |source| StoreError::Io {
        path: path.clone(),
        source,
    };
    let mut key = [0u8; KEY_BYTES];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut key))
        .map_err(io)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
    }
    file.write_all(format!("{}\n", hex::encode(key)).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    Ok(path)
}

/// Creates the anchor key of the store at `store` unless it has one: for `init` and `demo`.
pub fn ensure_anchor_key(store: &Path) -> Result<Option<PathBuf>> {
    if read_key(&chain::anchor_key_path(store))?.is_some() {
        return Ok(None);
    }
    create_anchor_key(store).map(Some)
}
