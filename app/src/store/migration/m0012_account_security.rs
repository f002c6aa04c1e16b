//! Accounts people can secure and recover (issue 16): a second factor (TOTP) with its
//! recovery codes, app passwords for mail programs, the history of sign-ins at every door,
//! a recovery address and password-reset tokens, and when each web session was last seen.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SecondFactors {
    Table,
    AccountId,
    Secret,
    LastStep,
    Failures,
    FailuresSince,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    AccountId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveIden)]
enum AppPasswords {
    Table,
    Id,
    AccountId,
    Name,
    SecretHash,
    Pop3,
    Submission,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    LastUsedDoor,
    LastUsedIp,
}

#[derive(DeriveIden)]
enum SignIns {
    Table,
    Id,
    AccountId,
    Door,
    Method,
    AppPassword,
    Ip,
    Ok,
    FirstAt,
    At,
    Count,
}

#[derive(DeriveIden)]
enum RecoveryAddresses {
    Table,
    AccountId,
    Address,
    ConfirmedAt,
    CodeHash,
    CodeExpiresAt,
    CodeTries,
    CodesSent,
    CodesSince,
}

#[derive(DeriveIden)]
enum ResetTokens {
    Table,
    TokenHash,
    AccountId,
    SentTo,
    ByWebmaster,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum WebSessions {
    Table,
    LastSeenAt,
}

fn owned_by_account(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Accounts::Table, Accounts::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn by_account(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SecondFactors::Table)
                .col(big_integer(SecondFactors::AccountId).primary_key())
                .col(string(SecondFactors::Secret))
                .col(big_integer(SecondFactors::LastStep))
                .col(integer(SecondFactors::Failures))
                .col(big_integer_null(SecondFactors::FailuresSince))
                .col(big_integer(SecondFactors::CreatedAt))
                .foreign_key(&mut owned_by_account(
                    SecondFactors::Table,
                    SecondFactors::AccountId,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .col(big_pk_auto(RecoveryCodes::Id))
                .col(big_integer(RecoveryCodes::AccountId))
                .col(string(RecoveryCodes::CodeHash))
                .col(big_integer_null(RecoveryCodes::UsedAt))
                .foreign_key(&mut owned_by_account(
                    RecoveryCodes::Table,
                    RecoveryCodes::AccountId,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(by_account(
            "recovery_codes_account",
            RecoveryCodes::Table,
            &["account_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(AppPasswords::Table)
                .col(big_pk_auto(AppPasswords::Id))
                .col(big_integer(AppPasswords::AccountId))
                .col(string(AppPasswords::Name))
                .col(string(AppPasswords::SecretHash).unique_key())
                .col(boolean(AppPasswords::Pop3))
                .col(boolean(AppPasswords::Submission))
                .col(big_integer(AppPasswords::CreatedAt))
                .col(big_integer_null(AppPasswords::ExpiresAt))
                .col(big_integer_null(AppPasswords::LastUsedAt))
                .col(string_null(AppPasswords::LastUsedDoor))
                .col(string_null(AppPasswords::LastUsedIp))
                .foreign_key(&mut owned_by_account(
                    AppPasswords::Table,
                    AppPasswords::AccountId,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(by_account(
            "app_passwords_account",
            AppPasswords::Table,
            &["account_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(SignIns::Table)
                .col(big_pk_auto(SignIns::Id))
                .col(big_integer(SignIns::AccountId))
                .col(string(SignIns::Door))
                .col(string(SignIns::Method))
                .col(string_null(SignIns::AppPassword))
                .col(string(SignIns::Ip))
                .col(boolean(SignIns::Ok))
                .col(big_integer(SignIns::FirstAt))
                .col(big_integer(SignIns::At))
                .col(big_integer(SignIns::Count))
                .foreign_key(&mut owned_by_account(SignIns::Table, SignIns::AccountId))
                .to_owned(),
        )
        .await?;
        m.create_index(by_account(
            "sign_ins_account_at",
            SignIns::Table,
            &["account_id", "at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(RecoveryAddresses::Table)
                .col(big_integer(RecoveryAddresses::AccountId).primary_key())
                .col(string(RecoveryAddresses::Address))
                .col(big_integer_null(RecoveryAddresses::ConfirmedAt))
                .col(string_null(RecoveryAddresses::CodeHash))
                .col(big_integer_null(RecoveryAddresses::CodeExpiresAt))
                .col(integer(RecoveryAddresses::CodeTries))
                .col(integer(RecoveryAddresses::CodesSent))
                .col(big_integer_null(RecoveryAddresses::CodesSince))
                .foreign_key(&mut owned_by_account(
                    RecoveryAddresses::Table,
                    RecoveryAddresses::AccountId,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ResetTokens::Table)
                .col(string(ResetTokens::TokenHash).primary_key())
                .col(big_integer(ResetTokens::AccountId))
                .col(string(ResetTokens::SentTo))
                .col(boolean(ResetTokens::ByWebmaster))
                .col(big_integer(ResetTokens::CreatedAt))
                .col(big_integer(ResetTokens::ExpiresAt))
                .col(big_integer_null(ResetTokens::UsedAt))
                .foreign_key(&mut owned_by_account(
                    ResetTokens::Table,
                    ResetTokens::AccountId,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(by_account(
            "reset_tokens_account",
            ResetTokens::Table,
            &["account_id", "created_at"],
        ))
        .await?;
        m.alter_table(
            Table::alter()
                .table(WebSessions::Table)
                .add_column(big_integer_null(WebSessions::LastSeenAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(WebSessions::Table)
                .drop_column(WebSessions::LastSeenAt)
                .to_owned(),
        )
        .await?;
        for t in [
            ResetTokens::Table.into_iden(),
            RecoveryAddresses::Table.into_iden(),
            SignIns::Table.into_iden(),
            AppPasswords::Table.into_iden(),
            RecoveryCodes::Table.into_iden(),
            SecondFactors::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
