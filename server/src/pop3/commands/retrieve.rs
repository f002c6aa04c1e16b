//! RETR and TOP (RFC 1939 §5, §7): one message read from the store (never the whole
//! mailbox), byte-stuffed, ended by `.`.

use super::missing;
use crate::pop3::parser::Msg;
use crate::pop3::reply::{self, Code};
use crate::pop3::session::{Next, Session};

pub async fn retr(s: &mut Session, n: Msg, out: &mut Vec<u8>) -> Next {
    if let Some(raw) = fetch(s, n, out).await {
        reply::ok(out, &format!("{} octets", raw.len()));
        reply::stuffed(out, &raw);
    }
    Next::Continue
}

pub async fn top(s: &mut Session, n: Msg, lines: u64, out: &mut Vec<u8>) -> Next {
    if let Some(raw) = fetch(s, n, out).await {
        reply::ok(out, "Top of message follows");
        reply::stuffed(out, reply::top_part(&raw, lines));
    }
    Next::Continue
}

/// The message's bytes, or the `-ERR` already written.
async fn fetch(s: &mut Session, n: Msg, out: &mut Vec<u8>) -> Option<Vec<u8>> {
    let store = s.ctx.store.clone();
    let m = s.maildrop()?;
    let id = match m.get(n) {
        Ok(e) => e.id,
        Err(why) => {
            missing(out, n, why);
            return None;
        }
    };
    match store.message_bytes(m.account_id, id).await {
        Ok(Some(raw)) => Some(raw),
        Ok(None) => {
            reply::err(
                out,
                &format!("Message {n} was removed from the server meanwhile"),
            );
            None
        }
        Err(e) => {
            tracing::error!(login = %m.login, "pop3: cannot read a message: {e}");
            reply::err_code(
                out,
                Code::SysTemp,
                "The message cannot be read right now; try again later",
            );
            None
        }
    }
}
