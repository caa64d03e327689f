//! Splitting a JSON Lines file into numbered lines, and the error every reader reports:
//! `file:line: field: message`.

use serde::Serialize;
use std::fmt;

/// Longer lines are refused without being parsed.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The field named when a whole line (or the whole file) is wrong.
pub const RECORD: &str = "record";

/// One bad line, with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub file: String,
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.field, self.message
        )
    }
}

/// A field and what is wrong with it, before the file and line are known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn at(self, file: &str, line: u64) -> LineError {
        LineError {
            file: file.to_string(),
            line,
            field: self.field,
            message: self.message,
        }
    }
}

/// A non-blank line of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based.
    pub number: u64,
    pub text: &'a str,
}

/// Strips a UTF-8 byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The non-blank lines of `bytes`: a leading BOM and `\r` before `\n` are dropped; a line that is
/// too long or not UTF-8 comes back as an error naming its number.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = Result<Line<'_>, (u64, FieldError)>> {
    let body = strip_bom(bytes);
    let ends_with_newline = body.ends_with(b"\n");
    let mut parts = body.split(|b| *b == b'\n').peekable();
    let mut number = 0u64;
    std::iter::from_fn(move || {
        loop {
            let raw = parts.next()?;
            number += 1;
            if parts.peek().is_none() && ends_with_newline && raw.is_empty() {
                return None;
            }
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if raw.len() > MAX_LINE_BYTES {
                return Some(Err((
                    number,
                    FieldError::new(
                        RECORD,
                        format!(
                            "the line is {} bytes long; at most {MAX_LINE_BYTES} are read",
                            raw.len()
                        ),
                    ),
                )));
            }
            match std::str::from_utf8(raw) {
                Ok(text) if text.trim().is_empty() => continue,
                Ok(text) => return Some(Ok(Line { number, text })),
                Err(e) => {
                    return Some(Err((
                        number,
                        FieldError::new(
                            RECORD,
                            format!("is not valid UTF-8 (byte {})", e.valid_up_to() + 1),
                        ),
                    )));
                }
            }
        }
    })
}

/// The number of lines `lines` counts, blank ones included.
pub fn count_lines(bytes: &[u8]) -> u64 {
    let body = strip_bom(bytes);
    if body.is_empty() {
        return 0;
    }
    let newlines = body.iter().filter(|b| **b == b'\n').count() as u64;
    if body.ends_with(b"\n") {
        newlines
    } else {
        newlines + 1
    }
}

/// serde_json's message with its "at line 1 column N" turned into "(column N)": the file's line
/// is already named.
pub fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(message) => format!("is not JSON: {message} (column {})", e.column()),
        None => format!("is not JSON: {text}"),
    }
}

/// At most 40 characters of `s`, for messages that quote input.
pub fn excerpt(s: &str) -> String {
    const MAX: usize = 40;
    let clean = crate::text::sanitize_line(s);
    match clean.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &clean[..cut]),
        None => clean.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(bytes: &[u8]) -> Vec<Result<(u64, &str), u64>> {
        lines(bytes)
            .map(|l| l.map(|l| (l.number, l.text)).map_err(|(n, _)| n))
            .collect()
    }

    #[test]
    fn bom_crlf_and_blank_lines() {
        let input = b"\xEF\xBB\xBF{\"a\":1}\r\n\r\n  \n{\"b\":2}";
        assert_eq!(
            numbers(input),
            vec![Ok((1, "{\"a\":1}")), Ok((4, "{\"b\":2}"))]
        );
        assert_eq!(count_lines(input), 4);
        assert_eq!(count_lines(b"a\nb\n"), 2);
        assert_eq!(count_lines(b""), 0);
    }

    #[test]
    fn invalid_utf8_and_long_lines_name_their_line() {
        let mut input = b"{}\n\xff\xfe\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 1));
        let got: Vec<_> = lines(&input).collect();
        assert!(got[0].is_ok());
        let Err((2, e)) = &got[1] else {
            panic!("{got:?}")
        };
        assert_eq!(e.message, "is not valid UTF-8 (byte 1)");
        let Err((3, e)) = &got[2] else {
            panic!("{got:?}")
        };
        assert!(e.message.starts_with("the line is 1048577 bytes long"));
    }
}
