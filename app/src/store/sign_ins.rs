//! Where and how an account signed in (issue 16): the web, POP3 and submission, successes
//! and failures, with the address and the app password used. A mail program polling every
//! minute would fill the table, so the same sign-in repeated (same door, way, app password,
//! address and outcome as the account's latest row) only moves that row's time and count.
//! Kept 90 days.

use super::entities::sign_in;
use super::{Result, Store, now};
use crate::domain::security::{Door, Method, SIGN_INS_KEPT_DAYS};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// One sign-in to note.
#[derive(Clone, Debug)]
pub struct SignInNote<'a> {
    pub account_id: i64,
    pub door: Door,
    pub method: Method,
    pub app_password: Option<&'a str>,
    pub ip: String,
    pub ok: bool,
}

impl SignInNote<'_> {
    fn repeats(&self, row: &sign_in::Model) -> bool {
        row.door == self.door.as_str()
            && row.method == self.method.as_str()
            && row.app_password.as_deref() == self.app_password
            && row.ip == self.ip
            && row.ok == self.ok
    }
}

impl Store {
    /// Notes a sign-in (or adds it to the latest one when it repeats it).
    pub async fn note_sign_in(&self, note: &SignInNote<'_>) -> Result<()> {
        let at = now();
        let latest = sign_in::Entity::find()
            .filter(sign_in::Column::AccountId.eq(note.account_id))
            .order_by_desc(sign_in::Column::At)
            .order_by_desc(sign_in::Column::Id)
            .one(self.fast())
            .await?;
        match latest {
            Some(row) if note.repeats(&row) => {
                let count = row.count + 1;
                let mut m: sign_in::ActiveModel = row.into();
                m.at = Set(at);
                m.count = Set(count);
                m.update(self.fast()).await?;
            }
            _ => {
                sign_in::ActiveModel {
                    account_id: Set(note.account_id),
                    door: Set(note.door.as_str().to_string()),
                    method: Set(note.method.as_str().to_string()),
                    app_password: Set(note.app_password.map(str::to_string)),
                    ip: Set(note.ip.clone()),
                    ok: Set(note.ok),
                    first_at: Set(at),
                    at: Set(at),
                    count: Set(1),
                    ..Default::default()
                }
                .insert(self.fast())
                .await?;
            }
        }
        Ok(())
    }

    /// The account's latest `limit` sign-ins, newest first.
    pub async fn sign_ins(&self, account_id: i64, limit: u64) -> Result<Vec<sign_in::Model>> {
        Ok(sign_in::Entity::find()
            .filter(sign_in::Column::AccountId.eq(account_id))
            .order_by_desc(sign_in::Column::At)
            .order_by_desc(sign_in::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// Forgets sign-ins older than 90 days (as of `now`).
    pub(crate) async fn purge_sign_ins(&self, now: i64) -> Result<u64> {
        Ok(sign_in::Entity::delete_many()
            .filter(sign_in::Column::At.lt(now - SIGN_INS_KEPT_DAYS * 86_400))
            .exec(self.db())
            .await?
            .rows_affected)
    }
}
