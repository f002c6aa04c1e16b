use sea_orm::entity::prelude::*;

/// One recipient accepted through a relay grant (the hourly cap counts these).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "relay_uses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub grant_id: i64,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
