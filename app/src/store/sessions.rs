//! Web sessions in the database: a `tower_sessions::SessionStore` over SeaORM (no published
//! store fits SeaORM 2 + tower-sessions 0.15). The table keys sessions by the SHA-256 of their
//! id, so a copy of the database holds no usable cookie.

use super::entities::web_session;
use super::{Result, now};
use async_trait::async_trait;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// Seconds between two writes of a session that did not change (its "last seen").
const SEEN_EVERY: i64 = 60;

/// The session key that holds the signed-in account's id.
pub const ACCOUNT_KEY: &str = "account_id";
/// When the session signed in (Unix seconds).
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// The address and the `User-Agent` it signed in from (the list of sessions shows them).
pub const IP_KEY: &str = "ip";
pub const USER_AGENT_KEY: &str = "user_agent";

/// A signed-in web session of an account, as its list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenSession {
    /// The SHA-256 the table keys it by (not the cookie: it cannot be turned back into one).
    pub key: String,
    pub ip: String,
    pub user_agent: String,
    pub started_at: Option<i64>,
    pub last_seen_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    pub fn new(store: &super::Store) -> Self {
        DbSessionStore {
            db: store.db().clone(),
        }
    }
}

/// What the table keys session `id` by.
pub fn key(id: &Id) -> String {
    crate::auth::hex(&Sha256::digest(id.to_string().as_bytes()))
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// Deletes every web session of an account (password changed, account deleted).
pub(crate) async fn delete_for_account(c: &impl ConnectionTrait, account_id: i64) -> Result<()> {
    web_session::Entity::delete_many()
        .filter(web_session::Column::AccountId.eq(account_id))
        .exec(c)
        .await?;
    Ok(())
}

impl super::Store {
    /// The account's signed-in web sessions, most recently seen first.
    pub async fn open_sessions(&self, account_id: i64) -> Result<Vec<OpenSession>> {
        use sea_orm::QueryOrder;
        let rows = web_session::Entity::find()
            .filter(web_session::Column::AccountId.eq(account_id))
            .filter(web_session::Column::ExpiresAt.gt(now()))
            .order_by_desc(web_session::Column::LastSeenAt)
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let data: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&row.data).unwrap_or_default();
                let text = |k: &str| {
                    data.get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string()
                };
                OpenSession {
                    ip: text(IP_KEY),
                    user_agent: text(USER_AGENT_KEY),
                    started_at: data.get(SIGNED_IN_AT_KEY).and_then(|v| v.as_i64()),
                    last_seen_at: row.last_seen_at,
                    key: row.id_hash,
                }
            })
            .collect())
    }

    /// Ends the account's session keyed `key` (false: it had none such).
    pub async fn end_session(&self, account_id: i64, key: &str) -> Result<bool> {
        let r = web_session::Entity::delete_many()
            .filter(web_session::Column::AccountId.eq(account_id))
            .filter(web_session::Column::IdHash.eq(key))
            .exec(self.db())
            .await?;
        Ok(r.rows_affected > 0)
    }

    /// Ends every session of the account but the one keyed `keep`; how many ended.
    pub async fn end_other_sessions(&self, account_id: i64, keep: &str) -> Result<u64> {
        let r = web_session::Entity::delete_many()
            .filter(web_session::Column::AccountId.eq(account_id))
            .filter(web_session::Column::IdHash.ne(keep))
            .exec(self.db())
            .await?;
        Ok(r.rows_affected)
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let account_id = record.data.get(ACCOUNT_KEY).and_then(|v| v.as_i64());
        // A fresh 128-bit random id; on the (astronomically rare) collision, draw again.
        loop {
            let row = web_session::ActiveModel {
                id_hash: Set(key(&record.id)),
                account_id: Set(account_id),
                data: Set(data.clone()),
                expires_at: Set(record.expiry_date.unix_timestamp()),
                last_seen_at: Set(Some(now())),
            };
            match web_session::Entity::insert(row).exec(&self.db).await {
                Ok(_) => return Ok(()),
                Err(e) if super::is_unique_violation(&e) => record.id = Id::default(),
                Err(e) => return Err(backend(e)),
            }
        }
    }

    /// Writes a session back after a request (every request that carries one: the server
    /// saves always, so that the idle limit counts from the last request). Only an update: a
    /// session ended meanwhile (signed out elsewhere, password changed) stays ended, and an
    /// id nobody created is never stored. Written only when its data changed or when it was
    /// last seen more than a minute ago.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        use sea_orm::sea_query::Expr;
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let k = key(&record.id);
        let t = now();
        let Some(row) = web_session::Entity::find_by_id(k.clone())
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(());
        };
        if row.data == data && row.last_seen_at.is_some_and(|s| t - s < SEEN_EVERY) {
            return Ok(());
        }
        let account_id = record.data.get(ACCOUNT_KEY).and_then(|v| v.as_i64());
        web_session::Entity::update_many()
            .col_expr(web_session::Column::AccountId, Expr::value(account_id))
            .col_expr(web_session::Column::Data, Expr::value(data))
            .col_expr(
                web_session::Column::ExpiresAt,
                Expr::value(record.expiry_date.unix_timestamp()),
            )
            .col_expr(web_session::Column::LastSeenAt, Expr::value(t))
            .filter(web_session::Column::IdHash.eq(k))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = web_session::Entity::find_by_id(key(id))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        if row.expires_at <= now() {
            return Ok(None);
        }
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        web_session::Entity::delete_by_id(key(id))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        web_session::Entity::delete_many()
            .filter(web_session::Column::ExpiresAt.lte(now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
