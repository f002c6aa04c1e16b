//! What every request handler and server function can reach (server side only).

use crate::auth::throttle::Throttle;
use crate::store::Store;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub throttle: Arc<Throttle>,
    pub leptos_options: LeptosOptions,
    /// Whether the web portal is served over TLS (sets the cookie's `Secure` flag).
    pub secure_cookies: bool,
    /// Limits on backup files given to restore.
    pub backup_limits: crate::backup::Limits,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> LeptosOptions {
        s.leptos_options.clone()
    }
}

/// The Content-Security-Policy nonce of one response, put in the request's extensions by the
/// server's security middleware and read by the page shell.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);
