//! The filter stage's part of the store (issue 14): each domain's choices for its inbound
//! mail, each user's way of marking junk, and the log of refused and marked mail.

use super::entities::{account, domain, filter_log};
use super::{Actor, Result, Store, audit};
use crate::domain::change::Change;
use crate::domain::filter::{Filtering, JunkMode, Policy};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Days the filter log keeps an entry.
pub const LOG_KEPT_DAYS: i64 = 30;
/// What the log says was done.
pub const REFUSED: &str = "refused";
pub const JUNK: &str = "junk";

/// A domain row's choices (an unknown word in the column counts as the default).
pub fn policy_of(d: &domain::Model) -> Policy {
    Policy {
        filtering: Filtering::parse(&d.filtering).unwrap_or_default(),
        viruses: d.viruses,
    }
}

/// An account's way of marking junk.
pub fn junk_mode_of(a: &account::Model) -> JunkMode {
    JunkMode::parse(&a.junk_mode).unwrap_or_default()
}

/// One line of the filter log, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filtered<'a> {
    pub domain_id: i64,
    pub account_id: Option<i64>,
    pub sender: &'a str,
    pub recipient: &'a str,
    /// [`REFUSED`] or [`JUNK`].
    pub action: &'static str,
    pub reason: &'a str,
}

/// Which entries to read.
#[derive(Clone, Copy, Debug)]
pub enum LogOf {
    Account(i64),
    Domain(i64),
    Everything,
}

impl Store {
    /// The choices of the domain with id `domain_id` (the defaults if it is gone).
    pub async fn filter_policy(&self, domain_id: i64) -> Result<Policy> {
        Ok(domain::Entity::find_by_id(domain_id)
            .one(self.db())
            .await?
            .map(|d| policy_of(&d))
            .unwrap_or_default())
    }

    /// Sets what domain `name` asks of its inbound mail.
    pub async fn set_domain_filter(&self, actor: &Actor, name: &str, p: Policy) -> Result<()> {
        let txn = self.write_txn().await?;
        let d = super::domains::find_domain(&txn, name).await?;
        if policy_of(&d) == p {
            return Ok(());
        }
        let (id, n) = (d.id, d.name.clone());
        let mut m: domain::ActiveModel = d.into();
        m.filtering = Set(p.filtering.as_str().to_string());
        m.viruses = Set(p.viruses);
        m.update(&txn).await?;
        let change = Change::Filtering {
            filtering: p.filtering.as_str().to_string(),
            viruses: p.viruses,
        };
        audit::record(
            &txn,
            actor,
            Some(id),
            "domain.filter",
            &n,
            &change.to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Sets how junk reaches `login`'s mailbox.
    pub async fn set_junk_mode(&self, actor: &Actor, login: &str, mode: JunkMode) -> Result<()> {
        let txn = self.write_txn().await?;
        let a = super::accounts::find_account(&txn, login).await?;
        if junk_mode_of(&a) == mode {
            return Ok(());
        }
        let (domain_id, l) = (a.domain_id, a.login.clone());
        let mut m: account::ActiveModel = a.into();
        m.junk_mode = Set(mode.as_str().to_string());
        m.update(&txn).await?;
        let change = Change::JunkMode {
            mode: mode.as_str().to_string(),
        };
        audit::record(
            &txn,
            actor,
            domain_id,
            "account.junk",
            &l,
            &change.to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The hosted domain named `name` (canonical, lower case), if it is one.
    pub async fn hosted(&self, name: &str) -> Result<Option<domain::Model>> {
        super::delivery::hosted_domain(self.db(), name).await
    }

    /// Writes `lines` to the filter log at time `at`.
    pub async fn log_filtered(&self, lines: &[Filtered<'_>], at: i64) -> Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let rows = lines.iter().map(|l| filter_log::ActiveModel {
            at: Set(at),
            domain_id: Set(l.domain_id),
            account_id: Set(l.account_id),
            sender: Set(l.sender.to_string()),
            recipient: Set(l.recipient.to_string()),
            action: Set(l.action.to_string()),
            reason: Set(l.reason.to_string()),
            ..Default::default()
        });
        filter_log::Entity::insert_many(rows)
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }

    /// The newest entries first, at most `limit`, since `since`.
    pub async fn filter_log(
        &self,
        of: LogOf,
        since: i64,
        limit: u64,
    ) -> Result<Vec<filter_log::Model>> {
        let mut q = filter_log::Entity::find().filter(filter_log::Column::At.gte(since));
        q = match of {
            LogOf::Account(id) => q.filter(filter_log::Column::AccountId.eq(id)),
            LogOf::Domain(id) => q.filter(filter_log::Column::DomainId.eq(id)),
            LogOf::Everything => q,
        };
        Ok(q.order_by_desc(filter_log::Column::At)
            .order_by_desc(filter_log::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }
}
