//! DKIM signing keys in the store (issue 15). The keys are made by the server
//! (`server/src/dkim.rs`), which knows the cryptography; here they are kept and found.

use super::entities::dkim_key;
use super::{Result, Store};
use crate::domain::dkim::Dated;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

impl Dated for dkim_key::Model {
    fn id(&self) -> i64 {
        self.id
    }
    fn algorithm(&self) -> &str {
        &self.algorithm
    }
    fn selector(&self) -> &str {
        &self.selector
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn retired_at(&self) -> Option<i64> {
        self.retired_at
    }
}

/// A key to keep.
#[derive(Clone)]
pub struct NewKey {
    pub selector: String,
    pub algorithm: &'static str,
    pub private_der: Vec<u8>,
    pub public_key: String,
}

/// The keys worth publishing (`domain::dkim::listed`) as records: selector, TXT value
/// (`v=DKIM1; k=…; p=…`, RFC 6376 §3.6.1) and where each is in its life at `now`.
pub fn records(keys: &[dkim_key::Model], now: i64) -> Vec<crate::domain::dns_plan::DkimRecord> {
    use crate::domain::dkim::{listed, state};
    listed(keys, now)
        .into_iter()
        .map(|k| crate::domain::dns_plan::DkimRecord {
            selector: k.selector.clone(),
            value: format!(
                "v=DKIM1; k={}; p={}",
                if k.algorithm == "ed25519" {
                    "ed25519"
                } else {
                    "rsa"
                },
                k.public_key
            ),
            state: state(k, keys, now),
        })
        .collect()
}

impl Store {
    /// Every key of `domain_id` (None: the host's own), retired ones too, newest first
    /// (`domain::dkim` says which signs).
    pub async fn dkim_keys(&self, domain_id: Option<i64>) -> Result<Vec<dkim_key::Model>> {
        let q = dkim_key::Entity::find();
        let q = match domain_id {
            Some(id) => q.filter(dkim_key::Column::DomainId.eq(id)),
            None => q.filter(dkim_key::Column::DomainId.is_null()),
        };
        Ok(q.order_by_desc(dkim_key::Column::Id).all(self.db()).await?)
    }

    /// Keeps new keys for `domain_id`.
    pub async fn add_dkim_keys(
        &self,
        domain_id: Option<i64>,
        keys: &[NewKey],
        at: i64,
    ) -> Result<()> {
        let txn = self.write_txn().await?;
        insert_keys(&txn, domain_id, keys, at).await?;
        txn.commit().await?;
        Ok(())
    }

    /// A rotation, at once: the new keys kept and the old ones given their retirement date.
    pub async fn rotate_dkim_keys(
        &self,
        domain_id: Option<i64>,
        rotation: &crate::domain::dkim::Rotation,
        keys: &[NewKey],
        at: i64,
    ) -> Result<()> {
        let txn = self.write_txn().await?;
        if !rotation.retire.is_empty() {
            dkim_key::Entity::update_many()
                .col_expr(
                    dkim_key::Column::RetiredAt,
                    sea_orm::sea_query::Expr::value(rotation.retire_at),
                )
                .filter(dkim_key::Column::Id.is_in(rotation.retire.clone()))
                .exec(&txn)
                .await?;
        }
        insert_keys(&txn, domain_id, keys, at).await?;
        txn.commit().await?;
        Ok(())
    }
}

async fn insert_keys(
    c: &impl sea_orm::ConnectionTrait,
    domain_id: Option<i64>,
    keys: &[NewKey],
    at: i64,
) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let rows = keys.iter().map(|k| dkim_key::ActiveModel {
        domain_id: Set(domain_id),
        selector: Set(k.selector.clone()),
        algorithm: Set(k.algorithm.to_string()),
        private_der: Set(k.private_der.clone()),
        public_key: Set(k.public_key.clone()),
        created_at: Set(at),
        retired_at: Set(None),
        ..Default::default()
    });
    dkim_key::Entity::insert_many(rows)
        .exec_without_returning(c)
        .await?;
    Ok(())
}
