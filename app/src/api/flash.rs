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
    field.contains("password") || matches!(field, "current" | "confirm")
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// The server function's URL (`/api/...`): the form this is about.
    pub path: String,
    /// Leptos's encoding of the error the function answered (`ServerActionError`), if any.
    pub error: Option<String>,
    /// After a refusal, the typed values (name, value), passwords left out.
    pub values: Vec<(String, String)>,
}

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

/// The value typed in `field` of the form posting to `path`, before its refusal ("" if none).
pub fn kept(path: &str, field: &str) -> String {
    current()
        .filter(|f| f.path == path && f.error.is_some())
        .and_then(|f| f.value(field).map(str::to_string))
        .unwrap_or_default()
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
