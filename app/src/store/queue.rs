//! The outbound queue: forwards, auto-replies, relayed mail and bounces wait here until a
//! worker delivers them. Claims are safe with several workers and several processes: on
//! PostgreSQL the due rows are locked with `FOR UPDATE SKIP LOCKED`, on SQLite the claim runs
//! in a `BEGIN IMMEDIATE` transaction (one writer at a time). A claim expires, so a message
//! whose worker died is taken again: delivery is at least once, and the Message-ID stays the
//! same across attempts so a duplicate is recognisable.

use super::entities::outbound;
use super::{Result, Store, StoreError, now};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sea_orm::{ConnectionTrait, Set};
use std::time::Duration;

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The next hop took it (its answer).
    Sent(String),
    /// A temporary failure: try again at this time.
    Retry { answer: String, at: i64 },
    /// A permanent failure (or too old): no more attempts.
    Failed(String),
}

impl Store {
    /// How many messages wait in the queue (to send, or being sent), and when the oldest of
    /// them came.
    pub async fn queue_depth(&self) -> Result<(u64, Option<i64>)> {
        let (count, oldest): (i64, Option<i64>) = outbound::Entity::find()
            .select_only()
            .column_as(Expr::col(outbound::Column::Id).count(), "count")
            .column_as(Expr::col(outbound::Column::CreatedAt).min(), "oldest")
            .filter(outbound::Column::Status.is_in([QUEUED, SENDING]))
            .into_tuple()
            .one(self.db())
            .await?
            .unwrap_or((0, None));
        Ok((u64::try_from(count).unwrap_or(0), oldest))
    }

    /// Claims up to `limit` messages that are due, for `worker`, for `lease`.
    pub async fn claim_outbound(
        &self,
        worker: &str,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<outbound::Model>> {
        let t = now();
        let txn = self.write_txn().await?;
        let mut due = outbound::Entity::find()
            .select_only()
            .column(outbound::Column::Id)
            .filter(outbound::Column::Status.is_in([QUEUED, SENDING]))
            .filter(outbound::Column::NextAttemptAt.lte(t))
            .filter(
                Condition::any()
                    .add(outbound::Column::ClaimedUntil.is_null())
                    .add(outbound::Column::ClaimedUntil.lt(t)),
            )
            .order_by_asc(outbound::Column::NextAttemptAt)
            .order_by_asc(outbound::Column::Id)
            .limit(limit);
        if self.engine() == super::Engine::Postgres {
            due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let ids: Vec<i64> = due.into_tuple().all(&txn).await?;
        if ids.is_empty() {
            txn.rollback().await?;
            return Ok(Vec::new());
        }
        outbound::Entity::update_many()
            .col_expr(outbound::Column::Status, Expr::value(SENDING))
            .col_expr(outbound::Column::ClaimedBy, Expr::value(worker))
            .col_expr(
                outbound::Column::ClaimedUntil,
                Expr::value(t + Ord::max(lease.as_secs(), 1) as i64),
            )
            .col_expr(
                outbound::Column::Attempts,
                Expr::col(outbound::Column::Attempts).add(1),
            )
            .col_expr(outbound::Column::UpdatedAt, Expr::value(t))
            .filter(outbound::Column::Id.is_in(ids.iter().copied()))
            .exec(&txn)
            .await?;
        let claimed = outbound::Entity::find()
            .filter(outbound::Column::Id.is_in(ids))
            .order_by_asc(outbound::Column::Id)
            .all(&txn)
            .await?;
        txn.commit().await?;
        Ok(claimed)
    }

    /// Records the outcome of `worker`'s attempt. False when the claim was no longer its own
    /// (it expired and another worker took the message): nothing is changed then.
    pub async fn finish_outbound(&self, id: i64, worker: &str, outcome: &Outcome) -> Result<bool> {
        record(self.db(), id, worker, outcome).await
    }

    /// Extends `worker`'s claims on `ids` (deliveries still in progress) to `lease` from now,
    /// so a claim can be short — a dead worker's messages are taken again soon — without a
    /// slow delivery losing its claim to another worker. Returns how many were extended.
    pub async fn renew_outbound_claims(
        &self,
        worker: &str,
        ids: &[i64],
        lease: Duration,
    ) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let r = outbound::Entity::update_many()
            .col_expr(
                outbound::Column::ClaimedUntil,
                Expr::value(now() + Ord::max(lease.as_secs(), 1) as i64),
            )
            .filter(outbound::Column::Id.is_in(ids.iter().copied()))
            .filter(outbound::Column::ClaimedBy.eq(worker))
            .filter(outbound::Column::Status.eq(SENDING))
            .exec(self.db())
            .await?;
        Ok(r.rows_affected)
    }

    /// Gives a claimed message back untried (the worker had no room for it): due again at
    /// `at`, and the claim's attempt is not counted.
    pub async fn unclaim_outbound(&self, id: i64, worker: &str, at: i64) -> Result<bool> {
        let r = outbound::Entity::update_many()
            .col_expr(outbound::Column::Status, Expr::value(QUEUED))
            .col_expr(outbound::Column::NextAttemptAt, Expr::value(at))
            .col_expr(
                outbound::Column::Attempts,
                Expr::col(outbound::Column::Attempts).sub(1),
            )
            .col_expr(outbound::Column::ClaimedBy, Expr::value(None::<String>))
            .col_expr(outbound::Column::ClaimedUntil, Expr::value(None::<i64>))
            .filter(outbound::Column::Id.eq(id))
            .filter(outbound::Column::ClaimedBy.eq(worker))
            .exec(self.db())
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Records a failure and queues its bounce (from `<>` to `bounce.to`) in one transaction.
    pub async fn fail_outbound_with_bounce(
        &self,
        id: i64,
        worker: &str,
        answer: &str,
        bounce: Bounce,
    ) -> Result<bool> {
        let txn = self.write_txn().await?;
        if !record(&txn, id, worker, &Outcome::Failed(answer.to_string())).await? {
            txn.rollback().await?;
            return Ok(false);
        }
        enqueue(
            &txn,
            "bounce",
            None,
            "",
            &bounce.to,
            &bounce.message_id,
            bounce.raw,
            now(),
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// The queue for the server admin, newest first (without the message bytes).
    pub async fn queue_list(&self, limit: u64) -> Result<Vec<outbound::Model>> {
        let rows = outbound::Entity::find()
            .order_by_desc(outbound::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|mut m| {
                m.raw = Vec::new();
                m
            })
            .collect())
    }

    /// "Retry now": a waiting or failed message becomes due at once.
    pub async fn queue_retry_now(&self, id: i64) -> Result<()> {
        let r = outbound::Entity::update_many()
            .col_expr(outbound::Column::Status, Expr::value(QUEUED))
            .col_expr(outbound::Column::NextAttemptAt, Expr::value(now()))
            .col_expr(outbound::Column::UpdatedAt, Expr::value(now()))
            .filter(outbound::Column::Id.eq(id))
            .filter(outbound::Column::Status.is_in([QUEUED, FAILED]))
            .exec(self.db())
            .await?;
        one_entry(r.rows_affected, id)
    }

    /// Removes a message from the queue (not one being sent right now).
    pub async fn queue_delete(&self, id: i64) -> Result<()> {
        let r = outbound::Entity::delete_many()
            .filter(outbound::Column::Id.eq(id))
            .filter(outbound::Column::Status.ne(SENDING))
            .exec(self.db())
            .await?;
        one_entry(r.rows_affected, id)
    }
}

/// An admin action on one entry: it touched that entry, or there was none to touch.
fn one_entry(rows: u64, id: i64) -> Result<()> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::QueueEntryNotFound(id))
    }
}

/// A bounce to queue with a failure.
pub struct Bounce {
    pub to: String,
    pub message_id: String,
    pub raw: Vec<u8>,
}

async fn record(
    c: &impl ConnectionTrait,
    id: i64,
    worker: &str,
    outcome: &Outcome,
) -> Result<bool> {
    let (status, answer, next) = match outcome {
        Outcome::Sent(a) => (SENT, a, None),
        Outcome::Retry { answer, at } => (QUEUED, answer, Some(*at)),
        Outcome::Failed(a) => (FAILED, a, None),
    };
    let mut update = outbound::Entity::update_many()
        .col_expr(outbound::Column::Status, Expr::value(status))
        .col_expr(outbound::Column::LastAnswer, Expr::value(answer.as_str()))
        .col_expr(outbound::Column::ClaimedBy, Expr::value(None::<String>))
        .col_expr(outbound::Column::ClaimedUntil, Expr::value(None::<i64>))
        .col_expr(outbound::Column::UpdatedAt, Expr::value(now()))
        .filter(outbound::Column::Id.eq(id))
        .filter(outbound::Column::ClaimedBy.eq(worker));
    if let Some(at) = next {
        update = update.col_expr(outbound::Column::NextAttemptAt, Expr::value(at));
    }
    let r = update.exec(c).await?;
    Ok(r.rows_affected == 1)
}

/// Puts one message for one recipient in the queue, due now.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn enqueue(
    c: &impl ConnectionTrait,
    kind: &str,
    account_id: Option<i64>,
    mail_from: &str,
    rcpt_to: &str,
    message_id: &str,
    raw: Vec<u8>,
    t: i64,
) -> Result<()> {
    outbound::Entity::insert(outbound::ActiveModel {
        kind: Set(kind.to_string()),
        account_id: Set(account_id),
        mail_from: Set(mail_from.to_string()),
        rcpt_to: Set(rcpt_to.to_string()),
        message_id: Set(message_id.to_string()),
        raw: Set(raw),
        status: Set(QUEUED.into()),
        attempts: Set(0),
        next_attempt_at: Set(t),
        last_answer: Set(String::new()),
        claimed_by: Set(None),
        claimed_until: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    })
    .exec(c)
    .await?;
    crate::metrics::inc(crate::metrics::QUEUED, &[("kind", kind)]);
    Ok(())
}
