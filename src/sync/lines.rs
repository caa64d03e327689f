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
            match decode_line(raw) {
                None => continue,
                Some(Ok(text)) => return Some(Ok(Line { number, text })),
                Some(Err(e)) => return Some(Err((number, e))),
            }
        }
    })
}

/// One line's bytes (without its `\n`) as text: `\r` dropped, `None` when blank, an error when
/// too long or not UTF-8.
fn decode_line(raw: &[u8]) -> Option<Result<&str, FieldError>> {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    if raw.len() > MAX_LINE_BYTES {
        return Some(Err(too_long(raw.len())));
    }
    match std::str::from_utf8(raw) {
        Ok(text) if text.trim().is_empty() => None,
        Ok(text) => Some(Ok(text)),
        Err(e) => Some(Err(FieldError::new(
            RECORD,
            format!("is not valid UTF-8 (byte {})", e.valid_up_to() + 1),
        ))),
    }
}

fn too_long(bytes: usize) -> FieldError {
    FieldError::new(
        RECORD,
        format!("the line is {bytes} bytes long; at most {MAX_LINE_BYTES} are read"),
    )
}

/// `lines` over a stream, for files too big to hold: at most `MAX_LINE_BYTES` of a line are ever
/// held (the rest of a longer one is skipped, and the line reported). `each` gets every line;
/// an error reading the stream ends the walk.
pub fn stream_lines(
    mut input: impl std::io::BufRead,
    mut each: impl FnMut(Result<Line<'_>, (u64, FieldError)>),
) -> std::io::Result<()> {
    use std::io::{BufRead as _, Read as _};
    let mut buf = Vec::new();
    let mut number = 0u64;
    loop {
        buf.clear();
        // One byte over the longest line (and its `\r\n`) tells a long line from a full one.
        let read = (&mut input)
            .take(MAX_LINE_BYTES as u64 + 3)
            .read_until(b'\n', &mut buf)?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        let ended = buf.last() == Some(&b'\n');
        if ended {
            buf.pop();
        } else if buf.len() > MAX_LINE_BYTES + 1 {
            let skipped = skip_line(&mut input)?;
            each(Err((number, too_long(buf.len() + skipped))));
            continue;
        }
        let raw = if number == 1 {
            strip_bom(&buf)
        } else {
            &buf[..]
        };
        match decode_line(raw) {
            None => {}
            Some(Ok(text)) => each(Ok(Line { number, text })),
            Some(Err(e)) => each(Err((number, e))),
        }
    }
}

/// Consumes the rest of a line without keeping it; returns how many bytes it had.
fn skip_line(input: &mut impl std::io::BufRead) -> std::io::Result<usize> {
    let mut skipped = 0;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok(skipped);
        }
        match chunk.iter().position(|b| *b == b'\n') {
            Some(at) => {
                input.consume(at + 1);
                return Ok(skipped + at);
            }
            None => {
                let n = chunk.len();
                input.consume(n);
                skipped += n;
            }
        }
    }
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

    /// The streamed lines are the sliced ones, whatever the input and however it is buffered.
    #[test]
    fn streaming_reads_the_same_lines_as_slicing() {
        let long = "y".repeat(MAX_LINE_BYTES + 5);
        let exact = "z".repeat(MAX_LINE_BYTES);
        let inputs: Vec<Vec<u8>> = vec![
            b"\xEF\xBB\xBF{\"a\":1}\r\n\r\n  \n{\"b\":2}".to_vec(),
            b"a\n\xff\xfe\nb\n".to_vec(),
            format!("a\n{long}\nb\n{exact}\r\nc").into_bytes(),
            long.clone().into_bytes(),
            b"".to_vec(),
            b"\n\n".to_vec(),
        ];
        let describe = |r: Result<Line<'_>, (u64, FieldError)>| match r {
            Ok(l) => Ok((l.number, l.text.len())),
            Err((n, e)) => Err((n, e.message)),
        };
        for input in inputs {
            let sliced: Vec<_> = lines(&input).map(describe).collect();
            for capacity in [1, 7, 8192] {
                let mut streamed = Vec::new();
                stream_lines(
                    std::io::BufReader::with_capacity(capacity, &input[..]),
                    |r| streamed.push(describe(r)),
                )
                .expect("read");
                assert_eq!(streamed, sliced, "capacity {capacity}");
            }
        }
    }
}
