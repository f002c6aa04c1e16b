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

/// The content codings a request accepts, by the `q` values of `Accept-Encoding` (RFC 9110
/// §12.5.3): whether `coding` is acceptable (`*` counts, `q=0` refuses).
pub fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    let mut star = false;
    for value in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            if name.eq_ignore_ascii_case(coding) {
                return !refused;
            }
            if name == "*" && !refused {
                star = true;
            }
        }
    }
    star
}

/// `path` from `Pkg`, the brotli or gzip copy made at build time when the browser accepts it.
fn pkg_variant(path: &str, headers: &HeaderMap) -> Option<(EmbeddedFile, Option<&'static str>)> {
    for (coding, suffix) in [("br", ".br"), ("gzip", ".gz")] {
        if accepts(headers, coding)
            && let Some(f) = Pkg::get(&format!("{path}{suffix}"))
        {
            return Some((f, Some(coding)));
        }
    }
    Pkg::get(path).map(|f| (f, None))
}

/// The length of the content hash in a bundle file's name.
const HASH_LEN: usize = 10;

/// The versions in the bundle's names: one for the script and its wasm (they change
/// together), one for the stylesheet. Computed once, from the files' SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versions {
    pub bundle: String,
    pub css: String,
}

fn version_of(files: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for f in files {
        if let Some(file) = Pkg::get(f) {
            h.update(file.metadata.sha256_hash());
        }
    }
    app::auth::hex(&h.finalize())[..HASH_LEN].to_string()
}

/// The bundle's versions, as at start (a debug server serving a rebuilt bundle still serves
/// it, under the old names, but no longer as immutable).
pub fn versions() -> &'static Versions {
    static V: std::sync::OnceLock<Versions> = std::sync::OnceLock::new();
    V.get_or_init(|| Versions {
        bundle: version_of(&["frontend.js", "frontend_bg.wasm"]),
        css: version_of(&["courrier.css"]),
    })
}

/// The file a hashed name stands for, and the hash: `frontend.<h>.js` is `frontend.js`,
/// `frontend.<h>_bg.wasm` is `frontend_bg.wasm`, `courrier.<h>.css` is `courrier.css`.
pub fn unhash(name: &str) -> Option<(String, &str)> {
    let mut parts = name.splitn(3, '.');
    let (stem, middle, ext) = (parts.next()?, parts.next()?, parts.next()?);
    let hash = middle.get(..HASH_LEN)?;
    let suffix = &middle[HASH_LEN..];
    (hash.bytes().all(|b| b.is_ascii_hexdigit()) && (suffix.is_empty() || suffix == "_bg"))
        .then(|| (format!("{stem}{suffix}.{ext}"), hash))
}

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
    // A name without a hash: revalidate every time, cheaply, with the ETag.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// `/pkg/*`: the WASM bundle, its JS glue and the stylesheet — compressed when the browser
/// accepts it (each coding's copy has its own ETag; `Vary` tells caches). The pages name them
/// with their content hash: those names are kept by browsers for a year, never revalidated.
pub fn pkg(path: &str, headers: &HeaderMap) -> Option<Response> {
    let (path, immutable) = match unhash(path) {
        Some((base, hash)) => {
            let v = versions();
            let current = if base == "courrier.css" {
                &v.css
            } else {
                &v.bundle
            };
            (base, hash == current)
        }
        None => (path.to_string(), false),
    };
    let (file, coding) = pkg_variant(&path, headers)?;
    let mut res = respond(&path, file, headers);
    let h = res.headers_mut();
    if immutable {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Some(coding) = coding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    Some(res)
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

#[cfg(test)]
mod tests {
    use super::{accepts, unhash};

    #[test]
    fn hashed_names() {
        assert_eq!(
            unhash("frontend.0123456789.js"),
            Some(("frontend.js".to_string(), "0123456789"))
        );
        assert_eq!(
            unhash("frontend.abcdef0123_bg.wasm"),
            Some(("frontend_bg.wasm".to_string(), "abcdef0123"))
        );
        assert_eq!(
            unhash("courrier.abcdef0123.css"),
            Some(("courrier.css".to_string(), "abcdef0123"))
        );
        assert_eq!(unhash("frontend.js"), None);
        assert_eq!(unhash("frontend_bg.wasm"), None);
        assert_eq!(unhash("courrier.xyz.css"), None);
        assert_eq!(unhash("a.0123456789_x.css"), None);
    }
    use axum::http::{HeaderMap, HeaderValue, header};

    fn h(v: &'static str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
        m
    }

    #[test]
    fn accept_encoding() {
        assert!(accepts(&h("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(&h("gzip;q=1.0, br;q=0.5"), "br"));
        assert!(!accepts(&h("gzip, br;q=0"), "br"));
        assert!(accepts(&h("*"), "gzip"));
        assert!(!accepts(&h("*, gzip;q=0"), "gzip"));
        assert!(!accepts(&h("identity"), "br"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }
}
