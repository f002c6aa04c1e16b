//! The filter stage (issue 14): what each domain asks of its inbound mail (sender and spam
//! filtering off / mark / refuse; viruses looked for or not), how each user wants junk marked
//! (`[SPAM]` in the subject, or headers only), and the log of refused and marked mail (kept
//! 30 days).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Domains {
    Table,
    Filtering,
    Viruses,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    JunkMode,
}

#[derive(DeriveIden)]
enum FilterLog {
    Table,
    Id,
    At,
    DomainId,
    AccountId,
    Sender,
    Recipient,
    Action,
    Reason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        m.alter_table(
            Table::alter()
                .table(Domains::Table)
                .add_column(string(Domains::Filtering).default("refuse"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Domains::Table)
                .add_column(boolean(Domains::Viruses).default(true))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(string(Accounts::JunkMode).default("subject"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FilterLog::Table)
                .col(big_pk_auto(FilterLog::Id))
                .col(big_integer(FilterLog::At))
                .col(big_integer(FilterLog::DomainId))
                .col(big_integer_null(FilterLog::AccountId))
                .col(string(FilterLog::Sender))
                .col(string(FilterLog::Recipient))
                .col(string(FilterLog::Action))
                .col(string(FilterLog::Reason))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("filter_log_domain_at")
                .table(FilterLog::Table)
                .col(FilterLog::DomainId)
                .col(FilterLog::At)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("filter_log_account_at")
                .table(FilterLog::Table)
                .col(FilterLog::AccountId)
                .col(FilterLog::At)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(FilterLog::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .drop_column(Accounts::JunkMode)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Domains::Table)
                .drop_column(Domains::Viruses)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Domains::Table)
                .drop_column(Domains::Filtering)
                .to_owned(),
        )
        .await
    }
}
