//! On PostgreSQL, message bodies (`messages.raw`, `outbound_queue.raw`) are compressed with
//! lz4 instead of the default pglz when TOAST stores them. pglz cost more than everything else
//! in committing a 256 KiB message: one connection delivered 205–227 msg/s with it, 391 msg/s
//! with lz4 (issue 18, `mailbench.py smtp --conns 1 --size 262144`, same database before and
//! after `ALTER … SET COMPRESSION lz4`). Bodies stored earlier keep their compression; a
//! server without lz4 (built without it, or older than PostgreSQL 14, which has no per-column
//! compression) keeps pglz: the change is skipped, with a notice. SQLite: nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `EXECUTE`, not the statements themselves: PL/pgSQL would parse them when the block is
/// compiled, and `SET COMPRESSION` is a syntax error before PostgreSQL 14.
fn compression(method: &str) -> String {
    format!(
        "DO $$ BEGIN \
           IF current_setting('server_version_num')::int < 140000 THEN \
             RAISE NOTICE 'message bodies keep the default compression (PostgreSQL < 14)'; \
             RETURN; \
           END IF; \
           EXECUTE 'ALTER TABLE messages ALTER COLUMN raw SET COMPRESSION {method}'; \
           EXECUTE 'ALTER TABLE outbound_queue ALTER COLUMN raw SET COMPRESSION {method}'; \
         EXCEPTION WHEN feature_not_supported THEN \
           RAISE NOTICE 'message bodies keep the default compression: %', SQLERRM; \
         END $$"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&compression("lz4")).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&compression("DEFAULT")).await?;
        }
        Ok(())
    }
}
