//! Server functions, one module per portal. Each one checks who is asking before it acts.

pub mod admin;
pub mod backups;
pub mod dns;
pub mod filter;
pub mod flash;
pub mod help;
pub mod import;
pub mod mailbox;
pub mod personal;
pub mod questions;
pub mod recovery;
pub mod security;
pub mod session;
pub mod siteadmin;
pub mod two_step;

#[cfg(feature = "ssr")]
pub mod context;

use leptos::prelude::ServerFnError;

/// The human text of a server function error, without the framework's prefix.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}

/// What a form's server function answers: `Ok(None)` when done, `Ok(Some(reason))` when refused
/// for a reason the person can fix (wrong password, name taken…). A refusal is a normal answer
/// (HTTP 200), not a server error; only a plain HTML form post (no WASM yet) gets it as an
/// error, because that is how Leptos carries a message back to the page without JavaScript.
pub type FormResult = Result<Option<String>, ServerFnError>;

/// A place on this site to send a browser to: a path that starts with one `/`, with no
/// other site, no backslash, and only printable ASCII (so it always fits a `Location` header:
/// leptos_axum panics on a header it cannot make). Every redirect goes through this type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalPath(String);

impl LocalPath {
    /// `path` if it is a path of this site.
    pub fn parse(path: &str) -> Option<LocalPath> {
        (path.starts_with('/')
            && !path.starts_with("//")
            && !path.contains('\\')
            && path.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| LocalPath(path.to_string()))
    }

    /// `path` if it is a path of this site, else `fallback` (a constant of ours).
    pub fn or(path: &str, fallback: &'static str) -> LocalPath {
        LocalPath::parse(path).unwrap_or_else(|| LocalPath(fallback.to_string()))
    }

    /// This path with `?name=value` (or `&name=value`) added, the value percent-encoded.
    pub fn with_query(mut self, name: &str, value: &str) -> LocalPath {
        self.0.push(if self.0.contains('?') { '&' } else { '?' });
        self.0.push_str(&percent_encode(name));
        self.0.push('=');
        self.0.push_str(&percent_encode(value));
        self
    }

    /// This path with `/segment` added, percent-encoded.
    pub fn join(mut self, segment: &str) -> LocalPath {
        if !self.0.ends_with('/') {
            self.0.push('/');
        }
        self.0.push_str(&percent_encode(segment));
        self
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LocalPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `path` if it is a path of this site, else `fallback` (see [`LocalPath`]).
pub fn local_path(path: &str, fallback: &'static str) -> String {
    LocalPath::or(path, fallback).0
}

/// The text to show under a form after its action ran, if any.
pub fn form_message(result: Option<FormResult>) -> Option<String> {
    match result {
        Some(Ok(reason)) => reason,
        Some(Err(e)) => Some(error_text(&e)),
        None => None,
    }
}

/// A relay grant as the pages show it.
#[cfg(feature = "ssr")]
pub fn grant_row(g: crate::store::relay::GrantSummary) -> crate::model::GrantRow {
    crate::model::GrantRow {
        id: g.id,
        network: g.network,
        domain: g.domain,
        note: g.note,
        hourly_cap: g.hourly_cap,
        expires_at: g.expires_at,
        revoked_at: g.revoked_at,
        active: g.active,
    }
}

/// Entries of the change log shown at once.
pub const LOG_PAGE: u64 = 50;

/// A page of the change log (of one domain, or of the server when `domain_id` is None).
#[cfg(feature = "ssr")]
pub async fn log_page(
    domain_id: Option<i64>,
    before: Option<i64>,
    lang: crate::i18n::Lang,
) -> Result<crate::model::LogPage, ServerFnError> {
    let rows = context::state()?
        .store
        .audit_page(domain_id, before, LOG_PAGE + 1)
        .await
        .map_err(|e| context::store_error(e, lang))?;
    let more = (rows.len() as u64 > LOG_PAGE).then(|| rows[LOG_PAGE as usize - 1].id);
    let entries = rows
        .into_iter()
        .take(LOG_PAGE as usize)
        .map(|r| crate::model::LogEntry {
            id: r.id,
            at: r.at,
            actor: r.actor,
            ip: r.ip,
            action: r.action,
            target: r.target,
            // In the reader's language (`domain::change`).
            detail: crate::domain::change::render_detail(&r.detail, lang),
        })
        .collect();
    Ok(crate::model::LogPage { entries, more })
}

/// A refusal tied to one field is written `[field] reason` (the only way a plain HTML form
/// post can carry it back, in the `__err` of the redirect); this splits it.
pub fn split_field(text: &str) -> (Option<&str>, &str) {
    if let Some(rest) = text.strip_prefix('[')
        && let Some((field, reason)) = rest.split_once("] ")
        && !field.is_empty()
        && field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return (Some(field), reason);
    }
    (None, text)
}

/// The refusal of `field`, if the last answer was one. An answer may refuse several fields at
/// once, one `[field] reason` a line.
pub fn field_error(result: Option<FormResult>, field: &str) -> Option<String> {
    let text = form_message(result)?;
    let reasons: Vec<&str> = text
        .lines()
        .filter_map(|line| match split_field(line) {
            (Some(f), reason) if f == field => Some(reason),
            _ => None,
        })
        .collect();
    (!reasons.is_empty()).then(|| reasons.join(" "))
}

/// The refusal that belongs to no field, if the last answer was one.
pub fn general_error(result: Option<FormResult>) -> Option<String> {
    let text = form_message(result)?;
    if !text.starts_with('[') {
        // Free text (it may span lines): the whole of it.
        return Some(text);
    }
    let reasons: Vec<&str> = text
        .lines()
        .filter_map(|line| match split_field(line) {
            (None, reason) => Some(reason),
            _ => None,
        })
        .collect();
    (!reasons.is_empty()).then(|| reasons.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_fit_for_a_header() {
        assert_eq!(local_path("/personal/backups", "/"), "/personal/backups");
        assert_eq!(
            local_path("/siteadmin/user/jd/backups?domain=a.example", "/"),
            "/siteadmin/user/jd/backups?domain=a.example"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "/a\r\nSet-Cookie: x",
            "/a b",
            "",
        ] {
            assert_eq!(local_path(bad, "/home"), "/home", "{bad:?}");
        }
    }

    #[test]
    fn query_values_and_segments_are_encoded() {
        let p = LocalPath::or("/siteadmin", "/")
            .with_query("domain", "a.example\r\nSet-Cookie: x=1")
            .with_query("q", "é &");
        assert_eq!(
            p.as_str(),
            "/siteadmin?domain=a.example%0D%0ASet-Cookie%3A%20x%3D1&q=%C3%A9%20%26"
        );
        assert!(LocalPath::parse(p.as_str()).is_some());
        assert_eq!(
            LocalPath::or("/siteadmin/welcome", "/")
                .join("a/b c")
                .as_str(),
            "/siteadmin/welcome/a%2Fb%20c"
        );
    }

    #[test]
    fn field_refusals() {
        assert_eq!(
            split_field("[aliases] déjà pris"),
            (Some("aliases"), "déjà pris")
        );
        assert_eq!(split_field("[Bad] x"), (None, "[Bad] x"));
        assert_eq!(split_field("plain"), (None, "plain"));
        let r = Some(Ok(Some("[quota] too big".to_string())));
        assert_eq!(field_error(r.clone(), "quota").as_deref(), Some("too big"));
        assert_eq!(field_error(r.clone(), "aliases"), None);
        assert_eq!(general_error(r), None);
        assert_eq!(
            general_error(Some(Ok(Some("no".to_string())))).as_deref(),
            Some("no")
        );
    }
}
