use sea_orm::entity::prelude::*;

/// An ACME HTTP-01 challenge being answered (RFC 8555 §8.3): what
/// `/.well-known/acme-challenge/TOKEN` returns.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acme_challenges")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token: String,
    pub key_authorization: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
