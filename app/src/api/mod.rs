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
