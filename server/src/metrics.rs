//! `GET /metrics` (issue 18, item 4): what `app::metrics` counted, with the queue's depth and
//! age read from the database at each scrape, for the allowed addresses only; and the timing
//! of every web request.

use app::domain::network::Network;
use app::metrics::{HTTP_DURATION, QUEUE_DEPTH, QUEUE_OLDEST};
use app::state::AppState;
use axum::Extension;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The scrape: 403 for a client outside `allowed` (judged by its real address, behind a
/// trusted balancer too).
pub async fn handler(
    State(state): State<AppState>,
    Extension(allowed): Extension<Arc<Vec<Network>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let client = app::api::context::client_of(peer.ip(), &headers, &state.trusted_proxies);
    if !Network::any_contains(&allowed, client) {
        tracing::warn!(%client, "metrics refused to an address not allowed");
        return (
            StatusCode::FORBIDDEN,
            "metrics are not served to this address\n",
        )
            .into_response();
    }
    match state.store.queue_depth().await {
        Ok((depth, oldest)) => {
            app::metrics::set(QUEUE_DEPTH, &[], depth as f64);
            let age = oldest.map_or(0, |t| (app::store::now() - t).max(0));
            app::metrics::set(QUEUE_OLDEST, &[], age as f64);
        }
        Err(e) => tracing::warn!("metrics: cannot read the queue: {e}"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app::metrics::render(),
    )
        .into_response()
}

/// Times each web request to its response's headers, by kind of request.
pub async fn timed(req: Request<Body>, next: Next) -> Response {
    let kind = kind_of(req.uri().path());
    let began = std::time::Instant::now();
    let res = next.run(req).await;
    app::metrics::observe(
        HTTP_DURATION,
        &[("kind", kind)],
        began.elapsed().as_secs_f64(),
    );
    res
}

/// A request's kind in the latency histogram (a few values: never the path itself, which
/// anyone can vary).
fn kind_of(path: &str) -> &'static str {
    if path.starts_with("/api/") {
        "api"
    } else if path.starts_with("/pkg/") || path == "/favicon.ico" || path.ends_with(".svg") {
        "asset"
    } else if path.starts_with("/.well-known/")
        || path == "/healthz"
        || path == "/metrics"
        || path.starts_with("/backup-files/")
        || path.starts_with("/dns-zone/")
        || path.eq_ignore_ascii_case("/autodiscover/autodiscover.xml")
        || path == "/mail/config-v1.1.xml"
    {
        "other"
    } else {
        "page"
    }
}

#[cfg(test)]
mod tests {
    use super::kind_of;

    #[test]
    fn requests_are_timed_by_kind() {
        assert_eq!(kind_of("/api/sign_in123"), "api");
        assert_eq!(kind_of("/pkg/frontend.abc.wasm"), "asset");
        assert_eq!(kind_of("/healthz"), "other");
        assert_eq!(kind_of("/siteadmin/user/cdupont"), "page");
    }
}
