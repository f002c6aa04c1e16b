//! Bringing the mail of the previous host (issue 17): the import jobs (one old mailbox each,
//! the old password kept only while the job is open), and each message brought, by the UIDL
//! it had there and its Message-ID, so that nothing is brought twice.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    Id,
    AccountId,
    Source,
    Host,
    Port,
    Security,
    Login,
    Secret,
    DeleteAfter,
    State,
    TotalMessages,
    TotalBytes,
    DoneMessages,
    DoneBytes,
    Skipped,
    Error,
    Holder,
    LeaseUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ImportItems {
    Table,
    Id,
    AccountId,
    Mailbox,
    Uidl,
    MessageId,
    At,
}

fn owned_by_account(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Accounts::Table, Accounts::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Imports::Table)
                .col(big_pk_auto(Imports::Id))
                .col(big_integer(Imports::AccountId))
                .col(string(Imports::Source))
                .col(string(Imports::Host))
                .col(integer(Imports::Port))
                .col(string(Imports::Security))
                .col(string(Imports::Login))
                .col(string_null(Imports::Secret))
                .col(boolean(Imports::DeleteAfter))
                .col(string(Imports::State))
                .col(big_integer(Imports::TotalMessages))
                .col(big_integer(Imports::TotalBytes))
                .col(big_integer(Imports::DoneMessages))
                .col(big_integer(Imports::DoneBytes))
                .col(big_integer(Imports::Skipped))
                .col(string(Imports::Error))
                .col(string(Imports::Holder))
                .col(big_integer(Imports::LeaseUntil))
                .col(big_integer(Imports::CreatedAt))
                .col(big_integer(Imports::UpdatedAt))
                .foreign_key(&mut owned_by_account(Imports::Table, Imports::AccountId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("imports_account")
                .table(Imports::Table)
                .col(Imports::AccountId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("imports_state")
                .table(Imports::Table)
                .col(Imports::State)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ImportItems::Table)
                .col(big_pk_auto(ImportItems::Id))
                .col(big_integer(ImportItems::AccountId))
                .col(string(ImportItems::Mailbox))
                .col(string(ImportItems::Uidl))
                .col(string(ImportItems::MessageId))
                .col(big_integer(ImportItems::At))
                .foreign_key(&mut owned_by_account(
                    ImportItems::Table,
                    ImportItems::AccountId,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("import_items_uidl")
                .table(ImportItems::Table)
                .col(ImportItems::AccountId)
                .col(ImportItems::Mailbox)
                .col(ImportItems::Uidl)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("import_items_message_id")
                .table(ImportItems::Table)
                .col(ImportItems::AccountId)
                .col(ImportItems::MessageId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ImportItems::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Imports::Table).to_owned())
            .await
    }
}
