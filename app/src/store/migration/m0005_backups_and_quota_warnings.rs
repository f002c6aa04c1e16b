//! Backups say where they came from (made here, or uploaded to be restored), and accounts
//! remember the last quota warning mailed to them (80 or 95 %), so that each is sent once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Backups {
    Table,
    Origin,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    QuotaWarned,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Backups::Table)
                .add_column(string(Backups::Origin).default("made"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(integer(Accounts::QuotaWarned).default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .drop_column(Accounts::QuotaWarned)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Backups::Table)
                .drop_column(Backups::Origin)
                .to_owned(),
        )
        .await
    }
}
