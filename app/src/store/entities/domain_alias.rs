use sea_orm::entity::prelude::*;

/// Another name of a hosted domain (issue 17): every address `x@name` reaches what
/// `x@<the domain>` reaches.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_aliases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Canonical (lower case, punycode); never also the name of a hosted domain.
    #[sea_orm(unique)]
    pub name: String,
    pub domain_id: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
