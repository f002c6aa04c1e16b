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

/// The messages of an mbox written by [`append`], each with CRLF line ends again (and, for one
/// that had none at its end, a CRLF more). Text before the first "From " line is ignored.
pub fn split(mbox: &[u8]) -> Vec<Vec<u8>> {
    let mut messages: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<Vec<&[u8]>> = None;
    let mut lines: Vec<&[u8]> = mbox.split(|b| *b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for line in lines {
        if line.starts_with(b"From ") {
            if let Some(m) = current.take() {
                messages.push(join(m));
            }
            current = Some(Vec::new());
        } else if let Some(m) = current.as_mut() {
            m.push(line);
        }
    }
    if let Some(m) = current {
        messages.push(join(m));
    }
    messages
}

/// One message's lines (the empty line that ends it included) back to CRLF, unquoted.
fn join(mut lines: Vec<&[u8]>) -> Vec<u8> {
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut out = Vec::with_capacity(lines.iter().map(|l| l.len() + 2).sum());
    for line in lines {
        let line = if line.starts_with(b">") && is_from_line(line) {
            &line[1..]
        } else {
            line
        };
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
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
    fn empty_sender_and_spaces() {
        let mut mbox = Vec::new();
        append(&mut mbox, "", 0, b"X: y\r\n\r\n");
        append(&mut mbox, "\"a b\"@x", 0, b"X: y\r\n\r\n");
        let text = String::from_utf8(mbox).unwrap();
        assert!(text.starts_with("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"));
        assert!(text.contains("From \"a_b\"@x Thu"));
    }
}
