//! Sign-in, sign-out and "who am I". Sign-in takes either login form and one password for
//! every door (DESIGN §2 rules 1 and 5); guessing is throttled per IP and per account. An
//! account with a second factor gives its code next (`api::two_step`).

use crate::model::Me;
use leptos::prelude::*;

#[server(endpoint = "session/login")]
pub async fn login(login: String, password: String, next: Option<String>) -> super::FormResult {
    use super::context::*;
    use crate::auth::check::{Checked, throttled_text};
    use crate::domain::security::Door;

    let st = state()?;
    let lang = request_lang();
    let ip = client_ip().await;
    match st
        .gate
        .check(&st.store, ip, &login, &password, Door::Web)
        .await
    {
        Checked::Throttled(retry_after) => refused(throttled_text(retry_after, lang)),
        Checked::Ok(account, _) => {
            let session = session().await?;
            let second = st
                .store
                .has_second_factor(account.id)
                .await
                .map_err(|e| store_error(e, lang))?;
            let role =
                crate::domain::Role::parse(&account.role).unwrap_or(crate::domain::Role::User);
            if second || st.require_2fa_for.contains(&role) {
                // The password is right; the second step (or setting it up) comes next, in
                // a new session that is not signed in yet.
                super::two_step::begin(&session, &account, next.as_deref(), !second).await?;
                go_to(crate::api::LocalPath::or(
                    if second {
                        "/login/code"
                    } else {
                        "/login/enrol"
                    },
                    "/login",
                ));
                return Ok(None);
            }
            complete_sign_in(
                &session,
                &account,
                ip,
                crate::domain::security::Method::Password,
                next.as_deref(),
            )
            .await?;
            Ok(None)
        }
        Checked::Suspended => refused(lang.pick(
            "Ce compte est suspendu : le mot de passe est juste, mais la connexion est \
                 bloquée. Contactez le webmaster de votre domaine.",
            "This account is suspended: the password is right, but signing in is blocked. \
                 Contact your domain's webmaster.",
        )),
        Checked::Wrong | Checked::AppPasswordNeeded => {
            tracing::info!(%login, %ip, "web sign-in refused");
            refused(lang.pick(
                "Login ou mot de passe incorrect. Attention aux majuscules et minuscules du \
                 mot de passe.",
                "Wrong login or password. Mind the upper and lower case in the password.",
            ))
        }
        Checked::Busy => busy(lang),
        Checked::Unavailable(e) => unavailable("sign-in", e, lang),
    }
}

/// Signs `account` in on `session` (its password, and its second step if any, are checked):
/// a new session id (a planted or older one is worth nothing), the account, its password
/// epoch, when and from where; notes the sign-in, then sends the browser on to the page asked
/// for (a path of this site only), else the role's portal.
#[cfg(feature = "ssr")]
pub async fn complete_sign_in(
    session: &tower_sessions::Session,
    account: &crate::store::entities::account::Model,
    ip: std::net::IpAddr,
    method: crate::domain::security::Method,
    next: Option<&str>,
) -> Result<(), ServerFnError> {
    use super::context::{EPOCH_KEY, SIGNED_IN_AT_KEY, go_to, state};
    use crate::store::sessions::{ACCOUNT_KEY, IP_KEY, USER_AGENT_KEY};
    let st = state()?;
    let user_agent = use_context::<axum::http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(300).collect::<String>())
        })
        .unwrap_or_default();
    let failed = |e: tower_sessions::session::Error| ServerFnError::new(e.to_string());
    session.cycle_id().await.map_err(failed)?;
    // Nothing of an earlier visitor of this browser carries over (a half-finished sign-in,
    // a secret waiting to be shown).
    session.clear().await;
    session
        .insert(ACCOUNT_KEY, account.id)
        .await
        .map_err(failed)?;
    session
        .insert(EPOCH_KEY, account.auth_epoch)
        .await
        .map_err(failed)?;
    session
        .insert(SIGNED_IN_AT_KEY, crate::store::now())
        .await
        .map_err(failed)?;
    session
        .insert(IP_KEY, ip.to_string())
        .await
        .map_err(failed)?;
    session
        .insert(USER_AGENT_KEY, user_agent)
        .await
        .map_err(failed)?;
    session
        .insert("previous_login_at", account.last_web_login_at)
        .await
        .map_err(failed)?;
    if let Err(e) = st.store.record_web_login(account.id).await {
        tracing::warn!("cannot record the sign-in time: {e}");
    }
    crate::auth::check::remember(
        &st.store,
        &crate::store::sign_ins::SignInNote {
            account_id: account.id,
            door: crate::domain::security::Door::Web,
            method,
            app_password: None,
            ip: ip.to_string(),
            ok: true,
        },
    )
    .await;
    tracing::info!(login = %account.login, %ip, "web sign-in");
    let landing = match crate::domain::Role::parse(&account.role) {
        Some(crate::domain::Role::Webmaster) => "/siteadmin",
        Some(crate::domain::Role::ServerAdmin) => "/admin",
        _ => "/personal",
    };
    let asked = next
        .and_then(crate::api::LocalPath::parse)
        .filter(|p| !p.as_str().starts_with("/login") && !p.as_str().starts_with("/api/"));
    go_to(asked.unwrap_or_else(|| crate::api::LocalPath::or(landing, "/")));
    Ok(())
}

#[server(endpoint = "session/logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    let session = super::context::session().await?;
    session
        .flush()
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    super::context::go_to(super::LocalPath::or("/login", "/"));
    Ok(())
}

/// The signed-in account, or None.
#[server(endpoint = "session/whoami")]
pub async fn whoami() -> Result<Option<Me>, ServerFnError> {
    use crate::domain::Role;
    let Some(a) = super::context::current_account().await? else {
        return Ok(None);
    };
    let st = super::context::state()?;
    let domain = st
        .store
        .domain_of(&a)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let session = super::context::session().await?;
    let previous: Option<i64> = session
        .get("previous_login_at")
        .await
        .ok()
        .flatten()
        .flatten();
    Ok(Some(Me {
        role: Role::parse(&a.role).unwrap_or(Role::User),
        login: a.login,
        first_name: a.first_name,
        last_name: a.last_name,
        domain: domain.map(|d| d.name),
        previous_login_at: previous,
    }))
}
