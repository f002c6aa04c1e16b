//! Sign-in, sign-out and "who am I". Sign-in takes either login form and one password for
//! every door (DESIGN §2 rules 1 and 5); guessing is throttled per IP and per account.

use crate::model::Me;
use leptos::prelude::*;

#[server(endpoint = "session/login")]
pub async fn login(login: String, password: String, next: Option<String>) -> super::FormResult {
    use super::context::*;
    use crate::auth::check::{Checked, throttled_text};
    use crate::store::sessions::ACCOUNT_KEY;

    let st = state()?;
    let lang = request_lang();
    let ip = client_ip().await;
    match st.gate.check(&st.store, ip, &login, &password).await {
        Checked::Throttled(retry_after) => refused(throttled_text(retry_after, lang)),
        Checked::Ok(account) => {
            let session = session().await?;
            // A new session id at sign-in: a planted or older id is worth nothing.
            session
                .cycle_id()
                .await
                .map_err(|e| ServerFnError::new(e.to_string()))?;
            let insert = async {
                session.insert(ACCOUNT_KEY, account.id).await?;
                session.insert(EPOCH_KEY, account.auth_epoch).await?;
                session
                    .insert(SIGNED_IN_AT_KEY, crate::store::now())
                    .await?;
                session
                    .insert("previous_login_at", account.last_web_login_at)
                    .await
            };
            insert
                .await
                .map_err(|e| ServerFnError::new(e.to_string()))?;
            if let Err(e) = st.store.record_web_login(account.id).await {
                tracing::warn!("cannot record the sign-in time: {e}");
            }
            tracing::info!(login = %account.login, %ip, "web sign-in");
            // Back to the page asked for (a path of this site only), else each role's portal.
            let landing = match crate::domain::Role::parse(&account.role) {
                Some(crate::domain::Role::Webmaster) => "/siteadmin",
                Some(crate::domain::Role::ServerAdmin) => "/admin",
                _ => "/personal",
            };
            let asked = next
                .as_deref()
                .and_then(crate::api::LocalPath::parse)
                .filter(|p| !p.as_str().starts_with("/login") && !p.as_str().starts_with("/api/"));
            go_to(asked.unwrap_or_else(|| crate::api::LocalPath::or(landing, "/")));
            Ok(None)
        }
        Checked::Suspended => refused(lang.pick(
            "Ce compte est suspendu : le mot de passe est juste, mais la connexion est \
                 bloquée. Contactez le webmaster de votre domaine.",
            "This account is suspended: the password is right, but signing in is blocked. \
                 Contact your domain's webmaster.",
        )),
        Checked::Wrong => {
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
