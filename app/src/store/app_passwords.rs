//! App passwords (issue 16): made by the server for one mail program, scoped to POP3 and/or
//! submission, with an optional end; found at login by the SHA-256 of what was typed.

use super::entities::{account, app_password};
use super::{Actor, Result, Store, audit, now};
use crate::domain::security::{
    Door, Lifetime, MAX_APP_PASSWORDS, SecurityProblem, app_password_from_random, check_app_name,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// What the form asks for a new app password.
#[derive(Clone, Debug)]
pub struct NewAppPassword {
    pub name: String,
    pub pop3: bool,
    pub submission: bool,
    pub lifetime: Lifetime,
}

impl Store {
    /// Makes an app password; returns it in clear (shown once, never stored).
    pub async fn create_app_password(
        &self,
        actor: &Actor,
        account: &account::Model,
        new: &NewAppPassword,
    ) -> Result<String> {
        let name = check_app_name(&new.name)?;
        if !new.pop3 && !new.submission {
            return Err(SecurityProblem::NoScope.into());
        }
        let txn = self.write_txn().await?;
        self.lock_account(&txn, account.id).await?;
        let held = app_password::Entity::find()
            .filter(app_password::Column::AccountId.eq(account.id))
            .count(&txn)
            .await?;
        if held >= MAX_APP_PASSWORDS as u64 {
            return Err(SecurityProblem::TooManyAppPasswords.into());
        }
        let password = crate::auth::random_secret(app_password_from_random);
        let at = now();
        app_password::ActiveModel {
            account_id: Set(account.id),
            name: Set(name.clone()),
            secret_hash: Set(crate::auth::secret_hash(&password)),
            pop3: Set(new.pop3),
            submission: Set(new.submission),
            created_at: Set(at),
            expires_at: Set(new.lifetime.expires_at(at)),
            last_used_at: Set(None),
            last_used_door: Set(None),
            last_used_ip: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record_for(&txn, actor, account, "account.app_password_add", &name).await?;
        txn.commit().await?;
        Ok(password)
    }

    /// The account's app passwords, newest first.
    pub async fn app_passwords(&self, account_id: i64) -> Result<Vec<app_password::Model>> {
        Ok(app_password::Entity::find()
            .filter(app_password::Column::AccountId.eq(account_id))
            .order_by_desc(app_password::Column::Id)
            .all(self.db())
            .await?)
    }

    /// Revokes app password `id` of the account: refused at once at every door.
    pub async fn revoke_app_password(
        &self,
        actor: &Actor,
        account: &account::Model,
        id: i64,
    ) -> Result<String> {
        let txn = self.write_txn().await?;
        let Some(row) = app_password::Entity::find_by_id(id)
            .filter(app_password::Column::AccountId.eq(account.id))
            .one(&txn)
            .await?
        else {
            return Err(SecurityProblem::AppPasswordNotFound.into());
        };
        app_password::Entity::delete_by_id(row.id)
            .exec(&txn)
            .await?;
        audit::record_for(
            &txn,
            actor,
            account,
            "account.app_password_revoke",
            &row.name,
        )
        .await?;
        txn.commit().await?;
        self.note_credentials_changed();
        Ok(row.name)
    }

    /// The account's app password whose text is `normalised`, if it has one (whether or not
    /// it opens `door`, or has expired: the caller says which refusal).
    pub async fn app_password_of(
        &self,
        account_id: i64,
        normalised: &str,
    ) -> Result<Option<app_password::Model>> {
        Ok(app_password::Entity::find()
            .filter(app_password::Column::SecretHash.eq(crate::auth::secret_hash(normalised)))
            .filter(app_password::Column::AccountId.eq(account_id))
            .one(self.db())
            .await?)
    }

    /// Notes that app password `id` served at `door` from `ip`.
    pub async fn note_app_password_use(&self, id: i64, door: Door, ip: &str) -> Result<()> {
        if let Some(row) = app_password::Entity::find_by_id(id).one(self.db()).await? {
            let mut m: app_password::ActiveModel = row.into();
            m.last_used_at = Set(Some(now()));
            m.last_used_door = Set(Some(door.as_str().to_string()));
            m.last_used_ip = Set(Some(ip.to_string()));
            m.update(self.db()).await?;
        }
        Ok(())
    }
}

impl Store {
    /// Whether a mail session signed in as `account_id` at password epoch `epoch` with
    /// `credential` at `door` may go on: same epoch, not suspended, and its credential still
    /// good (the app password not revoked nor past its end; the main password while the
    /// account has no second factor).
    pub async fn credential_holds(
        &self,
        account_id: i64,
        epoch: i64,
        credential: crate::domain::security::Credential,
        door: Door,
    ) -> Result<bool> {
        use crate::domain::security::Credential;
        if !self.still_signed_in(account_id, epoch).await? {
            return Ok(false);
        }
        Ok(match credential {
            Credential::AppPassword(id) => app_password::Entity::find_by_id(id)
                .filter(app_password::Column::AccountId.eq(account_id))
                .one(self.db())
                .await?
                .is_some_and(|p| opens(&p, door, now())),
            Credential::MainPassword => {
                !door.is_mail() || !self.has_second_factor(account_id).await?
            }
        })
    }
}

/// Whether app password `p` opens `door` at `now`.
pub fn opens(p: &app_password::Model, door: Door, now: i64) -> bool {
    let scoped = match door {
        Door::Pop3 => p.pop3,
        Door::Submission => p.submission,
        Door::Web => false,
    };
    scoped && p.expires_at.is_none_or(|e| now < e)
}
