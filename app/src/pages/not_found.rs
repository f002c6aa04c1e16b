use super::current_lang;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    let lang = current_lang();
    view! {
        <section class="card narrow">
            <h1>{lang.pick("Page introuvable", "Page not found")}</h1>
            <p>
                {lang.pick(
                    "Cette adresse ne correspond à aucune page.",
                    "This address matches no page.",
                )}
            </p>
            <p>
                <a class="button" href="/">
                    {lang.pick("Retour à l'accueil", "Back to the start page")}
                </a>
            </p>
        </section>
    }
}
