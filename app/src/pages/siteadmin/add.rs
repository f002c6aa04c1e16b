//! "Add user" (the seed's « add user »): first and last name, the login they give shown live
//! as you type (an island asking the server), aliases and quota. A plain HTML form; refusals
//! are shown next to their field.

use super::{MANAGERS, domain_param, portal_href};
use crate::api::general_error;
use crate::api::siteadmin::AddUser;
use crate::pages::components::field::{Field, FormState};
use crate::pages::components::notice::{form_action, form_id};
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use crate::pages::islands::{LoginNames, login_hint};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AddUserPage() -> impl IntoView {
    view! { <Signed roles=MANAGERS render=|_| view! { <AddUserForm /> } /> }
}

#[component]
fn AddUserForm() -> impl IntoView {
    let lang = current_lang();
    let domain = domain_param();
    let action = form_action::<AddUser>();
    let form = FormState::of(action);
    let pending = action.pending();
    let back = portal_href("/siteadmin", &domain);
    view! {
        <Title text=lang.pick("Ajouter un utilisateur — courrier", "Add user — courrier") />
        <section class="card" aria-labelledby="add-title">
            <a class="back" href=back>
                {lang.pick("← Utilisateurs", "← Users")}
            </a>
            <h1 id="add-title">{lang.pick("Ajouter un utilisateur", "Add user")}</h1>
            <p class="lead">
                {lang.pick(
                    "Le login et le mot de passe sont générés à partir du prénom et du nom.",
                    "The login and password are generated from the first and last name.",
                )}
            </p>
            <ActionForm action=action attr:id=form_id(&action) attr:class="form">
                {domain.clone().map(|d| view! { <input type="hidden" name="domain" value=d /> })}
                <LoginNames
                    lang
                    domain=domain.clone()
                    first=form.kept("first_name").unwrap_or_default()
                    last=form.kept("last_name").unwrap_or_default()
                    preview=login_hint(lang).to_string()
                    first_error=form.error("first_name")
                    last_error=form.error("last_name")
                />
                <Field
                    form
                    name="aliases"
                    label=lang.pick("Alias (facultatif)", "Aliases (optional)")
                    verbatim=true
                    hint=lang.pick(
                        "Autres adresses de la personne, séparées par des virgules : ventes, info…",
                        "Other addresses of the person, separated by commas: sales, info…",
                    )
                />
                <Field
                    form
                    name="quota_mb"
                    id="quota"
                    error_key="quota"
                    label=lang.pick("Quota en Mo (facultatif)", "Quota in MB (optional)")
                    inputmode="numeric"
                    hint=lang.pick(
                        "Vide : le quota par défaut du domaine s'il en a un, sinon sans limite.",
                        "Empty: the domain's default quota if it has one, else no limit.",
                    )
                />
                <p class="error" role="alert">
                    {move || general_error(action.value().get())}
                </p>
                <button type="submit" class="button primary" disabled=pending>
                    {lang.pick("Créer l'utilisateur", "Create the user")}
                </button>
            </ActionForm>
        </section>
    }
}
