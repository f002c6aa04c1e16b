//! Line ends of stored mail: CRLF only (RFC 5321 §2.3.8). SMTP refuses a bare CR or LF on every
//! path (DATA and BDAT), backups check it, and POP3 relies on it when it byte-stuffs.

/// Every CR is followed by LF and every LF preceded by CR.
pub fn crlf_only(raw: &[u8]) -> bool {
    raw.iter().enumerate().all(|(i, b)| match b {
        b'\r' => raw.get(i + 1) == Some(&b'\n'),
        b'\n' => i > 0 && raw[i - 1] == b'\r',
        _ => true,
    })
}

/// `raw` with every bare CR or LF made a CRLF (unchanged when it has none).
pub fn to_crlf(raw: Vec<u8>) -> Vec<u8> {
    if crlf_only(&raw) {
        return raw;
    }
    let mut out = Vec::with_capacity(raw.len() + 64);
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'\r' if raw.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends() {
        assert!(crlf_only(b"a\r\nb\r\n"));
        assert!(crlf_only(b""));
        assert!(!crlf_only(b"a\nb"));
        assert!(!crlf_only(b"a\rb"));
        assert!(!crlf_only(b"\n"));
        assert_eq!(to_crlf(b"a\nb\rc\r\nd".to_vec()), b"a\r\nb\r\nc\r\nd");
        assert_eq!(to_crlf(b"ok\r\n".to_vec()), b"ok\r\n");
    }
}
