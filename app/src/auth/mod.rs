//! Passwords on the server side: argon2id hashing and verification, and random generation.

pub mod cache;
pub mod check;
pub mod pool;
pub mod standing;
pub mod throttle;
pub mod totp;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). CPU-heavy: call from a blocking task.
pub fn hash_password_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters cannot fail")
        .to_string()
}

/// Constant-time check of `password` against a PHC string. A malformed hash never matches.
pub fn verify_password_blocking(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Hashes a new password on the hashing pool, waiting for room (signed-in callers only).
pub async fn hash_password(password: String) -> String {
    match pool::pool()
        .run_waiting({
            let password = password.clone();
            move || hash_password_blocking(&password)
        })
        .await
    {
        Some(h) => h,
        // The pool's threads are gone (never, short of a panic there): hash here.
        None => tokio::task::spawn_blocking(move || hash_password_blocking(&password))
            .await
            .expect("hashing task does not panic"),
    }
}

/// Verifies `password` against `phc` (None: against the decoy, for a login that does not
/// exist) on the hashing pool, or [`pool::Busy`] when it has no room.
pub async fn verify_password(password: String, phc: Option<String>) -> Result<bool, pool::Busy> {
    pool::pool()
        .try_run(move || match phc {
            Some(phc) => verify_password_blocking(&password, &phc),
            None => {
                verify_password_blocking(&password, decoy_hash());
                false
            }
        })
        .await
}

/// A hash of a random password, verified against when the login does not exist, so that a
/// wrong login and a wrong password take the same time.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password_blocking(&generate_password()))
}

/// A new random password from the OS RNG (DESIGN §2 rule 2).
pub fn generate_password() -> String {
    random_secret(crate::domain::password_from_random)
}

/// A secret the server makes from the OS RNG with `make` (which says None when the bytes
/// run out, a rejection sampler's rare case: draw again).
pub fn random_secret(make: impl Fn(&[u8]) -> Option<String>) -> String {
    loop {
        let mut bytes = [0u8; 64];
        OsRng.fill_bytes(&mut bytes);
        if let Some(s) = make(&bytes) {
            return s;
        }
    }
}

/// SHA-256 of a high-entropy secret the server made (app passwords, recovery codes, reset
/// tokens), hex: such secrets need no slow hash, and a lookup finds them by this value.
pub fn secret_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Random hex, for identifiers that must never repeat (UIDLs, lease holders).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex(&buf)
}

/// Lower-case hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_password_blocking("Le chat dort");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password_blocking("Le chat dort", &h));
        assert!(
            !verify_password_blocking("le chat dort", &h),
            "passwords are case-sensitive"
        );
        assert!(!verify_password_blocking("Le chat dort", "not a hash"));
    }

    #[test]
    fn generated_passwords_differ() {
        let a = generate_password();
        let b = generate_password();
        assert_ne!(a, b);
        assert_eq!(a.len(), crate::domain::password::GENERATED_LEN);
    }
}
