//! The message body after DATA (RFC 5321 §4.1.1.4, §4.5.2): CRLF lines, dot-unstuffing,
//! the end at `<CRLF>.<CRLF>` and nowhere else. A bare LF or a bare CR anywhere is refused at
//! once — "SMTP smuggling" hides a second message behind `<LF>.<LF>` or `<CR>.<CR>` for servers
//! that accept those as the end — and the connection is closed, since client and server could
//! no longer agree where the message ends.

/// RFC 5322 §2.1.1: at most 998 characters before the CRLF.
pub const MAX_TEXT_LINE: usize = 998;

#[derive(Debug, PartialEq, Eq)]
pub enum DataEnd {
    /// The message, with CRLF line ends and dots unstuffed.
    Message(Vec<u8>),
    /// Bigger than the limit: drained, not kept.
    TooBig,
    /// A line longer than 998 characters.
    LineTooLong,
    /// A bare LF or bare CR: refused, and the connection must close.
    BareNewline,
}

#[derive(Debug)]
pub struct DataReader {
    max_size: usize,
    message: Vec<u8>,
    /// The current line so far (bounded).
    partial: Vec<u8>,
    partial_overflow: bool,
    too_big: bool,
    long_line: bool,
}

impl DataReader {
    #[cfg(test)]
    pub fn new(max_size: usize) -> DataReader {
        DataReader::with_capacity(max_size, 0)
    }

    /// With room for `expected` octets (the SIZE the client announced), capped.
    pub fn with_capacity(max_size: usize, expected: usize) -> DataReader {
        DataReader {
            max_size,
            message: Vec::with_capacity(expected.min(max_size).min(32 << 20)),
            partial: Vec::new(),
            partial_overflow: false,
            too_big: false,
            long_line: false,
        }
    }

    /// Consumes what it can of `input`; returns how many bytes it took and, once the end of
    /// data is seen (or a bare newline), the outcome. Bytes after the end are left for the
    /// command reader (pipelined commands after the dot).
    pub fn feed(&mut self, input: &[u8]) -> (usize, Option<DataEnd>) {
        let mut pos = 0;
        while pos < input.len() {
            let Some(nl) = memchr(b'\n', &input[pos..]) else {
                self.push_partial(&input[pos..]);
                return (input.len(), None);
            };
            let end = pos + nl + 1;
            let outcome = if self.partial.is_empty() {
                // Fast path: the whole line is in the input, no copy to the line buffer.
                self.take_line(&input[pos..end], false)
            } else {
                self.push_partial(&input[pos..end]);
                let line = std::mem::take(&mut self.partial);
                let overflow = std::mem::replace(&mut self.partial_overflow, false);
                let outcome = self.take_line(&line, overflow);
                self.partial = line;
                self.partial.clear();
                outcome
            };
            pos = end;
            if outcome.is_some() {
                return (pos, outcome);
            }
        }
        (pos, None)
    }

    fn push_partial(&mut self, bytes: &[u8]) {
        // Keep at most a little more than a legal line; remember that it overflowed.
        let room = (MAX_TEXT_LINE + 3).saturating_sub(self.partial.len());
        if bytes.len() > room {
            self.partial.extend_from_slice(&bytes[..room]);
            self.partial_overflow = true;
            // The tail still matters for CRLF detection: keep the last two bytes in place.
            let n = self.partial.len();
            let tail = &bytes[bytes.len().saturating_sub(2)..];
            self.partial[n - tail.len()..].copy_from_slice(tail);
        } else {
            self.partial.extend_from_slice(bytes);
        }
    }

    /// Handles one complete line (ending in LF); `overflow` when it was cut to fit.
    fn take_line(&mut self, line: &[u8], overflow: bool) -> Option<DataEnd> {
        // Every line must end in CRLF, and no CR may stand alone inside it.
        if line.len() < 2 || line[line.len() - 2] != b'\r' {
            return Some(DataEnd::BareNewline);
        }
        let content = &line[..line.len() - 2];
        if !overflow && memchr(b'\r', content).is_some() {
            return Some(DataEnd::BareNewline);
        }
        if !overflow && content == b"." {
            return Some(if self.too_big {
                DataEnd::TooBig
            } else if self.long_line {
                DataEnd::LineTooLong
            } else {
                DataEnd::Message(std::mem::take(&mut self.message))
            });
        }
        // RFC 5321 §4.5.2: a leading dot was doubled by the client. `kept` is the line as
        // stored, CRLF included.
        let kept = if content.first() == Some(&b'.') {
            &line[1..]
        } else {
            line
        };
        if overflow || kept.len() - 2 > MAX_TEXT_LINE {
            self.long_line = true;
        }
        if self.message.len() + kept.len() > self.max_size {
            self.too_big = true;
            self.message = Vec::new();
        }
        if !self.too_big && !self.long_line {
            self.message.extend_from_slice(kept);
        }
        None
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8], max: usize) -> (usize, Option<DataEnd>) {
        DataReader::new(max).feed(input)
    }

    #[test]
    fn ends_only_at_crlf_dot_crlf_and_unstuffs() {
        let (n, end) = run(b"Subject: x\r\n\r\n..dot\r\nbody\r\n.\r\nQUIT\r\n", 1000);
        assert_eq!(
            end,
            Some(DataEnd::Message(
                b"Subject: x\r\n\r\n.dot\r\nbody\r\n".to_vec()
            ))
        );
        assert_eq!(n, 30, "QUIT is left for the command reader");
    }

    #[test]
    fn byte_by_byte_is_the_same() {
        let input = b"a\r\n..b\r\n.\r\n";
        let mut r = DataReader::new(100);
        let mut out = None;
        for (i, b) in input.iter().enumerate() {
            let (n, end) = r.feed(std::slice::from_ref(b));
            assert_eq!(n, 1, "byte {i}");
            if end.is_some() {
                out = end;
            }
        }
        assert_eq!(out, Some(DataEnd::Message(b"a\r\n.b\r\n".to_vec())));
    }

    #[test]
    fn smuggling_forms_are_refused() {
        for input in [
            &b"a\r\n.\nMAIL FROM:<x>\r\n"[..],
            b"a\n.\r\n",
            b"a\r\n.\r.\r\n",
            b"a\rb\r\n.\r\n",
            b"a\n.\n",
        ] {
            assert_eq!(run(input, 1000).1, Some(DataEnd::BareNewline), "{input:?}");
        }
    }

    #[test]
    fn limits() {
        assert_eq!(
            run(b"0123456789\r\n0123456789\r\n.\r\n", 20).1,
            Some(DataEnd::TooBig)
        );
        let long = [b"x".repeat(999).as_slice(), b"\r\n.\r\n"].concat();
        assert_eq!(run(&long, 100_000).1, Some(DataEnd::LineTooLong));
        let ok = [b"x".repeat(998).as_slice(), b"\r\n.\r\n"].concat();
        assert!(matches!(run(&ok, 100_000).1, Some(DataEnd::Message(_))));
        // A huge line without LF does not grow memory beyond one line.
        let mut r = DataReader::new(100);
        for _ in 0..1000 {
            r.feed(&[b'y'; 4096]);
        }
        assert!(r.partial.len() <= MAX_TEXT_LINE + 3);
        assert_eq!(r.feed(b"\r\n.\r\n").1, Some(DataEnd::TooBig));
    }
}
