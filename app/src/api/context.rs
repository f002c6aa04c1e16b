//! Request context for server functions (server side only): the application state, the
//! session, the client's address and language, and the signed-in account.

use crate::i18n::Lang;
use crate::state::AppState;
use crate::store::entities::account;
use crate::store::sessions::ACCOUNT_KEY;
use axum::extract::ConnectInfo;
use leptos::prelude::*;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tower_sessions::Session;

pub const EPOCH_KEY: &str = "auth_epoch";
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// A session ends this long after sign-in, however active (the idle limit is on the cookie).
pub const ABSOLUTE_LIFETIME_SECS: i64 = 7 * 24 * 3600;

pub fn state() -> Result<AppState, ServerFnError> {
    use_context::<AppState>().ok_or_else(|| ServerFnError::new("application state missing"))
}

pub async fn session() -> Result<Session, ServerFnError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| ServerFnError::new(format!("no session: {e}")))
}

pub async fn client_ip() -> IpAddr {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(a)| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The language of this request: the `lang` cookie, else `Accept-Language`, else French.
pub fn request_lang() -> Lang {
    use_context::<axum::http::request::Parts>()
        .map(|p| lang_from_headers(&p.headers))
        .unwrap_or_default()
}

pub fn lang_from_headers(headers: &axum::http::HeaderMap) -> Lang {
    let from_cookie = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().strip_prefix("lang="))
        .find_map(Lang::from_tag);
    from_cookie.unwrap_or_else(|| {
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::negotiate)
            .unwrap_or_default()
    })
}

/// The signed-in account, if the session holds one that is still valid: same password epoch,
/// not suspended, within the absolute lifetime.
pub async fn current_account() -> Result<Option<account::Model>, ServerFnError> {
    let st = state()?;
    let session = session().await?;
    let id: Option<i64> = session.get(ACCOUNT_KEY).await.ok().flatten();
    let Some(id) = id else { return Ok(None) };
    let epoch: Option<i64> = session.get(EPOCH_KEY).await.ok().flatten();
    let since: Option<i64> = session.get(SIGNED_IN_AT_KEY).await.ok().flatten();
    let fresh = since.is_some_and(|t| crate::store::now() - t < ABSOLUTE_LIFETIME_SECS);
    let account = st
        .store
        .account_by_id(id)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    match account {
        Some(a) if fresh && Some(a.auth_epoch) == epoch && !a.suspended => Ok(Some(a)),
        _ => {
            let _ = session.flush().await;
            Ok(None)
        }
    }
}

/// Whether this request is a plain HTML form post (the browser asks for HTML), as opposed to
/// a call from the hydrated page. Leptos decides the same way.
pub fn is_plain_form_post() -> bool {
    use_context::<axum::http::request::Parts>().is_some_and(|p| {
        p.headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// A refusal the person can fix: see [`crate::api::FormResult`].
pub fn refused(reason: impl Into<String>) -> crate::api::FormResult {
    let reason = reason.into();
    if is_plain_form_post() {
        Err(ServerFnError::new(reason))
    } else {
        Ok(Some(reason))
    }
}
