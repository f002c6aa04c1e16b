//! Checking a password at any door (web sign-in, POP3, submission, `/personal`): the
//! throttle counted on the account whichever login form was typed and on the address, then
//! an app password (at the mail doors), else the cached verification of the main password,
//! which a mail door refuses once the account signs in to the web in two steps (issue 16).
//! Each outcome for an existing account is noted in its sign-in history.

use super::cache::AuthCache;
use super::throttle::{Limits, Throttle};
use crate::domain::LoginInput;
use crate::domain::security::{Credential, Door, Method, normalise_app_password};
use crate::store::Store;
use crate::store::accounts::AuthFailure;
use crate::store::entities::account;
use crate::store::sign_ins::SignInNote;
use std::net::IpAddr;
use std::time::Duration;

/// What a password check came to.
pub enum Checked {
    /// Right, by this credential (a web sign-in of an account with a second factor still has
    /// its second step to pass: see [`Gate::check_second_step`]).
    Ok(Box<account::Model>, Credential),
    /// Too many failures lately: refused without looking, for this long.
    Throttled(Duration),
    /// The password is right, but logins of this account are blocked.
    Suspended,
    /// The main password is right, but the account signs in to the web in two steps: mail
    /// programs need an app password (`-ERR [AUTH]`, `535 5.7.8`).
    AppPasswordNeeded,
    Wrong,
    /// Too many passwords are being verified right now: nothing was decided, try again in a
    /// moment (HTTP 503, `-ERR [SYS/TEMP]`, `454 4.7.0`).
    Busy,
    /// The database did not answer.
    Unavailable(String),
}

impl Checked {
    /// The result's name in the metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Checked::Ok(..) => "ok",
            Checked::Throttled(_) => "throttled",
            Checked::Suspended => "suspended",
            Checked::AppPasswordNeeded => "app_password_needed",
            Checked::Wrong => "wrong",
            Checked::Busy => "busy",
            Checked::Unavailable(_) => "unavailable",
        }
    }
}

/// What every door checks passwords with: one throttle and one auth cache for the web, POP3
/// and submission together (guessing is counted across doors; a client polling POP3 and
/// signing in to the web pays argon2 once).
#[derive(Debug, Default)]
pub struct Gate {
    pub throttle: Throttle,
    pub cache: AuthCache,
    /// "Forgotten password" requests, counted apart from sign-ins (a burst of them from an
    /// office must not lock that office out of signing in).
    pub resets: Throttle,
}

impl Gate {
    pub fn new(limits: Limits) -> Gate {
        Gate {
            throttle: Throttle::new(limits),
            cache: AuthCache::new(),
            resets: Throttle::new(super::throttle::Limits {
                per_pair: 5,
                per_network: 20,
                ..limits
            }),
        }
    }

    /// Checks `password` for the login or address `typed` from `ip` at `door`. The attempt is
    /// reserved in the throttle before anything is verified (parallel guesses count one each),
    /// paced by recent failures, then verified: an app password (mail doors only; found by
    /// its hash), else the main password (through the cache, else on the bounded hashing
    /// pool). A success gives the reservation back and trusts this address for the account
    /// (see `auth::throttle`). The sign-in is noted in the account's history, except a web
    /// success: the sign-in page notes it once the second step (if any) is done.
    pub async fn check(
        &self,
        store: &Store,
        ip: IpAddr,
        typed: &str,
        password: &str,
        door: Door,
    ) -> Checked {
        let checked = self.check_password(store, ip, typed, password, door).await;
        crate::metrics::inc(
            crate::metrics::SIGN_INS,
            &[("door", door.as_str()), ("result", checked.name())],
        );
        checked
    }

    async fn check_password(
        &self,
        store: &Store,
        ip: IpAddr,
        typed: &str,
        password: &str,
        door: Door,
    ) -> Checked {
        let input = LoginInput::parse(typed);
        let key = input.as_ref().map(|l| l.login.as_str()).unwrap_or_default();
        let attempt = match self.throttle.begin(ip, key) {
            Ok(a) => a,
            Err(refused) => return Checked::Throttled(refused.retry_after),
        };
        attempt.pace().await;
        let found = match &input {
            Some(input) => match store.account_for_login_input(input).await {
                Ok(a) => a,
                Err(e) => {
                    attempt.not_verified();
                    return Checked::Unavailable(e.to_string());
                }
            },
            None => None,
        };
        let mut note = found.as_ref().map(|a| SignInNote {
            account_id: a.id,
            door,
            method: Method::Password,
            app_password: None,
            ip: ip.to_string(),
            ok: false,
        });
        if let (true, Some(a), Some(typed_app)) =
            (door.is_mail(), &found, normalise_app_password(password))
        {
            match store.app_password_of(a.id, &typed_app).await {
                Ok(Some(p)) => {
                    let name = p.name.clone();
                    let opens = crate::store::app_passwords::opens(&p, door, crate::store::now());
                    let checked = if !opens {
                        // Revoked scope or past its end: a failure like a wrong password.
                        Checked::Wrong
                    } else if a.suspended {
                        attempt.succeeded();
                        Checked::Suspended
                    } else {
                        attempt.succeeded();
                        if let Err(e) = store
                            .note_app_password_use(p.id, door, &ip.to_string())
                            .await
                        {
                            tracing::warn!("cannot note an app password's use: {e}");
                        }
                        Checked::Ok(Box::new(a.clone()), Credential::AppPassword(p.id))
                    };
                    let note = SignInNote {
                        method: Method::AppPassword,
                        app_password: Some(&name),
                        ok: matches!(checked, Checked::Ok(..)),
                        ..note.expect("an account was found")
                    };
                    remember(store, &note).await;
                    return checked;
                }
                // Not one of its app passwords: perhaps the main password has this shape.
                Ok(None) => {}
                Err(e) => {
                    attempt.not_verified();
                    return Checked::Unavailable(e.to_string());
                }
            }
        }
        let result = store.verify_found(found, password, Some(&self.cache)).await;
        let checked = match result {
            Ok(a) => match store.has_second_factor(a.id).await {
                // The password is right but does not open a mail door: no failure is counted
                // (an old mail program polling with it must not lock its owner out), and the
                // network is not trusted for it either.
                Ok(true) if door.is_mail() => {
                    attempt.not_verified();
                    Checked::AppPasswordNeeded
                }
                // The second step decides; only its success trusts this network (else a
                // right password would wipe the wrong codes typed after it).
                Ok(true) => {
                    attempt.not_verified();
                    Checked::Ok(Box::new(a), Credential::MainPassword)
                }
                Ok(false) => verdict(attempt, Ok(a)),
                Err(e) => {
                    attempt.not_verified();
                    Checked::Unavailable(e.to_string())
                }
            },
            other => verdict(attempt, other),
        };
        if let Some(n) = note.as_mut() {
            n.ok = matches!(checked, Checked::Ok(..));
            let noted = match &checked {
                Checked::Ok(..) => door.is_mail(),
                Checked::Wrong | Checked::AppPasswordNeeded | Checked::Suspended => true,
                _ => false,
            };
            if noted {
                remember(store, n).await;
            }
        }
        checked
    }
}

/// What the second step of a web sign-in came to.
pub enum SecondChecked {
    /// Right: by a one-time code or by a recovery code (now used up).
    Ok(Method),
    /// Wrong, already used, or not the shape of either code.
    Wrong,
    Throttled(Duration),
    Unavailable(String),
}

impl Gate {
    /// Checks the second step of `account`'s web sign-in: a one-time code of its app (each
    /// time step accepted once, RFC 6238 §5.2) or one of its recovery codes (single use).
    /// Throttled like passwords, on the same counts (a code is a guess like any other);
    /// a wrong one is noted in the account's history.
    pub async fn check_second_step(
        &self,
        store: &Store,
        ip: IpAddr,
        account: &account::Model,
        typed: &str,
    ) -> SecondChecked {
        use crate::domain::security::{MAX_CODE_FAILURES, SecondStep};
        // Counted apart from passwords: a right password never wipes the wrong codes.
        let attempt = match self.throttle.begin(ip, &format!("2fa:{}", account.login)) {
            Ok(a) => a,
            Err(refused) => return SecondChecked::Throttled(refused.retry_after),
        };
        attempt.pace().await;
        let factor = match store.second_factor(account.id).await {
            Ok(f) => f,
            Err(e) => {
                attempt.not_verified();
                return SecondChecked::Unavailable(e.to_string());
            }
        };
        // Too many wrong codes lately, from anywhere: refused everywhere until the window
        // ends (a password known to someone must not let them try a million codes).
        if let Some(wait) = factor
            .as_ref()
            .and_then(|f| crate::store::second_factor::code_lockout(f, crate::store::now()))
        {
            attempt.not_verified();
            return SecondChecked::Throttled(wait);
        }
        let taken = match (SecondStep::parse(typed), &factor) {
            (Some(SecondStep::Code(code)), Some(f)) => {
                match super::totp::step_of(&f.secret, &code, crate::store::now()) {
                    Some(step) => store
                        .take_code_step(account.id, step)
                        .await
                        .map(|ok| ok.then_some(Method::Code)),
                    None => Ok(None),
                }
            }
            (Some(SecondStep::Recovery(code)), Some(_)) => store
                .take_recovery_code(account.id, &code)
                .await
                .map(|ok| ok.then_some(Method::RecoveryCode)),
            _ => Ok(None),
        };
        match taken {
            Ok(Some(method)) => {
                attempt.succeeded();
                SecondChecked::Ok(method)
            }
            Ok(None) => {
                let method = match SecondStep::parse(typed) {
                    Some(SecondStep::Recovery(_)) => Method::RecoveryCode,
                    _ => Method::Code,
                };
                remember(
                    store,
                    &SignInNote {
                        account_id: account.id,
                        door: Door::Web,
                        method,
                        app_password: None,
                        ip: ip.to_string(),
                        ok: false,
                    },
                )
                .await;
                match store.note_code_failure(account.id).await {
                    // The cap just reached: the owner hears of it (their password is known).
                    Ok(n) if n == MAX_CODE_FAILURES => {
                        let ip = ip.to_string();
                        if let Err(e) = store
                            .put_notice(account, |lang| {
                                crate::domain::account_mail::codes_guessed(lang, &ip)
                            })
                            .await
                        {
                            tracing::warn!("cannot put the notice in the mailbox: {e}");
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("cannot count a wrong code: {e}"),
                }
                SecondChecked::Wrong
            }
            Err(e) => {
                attempt.not_verified();
                SecondChecked::Unavailable(e.to_string())
            }
        }
    }
}

/// Notes a sign-in in the account's history (a failure to write it is logged, not fatal).
pub async fn remember(store: &Store, note: &SignInNote<'_>) {
    if let Err(e) = store.note_sign_in(note).await {
        tracing::warn!("cannot note a sign-in: {e}");
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
            Checked::Ok(Box::new(a), Credential::MainPassword)
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
