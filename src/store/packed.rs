//! How an audit event's `payload` is kept (schema version 14): as text, or, when that is longer
//! than [`PACK_FROM`] bytes and packing makes it shorter, as one zstd frame (no checksum, its
//! content size recorded) compressed with `payload-dictionary.txt` as a raw-content dictionary.
//! The column's type says which. The link of an event is over the text either way, so packing
//! changes nothing `check` verifies, and a packed row unpacked to its text still links.
//!
//! The dictionary is sample payloads of every kind of event: a submission's 600 bytes of JSON
//! keep about 150. It is part of the stored format and never changes (a test holds it to its
//! SHA-256); a new dictionary would be a new form of row.

use rusqlite::types::{Value, ValueRef};
use std::borrow::Cow;
use std::cell::RefCell;

/// The dictionary every packed payload was compressed with.
pub(crate) const DICTIONARY: &[u8] = include_bytes!("payload-dictionary.txt");

/// Payloads shorter than this are kept as text: a reason of a few words packs to little less.
const PACK_FROM: usize = 64;

/// zstd's level for payloads: its default, a few microseconds for a submission.
const LEVEL: i32 = 3;

/// Log2 of the entries in zstd's match tables: enough for the dictionary and a payload.
const TABLE_LOG: u32 = 13;

/// The most a packed payload may unpack to: well over any action's fields (a submission is a
/// few KB), so that a damaged or planted row cannot make a reader allocate without bound.
const MAX_UNPACKED: usize = 1 << 20;

/// Why a stored payload could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("a payload that is neither text nor packed text")]
    WrongType,
    #[error(
        "a packed payload that does not record its size, or unpacks to over {MAX_UNPACKED} bytes"
    )]
    Size,
    #[error("a packed payload that does not unpack: {0}")]
    Frame(std::io::Error),
    #[error("a payload that is not UTF-8")]
    NotUtf8,
}

thread_local! {
    static PACKER: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static UNPACKER: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// The value `payload` holds for `text`: the text, or its packed form when that is shorter.
pub(crate) fn pack(text: &str) -> Value {
    if text.len() < PACK_FROM {
        return Value::Text(text.to_string());
    }
    match compress(text.as_bytes()) {
        Some(packed) if packed.len() < text.len() => Value::Blob(packed),
        _ => Value::Text(text.to_string()),
    }
}

fn compress(bytes: &[u8]) -> Option<Vec<u8>> {
    PACKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut packer = zstd::bulk::Compressor::with_dictionary(LEVEL, DICTIONARY).ok()?;
            packer
                .set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(false))
                .ok()?;
            packer
                .set_parameter(zstd::zstd_safe::CParameter::ContentSizeFlag(true))
                .ok()?;
            // Tables sized for a payload and the dictionary (a few KB): zstd copies them into
            // its context for every small input, and its level-3 tables are 512 KB.
            for parameter in [
                zstd::zstd_safe::CParameter::HashLog(TABLE_LOG),
                zstd::zstd_safe::CParameter::ChainLog(TABLE_LOG),
            ] {
                packer.set_parameter(parameter).ok()?;
            }
            *slot = Some(packer);
        }
        // Packing is only ever a saving: on any failure the text is kept as it is.
        slot.as_mut()?.compress(bytes).ok()
    })
}

/// The text a stored `payload` holds.
pub(crate) fn unpack(value: ValueRef<'_>) -> Result<Cow<'_, str>, UnpackError> {
    match value {
        ValueRef::Text(text) => std::str::from_utf8(text)
            .map(Cow::Borrowed)
            .map_err(|_| UnpackError::NotUtf8),
        ValueRef::Blob(packed) => {
            let bytes = decompress(packed)?;
            String::from_utf8(bytes)
                .map(Cow::Owned)
                .map_err(|_| UnpackError::NotUtf8)
        }
        _ => Err(UnpackError::WrongType),
    }
}

fn decompress(packed: &[u8]) -> Result<Vec<u8>, UnpackError> {
    let size = zstd::bulk::Decompressor::upper_bound(packed)
        .filter(|size| *size <= MAX_UNPACKED)
        .ok_or(UnpackError::Size)?;
    UNPACKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let unpacker = match &mut *slot {
            Some(unpacker) => unpacker,
            empty => empty.insert(
                zstd::bulk::Decompressor::with_dictionary(DICTIONARY)
                    .map_err(UnpackError::Frame)?,
            ),
        };
        unpacker
            .decompress(packed, size)
            .map_err(UnpackError::Frame)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_dictionary_is_frozen() {
        // Every packed payload ever written needs exactly these bytes to be read.
        assert_eq!(
            hex::encode(Sha256::digest(DICTIONARY)),
            "51489fa552d6e695f0c7cf477dc94affe5081661a1ed6bbca4e1872733eb59b8"
        );
    }

    #[test]
    fn a_submission_packs_to_under_half_and_back() {
        let submission = r#"{"submission":{"applicant":{"birth_date":"1977-09-14","name":"JOHNSON JESSICA","nationality":"GBR","passport_no":"782896086"},"case_no":"GZ2025-336962","category":"C","documents":[{"kind":"passport","ok":false},{"kind":"contract","ok":false}],"employer":{"name":"广州市越秀区星河物流有限公司","uscc":"91440104MA534RL63C"},"kind":"e_certificate","legacy":false,"permit":{"collected":false,"expires_on":"2026-09-20","permit_no":"440100202350436494"},"position":"Interior Designer"}}"#;
        let Value::Blob(packed) = pack(submission) else {
            panic!("a submission is packed");
        };
        assert!(
            packed.len() * 2 < submission.len(),
            "{} bytes",
            packed.len()
        );
        assert_eq!(
            unpack(ValueRef::Blob(&packed)).expect("unpacks"),
            submission
        );
    }

    #[test]
    fn short_text_stays_text_and_reads_as_itself() {
        let reason = r#"{"reason":"passport copy unreadable"}"#;
        assert_eq!(pack(reason), Value::Text(reason.to_string()));
        assert_eq!(
            unpack(ValueRef::Text(reason.as_bytes())).expect("text"),
            reason
        );
    }

    #[test]
    fn damaged_or_planted_blobs_are_refused_not_trusted() {
        let Value::Blob(mut packed) = pack(&"x".repeat(5000)) else {
            panic!("packed");
        };
        packed.truncate(packed.len() - 2);
        assert!(unpack(ValueRef::Blob(&packed)).is_err());
        assert!(matches!(
            unpack(ValueRef::Blob(b"not a frame")),
            Err(UnpackError::Size)
        ));
        assert!(matches!(
            unpack(ValueRef::Integer(7)),
            Err(UnpackError::WrongType)
        ));
        // A frame that claims more than any payload is refused before anything is allocated.
        let huge = zstd::bulk::compress(&vec![b'a'; MAX_UNPACKED + 1], 1).expect("compress");
        assert!(matches!(
            unpack(ValueRef::Blob(&huge)),
            Err(UnpackError::Size)
        ));
    }
}
