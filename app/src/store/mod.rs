//! The only place that speaks SQL: SeaORM entities, migrations and the queries the product
//! needs, on SQLite (default) and PostgreSQL alike.

pub mod accounts;
pub mod aliases;
pub mod app_passwords;
pub mod audit;
pub mod backups;
pub mod certificates;
pub mod connect;
pub mod copy;
pub mod delivery;
pub mod dkim;
pub mod domain_aliases;
pub mod domain_limits;
pub mod domains;
pub mod entities;
pub mod error;
pub mod filter;
pub mod housekeeping;
pub mod imports;
pub mod job_turns;
pub mod mail_settings;
mod mail_writer;
pub mod maildrop;
mod migration;
pub mod mta_sts;
pub mod notices;
pub mod queue;
pub mod recovery;
pub mod relay;
pub mod scratch;
pub mod second_factor;
pub mod server_settings;
pub mod sessions;
pub mod sign_ins;
#[cfg(test)]
pub(crate) mod testing;
pub mod wal;

pub use audit::Actor;
pub use connect::{Engine, sqlite_url_for};
pub use error::{Result, StoreError};

use sea_orm::{ConnectionTrait, DatabaseConnection};

/// A handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// Commits that do not wait for the disk (`connect::Durability::Fast`).
    fast: DatabaseConnection,
    engine: Engine,
    /// Read once from the database (`server_settings`).
    srs_secret: std::sync::Arc<tokio::sync::OnceCell<Vec<u8>>>,
    /// Bumped whenever this process changes a password or suspends an account, so that open
    /// mail sessions look again at once (see `auth::standing`).
    credentials_changed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Where temporary files go (see `scratch`).
    scratch: std::sync::Arc<std::path::PathBuf>,
    /// The sub-address separator as a `u32` (0: off); `+` unless configured.
    subaddress: std::sync::Arc<std::sync::atomic::AtomicU32>,
    /// SQLite: the writer of mail is asked to finish a checkpoint (see `wal`).
    wal_catch_up: std::sync::Arc<wal::CatchUp>,
}

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        let engine = connect::engine_of(url)?;
        let db = connect::connect(url).await?;
        connect::migrate(&db).await?;
        let fast = connect::connect_with(url, connect::Durability::Fast).await?;
        Ok(Store {
            db,
            fast,
            engine,
            srs_secret: Default::default(),
            credentials_changed: Default::default(),
            scratch: std::sync::Arc::new(scratch::default_dir()),
            subaddress: std::sync::Arc::new(std::sync::atomic::AtomicU32::new(u32::from(
                crate::domain::recipient::DEFAULT_SEPARATOR,
            ))),
            wal_catch_up: Default::default(),
        })
    }

    /// Sets the sub-address separator (None: sub-addressing off).
    pub fn set_subaddress_separator(&self, separator: Option<char>) {
        self.subaddress.store(
            separator.map_or(0, u32::from),
            std::sync::atomic::Ordering::Release,
        );
    }

    /// The sub-address separator, if sub-addressing is on.
    pub fn subaddress_separator(&self) -> Option<char> {
        char::from_u32(self.subaddress.load(std::sync::atomic::Ordering::Acquire))
            .filter(|c| *c != '\0')
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// For writes a crash may lose without harm (see `connect::Durability::Fast`).
    pub(crate) fn fast(&self) -> &DatabaseConnection {
        &self.fast
    }

    /// A transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: the write lock is
    /// taken (waiting up to the busy timeout) before the first read, so a transaction never
    /// fails half-way with "database is locked" when it upgrades from reading to writing.
    pub async fn write_txn(&self) -> Result<sea_orm::DatabaseTransaction> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.engine == Engine::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// A round trip to the database, for the health endpoint.
    pub async fn ping(&self) -> Result<()> {
        self.db.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    /// Closes the pool; on SQLite, first copies what it can of the WAL back (PASSIVE: never
    /// waits on another process that is writing).
    pub async fn close(self) {
        if self.engine == Engine::Sqlite {
            let _ = self
                .db
                .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                .await;
        }
        let _ = self.fast.close().await;
        let _ = self.db.close().await;
    }
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Whether a database error is a unique-constraint violation (a lost race on insert).
pub(crate) fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[cfg(test)]
mod tests;
