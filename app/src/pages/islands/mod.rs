//! The interactive parts of the pages, and the only code sent to the browser. The pages are
//! rendered on the server and work as plain HTML (links and form posts); each island below
//! adds one thing on top once the bundle has loaded, and the page is whole without it.

mod confirm_button;
mod login_preview;
mod password_strength;
mod print_button;
mod reload_soon;
mod user_filter;

pub use confirm_button::ConfirmButton;
pub use login_preview::{LoginNames, login_hint};
pub use password_strength::NewPasswordInput;
pub use print_button::PrintButton;
pub use reload_soon::ReloadSoon;
pub use user_filter::{UserFilter, search_matches};

/// The browser entry point (called by `frontend`): starts the islands runtime, then marks
/// `<html data-hydrated>` for the browser tests (and the curious). The loader script
/// hydrates each island right after this returns.
#[cfg(feature = "hydrate")]
pub fn start() {
    leptos::mount::hydrate_islands();
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
