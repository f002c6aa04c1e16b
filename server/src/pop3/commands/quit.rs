//! QUIT (RFC 1939 §4, §6). In TRANSACTION it enters UPDATE: the marked messages are deleted
//! in one transaction, together with the release of the lease, before `+OK`. If that fails,
//! nothing is deleted and the answer is `-ERR`.

use crate::pop3::reply::{self, Code};
use crate::pop3::session::{Next, Session, State};

pub async fn quit(s: &mut Session, out: &mut Vec<u8>) -> Next {
    let host = &s.ctx.config.hostname;
    let State::Transaction(m) = std::mem::replace(&mut s.state, State::Closed) else {
        reply::ok(out, &format!("{host} signing off"));
        return Next::Close;
    };
    let marked = m.marked_ids();
    let (left, _) = m.stat();
    match s
        .ctx
        .store
        .close_maildrop(m.account_id, &s.holder, &marked)
        .await
    {
        Ok(true) => {
            if !marked.is_empty() {
                tracing::info!(login = %m.login, deleted = marked.len(), "pop3: messages deleted");
            }
            reply::ok(out, &format!("{host} signing off ({left} messages left)"));
        }
        Ok(false) => reply::err_code(
            out,
            Code::SysTemp,
            "The mailbox lock was lost (the session was idle too long); nothing was deleted",
        ),
        Err(e) => {
            tracing::error!(login = %m.login, "pop3: cannot delete at QUIT: {e}");
            // Give the lease back if we still can; nothing is deleted.
            let _ = s.ctx.store.release_maildrop(m.account_id, &s.holder).await;
            reply::err_code(
                out,
                Code::SysTemp,
                "The server could not delete the messages; nothing was deleted, try again later",
            );
        }
    }
    Next::Close
}
