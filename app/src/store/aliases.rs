//! Aliases: the other addresses under which a user receives mail (DESIGN §2 rule 4).

use super::accounts::{find_account, insert_alias};
use super::entities::{account, alias, domain};
use super::{Actor, Result, Store, StoreError, audit};
use crate::domain::LocalPart;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AliasEntry {
    pub address: String,
    pub login: String,
}

impl Store {
    /// Gives `login` the alias `local` in the login's own domain.
    pub async fn add_alias(&self, actor: &Actor, login: &str, local: &str) -> Result<String> {
        let local = LocalPart::parse(local)?;
        let txn = self.write_txn().await?;
        let a = find_account(&txn, login).await?;
        let Some(domain_id) = a.domain_id else {
            return Err(crate::domain::profile::ProfileProblem::NoMailbox(a.login).into());
        };
        let d = domain::Entity::find_by_id(domain_id)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::DomainNotFound(domain_id.to_string()))?;
        insert_alias(&txn, &d, &a, &local).await?;
        let address = format!("{local}@{}", d.name);
        audit::record(
            &txn,
            actor,
            Some(d.id),
            "alias.add",
            &address,
            &crate::domain::change::Change::AliasOf {
                login: a.login.clone(),
            }
            .to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(address)
    }

    /// Removes the alias `local` from `login`.
    pub async fn delete_alias(&self, actor: &Actor, login: &str, local: &str) -> Result<String> {
        let local = LocalPart::parse(local)?;
        let txn = self.write_txn().await?;
        let a = find_account(&txn, login).await?;
        let found = alias::Entity::find()
            .filter(alias::Column::AccountId.eq(a.id))
            .filter(alias::Column::LocalPart.eq(local.as_str()))
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::AliasNotFound(format!("{local} ({})", a.login)))?;
        alias::Entity::delete_by_id(found.id).exec(&txn).await?;
        let d = domain::Entity::find_by_id(found.domain_id)
            .one(&txn)
            .await?;
        let address = format!("{local}@{}", d.map(|d| d.name).unwrap_or_default());
        audit::record(
            &txn,
            actor,
            Some(found.domain_id),
            "alias.delete",
            &address,
            &crate::domain::change::Change::AliasTakenFrom {
                login: a.login.clone(),
            }
            .to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(address)
    }

    /// Every alias of a domain with the login it reaches, by address.
    pub async fn list_aliases(&self, domain_name: &str) -> Result<Vec<AliasEntry>> {
        let d = self.domain(domain_name).await?;
        let aliases = alias::Entity::find()
            .filter(alias::Column::DomainId.eq(d.id))
            .order_by_asc(alias::Column::LocalPart)
            .all(self.db())
            .await?;
        let accounts = account::Entity::find()
            .filter(account::Column::DomainId.eq(d.id))
            .all(self.db())
            .await?;
        Ok(aliases
            .into_iter()
            .map(|x| AliasEntry {
                address: format!("{}@{}", x.local_part, d.name),
                login: accounts
                    .iter()
                    .find(|a| a.id == x.account_id)
                    .map(|a| a.login.clone())
                    .unwrap_or_default(),
            })
            .collect())
    }
}
