//! Reads the page again after a few seconds, while something it shows is moving (an import
//! of an old mailbox). The page also carries a `<meta http-equiv="refresh">` for browsers
//! without the bundle; this island makes sure of it once the bundle runs.

use leptos::prelude::*;

#[island]
pub fn ReloadSoon(seconds: u64) -> impl IntoView {
    #[cfg(not(feature = "hydrate"))]
    let _ = seconds;
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        set_timeout(
            || {
                let _ = window().location().reload();
            },
            std::time::Duration::from_secs(seconds),
        );
    });
    view! { <span hidden=true></span> }
}
