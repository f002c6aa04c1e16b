//! DKIM signing keys (issue 15): per hosted domain (and one for the host's own name, for its
//! bounces), an Ed25519 and an RSA-2048 key with dated selectors; a retired key stays listed
//! (with its date) until it is removed from DNS.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DkimKeys {
    Table,
    Id,
    DomainId,
    Selector,
    Algorithm,
    PrivateDer,
    PublicKey,
    CreatedAt,
    RetiredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DkimKeys::Table)
                .col(big_pk_auto(DkimKeys::Id))
                .col(big_integer_null(DkimKeys::DomainId))
                .col(string(DkimKeys::Selector))
                .col(string(DkimKeys::Algorithm))
                .col(blob(DkimKeys::PrivateDer))
                .col(text(DkimKeys::PublicKey))
                .col(big_integer(DkimKeys::CreatedAt))
                .col(big_integer_null(DkimKeys::RetiredAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("dkim_keys_domain")
                .table(DkimKeys::Table)
                .col(DkimKeys::DomainId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DkimKeys::Table).to_owned())
            .await
    }
}
