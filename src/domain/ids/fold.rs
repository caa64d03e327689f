//! One folding for every identifier (case numbers, passport numbers, credit codes), whoever
//! typed or sent it: `ＦＷ-００００07`, `fw-000007` and `FW-000007` are one case. Invisible
//! characters are refused before folding, since NFKC keeps them and two values that read the
//! same would still differ.

use super::IdError;
use crate::domain::invisible;
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// NFKC (full-width and other compatibility forms become their plain letters and digits), then
/// ASCII upper case: the office's identifiers are all case-free, none tells `a` from `A`.
pub fn fold_id(raw: &str) -> String {
    if raw.is_ascii() {
        return raw.to_ascii_uppercase();
    }
    raw.nfkc().collect::<String>().to_ascii_uppercase()
}

/// What a search looks for, and what it is matched against: invisible characters dropped (a
/// query is forgiven what an identifier is refused), then NFKC, so a full-width `ＦＷ-００００07`
/// finds `FW-000007`. Case is left to the index, which ignores it.
pub fn fold_search(text: &str) -> Cow<'_, str> {
    // Printable ASCII is its own NFKC and holds nothing invisible: most of what is indexed.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(invisible::strip(text).nfkc().collect())
}

/// Refuses an identifier holding an invisible character, naming it.
pub fn refuse_invisible(raw: &str) -> Result<(), IdError> {
    match invisible::in_identifier(raw) {
        Some(hidden) => Err(IdError::Invisible(hidden)),
        None => Ok(()),
    }
}

/// A passport number as the office keeps it, or why it cannot be one.
pub fn fold_passport(raw: &str) -> Result<String, IdError> {
    let raw = raw.trim();
    refuse_invisible(raw)?;
    let no = fold_id(raw);
    super::validate_passport(&no)?;
    Ok(no)
}

/// A unified social credit code as the office keeps it (lower case and full width accepted), or
/// why it cannot be one.
pub fn fold_uscc(raw: &str) -> Result<String, IdError> {
    let raw = raw.trim();
    refuse_invisible(raw)?;
    let code = fold_id(raw);
    super::validate_uscc(&code)?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_fold_to_one_identifier() {
        assert_eq!(fold_id("ＦＷ-００００07"), "FW-000007");
        assert_eq!(fold_id("ｆｗ－000007"), "FW-000007");
        assert_eq!(fold_id("case-000001"), "CASE-000001");
        assert_eq!(fold_id("案件-1"), "案件-1");
        assert_eq!(fold_id("①"), "1");
        assert_eq!(fold_search("ＦＷ-００００07"), "FW-000007");
        assert_eq!(fold_search("zw-0000\u{200D}08"), "zw-000008");
        assert_eq!(fold_passport(" ｅ12345678 "), Ok("E12345678".into()));
        assert_eq!(
            fold_uscc("91440101ma5cq7h2xc"),
            Ok("91440101MA5CQ7H2XC".into())
        );
        assert_eq!(
            fold_uscc("９１４４０１０１ＭＡ５ＣＱ７Ｈ２ＸＣ"),
            Ok("91440101MA5CQ7H2XC".into())
        );
    }

    #[test]
    fn folding_keeps_invisible_characters_so_they_are_refused_first() {
        assert_eq!(fold_id("ZW-0000\u{200D}08"), "ZW-0000\u{200D}08");
        assert_eq!(
            fold_passport("E1234\u{200B}5678").map_err(|e| e.to_string()),
            Err("contains an invisible character U+200B at position 6".into())
        );
        assert_eq!(
            fold_uscc("91440101MA5CQ7H2X\u{AD}C").map_err(|e| e.to_string()),
            Err("contains an invisible character U+00AD at position 18".into())
        );
    }
}
