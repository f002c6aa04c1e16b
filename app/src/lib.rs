//! courrier's application: the pure rules (`domain`), the data (`store`, server only), the
//! server functions (`api`) and the pages, compiled for the server (`ssr`) and the browser
//! (`hydrate`).
#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod i18n;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod backup;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

pub use pages::{App, shell};
