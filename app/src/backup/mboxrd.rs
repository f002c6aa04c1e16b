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
