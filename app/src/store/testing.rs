//! Test support: every store test runs on SQLite and on PostgreSQL.
//!
//! PostgreSQL comes from `COURRIER_TEST_PG_URL` (a superuser URL of a throwaway cluster, which
//! the README's test command starts); each test gets its own fresh database. When
//! `COURRIER_TEST_REQUIRE_PG=1` (the test command sets it) a missing URL is a failure, not a skip.

use super::Store;
use sea_orm::{ConnectionTrait, Database};
use std::future::Future;
use std::path::PathBuf;

pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub(crate) fn new() -> TempDir {
        let p = std::env::temp_dir().join(format!("courrier-test-{}", crate::auth::random_hex(8)));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh PostgreSQL database URL, or None when PostgreSQL is not configured.
pub(crate) async fn fresh_pg_url() -> Option<String> {
    let Ok(base) = std::env::var("COURRIER_TEST_PG_URL") else {
        if std::env::var("COURRIER_TEST_REQUIRE_PG").as_deref() == Ok("1") {
            panic!("COURRIER_TEST_REQUIRE_PG=1 but COURRIER_TEST_PG_URL is not set");
        }
        eprintln!("note: COURRIER_TEST_PG_URL not set, PostgreSQL half of the test skipped");
        return None;
    };
    let name = format!("courrier_test_{}", crate::auth::random_hex(6));
    let admin = Database::connect(base.as_str())
        .await
        .expect("connect to the test PostgreSQL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    let _ = admin.close().await;
    let (prefix, _) = base.rsplit_once('/').expect("URL has a database part");
    Some(format!("{prefix}/{name}"))
}

/// Runs `body` on a fresh SQLite store, then on a fresh PostgreSQL store.
pub(crate) async fn on_both<F, Fut>(body: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = TempDir::new();
    let url = super::sqlite_url_for(&dir.0);
    let store = Store::open(&url).await.expect("open SQLite");
    body(store.clone()).await;
    store.close().await;
    if let Some(url) = fresh_pg_url().await {
        let store = Store::open(&url).await.expect("open PostgreSQL");
        assert_eq!(store.engine(), super::Engine::Postgres);
        body(store.clone()).await;
        store.close().await;
    }
}
