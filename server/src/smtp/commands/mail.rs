//! MAIL FROM (RFC 5321 §4.1.1.2) with SIZE (RFC 1870), BODY (RFC 6152) and SMTPUTF8 (RFC 6531).

use crate::smtp::reply::{self, Reply};
use crate::smtp::session::{Session, Step, Transaction, too_big};
use smtp_proto::{MAIL_SMTPUTF8, MailFrom};
use std::borrow::Cow;

pub fn mail(s: &mut Session, from: MailFrom<Cow<'_, str>>) -> Step {
    if s.helo.is_none() {
        return Step::reply(reply::bad_sequence("send EHLO or HELO first"));
    }
    if s.tx.is_some() || s.bdat.is_some() {
        return Step::reply(reply::bad_sequence(
            "a transaction is already open (RSET first)",
        ));
    }
    // Submission (RFC 6409 §4.3, §6.1): signed-in users only, from their own addresses.
    if s.is_submission() {
        let Some(user) = &s.user else {
            return Step::reply(Reply::new(530, "5.7.0", "Authentication required"));
        };
        let sender = from.address.to_lowercase();
        if !user.addresses.contains(&sender) {
            let yours = user.addresses.first().cloned().unwrap_or_default();
            return Step::reply(Reply::new(
                553,
                "5.7.1",
                format!(
                    "Sender address refused: send from your own address ({yours}) or one of your aliases"
                ),
            ));
        }
    }
    let smtputf8 = from.flags & MAIL_SMTPUTF8 != 0;
    if smtputf8 && !s.esmtp {
        return Step::reply(reply::bad_sequence("SMTPUTF8 needs EHLO"));
    }
    // RFC 6531 §3.4: a non-ASCII address needs the SMTPUTF8 parameter.
    if !from.address.is_ascii() && !smtputf8 {
        return Step::reply(non_ascii());
    }
    // RFC 1870 §6.2: refuse at once a message announced bigger than the limit.
    if from.size > s.ctx.config.max_message_size {
        return Step::reply(too_big(s.ctx.config.max_message_size));
    }
    s.tx = Some(Transaction {
        mail_from: from.address.to_string(),
        smtputf8,
        size_hint: from.size,
        rcpts: Vec::new(),
        policy: None,
        started: None,
    });
    Step::reply(Reply::new(250, "2.1.0", "Sender ok"))
}

pub fn non_ascii() -> Reply {
    Reply::new(
        553,
        "5.6.7",
        "Non-ASCII address without SMTPUTF8 (RFC 6531)",
    )
}
