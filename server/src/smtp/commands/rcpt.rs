//! RCPT TO (RFC 5321 §4.1.1.3): decided at once from the store — local, relayed for a granted
//! client, unknown, relay denied, or over quota.

use super::mail::non_ascii;
use crate::smtp::reply::{self, Reply};
use crate::smtp::session::{Session, Step};
use app::store::delivery::{InboundRcpt, RcptVerdict};
use smtp_proto::RcptTo;
use std::borrow::Cow;

pub async fn rcpt(s: &mut Session, to: RcptTo<Cow<'_, str>>) -> Step {
    let Some(tx) = s.tx.as_ref() else {
        return Step::reply(reply::bad_sequence("send MAIL first"));
    };
    if s.bdat.is_some() {
        return Step::reply(reply::bad_sequence("BDAT in progress"));
    }
    if tx.rcpts.len() >= s.ctx.config.max_recipients {
        return Step::reply(Reply::new(452, "4.5.3", "Too many recipients"));
    }
    if !to.address.is_ascii() && !tx.smtputf8 {
        return Step::reply(non_ascii());
    }
    let address = to.address.to_string();
    let size = tx.size_hint as u64;
    let verdict = match &s.user {
        Some(_) => s.ctx.store.check_submission_recipient(&address, size).await,
        None => {
            let store = &s.ctx.store;
            store
                .check_recipient(&address, &tx.mail_from, s.peer.ip(), size)
                .await
        }
    };
    let mut policy = None;
    let (rcpt, answer) = match verdict {
        Ok(RcptVerdict::Local {
            account,
            delivered_to,
            policy: p,
        }) => {
            // None when this server filters nothing.
            let p = (!s.ctx.filter.is_empty()).then_some(p);
            if p.zip(tx.policy).is_some_and(|(p, q)| p != q) {
                // One answer after DATA for every recipient: a recipient whose domain
                // filters otherwise comes in another transaction (RFC 5321 §4.5.3.1.10: the
                // client sends the recipients refused with 452 again later).
                (
                    None,
                    Reply::new(
                        452,
                        "4.5.3",
                        "This recipient's domain filters mail otherwise: send to it in another transaction",
                    ),
                )
            } else {
                policy = p;
                (
                    Some(InboundRcpt::Local {
                        account,
                        delivered_to,
                    }),
                    Reply::new(250, "2.1.5", "Recipient ok"),
                )
            }
        }
        Ok(RcptVerdict::Relay { grant_id }) => (
            Some(InboundRcpt::Relay {
                address: address.clone(),
                grant_id,
            }),
            Reply::new(250, "2.1.5", "Recipient ok (relayed for this address)"),
        ),
        Ok(RcptVerdict::Outbound) => match &s.user {
            Some(user) => (
                Some(InboundRcpt::Submitted {
                    address: address.clone(),
                    account_id: user.account.id,
                }),
                Reply::new(250, "2.1.5", "Recipient ok"),
            ),
            None => (None, Reply::new(554, "5.7.1", "Relay access denied")),
        },
        Ok(RcptVerdict::SrsReturn { address: original }) => (
            Some(InboundRcpt::SrsReturn { address: original }),
            Reply::new(250, "2.1.5", "Recipient ok (back to the original sender)"),
        ),
        Ok(RcptVerdict::BadSrs { reason }) => (
            None,
            Reply::new(550, "5.1.1", format!("No such user here ({reason})")),
        ),
        Ok(RcptVerdict::UnknownUser) => (None, Reply::new(550, "5.1.1", "No such user here")),
        Ok(RcptVerdict::RelayDenied) => (
            None,
            Reply::new(
                554,
                "5.7.1",
                "Relay access denied: this server only receives mail for its domains",
            ),
        ),
        Ok(RcptVerdict::RelaySenderRefused { domain }) => (
            None,
            Reply::new(
                550,
                "5.7.1",
                format!("Relay from this address is only for senders @{domain}"),
            ),
        ),
        Ok(RcptVerdict::RelayCapReached) => (
            None,
            Reply::new(
                451,
                "4.7.1",
                "Hourly relay limit of this address reached, try again later",
            ),
        ),
        Ok(RcptVerdict::OverQuota) => (
            None,
            Reply::new(452, "4.2.2", "Mailbox full, try again later"),
        ),
        Err(e) => {
            tracing::error!("recipient check failed: {e}");
            (None, temporary_failure())
        }
    };
    if let (Some(r), Some(tx)) = (rcpt, s.tx.as_mut()) {
        tx.rcpts.push((address, r));
        if policy.is_some() {
            tx.policy = policy;
        }
    }
    Step::reply(answer)
}

fn temporary_failure() -> Reply {
    Reply::new(451, "4.3.0", "Temporary lookup failure, try again later")
}
