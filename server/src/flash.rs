//! The flash of plain form posts (see `app::api::flash`): after a server function answers a
//! form post with a redirect, what happened is put in a short-lived cookie for the next page,
//! and the browser is sent there with a clean address (303). The next HTML page takes it (the
//! cookie is cleared in the same answer) and renders the form with it. A cookie rather than
//! the session: a refused sign-in must not create a session (nor a row in the database).

use app::api::LocalPath;
use app::api::flash::{
    BANNER_HEADER, CONFIRM_HEADER, FROM_FIELD, Flash, NOTICE_HEADER, anchor, is_secret,
};
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
    for pair in query.split('&').filter(|p| !p.is_empty()) {
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

/// The typed values of a form body, passwords left out (and the confirmation page's own).
pub fn kept_values(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .filter(|(k, _)| !is_secret(k) && k != FROM_FIELD)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The path (with query) of an address of this site, absolute or not.
fn local_part(url: &str) -> Option<LocalPath> {
    let path = match url.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/')?..],
        None => url,
    };
    LocalPath::parse(path.split('#').next().unwrap_or(path))
}

/// The middleware: on a plain form post to a server function, the flash of its answer; on an
/// HTML page, the flash taken out of its cookie for the page (`secure`: HTTPS-only cookies).
pub async fn flash(State(secure): State<bool>, req: Request<Body>, next: Next) -> Response {
    let h = req.headers();
    if req.method() == Method::POST && req.uri().path().starts_with("/api/") && accepts_html(h) {
        let post = Post {
            path: req.uri().path().to_string(),
            referer: h
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            secure,
        };
        let (parts, body) = req.into_parts();
        if !is_urlencoded(&parts.headers) {
            let res = next.run(Request::from_parts(parts, body)).await;
            return post.answered(&[], res);
        }
        let Ok(body) = axum::body::to_bytes(body, MAX_FORM).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let res = next
            .run(Request::from_parts(parts, Body::from(body.clone())))
            .await;
        return post.answered(&body, res);
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

/// A plain form post to a server function, as it came.
struct Post {
    /// The server function's URL.
    path: String,
    /// The form's page.
    referer: Option<String>,
    /// Whether cookies are HTTPS-only.
    secure: bool,
}

impl Post {
    /// Turns the server function's redirect into a 303 to a clean address (back at the form
    /// when it returns to the form's page), with the flash set.
    fn answered(self, body: &[u8], mut res: Response) -> Response {
        let h = res.headers_mut();
        let confirm = h.remove(CONFIRM_HEADER).is_some();
        let mut take = |name: &str| {
            h.remove(name)
                .and_then(|v| v.to_str().ok().map(str::to_string))
                .map(|v| {
                    form_urlencoded::parse(format!("n={v}").as_bytes())
                        .next()
                        .map(|(_, t)| t.into_owned())
                        .unwrap_or_default()
                })
        };
        let said = take(NOTICE_HEADER);
        let announced = take(BANNER_HEADER);
        let banner = announced.is_some();
        let notice = announced.or(said);
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
        // Leptos sends a plain post back to its Referer unless the function chose a page.
        let back = self
            .referer
            .as_deref()
            .is_some_and(|r| split_location(r).0 == clean);
        // A post from the confirmation page goes back to the form's own page.
        let from_confirmation = form_urlencoded::parse(body)
            .find(|(k, _)| k == FROM_FIELD)
            .and_then(|(_, v)| local_part(&v));
        let clean = match (&from_confirmation, back) {
            (Some(page), true) => page.to_string(),
            _ => clean,
        };
        let flash = match refusal {
            Some((fn_path, error)) => Flash {
                path: fn_path,
                error: Some(error),
                values: kept_values(body),
                notice: None,
                banner: false,
                back,
                confirm: false,
                from: None,
            },
            None => Flash {
                path: self.path.clone(),
                error: None,
                values: if confirm {
                    kept_values(body)
                } else {
                    Vec::new()
                },
                notice,
                banner,
                back,
                confirm,
                from: confirm
                    .then(|| self.referer.as_deref().and_then(local_part))
                    .flatten()
                    .map(|p| p.to_string()),
            },
        };
        let to = if back && !banner {
            format!(
                "{}#{}",
                clean.split('#').next().unwrap_or(&clean),
                anchor(&flash.path)
            )
        } else {
            clean
        };
        let (Some(set), Ok(to)) = (
            encode(&flash).and_then(|v| cookie(&v, 60, self.secure)),
            HeaderValue::from_str(&to),
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
        assert_eq!(split_location("/confirm?"), ("/confirm".to_string(), None));
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
            notice: None,
            banner: false,
            back: true,
            confirm: false,
            from: None,
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
    fn local_parts() {
        let p = |u: &str| local_part(u).map(|p| p.to_string());
        assert_eq!(
            p("http://127.0.0.1:8080/admin/queue?x=1#a"),
            Some("/admin/queue?x=1".into())
        );
        assert_eq!(p("/siteadmin"), Some("/siteadmin".into()));
        assert_eq!(p("https://evil.example"), None);
        assert_eq!(p("//evil.example/x"), None);
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
