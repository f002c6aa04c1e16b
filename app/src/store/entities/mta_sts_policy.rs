use sea_orm::entity::prelude::*;

/// A destination domain's MTA-STS policy as fetched (RFC 8461 §3.2), kept until it expires.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mta_sts_policies")]
pub struct Model {
    /// The destination domain, lower case.
    #[sea_orm(primary_key, auto_increment = false)]
    pub domain: String,
    /// The `id=` of its `_mta-sts` record when fetched.
    pub policy_id: String,
    /// The policy file's text.
    pub policy: String,
    pub fetched_at: i64,
    /// `fetched_at` + its `max_age`.
    pub expires_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
