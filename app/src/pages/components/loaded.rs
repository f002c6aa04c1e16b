//! A page's data: "loading" while it comes, the error in words if it fails, else the view.

use crate::pages::current_lang;
use leptos::prelude::*;
use std::sync::Arc;

/// Renders `render` with the resource's value once it is there.
#[component]
pub fn Loaded<T, F, V>(data: Resource<Result<T, ServerFnError>>, render: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let lang = current_lang();
    let render = Arc::new(render);
    view! {
        <Suspense fallback=move || {
            view! { <p class="card">{lang.pick("Chargement…", "Loading…")}</p> }
        }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => render(v).into_any(),
                        Err(e) => error_card(&e),
                    }
                })
            }}
        </Suspense>
    }
}

/// A failure, in words.
pub fn error_card(e: &ServerFnError) -> AnyView {
    view! { <p class="card error" role="alert">{crate::api::error_text(e)}</p> }.into_any()
}
