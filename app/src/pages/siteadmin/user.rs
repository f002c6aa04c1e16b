//! The pen: a mailbox's names, quota and suspension, its password (typed, or generated and
//! shown once), its aliases; and the way to delete it.

use super::{MANAGERS, domain_param, portal_href};
use crate::api::siteadmin::{AddAlias, NewPassword, RemoveAlias, SaveProfile, user_detail};
use crate::i18n::Lang;
use crate::model::UserDetail;
use crate::pages::components::field::{Check, Field, FormState};
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{FormNotice, error_of};
use crate::pages::components::notice::{form_action, form_id};
use crate::pages::components::usage::UsageMeter;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use crate::pages::islands::ConfirmButton;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The `:login` of the page's path.
pub fn login_param() -> String {
    use_params_map()
        .read_untracked()
        .get("login")
        .unwrap_or_default()
}

#[component]
pub fn UserPage() -> impl IntoView {
    let data = Resource::new(login_param, user_detail);
    view! { <Signed roles=MANAGERS render=move |_| view! { <UserView data /> } /> }
}

#[component]
fn UserView(data: Resource<Result<UserDetail, ServerFnError>>) -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("Utilisateur — courrier", "User — courrier") />
        <Loaded data render=move |u| view! { <Pen u lang /> } />
    }
}

/// The hidden field naming the mailbox a form acts on.
fn login_field(login: StoredValue<String>) -> impl IntoView {
    view! { <input type="hidden" name="login" value=login.get_value() /> }
}

#[component]
fn Pen(u: UserDetail, lang: Lang) -> impl IntoView {
    let domain = domain_param();
    let profile = form_action::<SaveProfile>();
    let profile_form = FormState::of(profile);
    let password = form_action::<NewPassword>();
    let alias_add = form_action::<AddAlias>();
    let alias_remove = form_action::<RemoveAlias>();
    let (pr, pw, aa, ar) = (
        profile.value(),
        password.value(),
        alias_add.value(),
        alias_remove.value(),
    );
    let messages = crate::tr!(
        lang,
        "{} en attente sur le serveur",
        "{} waiting on the server",
        crate::i18n::messages(u.messages, lang)
    );
    let quota_mb = u
        .quota_bytes
        .map(|q| (q / (1024 * 1024)).to_string())
        .unwrap_or_default();
    let login = StoredValue::new(u.login.clone());
    let alias_domain = u
        .address
        .split_once('@')
        .map(|(_, d)| d.to_string())
        .unwrap_or_default();
    let aliases = u.aliases.clone();
    let mail_href = portal_href(&format!("/siteadmin/user/{}/mail", u.login), &domain);
    let backups_href = portal_href(&format!("/siteadmin/user/{}/backups", u.login), &domain);
    let delete_href = portal_href(&format!("/siteadmin/user/{}/delete", u.login), &domain);
    let security_href = portal_href(&format!("/siteadmin/user/{}/security", u.login), &domain);
    let import_href = portal_href(&format!("/siteadmin/user/{}/import", u.login), &domain);
    view! {
        <section class="card" aria-labelledby="user-title">
            <a class="back" href=portal_href("/siteadmin", &domain)>
                {lang.pick("← Utilisateurs", "← Users")}
            </a>
            <h1 id="user-title">{u.display_name()}</h1>
            <p class="login">{u.address.clone()}</p>
            <UsageMeter used=u.used_bytes quota=u.quota_bytes lang />
            <p class="muted">{messages}</p>
            <a class="icon-button" href=mail_href>
                <img src="/icons/mailbox.svg" alt="" width="24" height="24" />
                <span>{lang.pick("Renvoi et répondeur", "Forward and responder")}</span>
            </a>
            <a class="button" href=backups_href>
                {lang.pick("Sauvegardes et restauration", "Backups and restore")}
            </a>
            <a class="button" href=import_href>
                {lang.pick("Importer le courrier de l'ancien hébergeur", "Import mail from the previous host")}
            </a>
            <a class="button" href=security_href>
                {lang.pick("Sécurité et connexions", "Security and sign-ins")}
            </a>
        </section>

        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">{lang.pick("Identité et quota", "Name and quota")}</h2>
            <ActionForm action=profile attr:id=form_id(&profile) attr:class="form">
                {login_field(login)}
                <Field
                    form=profile_form
                    name="first_name"
                    label=lang.pick("Prénom", "First name")
                    value=u.first_name.clone()
                />
                <Field
                    form=profile_form
                    name="last_name"
                    label=lang.pick("Nom", "Last name")
                    value=u.last_name.clone()
                    hint=lang.pick(
                        "Le login ne change pas avec le nom.",
                        "The login does not change with the name.",
                    )
                />
                <Field
                    form=profile_form
                    name="quota_mb"
                    id="quota"
                    error_key="quota"
                    label=lang.pick("Quota en Mo", "Quota in MB")
                    value=quota_mb
                    inputmode="numeric"
                    hint=lang.pick("Vide : sans limite.", "Empty: no limit.")
                />
                <Check
                    name="suspended"
                    id="suspended"
                    checked=profile_form.checked("suspended", u.suspended)
                    disabled=u.is_self
                    described="suspended-hint suspended-error"
                    label=lang.pick("Suspendre les connexions", "Suspend logins")
                />
                <p id="suspended-hint" class="hint">
                    {lang.pick(
                        "Un compte suspendu ne peut plus relever son courrier ni se connecter ; le courrier continue d'arriver.",
                        "A suspended account can no longer collect mail or sign in; mail keeps arriving.",
                    )}
                </p>
                <p id="suspended-error" class="error" role="alert">{error_of(pr, "suspended")}</p>
                <p class="error" role="alert">{error_of(pr, "profile")}</p>
                <FormNotice result=pr lang />
                <button type="submit" class="button primary">{lang.pick("Enregistrer", "Save")}</button>
            </ActionForm>
        </section>

        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">{lang.pick("Mot de passe", "Password")}</h2>
            <p class="hint">
                {lang.pick(
                    "Le même mot de passe sert pour le courrier (POP3, envoi) et pour ce site. Le changer déconnecte la personne partout.",
                    "The same password serves mail (POP3, sending) and this site. Changing it signs the person out everywhere.",
                )}
            </p>
            <ActionForm action=password attr:id=form_id(&password) attr:class="form">
                {login_field(login)}
                <Field
                    form=FormState::of(password)
                    name="password"
                    id="new-password-field"
                    kind="password"
                    autocomplete="new-password"
                    label=lang.pick("Nouveau mot de passe", "New password")
                    hint=lang.pick(
                        "Laissez vide pour en générer un, affiché une seule fois avec la fiche de bienvenue.",
                        "Leave empty to generate one, shown once with the welcome sheet.",
                    )
                />
                <FormNotice result=pw lang />
                <button type="submit" class="button primary">
                    {lang.pick("Changer le mot de passe", "Change the password")}
                </button>
            </ActionForm>
        </section>

        <section class="card" aria-labelledby="aliases-title">
            <h2 id="aliases-title">{lang.pick("Alias", "Aliases")}</h2>
            <p class="hint">
                {lang.pick(
                    "Les autres adresses qui arrivent dans cette boîte.",
                    "The other addresses that reach this mailbox.",
                )}
            </p>
            <ul class="alias-list">
                {aliases
                    .into_iter()
                    .map(|a| {
                        let label = crate::tr!(lang, "Retirer l'alias {a}", "Remove the alias {a}");
                        view! {
                            <li>
                                <span>{format!("{a}@{alias_domain}")}</span>
                                <ActionForm action=alias_remove attr:class="inline-form">
                                    {login_field(login)}
                                    <input type="hidden" name="alias" value=a.clone() />
                                    <ConfirmButton
                                        label=lang.pick("Retirer", "Remove").to_string()
                                        question=crate::api::questions::remove_alias(lang, &a)
                                        class="button small".to_string()
                                        aria_label=label
                                    />
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="error" role="alert">{error_of(ar, "alias")}</p>
            <ActionForm action=alias_add attr:id=form_id(&alias_add) attr:class="form">
                {login_field(login)}
                <Field
                    form=FormState::of(alias_add)
                    name="alias"
                    label=lang.pick("Nouvel alias", "New alias")
                    verbatim=true
                />
                <FormNotice result=aa lang />
                <button type="submit" class="button primary">{lang.pick("Ajouter l'alias", "Add the alias")}</button>
            </ActionForm>
        </section>

        {(!u.is_self && u.role != crate::domain::Role::ServerAdmin)
            .then(|| view! { <RoleForm login=u.login.clone() webmaster=u.role == crate::domain::Role::Webmaster lang /> })}

        {(!u.is_self)
            .then(|| {
                view! {
                    <section class="card danger" aria-labelledby="delete-title">
                        <h2 id="delete-title">{lang.pick("Supprimer", "Delete")}</h2>
                        <a class="button danger" href=delete_href>
                            {lang.pick("Supprimer cet utilisateur…", "Delete this user…")}
                        </a>
                    </section>
                }
            })}
    }
}

/// Makes the user a webmaster of the domain, or takes it back (issue 17).
#[component]
fn RoleForm(login: String, webmaster: bool, lang: Lang) -> impl IntoView {
    let action = form_action::<crate::api::siteadmin::SetWebmaster>();
    let (state, hint, button) = if webmaster {
        (
            lang.pick("Webmaster du domaine.", "A webmaster of the domain."),
            lang.pick(
                "Il gère les boîtes du domaine comme vous. Un domaine garde toujours au moins un webmaster.",
                "They manage the domain's mailboxes as you do. A domain always keeps at least one webmaster.",
            ),
            lang.pick("Retirer le rôle de webmaster", "Take the webmaster role back"),
        )
    } else {
        (
            lang.pick("Utilisateur.", "A user."),
            lang.pick(
                "Un webmaster gère les boîtes du domaine : ajouter, modifier, supprimer, sauvegarder.",
                "A webmaster manages the domain's mailboxes: adds, changes, deletes, backs up.",
            ),
            lang.pick("Faire webmaster du domaine", "Make a webmaster of the domain"),
        )
    };
    view! {
        <section class="card" aria-labelledby="role-title">
            <h2 id="role-title">{lang.pick("Rôle", "Role")}</h2>
            <p id="role-state">{state}</p>
            <p class="hint">{hint}</p>
            <ActionForm action attr:id=form_id(&action) attr:class="form">
                <input type="hidden" name="login" value=login />
                <input type="hidden" name="webmaster" value=if webmaster { "no" } else { "yes" } />
                <p id="webmaster-error" class="error" role="alert">{error_of(action.value(), "webmaster")}</p>
                <FormNotice result=action.value() lang />
                <button type="submit" class="button">{button}</button>
            </ActionForm>
        </section>
    }
}
