//! Uses of relay grants, one row per recipient accepted at RCPT: the hourly cap is reserved
//! there, atomically, so that ten recipients in one transaction or parallel sessions cannot
//! pass it (the change log still records each relayed message).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RelayUses {
    Table,
    Id,
    GrantId,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RelayUses::Table)
                .col(big_pk_auto(RelayUses::Id))
                .col(big_integer(RelayUses::GrantId))
                .col(big_integer(RelayUses::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("relay_uses_grant_at")
                .table(RelayUses::Table)
                .col(RelayUses::GrantId)
                .col(RelayUses::At)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RelayUses::Table).to_owned())
            .await
    }
}
