//! TLS certificates obtained by ACME (issue 15): one per group of names (the host's own, and
//! each hosted domain's `mail.`, `autoconfig.` and `mta-sts.` names), kept in the database so
//! that every process serving it has them; and the HTTP-01 challenges being answered, which
//! any process's web listener may be asked for.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Label,
    Names,
    CertPem,
    KeyPem,
    NotAfter,
    IssuedAt,
    LastAttemptAt,
    LastError,
}

#[derive(DeriveIden)]
enum AcmeChallenges {
    Table,
    Token,
    KeyAuthorization,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Certificates::Table)
                .col(string(Certificates::Label).primary_key())
                .col(text(Certificates::Names))
                .col(text_null(Certificates::CertPem))
                .col(text_null(Certificates::KeyPem))
                .col(big_integer_null(Certificates::NotAfter))
                .col(big_integer_null(Certificates::IssuedAt))
                .col(big_integer_null(Certificates::LastAttemptAt))
                .col(text_null(Certificates::LastError))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AcmeChallenges::Table)
                .col(string(AcmeChallenges::Token).primary_key())
                .col(text(AcmeChallenges::KeyAuthorization))
                .col(big_integer(AcmeChallenges::CreatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AcmeChallenges::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Certificates::Table).to_owned())
            .await
    }
}
