//! A forgotten password (issue 16): `/login/forgot` asks for the login and sends a reset link
//! to the account's recovery address; `/login/reset?token=…` sets the new password. Plain
//! HTML forms, like the sign-in page.

use super::current_lang;
use crate::api::recovery::{ForgotPassword, ResetPassword, reset_link_login};
use crate::i18n::Lang;
use crate::pages::components::field::{FormState, LoginField, NewPasswordFields};
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{FormNotice, error_of, form_action, form_id};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ForgotPage() -> impl IntoView {
    let lang = current_lang();
    let action = form_action::<ForgotPassword>();
    let form = FormState::of(action);
    view! {
        <Title text=lang.pick("Mot de passe oublié — courrier", "Forgotten password — courrier") />
        <section class="card narrow" aria-labelledby="forgot-title">
            <h1 id="forgot-title">{lang.pick("Mot de passe oublié", "Forgotten password")}</h1>
            <p class="lead">
                {lang.pick(
                    "Si vous avez donné une adresse de secours dans « Sécurité », un lien pour choisir un nouveau mot de passe y sera envoyé. Sinon, votre webmaster peut vous en envoyer un.",
                    "If you gave a recovery address under \"Security\", a link to choose a new password will be sent to it. Otherwise, your webmaster can send you one.",
                )}
            </p>
            <ActionForm action attr:id=form_id(&action) attr:class="form">
                <LoginField form lang />
                <FormNotice result=action.value() lang />
                <button type="submit" class="button primary">{lang.pick("Envoyer le lien", "Send the link")}</button>
            </ActionForm>
            <a class="back" href="/login">{lang.pick("← Connexion", "← Sign in")}</a>
        </section>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let lang = current_lang();
    let query = leptos_router::hooks::use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let data = Resource::new(token, reset_link_login);
    view! {
        <Title text=lang.pick("Nouveau mot de passe — courrier", "New password — courrier") />
        <Loaded
            data
            render=move |login| {
                match login {
                    Some(login) => view! { <ResetForm login token=token() lang /> }.into_any(),
                    None => view! { <Invalid lang /> }.into_any(),
                }
            }
        />
    }
}

#[component]
fn Invalid(lang: Lang) -> impl IntoView {
    view! {
        <section class="card narrow" role="alert">
            <h1>{lang.pick("Lien expiré", "Link expired")}</h1>
            <p>{crate::domain::security::SecurityProblem::ResetLinkInvalid.message(lang)}</p>
            <a class="button" href="/login/forgot">{lang.pick("Demander un nouveau lien", "Ask for a new link")}</a>
        </section>
    }
}

#[component]
fn ResetForm(login: String, token: String, lang: Lang) -> impl IntoView {
    let action = form_action::<ResetPassword>();
    let r = action.value();
    let form = FormState::of(action);
    view! {
        <section class="card narrow" aria-labelledby="reset-title">
            <h1 id="reset-title">{lang.pick("Choisir un nouveau mot de passe", "Choose a new password")}</h1>
            <p class="lead">{login.clone()}</p>
            <ActionForm action attr:id=form_id(&action) attr:class="form">
                <input type="hidden" name="token" value=token />
                <NewPasswordFields form login lang />
                <p class="error" role="alert">{error_of(r, "token")}</p>
                <FormNotice result=r lang />
                <p class="hint">
                    {lang.pick(
                        "Toutes vos sessions seront fermées, et votre logiciel de messagerie vous demandera le nouveau mot de passe.",
                        "All your sessions will end, and your mail program will ask for the new password.",
                    )}
                </p>
                <button type="submit" class="button primary">{lang.pick("Enregistrer", "Save")}</button>
            </ActionForm>
        </section>
    }
}
