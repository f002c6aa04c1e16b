//! Backup files kept in chunks of 1 MiB (`backup_chunks`) instead of one value per file, so
//! that making, downloading and restoring a backup of several hundred MB never holds it whole
//! in memory; the files kept so far move into one chunk each, and `backups.data` goes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BackupChunks {
    Table,
    BackupId,
    Seq,
    Data,
}

#[derive(DeriveIden)]
enum Backups {
    Table,
    Data,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BackupChunks::Table)
                .col(big_integer(BackupChunks::BackupId))
                .col(integer(BackupChunks::Seq))
                .col(blob(BackupChunks::Data))
                .primary_key(
                    Index::create()
                        .col(BackupChunks::BackupId)
                        .col(BackupChunks::Seq),
                )
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO backup_chunks (backup_id, seq, data) SELECT id, 0, data FROM backups",
            )
            .await?;
        m.alter_table(
            Table::alter()
                .table(Backups::Table)
                .drop_column(Backups::Data)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Backups::Table)
                .add_column(blob(Backups::Data).default(Vec::<u8>::new()))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(BackupChunks::Table).to_owned())
            .await
    }
}
