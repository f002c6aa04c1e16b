//! EHLO and HELO (RFC 5321 §4.1.1.1): they open a session and reset any transaction.

use crate::smtp::reply::Reply;
use crate::smtp::session::{Session, Step};

/// The greeting's name as it may be kept: a domain or an address literal, printable ASCII or
/// UTF-8 letters without spaces or control characters (NUL, CR, tab…), at most 255 octets.
/// It is echoed in the reply and written into the `Received` field, so nothing else passes.
fn acceptable(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && !host.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// RFC 5321 §4.1.1.1 and §4.2.3: a greeting that is not a name gets 501, and the session
/// stays as it was.
fn refused() -> Step {
    Step::reply(Reply::new(
        501,
        "5.5.4",
        "Syntax: EHLO followed by your domain name or address literal",
    ))
}

pub fn ehlo(s: &mut Session, host: &str) -> Step {
    if !acceptable(host) {
        return refused();
    }
    s.helo = Some(host.to_string());
    s.esmtp = true;
    s.tx = None;
    s.bdat = None;
    let mut lines = vec![
        format!("{} greets {host}", s.ctx.config.hostname),
        "PIPELINING".into(),                               // RFC 2920
        format!("SIZE {}", s.ctx.config.max_message_size), // RFC 1870
        "8BITMIME".into(),                                 // RFC 6152
        "ENHANCEDSTATUSCODES".into(),                      // RFC 2034
        "SMTPUTF8".into(),                                 // RFC 6531
        "CHUNKING".into(),                                 // RFC 3030
    ];
    // RFC 3207 §4.2: not offered again once TLS is on.
    if s.tls_available() {
        lines.push("STARTTLS".into());
    }
    // Submission: AUTH once TLS is on (RFC 4954 §4), also in the `AUTH=` form older Outlook
    // versions look for.
    if s.is_submission() && s.tls.is_some() && s.user.is_none() {
        lines.push("AUTH PLAIN LOGIN".into());
        lines.push("AUTH=PLAIN LOGIN".into());
    }
    Step::reply(Reply::multi(250, lines))
}

pub fn helo(s: &mut Session, host: &str) -> Step {
    if !acceptable(host) {
        return refused();
    }
    s.helo = Some(host.to_string());
    s.esmtp = false;
    s.tx = None;
    s.bdat = None;
    Step::reply(Reply::new(250, "", s.ctx.config.hostname.clone()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn greeting_names() {
        for good in [
            "mail.example.org",
            "[192.0.2.1]",
            "[IPv6:2001:db8::1]",
            "bücher.example",
        ] {
            assert!(super::acceptable(good), "{good}");
        }
        for bad in [
            "",
            "a\0b",
            "a\rb",
            "evil\tname",
            "two words",
            &"x".repeat(256),
        ] {
            assert!(!super::acceptable(bad), "{bad:?}");
        }
    }
}
