use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "web_sessions")]
pub struct Model {
    /// SHA-256 of the session id (hex): the database never holds a usable cookie value.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub account_id: Option<i64>,
    /// The session record's data, as JSON.
    pub data: String,
    pub expires_at: i64,
    /// When a request last used the session.
    pub last_seen_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
