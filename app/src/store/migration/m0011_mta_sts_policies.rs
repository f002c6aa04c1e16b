//! The MTA-STS policies of the domains mail goes to (RFC 8461 §5.1, issue 15), kept by id for
//! their `max_age` in the database: a restart must not forget a policy, or an attacker who
//! strips the `_mta-sts` record just after it would downgrade delivery to clear text.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MtaStsPolicies {
    Table,
    Domain,
    PolicyId,
    Policy,
    FetchedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MtaStsPolicies::Table)
                .col(string(MtaStsPolicies::Domain).primary_key())
                .col(string(MtaStsPolicies::PolicyId))
                .col(text(MtaStsPolicies::Policy))
                .col(big_integer(MtaStsPolicies::FetchedAt))
                .col(big_integer(MtaStsPolicies::ExpiresAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MtaStsPolicies::Table).to_owned())
            .await
    }
}
