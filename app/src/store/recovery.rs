//! Getting back in alone (issue 16): a recovery address outside the domain, confirmed by a
//! code sent to it, and password-reset links — a random token of which only the SHA-256 is
//! kept, single use, an hour (a day when the webmaster sends it). Using one sets the password,
//! which ends every web session and open mail session, and tells the mailbox.

use super::entities::{account, recovery_address, reset_token};
use super::{Actor, Result, Store, audit, notices, now};
use crate::domain::security::{SecurityProblem, check_recovery_address};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

/// How long a confirmation code and a reset link asked on the sign-in page last.
pub const LINK_SECS: i64 = 3600;
/// How long a link the webmaster sends lasts (the user may not read it at once).
pub const WEBMASTER_LINK_SECS: i64 = 24 * 3600;
/// Links sent for one account in an hour at most, whoever asks.
pub const LINKS_PER_HOUR: u64 = 3;
/// Wrong confirmation codes before the code dies.
pub const CODE_TRIES: i32 = 5;
/// Seconds between two confirmation codes.
pub const CODE_INTERVAL: i64 = 60;
/// Confirmation codes sent for one account in a day at most.
pub const CODES_PER_DAY: i32 = 5;

/// Voids the account's unused reset links (its password or recovery address changed).
pub(crate) async fn void_reset_tokens(c: &impl ConnectionTrait, account_id: i64) -> Result<()> {
    reset_token::Entity::update_many()
        .col_expr(reset_token::Column::UsedAt, Expr::value(now()))
        .filter(reset_token::Column::AccountId.eq(account_id))
        .filter(reset_token::Column::UsedAt.is_null())
        .exec(c)
        .await?;
    Ok(())
}

/// A six-digit code from the OS RNG.
fn six_digits() -> String {
    crate::auth::random_secret(|bytes| {
        let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        // 4_294_000_000 is a multiple of a million: no bias below it.
        (n < 4_294_000_000).then(|| format!("{:06}", n % 1_000_000))
    })
}

/// Where a reset link went, for the words of the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SentTo {
    RecoveryAddress(String),
    Mailbox,
}

impl Store {
    pub async fn recovery_address(
        &self,
        account_id: i64,
    ) -> Result<Option<recovery_address::Model>> {
        Ok(recovery_address::Entity::find_by_id(account_id)
            .one(self.db())
            .await?)
    }

    /// Sets `typed` as the account's recovery address, unconfirmed, and queues a code to it.
    pub async fn set_recovery_address(
        &self,
        actor: &Actor,
        account: &account::Model,
        own_domain: &str,
        typed: &str,
    ) -> Result<String> {
        let address = check_recovery_address(typed, own_domain)?;
        let t = now();
        let txn = self.write_txn().await?;
        self.lock_account(&txn, account.id).await?;
        let old = recovery_address::Entity::find_by_id(account.id)
            .one(&txn)
            .await?;
        // Codes sent today (a day's window), and when the last one went.
        let (sent, since) = match &old {
            Some(o) if o.codes_since.is_some_and(|s| s > t - 86_400) => {
                (o.codes_sent, o.codes_since)
            }
            _ => (0, Some(t)),
        };
        if let Some(o) = &old
            && o.code_expires_at
                .is_some_and(|e| e - LINK_SECS > t - CODE_INTERVAL)
        {
            return Err(SecurityProblem::TooSoon.into());
        }
        if sent >= CODES_PER_DAY {
            return Err(SecurityProblem::TooManyCodes.into());
        }
        let code = six_digits();
        let row = recovery_address::ActiveModel {
            account_id: Set(account.id),
            address: Set(address.clone()),
            confirmed_at: Set(None),
            code_hash: Set(Some(crate::auth::secret_hash(&code))),
            code_expires_at: Set(Some(t + LINK_SECS)),
            code_tries: Set(0),
            codes_sent: Set(sent + 1),
            codes_since: Set(since),
        };
        if old.is_some() {
            row.update(&txn).await?;
        } else {
            row.insert(&txn).await?;
        }
        // Links sent to a former address stop working.
        void_reset_tokens(&txn, account.id).await?;
        let login = account.login.clone();
        notices::queue_to(&txn, account, &address, |lang| {
            crate::domain::account_mail::confirmation_code(lang, &login, &code)
        })
        .await?;
        audit::record_for(&txn, actor, account, "account.recovery_address", &address).await?;
        txn.commit().await?;
        Ok(address)
    }

    /// Confirms the recovery address with the code sent to it.
    pub async fn confirm_recovery_address(&self, account_id: i64, typed: &str) -> Result<()> {
        let txn = self.write_txn().await?;
        self.lock_account(&txn, account_id).await?;
        // Each try is counted first, in one conditional update: past the cap, no code is
        // compared at all, however many arrive at once.
        let counted = recovery_address::Entity::update_many()
            .col_expr(
                recovery_address::Column::CodeTries,
                Expr::col(recovery_address::Column::CodeTries).add(1),
            )
            .filter(recovery_address::Column::AccountId.eq(account_id))
            .filter(recovery_address::Column::CodeTries.lt(CODE_TRIES))
            .filter(recovery_address::Column::CodeExpiresAt.gt(now()))
            .exec(&txn)
            .await?;
        let row = recovery_address::Entity::find_by_id(account_id)
            .one(&txn)
            .await?;
        let code: String = typed.chars().filter(char::is_ascii_digit).collect();
        let good = counted.rows_affected == 1
            && row.as_ref().is_some_and(|r| {
                r.code_hash.as_deref() == Some(crate::auth::secret_hash(&code).as_str())
            });
        if let (true, Some(row)) = (good, row) {
            let mut m: recovery_address::ActiveModel = row.into();
            m.confirmed_at = Set(Some(now()));
            m.code_hash = Set(None);
            m.code_expires_at = Set(None);
            m.code_tries = Set(0);
            m.update(&txn).await?;
            txn.commit().await?;
            return Ok(());
        }
        txn.commit().await?;
        Err(SecurityProblem::WrongConfirmation.into())
    }

    pub async fn remove_recovery_address(
        &self,
        actor: &Actor,
        account: &account::Model,
    ) -> Result<()> {
        let txn = self.write_txn().await?;
        recovery_address::Entity::delete_by_id(account.id)
            .exec(&txn)
            .await?;
        void_reset_tokens(&txn, account.id).await?;
        audit::record_for(&txn, actor, account, "account.recovery_address", "").await?;
        txn.commit().await?;
        Ok(())
    }

    /// Sends `account` a reset link made of `link_base` + the token: to its confirmed recovery
    /// address; when the webmaster sends it and there is none, into the mailbox itself (a mail
    /// program that still holds the password can read it). None when nothing was sent: no
    /// confirmed address on a self-service request, or too many links this hour.
    pub async fn send_reset_link(
        &self,
        actor: &Actor,
        account: &account::Model,
        link_base: &str,
        by_webmaster: bool,
    ) -> Result<Option<SentTo>> {
        let t = now();
        let txn = self.write_txn().await?;
        self.lock_account(&txn, account.id).await?;
        // Self-service and the webmaster have their own quota: an anonymous caller cannot
        // use up the webmaster's.
        let recent = reset_token::Entity::find()
            .filter(reset_token::Column::AccountId.eq(account.id))
            .filter(reset_token::Column::ByWebmaster.eq(by_webmaster))
            .filter(reset_token::Column::CreatedAt.gt(t - 3600))
            .count(&txn)
            .await?;
        if recent >= LINKS_PER_HOUR {
            return Ok(None);
        }
        let confirmed = recovery_address::Entity::find_by_id(account.id)
            .one(&txn)
            .await?
            .filter(|r| r.confirmed_at.is_some())
            .map(|r| r.address);
        let to = match (confirmed, by_webmaster) {
            (Some(a), _) => SentTo::RecoveryAddress(a),
            (None, true) => SentTo::Mailbox,
            (None, false) => return Ok(None),
        };
        let token = crate::auth::random_hex(32);
        let life = if by_webmaster {
            WEBMASTER_LINK_SECS
        } else {
            LINK_SECS
        };
        reset_token::ActiveModel {
            token_hash: Set(crate::auth::secret_hash(&token)),
            account_id: Set(account.id),
            sent_to: Set(match &to {
                SentTo::RecoveryAddress(a) => a.clone(),
                SentTo::Mailbox => String::new(),
            }),
            by_webmaster: Set(by_webmaster),
            created_at: Set(t),
            expires_at: Set(t + life),
            used_at: Set(None),
        }
        .insert(&txn)
        .await?;
        let link = format!("{link_base}/login/reset?token={token}");
        let login = account.login.clone();
        let text = |lang| {
            crate::domain::account_mail::reset_link(lang, &login, &link, life / 3600, by_webmaster)
        };
        match &to {
            SentTo::RecoveryAddress(a) => notices::queue_to(&txn, account, a, text).await?,
            SentTo::Mailbox => notices::put_in_mailbox(&txn, account, text).await?,
        }
        let detail = match &to {
            SentTo::RecoveryAddress(a) => a.as_str(),
            SentTo::Mailbox => "",
        };
        audit::record_for(&txn, actor, account, "account.reset_sent", detail).await?;
        txn.commit().await?;
        Ok(Some(to))
    }

    /// The account a reset token opens at `at`, if it is known, unused and not expired.
    pub async fn reset_token_account(
        &self,
        token: &str,
        at: i64,
    ) -> Result<Option<account::Model>> {
        let Some(row) = reset_token::Entity::find_by_id(crate::auth::secret_hash(token.trim()))
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        if row.used_at.is_some() || at >= row.expires_at {
            return Ok(None);
        }
        self.account_by_id(row.account_id).await
    }

    /// Sets `new_password` through the reset link's `token` at `at` (single use): every web
    /// session and open mail session of the account ends, and its mailbox is told.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: String,
        at: i64,
        ip: &str,
    ) -> Result<account::Model> {
        let Some(account) = self.reset_token_account(token, at).await? else {
            return Err(SecurityProblem::ResetLinkInvalid.into());
        };
        crate::domain::check_chosen_password(&new_password, &account.login)?;
        // Taken first, in one conditional update: two uses at once cannot both pass.
        let taken = reset_token::Entity::update_many()
            .col_expr(reset_token::Column::UsedAt, Expr::value(at))
            .filter(reset_token::Column::TokenHash.eq(crate::auth::secret_hash(token.trim())))
            .filter(reset_token::Column::UsedAt.is_null())
            .exec(self.db())
            .await?;
        if taken.rows_affected != 1 {
            return Err(SecurityProblem::ResetLinkInvalid.into());
        }
        let actor = Actor::web(&account.login, ip.parse().ok());
        self.set_password(&actor, &account.login, Some(new_password))
            .await?;
        audit::record_for(self.db(), &actor, &account, "account.reset", "").await?;
        let ip = ip.to_string();
        let apps = self.app_passwords(account.id).await?.len();
        notices::put_in_mailbox(self.db(), &account, |lang| {
            crate::domain::account_mail::password_was_reset(lang, &ip, apps)
        })
        .await?;
        Ok(account)
    }

    /// Forgets used and expired reset tokens (as of `now`).
    pub(crate) async fn purge_reset_tokens(&self, now: i64) -> Result<u64> {
        Ok(reset_token::Entity::delete_many()
            .filter(reset_token::Column::ExpiresAt.lt(now - 86_400))
            .exec(self.db())
            .await?
            .rows_affected)
    }
}
