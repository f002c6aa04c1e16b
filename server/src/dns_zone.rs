//! `GET /dns-zone/{domain}`: a domain's records as a zone file (RFC 1035 §5), for its
//! webmaster or the server admin to import at their DNS provider. Anyone else: not found.

use app::api::context::signed_in;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

pub async fn download(
    State(state): State<AppState>,
    Path(domain): Path<String>,
    session: Session,
) -> Response {
    let Ok(Some(me)) = signed_in(&state.store, &session).await else {
        return Redirect::to("/login").into_response();
    };
    match app::api::dns::zone_file(&state, &me, &domain).await {
        Ok(Some((name, text))) => {
            let mut res = text.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/dns; charset=utf-8"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Ok(None) => (StatusCode::NOT_FOUND, "no such domain").into_response(),
        Err(e) => {
            tracing::error!("zone file of {domain}: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "try again shortly").into_response()
        }
    }
}
