//! CAPA (RFC 2449 §5) and STLS (RFC 2595 §4).

use crate::pop3::reply;
use crate::pop3::session::{Next, Session, State};

/// The capabilities, as they stand in this state: login mechanisms only where they may be
/// used, STLS only before TLS and before login.
pub fn capa(s: &mut Session, out: &mut Vec<u8>) -> Next {
    let authorization = matches!(s.state, State::Authorization { .. });
    reply::ok(out, "Capability list follows");
    for c in ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"] {
        reply::line(out, c);
    }
    if authorization && s.plaintext_allowed() {
        reply::line(out, "USER");
        reply::line(out, "SASL PLAIN");
    }
    if authorization && !s.tls && s.ctx.tls.is_some() {
        reply::line(out, "STLS");
    }
    reply::line(out, "EXPIRE NEVER");
    reply::line(out, "IMPLEMENTATION courrier");
    reply::end(out);
    Next::Continue
}

pub fn stls(s: &mut Session, out: &mut Vec<u8>) -> Next {
    if s.tls {
        return s.bad(out, "Already in TLS");
    }
    if s.ctx.tls.is_none() {
        return s.bad(out, "TLS is not available on this server");
    }
    reply::ok(out, "Begin TLS negotiation");
    Next::StartTls
}
