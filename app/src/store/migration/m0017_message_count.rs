//! `accounts.message_count` beside `used_bytes`, kept by the same trigger (m0002): a POP3
//! login then reads how many messages a maildrop holds, and their octets, from one row
//! instead of listing them (issue 18: the login stays flat at 100,000 messages; the listing is
//! read only when a command needs it, see `store::maildrop`). Both figures are counted again
//! from the messages here, so a database of any age starts exact.

use super::m0002_used_bytes_trigger as m0002;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    MessageCount,
}

const RECOUNT: &str = "UPDATE accounts SET \
       message_count = (SELECT count(*) FROM messages WHERE messages.account_id = accounts.id), \
       used_bytes = (SELECT coalesce(sum(size), 0) FROM messages \
                     WHERE messages.account_id = accounts.id)";

/// m0002's triggers go, in either direction: each is created anew.
const SQLITE_DROP: &[&str] = &[
    "DROP TRIGGER messages_used_bytes_insert",
    "DROP TRIGGER messages_used_bytes_delete",
];

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER messages_used_bytes_insert AFTER INSERT ON messages BEGIN \
       UPDATE accounts SET used_bytes = used_bytes + NEW.size, \
         message_count = message_count + 1 WHERE id = NEW.account_id; END",
    "CREATE TRIGGER messages_used_bytes_delete AFTER DELETE ON messages BEGIN \
       UPDATE accounts SET used_bytes = used_bytes - OLD.size, \
         message_count = message_count - 1 WHERE id = OLD.account_id; END",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE OR REPLACE FUNCTION messages_used_bytes() RETURNS trigger AS $$ BEGIN \
       IF TG_OP = 'INSERT' THEN \
         UPDATE accounts SET used_bytes = used_bytes + NEW.size, \
           message_count = message_count + 1 WHERE id = NEW.account_id; \
       ELSE \
         UPDATE accounts SET used_bytes = used_bytes - OLD.size, \
           message_count = message_count - 1 WHERE id = OLD.account_id; \
       END IF; \
       RETURN NULL; END $$ LANGUAGE plpgsql",
];

/// Undone: m0002's function and trigger again.
const POSTGRES_DROP: &[&str] = &[
    "DROP TRIGGER messages_used_bytes ON messages",
    "DROP FUNCTION messages_used_bytes()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(big_integer(Accounts::MessageCount).default(0))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => [POSTGRES_UP, &[RECOUNT]].concat(),
            _ => [SQLITE_DROP, SQLITE_UP, &[RECOUNT]].concat(),
        };
        // One batch: run as separate statements on SQLite (each may take another of the
        // pool's connections), the CREATE failed with "trigger … already exists" right after
        // its DROP.
        db.execute_unprepared(&statements.join(";\n")).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => [POSTGRES_DROP, m0002::POSTGRES_UP].concat(),
            _ => [SQLITE_DROP, m0002::SQLITE_UP].concat(),
        };
        db.execute_unprepared(&statements.join(";\n")).await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .drop_column(Accounts::MessageCount)
                .to_owned(),
        )
        .await
    }
}
