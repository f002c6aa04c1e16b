//! The only place that speaks SQL: SeaORM entities, migrations and the queries the product
//! needs, on SQLite (default) and PostgreSQL alike.

pub mod accounts;
pub mod aliases;
pub mod audit;
pub mod connect;
pub mod delivery;
pub mod domains;
pub mod entities;
pub mod error;
mod migration;
pub mod relay;
pub mod sessions;
#[cfg(test)]
pub(crate) mod testing;

pub use audit::Actor;
pub use connect::{Engine, sqlite_url_for};
pub use error::{Result, StoreError};

use sea_orm::{ConnectionTrait, DatabaseConnection};

/// A handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    engine: Engine,
}

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        let engine = connect::engine_of(url)?;
        let db = connect::connect(url).await?;
        connect::migrate(&db).await?;
        Ok(Store { db, engine })
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// A round trip to the database, for the health endpoint.
    pub async fn ping(&self) -> Result<()> {
        self.db.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    pub async fn close(self) {
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
