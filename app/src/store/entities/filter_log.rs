use sea_orm::entity::prelude::*;

/// A message refused or marked as junk by the filter stage, for one recipient.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "filter_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: i64,
    pub domain_id: i64,
    /// The mailbox it was for, when the recipient was one (not an alias of a deleted one).
    pub account_id: Option<i64>,
    /// The envelope sender; empty for `<>`.
    pub sender: String,
    pub recipient: String,
    /// "refused" or "junk".
    pub action: String,
    /// The reason, as the checks gave it (English: it is also the SMTP answer's reason).
    pub reason: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
