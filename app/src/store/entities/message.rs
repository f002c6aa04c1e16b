use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// RFC 1939 unique-id: random, never reused, kept across backup and restore.
    pub uidl: String,
    /// Octets of `raw`, as RETR sends them before byte-stuffing (CRLF line ends).
    pub size: i64,
    pub received_at: i64,
    /// Envelope sender, for the "is my mail arriving?" view.
    pub mail_from: String,
    pub subject: String,
    pub raw: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
