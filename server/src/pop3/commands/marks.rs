//! DELE and RSET (RFC 1939 §5): marks only; messages go at QUIT, in the UPDATE state.

use super::{listed, missing};
use crate::pop3::parser::Msg;
use crate::pop3::reply;
use crate::pop3::session::{Next, Session};

pub async fn dele(s: &mut Session, n: Msg, out: &mut Vec<u8>) -> Next {
    if !listed(s, Some(n), out).await {
        return Next::Continue;
    }
    if let Some(m) = s.maildrop() {
        match m.mark(n) {
            Ok(()) => reply::ok(out, &format!("Message {n} deleted")),
            Err(why) => missing(out, n, why),
        }
    }
    Next::Continue
}

pub fn rset(s: &mut Session, out: &mut Vec<u8>) -> Next {
    if let Some(m) = s.maildrop() {
        m.reset();
        let (n, octets) = m.stat();
        reply::ok(out, &format!("Maildrop has {n} messages ({octets} octets)"));
    }
    Next::Continue
}
