//! `accounts.used_bytes` kept by the database itself: a trigger adds each stored message's size
//! and subtracts it when the message goes. No code path (SMTP delivery, POP3 deletes, restore)
//! can forget it, and a delivery is one INSERT.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Also what m0017 puts back when it is undone.
pub(super) const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER messages_used_bytes_insert AFTER INSERT ON messages BEGIN \
       UPDATE accounts SET used_bytes = used_bytes + NEW.size WHERE id = NEW.account_id; END",
    "CREATE TRIGGER messages_used_bytes_delete AFTER DELETE ON messages BEGIN \
       UPDATE accounts SET used_bytes = used_bytes - OLD.size WHERE id = OLD.account_id; END",
];

pub(super) const POSTGRES_UP: &[&str] = &[
    "CREATE FUNCTION messages_used_bytes() RETURNS trigger AS $$ BEGIN \
       IF TG_OP = 'INSERT' THEN \
         UPDATE accounts SET used_bytes = used_bytes + NEW.size WHERE id = NEW.account_id; \
       ELSE \
         UPDATE accounts SET used_bytes = used_bytes - OLD.size WHERE id = OLD.account_id; \
       END IF; \
       RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER messages_used_bytes AFTER INSERT OR DELETE ON messages \
       FOR EACH ROW EXECUTE FUNCTION messages_used_bytes()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let statements: &[&str] = match db.get_database_backend() {
            DbBackend::Postgres => &[
                "DROP TRIGGER messages_used_bytes ON messages",
                "DROP FUNCTION messages_used_bytes()",
            ],
            _ => &[
                "DROP TRIGGER messages_used_bytes_insert",
                "DROP TRIGGER messages_used_bytes_delete",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
