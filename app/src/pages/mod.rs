//! The pages: the HTML shell, the router, and one module per page.

mod admin;
pub(crate) mod backups;
pub mod components;
mod confirm;
pub mod guard;
mod help;
mod home;
mod import;
pub mod islands;
mod layout;
mod login;
mod login_code;
mod login_recovery;
mod not_found;
mod personal;
mod routes;
mod siteadmin;

use routes::PageRoutes;
pub use routes::{Access, PAGES, Page};

use crate::i18n::Lang;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::Router;

/// The language of the page being rendered: on the server from the request (cookie, then
/// `Accept-Language`); in the browser from `<html lang>`, which the server wrote.
pub fn current_lang() -> Lang {
    if let Some(l) = use_context::<Lang>() {
        return l;
    }
    #[cfg(feature = "ssr")]
    {
        crate::api::context::request_lang()
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.get_attribute("lang"))
                .and_then(|t| Lang::from_tag(&t))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Lang::default()
        }
    }
}

/// The whole HTML document, rendered on the server.
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    let lang = current_lang();
    // The Content-Security-Policy's nonce for this response (set by the server's security
    // middleware): Leptos puts it on the inline scripts it writes.
    #[cfg(feature = "ssr")]
    if let Some(n) = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::state::CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(n.0));
    }
    #[cfg(feature = "ssr")]
    let stylesheet = use_context::<crate::state::AppState>()
        .map(|s| s.stylesheet)
        .unwrap_or_else(|| "/pkg/courrier.css".to_string());
    #[cfg(not(feature = "ssr"))]
    let stylesheet = "/pkg/courrier.css".to_string();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#1d4f73" />
                <link rel="stylesheet" href=stylesheet />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = current_lang();
    provide_context(lang);
    // A form's refusal, carried by the flash of the post that led here (`api::flash`): every
    // `ServerAction` of that form starts with it.
    if let Some(f) = crate::api::flash::current()
        && let Some(error) = &f.error
    {
        provide_context(leptos::server::ServerActionError::new(&f.path, error));
    }
    view! {
        <Title text="courrier" />
        <Router>
            <layout::Header />
            <main id="main" class="page">
                <components::notice::ArrivalNotice />
                <PageRoutes />
            </main>
            <layout::Footer />
        </Router>
    }
}
