//! "Add user" (the seed's « add user »): first and last name, the login they give shown live
//! as you type (the rule of `domain::login`, running in the browser), aliases and quota. A
//! plain HTML form first; refusals are shown next to their field.

use super::{MANAGERS, domain_param, portal_href};
use crate::api::siteadmin::AddUser;
use crate::api::{field_error, general_error};
use crate::domain::base_login;
use crate::i18n::Lang;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AddUserPage() -> impl IntoView {
    view! { <Signed roles=MANAGERS render=|_| view! { <AddUserForm /> } /> }
}

/// What the login preview says for these names.
fn preview(first: &str, last: &str, lang: Lang) -> String {
    if first.trim().is_empty() && last.trim().is_empty() {
        return lang
            .pick(
                "Le login sera formé de l'initiale du prénom et du nom.",
                "The login will be the first name's initial and the last name.",
            )
            .to_string();
    }
    match base_login(first, last) {
        Ok(login) => match lang {
            Lang::Fr => format!("Login : {login} (un chiffre est ajouté s'il est déjà pris)"),
            Lang::En => format!("Login: {login} (a digit is added if it is taken)"),
        },
        Err(e) => e.message(lang),
    }
}

#[component]
fn AddUserForm() -> impl IntoView {
    let lang = current_lang();
    let domain = domain_param();
    let action = ServerAction::<AddUser>::new();
    let (first, set_first) = signal(String::new());
    let (last, set_last) = signal(String::new());
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
            <ActionForm action=action attr:class="form">
                {domain.clone().map(|d| view! { <input type="hidden" name="domain" value=d /> })}
                <div class="field">
                    <label for="first_name">{lang.pick("Prénom", "First name")}</label>
                    <input
                        id="first_name"
                        name="first_name"
                        type="text"
                        autocomplete="off"
                        aria-describedby="login-preview"
                        on:input=move |ev| set_first.set(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label for="last_name">{lang.pick("Nom", "Last name")}</label>
                    <input
                        id="last_name"
                        name="last_name"
                        type="text"
                        required
                        autocomplete="off"
                        aria-describedby="login-preview last_name-error"
                        aria-invalid=invalid("last_name")
                        on:input=move |ev| set_last.set(event_target_value(&ev))
                    />
                    <p id="last_name-error" class="error" role="alert">
                        {error_of("last_name")}
                    </p>
                </div>
                <output id="login-preview" class="preview" for="first_name last_name" aria-live="polite">
                    {move || preview(&first.get(), &last.get(), lang)}
                </output>
                <div class="field">
                    <label for="aliases">{lang.pick("Alias (facultatif)", "Aliases (optional)")}</label>
                    <input
                        id="aliases"
                        name="aliases"
                        type="text"
                        autocomplete="off"
                        autocapitalize="none"
                        spellcheck="false"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_follows_the_rule() {
        assert!(preview("Éloïse", "D'Artagnan", Lang::En).contains("edartagnan"));
        assert!(preview("", "", Lang::Fr).contains("initiale"));
        assert!(preview("", "Webmaster", Lang::En).contains("generic"));
    }
}
