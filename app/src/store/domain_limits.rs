//! The limits a host sets per domain (issue 17): kept on the domain's row, what the domain
//! uses counted in the transaction that would pass them. The rules are `domain::limits`.

use super::entities::{account, alias, domain};
use super::{Actor, Result, Store, audit};
use crate::domain::change::Change;
use crate::domain::limits::{Limits, Usage};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set,
};

/// The limits set on `d`.
pub fn limits_of(d: &domain::Model) -> Limits {
    Limits {
        max_mailboxes: d.max_mailboxes,
        max_aliases: d.max_aliases,
        max_storage: d.max_storage_bytes,
        default_quota: d.default_quota_bytes,
        max_quota: d.max_quota_bytes,
    }
}

/// What the domain `domain_id` uses now, in the caller's transaction. On PostgreSQL the
/// domain's row is held until the transaction ends, so that two additions cannot both pass
/// the same count; SQLite's write transaction is already exclusive.
pub(crate) async fn usage_of(c: &impl ConnectionTrait, domain_id: i64) -> Result<Usage> {
    if c.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        domain::Entity::find_by_id(domain_id)
            .lock_exclusive()
            .one(c)
            .await?;
    }
    let rows: Vec<(Option<i64>, i64)> = account::Entity::find()
        .select_only()
        .column(account::Column::QuotaBytes)
        .column(account::Column::UsedBytes)
        .filter(account::Column::DomainId.eq(domain_id))
        .into_tuple()
        .all(c)
        .await?;
    let aliases = alias::Entity::find()
        .filter(alias::Column::DomainId.eq(domain_id))
        .count(c)
        .await?;
    Ok(Usage {
        mailboxes: rows.len() as i64,
        aliases: aliases as i64,
        quotas: rows.iter().filter_map(|(q, _)| *q).sum(),
        unlimited: rows.iter().filter(|(q, _)| q.is_none()).count() as i64,
        stored: rows.iter().map(|(_, u)| *u).sum(),
    })
}

impl Store {
    /// The limits of the domain named `name` and what it uses now.
    pub async fn domain_limits(&self, name: &str) -> Result<(Limits, Usage)> {
        let d = super::domains::find_domain(self.db(), name).await?;
        self.limits_and_usage(&d).await
    }

    /// The limits of `d` (already read) and what it uses now.
    pub async fn limits_and_usage(&self, d: &domain::Model) -> Result<(Limits, Usage)> {
        Ok((limits_of(d), usage_of(self.db(), d.id).await?))
    }

    /// Sets a domain's limits (the server admin). Limits lower than what the domain uses are
    /// kept (nothing is taken away; only new additions are refused). Audited; whether
    /// anything changed.
    pub async fn set_domain_limits(
        &self,
        actor: &Actor,
        name: &str,
        limits: &Limits,
    ) -> Result<bool> {
        if let Some(p) = limits.problems().into_iter().next() {
            return Err(p.into());
        }
        let txn = self.write_txn().await?;
        let d = super::domains::find_domain(&txn, name).await?;
        if limits_of(&d) == *limits {
            return Ok(false);
        }
        let (id, n) = (d.id, d.name.clone());
        let mut m: domain::ActiveModel = d.into();
        m.max_mailboxes = Set(limits.max_mailboxes);
        m.max_aliases = Set(limits.max_aliases);
        m.max_storage_bytes = Set(limits.max_storage);
        m.default_quota_bytes = Set(limits.default_quota);
        m.max_quota_bytes = Set(limits.max_quota);
        m.update(&txn).await?;
        let change = Change::Limits { limits: *limits };
        audit::record(
            &txn,
            actor,
            Some(id),
            "domain.limits",
            &n,
            &change.to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }
}
