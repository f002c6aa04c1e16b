//! The whole mail data model (DESIGN §3), designed once for every later capability.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Domains {
    Table,
    Id,
    Name,
    Style,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    DomainId,
    Role,
    FirstName,
    LastName,
    Login,
    PasswordHash,
    AuthEpoch,
    QuotaBytes,
    UsedBytes,
    Suspended,
    ForwardTo,
    ForwardKeepCopy,
    ResponderEnabled,
    ResponderSubject,
    ResponderBody,
    ResponderStart,
    ResponderEnd,
    ResponderIntervalDays,
    Lang,
    CreatedAt,
    UpdatedAt,
    LastWebLoginAt,
    LastPop3LoginAt,
}

#[derive(DeriveIden)]
enum Aliases {
    Table,
    Id,
    DomainId,
    AccountId,
    LocalPart,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    AccountId,
    Uidl,
    Size,
    ReceivedAt,
    MailFrom,
    Subject,
    Raw,
}

#[derive(DeriveIden)]
enum OutboundQueue {
    Table,
    Id,
    Kind,
    AccountId,
    MailFrom,
    RcptTo,
    MessageId,
    Raw,
    Status,
    Attempts,
    NextAttemptAt,
    LastAnswer,
    ClaimedBy,
    ClaimedUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ResponderLog {
    Table,
    Id,
    AccountId,
    Sender,
    RepliedAt,
}

#[derive(DeriveIden)]
enum RelayGrants {
    Table,
    Id,
    DomainId,
    Network,
    Note,
    HourlyCap,
    ExpiresAt,
    RevokedAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    Actor,
    Ip,
    DomainId,
    Action,
    Target,
    Detail,
}

#[derive(DeriveIden)]
enum WebSessions {
    Table,
    IdHash,
    AccountId,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Backups {
    Table,
    Id,
    AccountId,
    CreatedAt,
    Size,
    MessageCount,
    Sha256,
    Data,
}

#[derive(DeriveIden)]
enum MaildropLocks {
    Table,
    AccountId,
    Holder,
    ExpiresAt,
}

fn fk_cascade(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(
    name: &str,
    table: impl IntoIden,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Domains::Table)
                .col(big_pk_auto(Domains::Id))
                .col(string_uniq(Domains::Name))
                .col(string(Domains::Style).default("cobalt"))
                .col(big_integer(Domains::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Accounts::Table)
                .col(big_pk_auto(Accounts::Id))
                .col(big_integer_null(Accounts::DomainId))
                .col(string(Accounts::Role))
                .col(string(Accounts::FirstName))
                .col(string(Accounts::LastName))
                .col(string_uniq(Accounts::Login))
                .col(string(Accounts::PasswordHash))
                .col(big_integer(Accounts::AuthEpoch).default(0))
                .col(big_integer_null(Accounts::QuotaBytes))
                .col(big_integer(Accounts::UsedBytes).default(0))
                .col(boolean(Accounts::Suspended).default(false))
                .col(text(Accounts::ForwardTo).default(""))
                .col(boolean(Accounts::ForwardKeepCopy).default(false))
                .col(boolean(Accounts::ResponderEnabled).default(false))
                .col(text(Accounts::ResponderSubject).default(""))
                .col(text(Accounts::ResponderBody).default(""))
                .col(big_integer_null(Accounts::ResponderStart))
                .col(big_integer_null(Accounts::ResponderEnd))
                .col(integer(Accounts::ResponderIntervalDays).default(7))
                .col(string_null(Accounts::Lang))
                .col(big_integer(Accounts::CreatedAt))
                .col(big_integer(Accounts::UpdatedAt))
                .col(big_integer_null(Accounts::LastWebLoginAt))
                .col(big_integer_null(Accounts::LastPop3LoginAt))
                .foreign_key(&mut fk_cascade(
                    Accounts::Table,
                    Accounts::DomainId,
                    Domains::Table,
                    Domains::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "accounts_domain",
            Accounts::Table,
            &["domain_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Aliases::Table)
                .col(big_pk_auto(Aliases::Id))
                .col(big_integer(Aliases::DomainId))
                .col(big_integer(Aliases::AccountId))
                .col(string(Aliases::LocalPart))
                .col(big_integer(Aliases::CreatedAt))
                .foreign_key(&mut fk_cascade(
                    Aliases::Table,
                    Aliases::DomainId,
                    Domains::Table,
                    Domains::Id,
                ))
                .foreign_key(&mut fk_cascade(
                    Aliases::Table,
                    Aliases::AccountId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "aliases_domain_local",
            Aliases::Table,
            &["domain_id", "local_part"],
            true,
        ))
        .await?;
        m.create_index(index(
            "aliases_account",
            Aliases::Table,
            &["account_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Messages::Table)
                .col(big_pk_auto(Messages::Id))
                .col(big_integer(Messages::AccountId))
                .col(string(Messages::Uidl))
                .col(big_integer(Messages::Size))
                .col(big_integer(Messages::ReceivedAt))
                .col(text(Messages::MailFrom))
                .col(text(Messages::Subject))
                .col(blob(Messages::Raw))
                .foreign_key(&mut fk_cascade(
                    Messages::Table,
                    Messages::AccountId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "messages_account_uidl",
            Messages::Table,
            &["account_id", "uidl"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(OutboundQueue::Table)
                .col(big_pk_auto(OutboundQueue::Id))
                .col(string(OutboundQueue::Kind))
                .col(big_integer_null(OutboundQueue::AccountId))
                .col(text(OutboundQueue::MailFrom))
                .col(text(OutboundQueue::RcptTo))
                .col(text(OutboundQueue::MessageId))
                .col(blob(OutboundQueue::Raw))
                .col(string(OutboundQueue::Status))
                .col(integer(OutboundQueue::Attempts).default(0))
                .col(big_integer(OutboundQueue::NextAttemptAt))
                .col(text(OutboundQueue::LastAnswer).default(""))
                .col(string_null(OutboundQueue::ClaimedBy))
                .col(big_integer_null(OutboundQueue::ClaimedUntil))
                .col(big_integer(OutboundQueue::CreatedAt))
                .col(big_integer(OutboundQueue::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "outbound_due",
            OutboundQueue::Table,
            &["status", "next_attempt_at"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ResponderLog::Table)
                .col(big_pk_auto(ResponderLog::Id))
                .col(big_integer(ResponderLog::AccountId))
                .col(string(ResponderLog::Sender))
                .col(big_integer(ResponderLog::RepliedAt))
                .foreign_key(&mut fk_cascade(
                    ResponderLog::Table,
                    ResponderLog::AccountId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "responder_log_account_sender",
            ResponderLog::Table,
            &["account_id", "sender"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(RelayGrants::Table)
                .col(big_pk_auto(RelayGrants::Id))
                .col(big_integer(RelayGrants::DomainId))
                .col(string(RelayGrants::Network))
                .col(text(RelayGrants::Note).default(""))
                .col(integer(RelayGrants::HourlyCap).default(200))
                .col(big_integer_null(RelayGrants::ExpiresAt))
                .col(big_integer_null(RelayGrants::RevokedAt))
                .col(string(RelayGrants::CreatedBy))
                .col(big_integer(RelayGrants::CreatedAt))
                .foreign_key(&mut fk_cascade(
                    RelayGrants::Table,
                    RelayGrants::DomainId,
                    Domains::Table,
                    Domains::Id,
                ))
                .to_owned(),
        )
        .await?;

        // The audit log outlives what it talks about: no foreign keys.
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(big_integer(AuditLog::At))
                .col(string(AuditLog::Actor))
                .col(string_null(AuditLog::Ip))
                .col(big_integer_null(AuditLog::DomainId))
                .col(string(AuditLog::Action))
                .col(text(AuditLog::Target))
                .col(text(AuditLog::Detail))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "audit_domain_at",
            AuditLog::Table,
            &["domain_id", "at"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(WebSessions::Table)
                .col(string(WebSessions::IdHash).primary_key())
                .col(big_integer_null(WebSessions::AccountId))
                .col(text(WebSessions::Data))
                .col(big_integer(WebSessions::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "web_sessions_account",
            WebSessions::Table,
            &["account_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "web_sessions_expiry",
            WebSessions::Table,
            &["expires_at"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Backups::Table)
                .col(big_pk_auto(Backups::Id))
                .col(big_integer(Backups::AccountId))
                .col(big_integer(Backups::CreatedAt))
                .col(big_integer(Backups::Size))
                .col(big_integer(Backups::MessageCount))
                .col(string(Backups::Sha256))
                .col(blob(Backups::Data))
                .foreign_key(&mut fk_cascade(
                    Backups::Table,
                    Backups::AccountId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(MaildropLocks::Table)
                .col(big_integer(MaildropLocks::AccountId).primary_key())
                .col(string(MaildropLocks::Holder))
                .col(big_integer(MaildropLocks::ExpiresAt))
                .foreign_key(&mut fk_cascade(
                    MaildropLocks::Table,
                    MaildropLocks::AccountId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            MaildropLocks::Table.into_iden(),
            Backups::Table.into_iden(),
            WebSessions::Table.into_iden(),
            AuditLog::Table.into_iden(),
            RelayGrants::Table.into_iden(),
            ResponderLog::Table.into_iden(),
            OutboundQueue::Table.into_iden(),
            Messages::Table.into_iden(),
            Aliases::Table.into_iden(),
            Accounts::Table.into_iden(),
            Domains::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
