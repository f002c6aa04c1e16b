//! "Add user" (the seed's « add user »): first and last name, the login they give shown live
//! as you type (an island asking the server), aliases and quota. A plain HTML form; refusals
//! are shown next to their field.

use super::{MANAGERS, domain_param, portal_href};
use crate::api::flash::kept;
use crate::api::siteadmin::AddUser;
use crate::api::{field_error, general_error};
use crate::pages::components::notice::{form_action, form_id};
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use crate::pages::islands::{LoginNames, login_hint};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
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
    let path = <AddUser as ServerFn>::PATH;
    let pending = action.pending();
    let error_of = move |field: &'static str| move || field_error(action.value().get(), field);
    let invalid = move |field: &'static str| {
        move || {
            if field_error(action.value().get(), field).is_some() {
                "true"
            } else {
                "false"
            }
        }
    };
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
                    first=kept(path, "first_name")
                    last=kept(path, "last_name")
                    preview=login_hint(lang).to_string()
                    last_error=error_of("last_name")()
                />
                <div class="field">
                    <label for="aliases">{lang.pick("Alias (facultatif)", "Aliases (optional)")}</label>
                    <input
                        id="aliases"
                        name="aliases"
                        type="text"
                        autocomplete="off"
                        autocapitalize="none"
                        spellcheck="false"
                        value=kept(path, "aliases")
                        aria-describedby="aliases-hint aliases-error"
                        aria-invalid=invalid("aliases")
                    />
                    <p id="aliases-hint" class="hint">
                        {lang.pick(
                            "Autres adresses de la personne, séparées par des virgules : ventes, info…",
                            "Other addresses of the person, separated by commas: sales, info…",
                        )}
                    </p>
                    <p id="aliases-error" class="error" role="alert">
                        {error_of("aliases")}
                    </p>
                </div>
                <div class="field">
                    <label for="quota_mb">{lang.pick("Quota en Mo (facultatif)", "Quota in MB (optional)")}</label>
                    <input
                        id="quota_mb"
                        name="quota_mb"
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                        value=kept(path, "quota_mb")
                        aria-describedby="quota-hint quota-error"
                        aria-invalid=invalid("quota")
                    />
                    <p id="quota-hint" class="hint">
                        {lang.pick("Vide : sans limite.", "Empty: no limit.")}
                    </p>
                    <p id="quota-error" class="error" role="alert">
                        {error_of("quota")}
                    </p>
                </div>
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
