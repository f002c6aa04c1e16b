//! What a form post leaves for the page it returns to. Every form is a plain HTML form post
//! (the pages are rendered on the server; see `pages::islands`): the server function runs,
//! the browser is redirected (303) back to the form's page or on, and this "flash" — kept in
//! a short-lived cookie by the server's `flash` middleware for exactly the next page — carries
//! what happened: which form (`path`, the server function's URL), its refusal if any (as Leptos
//! encodes it) and, after a refusal, the values that were typed (never a password), so the
//! form comes back as it was left.

use serde::{Deserialize, Serialize};

/// Fields never kept: whatever carries a password.
pub fn is_secret(field: &str) -> bool {
    field.contains("password")
        || matches!(
            field,
            "current" | "confirm" | "code" | "confirmation" | "token"
        )
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// The server function's URL (`/api/...`): the form this is about.
    pub path: String,
    /// Leptos's encoding of the error the function answered (`ServerActionError`), if any.
    pub error: Option<String>,
    /// After a refusal, the typed values (name, value), passwords left out.
    pub values: Vec<(String, String)>,
    /// What the action did, in words ("Renvoi arrêté."), when it said more than "saved".
    #[serde(default)]
    pub notice: Option<String>,
    /// The notice goes at the top of the page (`context::announce`), not under the form.
    #[serde(default)]
    pub banner: bool,
    /// Whether the browser was sent back to the form's own page (else on, to another page,
    /// which then shows the notice at its top).
    #[serde(default)]
    pub back: bool,
    /// The action asks to be confirmed first (`context::ask`): the notice is the question,
    /// the values are the form's, and `from` the page it was sent from.
    #[serde(default)]
    pub confirm: bool,
    /// The path of the form's page, for a confirmation.
    #[serde(default)]
    pub from: Option<String>,
}

/// The response header a server function writes a page-level notice in (`context::announce`).
pub const BANNER_HEADER: &str = "x-courrier-banner";

/// The response header by which a server function asks for confirmation (`context::ask`).
pub const CONFIRM_HEADER: &str = "x-courrier-confirm";

/// The form field a confirmation page adds: the page to go back to after the action.
pub const FROM_FIELD: &str = "__from";

/// The response header a server function writes its notice in (`context::say`), taken out of
/// the answer by the server's flash middleware. Percent-encoded UTF-8.
pub const NOTICE_HEADER: &str = "x-courrier-notice";

impl Flash {
    /// The typed value of `field`, kept after a refusal.
    pub fn value(&self, field: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, v)| v.as_str())
    }
}

/// The flash of the page being rendered (taken from its cookie by the middleware).
pub fn current() -> Option<Flash> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<Flash>().cloned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The notice shown at the top of the page: a page-level one, or one of a success that sent
/// the browser on to this page (a confirmation's question is its page's own).
pub fn arrival_notice() -> Option<String> {
    current()
        .filter(|f| f.error.is_none() && !f.confirm && (f.banner || !f.back))
        .and_then(|f| f.notice)
}

/// After a success of the form posting to `path` that came back to its page: its words
/// (`None` inside when it said nothing more than "saved").
pub fn success_of(path: &str) -> Option<Option<String>> {
    current()
        .filter(|f| f.path == path && f.error.is_none() && f.back && !f.banner)
        .map(|f| f.notice)
}

/// The anchor (`id`) of the form posting to `path`: `form-` and its server function's name.
/// The browser comes back to it after a post.
pub fn anchor(path: &str) -> String {
    format!("form-{}", path.rsplit('/').next().unwrap_or(path))
}

/// The flash of the form posting to `path` if that form was just refused (its typed values).
pub fn refused(path: &str) -> Option<Flash> {
    current().filter(|f| f.path == path && f.error.is_some())
}

/// The value typed in `field` of the form posting to `path`, before its refusal.
pub fn kept(path: &str, field: &str) -> Option<String> {
    refused(path).and_then(|f| f.value(field).map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_secret() {
        for f in [
            "password",
            "new_password",
            "current",
            "confirm",
            "admin_password",
        ] {
            assert!(is_secret(f), "{f}");
        }
        for f in ["login", "first_name", "quota_mb", "aliases"] {
            assert!(!is_secret(f), "{f}");
        }
    }
}
