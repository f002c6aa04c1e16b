//! The button of a destructive action, which asks first. Without JavaScript the form posts
//! without `confirmed` and the server answers with its confirmation page (`/confirm`); once
//! the island is alive, the browser's own dialog asks, and the button sends `confirmed=yes`.

use leptos::prelude::*;

/// A submit button labelled `label` (with `aria_label` for screen readers when the label is
/// short) that asks `question` before its form is sent.
#[island]
pub fn ConfirmButton(
    label: String,
    question: String,
    class: String,
    #[prop(optional)] aria_label: Option<String>,
) -> impl IntoView {
    // Named only once alive: without the dialog the server must ask.
    let alive = RwSignal::new(false);
    Effect::new(move |_| alive.set(true));
    let ask = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        if !window().confirm_with_message(&question).unwrap_or(false) {
            ev.prevent_default();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, &question);
    };
    view! {
        <button
            type="submit"
            class=class
            aria-label=aria_label
            name=move || alive.get().then_some("confirmed")
            value="yes"
            on:click=ask
        >
            {label}
        </button>
    }
}
