//! The audit log: who changed what, when, from where. Written in the same transaction as the
//! change it describes. Never holds a password.

use super::entities::audit_log;
use super::{Result, now};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, Set};

/// Who is acting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub label: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn cli() -> Actor {
        Actor {
            label: "cli".into(),
            ip: None,
        }
    }
    pub fn system() -> Actor {
        Actor {
            label: "system".into(),
            ip: None,
        }
    }
    pub fn web(login: &str, ip: Option<std::net::IpAddr>) -> Actor {
        Actor {
            label: login.to_string(),
            ip: ip.map(|i| i.to_string()),
        }
    }
}

pub async fn record(
    c: &impl ConnectionTrait,
    actor: &Actor,
    domain_id: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<()> {
    audit_log::ActiveModel {
        at: Set(now()),
        actor: Set(actor.label.clone()),
        ip: Set(actor.ip.clone()),
        domain_id: Set(domain_id),
        action: Set(action.to_string()),
        target: Set(target.to_string()),
        detail: Set(detail.to_string()),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}

/// Records a change to `account` (its domain, its login as the target).
pub async fn record_for(
    c: &impl ConnectionTrait,
    actor: &Actor,
    account: &crate::store::entities::account::Model,
    action: &str,
    detail: &str,
) -> Result<()> {
    record(c, actor, account.domain_id, action, &account.login, detail).await
}

impl super::Store {
    /// The most recent entries, newest first.
    pub async fn audit_recent(&self, limit: u64) -> Result<Vec<audit_log::Model>> {
        self.audit_page(None, None, limit).await
    }

    /// A page of the change log, newest first: of one domain or of the whole server, older
    /// than entry `before` when given (for "more").
    pub async fn audit_page(
        &self,
        domain_id: Option<i64>,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<audit_log::Model>> {
        use sea_orm::{ColumnTrait, QueryFilter};
        let mut q = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
        if let Some(d) = domain_id {
            q = q.filter(audit_log::Column::DomainId.eq(d));
        }
        if let Some(b) = before {
            q = q.filter(audit_log::Column::Id.lt(b));
        }
        Ok(q.limit(limit).all(self.db()).await?)
    }
}
