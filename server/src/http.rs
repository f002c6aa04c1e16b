//! The web side: axum router with Leptos SSR + server functions, sessions in the database,
//! static assets, health, language switch, and the security middleware.

use crate::assets;
use crate::autoconfig;
use crate::backup_files;
use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use serde::Deserialize;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Idle limit of a web session.
pub const SESSION_IDLE: tower_sessions::cookie::time::Duration =
    tower_sessions::cookie::time::Duration::hours(2);

/// Who may read `GET /metrics` (issue 18): None leaves it off (404).
pub type MetricsAccess = Option<std::sync::Arc<Vec<app::domain::network::Network>>>;

pub fn router(state: AppState, metrics: MetricsAccess) -> Router {
    let ports = state.client_ports.clone();
    let routes = generate_route_list(App);
    let sessions =
        SessionManagerLayer::new(app::store::sessions::DbSessionStore::new(&state.store))
            .with_name("courrier_session")
            .with_http_only(true)
            .with_same_site(SameSite::Strict)
            .with_secure(state.secure_cookies)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(SESSION_IDLE))
            // Saved after every request (the store writes at most once a minute when nothing
            // changed): the idle limit counts from the last request, and "last seen" is true.
            .with_always_save(true);

    let ctx_state = state.clone();
    let context = move || provide_context(ctx_state.clone());
    let options = state.leptos_options.clone();

    let router = match metrics {
        Some(allowed) => Router::new().route(
            "/metrics",
            get(crate::metrics::handler).layer(axum::Extension(allowed)),
        ),
        None => Router::new(),
    };
    router
        .route("/healthz", get(health))
        .route(
            "/.well-known/autoconfig/mail/config-v1.1.xml",
            get(autoconfig::thunderbird_handler),
        )
        .route(
            "/mail/config-v1.1.xml",
            get(autoconfig::thunderbird_handler),
        )
        .route(
            "/autodiscover/autodiscover.xml",
            axum::routing::post(autoconfig::autodiscover_handler),
        )
        .route(
            "/Autodiscover/Autodiscover.xml",
            axum::routing::post(autoconfig::autodiscover_handler),
        )
        .route(
            "/personal/mobileconfig",
            get(autoconfig::mobileconfig_handler),
        )
        .route(
            "/backup-files/{login}",
            axum::routing::post(backup_files::upload).layer(DefaultBodyLimit::max(
                usize::try_from(state.backup_limits.max_file)
                    .unwrap_or(usize::MAX)
                    .saturating_add(1 << 20),
            )),
        )
        .route("/backup-files/{login}/{id}", get(backup_files::download))
        .route("/dns-zone/{domain}", get(crate::dns_zone::download))
        .route(
            "/.well-known/acme-challenge/{token}",
            get(crate::acme::challenge),
        )
        .route(
            "/.well-known/mta-sts.txt",
            get(crate::mta_sts_policy::policy),
        )
        .route("/lang/{tag}", get(set_lang))
        .route("/pkg/{*path}", get(pkg))
        .leptos_routes_with_context(&state, routes, context, move || shell(options.clone()))
        .fallback(fallback)
        .layer(axum::Extension(std::sync::Arc::new(ports)))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.secure_cookies,
            crate::flash::flash,
        ))
        .layer(middleware::from_fn(compress_html))
        .layer(middleware::from_fn(csrf_guard))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(crate::metrics::timed))
        .layer(middleware::from_fn_with_state(
            (state.secure_cookies, state.trusted_proxies.clone()),
            request_scheme,
        ))
        .with_state(state)
}

async fn pkg(Path(path): Path<String>, req: Request<Body>) -> Response {
    assets::pkg(&path, req.headers()).unwrap_or_else(|| StatusCode::NOT_FOUND.into_response())
}

/// Files of `public/`, else the application's own "page not found".
async fn fallback(State(state): State<AppState>, req: Request<Body>) -> Response {
    let path = req.uri().path().trim_start_matches('/').to_string();
    if req.method() == Method::GET
        && let Some(res) = assets::public(&path, req.headers())
    {
        return res;
    }
    let options = state.leptos_options.clone();
    let ctx = state.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || provide_context(ctx.clone()),
        move || shell(options.clone()),
    );
    let mut res = handler(req).await;
    if res.status() == StatusCode::OK {
        *res.status_mut() = StatusCode::NOT_FOUND;
    }
    res
}

async fn health(State(state): State<AppState>) -> Response {
    let engine = match state.store.engine() {
        app::store::Engine::Sqlite => "sqlite",
        app::store::Engine::Postgres => "postgres",
    };
    // Each mail listener: a balancer takes the instance out when one is down.
    let listeners: serde_json::Map<String, serde_json::Value> = state
        .listeners
        .iter()
        .map(|l| {
            let up = l.up.load(std::sync::atomic::Ordering::Acquire);
            (l.name.clone(), if up { "up" } else { "down" }.into())
        })
        .collect();
    let all_up = listeners.values().all(|v| v == "up");
    let database = match state.store.ping().await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("health check: database unreachable: {e}");
            false
        }
    };
    let ok = database && all_up;
    let body = serde_json::json!({
        "status": if ok { "ok" } else { "unavailable" },
        "database": engine,
        "database_reachable": database,
        "listeners": listeners,
    });
    (
        if ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[derive(Deserialize)]
struct NextPage {
    next: Option<String>,
}

/// `/lang/en?next=/login`: remembers the language in a cookie and goes back.
async fn set_lang(Path(tag): Path<String>, Query(q): Query<NextPage>) -> Response {
    let Some(lang) = app::i18n::Lang::from_tag(&tag) else {
        return (StatusCode::NOT_FOUND, "unknown language").into_response();
    };
    // Only local paths: never an open redirect.
    let next = app::api::local_path(q.next.as_deref().unwrap_or("/"), "/");
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.tag()
    );
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::SEE_OTHER;
    if let (Ok(loc), Ok(c)) = (HeaderValue::from_str(&next), HeaderValue::from_str(&cookie)) {
        res.headers_mut().insert(header::LOCATION, loc);
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    res
}

/// Server functions do no CSRF check of their own: a state-changing request that a browser
/// says comes from another site is refused (`Sec-Fetch-Site`, else `Origin` against `Host`).
/// SameSite=Strict cookies are the other half of the defence.
/// Pages go out gzip-compressed to browsers that accept it (a few KB instead of tens; the
/// bundle has its own precompressed copies). BREACH needs the attacker's requests to carry the
/// victim's cookies: the session cookie is SameSite=Strict, so they do not.
async fn compress_html(req: Request<Body>, next: Next) -> Response {
    use std::io::Write;
    let gzip = crate::assets::accepts(req.headers(), "gzip");
    let res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !gzip || !is_html || res.headers().contains_key(header::CONTENT_ENCODING) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(html) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    let Ok(packed) = z.write_all(&html).and_then(|()| z.finish()) else {
        return Response::from_parts(parts, Body::from(html));
    };
    let h = &mut parts.headers;
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(packed))
}

async fn csrf_guard(req: Request<Body>, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let foreign = match site {
        Some(s) => !matches!(s, "same-origin" | "none"),
        None => match (
            h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
            h.get(header::HOST),
        ) {
            (Some("null"), _) => true,
            (Some(origin), Some(host)) => {
                let origin_host = origin.split("://").nth(1).unwrap_or(origin);
                Some(origin_host) != host.to_str().ok()
            }
            _ => false,
        },
    };
    if foreign {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}

/// How the client reached the site (`app::state::Https`): over HTTPS when the portal is
/// served so (`secure_cookies`) or a trusted balancer says so (`X-Forwarded-Proto`). Its
/// cookies are then `Secure` whatever set them.
async fn request_scheme(
    State((secure, trusted)): State<(bool, TrustedProxies)>,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    let https = secure || forwarded_https(&req, &trusted);
    req.extensions_mut().insert(app::state::Https(https));
    let mut res = next.run(req).await;
    if https && !secure {
        let cookies: Vec<HeaderValue> = res
            .headers_mut()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|c| match c.to_str() {
                Ok(text) if !text.to_ascii_lowercase().contains("; secure") => {
                    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| c.clone())
                }
                _ => c.clone(),
            })
            .collect();
        let h = res.headers_mut();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            h.append(header::SET_COOKIE, c);
        }
    }
    res
}

type TrustedProxies = std::sync::Arc<Vec<app::domain::network::Network>>;

/// Whether a trusted balancer in front says this request came over HTTPS.
fn forwarded_https(req: &Request<Body>, trusted: &TrustedProxies) -> bool {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .is_some_and(|ci| app::api::context::forwarded_https(ci.0.ip(), req.headers(), trusted))
}

async fn security_headers(mut req: Request<Body>, next: Next) -> Response {
    let https = req
        .extensions()
        .get::<app::state::Https>()
        .is_some_and(|h| h.0);
    let nonce = app::auth::random_hex(16);
    // The page's own inline scripts (Leptos' hydration loader and its serialized data) carry
    // this nonce; nothing else inline runs.
    req.extensions_mut()
        .insert(app::state::CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages (signed-in ones show mail settings, names, passwords once) and server-function
    // answers are never kept by a browser or a proxy; static files say their own.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Served over HTTPS (behind a TLS proxy, `secure_cookies`, or a trusted balancer that says
    // so): browsers keep to HTTPS (RFC 6797), for a year.
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // 'wasm-unsafe-eval' lets the browser compile the WebAssembly bundle (and nothing else:
    // no eval of scripts); scripts are this site's files or carry this response's nonce.
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

/// With the `https` listener on, the portals reached over plain HTTP send the browser there
/// (`301` for GET and HEAD, `308` otherwise, so a form post keeps its method). What must stay
/// on plain HTTP stays: ACME's challenges (RFC 8555 §8.3 asks on port 80), the MTA-STS policy
/// and mail clients' autoconfiguration, and the health check.
/// A request a trusted balancer says came over HTTPS is not sent anywhere.
pub fn redirect_to_https(router: Router, https_port: u16, trusted: TrustedProxies) -> Router {
    router.layer(middleware::from_fn_with_state(
        (https_port, trusted),
        to_https,
    ))
}

async fn to_https(
    axum::extract::State((port, trusted)): axum::extract::State<(u16, TrustedProxies)>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path();
    let stays = forwarded_https(&req, &trusted)
        || path.starts_with("/.well-known/")
        || path == "/healthz"
        || path == "/metrics"
        || path == "/mail/config-v1.1.xml"
        || path.eq_ignore_ascii_case("/autodiscover/autodiscover.xml");
    let host = request_host(req.headers());
    let Some(name) = host.filter(|_| !stays) else {
        return next.run(req).await;
    };

    let target = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let location = if port == 443 {
        format!("https://{name}{target}")
    } else {
        format!("https://{name}:{port}{target}")
    };
    let status = if matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    ) {
        axum::http::StatusCode::MOVED_PERMANENTLY
    } else {
        axum::http::StatusCode::PERMANENT_REDIRECT
    };
    (status, [(axum::http::header::LOCATION, location)]).into_response()
}

/// The name a request was made to (its `Host`), lower case, without a `:port`; None when
/// absent or not a plain host name (an IPv6 literal keeps its brackets).
pub fn request_host(headers: &axum::http::HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let name = match host.rsplit_once(':') {
        Some((n, p)) if !n.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => host,
    };
    let sound = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b));
    sound.then(|| name.to_ascii_lowercase())
}
