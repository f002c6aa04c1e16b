//! Server functions, one module per portal. Each one checks who is asking before it acts.

pub mod session;

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

/// The text to show under a form after its action ran, if any.
pub fn form_message(result: Option<FormResult>) -> Option<String> {
    match result {
        Some(Ok(reason)) => reason,
        Some(Err(e)) => Some(error_text(&e)),
        None => None,
    }
}
