//! A domain's catch-all (issue 17): the mailbox that receives mail for any unknown name of
//! the domain, when its webmaster chooses one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Domains {
    Table,
    CatchAllAccountId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Domains::Table)
                .add_column(big_integer_null(Domains::CatchAllAccountId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Domains::Table)
                .drop_column(Domains::CatchAllAccountId)
                .to_owned(),
        )
        .await
    }
}
