//! An account's second factor (issue 16): its TOTP secret once confirmed, the last step a
//! code was accepted for, and its single-use recovery codes (hashed).

use super::entities::{account, recovery_code, second_factor};
use super::{Actor, Result, Store, audit, now};
use crate::domain::security::{
    CODE_WINDOW_SECS, MAX_CODE_FAILURES, RECOVERY_CODES, SecurityProblem, recovery_code_from_random,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

/// New recovery codes for `account_id`, replacing any left; the codes in clear (shown once).
async fn replace_recovery_codes(c: &impl ConnectionTrait, account_id: i64) -> Result<Vec<String>> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::AccountId.eq(account_id))
        .exec(c)
        .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| crate::auth::random_secret(recovery_code_from_random))
        .collect();
    for code in &codes {
        recovery_code::ActiveModel {
            account_id: Set(account_id),
            code_hash: Set(crate::auth::secret_hash(code)),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(c)
        .await?;
    }
    Ok(codes)
}

impl Store {
    /// The account's confirmed second factor, if it has one.
    pub async fn second_factor(&self, account_id: i64) -> Result<Option<second_factor::Model>> {
        Ok(second_factor::Entity::find_by_id(account_id)
            .one(self.db())
            .await?)
    }

    pub async fn has_second_factor(&self, account_id: i64) -> Result<bool> {
        Ok(self.second_factor(account_id).await?.is_some())
    }

    /// Turns two-factor sign-in on with `secret`, confirmed by a code of time step `step`
    /// (which may not serve again); returns the ten recovery codes, in clear, to show once.
    pub async fn enable_second_factor(
        &self,
        actor: &Actor,
        account: &account::Model,
        secret: &str,
        step: i64,
    ) -> Result<Vec<String>> {
        let txn = self.write_txn().await?;
        self.lock_account(&txn, account.id).await?;
        if second_factor::Entity::find_by_id(account.id)
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(SecurityProblem::AlreadyOn.into());
        }
        second_factor::ActiveModel {
            account_id: Set(account.id),
            secret: Set(secret.to_string()),
            last_step: Set(step),
            failures: Set(0),
            failures_since: Set(None),
            created_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        let codes = replace_recovery_codes(&txn, account.id).await?;
        audit::record_for(&txn, actor, account, "account.2fa_on", "").await?;
        txn.commit().await?;
        Ok(codes)
    }

    /// Takes time step `step` for the account's next sign-in: true once per step, and only
    /// for a step later than the last one taken (RFC 6238 §5.2: a code is accepted once).
    /// One conditional update, so two processes cannot both take it.
    pub async fn take_code_step(&self, account_id: i64, step: i64) -> Result<bool> {
        let r = second_factor::Entity::update_many()
            .col_expr(second_factor::Column::LastStep, Expr::value(step))
            .col_expr(second_factor::Column::Failures, Expr::value(0))
            .filter(second_factor::Column::AccountId.eq(account_id))
            .filter(second_factor::Column::LastStep.lt(step))
            .exec(self.db())
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Counts a wrong code for the account (a new window when the last one is over); how many
    /// in this window, this one included.
    pub async fn note_code_failure(&self, account_id: i64) -> Result<i32> {
        let t = now();
        second_factor::Entity::update_many()
            .col_expr(second_factor::Column::Failures, Expr::value(0))
            .col_expr(second_factor::Column::FailuresSince, Expr::value(t))
            .filter(second_factor::Column::AccountId.eq(account_id))
            .filter(
                sea_orm::Condition::any()
                    .add(second_factor::Column::FailuresSince.is_null())
                    .add(second_factor::Column::FailuresSince.lte(t - CODE_WINDOW_SECS)),
            )
            .exec(self.db())
            .await?;
        second_factor::Entity::update_many()
            .col_expr(
                second_factor::Column::Failures,
                Expr::col(second_factor::Column::Failures).add(1),
            )
            .filter(second_factor::Column::AccountId.eq(account_id))
            .exec(self.db())
            .await?;
        Ok(self
            .second_factor(account_id)
            .await?
            .map(|f| f.failures)
            .unwrap_or(0))
    }

    /// Uses one recovery code (normalised): true if it was the account's and unused.
    pub async fn take_recovery_code(&self, account_id: i64, code: &str) -> Result<bool> {
        let r = recovery_code::Entity::update_many()
            .col_expr(recovery_code::Column::UsedAt, Expr::value(now()))
            .filter(recovery_code::Column::AccountId.eq(account_id))
            .filter(recovery_code::Column::CodeHash.eq(crate::auth::secret_hash(code)))
            .filter(recovery_code::Column::UsedAt.is_null())
            .exec(self.db())
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Recovery codes not used yet.
    pub async fn recovery_codes_left(&self, account_id: i64) -> Result<u64> {
        Ok(recovery_code::Entity::find()
            .filter(recovery_code::Column::AccountId.eq(account_id))
            .filter(recovery_code::Column::UsedAt.is_null())
            .count(self.db())
            .await?)
    }

    /// Ten new recovery codes (the old ones stop working); in clear, to show once.
    pub async fn new_recovery_codes(
        &self,
        actor: &Actor,
        account: &account::Model,
    ) -> Result<Vec<String>> {
        let txn = self.write_txn().await?;
        if second_factor::Entity::find_by_id(account.id)
            .one(&txn)
            .await?
            .is_none()
        {
            return Err(SecurityProblem::NotOn.into());
        }
        let codes = replace_recovery_codes(&txn, account.id).await?;
        audit::record_for(&txn, actor, account, "account.recovery_codes", "").await?;
        txn.commit().await?;
        Ok(codes)
    }

    /// Turns two-factor sign-in off (by its owner, or by their webmaster): the secret and the
    /// recovery codes go.
    pub async fn remove_second_factor(
        &self,
        actor: &Actor,
        account: &account::Model,
    ) -> Result<()> {
        let txn = self.write_txn().await?;
        let gone = second_factor::Entity::delete_by_id(account.id)
            .exec(&txn)
            .await?
            .rows_affected;
        if gone == 0 {
            return Err(SecurityProblem::NotOn.into());
        }
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::AccountId.eq(account.id))
            .exec(&txn)
            .await?;
        audit::record_for(&txn, actor, account, "account.2fa_off", "").await?;
        txn.commit().await?;
        self.note_credentials_changed();
        Ok(())
    }
}

/// How long the second step of `f`'s account stays refused (too many wrong codes lately).
pub fn code_lockout(f: &second_factor::Model, now: i64) -> Option<std::time::Duration> {
    let since = f.failures_since?;
    let left = since + CODE_WINDOW_SECS - now;
    (f.failures >= MAX_CODE_FAILURES && left > 0)
        .then(|| std::time::Duration::from_secs(left as u64))
}
