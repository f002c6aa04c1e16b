//! One handler per POP3 command (or per close family of commands).

pub mod auth;
pub mod capa;
pub mod listing;
pub mod marks;
pub mod quit;
pub mod retrieve;

use super::maildrop::Missing;
use super::parser::Msg;
use super::reply;

/// `-ERR` for a message number the session cannot use (RFC 1939 §5).
pub fn missing(out: &mut Vec<u8>, n: Msg, why: Missing) {
    match why {
        Missing::NoSuch => reply::err(out, &format!("No message {n}")),
        Missing::Deleted => reply::err(out, &format!("Message {n} is already deleted")),
    }
}
