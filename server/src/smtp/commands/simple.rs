//! RSET, NOOP, QUIT, VRFY and HELP (RFC 5321 §4.1.1.5–§4.1.1.10).

use crate::smtp::reply::{self, Reply};
use crate::smtp::session::{Next, Session, Step};

pub fn rset(s: &mut Session) -> Step {
    s.tx = None;
    s.bdat = None;
    Step::reply(reply::ok("Reset"))
}

pub fn noop() -> Step {
    Step::reply(reply::ok("Ok"))
}

pub fn quit() -> Step {
    Step::then(reply::bye(), Next::Close)
}

/// RFC 5321 §3.5.3: 252 when the server will not verify, to avoid harvesting.
pub fn vrfy() -> Step {
    Step::reply(Reply::new(
        252,
        "2.5.0",
        "Cannot VRFY user, but will accept the message and attempt delivery",
    ))
}

pub fn help() -> Step {
    Step::reply(Reply::new(
        214,
        "2.0.0",
        "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY STARTTLS AUTH",
    ))
}
