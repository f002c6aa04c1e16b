//! RETR and TOP (RFC 1939 §5, §7): one message read from the store (never the whole
//! mailbox), byte-stuffed, ended by `.`.

use super::{listed, missing};
use crate::pop3::parser::Msg;
use crate::pop3::reply::{self, Code};
use crate::pop3::session::{Next, Session};

pub async fn retr(s: &mut Session, n: Msg, out: &mut Vec<u8>) -> Next {
    if let Some(raw) = fetch(s, n, out, false).await {
        reply::ok(out, &format!("{} octets", raw.len()));
        reply::stuffed(out, &raw);
    }
    Next::Continue
}

pub async fn top(s: &mut Session, n: Msg, lines: u64, out: &mut Vec<u8>) -> Next {
    if let Some(raw) = fetch(s, n, out, true).await {
        reply::ok(out, "Top of message follows");
        reply::stuffed(out, reply::top_part(&raw, lines));
    }
    Next::Continue
}

/// The message's bytes, or the `-ERR` already written. Reads ahead: one query brings the
/// following messages too (`Maildrop::fetch_plan`); TOP leaves the bytes for a later RETR.
async fn fetch(s: &mut Session, n: Msg, out: &mut Vec<u8>, keep: bool) -> Option<Vec<u8>> {
    let reach = s.maildrop()?.read_reach(n);
    if !listed(s, Some(reach), out).await {
        return None;
    }
    let store = s.ctx.store.clone();
    let m = s.maildrop()?;
    if let Err(why) = m.get(n) {
        missing(out, n, why);
        return None;
    }
    if let Some(raw) = m.read_ahead(n, keep) {
        return Some(raw);
    }
    let plan = m.fetch_plan(n);
    let ids: Vec<i64> = plan.iter().map(|(_, id)| *id).collect();
    match store.messages_bytes(m.account_id, &ids).await {
        Ok(mut found) => {
            let mut wanted = None;
            for (number, id) in plan {
                if let Some(raw) = found.remove(&id) {
                    if number == n {
                        wanted = Some(raw);
                    } else {
                        m.keep_ahead(number, raw);
                    }
                }
            }
            match wanted {
                Some(raw) if keep => {
                    m.keep_ahead(n, raw.clone());
                    Some(raw)
                }
                Some(raw) => Some(raw),
                None => {
                    reply::err(
                        out,
                        &format!("Message {n} was removed from the server meanwhile"),
                    );
                    None
                }
            }
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
