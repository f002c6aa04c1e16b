//! `/personal/security` (issue 16): two-step sign-in, app passwords for mail programs, the
//! web sessions and the sign-ins of the caller's own account; and the webmaster's view of a
//! user's, from the pen page, where the user's second factor can be removed.

use crate::model::SecurityView;
use leptos::prelude::*;

/// The security page of `account` as its owner or their webmaster sees it (secrets only for
/// the owner: `session` is theirs).
#[cfg(feature = "ssr")]
async fn view_of(
    account: &crate::store::entities::account::Model,
    own_session: Option<&tower_sessions::Session>,
    lang: crate::i18n::Lang,
) -> Result<SecurityView, ServerFnError> {
    use super::context::*;
    use crate::model::{AppPasswordView, SignInView, WebSessionView};
    let st = state()?;
    let e = |e| store_error(e, lang);
    let factor = st.store.second_factor(account.id).await.map_err(e)?;
    let codes_left = match factor {
        Some(_) => st.store.recovery_codes_left(account.id).await.map_err(e)?,
        None => 0,
    };
    let app_passwords = st
        .store
        .app_passwords(account.id)
        .await
        .map_err(e)?
        .into_iter()
        .map(|p| AppPasswordView {
            id: p.id,
            name: p.name,
            pop3: p.pop3,
            submission: p.submission,
            created_at: p.created_at,
            expires_at: p.expires_at,
            last_used_at: p.last_used_at,
            last_used_door: p.last_used_door,
            last_used_ip: p.last_used_ip,
        })
        .collect();
    let current = match own_session {
        Some(s) => s.id().map(|id| crate::store::sessions::key(&id)),
        None => None,
    };
    let sessions = st
        .store
        .open_sessions(account.id)
        .await
        .map_err(e)?
        .into_iter()
        .map(|s| WebSessionView {
            current: current.as_deref() == Some(s.key.as_str()),
            device: crate::domain::security::device_of(&s.user_agent, lang),
            id: s.key,
            ip: s.ip,
            started_at: s.started_at,
            last_seen_at: s.last_seen_at,
        })
        .collect();
    let sign_ins = st
        .store
        .sign_ins(account.id, crate::domain::security::SIGN_INS_SHOWN)
        .await
        .map_err(e)?
        .into_iter()
        .map(|r| SignInView {
            door: r.door,
            method: r.method,
            app_password: r.app_password,
            ip: r.ip,
            ok: r.ok,
            first_at: r.first_at,
            at: r.at,
            count: r.count,
        })
        .collect();
    let role = crate::domain::Role::parse(&account.role).unwrap_or(crate::domain::Role::User);
    let (fresh_codes, fresh_app_password) = match own_session {
        Some(s) => (
            super::two_step::take_fresh_codes(s).await,
            super::two_step::kept_secret::<(String, String)>(s, FRESH_APP_PASSWORD, true).await,
        ),
        None => (Vec::new(), None),
    };
    Ok(SecurityView {
        login: account.login.clone(),
        two_factor_since: factor.map(|f| f.created_at),
        recovery_codes_left: codes_left,
        fresh_codes,
        fresh_app_password,
        app_passwords,
        sessions,
        sign_ins,
        recovery_address: st
            .store
            .recovery_address(account.id)
            .await
            .map_err(e)?
            .map(|r| (r.address, r.confirmed_at.is_some())),
        required: st.require_2fa_for.contains(&role),
    })
}

/// The session key that holds an app password just made (name, password) until the page
/// shows it, once.
#[cfg(feature = "ssr")]
const FRESH_APP_PASSWORD: &str = "fresh_app_password";

/// The caller's own security page.
#[server(endpoint = "security/mine")]
pub async fn my_security() -> Result<SecurityView, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    let session = session().await?;
    view_of(&c.account, Some(&session), c.lang).await
}

/// A user's security page as their webmaster (or the server admin) sees it: no secrets, no
/// buttons but removing the second factor.
#[server(endpoint = "security/user")]
pub async fn user_security(login: String) -> Result<SecurityView, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    let target = c.managed_by_manager(&login).await?;
    view_of(&target, None, c.lang).await
}

/// Turns the caller's two-step sign-in off, with their password.
#[server(endpoint = "security/disable")]
pub async fn disable_two_factor(current: String, confirmed: Option<String>) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let st = state()?;
    if let Some(refusal) = recheck_password(&c, &current).await? {
        return refusal;
    }
    if !is_confirmed(&confirmed) {
        return ask(c.lang.pick(
            "Retirer la validation en deux étapes ? Votre mot de passe suffira à nouveau pour entrer, et vos codes de secours ne serviront plus.",
            "Turn two-step sign-in off? Your password alone will open your account again, and your recovery codes will stop working.",
        ));
    }
    if let Err(e) = st.store.remove_second_factor(&c.actor, &c.account).await {
        return refused_store(Some("current"), e, c.lang);
    }
    say(c.lang.pick(
        "Validation en deux étapes retirée.",
        "Two-step sign-in is off.",
    ));
    Ok(None)
}

/// The caller's password typed again before a change to their security: `Some(refusal)` if
/// it is not right (throttled like a sign-in).
#[cfg(feature = "ssr")]
pub(crate) async fn recheck_password(
    c: &super::context::Caller,
    current: &str,
) -> Result<Option<super::FormResult>, ServerFnError> {
    use super::context::{Recheck, recheck_current, refused_at};
    Ok(match recheck_current(c, current, "security").await? {
        Recheck::Right => None,
        Recheck::Refused(words) => Some(refused_at("current", words)),
        Recheck::Answer(answer) => Some(answer),
    })
}

/// A user's account the caller manages, never their own: what the pen page does for others
/// (one's own second factor goes with one's password, on one's own page).
#[cfg(feature = "ssr")]
async fn others_account(
    c: &super::context::Caller,
    login: &str,
) -> Result<crate::store::entities::account::Model, ServerFnError> {
    let target = c.managed_by_manager(login).await?;
    if target.id == c.account.id {
        return Err(super::context::not_allowed(c.lang));
    }
    Ok(target)
}

/// What changed in an account's security, for the notice in its mailbox.
#[cfg(feature = "ssr")]
enum ChangeKind<'a> {
    AppPassword(&'a str),
    RecoveryAddress(&'a str),
    RecoveryCodes,
}

/// Tells the caller's mailbox what was just changed in their account's security, and from
/// where: if it was not them, they learn of it.
#[cfg(feature = "ssr")]
async fn notify_change(c: &super::context::Caller, change: ChangeKind<'_>) {
    use crate::i18n::Lang;
    let Ok(st) = super::context::state() else {
        return;
    };
    let ip = c.actor.ip.clone().unwrap_or_default();
    let text = |lang: Lang| {
        let what = match (&change, lang) {
            (ChangeKind::AppPassword(n), Lang::Fr) => {
                format!("un mot de passe d'application « {n} » a été créé")
            }
            (ChangeKind::AppPassword(n), Lang::En) => {
                format!("an app password \"{n}\" was created")
            }
            (ChangeKind::RecoveryAddress(a), Lang::Fr) => {
                format!("l'adresse de secours est maintenant {a}")
            }
            (ChangeKind::RecoveryAddress(a), Lang::En) => {
                format!("the recovery address is now {a}")
            }
            (ChangeKind::RecoveryCodes, Lang::Fr) => {
                "de nouveaux codes de secours ont été faits".to_string()
            }
            (ChangeKind::RecoveryCodes, Lang::En) => "new recovery codes were made".to_string(),
        };
        crate::domain::account_mail::security_changed(lang, &what, &ip)
    };
    if let Err(e) = st.store.put_notice(&c.account, text).await {
        tracing::warn!(
            "cannot put the notice in {}'s mailbox: {e}",
            c.account.login
        );
    }
}

/// Ten new recovery codes for the caller (the old ones stop working), shown once.
#[server(endpoint = "security/recovery-codes")]
pub async fn new_recovery_codes(current: String) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let st = state()?;
    if let Some(refusal) = recheck_password(&c, &current).await? {
        return refusal;
    }
    let codes = match st.store.new_recovery_codes(&c.actor, &c.account).await {
        Ok(codes) => codes,
        Err(e) => return refused_store(None, e, c.lang),
    };
    notify_change(&c, ChangeKind::RecoveryCodes).await;
    let session = session().await?;
    super::two_step::keep_fresh_codes(&session, codes).await?;
    say(c.lang.pick(
        "Nouveaux codes de secours : les anciens ne servent plus.",
        "New recovery codes: the old ones no longer work.",
    ));
    Ok(None)
}

/// A new app password for one mail program, shown once on the page.
#[server(endpoint = "security/app-password")]
pub async fn create_app_password(
    name: String,
    pop3: Option<String>,
    submission: Option<String>,
    lifetime: String,
    current: String,
) -> super::FormResult {
    use super::context::*;
    use crate::domain::security::{Lifetime, SecurityProblem};
    let c = caller().await?;
    let st = state()?;
    if c.domain.is_none() {
        // The server admin has no mailbox to collect.
        return Err(not_allowed(c.lang));
    }
    // A way into the mail that outlives a password change: the password first (a session
    // left open on a shared computer must not be enough).
    if let Some(refusal) = recheck_password(&c, &current).await? {
        return refusal;
    }
    let Some(lifetime) = Lifetime::parse(&lifetime) else {
        return refused_at("lifetime", SecurityProblem::BadLifetime.message(c.lang));
    };
    let new = crate::store::app_passwords::NewAppPassword {
        name,
        pop3: pop3.is_some(),
        submission: submission.is_some(),
        lifetime,
    };
    let password = match st
        .store
        .create_app_password(&c.actor, &c.account, &new)
        .await
    {
        Ok(p) => p,
        Err(e) => return refused_store(None, e, c.lang),
    };
    let name = crate::domain::security::check_app_name(&new.name).unwrap_or_default();
    notify_change(&c, ChangeKind::AppPassword(&name)).await;
    let session = session().await?;
    super::two_step::keep_secret(&session, FRESH_APP_PASSWORD, (name, password)).await?;
    say(c.lang.pick(
        "Mot de passe d'application créé : copiez-le maintenant dans votre logiciel.",
        "App password created: copy it into your program now.",
    ));
    Ok(None)
}

/// Revokes one of the caller's app passwords: refused at once at every door.
#[server(endpoint = "security/app-password/revoke")]
pub async fn revoke_app_password(id: i64) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let st = state()?;
    match st.store.revoke_app_password(&c.actor, &c.account, id).await {
        Ok(name) => {
            announce(crate::tr!(
                c.lang,
                "Mot de passe d'application « {name} » révoqué.",
                "App password \"{name}\" revoked."
            ));
            Ok(None)
        }
        Err(e) => refused_store(None, e, c.lang),
    }
}

/// Signs one of the caller's other web sessions out.
#[server(endpoint = "security/session/end")]
pub async fn end_session(id: String) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let st = state()?;
    match st.store.end_session(c.account.id, &id).await {
        Ok(true) => {
            announce(c.lang.pick("Session fermée.", "Session signed out."));
            Ok(None)
        }
        Ok(false) => refused(c.lang.pick(
            "Cette session est déjà fermée.",
            "That session has already ended.",
        )),
        Err(e) => refused_store(None, e, c.lang),
    }
}

/// Signs every other web session of the caller out (this one stays).
#[server(endpoint = "security/session/end-others")]
pub async fn end_other_sessions() -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let st = state()?;
    let session = session().await?;
    let keep = session
        .id()
        .map(|id| crate::store::sessions::key(&id))
        .unwrap_or_default();
    match st.store.end_other_sessions(c.account.id, &keep).await {
        Ok(n) => {
            announce(crate::tr!(
                c.lang,
                "Autres sessions fermées : {n}.",
                "Other sessions signed out: {n}."
            ));
            Ok(None)
        }
        Err(e) => refused_store(None, e, c.lang),
    }
}

/// The webmaster removes a user's second factor (a lost phone and no recovery code): audited,
/// and the user is told in their mailbox.
#[server(endpoint = "security/user/disable")]
pub async fn remove_user_two_factor(login: String, confirmed: Option<String>) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let target = others_account(&c, &login).await?;
    let st = state()?;
    if !is_confirmed(&confirmed) {
        return ask(crate::tr!(
            c.lang,
            "Retirer la validation en deux étapes de {} ? Son mot de passe suffira à nouveau pour entrer ; il en sera averti par un message.",
            "Remove {}'s two-step sign-in? Their password alone will open the account again; they will be told by a message.",
            target.login
        ));
    }
    if let Err(e) = st.store.remove_second_factor(&c.actor, &target).await {
        return refused_store(None, e, c.lang);
    }
    let by = c.account.login.clone();
    if let Err(e) = st
        .store
        .put_notice(&target, |lang| {
            (
                lang.pick(
                    "Validation en deux étapes retirée de votre compte",
                    "Two-step sign-in removed from your account",
                )
                .to_string(),
                crate::tr!(
                    lang,
                    "Bonjour,\n\nLe webmaster ({by}) a retiré la validation en deux étapes de votre compte. Votre mot de passe suffit à nouveau pour entrer sur le site.\n\nSi vous ne l'avez pas demandé, changez votre mot de passe et prévenez votre webmaster. Vous pouvez la réactiver dans « Sécurité » sur votre page personnelle.\n",
                    "Hello,\n\nThe webmaster ({by}) removed two-step sign-in from your account. Your password alone opens the website again.\n\nIf you did not ask for this, change your password and tell your webmaster. You can turn it on again under \"Security\" on your personal page.\n"
                ),
            )
        })
        .await
    {
        tracing::warn!("cannot put the notice in {}'s mailbox: {e}", target.login);
    }
    announce(crate::tr!(
        c.lang,
        "Validation en deux étapes retirée de {} ; il en est averti.",
        "Two-step sign-in removed from {}; they have been told.",
        target.login
    ));
    Ok(None)
}

/// Sets the caller's recovery address (outside their domain) and sends it a code to confirm.
#[server(endpoint = "security/recovery-address")]
pub async fn set_recovery_address(address: String, current: String) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let st = state()?;
    let Some(domain) = c.domain.clone() else {
        return Err(not_allowed(c.lang));
    };
    if let Some(refusal) = recheck_password(&c, &current).await? {
        return refusal;
    }
    match st
        .store
        .set_recovery_address(&c.actor, &c.account, &domain.name, &address)
        .await
    {
        Ok(a) => {
            notify_change(&c, ChangeKind::RecoveryAddress(&a)).await;
            say(crate::tr!(
                c.lang,
                "Un code de confirmation est parti vers {a} : tapez-le ci-dessous.",
                "A confirmation code was sent to {a}: type it below."
            ));
            Ok(None)
        }
        Err(e) => refused_store(Some("address"), e, c.lang),
    }
}

/// Confirms the recovery address with the code sent to it.
#[server(endpoint = "security/recovery-address/confirm")]
pub async fn confirm_recovery_address(confirmation: String) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let st = state()?;
    match st
        .store
        .confirm_recovery_address(c.account.id, &confirmation)
        .await
    {
        Ok(()) => {
            say(c.lang.pick(
                "Adresse de secours confirmée.",
                "Recovery address confirmed.",
            ));
            Ok(None)
        }
        Err(e) => refused_store(Some("confirmation"), e, c.lang),
    }
}

/// Removes the caller's recovery address.
#[server(endpoint = "security/recovery-address/remove")]
pub async fn remove_recovery_address() -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let st = state()?;
    match st.store.remove_recovery_address(&c.actor, &c.account).await {
        Ok(()) => {
            say(c
                .lang
                .pick("Adresse de secours retirée.", "Recovery address removed."));
            Ok(None)
        }
        Err(e) => refused_store(None, e, c.lang),
    }
}

/// The webmaster sends a user a link to choose a new password: to their confirmed recovery
/// address, else into their mailbox (a mail program that still holds the password reads it).
#[server(endpoint = "security/user/reset-link")]
pub async fn send_user_reset_link(login: String) -> super::FormResult {
    use super::context::*;
    use crate::store::recovery::SentTo;
    let c = caller().await?;
    let target = others_account(&c, &login).await?;
    let st = state()?;
    match st
        .store
        .send_reset_link(&c.actor, &target, &mail_link_base(), true)
        .await
    {
        Ok(Some(SentTo::RecoveryAddress(a))) => {
            announce(crate::tr!(
                c.lang,
                "Lien envoyé à {} (son adresse de secours) ; il sert une fois, pendant 24 heures.",
                "Link sent to {} (their recovery address); it works once, for 24 hours.",
                a
            ));
            Ok(None)
        }
        Ok(Some(SentTo::Mailbox)) => {
            announce(crate::tr!(
                c.lang,
                "Lien déposé dans la boîte de {} (pas d'adresse de secours) ; il sert une fois, pendant 24 heures.",
                "Link put in {}'s mailbox (no recovery address); it works once, for 24 hours.",
                target.login
            ));
            Ok(None)
        }
        Ok(None) => refused(c.lang.pick(
            "Trois liens ont déjà été envoyés dans l'heure : attendez un peu.",
            "Three links were already sent this hour: wait a little.",
        )),
        Err(e) => refused_store(None, e, c.lang),
    }
}
