//! Full-text search over case number, names in both scripts, passport, permit number and employer.
//! FTS5's default tokenizer keeps a run of Chinese characters as one token, so CJK text is indexed
//! one character per token and searched as a phrase: 伟 and 李伟 both find 李伟.

use crate::domain::{Case, ids};

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F) // Extensions B-F
}

/// Splits text into the tokens the index holds: each CJK character alone, other runs of letters
/// and digits as words. Indexed text and queries are folded alike (`ids::fold_search`).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in ids::fold_search(text).chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The text indexed for a case.
pub fn index_text(case: &Case) -> String {
    let mut fields: Vec<&str> = vec![
        &case.case_no,
        &case.applicant.name,
        &case.applicant.passport_no,
        &case.employer.name,
        &case.employer.uscc,
    ];
    fields.extend(case.applicant.name_native.as_deref());
    fields.extend(case.permit_no.as_deref());
    fields.extend(case.decision_doc_no.as_deref());
    let mut all = Vec::new();
    for field in fields {
        all.extend(tokens(field));
    }
    all.join(" ")
}

/// A whole unified social credit code, typed alone (any case or width, spaces around): searched
/// as that employer's code, through the employer index, not as text. A code whose check
/// character is wrong is only text.
pub fn employer_code(typed: &str) -> Option<String> {
    ids::fold_uscc(&ids::fold_search(typed)).ok()
}

/// Turns what a user typed into an FTS5 query: every word must match, the last token of each
/// word as a prefix. Returns `None` when nothing searchable was typed. The query is passed as a
/// parameter and every token is quoted, so no user text is ever SQL or FTS syntax.
pub fn match_query(typed: &str) -> Option<String> {
    let mut terms = Vec::new();
    for word in typed.split_whitespace() {
        let tokens = tokens(word);
        if tokens.is_empty() {
            continue;
        }
        let phrase = tokens
            .iter()
            .map(|t| t.replace('"', ""))
            .collect::<Vec<_>>()
            .join(" ");
        let last_is_cjk = tokens.last().is_some_and(|t| t.chars().all(is_cjk));
        if let Some(padded) = sequence_digits(&tokens) {
            // A clerk on the phone reads a case number's last digits: `2381` is GZ2026-002381.
            terms.push(format!("(\"{phrase}\"* OR \"{padded}\")"));
        } else if last_is_cjk {
            terms.push(format!("\"{phrase}\""));
        } else {
            terms.push(format!("\"{phrase}\"*"));
        }
    }
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" AND "))
    }
}

/// The digits of a case number's sequence (GZ2026-002381), as the demo and the import formats
/// write them.
const SEQUENCE_DIGITS: usize = 6;

/// A word of fewer digits than a sequence, zero-padded to one: `2381` -> `002381`.
fn sequence_digits(tokens: &[String]) -> Option<String> {
    match tokens {
        [digits]
            if digits.len() < SEQUENCE_DIGITS && digits.chars().all(|c| c.is_ascii_digit()) =>
        {
            Some(format!("{digits:0>SEQUENCE_DIGITS$}"))
        }
        _ => None,
    }
}

/// Whether `typed` names `case_no`: the whole number, folded as the index folds it, or the
/// digits of its sequence without the leading zeros (`2381` for GZ2026-002381). A search that
/// names a case takes the cursor straight to it.
pub fn names_case_no(typed: &str, case_no: &str) -> bool {
    let typed = tokens(typed);
    let number = tokens(case_no);
    if !typed.is_empty() && typed == number {
        return true;
    }
    match (sequence_digits(&typed), number.last()) {
        (Some(padded), Some(last)) => *last == padded,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_is_split_per_character_and_words_are_kept() {
        assert_eq!(tokens("李伟 LI WEI"), ["李", "伟", "li", "wei"]);
        assert_eq!(tokens("GZ2026-004512"), ["gz2026", "004512"]);
        assert_eq!(tokens("田中 太郎"), ["田", "中", "太", "郎"]);
        assert_eq!(tokens("Смирнова"), ["смирнова"]);
    }

    #[test]
    fn a_case_numbers_last_digits_name_it() {
        assert_eq!(
            match_query("2381").as_deref(),
            Some("(\"2381\"* OR \"002381\")")
        );
        assert_eq!(match_query("002381").as_deref(), Some("\"002381\"*"));
        assert!(names_case_no("2381", "GZ2026-002381"));
        assert!(names_case_no("gz2026-002381", "GZ2026-002381"));
        assert!(names_case_no("ＧＺ２０２６－００２３８１", "GZ2026-002381"));
        assert!(!names_case_no("238", "GZ2026-002381"));
        assert!(!names_case_no("GZ2026", "GZ2026-002381"));
        assert!(!names_case_no("", "GZ2026-002381"));
    }

    #[test]
    fn queries_quote_every_token() {
        assert_eq!(match_query("李伟").as_deref(), Some("\"李 伟\""));
        assert_eq!(match_query("smir").as_deref(), Some("\"smir\"*"));
        assert_eq!(
            match_query("GZ2026-0045 ltd").as_deref(),
            Some("\"gz2026 0045\"* AND \"ltd\"*")
        );
        assert_eq!(
            match_query("\" OR 1=1 --").as_deref(),
            Some("\"or\"* AND \"1 1\"*")
        );
        assert_eq!(match_query("  -- "), None);
        // Full width and invisible characters fold as the index does.
        assert_eq!(
            match_query("ＦＷ－００００07").as_deref(),
            Some("\"fw 000007\"*")
        );
        assert_eq!(
            match_query("zw-0000\u{200D}08").as_deref(),
            Some("\"zw 000008\"*")
        );
        assert_eq!(
            employer_code(" ９１４４０１０１ma5cq7h2xc ").as_deref(),
            Some("91440101MA5CQ7H2XC")
        );
    }
}
