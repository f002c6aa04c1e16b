//! The browser bundle (`target/site/pkg`, built by Trunk) and `public/`, embedded in release
//! builds so `courrier serve` works from any directory; debug builds read them from the
//! workspace, so a rebuilt bundle is served without recompiling the server.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::{EmbeddedFile, RustEmbed};

#[derive(RustEmbed)]
#[folder = "../target/site/pkg/"]
#[allow_missing = true]
struct Pkg;

#[derive(RustEmbed)]
#[folder = "../public/"]
struct Public;

fn respond(path: &str, file: EmbeddedFile, headers: &HeaderMap) -> Response {
    let etag = format!("\"{}\"", app::auth::hex(&file.metadata.sha256_hash()[..16]));
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let mut res = if cached {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(file.data.into_owned()))
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    // Names are stable (no hash in them): revalidate every time, cheaply, with the ETag.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// `/pkg/*`: the WASM bundle, its JS glue and the stylesheet.
pub fn pkg(path: &str, headers: &HeaderMap) -> Option<Response> {
    Pkg::get(path).map(|f| respond(path, f, headers))
}

/// Files of `public/` at the site root (icons, favicon, manifest).
pub fn public(path: &str, headers: &HeaderMap) -> Option<Response> {
    if path.is_empty() || path.ends_with('/') {
        return None;
    }
    Public::get(path).map(|f| respond(path, f, headers))
}

/// Whether the browser bundle is present (a server built before Trunk ran has none).
pub fn bundle_present() -> bool {
    Pkg::get("frontend.js").is_some() && Pkg::get("frontend_bg.wasm").is_some()
}
