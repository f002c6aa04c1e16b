//! The flash of plain form posts (see `app::api::flash`): after a server function answers a
//! form post with a redirect, what happened is put in a short-lived cookie for the next page,
//! and the browser is sent there with a clean address (303). The next HTML page takes it (the
//! cookie is cleared in the same answer) and renders the form with it. A cookie rather than
//! the session: a refused sign-in must not create a session (nor a row in the database).

use app::api::flash::{Flash, is_secret};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The flash cookie's name.
pub const COOKIE: &str = "courrier_flash";
/// The largest form post read (axum's own default limit for bodies).
const MAX_FORM: usize = 2 << 20;
/// Beyond this the typed values are left out of the cookie (browsers keep 4 KB a cookie).
const MAX_COOKIE: usize = 3000;

fn accepts_html(h: &HeaderMap) -> bool {
    h.get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn is_urlencoded(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// The flash cookie's value for `f`, the typed values left out if they make it too big.
pub fn encode(f: &Flash) -> Option<String> {
    let text = |f: &Flash| {
        serde_json::to_vec(f)
            .ok()
            .map(|j| URL_SAFE_NO_PAD.encode(j))
    };
    let full = text(f)?;
    if full.len() <= MAX_COOKIE {
        return Some(full);
    }
    let short = text(&Flash {
        values: Vec::new(),
        ..f.clone()
    })?;
    (short.len() <= MAX_COOKIE).then_some(short)
}

/// The flash a request's cookies carry, if any (a value that does not decode is ignored).
pub fn decode(h: &HeaderMap) -> Option<Flash> {
    let value = h
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))?;
    let json = URL_SAFE_NO_PAD.decode(value).ok()?;
    serde_json::from_slice(&json).ok()
}

fn cookie(value: &str, max_age: u32, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    ))
    .ok()
}

/// A redirect's target split into the address without Leptos's `__path`/`__err`, and those two.
pub fn split_location(location: &str) -> (String, Option<(String, String)>) {
    let Some((path, query)) = location.split_once('?') else {
        return (location.to_string(), None);
    };
    let (mut err_path, mut err, mut rest) = (None, None, Vec::new());
    // The other parameters are kept as they were written.
    for pair in query.split('&') {
        let decoded = || {
            form_urlencoded::parse(pair.as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        match pair.split_once('=').map_or(pair, |(k, _)| k) {
            "__path" => err_path = decoded(),
            "__err" => err = decoded(),
            _ => rest.push(pair),
        }
    }
    let clean = if rest.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", rest.join("&"))
    };
    (clean, err_path.zip(err))
}

/// The typed values of a form body, passwords left out.
pub fn kept_values(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .filter(|(k, _)| !is_secret(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The middleware: on a plain form post to a server function, the flash of its answer; on an
/// HTML page, the flash taken out of its cookie for the page (`secure`: HTTPS-only cookies).
pub async fn flash(State(secure): State<bool>, req: Request<Body>, next: Next) -> Response {
    let h = req.headers();
    if req.method() == Method::POST && req.uri().path().starts_with("/api/") && accepts_html(h) {
        let path = req.uri().path().to_string();
        let (parts, body) = req.into_parts();
        if !is_urlencoded(&parts.headers) {
            let res = next.run(Request::from_parts(parts, body)).await;
            return after_post(path, &[], res, secure);
        }
        let Ok(body) = axum::body::to_bytes(body, MAX_FORM).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let res = next
            .run(Request::from_parts(parts, Body::from(body.clone())))
            .await;
        return after_post(path, &body, res, secure);
    }
    if req.method() == Method::GET
        && accepts_html(h)
        && !req.uri().path().starts_with("/api/")
        && let Some(f) = decode(h)
    {
        let mut req = req;
        req.extensions_mut().insert(f);
        let mut res = next.run(req).await;
        if let Some(clear) = cookie("", 0, secure) {
            res.headers_mut().append(header::SET_COOKIE, clear);
        }
        return res;
    }
    next.run(req).await
}

/// Turns the server function's redirect into a 303 to a clean address, with the flash set.
fn after_post(path: String, body: &[u8], mut res: Response, secure: bool) -> Response {
    if !res.status().is_redirection() {
        return res;
    }
    let Some(location) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return res;
    };
    let (clean, refusal) = split_location(&location);
    let flash = match refusal {
        Some((fn_path, error)) => Flash {
            path: fn_path,
            error: Some(error),
            values: kept_values(body),
        },
        None => Flash {
            path,
            error: None,
            values: Vec::new(),
        },
    };
    let (Some(set), Ok(to)) = (
        encode(&flash).and_then(|v| cookie(&v, 60, secure)),
        HeaderValue::from_str(&clean),
    ) else {
        return res;
    };
    let h = res.headers_mut();
    h.append(header::SET_COOKIE, set);
    h.insert(header::LOCATION, to);
    // RFC 9110 §15.4.4: after a POST, 303 sends the browser to GET the page.
    *res.status_mut() = StatusCode::SEE_OTHER;
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_refusal_out_of_the_address() {
        let (clean, r) = split_location("/siteadmin/add?domain=a.fr&__path=%2Fapi%2Fx&__err=QUJD");
        assert_eq!(clean, "/siteadmin/add?domain=a.fr");
        assert_eq!(r, Some(("/api/x".to_string(), "QUJD".to_string())));
        let (clean, r) = split_location("/personal?__path=%2Fapi%2Fy&__err=QQ%3D%3D");
        assert_eq!(clean, "/personal");
        assert_eq!(r, Some(("/api/y".to_string(), "QQ==".to_string())));
        assert_eq!(
            split_location("/siteadmin"),
            ("/siteadmin".to_string(), None)
        );
        // Other parameters stay exactly as written.
        let (clean, _) = split_location("/siteadmin?domain=a%0D%0Ab%20c&__err=QQ");
        assert_eq!(clean, "/siteadmin?domain=a%0D%0Ab%20c");
    }

    #[test]
    fn the_cookie_round_trips_and_stays_small() {
        let f = Flash {
            path: "/api/siteadmin/add_user".into(),
            error: Some("QUJD".into()),
            values: vec![("first_name".into(), "Éloïse".into())],
        };
        let mut h = HeaderMap::new();
        let v = encode(&f).unwrap();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; {COOKIE}={v}")).unwrap(),
        );
        assert_eq!(decode(&h), Some(f.clone()));
        let big = Flash {
            values: vec![("body".into(), "x".repeat(10_000))],
            ..f
        };
        let v = encode(&big).unwrap();
        assert!(v.len() <= MAX_COOKIE);
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("{COOKIE}={v}")).unwrap(),
        );
        assert_eq!(decode(&h).unwrap().values, Vec::new());
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("courrier_flash=%%%"),
        );
        assert_eq!(decode(&h), None);
    }

    #[test]
    fn keeps_values_but_no_password() {
        let v = kept_values(b"login=jdupont&password=secret&first_name=%C3%89lo%C3%AFse");
        assert_eq!(
            v,
            vec![
                ("login".to_string(), "jdupont".to_string()),
                ("first_name".to_string(), "Éloïse".to_string())
            ]
        );
    }
}
