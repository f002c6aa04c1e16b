//! Messages the server itself writes about an account (two-step sign-in removed, a password
//! reset, a reset link, a recovery address's code): put straight into its mailbox, or queued
//! to an address elsewhere. From the domain's postmaster, with a null envelope sender (nothing
//! bounces back to a notice), in the account's language.

use super::entities::{account, message};
use super::{Result, Store, now};
use sea_orm::{ConnectionTrait, Set};

/// What the queue calls a notice (`outbound.kind`).
pub const NOTICE: &str = "notice";

/// A notice ready to go: the account's address, its language and the message's bytes.
struct Composed {
    to_mailbox: String,
    subject: String,
    message_id: String,
    raw: Vec<u8>,
}

/// `text` in `account`'s language, from its domain's postmaster to `to` (None: the account's
/// own address); None for an account without a mailbox (the server admin).
async fn compose(
    c: &impl ConnectionTrait,
    account: &account::Model,
    to: Option<&str>,
    text: impl Fn(crate::i18n::Lang) -> (String, String),
) -> Result<Option<Composed>> {
    let Some(own) = super::delivery::own_addresses(c, account)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let domain = own.rsplit_once('@').map(|(_, d)| d).unwrap_or("localhost");
    let lang = account
        .lang
        .as_deref()
        .and_then(crate::i18n::Lang::from_tag)
        .unwrap_or_default();
    let (subject, body) = text(lang);
    let message_id = format!("{}@{domain}", crate::auth::random_hex(12));
    let raw = crate::domain::notice::compose(
        &format!("postmaster@{domain}"),
        to.unwrap_or(&own),
        &subject,
        &body,
        &message_id,
        now(),
    );
    Ok(Some(Composed {
        to_mailbox: own,
        subject,
        message_id,
        raw,
    }))
}

/// Puts a notice in `account`'s mailbox.
pub(crate) async fn put_in_mailbox(
    c: &impl ConnectionTrait,
    account: &account::Model,
    text: impl Fn(crate::i18n::Lang) -> (String, String),
) -> Result<()> {
    let Some(m) = compose(c, account, None, text).await? else {
        return Ok(());
    };
    debug_assert!(!m.to_mailbox.is_empty());
    super::maildrop::keep_message(
        c,
        message::ActiveModel {
            account_id: Set(account.id),
            uidl: Set(crate::auth::random_hex(16)),
            size: Set(m.raw.len() as i64),
            received_at: Set(now()),
            mail_from: Set(String::new()),
            subject: Set(m.subject),
            raw: Set(m.raw),
            ..Default::default()
        },
    )
    .await
}

/// Queues a notice about `account` to `to`, an address elsewhere.
pub(crate) async fn queue_to(
    c: &impl ConnectionTrait,
    account: &account::Model,
    to: &str,
    text: impl Fn(crate::i18n::Lang) -> (String, String),
) -> Result<()> {
    let Some(m) = compose(c, account, Some(to), text).await? else {
        return Ok(());
    };
    super::queue::enqueue(
        c,
        NOTICE,
        Some(account.id),
        "",
        to,
        &m.message_id,
        m.raw,
        now(),
    )
    .await
}

impl Store {
    /// Puts a notice from the domain's postmaster in `account`'s mailbox; `text` gives its
    /// subject and body in a language. Nothing for an account without a mailbox.
    pub async fn put_notice(
        &self,
        account: &account::Model,
        text: impl Fn(crate::i18n::Lang) -> (String, String),
    ) -> Result<()> {
        put_in_mailbox(self.db(), account, text).await
    }
}
