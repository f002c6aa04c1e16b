//! The messages of a backup as an mboxrd file, the variant whose "From " quoting can be undone
//! exactly: Thunderbird, mutt and Python's `mailbox.mbox` open it.
//!
//! Writing: each message starts with a `From sender date` line; its CRLF line ends become LF;
//! every line that starts with `>*From ` gets one more `>`; the message ends with its line end
//! and one empty line. Reading undoes each step. A message that did not end with a line end
//! comes back with one more CRLF than it had; the backup's index (its size and checksum) says
//! which, see `archive`.

use crate::domain::mailtime::asctime;

/// Appends one stored message (CRLF line ends, as SMTP-in keeps them).
pub fn append(out: &mut Vec<u8>, sender: &str, received_at: i64, raw: &[u8]) {
    let sender: String = match sender.trim() {
        "" => "MAILER-DAEMON".to_string(),
        s => s
            .chars()
            .map(|c| if c.is_whitespace() { '_' } else { c })
            .collect(),
    };
    out.extend_from_slice(format!("From {sender} {}\n", asctime(received_at)).as_bytes());
    let body = crlf_to_lf(raw);
    let mut lines = body.split(|b| *b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        if last && line.is_empty() {
            break; // the message ended with a line end
        }
        if is_from_line(line) {
            out.push(b'>');
        }
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.push(b'\n');
}

/// The messages of an mbox written by [`append`], lazily: each is the bytes between its
/// "From " line and the next (nothing is copied). Text before the first "From " line is
/// ignored. [`decode`] turns one back into its stored form.
pub fn messages(mbox: &[u8]) -> Messages<'_> {
    let start = if mbox.starts_with(b"From ") {
        Some(0)
    } else {
        find(mbox, b"\nFrom ").map(|i| i + 1)
    };
    Messages {
        rest: start.map_or(&[][..], |s| &mbox[s..]),
    }
}

pub struct Messages<'a> {
    /// Starts with a "From " line, or is empty.
    rest: &'a [u8],
}

impl<'a> Iterator for Messages<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let Some(eol) = self.rest.iter().position(|b| *b == b'\n') else {
            self.rest = &[];
            return Some(&[]);
        };
        let body = &self.rest[eol + 1..];
        let end = if body.starts_with(b"From ") {
            0
        } else {
            find(body, b"\nFrom ").map_or(body.len(), |i| i + 1)
        };
        self.rest = &body[end..];
        Some(&body[..end])
    }
}

/// One message of [`messages`] back to its stored form — unquoted, with CRLF line ends (and,
/// for one that had none at its end, a CRLF more) — or None when that would be longer than
/// `max` bytes: the length is counted before anything is allocated.
pub fn decode(chunk: &[u8], max: usize) -> Option<Vec<u8>> {
    // Each line ends with LF, and an empty line ends the message.
    let content = chunk.strip_suffix(b"\n").unwrap_or(chunk);
    let lines = || {
        let text = content.strip_suffix(b"\n").unwrap_or(content);
        let none = content.is_empty();
        text.split(|b| *b == b'\n')
            .take_while(move |_| !none)
            .map(|line| {
                if line.starts_with(b">") && is_from_line(line) {
                    &line[1..]
                } else {
                    line
                }
            })
    };
    let mut len = 0usize;
    for line in lines() {
        len = len.checked_add(line.len() + 2)?;
        if len > max {
            return None;
        }
    }
    let mut out = Vec::with_capacity(len);
    for line in lines() {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    Some(out)
}

/// Every message of an mbox written by [`append`], decoded (for tests and small files).
pub fn split(mbox: &[u8]) -> Vec<Vec<u8>> {
    messages(mbox)
        .filter_map(|m| decode(m, usize::MAX))
        .collect()
}

/// The messages of an mbox written by [`append`], read from a stream one at a time, each
/// decoded as [`decode`] does: memory holds one message (and one of its lines), never the
/// file, so a backup of several hundred MB — or a hostile one — costs no more than its
/// largest message.
pub struct Reader<R> {
    inner: R,
    started: bool,
    done: bool,
    line: Vec<u8>,
}

/// The longest "From sender date" line read (a sender is at most 998 octets).
const FROM_LINE_MAX: usize = 2048;

/// Why [`Reader::next_message`] stopped.
#[derive(Debug)]
pub enum ReadError {
    /// The message would be longer than the caller allows.
    TooLong,
    Io(std::io::Error),
}

impl<R: std::io::BufRead> Reader<R> {
    pub fn new(inner: R) -> Self {
        Reader {
            inner,
            started: false,
            done: false,
            line: Vec::new(),
        }
    }

    /// Reads one line (without its LF) into `self.line`, at most `cap` bytes; returns
    /// whether it ended with LF, or None at the end of the stream.
    fn read_line(&mut self, cap: usize) -> Result<Option<bool>, ReadError> {
        self.line.clear();
        let mut any = false;
        loop {
            let buf = self.inner.fill_buf().map_err(ReadError::Io)?;
            if buf.is_empty() {
                return Ok(any.then_some(false));
            }
            any = true;
            let (take, newline) = match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (i, true),
                None => (buf.len(), false),
            };
            if self.line.len() + take > cap {
                return Err(ReadError::TooLong);
            }
            self.line.extend_from_slice(&buf[..take]);
            self.inner.consume(take + usize::from(newline));
            if newline {
                return Ok(Some(true));
            }
        }
    }

    /// Skips to the first "From " line without keeping what comes before (of each line only
    /// its first five bytes are looked at, however long it is).
    fn skip_to_first(&mut self) -> Result<bool, ReadError> {
        loop {
            let mut start = Vec::with_capacity(5);
            let mut any = false;
            loop {
                let buf = self.inner.fill_buf().map_err(ReadError::Io)?;
                if buf.is_empty() {
                    break;
                }
                any = true;
                let (take, newline) = match buf.iter().position(|b| *b == b'\n') {
                    Some(i) => (i, true),
                    None => (buf.len(), false),
                };
                let want = 5usize.saturating_sub(start.len()).min(take);
                start.extend_from_slice(&buf[..want]);
                self.inner.consume(take + usize::from(newline));
                if newline {
                    break;
                }
            }
            if !any {
                return Ok(false);
            }
            if start == b"From " {
                return Ok(true);
            }
        }
    }

    /// The next message, or None at the end; [`ReadError::TooLong`] when it would be longer
    /// than `max` bytes once decoded.
    pub fn next_message(&mut self, max: usize) -> Result<Option<Vec<u8>>, ReadError> {
        if !self.started {
            self.started = true;
            if !self.skip_to_first()? {
                self.done = true;
            }
        }
        if self.done {
            return Ok(None);
        }
        let mut out = Vec::new();
        let mut last_empty_with_lf = false;
        loop {
            // Room for this message's next line, or for the next message's "From " line.
            let room = (max + 2).saturating_sub(out.len()).max(FROM_LINE_MAX);
            match self.read_line(room)? {
                None => {
                    self.done = true;
                    break;
                }
                Some(lf) => {
                    if self.line.starts_with(b"From ") {
                        break; // the next message's own line
                    }
                    let line = if self.line.starts_with(b">") && is_from_line(&self.line) {
                        &self.line[1..]
                    } else {
                        &self.line[..]
                    };
                    if out.len() + line.len() + 2 > max + 2 {
                        return Err(ReadError::TooLong);
                    }
                    out.extend_from_slice(line);
                    out.extend_from_slice(b"\r\n");
                    last_empty_with_lf = lf && line.is_empty();
                    if !lf {
                        self.done = true;
                        break;
                    }
                }
            }
        }
        // The empty line that ends each message in the mbox is not part of it.
        if last_empty_with_lf {
            out.truncate(out.len() - 2);
        }
        if out.len() > max {
            return Err(ReadError::TooLong);
        }
        Ok(Some(out))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `>*From ` at the start of a line.
fn is_from_line(line: &[u8]) -> bool {
    let quotes = line.iter().take_while(|b| **b == b'>').count();
    line[quotes..].starts_with(b"From ")
}

fn crlf_to_lf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\r' && raw.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(messages: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut mbox = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            append(&mut mbox, "a@example.org", 1_795_740_000 + i as i64, m);
        }
        split(&mbox)
    }

    #[test]
    fn from_lines_are_quoted_and_unquoted_exactly() {
        let m: &[u8] = b"Subject: x\r\n\r\nFrom here\r\n>From there\r\n>>From afar\r\nFromage\r\n";
        let mut mbox = Vec::new();
        append(&mut mbox, "a@example.org", 1_795_740_000, m);
        assert_eq!(
            String::from_utf8(mbox.clone()).unwrap(),
            "From a@example.org Fri Nov 27 00:40:00 2026\nSubject: x\n\n>From here\n\
             >>From there\n>>>From afar\nFromage\n\n"
        );
        assert_eq!(split(&mbox), vec![m.to_vec()]);
    }

    #[test]
    fn several_messages_come_back_byte_identical() {
        let a: &[u8] = b"Subject: a\r\n\r\nbody\r\n\r\n\r\n";
        let b: &[u8] = b"Subject: b\r\n\r\n.\r\n..dots\r\n";
        let c: &[u8] = b"Subject: c\r\n\r\nFrom the start\r\n";
        assert_eq!(
            round_trip(&[a, b, c]),
            vec![a.to_vec(), b.to_vec(), c.to_vec()]
        );
    }

    #[test]
    fn a_message_without_a_final_line_end_gains_one() {
        let m: &[u8] = b"Subject: a\r\n\r\nno end";
        assert_eq!(
            round_trip(&[m]),
            vec![b"Subject: a\r\n\r\nno end\r\n".to_vec()]
        );
    }

    #[test]
    fn empty_messages_and_limits() {
        let (a, b): (&[u8], &[u8]) = (b"", b"\r\n");
        assert_eq!(
            round_trip(&[a, b, a]),
            vec![a.to_vec(), b.to_vec(), a.to_vec()]
        );
        let mut mbox = Vec::new();
        append(&mut mbox, "x@y", 0, b"Subject: s\r\n\r\nbody\r\n");
        let chunk = messages(&mbox).next().unwrap();
        assert_eq!(decode(chunk, 19), None, "one byte short");
        assert_eq!(decode(chunk, 20).unwrap().len(), 20);
        // Many empty lines are counted, not collected.
        let bomb = [b"From a\n".as_slice(), &vec![b'\n'; 1 << 20]].concat();
        assert_eq!(decode(messages(&bomb).next().unwrap(), 100), None);
    }

    /// The streaming reader gives what `split` gives, message by message.
    fn streamed(mbox: &[u8], max: usize) -> Vec<Vec<u8>> {
        let mut r = Reader::new(std::io::BufReader::with_capacity(7, mbox));
        let mut out = Vec::new();
        while let Some(m) = r.next_message(max).unwrap() {
            out.push(m);
        }
        out
    }

    #[test]
    fn the_streaming_reader_agrees_with_split() {
        let cases: &[&[&[u8]]] = &[
            &[b"Subject: x\r\n\r\nFrom here\r\n>From there\r\n>>From afar\r\nFromage\r\n"],
            &[
                b"Subject: a\r\n\r\nbody\r\n\r\n\r\n",
                b"Subject: b\r\n\r\n.\r\n",
                b"Subject: c\r\n\r\nFrom x\r\n",
            ],
            &[b"", b"\r\n", b""],
            &[b"Subject: a\r\n\r\nno end"],
        ];
        for messages in cases {
            let mut mbox = b"junk before\nmore junk\n".to_vec();
            for m in messages.iter() {
                append(&mut mbox, "a@example.org", 0, m);
            }
            assert_eq!(
                streamed(&mbox, usize::MAX / 4),
                split(&mbox),
                "{messages:?}"
            );
        }
        // Cut short, without the final line end.
        let cut = b"From a\nSubject: s\n\nno end";
        assert_eq!(streamed(cut, 1000), split(cut));
    }

    #[test]
    fn the_streaming_reader_keeps_to_its_limit() {
        let mut mbox = Vec::new();
        append(&mut mbox, "x@y", 0, b"Subject: s\r\n\r\nbody\r\n");
        let mut r = Reader::new(&mbox[..]);
        assert!(matches!(r.next_message(19), Err(ReadError::TooLong)));
        let mut r = Reader::new(&mbox[..]);
        assert_eq!(r.next_message(20).unwrap().unwrap().len(), 20);
        // A megabyte of empty lines, or one endless line, stops at the limit.
        let lines = [b"From a\n".as_slice(), &vec![b'\n'; 1 << 20]].concat();
        assert!(matches!(
            Reader::new(&lines[..]).next_message(100),
            Err(ReadError::TooLong)
        ));
        let long = [b"From a\n".as_slice(), &vec![b'x'; 1 << 20]].concat();
        assert!(matches!(
            Reader::new(&long[..]).next_message(100),
            Err(ReadError::TooLong)
        ));
        // Junk before the first message is skipped without being kept, however long.
        let junk = [vec![b'j'; 1 << 20], b"\nFrom a\nX: y\n\n".to_vec()].concat();
        assert_eq!(streamed(&junk, 100), vec![b"X: y\r\n".to_vec()]);
    }

    #[test]
    fn empty_sender_and_spaces() {
        let mut mbox = Vec::new();
        append(&mut mbox, "", 0, b"X: y\r\n\r\n");
        append(&mut mbox, "\"a b\"@x", 0, b"X: y\r\n\r\n");
        let text = String::from_utf8(mbox).unwrap();
        assert!(text.starts_with("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"));
        assert!(text.contains("From \"a_b\"@x Thu"));
    }
}
