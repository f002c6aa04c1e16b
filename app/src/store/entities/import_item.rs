use sea_orm::entity::prelude::*;

/// A message brought from an old mailbox (issue 17): never brought twice, by its UIDL there
/// or its Message-ID.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// The old mailbox: `login@host:port` (`domain::import::Source::mailbox_key`).
    pub mailbox: String,
    pub uidl: String,
    /// Lower case, without the angle brackets; empty when the message had none.
    pub message_id: String,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
