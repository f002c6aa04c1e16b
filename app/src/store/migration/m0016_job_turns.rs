//! Jobs that must run once across every process sharing the database (issue 18): one row per
//! job, naming the process whose turn it is and until when; another process takes the turn
//! only once it has run out (so a dead holder's job moves to a live one). Times in milliseconds:
//! a period of seconds (a test's) is then kept exactly, not to the second.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum JobTurns {
    Table,
    Job,
    Holder,
    TakenAtMs,
    UntilMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(JobTurns::Table)
                .col(string(JobTurns::Job).primary_key())
                .col(string(JobTurns::Holder))
                .col(big_integer(JobTurns::TakenAtMs))
                .col(big_integer(JobTurns::UntilMs))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(JobTurns::Table).to_owned())
            .await
    }
}
