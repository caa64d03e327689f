//! Making text from the store safe to print on a terminal.
//!
//! Names, reasons and notes come from applicants and other systems. Printed
//! raw, an escape sequence in them could retitle the window, clear the
//! screen, write the clipboard (OSC 52) or hide text, and a bidi override
//! could make a value read differently from what it is. Every control
//! character is removed, and escape sequences go with their whole bodies so
//! no parameter or payload debris is left behind. Removing every control
//! character is what makes the output inert; dropping bodies is tidiness.

use std::borrow::Cow;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
const CAN: char = '\u{18}';
const SUB: char = '\u{1a}';
const C1_DCS: char = '\u{90}';
const C1_SOS: char = '\u{98}';
const C1_CSI: char = '\u{9b}';
const C1_ST: char = '\u{9c}';
const C1_OSC: char = '\u{9d}';
const C1_PM: char = '\u{9e}';
const C1_APC: char = '\u{9f}';
const LINE_SEPARATOR: char = '\u{2028}';
const PARAGRAPH_SEPARATOR: char = '\u{2029}';
const BOM: char = '\u{feff}';

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Line,
    Multiline,
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// `text` cut to at most `width` terminal cells (CJK two wide, combining marks none), the cut
/// marked with `…`: every truncation says so, in the console and in plain output alike.
pub fn fit_cells(text: &str, width: usize) -> Cow<'_, str> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

/// Single-line sanitising for table cells, names and other one-line fields:
/// `\n`, `\r`, `\t` (and U+2028/U+2029) become a space, `\r\n` a single
/// space; control characters, escape sequences, bidi controls and U+FEFF are
/// removed. Borrowed when nothing changes.
pub fn sanitize_line(s: &str) -> Cow<'_, str> {
    sanitize(s, Mode::Line)
}

/// Multi-line sanitising for reasons and notes: keeps `\n` (U+2028/U+2029
/// become `\n`), turns `\t` into a space, drops `\r`, and removes everything
/// [`sanitize_line`] removes.
pub fn sanitize_multiline(s: &str) -> Cow<'_, str> {
    sanitize(s, Mode::Multiline)
}

/// True if [`sanitize_line`] would change `s` in any way other than turning
/// `\n`, `\t` or U+2028/U+2029 into spaces. A `\r` counts: it can overwrite
/// what was printed before it on the line.
pub fn contains_unsafe(s: &str) -> bool {
    s.chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c) || c == BOM)
}

fn needs_work(c: char, mode: Mode) -> bool {
    if c == '\n' {
        return mode == Mode::Line;
    }
    c.is_control() || is_bidi_control(c) || matches!(c, BOM | LINE_SEPARATOR | PARAGRAPH_SEPARATOR)
}

fn sanitize(s: &str, mode: Mode) -> Cow<'_, str> {
    let Some(start) = s.find(|c| needs_work(c, mode)) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..start]);
    let newline = match mode {
        Mode::Line => ' ',
        Mode::Multiline => '\n',
    };
    let mut chars = s[start..].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | LINE_SEPARATOR | PARAGRAPH_SEPARATOR => out.push(newline),
            '\t' => out.push(' '),
            '\r' => {
                if mode == Mode::Line {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push(' ');
                }
            }
            ESC => skip_escape_sequences(&mut chars),
            C1_CSI => skip_csi_body(&mut chars),
            C1_OSC | C1_DCS | C1_SOS | C1_PM | C1_APC => {
                if skip_string_body(&mut chars) {
                    skip_escape_sequences(&mut chars);
                }
            }
            c if c.is_control() || is_bidi_control(c) || c == BOM => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Skips what follows an ESC that has just been consumed. Loops rather than
/// recursing because a string body can end in an ESC that starts the next
/// sequence (`ESC ] ESC ] ESC ] ...` must not grow the stack).
fn skip_escape_sequences(chars: &mut Chars<'_>) {
    while skip_after_esc(chars) {}
}

/// Returns true if it consumed a further ESC whose sequence still needs skipping.
fn skip_after_esc(chars: &mut Chars<'_>) -> bool {
    let Some(&next) = chars.peek() else {
        return false;
    };
    match next {
        '[' => {
            chars.next();
            skip_csi_body(chars);
            false
        }
        ']' | 'P' | 'X' | '^' | '_' => {
            chars.next();
            skip_string_body(chars)
        }
        // nF: intermediates then a final byte, e.g. `ESC ( B`.
        '\u{20}'..='\u{2f}' => {
            while chars
                .next_if(|c| matches!(c, '\u{20}'..='\u{2f}'))
                .is_some()
            {}
            chars.next_if(|c| matches!(c, '\u{30}'..='\u{7e}'));
            false
        }
        // Two-character sequences such as `ESC c` (reset) or `ESC 7`.
        '\u{30}'..='\u{7e}' => {
            chars.next();
            false
        }
        // A lone ESC before anything else (another ESC, a control, non-ASCII)
        // is dropped by itself; the next character is handled normally.
        _ => false,
    }
}

/// Parameter and intermediate bytes, then one final byte. Anything else ends
/// the sequence early and is handled as ordinary input.
fn skip_csi_body(chars: &mut Chars<'_>) {
    while chars
        .next_if(|c| matches!(c, '\u{20}'..='\u{3f}'))
        .is_some()
    {}
    chars.next_if(|c| matches!(c, '\u{40}'..='\u{7e}'));
}

/// Skips an OSC/DCS/SOS/PM/APC body up to BEL, ST (`ESC \` or U+009C), or
/// CAN/SUB (which abort it in VT parsers); unterminated bodies run to the end.
/// Returns true if it ended on an ESC that begins another sequence.
fn skip_string_body(chars: &mut Chars<'_>) -> bool {
    while let Some(c) = chars.next() {
        match c {
            BEL | C1_ST | CAN | SUB => return false,
            ESC => return chars.next_if_eq(&'\\').is_none(),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIDI: [char; 12] = [
        '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
        '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
    ];

    fn line(s: &str) -> String {
        sanitize_line(s).into_owned()
    }

    fn multi(s: &str) -> String {
        sanitize_multiline(s).into_owned()
    }

    #[test]
    fn title_change_removed() {
        assert_eq!(line("Zhang\x1b]0;pwned\x07 Wei"), "Zhang Wei");
        assert_eq!(line("Zhang\x1b]2;pwned\x1b\\ Wei"), "Zhang Wei");
        assert!(contains_unsafe("Zhang\x1b]0;pwned\x07 Wei"));
    }

    #[test]
    fn screen_clear_and_cursor_moves_removed() {
        assert_eq!(line("\x1b[2J\x1b[H\x1b[1;31mAPPROVED\x1b[0m"), "APPROVED");
        assert_eq!(line("a\x1b[?1049hb\x1b[38;5;196mc"), "abc");
        assert_eq!(line("a\x1b[ q"), "a"); // intermediate byte before final
        assert_eq!(line("x\x1bc"), "x"); // RIS, full reset
        assert_eq!(line("x\x1b(0qqq\x1b(B"), "xqqq");
        assert_eq!(line("x\x1b7y\x1b8"), "xy");
    }

    #[test]
    fn osc52_clipboard_write_removed() {
        let payload = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=";
        assert_eq!(line(&format!("{payload}\x07")), "");
        assert_eq!(line(&format!("{payload}\x1b\\")), "");
        assert_eq!(line(&format!("Li{payload}\x07 Na")), "Li Na");
        assert_eq!(line(&format!("Li{payload}\u{9c} Na")), "Li Na");
        assert_eq!(line(&format!("Li{payload}")), "Li"); // unterminated: to the end
    }

    #[test]
    fn eight_bit_forms_removed() {
        assert_eq!(line("a\u{9b}2Jb"), "ab");
        assert_eq!(line("a\u{9b}31mb"), "ab");
        assert_eq!(line("a\u{9d}0;title\u{07}b"), "ab");
        assert_eq!(line("a\u{9d}52;c;QUJD\u{9c}b"), "ab");
        assert_eq!(line("a\u{90}1$r\u{9c}b"), "ab");
        assert_eq!(line("a\u{85}b"), "ab");
    }

    #[test]
    fn dcs_and_other_strings_removed() {
        assert_eq!(line("a\x1bP1$tx\x1b\\b"), "ab");
        assert_eq!(line("a\x1bPq#0;2;0;0;0#0~~@@vv@@~~\x1b\\b"), "ab"); // sixel
        assert_eq!(line("a\x1b_Gf=100;AAAA\x1b\\b"), "ab"); // APC (kitty graphics)
        assert_eq!(line("a\x1b^pm\x1b\\b\x1bXsos\x1b\\c"), "abc");
        assert_eq!(line("a\x1bPabc\x18b"), "ab"); // CAN aborts
    }

    #[test]
    fn string_ended_by_another_escape() {
        assert_eq!(line("a\x1b]0;t\x1b[2Jb"), "ab");
        assert_eq!(line("a\x1b]0;t\x1b\x1b]0;u\x07b"), "ab");
        // Deeply chained sequences must not overflow the stack.
        let chained = "\x1b]".repeat(100_000);
        assert_eq!(line(&format!("{chained}\x07ok")), "ok");
    }

    #[test]
    fn lone_and_malformed_escapes() {
        assert_eq!(line("abc\x1b"), "abc");
        assert_eq!(line("\x1b"), "");
        assert_eq!(line("a\x1b\x1b[2Jb"), "ab");
        assert_eq!(line("a\x1b中"), "a中");
        assert_eq!(line("a\x1b["), "a");
        assert_eq!(line("a\x1b[12;"), "a");
        assert_eq!(line("a\x1b[1\x00mb"), "amb"); // inert leftovers are harmless
        assert_eq!(line("a\u{9b}"), "a");
    }

    #[test]
    fn bidi_controls_removed() {
        assert_eq!(line("invoice\u{202e}gnp.exe"), "invoicegnp.exe");
        assert_eq!(line("\u{202e}gnp.exe"), "gnp.exe");
        assert_eq!(line("\u{2067}abc\u{2069}"), "abc");
        assert_eq!(line("\u{200f}محمد\u{200e}"), "محمد");
        for c in BIDI {
            assert!(contains_unsafe(&format!("x{c}y")), "{:04x}", c as u32);
            assert_eq!(line(&format!("x{c}y")), "xy");
        }
    }

    #[test]
    fn bom_removed() {
        assert_eq!(line("\u{feff}Wang"), "Wang");
        assert_eq!(line("Wa\u{feff}ng"), "Wang");
        assert!(contains_unsafe("\u{feff}Wang"));
    }

    #[test]
    fn whitespace_in_line_mode() {
        assert_eq!(line("a\nb\tc\rd"), "a b c d");
        assert_eq!(line("a\r\nb"), "a b");
        assert_eq!(line("a\u{2028}b\u{2029}c"), "a b c");
        assert_eq!(line("a\x0bb\x0cc"), "abc");
        assert!(!contains_unsafe("a\nb\tc"));
        assert!(!contains_unsafe("a\u{2028}b"));
        assert!(contains_unsafe("approved\rrejected"));
    }

    #[test]
    fn multiline_keeps_newlines() {
        let note = "Documents missing:\n\t- degree certificate\r\n\t- 无犯罪记录证明\n";
        assert_eq!(
            multi(note),
            "Documents missing:\n - degree certificate\n - 无犯罪记录证明\n"
        );
        assert_eq!(multi("a\u{2028}b"), "a\nb");
        assert_eq!(multi("ok\x1b[2J\nnext\x1b]52;c;QQ==\x07"), "ok\nnext");
        assert!(matches!(
            sanitize_multiline("line one\nline two\n"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(sanitize_multiline("a\tb"), Cow::Owned(_)));
    }

    #[test]
    fn clean_text_borrowed_and_unchanged() {
        for s in [
            "",
            "John Smith",
            "O'Brien-Smith, Jr. (ID: 12345) #1 @ 100%",
            "张伟",
            "欧阳娜娜",
            "山田 太郎",
            "やまだ たろう",
            "김민준",
            "محمد بن سلمان",
            "Дмитрий Иванович",
            "Ελένη",
            "Nguyễn Văn An",
            "François Müller",
            "👨\u{200d}👩\u{200d}👧 🇨🇳 ✅",
            "नमस्ते",
            "می\u{200c}خواهم",
        ] {
            assert!(
                matches!(sanitize_line(s), Cow::Borrowed(b) if b == s),
                "{s}"
            );
            assert!(
                matches!(sanitize_multiline(s), Cow::Borrowed(b) if b == s),
                "{s}"
            );
            assert!(!contains_unsafe(s), "{s}");
        }
    }

    #[test]
    fn text_around_removed_parts_kept() {
        assert_eq!(line("张\x1b[31m伟\x1b[0m"), "张伟");
        assert_eq!(line("\u{202e}김민준\x07"), "김민준");
    }

    fn assert_line_output_safe(input: &str) {
        let out = sanitize_line(input);
        for c in out.chars() {
            let cp = c as u32;
            assert!(
                cp >= 0x20 && cp != 0x7f && !(0x80..=0x9f).contains(&cp) && !is_bidi_control(c),
                "{input:?} -> {out:?}"
            );
        }
        assert!(!contains_unsafe(&out), "{input:?} -> {out:?}");
        assert!(
            matches!(sanitize_line(&out), Cow::Borrowed(_)),
            "not idempotent: {input:?} -> {out:?}"
        );
        let multi = sanitize_multiline(input);
        assert!(
            multi
                .chars()
                .all(|c| c == '\n' || !(c.is_control() || is_bidi_control(c))),
            "{input:?} -> {multi:?}"
        );
    }

    #[test]
    fn no_dangerous_char_survives() {
        let interesting: Vec<char> = (0u32..=0x9f)
            .filter_map(char::from_u32)
            .chain(BIDI)
            .chain(['\u{feff}', '\u{2028}', '\u{2029}', '中'])
            .collect();
        for &a in &interesting {
            assert_line_output_safe(&a.to_string());
            assert_line_output_safe(&format!("x{a}y"));
            for &b in &interesting {
                assert_line_output_safe(&format!("{a}{b}"));
                assert_line_output_safe(&format!("\x1b{a}{b}z"));
                assert_line_output_safe(&format!("\u{9b}{a}{b}z"));
            }
        }
    }

    #[test]
    fn contains_unsafe_matches_sanitize_line() {
        let interesting: Vec<char> = (0u32..=0xa0)
            .filter_map(char::from_u32)
            .chain(BIDI)
            .chain([
                '\u{feff}', '\u{2028}', '\u{2029}', '\u{200b}', '\u{200d}', '中',
            ])
            .collect();
        for &c in &interesting {
            let s = format!("a{c}b");
            let changed_otherwise =
                sanitize_line(&s) != s.replace(['\n', '\t', '\u{2028}', '\u{2029}'], " ");
            assert_eq!(contains_unsafe(&s), changed_otherwise, "{s:?}");
        }
    }
}

/// Escapes, as `\uXXXX`, the characters JSON leaves raw that a terminal would act on: DEL, the C1
/// controls and the bidi controls. They can only stand inside JSON strings, so the escaped text
/// is the same JSON; serde already escapes the C0 controls.
pub fn json_terminal_safe(json: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| matches!(c as u32, 0x7F..=0x9F) || is_bidi_control(c);
    if !json.chars().any(unsafe_char) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod json_tests {
    use super::*;

    #[test]
    fn every_json_printer_escapes_the_same_way() {
        let value = serde_json::json!({ "name": "a\u{202E}b\u{9B}31m" });
        for printed in [
            json_pretty(&value).expect("pretty"),
            json_line(&value).expect("line"),
        ] {
            assert!(printed.contains("a\\u202eb\\u009b31m"), "{printed}");
            let back: serde_json::Value = serde_json::from_str(&printed).expect("still json");
            assert_eq!(back, value);
        }
    }

    #[test]
    fn json_output_escapes_what_a_terminal_would_obey() {
        let raw = serde_json::to_string("a\u{202E}b\u{9B}31m\u{7F}").expect("json");
        let safe = json_terminal_safe(&raw);
        assert_eq!(safe, "\"a\\u202eb\\u009b31m\\u007f\"");
        let back: String = serde_json::from_str(&safe).expect("still json");
        assert_eq!(back, "a\u{202E}b\u{9B}31m\u{7F}");
        assert!(matches!(json_terminal_safe("\"李伟\""), Cow::Borrowed(_)));
    }
}

/// Deserializes a name the program knows as a `&'static str` (an action or a field, in a refusal
/// that a server sent): each distinct name is kept once for the life of the process.
pub fn interned<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    use serde::Deserialize as _;
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let name = String::deserialize(d)?;
    let mut names = NAMES
        .get_or_init(|| Mutex::new(HashSet::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = names.get(name.as_str()) {
        return Ok(known);
    }
    let kept: &'static str = Box::leak(name.into_boxed_str());
    names.insert(kept);
    Ok(kept)
}

/// A text cell for a CSV file that a spreadsheet may open: one starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return would be read as a formula, so it gets a leading `'` (OWASP's
/// advice for CSV injection). Numbers and dates are written by their own code, never through this.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// JSON as every command prints it (pretty): control, C1 and bidi characters escaped, so a
/// terminal shows it inert. The one way JSON leaves the program for a person to read.
pub fn json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(value).map(|s| json_terminal_safe(&s).into_owned())
}

/// One JSON line (export's JSON Lines), escaped as [`json_pretty`] is.
pub fn json_line<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(value).map(|s| json_terminal_safe(&s).into_owned())
}
