//! An authentication cache like Dovecot's: a client that polls every minute must not pay a
//! full argon2 verification each time.
//!
//! What is kept, per account, is a keyed SHA-256 of the password that last verified, together
//! with the account's PHC string at that moment. A login hits the cache only when the account
//! (read from the database on every login) still has that very PHC string — any password change
//! writes a new salt, so the entry is void the moment the password changes, in this process
//! and in every other sharing the database — and when the keyed hash of the typed password is
//! equal. The key is random per process: the digests are worth nothing outside it. A wrong
//! password can only hit by a SHA-256 collision; failures are never cached.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an entry serves before argon2 is paid again.
pub const TTL: Duration = Duration::from_secs(60 * 60);
/// Entries kept at most (about 100 bytes each).
pub const CAPACITY: usize = 50_000;

struct Entry {
    phc: String,
    digest: [u8; 32],
    at: Instant,
}

pub struct AuthCache {
    key: [u8; 32],
    entries: Mutex<HashMap<i64, Entry>>,
}

impl Default for AuthCache {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for AuthCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthCache").finish_non_exhaustive()
    }
}

impl AuthCache {
    pub fn new() -> AuthCache {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        AuthCache {
            key,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn digest(&self, account_id: i64, password: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(account_id.to_be_bytes());
        h.update(password.as_bytes());
        h.finalize().into()
    }

    /// Whether `password` verified for this account while its PHC string was `phc`.
    pub fn hit(&self, account_id: i64, phc: &str, password: &str) -> bool {
        let digest = self.digest(account_id, password);
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(&account_id).is_some_and(|e| {
            e.at.elapsed() < TTL && e.phc == phc && constant_time_eq(&e.digest, &digest)
        })
    }

    /// Remembers a password that argon2 just verified against `phc`.
    pub fn remember(&self, account_id: i64, phc: &str, password: &str) {
        let entry = Entry {
            phc: phc.to_string(),
            digest: self.digest(account_id, password),
            at: Instant::now(),
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.retain(|_, e| e.at.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(account_id, entry);
    }

    /// Forgets an account (its password changed here; other processes see the new PHC).
    pub fn forget(&self, account_id: i64) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&account_id);
    }
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_only_the_same_password_and_hash() {
        let c = AuthCache::new();
        assert!(!c.hit(1, "$phc1", "secret"));
        c.remember(1, "$phc1", "secret");
        assert!(c.hit(1, "$phc1", "secret"));
        assert!(!c.hit(1, "$phc1", "Secret"), "case matters");
        assert!(!c.hit(1, "$phc1", "secret "));
        assert!(!c.hit(1, "$phc2", "secret"), "a new hash voids the entry");
        assert!(!c.hit(2, "$phc1", "secret"), "per account");
        c.forget(1);
        assert!(!c.hit(1, "$phc1", "secret"));
    }

    #[test]
    fn two_caches_do_not_share_digests() {
        let (a, b) = (AuthCache::new(), AuthCache::new());
        assert_ne!(a.digest(1, "x"), b.digest(1, "x"));
    }
}
