//! The MTA-STS policies of the domains mail goes to, kept for their `max_age` (RFC 8461 §5.1),
//! shared by every process on the database and kept across restarts.

use super::entities::mta_sts_policy;
use super::{Result, Store};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, EntityTrait};

impl Store {
    /// The policy kept for `domain`, if one has not expired at `now`.
    pub async fn mta_sts_policy(
        &self,
        domain: &str,
        now: i64,
    ) -> Result<Option<mta_sts_policy::Model>> {
        Ok(mta_sts_policy::Entity::find_by_id(domain.to_string())
            .one(self.db())
            .await?
            .filter(|p| p.expires_at > now))
    }

    /// Keeps a policy just fetched, in place of the one before.
    pub async fn keep_mta_sts_policy(&self, p: mta_sts_policy::Model) -> Result<()> {
        mta_sts_policy::Entity::insert(mta_sts_policy::ActiveModel {
            domain: Set(p.domain),
            policy_id: Set(p.policy_id),
            policy: Set(p.policy),
            fetched_at: Set(p.fetched_at),
            expires_at: Set(p.expires_at),
        })
        .on_conflict(
            OnConflict::column(mta_sts_policy::Column::Domain)
                .update_columns([
                    mta_sts_policy::Column::PolicyId,
                    mta_sts_policy::Column::Policy,
                    mta_sts_policy::Column::FetchedAt,
                    mta_sts_policy::Column::ExpiresAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(self.db())
        .await?;
        Ok(())
    }
}
