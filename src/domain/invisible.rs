//! Characters that print as nothing. In an identifier they make two values that read the same
//! compare different (`ZW-0000<U+200D>08` beside `ZW-000008`); in free text they hide or split
//! words, so a search misses them. Identifiers hold none; free text keeps only line breaks and
//! tabs.

use std::fmt;

/// The first invisible character of a value, 1-based in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hidden {
    pub ch: char,
    pub position: usize,
}

impl Hidden {
    /// C0, DEL and C1: the characters earlier versions already refused as "control characters".
    pub fn is_control(&self) -> bool {
        self.ch.is_control()
    }
}

impl fmt::Display for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_control() {
            f.write_str("must not contain control characters")
        } else {
            write!(
                f,
                "contains an invisible character U+{:04X} at position {}",
                u32::from(self.ch),
                self.position
            )
        }
    }
}

impl std::error::Error for Hidden {}

/// Control characters, format characters (Unicode category Cf: zero-width spaces and joiners,
/// bidi controls, the byte order mark, the soft hyphen, tags), line and paragraph separators,
/// fillers that render as blanks, and variation selectors.
pub fn is_invisible(c: char) -> bool {
    c.is_control() || is_format(c) || is_filler(c) || is_variation_selector(c)
}

/// Category Cf (Unicode 16), with the unassigned code points that are default-ignorable
/// beside it, so a later Unicode version's format character is refused too.
fn is_format(c: char) -> bool {
    matches!(u32::from(c),
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0xFEFF
        | 0xFFF0..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0000..=0xE007F)
}

/// Letters and marks with no glyph of their own: the Hangul fillers, the combining grapheme
/// joiner, Khmer's inherent vowels and the Mongolian free variation selectors.
fn is_filler(c: char) -> bool {
    matches!(
        u32::from(c),
        0x034F | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180D | 0x180F | 0x3164 | 0xFFA0
    )
}

fn is_variation_selector(c: char) -> bool {
    matches!(u32::from(c), 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
}

/// The first invisible character of an identifier: any at all.
pub fn in_identifier(s: &str) -> Option<Hidden> {
    first(s, is_invisible)
}

/// The first character free text (names, notes, reasons) may not hold. Line breaks and tabs are
/// text; a variation selector only picks a glyph for the visible character before it (the
/// registered form of a kanji in a Japanese name, an emoji's presentation), so text keeps it.
pub fn in_text(s: &str) -> Option<Hidden> {
    first(s, text_refuses)
}

/// Whether free text may not hold `c` (see [`in_text`]).
pub fn text_refuses(c: char) -> bool {
    !matches!(c, '\n' | '\t') && is_invisible(c) && !is_variation_selector(c)
}

/// `s` without any invisible character: what a search looks for.
pub fn strip(s: &str) -> String {
    s.chars().filter(|&c| !is_invisible(c)).collect()
}

fn first(s: &str, bad: impl Fn(char) -> bool) -> Option<Hidden> {
    s.chars()
        .enumerate()
        .find(|&(_, c)| bad(c))
        .map(|(i, ch)| Hidden {
            ch,
            position: i + 1,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issues_characters_are_invisible() {
        for c in [
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2028}',
            '\u{2029}',
            '\u{00AD}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{202E}',
            '\u{2066}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{1B}',
            '\u{9B}',
            '\u{7F}',
            '\u{3164}',
            '\u{FE0F}',
        ] {
            assert!(is_invisible(c), "U+{:04X}", u32::from(c));
        }
        for c in [
            'A', '0', '-', ' ', '\u{3000}', '\u{A0}', '李', 'é', '\u{301}', '·',
        ] {
            assert!(!is_invisible(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn the_message_names_the_code_point_and_where_it_is() {
        let hidden = in_identifier("ZW-0000\u{200D}08").expect("found");
        assert_eq!(
            hidden,
            Hidden {
                ch: '\u{200D}',
                position: 8
            }
        );
        assert_eq!(
            hidden.to_string(),
            "contains an invisible character U+200D at position 8"
        );
        assert_eq!(
            in_identifier("A\u{E0041}")
                .map(|h| h.to_string())
                .as_deref(),
            Some("contains an invisible character U+E0041 at position 2")
        );
        assert_eq!(
            in_identifier("A\u{1B}[2J")
                .map(|h| h.to_string())
                .as_deref(),
            Some("must not contain control characters")
        );
    }

    #[test]
    fn free_text_keeps_line_breaks_tabs_and_variation_selectors_only() {
        assert_eq!(in_text("two\nlines\tand a tab"), None);
        assert_eq!(in_text("葛\u{E0100}城 ❤\u{FE0F}"), None);
        assert_eq!(in_text("李 伟\u{3000}(Li Wei)"), None);
        for (text, ch, position) in [
            ("soft\u{AD}hyphen", '\u{AD}', 5),
            ("a\u{2028}b", '\u{2028}', 2),
            ("\u{200B}x", '\u{200B}', 1),
            ("tag\u{E0067}", '\u{E0067}', 4),
            ("cr\r\n", '\r', 3),
        ] {
            assert_eq!(in_text(text), Some(Hidden { ch, position }), "{text:?}");
        }
        assert!(in_identifier("a\tb").is_some());
        assert!(in_identifier("葛\u{E0100}").is_some());
    }

    #[test]
    fn strip_drops_exactly_the_invisible_characters() {
        assert_eq!(strip("ZW-0000\u{200D}08\u{FEFF}"), "ZW-000008");
        assert_eq!(strip("李 伟"), "李 伟");
    }
}
