//! Checking a password at any door (web sign-in, POP3, submission, `/personal`): the
//! throttle counted on the account whichever login form was typed and on the address, then
//! the (optionally cached) verification.

use super::cache::AuthCache;
use super::throttle::Throttle;
use crate::domain::LoginInput;
use crate::store::Store;
use crate::store::accounts::AuthFailure;
use crate::store::entities::account;
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
    cache: Option<&AuthCache>,
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
    match store.authenticate_cached(typed, password, cache).await {
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
