//! Domain aliases (issue 17): `ancien-nom.fr` as another name of `votredomaine.com`, so that
//! every address of the one reaches the same mailbox of the other. Added by the server admin
//! (it is a new name served by this host); a name is either a hosted domain or an alias of
//! one, never both. Delivery looks names up through `delivery::hosted_domain`, which answers
//! an alias with the domain it names.

use super::domains::find_domain;
use super::entities::{domain, domain_alias};
use super::{Actor, Result, Store, StoreError, audit, now};
use crate::domain::DomainName;
use crate::domain::change::Change;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// The alias named `name` (canonical), if there is one.
pub(crate) async fn find_alias(
    c: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<domain_alias::Model>> {
    Ok(domain_alias::Entity::find()
        .filter(domain_alias::Column::Name.eq(name))
        .one(c)
        .await?)
}

/// Refuses `name` for a new domain or domain alias when it is already one or the other.
pub(crate) async fn ensure_name_free(c: &impl ConnectionTrait, name: &str) -> Result<()> {
    if domain::Entity::find()
        .filter(domain::Column::Name.eq(name))
        .one(c)
        .await?
        .is_some()
    {
        return Err(StoreError::DomainExists(name.to_string()));
    }
    if let Some(a) = find_alias(c, name).await? {
        let target = domain::Entity::find_by_id(a.domain_id).one(c).await?;
        return Err(StoreError::IsDomainAlias {
            alias: a.name,
            domain: target.map(|d| d.name).unwrap_or_default(),
        });
    }
    Ok(())
}

impl Store {
    /// Makes `alias` another name of the hosted domain `target`. Audited (on the target's
    /// log). Returns the alias's canonical name.
    pub async fn add_domain_alias(
        &self,
        actor: &Actor,
        alias: &str,
        target: &str,
    ) -> Result<String> {
        let name = DomainName::parse(alias)?;
        let txn = self.write_txn().await?;
        let d = find_domain(&txn, target).await?;
        ensure_name_free(&txn, name.as_str()).await?;
        domain_alias::ActiveModel {
            name: Set(name.to_string()),
            domain_id: Set(d.id),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            if super::is_unique_violation(&e) {
                StoreError::DomainExists(name.to_string())
            } else {
                e.into()
            }
        })?;
        let change = Change::DomainAliasOf {
            domain: d.name.clone(),
        };
        audit::record(
            &txn,
            actor,
            Some(d.id),
            "domain.alias_add",
            name.as_str(),
            &change.to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(name.to_string())
    }

    /// Takes the name `alias` back: mail to it is refused again. Audited.
    pub async fn delete_domain_alias(&self, actor: &Actor, alias: &str) -> Result<()> {
        let name = DomainName::parse(alias)?;
        let txn = self.write_txn().await?;
        let a = find_alias(&txn, name.as_str())
            .await?
            .ok_or_else(|| StoreError::DomainNotFound(name.to_string()))?;
        let target = domain::Entity::find_by_id(a.domain_id)
            .one(&txn)
            .await?
            .map(|d| d.name)
            .unwrap_or_default();
        domain_alias::Entity::delete_by_id(a.id).exec(&txn).await?;
        let change = Change::DomainAliasOf { domain: target };
        audit::record(
            &txn,
            actor,
            Some(a.domain_id),
            "domain.alias_delete",
            &a.name,
            &change.to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The other names of the domain `domain_id`, sorted.
    pub async fn domain_aliases(&self, domain_id: i64) -> Result<Vec<String>> {
        Ok(domain_alias::Entity::find()
            .filter(domain_alias::Column::DomainId.eq(domain_id))
            .order_by_asc(domain_alias::Column::Name)
            .all(self.db())
            .await?
            .into_iter()
            .map(|a| a.name)
            .collect())
    }

    /// The alias named `name` and the domain it names, if `name` is a domain alias.
    pub async fn domain_alias(&self, name: &str) -> Result<Option<(String, domain::Model)>> {
        let Some(a) = find_alias(self.db(), &name.to_ascii_lowercase()).await? else {
            return Ok(None);
        };
        Ok(domain::Entity::find_by_id(a.domain_id)
            .one(self.db())
            .await?
            .map(|d| (a.name, d)))
    }
}
