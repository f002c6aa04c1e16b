//! The second step of signing in (issue 16): after the right password, an account with a
//! second factor types the code of its authenticator app (or a recovery code) on
//! `/login/code`; an account whose role must have one and has none sets it up on
//! `/login/enrol` first. Between the two steps the session holds who is signing in, not a
//! signed-in account: no page or server function opens with it. The same enrolment serves a
//! signed-in person on `/personal/security`.

use crate::model::EnrolmentView;
use leptos::prelude::*;

/// Minutes a password stays good for its second step.
pub const PENDING_MINUTES: i64 = 10;

#[cfg(feature = "ssr")]
mod keys {
    pub const PENDING_ACCOUNT: &str = "pending_account";
    pub const PENDING_EPOCH: &str = "pending_epoch";
    pub const PENDING_AT: &str = "pending_at";
    pub const PENDING_NEXT: &str = "pending_next";
    pub const PENDING_ENROL: &str = "pending_enrol";
    /// Wrong codes typed in this half-finished sign-in.
    pub const PENDING_WRONG: &str = "pending_wrong";
    /// The secret being set up, until a code of it is typed back.
    pub const ENROL_SECRET: &str = "enrol_secret";
    /// Recovery codes just made, until the security page shows them.
    pub const FRESH_CODES: &str = "fresh_codes";
}

#[cfg(feature = "ssr")]
fn failed(e: tower_sessions::session::Error) -> ServerFnError {
    ServerFnError::new(e.to_string())
}

/// How long a secret waits in the session for the page that shows (or confirms) it: the
/// session's row must not hold one for days.
#[cfg(feature = "ssr")]
pub const SECRET_KEPT_SECS: i64 = 15 * 60;

/// Keeps `value` in the session under `key`, with the time.
#[cfg(feature = "ssr")]
pub async fn keep_secret<T: serde::Serialize>(
    session: &tower_sessions::Session,
    key: &str,
    value: T,
) -> Result<(), ServerFnError> {
    session
        .insert(key, (crate::store::now(), value))
        .await
        .map_err(failed)
}

/// The value kept under `key`, if it is younger than [`SECRET_KEPT_SECS`]; `take` removes it.
#[cfg(feature = "ssr")]
pub async fn kept_secret<T: serde::de::DeserializeOwned>(
    session: &tower_sessions::Session,
    key: &str,
    take: bool,
) -> Option<T> {
    let kept = if take {
        session.remove::<(i64, T)>(key).await
    } else {
        session.get::<(i64, T)>(key).await
    };
    match kept.ok().flatten() {
        Some((at, v)) if crate::store::now() - at < SECRET_KEPT_SECS => Some(v),
        _ => None,
    }
}

/// Starts the second step for `account`, whose password was right: a new session id,
/// then who is signing in, since when, where to go after, and whether to enrol first.
#[cfg(feature = "ssr")]
pub async fn begin(
    session: &tower_sessions::Session,
    account: &crate::store::entities::account::Model,
    next: Option<&str>,
    enrol: bool,
) -> Result<(), ServerFnError> {
    use keys::*;
    session.cycle_id().await.map_err(failed)?;
    session.clear().await;
    session
        .insert(PENDING_ACCOUNT, account.id)
        .await
        .map_err(failed)?;
    session
        .insert(PENDING_EPOCH, account.auth_epoch)
        .await
        .map_err(failed)?;
    session
        .insert(PENDING_AT, crate::store::now())
        .await
        .map_err(failed)?;
    session
        .insert(PENDING_NEXT, next.unwrap_or_default())
        .await
        .map_err(failed)?;
    session.insert(PENDING_ENROL, enrol).await.map_err(failed)?;
    Ok(())
}

/// Forgets a sign-in in progress (done, or abandoned).
#[cfg(feature = "ssr")]
pub async fn forget(session: &tower_sessions::Session) {
    use keys::*;
    for k in [
        PENDING_ACCOUNT,
        PENDING_EPOCH,
        PENDING_AT,
        PENDING_NEXT,
        PENDING_ENROL,
        PENDING_WRONG,
    ] {
        let _ = session.remove_value(k).await;
    }
}

/// A sign-in waiting for its second step.
#[cfg(feature = "ssr")]
pub struct Pending {
    pub account: crate::store::entities::account::Model,
    pub next: String,
    pub enrol: bool,
}

/// The sign-in this session is in the middle of, if it is still good: same password epoch,
/// not suspended, begun less than ten minutes ago.
#[cfg(feature = "ssr")]
pub async fn pending(session: &tower_sessions::Session) -> Result<Option<Pending>, ServerFnError> {
    use keys::*;
    let get_i64 = |k: &'static str| async move { session.get::<i64>(k).await.ok().flatten() };
    let (Some(id), Some(epoch), Some(at)) = (
        get_i64(PENDING_ACCOUNT).await,
        get_i64(PENDING_EPOCH).await,
        get_i64(PENDING_AT).await,
    ) else {
        return Ok(None);
    };
    if crate::store::now() - at > PENDING_MINUTES * 60 {
        forget(session).await;
        return Ok(None);
    }
    let st = super::context::state()?;
    let account = st
        .store
        .account_by_id(id)
        .await
        .map_err(|e| super::context::store_error(e, super::context::request_lang()))?;
    match account {
        Some(a) if a.auth_epoch == epoch && !a.suspended => Ok(Some(Pending {
            account: a,
            next: session
                .get::<String>(PENDING_NEXT)
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
            enrol: session
                .get::<bool>(PENDING_ENROL)
                .await
                .ok()
                .flatten()
                .unwrap_or(false),
        })),
        _ => {
            forget(session).await;
            Ok(None)
        }
    }
}

/// Who is setting up a second factor: the signed-in account, else the one whose sign-in
/// requires it (`/login/enrol`).
#[cfg(feature = "ssr")]
async fn enrolling(
    session: &tower_sessions::Session,
) -> Result<(crate::store::entities::account::Model, Option<Pending>), ServerFnError> {
    let lang = super::context::request_lang();
    if let Some(a) = super::context::current_account().await? {
        return Ok((a, None));
    }
    match pending(session).await? {
        Some(p) if p.enrol => Ok((p.account.clone(), Some(p))),
        _ => Err(expired(lang)),
    }
}

#[cfg(feature = "ssr")]
fn expired(lang: crate::i18n::Lang) -> ServerFnError {
    ServerFnError::new(lang.pick(
        "Votre connexion a expiré : tapez à nouveau votre mot de passe.",
        "Your sign-in has expired: type your password again.",
    ))
}

/// Who is signing in on `/login/code` or `/login/enrol` (their login), or None: the page
/// sends the browser back to `/login`.
#[server(endpoint = "session/pending")]
pub async fn pending_login() -> Result<Option<String>, ServerFnError> {
    let session = super::context::session().await?;
    Ok(pending(&session).await?.map(|p| p.account.login))
}

/// The second step: the code of the authenticator app, or a recovery code.
#[server(endpoint = "session/code")]
pub async fn sign_in_code(code: String) -> super::FormResult {
    use super::context::*;
    use crate::auth::check::{SecondChecked, throttled_text};
    use crate::domain::security::{Method, SecurityProblem};
    let st = state()?;
    let lang = request_lang();
    let session = session().await?;
    let Some(p) = pending(&session).await? else {
        return refused_at("code", expired(lang).to_string());
    };
    if p.enrol {
        return refused_at("code", expired(lang).to_string());
    }
    let ip = client_ip().await;
    match st
        .gate
        .check_second_step(&st.store, ip, &p.account, &code)
        .await
    {
        SecondChecked::Ok(method) => {
            super::session::complete_sign_in(&session, &p.account, ip, method, Some(&p.next))
                .await?;
            if method == Method::RecoveryCode {
                let left = st
                    .store
                    .recovery_codes_left(p.account.id)
                    .await
                    .unwrap_or(0);
                announce(crate::tr!(
                    lang,
                    "Code de secours utilisé : il vous en reste {left}. Pensez à en refaire dans « Sécurité ».",
                    "Recovery code used: {left} left. Remember to make new ones under \"Security\"."
                ));
            }
            Ok(None)
        }
        SecondChecked::Wrong => {
            tracing::info!(login = %p.account.login, %ip, "web sign-in: wrong code");
            let wrong = session
                .get::<i64>(keys::PENDING_WRONG)
                .await
                .ok()
                .flatten()
                .unwrap_or(0)
                + 1;
            if wrong >= crate::domain::security::CODE_TRIES_PER_SIGN_IN {
                // Enough guesses on one password: it must be typed again.
                forget(&session).await;
                return refused_at(
                    "code",
                    lang.pick(
                        "Trop de codes faux : recommencez la connexion avec votre mot de passe.",
                        "Too many wrong codes: start signing in again with your password.",
                    ),
                );
            }
            session
                .insert(keys::PENDING_WRONG, wrong)
                .await
                .map_err(failed)?;
            refused_at("code", SecurityProblem::WrongCode.message(lang))
        }
        SecondChecked::Throttled(wait) => refused_at("code", throttled_text(wait, lang)),
        SecondChecked::Unavailable(e) => unavailable("sign-in code", e, lang),
    }
}

/// Setting up an authenticator app: a new secret for this session (kept until confirmed), as
/// a QR code and as text.
#[server(endpoint = "security/enrolment")]
pub async fn enrolment() -> Result<Option<EnrolmentView>, ServerFnError> {
    use super::context::*;
    let st = state()?;
    let session = session().await?;
    let (account, _) = enrolling(&session).await?;
    if st
        .store
        .has_second_factor(account.id)
        .await
        .map_err(|e| store_error(e, request_lang()))?
    {
        return Ok(None);
    }
    let secret = match session
        .get::<String>(keys::ENROL_SECRET)
        .await
        .ok()
        .flatten()
    {
        Some(s) => s,
        None => {
            let s = crate::auth::totp::new_secret();
            session
                .insert(keys::ENROL_SECRET, &s)
                .await
                .map_err(failed)?;
            s
        }
    };
    let domain = st
        .store
        .domain_of(&account)
        .await
        .map_err(|e| store_error(e, request_lang()))?;
    let (issuer, label) = match domain {
        Some(d) => (d.name.clone(), format!("{}@{}", account.login, d.name)),
        None => (st.mail_host.name.clone(), account.login.clone()),
    };
    let url = crate::auth::totp::url(&secret, &issuer, &label).unwrap_or_default();
    let grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Some(EnrolmentView {
        qr_svg: super::personal::qr_svg(&url),
        secret: grouped,
        label: format!("{issuer} ({label})"),
    }))
}

/// Confirms the set-up with a code of the app: two-step sign-in is on, and ten recovery
/// codes are made (the security page shows them once). At a required enrolment, this also
/// completes the sign-in.
#[server(endpoint = "security/enable")]
pub async fn enable_two_factor(code: String, current: Option<String>) -> super::FormResult {
    use super::context::*;
    use crate::domain::security::{Method, SecurityProblem, normalise_totp_code};
    let st = state()?;
    let lang = request_lang();
    let session = session().await?;
    let (account, at_sign_in) = enrolling(&session).await?;
    // Signed in, the password first (someone at a session left open must not put their own
    // phone on the account); at a required enrolment it was typed a moment ago.
    if at_sign_in.is_none() {
        let c = caller().await?;
        if let Some(refusal) =
            super::security::recheck_password(&c, current.as_deref().unwrap_or_default()).await?
        {
            return refusal;
        }
    }
    let Some(secret) = session
        .get::<String>(keys::ENROL_SECRET)
        .await
        .ok()
        .flatten()
    else {
        return refused_at("code", SecurityProblem::EnrolmentExpired.message(lang));
    };
    let step = normalise_totp_code(&code)
        .and_then(|c| crate::auth::totp::step_of(&secret, &c, crate::store::now()));
    let Some(step) = step else {
        return refused_at("code", SecurityProblem::WrongCode.message(lang));
    };
    let ip = client_ip().await;
    let actor = crate::store::Actor::web(&account.login, Some(ip));
    let codes = match st
        .store
        .enable_second_factor(&actor, &account, &secret, step)
        .await
    {
        Ok(codes) => codes,
        Err(e) => return refused_store(Some("code"), e, lang),
    };
    let _ = session.remove_value(keys::ENROL_SECRET).await;
    if let Some(p) = at_sign_in {
        super::session::complete_sign_in(&session, &account, ip, Method::Code, Some(&p.next))
            .await?;
    }
    keep_secret(&session, keys::FRESH_CODES, codes).await?;
    say(lang.pick(
        "Validation en deux étapes activée. Notez vos codes de secours maintenant.",
        "Two-step sign-in is on. Write down your recovery codes now.",
    ));
    go_to(crate::api::LocalPath::or("/personal/security", "/"));
    Ok(None)
}

/// Recovery codes just made, taken out of the session (shown once).
#[cfg(feature = "ssr")]
pub async fn take_fresh_codes(session: &tower_sessions::Session) -> Vec<String> {
    kept_secret(session, keys::FRESH_CODES, true)
        .await
        .unwrap_or_default()
}

/// Keeps recovery codes just made for the next page (shown once).
#[cfg(feature = "ssr")]
pub async fn keep_fresh_codes(
    session: &tower_sessions::Session,
    codes: Vec<String>,
) -> Result<(), ServerFnError> {
    keep_secret(session, keys::FRESH_CODES, codes).await
}
