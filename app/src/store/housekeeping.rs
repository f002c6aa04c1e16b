//! What is kept only for a while: who the responder answered (30 days, DESIGN §2.7) and the
//! history of the outbound queue (sent messages a week, failed ones 30 days, for the admin),
//! the filter log (30 days).

use super::entities::{backup, backup_chunk, filter_log, outbound, relay_use, responder_log};
use super::queue::{FAILED, SENT};
use super::{Result, Store};
use crate::domain::responder::LOG_DAYS;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const DAY: i64 = 86_400;
/// Days a delivered message stays in the queue's history.
pub const SENT_KEPT_DAYS: i64 = 7;
/// Days a failed message (bounced) stays, for the admin to look at.
pub const FAILED_KEPT_DAYS: i64 = 30;

/// What one round of housekeeping removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub responder_log: u64,
    pub queue: u64,
    /// Backups left incomplete by a process that stopped while writing them.
    pub backups: u64,
}

impl Store {
    /// Removes what is past its keeping time, as of `now`.
    pub async fn purge_history(&self, now: i64) -> Result<Purged> {
        let responder = responder_log::Entity::delete_many()
            .filter(responder_log::Column::RepliedAt.lt(now - i64::from(LOG_DAYS) * DAY))
            .exec(self.db())
            .await?;
        let mut queue = 0;
        for (status, days) in [(SENT, SENT_KEPT_DAYS), (FAILED, FAILED_KEPT_DAYS)] {
            queue += outbound::Entity::delete_many()
                .filter(outbound::Column::Status.eq(status))
                .filter(outbound::Column::UpdatedAt.lt(now - days * DAY))
                .exec(self.db())
                .await?
                .rows_affected;
        }
        // Refused and marked mail is shown for a month (issue 14).
        filter_log::Entity::delete_many()
            .filter(filter_log::Column::At.lt(now - super::filter::LOG_KEPT_DAYS * DAY))
            .exec(self.db())
            .await?;
        // Sign-ins are shown for 90 days (issue 16).
        self.purge_sign_ins(now).await?;
        self.purge_reset_tokens(now).await?;
        // Uses of relay grants count for an hour.
        relay_use::Entity::delete_many()
            .filter(relay_use::Column::At.lt(now - 3600))
            .exec(self.db())
            .await?;
        // Incomplete rows a stopped writer left, and uploads pending for more than a day.
        let stale: Vec<i64> = backup::Entity::find()
            .filter(
                backup::Column::Origin.is_in([super::backups::INCOMPLETE, super::backups::PENDING]),
            )
            .filter(backup::Column::CreatedAt.lt(now - DAY))
            .all(self.db())
            .await?
            .into_iter()
            .map(|b| b.id)
            .collect();
        for id in &stale {
            self.drop_backup_file(*id).await?;
        }
        // Chunks whose backup is gone (a row removed while its chunks were being written).
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        backup_chunk::Entity::delete_many()
            .filter(
                Expr::col(backup_chunk::Column::BackupId).not_in_subquery(
                    Query::select()
                        .column(backup::Column::Id)
                        .from(backup::Entity)
                        .to_owned(),
                ),
            )
            .exec(self.db())
            .await?;
        Ok(Purged {
            responder_log: responder.rows_affected,
            queue,
            backups: stale.len() as u64,
        })
    }
}
