//! Byte-level helpers for the loaders: skipping a UTF-8 byte order mark, and noticing a CSV
//! quoted field that is still open at the end of the file (the `csv` crate silently takes
//! the rest of the file into it, then reports a wrong field count).

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `reader` without a UTF-8 byte order mark at its start (Excel and Notepad write one).
///
/// # Errors
/// An error reading the first three bytes.
pub(super) fn skip_bom(mut reader: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut head = [0u8; 3];
    let mut len = 0;
    while len < head.len() {
        match reader.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let start = if &head[..len] == BOM { BOM.len() } else { 0 };
    Ok(Box::new(io::Cursor::new(head[start..len].to_vec()).chain(reader)))
}

/// Where an unterminated quoted field starts and where the file ends, once the end of the
/// file was reached inside it; shared between a [`QuoteTracker`] and the loader.
#[derive(Debug, Default)]
pub(super) struct Unterminated {
    /// The 1-based line of the opening quote; 0 while none is known.
    start: AtomicU64,
    /// The last line of the file.
    end: AtomicU64,
}

impl Unterminated {
    /// `(start line, last line)` once the file ended inside a quoted field.
    pub(super) fn get(&self) -> Option<(u64, u64)> {
        match self.start.load(Ordering::Relaxed) {
            0 => None,
            start => Some((start, self.end.load(Ordering::Relaxed))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first half of `""`.
    QuoteInQuoted,
}

/// A reader that follows RFC 4180 quoting as the `csv` crate reads it (quotes open a field
/// only at its start, `""` is an escaped quote) and records in [`Unterminated`] a quoted
/// field still open at the end of the input. It passes the bytes through unchanged.
pub(super) struct QuoteTracker<R> {
    inner: R,
    delimiter: u8,
    state: State,
    /// The current 1-based line.
    line: u64,
    quote_line: u64,
    last_was_newline: bool,
    shared: Arc<Unterminated>,
}

impl<R: Read> QuoteTracker<R> {
    pub(super) fn new(inner: R, delimiter: u8, shared: Arc<Unterminated>) -> Self {
        QuoteTracker {
            inner,
            delimiter,
            state: State::FieldStart,
            line: 1,
            quote_line: 0,
            last_was_newline: false,
            shared,
        }
    }

    fn scan(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let terminator = b == b'\n' || b == b'\r';
            self.state = match self.state {
                State::FieldStart | State::Unquoted | State::QuoteInQuoted if b == self.delimiter || terminator => {
                    State::FieldStart
                }
                State::FieldStart if b == b'"' => {
                    self.quote_line = self.line;
                    State::Quoted
                }
                State::Quoted if b == b'"' => State::QuoteInQuoted,
                State::Quoted => State::Quoted,
                State::QuoteInQuoted if b == b'"' => State::Quoted,
                State::FieldStart | State::Unquoted | State::QuoteInQuoted => State::Unquoted,
            };
            if b == b'\n' {
                self.line += 1;
            }
        }
        if let Some(&last) = bytes.last() {
            self.last_was_newline = last == b'\n';
        }
    }
}

impl<R: Read> Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.state == State::Quoted {
            let end = if self.last_was_newline { self.line - 1 } else { self.line };
            self.shared.end.store(end, Ordering::Relaxed);
            self.shared.start.store(self.quote_line, Ordering::Relaxed);
        }
        self.scan(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unterminated(text: &str, delimiter: u8) -> Option<(u64, u64)> {
        let shared = Arc::new(Unterminated::default());
        let mut tracker = QuoteTracker::new(text.as_bytes(), delimiter, shared.clone());
        let mut out = Vec::new();
        // One byte at a time, so states carry across reads.
        let mut byte = [0u8; 1];
        while tracker.read(&mut byte).unwrap() == 1 {
            out.push(byte[0]);
        }
        assert_eq!(out, text.as_bytes(), "bytes pass through unchanged");
        shared.get()
    }

    #[test]
    fn finds_a_quoted_field_left_open() {
        for (text, expected) in [
            ("q,a\nhi,1\n", None),
            ("q,a\n\"multi\nline\",2\n", None),
            ("q,a\n\"say \"\"hi\"\"\",2\n", None),
            ("q,a\nsay \"hi,2\n", None),
            ("q,a\n\"x\"y,2\n", None),
            ("q,a\n\"open,1\nho,2\n", Some((2, 3))),
            ("q,a\n\"open,1\nho,2", Some((2, 3))),
            ("q,a\nx,\"\"\"\n", Some((2, 2))),
            ("\"q,a\n", Some((1, 1))),
            ("q,a\r\nx,\"y\r\n", Some((2, 2))),
        ] {
            assert_eq!(unterminated(text, b','), expected, "{text:?}");
        }
        assert_eq!(unterminated("q\ta\nx\t\"y\n", b'\t'), Some((2, 2)));
        assert_eq!(unterminated("q;a\nx;\"y;z\";1\n", b';'), None);
    }

    #[test]
    fn skips_only_a_leading_bom() {
        let read = |bytes: &'static [u8]| {
            let mut out = Vec::new();
            skip_bom(Box::new(bytes)).unwrap().read_to_end(&mut out).unwrap();
            out
        };
        assert_eq!(read(b"\xEF\xBB\xBF{\"a\": 1}"), b"{\"a\": 1}");
        assert_eq!(read(b"\xEF\xBB\xBF"), b"");
        assert_eq!(read(b"ab"), b"ab");
        assert_eq!(read(b""), b"");
        assert_eq!(read(b"x\xEF\xBB\xBF"), b"x\xEF\xBB\xBF");
    }
}
