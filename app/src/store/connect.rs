//! Opening the database: SQLite by default (WAL, `synchronous=FULL`, foreign keys, busy
//! timeout — per connection), PostgreSQL for larger hosts; then the migrations.

use super::error::{Result, StoreError};
use super::migration::Migrator;
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, SqlxSqliteConnector};
use sea_orm_migration::MigratorTrait;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The default database: `DATA_DIR/courrier.db`.
pub fn sqlite_url_for(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("courrier.db").display())
}

pub fn engine_of(url: &str) -> Result<Engine> {
    if url.starts_with("sqlite:") {
        Ok(Engine::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Engine::Postgres)
    } else {
        Err(StoreError::BadUrl(format!(
            "{} (expected sqlite://PATH or postgres://USER@HOST/DB)",
            redact(url)
        )))
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Whether a commit waits for the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Every commit is on disk before it returns (SQLite `synchronous=FULL`, PostgreSQL's
    /// default): mail, accounts, settings.
    Durable,
    /// Commits return once the database has them, before the disk does (SQLite
    /// `synchronous=OFF`, PostgreSQL `synchronous_commit=off`); the database stays consistent,
    /// a crash may only lose the last of these commits. For state that a crash makes moot:
    /// maildrop leases, last-login times.
    Fast,
}

pub async fn connect(url: &str) -> Result<DatabaseConnection> {
    connect_with(url, Durability::Durable).await
}

pub async fn connect_with(url: &str, durability: Durability) -> Result<DatabaseConnection> {
    let fast = durability == Durability::Fast;
    match engine_of(url)? {
        Engine::Sqlite => {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl(format!("{url}: {e}")))?;
            if let Some(dir) = opts.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Unreachable(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            let opts = opts
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(if fast {
                    SqliteSynchronous::Off
                } else {
                    SqliteSynchronous::Full
                })
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Checkpoints run in the background (`store::wal`), not inside
                // the commit that happens to cross the threshold: delivery latency stays flat.
                .pragma("wal_autocheckpoint", "0")
                // When the log starts again, its file is cut back to 128 MiB (`wal::BOUND`).
                .pragma("journal_size_limit", "134217728");
            let pool = SqlitePoolOptions::new()
                .max_connections(if fast { 2 } else { 8 })
                // An in-process database cannot go stale: no ping (a round trip to the
                // connection's thread) before each query.
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(30));
            let pool = if fast {
                // Opened after the durable pool proved the database: connect on first use
                // (CLI commands never use it).
                pool.connect_lazy_with(opts)
            } else {
                pool.connect_with(opts)
                    .await
                    .map_err(|e| StoreError::Unreachable(format!("{url}: {e}")))?
            };
            Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
        }
        Engine::Postgres => {
            // The fast pool comes after the durable one has probed the server: it connects
            // on first use (CLI commands never use it).
            if !fast {
                probe_postgres(url).await?;
            }
            let mut opts = ConnectOptions::new(url.to_string());
            if fast {
                opts.map_sqlx_postgres_opts(|o| o.options([("synchronous_commit", "off")]));
            }
            opts.max_connections(if fast { 4 } else { 16 })
                .min_connections(if fast { 0 } else { 1 })
                .connect_lazy(fast)
                .connect_timeout(Duration::from_secs(5))
                .acquire_timeout(Duration::from_secs(30))
                .sqlx_logging(false);
            Database::connect(opts)
                .await
                .map_err(|e| StoreError::Unreachable(format!("{}: {e}", redact(url))))
        }
    }
}

/// One direct connection first: a pool would retry until its timeout and then report only
/// "pool timed out", hiding the cause (refused, unknown host, bad password).
async fn probe_postgres(url: &str) -> Result<()> {
    use sea_orm::sqlx::Connection;
    let probe = tokio::time::timeout(
        Duration::from_secs(10),
        sea_orm::sqlx::PgConnection::connect(url),
    )
    .await;
    match probe {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(StoreError::Unreachable(format!("{}: {e}", redact(url)))),
        Err(_) => Err(StoreError::Unreachable(format!(
            "{}: no answer within 10 seconds",
            redact(url)
        ))),
    }
}

/// The advisory lock of first-start work on PostgreSQL (migrations, the first server admin):
/// instances started together on an empty database do it once, the others wait and go on.
pub const FIRST_START_LOCK: i64 = 0x636f_7572_7269_6572; // "courrier"

/// Holds [`FIRST_START_LOCK`] until `txn` ends (PostgreSQL; SQLite's write transaction is
/// already exclusive).
pub async fn hold_first_start_lock(txn: &impl sea_orm::ConnectionTrait) -> Result<()> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({FIRST_START_LOCK})"))
            .await?;
    }
    Ok(())
}

/// Brings the schema up to date — on PostgreSQL under the first-start lock, held by a
/// transaction of its own while the migrations run on the pool's other connections.
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    use sea_orm::TransactionTrait;
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Migrator::up(db, None).await.map_err(StoreError::from);
    }
    let lock = db.begin().await?;
    hold_first_start_lock(&lock).await?;
    let done = Migrator::up(db, None).await.map_err(StoreError::from);
    lock.commit().await?;
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(engine_of("sqlite://data/x.db").unwrap(), Engine::Sqlite);
        assert_eq!(engine_of("postgres://u@h/d").unwrap(), Engine::Postgres);
        assert!(matches!(engine_of("mysql://x"), Err(StoreError::BadUrl(_))));
        assert_eq!(
            redact("postgres://u:secret@h:5432/d"),
            "postgres://u:***@h:5432/d"
        );
        assert_eq!(redact("postgres://u@h/d"), "postgres://u@h/d");
        assert!(
            !engine_of("ftp://u:pw@x")
                .unwrap_err()
                .to_string()
                .contains("pw")
        );
    }
}
