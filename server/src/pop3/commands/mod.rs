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
use super::session::Session;

/// Reads the listing as far as message `upto` (`None`: all of it). False, with `-ERR
/// [SYS/TEMP]` written, when the database did not answer.
pub async fn listed(s: &mut Session, upto: Option<Msg>, out: &mut Vec<u8>) -> bool {
    let store = s.ctx.store.clone();
    let Some(m) = s.maildrop() else {
        return false;
    };
    while let Some(page) = m.wants(upto) {
        match store
            .maildrop_page(m.account_id, page.after, page.bound, page.limit)
            .await
        {
            Ok(entries) => m.extend(entries, page.limit),
            Err(e) => {
                tracing::error!(login = %m.login, "pop3: cannot read the listing: {e}");
                reply::err_code(
                    out,
                    reply::Code::SysTemp,
                    "The mailbox cannot be read right now; try again later",
                );
                return false;
            }
        }
    }
    true
}

/// `-ERR` for a message number the session cannot use (RFC 1939 §5).
pub fn missing(out: &mut Vec<u8>, n: Msg, why: Missing) {
    match why {
        Missing::NoSuch => reply::err(out, &format!("No message {n}")),
        Missing::Deleted => reply::err(out, &format!("Message {n} is already deleted")),
    }
}
