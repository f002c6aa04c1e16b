//! STAT, LIST and UIDL (RFC 1939 §5, §7): sizes and unique-ids of the messages not marked.

use super::{listed, missing};
use crate::pop3::parser::Msg;
use crate::pop3::reply;
use crate::pop3::session::{Next, Session};

pub fn stat(s: &mut Session, out: &mut Vec<u8>) -> Next {
    if let Some(m) = s.maildrop() {
        let (n, octets) = m.stat();
        reply::ok(out, &format!("{n} {octets}"));
    }
    Next::Continue
}

pub async fn list(s: &mut Session, n: Option<Msg>, out: &mut Vec<u8>) -> Next {
    each(s, n, out, |e| e.size.to_string()).await
}

pub async fn uidl(s: &mut Session, n: Option<Msg>, out: &mut Vec<u8>) -> Next {
    each(s, n, out, |e| e.uidl.clone()).await
}

/// One message's line (`+OK n value`), or all of them as a multi-line response.
async fn each(
    s: &mut Session,
    n: Option<Msg>,
    out: &mut Vec<u8>,
    value: impl Fn(&app::store::maildrop::MaildropEntry) -> String,
) -> Next {
    if !listed(s, n, out).await {
        return Next::Continue;
    }
    let Some(m) = s.maildrop() else {
        return Next::Continue;
    };
    match n {
        Some(n) => match m.get(n) {
            Ok(e) => reply::ok(out, &format!("{n} {}", value(e))),
            Err(why) => missing(out, n, why),
        },
        None => {
            let (count, octets) = m.stat();
            reply::ok(out, &format!("{count} messages ({octets} octets)"));
            for (n, e) in m.listing() {
                reply::line(out, &format!("{n} {}", value(e)));
            }
            reply::end(out);
        }
    }
    Next::Continue
}
