//! STARTTLS (RFC 3207): 220, then the handshake; the connection discards whatever plaintext
//! was pipelined after the command (RFC 3207 §4.2) and the session starts afresh.

use crate::smtp::reply::{self, Reply};
use crate::smtp::session::{Next, Session, Step};

pub fn starttls(s: &mut Session) -> Step {
    if s.tls.is_some() {
        return Step::reply(reply::bad_sequence("TLS is already active"));
    }
    if s.ctx.tls.is_none() {
        return Step::reply(reply::not_implemented("STARTTLS"));
    }
    if s.tx.is_some() {
        return Step::reply(reply::bad_sequence("finish or reset the transaction first"));
    }
    Step::then(
        Reply::new(220, "2.0.0", "Ready to start TLS"),
        Next::StartTls,
    )
}
