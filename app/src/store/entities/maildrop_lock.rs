use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "maildrop_locks")]
pub struct Model {
    /// One POP3 session per maildrop, across every process sharing the database (RFC 1939 §8
    /// allows the exclusive lock; the lease expires if its holder dies).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    pub holder: String,
    pub expires_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
