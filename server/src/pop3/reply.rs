//! POP3 responses (RFC 1939 §3): `+OK text` or `-ERR [CODE] text` (RFC 2449 §8, RFC 3206),
//! and multi-line bodies, byte-stuffed and ended by `.` on a line of its own.

/// RFC 3206 and RFC 2449 response codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// The credentials are wrong, or the account may not log in.
    Auth,
    /// The maildrop is held by another session.
    InUse,
    /// Storage trouble: try again later.
    SysTemp,
}

impl Code {
    fn as_str(self) -> &'static str {
        match self {
            Code::Auth => "AUTH",
            Code::InUse => "IN-USE",
            Code::SysTemp => "SYS/TEMP",
        }
    }
}

pub fn ok(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"+OK ");
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
}

pub fn err(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"-ERR ");
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
}

pub fn err_code(out: &mut Vec<u8>, code: Code, text: &str) {
    out.extend_from_slice(b"-ERR [");
    out.extend_from_slice(code.as_str().as_bytes());
    out.extend_from_slice(b"] ");
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// One line of a multi-line response that cannot start with a dot (numbers, capabilities).
pub fn line(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// The end of a multi-line response.
pub fn end(out: &mut Vec<u8>) {
    out.extend_from_slice(b".\r\n");
}

/// Appends `text` byte-stuffed (RFC 1939 §3: a line that starts with `.` gets one more), ends
/// it with CRLF if it does not already, then the terminating `.` line.
pub fn stuffed(out: &mut Vec<u8>, text: &[u8]) {
    out.reserve(text.len() + text.len() / 64 + 5);
    let mut start = 0;
    while start < text.len() {
        if text[start] == b'.' {
            out.push(b'.');
        }
        let end = match memchr::memchr(b'\n', &text[start..]) {
            Some(i) => start + i + 1,
            None => text.len(),
        };
        out.extend_from_slice(&text[start..end]);
        start = end;
    }
    if !text.is_empty() && !text.ends_with(b"\r\n") {
        if text.ends_with(b"\r") {
            out.push(b'\n');
        } else {
            out.extend_from_slice(b"\r\n");
        }
    }
    end(out);
}

/// TOP (RFC 1939 §7): the header, the blank line after it, and the first `lines` lines of the
/// body. A message without a blank line is all header.
pub fn top_part(message: &[u8], lines: u64) -> &[u8] {
    let body_start = match memchr::memmem::find(message, b"\r\n\r\n") {
        Some(i) => i + 4,
        None => return message,
    };
    let mut end = body_start;
    for _ in 0..lines {
        if end >= message.len() {
            break;
        }
        end = match memchr::memchr(b'\n', &message[end..]) {
            Some(i) => end + i + 1,
            None => message.len(),
        };
    }
    &message[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stuff(text: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        stuffed(&mut out, text);
        out
    }

    #[test]
    fn byte_stuffing_and_the_end_line() {
        assert_eq!(stuff(b"a\r\n.b\r\n..\r\n"), b"a\r\n..b\r\n...\r\n.\r\n");
        assert_eq!(stuff(b".first\r\n"), b"..first\r\n.\r\n");
        assert_eq!(stuff(b"no end"), b"no end\r\n.\r\n");
        assert_eq!(stuff(b""), b".\r\n");
        assert_eq!(
            stuff(b"x\r\n.\r\n"),
            b"x\r\n..\r\n.\r\n",
            "a lone dot is stuffed"
        );
    }

    #[test]
    fn top_takes_header_blank_and_n_lines() {
        let m = b"Subject: x\r\nFrom: y\r\n\r\nline1\r\nline2\r\nline3\r\n";
        assert_eq!(top_part(m, 0), b"Subject: x\r\nFrom: y\r\n\r\n");
        assert_eq!(
            top_part(m, 2),
            b"Subject: x\r\nFrom: y\r\n\r\nline1\r\nline2\r\n"
        );
        assert_eq!(top_part(m, 99), &m[..]);
        assert_eq!(top_part(b"Subject: only\r\n", 3), b"Subject: only\r\n");
    }

    #[test]
    fn codes() {
        let mut out = Vec::new();
        err_code(&mut out, Code::InUse, "busy");
        assert_eq!(out, b"-ERR [IN-USE] busy\r\n");
    }
}
