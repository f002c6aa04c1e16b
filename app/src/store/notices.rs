//! Notices the server puts straight into a mailbox (two-step sign-in removed, password reset):
//! the account learns of a change to its security even if someone else made it.

use super::entities::{account, message};
use super::{Result, Store, now};
use sea_orm::{EntityTrait, Set};

impl Store {
    /// Puts a notice from the domain's postmaster in `account`'s mailbox, in the account's
    /// language; `text` gives the subject and body for it. Nothing for an account without
    /// a mailbox (the server admin).
    pub async fn put_notice(
        &self,
        account: &account::Model,
        text: impl Fn(crate::i18n::Lang) -> (String, String),
    ) -> Result<()> {
        let Some(to) = super::delivery::own_addresses(self.db(), account)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(());
        };
        let domain = to.rsplit_once('@').map(|(_, d)| d).unwrap_or("localhost");
        let lang = account
            .lang
            .as_deref()
            .and_then(crate::i18n::Lang::from_tag)
            .unwrap_or_default();
        let (subject, body) = text(lang);
        let t = now();
        let id = format!("{}@{domain}", crate::auth::random_hex(12));
        let raw = crate::domain::notice::compose(
            &format!("postmaster@{domain}"),
            &to,
            &subject,
            &body,
            &id,
            t,
        );
        message::Entity::insert(message::ActiveModel {
            account_id: Set(account.id),
            uidl: Set(crate::auth::random_hex(16)),
            size: Set(raw.len() as i64),
            received_at: Set(t),
            mail_from: Set(String::new()),
            subject: Set(subject),
            raw: Set(raw),
            ..Default::default()
        })
        .exec(self.db())
        .await?;
        Ok(())
    }
}
