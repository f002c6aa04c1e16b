//! `GET /.well-known/mta-sts.txt` on `mta-sts.DOMAIN` (RFC 8461 §3.3): the MTA-STS policy
//! of a hosted domain, named by the request's host. Other servers fetch it over HTTPS with a
//! certificate for that name; the id of the `_mta-sts` record (the DNS page) follows its text.

use app::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn policy(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let host = crate::http::request_host(&headers).unwrap_or_default();
    let Some(domain) = host.strip_prefix("mta-sts.").map(String::from) else {
        return (StatusCode::NOT_FOUND, "no MTA-STS policy here").into_response();
    };
    match state.store.hosted(&domain).await {
        Ok(Some(_)) => {
            let text = app::domain::dns_plan::mta_sts_policy(
                &state.mail_host.name,
                state.mail_host.mta_sts_enforce,
            );
            let mut res = text.into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            res
        }
        Ok(None) => (StatusCode::NOT_FOUND, "no MTA-STS policy here").into_response(),
        Err(e) => {
            tracing::error!("MTA-STS policy of {domain}: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "try again shortly").into_response()
        }
    }
}
