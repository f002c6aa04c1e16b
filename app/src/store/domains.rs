//! Hosted domains ("virtual sites"), each created with its first webmaster.

use super::accounts::{NewAccount, NewAccountSpec, insert_account};
use super::entities::{account, domain};
use super::{Actor, Result, Store, StoreError, audit, now};
use crate::domain::{DomainName, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DomainSummary {
    pub name: String,
    pub accounts: u64,
    pub used_bytes: i64,
    pub webmasters: Vec<String>,
    /// Its other names (domain aliases), sorted.
    pub aliases: Vec<String>,
    /// The limits the host set on it.
    pub limits: crate::domain::limits::Limits,
    pub created_at: i64,
    /// How users of the domain are shown their settings: "cobalt" or "antivirus".
    pub style: String,
}

/// The two server generations of the seed (DESIGN §2 rule 1).
pub const STYLES: [&str; 2] = ["cobalt", "antivirus"];

pub(crate) async fn find_domain(c: &impl ConnectionTrait, name: &str) -> Result<domain::Model> {
    let canonical = DomainName::parse(name)?;
    domain::Entity::find()
        .filter(domain::Column::Name.eq(canonical.as_str()))
        .one(c)
        .await?
        .ok_or_else(|| StoreError::DomainNotFound(canonical.to_string()))
}

impl Store {
    /// Sets the mailbox that receives mail for unknown names of `domain_name` (None: off).
    /// It must be a mailbox of that domain. Audited; whether anything changed.
    pub async fn set_catch_all(
        &self,
        actor: &Actor,
        domain_name: &str,
        login: Option<&str>,
    ) -> Result<bool> {
        let canonical = DomainName::parse(domain_name)?;
        let txn = self.write_txn().await?;
        let d = domain::Entity::find()
            .filter(domain::Column::Name.eq(canonical.as_str()))
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::DomainNotFound(canonical.to_string()))?;
        let target = match login {
            Some(l) => {
                let a = super::accounts::find_account(&txn, l).await?;
                if a.domain_id != Some(d.id) {
                    return Err(StoreError::NotInDomain {
                        login: a.login,
                        domain: d.name,
                    });
                }
                Some(a)
            }
            None => None,
        };
        let id = target.as_ref().map(|a| a.id);
        if d.catch_all_account_id == id {
            return Ok(false);
        }
        let (domain_id, name) = (d.id, d.name.clone());
        let mut m: domain::ActiveModel = d.into();
        m.catch_all_account_id = Set(id);
        m.update(&txn).await?;
        let detail = target.map(|a| a.login).unwrap_or_default();
        audit::record(
            &txn,
            actor,
            Some(domain_id),
            "domain.catch_all",
            &name,
            &detail,
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Adds a domain, and its webmaster when names are given (their login and one-time
    /// password are returned). All or nothing.
    pub async fn add_domain(
        &self,
        actor: &Actor,
        name: &str,
        webmaster: Option<(&str, &str)>,
    ) -> Result<(domain::Model, Option<NewAccount>)> {
        let canonical = DomainName::parse(name)?;
        // Generate and hash the webmaster's password before taking any database lock.
        let prepared = match webmaster {
            Some((first, last)) => {
                Some(NewAccountSpec::prepare(first, last, Role::Webmaster).await?)
            }
            None => None,
        };
        let txn = self.write_txn().await?;
        super::domain_aliases::ensure_name_free(&txn, canonical.as_str()).await?;
        let d = domain::ActiveModel {
            name: Set(canonical.to_string()),
            style: Set("cobalt".into()),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            if super::is_unique_violation(&e) {
                StoreError::DomainExists(canonical.to_string())
            } else {
                e.into()
            }
        })?;
        audit::record(&txn, actor, Some(d.id), "domain.add", d.name.as_str(), "").await?;
        let created = match prepared {
            Some(spec) => Some(insert_account(&txn, actor, Some(&d), spec, &[], None).await?),
            None => None,
        };
        txn.commit().await?;
        Ok((d, created))
    }

    pub async fn list_domains(&self) -> Result<Vec<DomainSummary>> {
        let domains = domain::Entity::find()
            .order_by_asc(domain::Column::Name)
            .all(self.db())
            .await?;
        let mut out = Vec::with_capacity(domains.len());
        for d in domains {
            let accounts = account::Entity::find()
                .filter(account::Column::DomainId.eq(d.id))
                .order_by_asc(account::Column::Id)
                .all(self.db())
                .await?;
            let aliases = self.domain_aliases(d.id).await?;
            out.push(DomainSummary {
                aliases,
                limits: super::domain_limits::limits_of(&d),
                accounts: accounts.len() as u64,
                used_bytes: accounts.iter().map(|a| a.used_bytes).sum(),
                webmasters: accounts
                    .iter()
                    .filter(|a| a.role == Role::Webmaster.as_str())
                    .map(|a| a.login.clone())
                    .collect(),
                name: d.name,
                created_at: d.created_at,
                style: d.style,
            });
        }
        Ok(out)
    }

    /// Sets how the domain's users are shown their connection settings: the "cobalt" style
    /// (server `domain`, login `pmartin`) or the "antivirus" one (`mail.domain`, the address).
    pub async fn set_domain_style(&self, actor: &Actor, name: &str, style: &str) -> Result<()> {
        if !STYLES.contains(&style) {
            return Err(StoreError::UnknownStyle(style.to_string()));
        }
        let txn = self.write_txn().await?;
        let d = find_domain(&txn, name).await?;
        if d.style == style {
            return Ok(());
        }
        let (id, n) = (d.id, d.name.clone());
        let mut m: domain::ActiveModel = d.into();
        m.style = Set(style.to_string());
        m.update(&txn).await?;
        let change = crate::domain::change::Change::Style {
            style: style.to_string(),
        };
        audit::record(
            &txn,
            actor,
            Some(id),
            "domain.style",
            &n,
            &change.to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn domain(&self, name: &str) -> Result<domain::Model> {
        find_domain(self.db(), name).await
    }

    /// Deletes a domain with its accounts, aliases and mail. Refused while it has accounts,
    /// unless `everything` confirms it.
    pub async fn delete_domain(&self, actor: &Actor, name: &str, everything: bool) -> Result<()> {
        let txn = self.write_txn().await?;
        let d = find_domain(&txn, name).await?;
        let count = account::Entity::find()
            .filter(account::Column::DomainId.eq(d.id))
            .count(&txn)
            .await?;
        if count > 0 && !everything {
            return Err(StoreError::DomainHasMailboxes {
                domain: d.name,
                count,
            });
        }
        domain::Entity::delete_by_id(d.id).exec(&txn).await?;
        // Its signing keys go with it (their records are the webmaster's to remove).
        super::entities::dkim_key::Entity::delete_many()
            .filter(super::entities::dkim_key::Column::DomainId.eq(d.id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            actor,
            Some(d.id),
            "domain.delete",
            &d.name,
            &crate::domain::change::Change::DomainDeleted { accounts: count }.to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
