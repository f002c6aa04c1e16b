//! One-time codes of authenticator apps (TOTP, RFC 6238: HMAC-SHA-1, 6 digits, 30-second
//! steps, what every app understands) with `totp-rs`. A code of the step before or after is
//! accepted too (clocks drift, people type slowly: §5.2 allows one step of delay); which
//! step matched is returned so that the store can refuse it a second time (§5.2: "MUST NOT
//! accept the second attempt of the same OTP").

use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Bytes of a new secret (RFC 4226 §4 R6 recommends 160 bits).
pub const SECRET_BYTES: usize = 20;

/// A new random secret, base32 as apps take it.
pub fn new_secret() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut bytes);
    Secret::from(bytes.to_vec()).to_base32()
}

fn totp(secret_b32: &str, issuer: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_b32).ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        // A `:` separates issuer and account in the label: none inside either.
        .with_issuer(Some(issuer.replace(':', " ")))
        .with_account_name(account.replace(':', " "))
        .build()
        .ok()
}

/// The `otpauth://totp/…` address the enrolment QR code holds.
pub fn url(secret_b32: &str, issuer: &str, account: &str) -> Option<String> {
    totp(secret_b32, issuer, account)?.to_url().ok()
}

/// The time step (counter) `code` is right for at `now`, if any.
pub fn step_of(secret_b32: &str, code: &str, now: i64) -> Option<i64> {
    let t = totp(secret_b32, "courrier", "x")?;
    t.check(code, u64::try_from(now).ok()?)
        .and_then(|s| i64::try_from(s).ok())
}

/// The code an app shows at `now` (for tests, and to check the arithmetic).
pub fn code_at(secret_b32: &str, now: i64) -> Option<String> {
    let t = totp(secret_b32, "courrier", "x")?;
    Some(t.generate(u64::try_from(now).ok()?).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1, last six digits.
    #[test]
    fn rfc_6238_vectors() {
        // "12345678901234567890" in base32.
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(secret, t).as_deref(), Some(code), "T={t}");
            assert_eq!(step_of(secret, code, t), Some(t / 30));
        }
    }

    #[test]
    fn one_step_either_side_and_no_more() {
        let s = new_secret();
        let now = 1_800_000_015;
        let code = code_at(&s, now).unwrap();
        assert_eq!(step_of(&s, &code, now + 30), Some(now / 30));
        assert_eq!(step_of(&s, &code, now - 30), Some(now / 30));
        assert_eq!(step_of(&s, &code, now + 90), None);
        assert_eq!(step_of(&s, "000000x", now), None);
        assert_eq!(step_of("not base32!", &code, now), None);
    }

    #[test]
    fn enrolment_address() {
        let u = url(
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "votredomaine.com",
            "pmartin@votredomaine.com",
        )
        .unwrap();
        assert!(u.starts_with("otpauth://totp/votredomaine.com:pmartin%40votredomaine.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "{u}");
        assert!(u.contains("issuer=votredomaine.com"), "{u}");
    }
}
