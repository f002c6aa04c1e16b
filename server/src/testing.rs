//! Test support for the protocol sessions: a real store (SQLite in a temporary directory)
//! hosting votredomaine.com, as in the host's help page.

use app::domain::Role;
use app::store::accounts::NewUser;
use app::store::{Actor, Store};

/// A temporary directory, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh store hosting votredomaine.com with its webmaster Pierre Martin (`pmartin`) and
/// Claire Dupont (`cdupont`) with these aliases and this quota.
pub async fn votredomaine(aliases: &[&str], quota_bytes: Option<i64>) -> (TempDir, Store) {
    let dir = std::env::temp_dir().join(format!("courrier-unit-{}", app::auth::random_hex(6)));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&app::store::sqlite_url_for(&dir))
        .await
        .unwrap();
    store
        .add_domain(
            &Actor::cli(),
            "votredomaine.com",
            Some(("Pierre", "Martin")),
        )
        .await
        .unwrap();
    let user = NewUser {
        first: "Claire".into(),
        last: "Dupont".into(),
        role: Role::User,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        quota_bytes,
    };
    store
        .add_user(&Actor::cli(), "votredomaine.com", &user)
        .await
        .unwrap();
    (TempDir(dir), store)
}
