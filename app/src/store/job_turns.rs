//! Turns of the jobs that must run once across every process on this database (issue 18):
//! housekeeping, certificate renewal, the DKIM keys of new domains. A turn is a row of
//! `job_turns` taken in one atomic statement — inserted, or taken over once its time has run
//! out — so two processes never both hold it, and a process that dies hands its jobs on when
//! their turns end.

use super::entities::job_turn;
use super::{Result, Store};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{EntityTrait, QueryOrder, Set};

impl Store {
    /// Takes `job`'s turn for `holder` for `ms` milliseconds, if nobody holds it now. True
    /// when the job is `holder`'s to run.
    pub async fn take_turn(&self, job: &str, holder: &str, ms: i64) -> Result<bool> {
        let t = now_ms();
        let turn = job_turn::ActiveModel {
            job: Set(job.to_string()),
            holder: Set(holder.to_string()),
            taken_at_ms: Set(t),
            until_ms: Set(t + Ord::max(ms, 1)),
        };
        let taken = job_turn::Entity::insert(turn)
            .on_conflict(
                OnConflict::column(job_turn::Column::Job)
                    .update_columns([
                        job_turn::Column::Holder,
                        job_turn::Column::TakenAtMs,
                        job_turn::Column::UntilMs,
                    ])
                    .action_and_where(
                        Expr::col((job_turn::Entity, job_turn::Column::UntilMs)).lte(t),
                    )
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(taken == 1)
    }

    /// Ends `holder`'s turn at `job` now (a job done at start hands the turn back at once).
    pub async fn end_turn(&self, job: &str, holder: &str) -> Result<()> {
        use sea_orm::{ColumnTrait, QueryFilter};
        job_turn::Entity::update_many()
            .col_expr(job_turn::Column::UntilMs, Expr::value(now_ms()))
            .filter(job_turn::Column::Job.eq(job))
            .filter(job_turn::Column::Holder.eq(holder))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Ends every turn `holder` holds (a process that stops hands its jobs on at once).
    pub async fn end_turns_of(&self, holder: &str) -> Result<()> {
        use sea_orm::{ColumnTrait, QueryFilter};
        job_turn::Entity::update_many()
            .col_expr(job_turn::Column::UntilMs, Expr::value(now_ms()))
            .filter(job_turn::Column::Holder.eq(holder))
            .filter(job_turn::Column::UntilMs.gt(now_ms()))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Every job's last turn: who took it, when, until when.
    pub async fn job_turns(&self) -> Result<Vec<job_turn::Model>> {
        Ok(job_turn::Entity::find()
            .order_by_asc(job_turn::Column::Job)
            .all(self.db())
            .await?)
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
