//! Sign-in: login (either form) + password. A plain HTML form; after a refusal the login
//! typed comes back in its field.

use super::current_lang;
use crate::api::form_message;
use crate::api::session::Login;
use crate::pages::components::field::{FormState, LoginField};
use crate::pages::components::notice::{form_action, form_id};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = current_lang();
    let action = form_action::<Login>();
    // The page asked for before signing in (checked again on the server).
    let query = leptos_router::hooks::use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || form_message(action.value().get());
    let pending = action.pending();
    let form = FormState::of(action);
    view! {
        <Title text=lang.pick("Connexion — courrier", "Sign in — courrier") />
        <section class="card narrow">
            <h1>{lang.pick("Connexion", "Sign in")}</h1>
            <p class="lead">
                {lang.pick(
                    "Le même login et le même mot de passe que pour relever votre courrier.",
                    "The same login and password as for collecting your mail.",
                )}
            </p>
            <ActionForm action=action attr:id=form_id(&action) attr:class="form" attr:novalidate=false>
                <input type="hidden" name="next" value=next />
                <LoginField form lang />
                // The refusal of a sign-in speaks of the pair, shown under both fields, and
                // marks the password (the field to type again).
                <div class="field">
                    <label for="password">{lang.pick("Mot de passe", "Password")}</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        required
                        autocomplete="current-password"
                        aria-describedby="password-hint login-error"
                        aria-invalid=move || if error().is_some() { "true" } else { "false" }
                    />
                    <p id="password-hint" class="hint">
                        {lang.pick(
                            "Attention aux majuscules et minuscules.",
                            "Mind upper and lower case.",
                        )}
                    </p>
                </div>
                <p id="login-error" class="error" role="alert" aria-live="assertive">
                    {error}
                </p>
                <button type="submit" class="button primary" disabled=pending>
                    {move || {
                        if pending.get() {
                            lang.pick("Connexion…", "Signing in…")
                        } else {
                            lang.pick("Se connecter", "Sign in")
                        }
                    }}
                </button>
            </ActionForm>
            <p class="hint">
                <a href="/login/forgot">{lang.pick("Mot de passe oublié ?", "Forgotten password?")}</a>
            </p>
        </section>
    }
}
