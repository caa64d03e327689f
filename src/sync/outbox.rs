//! Writing `DIR/outbox/`: local decisions as JSON Lines, each file ending with the audit chain's
//! head. A file is planned in the store first and marked written after, and its bytes depend only
//! on the plan, so a crash anywhere leaves neither a gap nor a second numbering of any decision.

use super::SyncError;
use super::fsutil::write_atomically;
use crate::store::Store;
use crate::store::outbox::OutboxFile;
use chrono::NaiveDate;
use serde_json::json;
use std::path::Path;

/// Records per outbox file.
pub const MAX_RECORDS: usize = 1000;

/// The bytes of a planned file: one record per line, then `{"chain_head": {"seq": S, "hmac": M}}`,
/// the keyed anchor `check --anchor S:M` verifies.
pub fn render(store: &Store, file: &OutboxFile) -> Result<Vec<u8>, SyncError> {
    let mut out = Vec::new();
    for record in store.outbox_records(file)? {
        let line = serde_json::to_string(&record).map_err(|e| {
            SyncError::Store(crate::store::StoreError::Corrupt {
                context: format!("outbox record {}", record.outbox_seq),
                source: e,
            })
        })?;
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    let chain_head = crate::store::ChainHead {
        seq: file.head_seq,
        hash: file.head_hash.clone(),
    };
    let mac = store.anchor_for(&chain_head)?.ok_or_else(|| {
        SyncError::Store(crate::store::StoreError::Damaged(format!(
            "{}: the anchor key is missing; outbox files end with an anchor made with it: restore it from its backup",
            store.anchor_key_path().display()
        )))
    })?;
    let head = json!({ "chain_head": { "seq": file.head_seq, "hmac": mac } });
    out.extend_from_slice(head.to_string().as_bytes());
    out.push(b'\n');
    Ok(out)
}

/// Writes every planned-but-unwritten file, then plans and writes new ones until every local
/// decision is out. Returns the files written.
pub fn flush(
    store: &mut Store,
    user: &str,
    today: Option<NaiveDate>,
    dir: &Path,
) -> Result<Vec<OutboxFile>, SyncError> {
    // A store made before keyed anchors gets its key with its first outbox file; once anchors
    // exist, a missing key is a loss to report, not to paper over with a new one.
    if store.anchor_key()?.is_none() && store.last_outbox_seq()? == 0 {
        let path = crate::store::create_anchor_key(store.path())?;
        tracing::warn!(key = %path.display(), "created the store's anchor key; back it up");
    }
    let mut written = Vec::new();
    loop {
        for file in store.pending_outbox_files()? {
            let bytes = render(store, &file)?;
            let target = dir.join(&file.name);
            let same = std::fs::read(&target).is_ok_and(|old| old == bytes);
            if !same {
                write_atomically(dir, &file.name, &bytes).map_err(SyncError::io(&target))?;
            }
            store.mark_outbox_written(user, &file, today)?;
            tracing::info!(file = %file.name, records = file.records(), "outbox file written");
            written.push(file);
        }
        if store.plan_outbox_file(user, MAX_RECORDS, today)?.is_none() {
            return Ok(written);
        }
    }
}
