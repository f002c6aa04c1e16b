//! Checking a password at any door (web sign-in, POP3, submission, `/personal`): the
//! throttle counted on the account whichever login form was typed and on the address, then
//! the cached verification.

use super::cache::AuthCache;
use super::throttle::{Limits, Throttle};
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
    /// Too many passwords are being verified right now: nothing was decided, try again in a
    /// moment (HTTP 503, `-ERR [SYS/TEMP]`, `454 4.7.0`).
    Busy,
    /// The database did not answer.
    Unavailable(String),
}

/// What every door checks passwords with: one throttle and one auth cache for the web, POP3
/// and submission together (guessing is counted across doors; a client polling POP3 and
/// signing in to the web pays argon2 once).
#[derive(Debug, Default)]
pub struct Gate {
    pub throttle: Throttle,
    pub cache: AuthCache,
}

impl Gate {
    pub fn new(limits: Limits) -> Gate {
        Gate {
            throttle: Throttle::new(limits),
            cache: AuthCache::new(),
        }
    }

    /// Checks `password` for the login or address `typed` from `ip`. The attempt is reserved
    /// in the throttle before anything is verified (parallel guesses count one each), paced by
    /// recent failures, then verified (through the cache, else on the bounded hashing pool);
    /// a success gives the reservation back and trusts this address for the account (see
    /// `auth::throttle`).
    pub async fn check(&self, store: &Store, ip: IpAddr, typed: &str, password: &str) -> Checked {
        let key = LoginInput::parse(typed)
            .map(|l| l.login)
            .unwrap_or_default();
        let attempt = match self.throttle.begin(ip, &key) {
            Ok(a) => a,
            Err(refused) => return Checked::Throttled(refused.retry_after),
        };
        attempt.pace().await;
        verdict(
            attempt,
            store
                .authenticate_cached(typed, password, Some(&self.cache))
                .await,
        )
    }
}

/// What an attempt came to, and what the throttle keeps of it.
fn verdict(
    attempt: super::throttle::Attempt<'_>,
    result: std::result::Result<account::Model, AuthFailure>,
) -> Checked {
    match result {
        Ok(a) => {
            attempt.succeeded();
            Checked::Ok(Box::new(a))
        }
        Err(AuthFailure::Suspended) => {
            attempt.succeeded();
            Checked::Suspended
        }
        // The reservation stays: it was this failure.
        Err(AuthFailure::BadCredentials) => Checked::Wrong,
        Err(AuthFailure::Busy) => {
            attempt.not_verified();
            Checked::Busy
        }
        Err(AuthFailure::Unavailable(e)) => {
            attempt.not_verified();
            Checked::Unavailable(e)
        }
    }
}

/// "Try again in N minute(s)", rounded up.
pub fn minutes(d: Duration) -> u64 {
    d.as_secs().div_ceil(60).max(1)
}

/// What a throttled door says: too many failed attempts, try again in N minutes.
pub fn throttled_text(wait: Duration, lang: crate::i18n::Lang) -> String {
    let n = crate::i18n::count(
        minutes(wait),
        lang,
        ("minute", "minutes"),
        ("minute", "minutes"),
    );
    crate::tr!(
        lang,
        "Trop d'essais infructueux. Réessayez dans {n}.",
        "Too many failed attempts. Try again in {n}."
    )
}
