//! Domain aliases and the limits a host sets per domain (issue 17): `ancien-nom.fr` as another
//! name of a hosted domain, and caps on mailboxes, aliases, storage and quotas.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Domains {
    Table,
    Id,
    MaxMailboxes,
    MaxAliases,
    MaxStorageBytes,
    DefaultQuotaBytes,
    MaxQuotaBytes,
}

/// The limit columns, one statement each (SQLite alters one thing at a time).
const LIMITS: [Domains; 5] = [
    Domains::MaxMailboxes,
    Domains::MaxAliases,
    Domains::MaxStorageBytes,
    Domains::DefaultQuotaBytes,
    Domains::MaxQuotaBytes,
];

#[derive(DeriveIden)]
enum DomainAliases {
    Table,
    Id,
    Name,
    DomainId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DomainAliases::Table)
                .col(big_pk_auto(DomainAliases::Id))
                .col(string_uniq(DomainAliases::Name))
                .col(big_integer(DomainAliases::DomainId))
                .col(big_integer(DomainAliases::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(DomainAliases::Table, DomainAliases::DomainId)
                        .to(Domains::Table, Domains::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("domain_aliases_domain")
                .table(DomainAliases::Table)
                .col(DomainAliases::DomainId)
                .to_owned(),
        )
        .await?;
        for col in LIMITS {
            m.alter_table(
                Table::alter()
                    .table(Domains::Table)
                    .add_column(big_integer_null(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in LIMITS {
            m.alter_table(
                Table::alter()
                    .table(Domains::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(DomainAliases::Table).to_owned())
            .await
    }
}
