//! A mailbox's delivery settings — "forward email to" (+ keep a copy) and the automatic
//! responder — checked here, whatever the client (portal, CLI): valid addresses, no loop
//! (to oneself, or round through other local users), and never both at once (the seed).

use super::delivery::{hosted_domain, own_addresses};
use super::entities::account;
use super::{Actor, Result, Store, StoreError, accounts::find_account, audit, now};
use crate::domain::delivery::forward_list;
use crate::domain::forward::check_forward;
use crate::domain::responder::Responder;
use sea_orm::{ActiveModelTrait, Set};
use std::collections::{HashSet, VecDeque};

pub use crate::domain::responder::{MAX_BODY, MAX_SUBJECT};

impl Store {
    /// Sets (or, with an empty list, removes) a user's forward. Returns the stored list.
    pub async fn set_forward(
        &self,
        actor: &Actor,
        login: &str,
        addresses: &[String],
        keep_copy: bool,
    ) -> Result<Vec<String>> {
        let a = find_account(self.db(), login).await?;
        let own = own_addresses(self.db(), &a).await?;
        let list = check_forward(addresses, &own).map_err(StoreError::Forward)?;
        if !list.is_empty() && a.responder_enabled {
            return Err(StoreError::ForwardAndResponder);
        }
        if let Some(first) = self.forwards_back_to(&list, a.id).await? {
            return Err(StoreError::ForwardLoop(first));
        }
        let txn = self.write_txn().await?;
        let a = find_account(&txn, login).await?;
        if !list.is_empty() && a.responder_enabled {
            return Err(StoreError::ForwardAndResponder);
        }
        let (domain_id, l) = (a.domain_id, a.login.clone());
        let mut m: account::ActiveModel = a.into();
        m.forward_to = Set(list.join("\n"));
        m.forward_keep_copy = Set(keep_copy && !list.is_empty());
        m.updated_at = Set(now());
        m.update(&txn).await?;
        let detail = if list.is_empty() {
            crate::domain::change::Change::ForwardOff
        } else {
            crate::domain::change::Change::ForwardTo {
                to: list.clone(),
                keep: keep_copy,
            }
        }
        .to_detail();
        audit::record(&txn, actor, domain_id, "account.forward", &l, &detail).await?;
        txn.commit().await?;
        Ok(list)
    }

    /// The first of `start` from which forwards lead back to account `me`, if any.
    /// Who the responder answered, newest first (the log keeps 30 days).
    pub async fn responder_answers(
        &self,
        account_id: i64,
        limit: u64,
    ) -> Result<Vec<(String, i64)>> {
        use super::entities::responder_log;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
        Ok(responder_log::Entity::find()
            .select_only()
            .columns([
                responder_log::Column::Sender,
                responder_log::Column::RepliedAt,
            ])
            .filter(responder_log::Column::AccountId.eq(account_id))
            .order_by_desc(responder_log::Column::RepliedAt)
            .limit(limit)
            .into_tuple()
            .all(self.db())
            .await?)
    }

    pub(super) async fn forwards_back_to(
        &self,
        start: &[String],
        me: i64,
    ) -> Result<Option<String>> {
        let mut todo: VecDeque<(String, String)> =
            start.iter().map(|a| (a.clone(), a.clone())).collect();
        let mut seen = HashSet::new();
        let mut steps = 0;
        while let Some((first, address)) = todo.pop_front() {
            steps += 1;
            if steps > 200 {
                break;
            }
            let Some((local, domain)) = address.rsplit_once('@') else {
                continue;
            };
            let Some(d) = hosted_domain(self.db(), &domain.to_ascii_lowercase()).await? else {
                continue;
            };
            let Some(x) = self.resolve_local(&d, &local.to_ascii_lowercase()).await? else {
                continue;
            };
            if x.id == me {
                return Ok(Some(first));
            }
            if seen.insert(x.id) {
                for next in forward_list(&x.forward_to) {
                    todo.push_back((first.clone(), next));
                }
            }
        }
        Ok(None)
    }

    /// Sets a user's automatic responder; refused while a forward is on.
    pub async fn set_responder(&self, actor: &Actor, login: &str, r: &Responder) -> Result<()> {
        r.check_to_set(now()).map_err(StoreError::Responder)?;
        let txn = self.write_txn().await?;
        let a = find_account(&txn, login).await?;
        if r.enabled && !forward_list(&a.forward_to).is_empty() {
            return Err(StoreError::ForwardAndResponder);
        }
        let (domain_id, l) = (a.domain_id, a.login.clone());
        let mut m: account::ActiveModel = a.into();
        m.responder_enabled = Set(r.enabled);
        m.responder_subject = Set(r.subject.clone());
        m.responder_body = Set(r.body_crlf());
        m.responder_start = Set(r.start);
        m.responder_end = Set(r.end);
        m.responder_interval_days = Set(r.interval_days);
        m.updated_at = Set(now());
        m.update(&txn).await?;
        let detail = if r.enabled {
            crate::domain::change::Change::ResponderOn
        } else {
            crate::domain::change::Change::ResponderOff
        };
        audit::record(
            &txn,
            actor,
            domain_id,
            "account.responder",
            &l,
            &detail.to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// The responder's own rules (`domain::responder`), as a store refusal.
pub(super) fn check_responder(r: &Responder) -> Result<()> {
    r.check().map_err(StoreError::Responder)
}
