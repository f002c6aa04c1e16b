use sea_orm::entity::prelude::*;

/// One piece (1 MiB, the last one shorter) of a kept backup file, in order by `seq`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backup_chunks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub backup_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i32,
    pub data: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
