//! Whether a `courrier serve` runs on a SQLite database. `serve` holds a shared lock on a
//! file beside the database (`courrier.db.lock`) for as long as it runs; `courrier migrate`
//! takes it exclusively, so it refuses a running source and a `serve` started during the
//! copy waits for it. The lock is the kernel's (flock): a process that dies lets go of it.

use anyhow::{Context, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The database file of a `sqlite://` URL.
pub fn sqlite_path(url: &str) -> PathBuf {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

fn lock_file(db: &Path) -> Result<File> {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&name)
        .with_context(|| format!("cannot open {}", Path::new(&name).display()))
}

/// For `serve`: the lock of its SQLite database, held while it runs (None on PostgreSQL). A
/// migration in progress is waited for.
pub fn serving(url: &str) -> Result<Option<File>> {
    if !url.starts_with("sqlite:") {
        return Ok(None);
    }
    let db = sqlite_path(url);
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let f = lock_file(&db)?;
    match f.try_lock_shared() {
        Ok(()) => return Ok(Some(f)),
        Err(TryLockError::WouldBlock) => {
            println!("waiting: courrier migrate is copying {}", db.display());
            tracing::warn!(database = %db.display(), "waiting for a migration to end");
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}.lock", db.display()));
        }
    }
    f.lock_shared()
        .with_context(|| format!("cannot lock {}.lock", db.display()))?;
    Ok(Some(f))
}

/// For `migrate`: the lock, or None while a `serve` holds it.
pub fn exclusive(db: &Path) -> Result<Option<File>> {
    let f = lock_file(db)?;
    match f.try_lock() {
        Ok(()) => Ok(Some(f)),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}.lock", db.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `serving` holds, for a path.
    fn shared(db: &Path) -> Result<File> {
        let f = lock_file(db)?;
        f.lock_shared()
            .with_context(|| format!("cannot lock {}.lock", db.display()))?;
        Ok(f)
    }

    #[test]
    fn the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_path("sqlite:///var/lib/courrier/courrier.db"),
            PathBuf::from("/var/lib/courrier/courrier.db")
        );
        assert_eq!(
            sqlite_path("sqlite://data/courrier.db?mode=rwc"),
            PathBuf::from("data/courrier.db")
        );
    }

    #[test]
    fn a_serve_keeps_a_migration_out() {
        let dir = std::env::temp_dir().join(format!("courrier-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("courrier.db");
        let serving = shared(&db).unwrap();
        let other = shared(&db).unwrap();
        assert!(exclusive(&db).unwrap().is_none());
        drop((serving, other));
        let migrating = exclusive(&db).unwrap();
        assert!(migrating.is_some());
        drop(migrating);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
