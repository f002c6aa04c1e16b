//! Request context for server functions (server side only): the application state, the
//! session, the client's address and language, and the signed-in account.

pub use super::LocalPath;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::store::entities::account;
use crate::store::sessions::ACCOUNT_KEY;
use axum::extract::ConnectInfo;
use leptos::prelude::*;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tower_sessions::Session;

pub const EPOCH_KEY: &str = "auth_epoch";
pub use crate::store::sessions::SIGNED_IN_AT_KEY;
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
    let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(a)| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match (state(), use_context::<axum::http::request::Parts>()) {
        (Ok(st), Some(parts)) => client_of(peer, &parts.headers, &st.trusted_proxies),
        _ => peer,
    }
}

/// The client behind `peer`: `peer` itself, unless it is one of the `trusted` proxies, then
/// the nearest address in `X-Forwarded-For` (else in the `for=` of `Forwarded`, RFC 7239
/// §5.2) that is not a trusted proxy (read from the right: what the client wrote on the left
/// may be anything). Throttling, caps and the change log see the client, not the proxy.
pub fn client_of(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[crate::domain::network::Network],
) -> IpAddr {
    let is_trusted = |ip| crate::domain::network::Network::any_contains(trusted, ip);
    if !is_trusted(peer) {
        return peer;
    }
    let mut hops: Vec<String> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|h| h.trim().to_string())
        .collect();
    if hops.is_empty() {
        hops = headers
            .get_all("forwarded")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(forwarded_for)
            .collect();
    }
    for hop in hops.into_iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(ip) => continue,
            Ok(ip) => return ip,
            // Something a trusted proxy would not write: no telling who is behind it.
            Err(_) => return peer,
        }
    }
    peer
}

/// Whether a trusted balancer says the client spoke HTTPS to it: the nearest (right-most)
/// `X-Forwarded-Proto`, else the `proto=` of the nearest `Forwarded` element (RFC 7239 §5.4).
/// From any other peer these headers mean nothing.
pub fn forwarded_https(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[crate::domain::network::Network],
) -> bool {
    if !crate::domain::network::Network::any_contains(trusted, peer) {
        return false;
    }
    let nearest = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .next_back()
            .map(str::to_string)
    };
    let proto = nearest("x-forwarded-proto").or_else(|| {
        nearest("forwarded").and_then(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("proto")
                    .then(|| v.trim().trim_matches('"').to_string())
            })
        })
    });
    proto.is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// `https` or `http`: how this request reached the site (see [`crate::state::Https`]).
pub fn request_scheme() -> &'static str {
    let https = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::state::Https>().copied())
        .map(|crate::state::Https(h)| h)
        .unwrap_or_else(|| state().is_ok_and(|st| st.secure_cookies));
    if https { "https" } else { "http" }
}

/// The node of one `Forwarded` element's `for=` (RFC 7239 §6): `192.0.2.43`,
/// `"192.0.2.43:47011"`, `"[2001:db8:cafe::17]:4711"`; an obfuscated or unknown node is kept
/// as written (it then names no address, and the proxy is kept).
fn forwarded_for(element: &str) -> Option<String> {
    let value = element.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("for")
            .then(|| v.trim().trim_matches('"'))
    })?;
    Some(match value.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default().to_string(),
        None => match value.split_once(':') {
            Some((ip, port)) if !port.contains(':') => ip.to_string(),
            _ => value.to_string(),
        },
    })
}

/// This site's address for links made on the server (in mail, on pages): the configured
/// public address, else the scheme and `Host` this request came with, else `fallback_host`.
pub fn site_base(fallback_host: Option<&str>) -> String {
    let Ok(st) = state() else {
        return "http://localhost".to_string();
    };
    if let Some(u) = &st.public_url {
        return u.clone();
    }
    let host = use_context::<axum::http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        })
        .filter(|h| plain_host(h))
        .or_else(|| fallback_host.map(str::to_string))
        .unwrap_or_else(|| st.mail_host.name.clone());
    format!("{}://{host}", request_scheme())
}

/// This site's address for links that leave in mail (a reset link): the configured public
/// address, else the host's own name — never the request's `Host`, which anyone can write
/// (a link to a stranger's site would hand them the token).
pub fn mail_link_base() -> String {
    let Ok(st) = state() else {
        return "http://localhost".to_string();
    };
    if let Some(u) = &st.public_url {
        return u.clone();
    }
    let scheme = if st.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{}", st.mail_host.name)
}

/// A Host header fit to put in a link: a name or an address, and a port.
pub fn plain_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
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
    signed_in(&st.store, &session)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))
}

/// The account `session` holds, if it is still valid: same password epoch, not suspended,
/// within the absolute lifetime. A stale session is emptied. For plain axum handlers too.
pub async fn signed_in(
    store: &crate::store::Store,
    session: &Session,
) -> Result<Option<account::Model>, crate::store::StoreError> {
    let id: Option<i64> = session.get(ACCOUNT_KEY).await.ok().flatten();
    let Some(id) = id else { return Ok(None) };
    let epoch: Option<i64> = session.get(EPOCH_KEY).await.ok().flatten();
    let since: Option<i64> = session.get(SIGNED_IN_AT_KEY).await.ok().flatten();
    let fresh = since.is_some_and(|t| crate::store::now() - t < ABSOLUTE_LIFETIME_SECS);
    match store.account_by_id(id).await? {
        Some(a) if fresh && Some(a.auth_epoch) == epoch && !a.suspended => Ok(Some(a)),
        _ => {
            let _ = session.flush().await;
            Ok(None)
        }
    }
}

/// What the caller's current password, typed again before a change, came to.
pub enum Recheck {
    Right,
    /// Wrong, or too many tries: the words for the `current` field.
    Refused(String),
    /// Nothing was decided (busy, database down): the form's answer as it is.
    Answer(crate::api::FormResult),
}

/// Checks `current` as the caller's password (throttled like a sign-in, at the web door);
/// `what` names the action in the log if the database does not answer. A suspended account
/// is refused outright.
pub async fn recheck_current(
    c: &Caller,
    current: &str,
    what: &str,
) -> Result<Recheck, ServerFnError> {
    use crate::auth::check::{Checked, throttled_text};
    let st = state()?;
    let ip = client_ip().await;
    let checked = st
        .gate
        .check(
            &st.store,
            ip,
            &c.account.login,
            current,
            crate::domain::security::Door::Web,
        )
        .await;
    Ok(match checked {
        Checked::Ok(..) => Recheck::Right,
        Checked::Throttled(wait) => Recheck::Refused(throttled_text(wait, c.lang)),
        Checked::Wrong => Recheck::Refused(
            c.lang
                .pick(
                    "Ce n'est pas votre mot de passe actuel (attention aux majuscules).",
                    "That is not your current password (mind the case).",
                )
                .to_string(),
        ),
        Checked::Suspended | Checked::AppPasswordNeeded => return Err(not_allowed(c.lang)),
        Checked::Busy => Recheck::Answer(busy(c.lang)),
        Checked::Unavailable(e) => Recheck::Answer(unavailable(what, e, c.lang)),
    })
}

/// Whether `caller` may act on mailbox `target`: their own; for a webmaster, any of their
/// domain; for the server admin, any that belongs to a domain.
pub fn may_act_on(caller: &account::Model, target: &account::Model) -> bool {
    use crate::domain::Role;
    match Role::parse(&caller.role).unwrap_or(Role::User) {
        _ if target.id == caller.id => true,
        Role::Webmaster => target.domain_id.is_some() && target.domain_id == caller.domain_id,
        Role::ServerAdmin => target.domain_id.is_some(),
        Role::User => false,
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

/// A refusal tied to one field of the form (shown next to it).
pub fn refused_at(field: &str, reason: impl Into<String>) -> crate::api::FormResult {
    refused(format!("[{field}] {}", reason.into()))
}

/// Refusals of several fields at once (each shown next to its field); none: not refused.
pub fn refused_fields(problems: &[(&str, String)]) -> Option<crate::api::FormResult> {
    if problems.is_empty() {
        return None;
    }
    let text = problems
        .iter()
        .map(|(field, reason)| format!("[{field}] {}", reason.replace('\n', " ")))
        .collect::<Vec<_>>()
        .join("\n");
    Some(refused(text))
}

/// The answer when the database did not answer: "unavailable for a moment" (the detail goes
/// to the log, never to the person).
pub fn unavailable(
    what: &str,
    detail: impl std::fmt::Display,
    lang: Lang,
) -> crate::api::FormResult {
    tracing::error!("{what}: {detail}");
    refused(crate::store::error::unavailable_text(lang))
}

/// A store refusal as a form's answer, next to `field` (or for the whole form); a database
/// failure as [`unavailable`].
pub fn refused_store(
    field: Option<&str>,
    e: crate::store::StoreError,
    lang: Lang,
) -> crate::api::FormResult {
    match (e, field) {
        (
            crate::store::StoreError::Db(detail) | crate::store::StoreError::Unreachable(detail),
            _,
        ) => unavailable("store", detail, lang),
        (e, field) => match e.field().or(field) {
            Some(field) => refused_at(field, e.message(lang)),
            None => refused(e.message(lang)),
        },
    }
}

/// Sends the browser to `to` once the server function returns (the only way server functions
/// redirect: the target is a checked [`crate::api::LocalPath`]).
pub fn go_to(to: crate::api::LocalPath) {
    leptos_axum::redirect(to.as_str());
}

/// Asks the person to confirm a destructive action before it is done: the browser is sent to
/// the confirmation page, which shows `question` and posts the same form again with
/// `confirmed=yes` (with JavaScript, the button's own dialog asks and this is not reached).
/// A program's call (not a form post) is refused with the question, on the `confirmed` field.
pub fn ask(question: impl AsRef<str>) -> crate::api::FormResult {
    // A program calling the function (not a browser's form) gets the question as a refusal.
    if !is_plain_form_post() {
        return Ok(Some(format!("[confirmed] {}", question.as_ref())));
    }
    say(question);
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(
            axum::http::HeaderName::from_static(crate::api::flash::CONFIRM_HEADER),
            axum::http::HeaderValue::from_static("1"),
        );
    }
    go_to(crate::api::LocalPath::or("/confirm", "/"));
    Ok(None)
}

/// Whether a destructive action's form says it was confirmed.
pub fn is_confirmed(confirmed: &Option<String>) -> bool {
    confirmed.as_deref() == Some("yes")
}

/// Says what a form's action did, in the caller's words ("Renvoi arrêté."): shown under the
/// form (see `api::flash`), or at the top of the page the browser is sent on to.
pub fn say(text: impl AsRef<str>) {
    notice_header(crate::api::flash::NOTICE_HEADER, text.as_ref());
}

/// Says what an action of a list did ("Relais fermé."), at the top of the page (the list's
/// small forms have no place for it).
pub fn announce(text: impl AsRef<str>) {
    notice_header(crate::api::flash::BANNER_HEADER, text.as_ref());
}

fn notice_header(name: &'static str, text: &str) {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(v) = axum::http::HeaderValue::from_str(&crate::api::percent_encode(text))
    {
        res.insert_header(axum::http::HeaderName::from_static(name), v);
    }
}

/// How long a client is asked to wait when passwords cannot be verified right now.
pub const BUSY_RETRY_SECS: u64 = 5;

/// The answer when the hashing pool has no room (see `auth::pool`): HTTP 503 with a
/// `Retry-After` for the page's own call (a plain form post goes back to its page with the
/// words, and the header), nothing decided.
pub fn busy(lang: Lang) -> crate::api::FormResult {
    use axum::http::{HeaderValue, StatusCode, header};
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(header::RETRY_AFTER, HeaderValue::from(BUSY_RETRY_SECS));
        if !is_plain_form_post() {
            res.set_status(StatusCode::SERVICE_UNAVAILABLE);
        }
    }
    Err(ServerFnError::new(lang.pick(
        "Trop de connexions en même temps : réessayez dans quelques secondes.",
        "Too many sign-ins at once: try again in a few seconds.",
    )))
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

/// Who is calling a server function, checked before anything is read or changed.
pub struct Caller {
    pub account: account::Model,
    pub role: crate::domain::Role,
    /// The caller's own domain (webmasters and users).
    pub domain: Option<crate::store::entities::domain::Model>,
    /// For the change log: the caller's login and address.
    pub actor: crate::store::Actor,
    pub lang: Lang,
}

/// A refusal of authority: the same words whatever was asked, so nothing leaks.
pub fn not_allowed(lang: Lang) -> ServerFnError {
    ServerFnError::new(lang.pick(
        "Vous n'avez pas le droit de faire cela.",
        "You are not allowed to do this.",
    ))
}

/// A store failure, in the caller's language.
pub fn store_error(e: crate::store::StoreError, lang: Lang) -> ServerFnError {
    if let crate::store::StoreError::Db(detail) | crate::store::StoreError::Unreachable(detail) = &e
    {
        tracing::error!("store: {detail}");
    }
    ServerFnError::new(e.public_message(lang))
}

/// The signed-in caller, or a refusal ("sign in first").
pub async fn caller() -> Result<Caller, ServerFnError> {
    let lang = request_lang();
    let Some(account) = current_account().await? else {
        return Err(ServerFnError::new(lang.pick(
            "Votre session a expiré : connectez-vous à nouveau.",
            "Your session has ended: please sign in again.",
        )));
    };
    let st = state()?;
    let domain = st
        .store
        .domain_of(&account)
        .await
        .map_err(|e| store_error(e, lang))?;
    let role = crate::domain::Role::parse(&account.role).unwrap_or(crate::domain::Role::User);
    let actor = crate::store::Actor::web(&account.login, Some(client_ip().await));
    Ok(Caller {
        account,
        role,
        domain,
        actor,
        lang,
    })
}

impl Caller {
    /// The domain this caller may manage: a webmaster's own (naming another is refused), any
    /// named one for the server admin; never for a mailbox user.
    pub async fn managed_domain(
        &self,
        requested: Option<&str>,
    ) -> Result<crate::store::entities::domain::Model, ServerFnError> {
        use crate::domain::Role;
        let requested = requested.map(str::trim).filter(|d| !d.is_empty());
        match (self.role, &self.domain, requested) {
            (Role::Webmaster, Some(own), None) => Ok(own.clone()),
            (Role::Webmaster, Some(own), Some(d)) if own.name.eq_ignore_ascii_case(d) => {
                Ok(own.clone())
            }
            (Role::ServerAdmin, _, Some(d)) => state()?
                .store
                .domain(&d.to_ascii_lowercase())
                .await
                .map_err(|e| store_error(e, self.lang)),
            _ => Err(not_allowed(self.lang)),
        }
    }

    /// A mailbox the caller manages as webmaster (or server admin): what the pen changes.
    /// A mailbox user may not use these functions, not even on themselves.
    pub async fn managed_by_manager(&self, login: &str) -> Result<account::Model, ServerFnError> {
        use crate::domain::Role;
        if !matches!(self.role, Role::Webmaster | Role::ServerAdmin) {
            return Err(not_allowed(self.lang));
        }
        self.managed_account(login).await
    }

    /// The mailbox `login` names on a page that serves both: empty is the caller's own, else
    /// one they may act on (`managed_account`).
    pub async fn own_or_managed(&self, login: &str) -> Result<account::Model, ServerFnError> {
        if login.trim().is_empty() {
            Ok(self.account.clone())
        } else {
            self.managed_account(login).await
        }
    }

    /// A mailbox this caller may act on: their own; for a webmaster, any of their domain; for
    /// the server admin, any that belongs to a domain.
    pub async fn managed_account(&self, login: &str) -> Result<account::Model, ServerFnError> {
        let st = state()?;
        let login = login.trim().to_ascii_lowercase();
        let target = match st.store.account(&login).await {
            Ok(a) => a,
            // Unknown or not yours: the same answer.
            Err(_) => return Err(not_allowed(self.lang)),
        };
        let allowed = may_act_on(&self.account, &target);
        if allowed {
            Ok(target)
        } else {
            Err(not_allowed(self.lang))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{client_of, forwarded_https};
    use crate::domain::network::Network;
    use axum::http::{HeaderMap, HeaderValue};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_behind_a_trusted_proxy() {
        let trusted = [
            Network::parse("127.0.0.1").unwrap(),
            Network::parse("10.0.0.0/8").unwrap(),
        ];
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.9, 10.1.2.3"),
        );
        // From the proxy: the nearest address that is not a proxy (the left one is the
        // client's own word, not to be trusted).
        assert_eq!(client_of(ip("127.0.0.1"), &h, &trusted), ip("203.0.113.9"));
        // From anyone else the header means nothing.
        assert_eq!(
            client_of(ip("198.51.100.7"), &h, &trusted),
            ip("198.51.100.7")
        );
        // Garbage or nothing: the proxy itself.
        h.insert("x-forwarded-for", HeaderValue::from_static("unknown"));
        assert_eq!(client_of(ip("127.0.0.1"), &h, &trusted), ip("127.0.0.1"));
        assert_eq!(
            client_of(ip("127.0.0.1"), &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(client_of(ip("127.0.0.1"), &h, &[]), ip("127.0.0.1"));
    }

    #[test]
    fn the_client_named_by_forwarded() {
        let trusted = [Network::parse("127.0.0.1").unwrap()];
        let mut h = HeaderMap::new();
        h.insert(
            "forwarded",
            HeaderValue::from_static(
                r#"for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https, for=127.0.0.1"#,
            ),
        );
        assert_eq!(
            client_of(ip("127.0.0.1"), &h, &trusted),
            ip("2001:db8:cafe::17")
        );
        h.insert(
            "forwarded",
            HeaderValue::from_static(r#"for="192.0.2.43:47011";by=203.0.113.60"#),
        );
        assert_eq!(client_of(ip("127.0.0.1"), &h, &trusted), ip("192.0.2.43"));
        h.insert("forwarded", HeaderValue::from_static("for=_hidden"));
        assert_eq!(client_of(ip("127.0.0.1"), &h, &trusted), ip("127.0.0.1"));
        // X-Forwarded-For, when both are there.
        h.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        assert_eq!(client_of(ip("127.0.0.1"), &h, &trusted), ip("203.0.113.9"));
    }

    #[test]
    fn the_scheme_a_trusted_balancer_names() {
        let trusted = [Network::parse("127.0.0.1").unwrap()];
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(forwarded_https(ip("127.0.0.1"), &h, &trusted));
        // Anyone else may write it: it means nothing from them.
        assert!(!forwarded_https(ip("198.51.100.7"), &h, &trusted));
        // The nearest hop is the balancer's word.
        h.insert("x-forwarded-proto", HeaderValue::from_static("https, http"));
        assert!(!forwarded_https(ip("127.0.0.1"), &h, &trusted));
        let mut h = HeaderMap::new();
        h.insert(
            "forwarded",
            HeaderValue::from_static(
                "for=192.0.2.43;proto=http, for=198.51.100.17;Proto=\"HTTPS\"",
            ),
        );
        assert!(forwarded_https(ip("127.0.0.1"), &h, &trusted));
        assert!(!forwarded_https(
            ip("127.0.0.1"),
            &HeaderMap::new(),
            &trusted
        ));
    }
}
