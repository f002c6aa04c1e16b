//! EHLO and HELO (RFC 5321 §4.1.1.1): they open a session and reset any transaction.

use crate::smtp::reply::Reply;
use crate::smtp::session::{Session, Step};

pub fn ehlo(s: &mut Session, host: &str) -> Step {
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
    s.helo = Some(host.to_string());
    s.esmtp = false;
    s.tx = None;
    s.bdat = None;
    Step::reply(Reply::new(250, "", s.ctx.config.hostname.clone()))
}
