//! The connection the one writer of mail keeps (docs/design.md, "One commit of mail at a
//! time"). A statement on a pooled connection costs a trip to the pool and, as the connection
//! goes back, another statement (sqlx checks every connection it is given back with a ping:
//! on SQLite a round trip to the connection's thread, on PostgreSQL one to the server). The
//! writer holds the turn whenever it commits mail, so it can hold a connection of its own,
//! taken out of the pool (`detach`: the pool may open another in its place) and kept until
//! it fails: the common delivery, one INSERT, then costs that statement alone.

use super::{Result, StoreError};
use sea_orm::sqlx;
use sea_orm::{DatabaseConnection, Statement};
use sea_query_sqlx::SqlxValues;

/// A connection of the database's own engine, out of the pool.
pub(crate) enum Held {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Held::Sqlite(_) => "Held::Sqlite",
            Held::Postgres(_) => "Held::Postgres",
        })
    }
}

/// The error the same statement on the pool gives (sea-orm's), into the store's.
fn failed(e: sqlx::Error) -> StoreError {
    sea_orm::DbErr::Exec(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(e))).into()
}

impl Held {
    /// Takes a connection out of `db`'s pool.
    pub(crate) async fn take(db: &DatabaseConnection) -> Result<Held> {
        Ok(match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                let c = db.get_postgres_connection_pool().acquire().await;
                Held::Postgres(c.map_err(failed)?.detach())
            }
            _ => {
                let c = db.get_sqlite_connection_pool().acquire().await;
                Held::Sqlite(c.map_err(failed)?.detach())
            }
        })
    }

    /// Runs `statement` (built for this engine); the rows it changed.
    pub(crate) async fn execute(&mut self, statement: Statement) -> Result<u64> {
        let Statement { sql, values, .. } = statement;
        let (sql, values) = (
            sqlx::AssertSqlSafe(sql),
            SqlxValues(values.unwrap_or(sea_orm::Values(Vec::new()))),
        );
        let done = match self {
            Held::Sqlite(c) => sqlx::query_with(sql, values)
                .execute(c)
                .await
                .map(|r| r.rows_affected()),
            Held::Postgres(c) => sqlx::query_with(sql, values)
                .execute(c)
                .await
                .map(|r| r.rows_affected()),
        };
        done.map_err(failed)
    }
}
