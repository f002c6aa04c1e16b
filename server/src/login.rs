//! Checking a mailbox password at a mail door (POP3, submission): the throttle shared with the
//! web sign-in, counted on the account whichever login form was typed, and the auth cache;
//! and the SASL PLAIN response both doors accept (RFC 4616).

use app::auth::cache::AuthCache;
use app::auth::throttle::Throttle;
use app::domain::LoginInput;
use app::store::Store;
use app::store::accounts::AuthFailure;
use app::store::entities::account;
use base64::Engine;
use std::net::IpAddr;
use std::time::Duration;

/// What a password check came to.
pub enum Checked {
    Ok(Box<account::Model>),
    /// Too many failures lately: refused without looking, for this long.
    Throttled(Duration),
    /// The password is right, but logins of this account are blocked.
    Suspended,
    Wrong,
    /// The database did not answer.
    Unavailable(String),
}

/// Checks `password` for the login or address `typed` from `ip`; failures count against the
/// account and the address, a success clears the account's count.
pub async fn check_password(
    store: &Store,
    throttle: &Throttle,
    cache: &AuthCache,
    ip: IpAddr,
    typed: &str,
    password: &str,
) -> Checked {
    let key = LoginInput::parse(typed)
        .map(|l| l.login)
        .unwrap_or_default();
    if let Err(retry_after) = throttle.pace(ip, &key).await {
        return Checked::Throttled(retry_after);
    }
    match store
        .authenticate_cached(typed, password, Some(cache))
        .await
    {
        Ok(a) => {
            throttle.record_success(&key);
            Checked::Ok(Box::new(a))
        }
        Err(AuthFailure::Suspended) => {
            throttle.record_success(&key);
            Checked::Suspended
        }
        Err(AuthFailure::BadCredentials) => {
            throttle.record_failure(ip, &key);
            Checked::Wrong
        }
        Err(AuthFailure::Unavailable(e)) => Checked::Unavailable(e),
    }
}

/// "Try again in N minute(s)", rounded up.
pub fn minutes(d: Duration) -> u64 {
    d.as_secs().div_ceil(60).max(1)
}

/// Why a PLAIN response was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PlainError {
    NotBase64,
    Shape,
    NotUtf8,
    /// An authorization identity other than the login: acting as someone else.
    OtherUser,
}

impl std::fmt::Display for PlainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PlainError::NotBase64 => "The response is not valid base64",
            PlainError::Shape => "PLAIN expects authorization id, login and password",
            PlainError::NotUtf8 => "The login and password must be UTF-8",
            PlainError::OtherUser => "Logging in as another user is not allowed",
        })
    }
}

/// RFC 4616: base64 of `authzid NUL authcid NUL password` → (login, password).
pub fn decode_plain(encoded: &str) -> Result<(String, String), PlainError> {
    let decoded = decode_base64(encoded).ok_or(PlainError::NotBase64)?;
    let parts: Vec<&[u8]> = decoded.split(|&b| b == 0).collect();
    let [authzid, authcid, password] = parts.as_slice() else {
        return Err(PlainError::Shape);
    };
    let (Ok(authzid), Ok(login), Ok(password)) = (
        std::str::from_utf8(authzid),
        std::str::from_utf8(authcid),
        std::str::from_utf8(password),
    ) else {
        return Err(PlainError::NotUtf8);
    };
    if !authzid.is_empty() && !authzid.eq_ignore_ascii_case(login) {
        return Err(PlainError::OtherUser);
    }
    Ok((login.to_string(), password.to_string()))
}

pub fn decode_base64(encoded: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
}

pub fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_responses() {
        let enc = |s: &[u8]| encode_base64(s);
        assert_eq!(
            decode_plain(&enc(b"\0pmartin\0mot de passe")),
            Ok(("pmartin".into(), "mot de passe".into()))
        );
        assert_eq!(
            decode_plain(&enc(b"PMartin\0pmartin\0x")).map(|p| p.0),
            Ok("pmartin".into())
        );
        assert_eq!(
            decode_plain(&enc(b"cdupont\0pmartin\0x")),
            Err(PlainError::OtherUser)
        );
        assert_eq!(decode_plain("%%%"), Err(PlainError::NotBase64));
        assert_eq!(decode_plain(&enc(b"pmartin\0x")), Err(PlainError::Shape));
        assert_eq!(
            decode_plain(&enc(b"\0pm\xffartin\0x")),
            Err(PlainError::NotUtf8)
        );
        assert_eq!(minutes(Duration::from_secs(61)), 2);
        assert_eq!(minutes(Duration::ZERO), 1);
    }
}
