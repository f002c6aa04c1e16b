//! DKIM signing keys in the store (issue 15). The keys are made by the server
//! (`server/src/dkim.rs`), which knows the cryptography; here they are kept and found.

use super::entities::dkim_key;
use super::{Result, Store};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// A key to keep.
#[derive(Clone)]
pub struct NewKey {
    pub selector: String,
    pub algorithm: &'static str,
    pub private_der: Vec<u8>,
    pub public_key: String,
}

impl Store {
    /// The keys in use for `domain_id` (None: the host's own), newest first.
    pub async fn dkim_keys(&self, domain_id: Option<i64>) -> Result<Vec<dkim_key::Model>> {
        let q = dkim_key::Entity::find().filter(dkim_key::Column::RetiredAt.is_null());
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
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }
}
