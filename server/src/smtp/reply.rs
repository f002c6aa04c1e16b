//! SMTP replies: a code, an enhanced status code (RFC 3463, advertised by ENHANCEDSTATUSCODES,
//! RFC 2034) and a human text. Multi-line replies use `code-text` on all lines but the last
//! (RFC 5321 §4.2.1).

use std::fmt::Write;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    /// "2.0.0" etc.; empty only for the greeting and EHLO, which carry none.
    pub enhanced: &'static str,
    pub lines: Vec<String>,
}

impl Reply {
    pub fn new(code: u16, enhanced: &'static str, text: impl Into<String>) -> Reply {
        Reply {
            code,
            enhanced,
            lines: vec![text.into()],
        }
    }

    pub fn multi(code: u16, lines: Vec<String>) -> Reply {
        Reply {
            code,
            enhanced: "",
            lines,
        }
    }

    /// Whether the reply ends the session (421 and 221 close the connection).
    pub fn closes(&self) -> bool {
        self.code == 421 || self.code == 221
    }

    /// The wire form, CRLF-terminated.
    pub fn render(&self, out: &mut Vec<u8>) {
        let mut s = String::new();
        let last = self.lines.len().saturating_sub(1);
        for (i, line) in self.lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            // Texts are ours, but never let a CR or LF inside one break the framing.
            let line: String = line
                .chars()
                .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
                .collect();
            if self.enhanced.is_empty() {
                let _ = write!(s, "{}{sep}{line}\r\n", self.code);
            } else {
                let _ = write!(s, "{}{sep}{} {line}\r\n", self.code, self.enhanced);
            }
        }
        out.extend_from_slice(s.as_bytes());
    }

    #[cfg(test)]
    pub fn to_wire(&self) -> String {
        let mut v = Vec::new();
        self.render(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    }
}

// The replies courrier gives, in one place so codes and texts stay consistent.
pub fn ok(text: impl Into<String>) -> Reply {
    Reply::new(250, "2.0.0", text)
}
pub fn bye() -> Reply {
    Reply::new(221, "2.0.0", "Bye")
}
pub fn start_data() -> Reply {
    Reply::new(354, "", "Send the message, end with <CRLF>.<CRLF>")
}
pub fn line_too_long() -> Reply {
    Reply::new(
        500,
        "5.5.2",
        "Line too long (512 octets at most, RFC 5321 §4.5.3.1.4)",
    )
}
pub fn unknown_command() -> Reply {
    Reply::new(500, "5.5.1", "Command not recognised")
}
pub fn syntax(text: &str) -> Reply {
    Reply::new(501, "5.5.4", format!("Syntax error: {text}"))
}
pub fn not_implemented(cmd: &str) -> Reply {
    Reply::new(502, "5.5.1", format!("{cmd} is not implemented here"))
}
pub fn bad_sequence(text: &str) -> Reply {
    Reply::new(503, "5.5.1", format!("Bad sequence of commands: {text}"))
}
pub fn too_many_errors() -> Reply {
    Reply::new(421, "4.7.0", "Too many errors, closing the connection")
}
pub fn idle_timeout() -> Reply {
    Reply::new(421, "4.4.2", "Idle for too long, closing the connection")
}
pub fn shutting_down() -> Reply {
    Reply::new(421, "4.3.2", "Service shutting down, try again later")
}
pub fn too_many_connections() -> Reply {
    Reply::new(421, "4.3.2", "Too many connections, try again later")
}
pub fn storage_trouble() -> Reply {
    Reply::new(
        451,
        "4.3.0",
        "Local storage trouble, message not accepted; try again later",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_forms() {
        assert_eq!(ok("Ok").to_wire(), "250 2.0.0 Ok\r\n");
        assert_eq!(
            start_data().to_wire(),
            "354 Send the message, end with <CRLF>.<CRLF>\r\n"
        );
        let ehlo = Reply::multi(
            250,
            vec!["mx.example".into(), "PIPELINING".into(), "SIZE 10".into()],
        );
        assert_eq!(
            ehlo.to_wire(),
            "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n"
        );
        assert_eq!(
            Reply::new(550, "5.1.1", "a\r\nb").to_wire(),
            "550 5.1.1 a  b\r\n"
        );
        assert!(bye().closes() && too_many_errors().closes() && !ok("x").closes());
    }
}
