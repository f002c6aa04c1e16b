//! A covering index for the POP3 snapshot (`SELECT id, uidl, size … WHERE account_id = ?
//! ORDER BY id`): the login reads the index alone, never the rows that carry the messages.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("messages_maildrop")
                .table(Alias::new("messages"))
                .col(Alias::new("account_id"))
                .col(Alias::new("id"))
                .col(Alias::new("size"))
                .col(Alias::new("uidl"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("messages_maildrop")
                .table(Alias::new("messages"))
                .to_owned(),
        )
        .await
    }
}
