//! "Are you sure?": where a destructive action's form lands when the browser did not ask
//! (no JavaScript yet). It shows the action's question and posts the same form again, with
//! `confirmed=yes`; "Cancel" goes back to the form's page. See `api::context::ask`.

use super::current_lang;
use crate::api::flash::{FROM_FIELD, current};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let lang = current_lang();
    // Only a question left by one of our server functions, for one of them.
    let asked = current().filter(|f| {
        f.confirm && f.path.starts_with("/api/") && crate::api::LocalPath::parse(&f.path).is_some()
    });
    let body = match asked {
        Some(f) => {
            let from = f
                .from
                .as_deref()
                .and_then(crate::api::LocalPath::parse)
                .map(|p| p.to_string())
                .unwrap_or_else(|| "/".to_string());
            let fields = f
                .values
                .into_iter()
                .filter(|(k, _)| k != "confirmed")
                .map(|(k, v)| view! { <input type="hidden" name=k value=v /> })
                .collect_view();
            view! {
                <p class="lead">{f.notice}</p>
                <form method="post" action=f.path class="form">
                    {fields}
                    <input type="hidden" name=FROM_FIELD value=from.clone() />
                    <input type="hidden" name="confirmed" value="yes" />
                    <div class="button-row">
                        <button type="submit" class="button danger">
                            {lang.pick("Oui, continuer", "Yes, go ahead")}
                        </button>
                        <a class="button" href=from>
                            {lang.pick("Annuler", "Cancel")}
                        </a>
                    </div>
                </form>
            }
            .into_any()
        }
        None => view! {
            <p class="lead">
                {lang.pick(
                    "Rien à confirmer : l'action a déjà été faite ou abandonnée.",
                    "Nothing to confirm: the action was already done or given up.",
                )}
            </p>
            <a class="button" href="/">{lang.pick("Accueil", "Home")}</a>
        }
        .into_any(),
    };
    view! {
        <Title text=lang.pick("Confirmer — courrier", "Confirm — courrier") />
        <section class="card narrow" aria-labelledby="confirm-title">
            <h1 id="confirm-title">{lang.pick("Confirmer", "Confirm")}</h1>
            {body}
        </section>
    }
}
