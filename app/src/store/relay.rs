//! Relay grants: the host opens SMTP relay for a customer's fixed IP address (the seed: "nous
//! pourrons néanmoins ouvrir un serveur SMTP pour ce numéro"). Audited, optionally expiring.

use super::domains::find_domain;
use super::entities::{domain, relay_grant};
use super::{Actor, Result, Store, StoreError, audit, now};
pub use crate::domain::grant::{DEFAULT_HOURLY_CAP, MAX_HOURLY_CAP};
use crate::domain::grant::{GrantProblem, check_cap, check_expiry};
use crate::domain::network::Network;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GrantSummary {
    pub id: i64,
    pub network: String,
    pub domain: String,
    pub note: String,
    pub hourly_cap: i32,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub active: bool,
    pub created_by: String,
    pub created_at: i64,
}

/// A relay grant to open.
#[derive(Clone, Debug, Default)]
pub struct NewGrant<'a> {
    /// An address or a CIDR block.
    pub network: &'a str,
    pub domain: &'a str,
    pub expires_at: Option<i64>,
    pub note: &'a str,
    /// Recipients per hour; [`DEFAULT_HOURLY_CAP`] when None.
    pub hourly_cap: Option<i32>,
    /// Wider than a /24 or a /48 is refused unless this says it is meant.
    pub wide: bool,
}

impl Store {
    pub async fn add_grant(&self, actor: &Actor, grant: NewGrant<'_>) -> Result<GrantSummary> {
        let NewGrant {
            network,
            domain: domain_name,
            expires_at,
            note,
            hourly_cap,
            wide,
        } = grant;
        let net =
            Network::parse(network).map_err(|_| GrantProblem::Network(network.to_string()))?;
        if net.is_wide() && !wide {
            return Err(StoreError::WideGrant(net.to_string()));
        }
        let hourly_cap = check_cap(hourly_cap)?;
        check_expiry(expires_at, now())?;
        let txn = self.write_txn().await?;
        let d = find_domain(&txn, domain_name).await?;
        let g = relay_grant::ActiveModel {
            domain_id: Set(d.id),
            network: Set(net.to_string()),
            note: Set(note.trim().to_string()),
            hourly_cap: Set(hourly_cap),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            created_by: Set(actor.label.clone()),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            actor,
            Some(d.id),
            "relay.allow",
            &g.network,
            &crate::domain::change::Change::GrantOpened {
                id: g.id,
                note: g.note.clone(),
            }
            .to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(summary(g, &d))
    }

    pub async fn list_grants(&self) -> Result<Vec<GrantSummary>> {
        let grants = relay_grant::Entity::find()
            .order_by_asc(relay_grant::Column::Id)
            .all(self.db())
            .await?;
        let domains = domain::Entity::find().all(self.db()).await?;
        Ok(grants
            .into_iter()
            .filter_map(|g| {
                let d = domains.iter().find(|d| d.id == g.domain_id)?;
                Some(summary(g, d))
            })
            .collect())
    }

    /// The grants of one domain, oldest first.
    pub async fn grants_of(&self, domain_name: &str) -> Result<Vec<GrantSummary>> {
        Ok(self
            .list_grants()
            .await?
            .into_iter()
            .filter(|g| g.domain == domain_name)
            .collect())
    }

    pub async fn revoke_grant(&self, actor: &Actor, id: i64) -> Result<()> {
        let txn = self.write_txn().await?;
        let g = relay_grant::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(GrantProblem::NotFound(id))?;
        if g.revoked_at.is_some() {
            return Err(GrantProblem::AlreadyRevoked(id).into());
        }
        let (domain_id, network) = (g.domain_id, g.network.clone());
        let mut m: relay_grant::ActiveModel = g.into();
        m.revoked_at = Set(Some(now()));
        m.update(&txn).await?;
        audit::record(
            &txn,
            actor,
            Some(domain_id),
            "relay.revoke",
            &network,
            &crate::domain::change::Change::GrantClosed { id }.to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

fn summary(g: relay_grant::Model, d: &domain::Model) -> GrantSummary {
    let t = now();
    GrantSummary {
        active: g.revoked_at.is_none() && g.expires_at.is_none_or(|e| e > t),
        id: g.id,
        network: g.network,
        domain: d.name.clone(),
        note: g.note,
        hourly_cap: g.hourly_cap,
        expires_at: g.expires_at,
        revoked_at: g.revoked_at,
        created_by: g.created_by,
        created_at: g.created_at,
    }
}
