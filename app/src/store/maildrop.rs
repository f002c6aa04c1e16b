//! POP3 maildrops (RFC 1939): the exclusive lease, the snapshot taken at login, one message's
//! bytes, and the deletions at QUIT.
//!
//! The lease is a row of `maildrop_locks`, so one session per maildrop holds across every
//! process sharing the database (RFC 1939 §8 allows an exclusive lock). It carries an expiry
//! that the holder renews while the session lives: a process that dies frees its maildrops
//! when their leases run out.

use super::entities::{account, maildrop_lock, message};
use super::{Result, Store, now};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use std::time::Duration;

/// One message as the session sees it: numbers are positions in the snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaildropEntry {
    pub id: i64,
    pub uidl: String,
    /// Octets as RETR sends them before byte-stuffing (RFC 1939 §5 LIST).
    pub size: u64,
}

/// What opening a maildrop gives.
#[derive(Debug)]
pub enum Opened {
    /// The lease is ours; the messages present at this moment, oldest first.
    Snapshot(Vec<MaildropEntry>),
    /// Another session holds the maildrop (RFC 3206 `[IN-USE]`).
    InUse,
}

fn secs(ttl: Duration) -> i64 {
    Ord::max(ttl.as_secs(), 1) as i64
}

impl Store {
    /// Takes the lease on `account_id`'s maildrop for `holder`, records the POP3 login time,
    /// and reads the snapshot, in one transaction (one commit to wait for).
    pub async fn open_maildrop(
        &self,
        account_id: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<Opened> {
        let t = now();
        let txn = self.write_txn().await?;
        // Insert the lease, or take over one that has expired; a live lease is left alone
        // and no row changes.
        let lease = maildrop_lock::ActiveModel {
            account_id: Set(account_id),
            holder: Set(holder.to_string()),
            expires_at: Set(t + secs(ttl)),
        };
        let taken = maildrop_lock::Entity::insert(lease)
            .on_conflict(
                OnConflict::column(maildrop_lock::Column::AccountId)
                    .update_columns([
                        maildrop_lock::Column::Holder,
                        maildrop_lock::Column::ExpiresAt,
                    ])
                    .action_and_where(
                        Expr::col((maildrop_lock::Entity, maildrop_lock::Column::ExpiresAt)).lte(t),
                    )
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        if taken == 0 {
            txn.rollback().await?;
            return Ok(Opened::InUse);
        }
        account::Entity::update_many()
            .col_expr(account::Column::LastPop3LoginAt, Expr::value(t))
            .filter(account::Column::Id.eq(account_id))
            .exec(&txn)
            .await?;
        let rows: Vec<(i64, String, i64)> = message::Entity::find()
            .select_only()
            .columns([
                message::Column::Id,
                message::Column::Uidl,
                message::Column::Size,
            ])
            .filter(message::Column::AccountId.eq(account_id))
            .order_by_asc(message::Column::Id)
            .into_tuple()
            .all(&txn)
            .await?;
        txn.commit().await?;
        Ok(Opened::Snapshot(
            rows.into_iter()
                .map(|(id, uidl, size)| MaildropEntry {
                    id,
                    uidl,
                    size: u64::try_from(size).unwrap_or(0),
                })
                .collect(),
        ))
    }

    /// Extends the lease; false when it is no longer ours (it expired and was taken).
    pub async fn renew_maildrop(
        &self,
        account_id: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool> {
        let r = maildrop_lock::Entity::update_many()
            .col_expr(
                maildrop_lock::Column::ExpiresAt,
                Expr::value(now() + secs(ttl)),
            )
            .filter(maildrop_lock::Column::AccountId.eq(account_id))
            .filter(maildrop_lock::Column::Holder.eq(holder))
            .exec(self.db())
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Gives the lease back without deleting anything (the session ended without QUIT).
    pub async fn release_maildrop(&self, account_id: i64, holder: &str) -> Result<()> {
        maildrop_lock::Entity::delete_many()
            .filter(maildrop_lock::Column::AccountId.eq(account_id))
            .filter(maildrop_lock::Column::Holder.eq(holder))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// The bytes of several messages of the maildrop at once (read-ahead), by id; those no
    /// longer there are missing from the map.
    pub async fn messages_bytes(
        &self,
        account_id: i64,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<u8>>> {
        let rows: Vec<(i64, Vec<u8>)> = message::Entity::find()
            .select_only()
            .columns([message::Column::Id, message::Column::Raw])
            .filter(message::Column::AccountId.eq(account_id))
            .filter(message::Column::Id.is_in(ids.iter().copied()))
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// The UPDATE state (RFC 1939 §6): deletes the marked messages and gives the lease back,
    /// in one transaction. False (and nothing deleted) when the lease is no longer ours.
    pub async fn close_maildrop(
        &self,
        account_id: i64,
        holder: &str,
        delete: &[i64],
    ) -> Result<bool> {
        let txn = self.write_txn().await?;
        let released = maildrop_lock::Entity::delete_many()
            .filter(maildrop_lock::Column::AccountId.eq(account_id))
            .filter(maildrop_lock::Column::Holder.eq(holder))
            .exec(&txn)
            .await?;
        if released.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        for ids in delete.chunks(500) {
            message::Entity::delete_many()
                .filter(message::Column::AccountId.eq(account_id))
                .filter(message::Column::Id.is_in(ids.iter().copied()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}
