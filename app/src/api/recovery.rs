//! A forgotten password (issue 16): "Mot de passe oublié ?" on the sign-in page sends a reset
//! link to the account's confirmed recovery address — the same answer whether the account
//! exists or not, throttled per account and per address — and the link's page sets a new
//! password. The webmaster can send the link from the pen page instead of reading a new
//! password out. The recovery address itself is set on the security page.

use leptos::prelude::*;

/// What the sign-in page's "forgotten password" answers, whatever the account.
#[cfg(feature = "ssr")]
fn same_answer(lang: crate::i18n::Lang) -> String {
    lang.pick(
        "Si ce compte a une adresse de secours confirmée, un lien vient d'y être envoyé : il sert une fois, pendant une heure. Sinon, demandez à votre webmaster de vous envoyer un lien ou un nouveau mot de passe.",
        "If this account has a confirmed recovery address, a link has just been sent to it: it works once, for one hour. Otherwise, ask your webmaster to send you a link or a new password.",
    )
    .to_string()
}

/// Sends a reset link to the account's recovery address, if it has a confirmed one.
#[server(endpoint = "recovery/forgot")]
pub async fn forgot_password(login: String) -> super::FormResult {
    use super::context::*;
    let st = state()?;
    let lang = request_lang();
    let ip = client_ip().await;
    let key = crate::domain::LoginInput::parse(&login)
        .map(|l| format!("reset:{}", l.login))
        .unwrap_or_else(|| "reset:".to_string());
    // Each request is counted for this address and account and never given back: a script
    // can neither flood a recovery mailbox nor probe in bulk (sign-ins are counted apart).
    let attempt = match st.gate.resets.begin(ip, &key) {
        Ok(a) => a,
        Err(refused) => {
            return refused_at(
                "login",
                crate::auth::check::throttled_text(refused.retry_after, lang),
            );
        }
    };
    attempt.pace().await;
    drop(attempt);
    // The link is made and sent after the answer: the time taken says nothing of the account.
    let store = st.store.clone();
    let base = mail_link_base();
    tokio::spawn(async move {
        let account = match crate::domain::LoginInput::parse(&login) {
            Some(input) => store.account_for_login_input(&input).await.ok().flatten(),
            None => None,
        };
        if let Some(a) = account.filter(|a| !a.suspended) {
            let actor = crate::store::Actor::web(&a.login, Some(ip));
            match store.send_reset_link(&actor, &a, &base, false).await {
                Ok(sent) => {
                    tracing::info!(login = %a.login, %ip, sent = sent.is_some(), "reset link asked")
                }
                Err(e) => tracing::error!("reset link: {e}"),
            }
        }
    });
    say(same_answer(lang));
    Ok(None)
}

/// The login a reset link opens, or None when it is unknown, used or expired.
#[server(endpoint = "recovery/link")]
pub async fn reset_link_login(token: String) -> Result<Option<String>, ServerFnError> {
    use super::context::*;
    let st = state()?;
    Ok(st
        .store
        .reset_token_account(&token, crate::store::now())
        .await
        .map_err(|e| store_error(e, request_lang()))?
        .map(|a| a.login))
}

/// Sets a new password through a reset link; then to the sign-in page.
#[server(endpoint = "recovery/reset")]
pub async fn reset_password(
    token: String,
    new_password: String,
    confirm: String,
) -> super::FormResult {
    use super::context::*;
    let st = state()?;
    let lang = request_lang();
    if new_password != confirm {
        return refused_at(
            "confirm",
            lang.pick(
                "Les deux saisies du nouveau mot de passe sont différentes.",
                "The two entries of the new password differ.",
            ),
        );
    }
    let ip = client_ip().await;
    match st
        .store
        .reset_password(&token, new_password, crate::store::now(), &ip.to_string())
        .await
    {
        Ok(a) => {
            tracing::info!(login = %a.login, %ip, "password reset by link");
            announce(lang.pick(
                "Mot de passe changé : connectez-vous avec le nouveau.",
                "Password changed: sign in with the new one.",
            ));
            go_to(crate::api::LocalPath::or("/login", "/"));
            Ok(None)
        }
        Err(e) => refused_store(Some("new_password"), e, lang),
    }
}
