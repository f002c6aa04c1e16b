//! POP3 maildrops (RFC 1939): the exclusive lease, the snapshot taken at login, the listing
//! read in pages, one message's bytes, and the deletions at QUIT.
//!
//! The lease is a row of `maildrop_locks`, so one session per maildrop holds across every
//! process sharing the database (RFC 1939 §8 allows an exclusive lock). It carries an expiry
//! that the holder renews while the session lives: a process that dies frees its maildrops
//! when their leases run out.
//!
//! The snapshot is one row, whatever the maildrop holds: the account's message count and
//! octets (kept by trigger, m0017) and the newest message's id, read in one statement. The
//! session's messages are those up to that id; their listing is read only when a command
//! needs it, a page at a time (issue 18: the login, STAT and the first RETR cost the same at
//! 10 and at 100,000 messages). This holds because a mailbox's ids are drawn in the order its
//! messages commit: SQLite has one writer at a time, and on PostgreSQL every message enters
//! through [`keep_message`], which locks the account row before the id is drawn (a message
//! whose id was drawn earlier but committed later would otherwise fall under the bound
//! without being counted; docs/design.md, "Mailboxes as they grow").

use super::StoreError;
use super::entities::{account, maildrop_lock, message};
use super::{Result, Store, now};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, Statement,
};
use std::time::Duration;

/// One message as the session sees it: numbers are positions in the snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaildropEntry {
    pub id: i64,
    pub uidl: String,
    /// Octets as RETR sends them before byte-stuffing (RFC 1939 §5 LIST).
    pub size: u64,
}

/// The maildrop as the login found it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Messages with an id up to `bound`.
    pub count: u64,
    /// Their octets.
    pub octets: u64,
    /// The newest message's id (0 when empty): later ones are not this session's.
    pub bound: i64,
}

/// What opening a maildrop gives.
#[derive(Debug)]
pub enum Opened {
    /// The lease is ours; what the maildrop held at this moment.
    Snapshot(Snapshot),
    /// Another session holds the maildrop (RFC 3206 `[IN-USE]`).
    InUse,
}

fn secs(ttl: Duration) -> i64 {
    Ord::max(ttl.as_secs(), 1) as i64
}

impl Store {
    /// Takes the lease on `account_id`'s maildrop for `holder`, records the POP3 login time,
    /// and reads the snapshot (one row). The lease is one atomic statement on the fast
    /// connection: a crash that loses it also ended the session that held it.
    pub async fn open_maildrop(
        &self,
        account_id: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<Opened> {
        let t = now();
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
            .exec_without_returning(self.fast())
            .await?;
        if taken == 0 {
            return Ok(Opened::InUse);
        }
        let snapshot = async {
            account::Entity::update_many()
                .col_expr(account::Column::LastPop3LoginAt, Expr::value(t))
                .filter(account::Column::Id.eq(account_id))
                .exec(self.fast())
                .await?;
            self.snapshot(account_id).await
        };
        match snapshot.await {
            Ok(entries) => Ok(Opened::Snapshot(entries)),
            Err(e) => {
                // Not opened after all: give the lease back.
                let _ = self.release_maildrop(account_id, holder).await;
                Err(e)
            }
        }
    }

    /// The count, octets and newest id, in one statement (one view of the database: the
    /// counters and the id agree).
    async fn snapshot(&self, account_id: i64) -> Result<Snapshot> {
        let sql = match self.engine() {
            super::Engine::Sqlite => {
                "SELECT message_count AS n, used_bytes AS octets, \
                 (SELECT max(id) FROM messages WHERE account_id = ?) AS bound \
                 FROM accounts WHERE id = ?"
            }
            super::Engine::Postgres => {
                "SELECT message_count AS n, used_bytes AS octets, \
                 (SELECT max(id) FROM messages WHERE account_id = $1) AS bound \
                 FROM accounts WHERE id = $2"
            }
        };
        let stmt = Statement::from_sql_and_values(
            self.db().get_database_backend(),
            sql,
            [account_id.into(), account_id.into()],
        );
        let Some(row) = self.db().query_one_raw(stmt).await? else {
            return Err(StoreError::AccountNotFound(account_id.to_string()));
        };
        let n: i64 = row.try_get("", "n")?;
        let octets: i64 = row.try_get("", "octets")?;
        let bound: Option<i64> = row.try_get("", "bound")?;
        Ok(Snapshot {
            count: u64::try_from(n).unwrap_or(0),
            octets: u64::try_from(octets).unwrap_or(0),
            bound: bound.unwrap_or(0),
        })
    }

    /// The next page of a maildrop's listing, oldest first: messages after id `after` up to
    /// the snapshot's `bound`, at most `limit`. One aggregated row crosses from the database
    /// instead of one per message (the covering index `messages_maildrop` answers it).
    pub async fn maildrop_page(
        &self,
        account_id: i64,
        after: i64,
        bound: i64,
        limit: u64,
    ) -> Result<Vec<MaildropEntry>> {
        let sql = match self.engine() {
            super::Engine::Sqlite => {
                "SELECT group_concat(id || ' ' || size || ' ' || uidl, ' ' ORDER BY id) AS s \
                 FROM (SELECT id, size, uidl FROM messages \
                 WHERE account_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?)"
            }
            super::Engine::Postgres => {
                "SELECT string_agg(id || ' ' || size || ' ' || uidl, ' ' ORDER BY id) AS s \
                 FROM (SELECT id, size, uidl FROM messages \
                 WHERE account_id = $1 AND id > $2 AND id <= $3 ORDER BY id LIMIT $4) AS page"
            }
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let stmt = Statement::from_sql_and_values(
            self.db().get_database_backend(),
            sql,
            [account_id.into(), after.into(), bound.into(), limit.into()],
        );
        let row = self.db().query_one_raw(stmt).await?;
        let text: Option<String> = match row {
            Some(r) => r.try_get("", "s")?,
            None => None,
        };
        parse_snapshot(text.as_deref().unwrap_or(""))
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
            .exec(self.fast())
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Gives the lease back without deleting anything (the session ended without QUIT).
    pub async fn release_maildrop(&self, account_id: i64, holder: &str) -> Result<()> {
        maildrop_lock::Entity::delete_many()
            .filter(maildrop_lock::Column::AccountId.eq(account_id))
            .filter(maildrop_lock::Column::Holder.eq(holder))
            .exec(self.fast())
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

/// Puts one message in its mailbox. Every message enters through here (delivery, notices,
/// imports, restores): on PostgreSQL the account row is locked *before* the message's id is
/// drawn (`INSERT … SELECT … FROM accounts … FOR UPDATE`: the lock is taken as the row is
/// read, the id default is drawn after), so a mailbox's ids follow its commits and the POP3
/// snapshot's bound is exact (see the module's comment). On SQLite a plain INSERT: writers
/// take turns. The `used_bytes` and `message_count` trigger follows either way.
pub(crate) async fn keep_message(
    c: &impl ConnectionTrait,
    row: message::ActiveModel,
) -> Result<()> {
    let (statement, account_id) = keep_statement(c.get_database_backend(), row)?;
    let done = c.execute_raw(statement).await?;
    kept(done.rows_affected(), account_id)
}

/// [`keep_message`]'s statement for `backend`, and the mailbox it writes to.
pub(crate) fn keep_statement(
    backend: sea_orm::DbBackend,
    row: message::ActiveModel,
) -> Result<(Statement, i64)> {
    use sea_orm::sea_query::{LockType, Query};
    use sea_orm::{ActiveModelTrait, ActiveValue, Iterable, QueryTrait};
    let Some(account_id) = row.account_id.try_as_ref().copied() else {
        return Err(StoreError::Db("a message without its mailbox".into()));
    };
    if backend != sea_orm::DbBackend::Postgres {
        return Ok((message::Entity::insert(row).build(backend), account_id));
    }
    let (mut columns, mut values) = (Vec::new(), Vec::new());
    for column in message::Column::iter() {
        if let ActiveValue::Set(v) = row.get(column) {
            columns.push(column);
            values.push(Expr::val(v));
        }
    }
    let locked = Query::select()
        .exprs(values)
        .from(account::Entity)
        .and_where(Expr::col((account::Entity, account::Column::Id)).eq(account_id))
        .lock(LockType::Update)
        .to_owned();
    let insert = Query::insert()
        .into_table(message::Entity)
        .columns(columns)
        .select_from(locked)
        .map_err(|e| StoreError::Db(e.to_string()))?
        .to_owned();
    Ok((backend.build(&insert), account_id))
}

/// Whether the message went in: on PostgreSQL no row means the mailbox is gone.
pub(crate) fn kept(rows: u64, account_id: i64) -> Result<()> {
    if rows != 1 {
        return Err(StoreError::AccountNotFound(account_id.to_string()));
    }
    Ok(())
}

/// `id size uidl id size uidl …` back into entries.
fn parse_snapshot(text: &str) -> Result<Vec<MaildropEntry>> {
    let mut words = text.split_ascii_whitespace();
    let mut out = Vec::new();
    while let Some(id) = words.next() {
        let bad = || StoreError::Db(format!("bad maildrop snapshot near {id:?}"));
        let (Some(size), Some(uidl)) = (words.next(), words.next()) else {
            return Err(bad());
        };
        out.push(MaildropEntry {
            id: id.parse().map_err(|_| bad())?,
            uidl: uidl.to_string(),
            size: size.parse().map_err(|_| bad())?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_text_round_trip() {
        assert!(parse_snapshot("").unwrap().is_empty());
        let e = parse_snapshot("3 120 ab12 7 4096 ff00").unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!((e[1].id, e[1].size, e[1].uidl.as_str()), (7, 4096, "ff00"));
        assert!(parse_snapshot("3 120").is_err());
        assert!(parse_snapshot("x 1 u").is_err());
    }
}
