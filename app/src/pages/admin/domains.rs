//! The hosted domains: usage, webmasters, the settings style their users see; add a domain
//! with its first webmaster (password shown once), delete one after a confirmation.

use super::{ADMINS, AdminNav};
use crate::api::admin::{AddDomain, DeleteDomain, SetDomainStyle, admin_domains};
use crate::i18n::{Lang, format_size};
use crate::model::DomainRow;
use crate::pages::components::field::{Field, FormState};
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{FormNotice, error_of};
use crate::pages::components::notice::{form_action, form_id};
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AdminHome() -> impl IntoView {
    let data = Resource::new(|| (), |_| admin_domains());
    view! { <Signed roles=ADMINS render=move |_| view! { <Domains data /> } /> }
}

fn style_label(style: &str, lang: Lang) -> &'static str {
    if style == "antivirus" {
        lang.pick(
            "anti-virus : serveur mail.domaine, login = adresse",
            "anti-virus: server mail.domain, login = address",
        )
    } else {
        lang.pick(
            "Cobalt : serveur domaine, login court",
            "Cobalt: server domain, short login",
        )
    }
}

#[component]
fn StyleSelect(id: String, selected: String, lang: Lang) -> impl IntoView {
    view! {
        <select id=id name="style">
            {["cobalt", "antivirus"]
                .into_iter()
                .map(|s| {
                    view! {
                        <option value=s selected=selected == s>
                            {style_label(s, lang)}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

#[component]
fn Domains(data: Resource<Result<Vec<DomainRow>, ServerFnError>>) -> impl IntoView {
    let lang = current_lang();
    let add = form_action::<AddDomain>();
    let style = form_action::<SetDomainStyle>();
    let r = add.value();
    let form = FormState::of(add);
    view! {
        <Title text=lang.pick("Administration — courrier", "Administration — courrier") />
        <section class="card">
            <p class="badge">{lang.pick("Administration du serveur", "Server administration")}</p>
            <h1>{lang.pick("Domaines hébergés", "Hosted domains")}</h1>
            <AdminNav current="/admin" lang />
        </section>
        <Loaded data render=move |list| {
                        view! {
                            <section class="card" aria-labelledby="domains-title">
                                <h2 id="domains-title">{lang.pick("Domaines", "Domains")}</h2>
                                {list.is_empty().then(|| view! {
                                    <p class="muted">{lang.pick("Aucun domaine pour l'instant.", "No domain yet.")}</p>
                                })}
                                <ul class="users">
                                    {list
                                        .into_iter()
                                        .map(|d| view! { <DomainItem d lang style /> })
                                        .collect_view()}
                                </ul>
                            </section>
                        }
        } />
        <section class="card" aria-labelledby="add-domain-title">
            <h2 id="add-domain-title">{lang.pick("Ajouter un domaine", "Add a domain")}</h2>
            <ActionForm action=add attr:id=form_id(&add) attr:class="form">
                <Field
                    form
                    name="name"
                    id="domain-name"
                    label=lang.pick("Nom de domaine", "Domain name")
                    required=true
                    verbatim=true
                    placeholder="votredomaine.com"
                />
                <fieldset class="field">
                    <legend>{lang.pick("Premier webmaster", "First webmaster")}</legend>
                    <Field form name="first_name" id="wm-first" label=lang.pick("Prénom", "First name") />
                    <Field
                        form
                        name="last_name"
                        id="wm-last"
                        error_key="webmaster"
                        label=lang.pick("Nom", "Last name")
                    />
                </fieldset>
                <div class="field">
                    <label for="new-style">{lang.pick("Paramètres montrés aux utilisateurs", "Settings shown to users")}</label>
                    <StyleSelect
                        id="new-style".to_string()
                        selected=form.kept("style").unwrap_or_else(|| "cobalt".to_string())
                        lang
                    />
                </div>
                <FormNotice result=r lang />
                <button type="submit" class="button primary">
                    {lang.pick("Créer le domaine et son webmaster", "Create the domain and its webmaster")}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn DomainItem(d: DomainRow, lang: Lang, style: ServerAction<SetDomainStyle>) -> impl IntoView {
    let summary = match lang {
        Lang::Fr => format!(
            "{} — {} — webmaster : {}",
            crate::i18n::count(d.accounts, lang, ("compte", "comptes"), ("", "")),
            format_size(d.used_bytes, lang),
            d.webmasters.join(", ")
        ),
        Lang::En => format!(
            "{} — {} — webmaster: {}",
            crate::i18n::count(d.accounts, lang, ("", ""), ("account", "accounts")),
            format_size(d.used_bytes, lang),
            d.webmasters.join(", ")
        ),
    };
    let select_id = format!("style-{}", d.name);
    let manage = format!("/siteadmin?domain={}", d.name);
    let filter = format!("/siteadmin/filter?domain={}", d.name);
    let dns = format!("/siteadmin/dns?domain={}", d.name);
    let delete = format!("/admin/domain/{}/delete", d.name);
    let settings = format!("/admin/domain/{}", d.name);
    let others = (!d.aliases.is_empty()).then(|| {
        crate::tr!(
            lang,
            "Autres noms : {}",
            "Other names: {}",
            d.aliases.join(", ")
        )
    });
    let limits = crate::tr!(lang, "Limites : {}", "Limits: {}", d.limits);
    view! {
        <li class="user">
            <div class="user-head">
                <strong class="user-name">{d.name.clone()}</strong>
            </div>
            <p class="muted">{summary}</p>
            {others.map(|o| view! { <p class="muted">{o}</p> })}
            <p class="muted">{limits}</p>
            <ActionForm action=style attr:class="style-form">
                <input type="hidden" name="name" value=d.name.clone() />
                <label for=select_id.clone()>{lang.pick("Paramètres montrés", "Settings shown")}</label>
                <div class="search-row">
                    <StyleSelect id=select_id selected=d.style.clone() lang />
                    <button type="submit" class="button small">{lang.pick("Appliquer", "Apply")}</button>
                </div>
            </ActionForm>
            <div class="actions">
                <a class="button" href=manage>{lang.pick("Gérer les boîtes", "Manage mailboxes")}</a>
                <a class="button" href=filter>{lang.pick("Filtrage", "Filtering")}</a>
                <a class="button" href=dns>"DNS"</a>
                <a class="button" href=settings>{lang.pick("Autres noms et limites", "Other names and limits")}</a>
                <a class="button danger" href=delete>{lang.pick("Supprimer…", "Delete…")}</a>
            </div>
        </li>
    }
}

#[component]
pub fn DeleteDomainPage() -> impl IntoView {
    let name = use_params_map()
        .read_untracked()
        .get("name")
        .unwrap_or_default();
    let data = Resource::new(|| (), |_| admin_domains());
    view! {
        <Signed
            roles=ADMINS
            render=move |_| view! { <ConfirmDomainDelete name=name.clone() data /> }
        />
    }
}

#[component]
fn ConfirmDomainDelete(
    name: String,
    data: Resource<Result<Vec<DomainRow>, ServerFnError>>,
) -> impl IntoView {
    let lang = current_lang();
    let action = form_action::<DeleteDomain>();
    let r = action.value();
    view! {
        <Title text=lang.pick("Supprimer un domaine — courrier", "Delete a domain — courrier") />
        <Loaded
            data
            render=move |list| {
                        match list.into_iter().find(|d| d.name == name) {
                            Some(d) => {
                                let what = match lang {
                                    Lang::Fr => format!(
                                        "{} et tout leur courrier ({}) seront effacés définitivement ; le courrier envoyé à @{} sera refusé.",
                                        crate::i18n::count(d.accounts, lang, ("compte", "comptes"), ("", "")),
                                        format_size(d.used_bytes, lang),
                                        d.name
                                    ),
                                    Lang::En => format!(
                                        "{} and all their mail ({}) will be erased for good; mail sent to @{} will be refused.",
                                        crate::i18n::count(d.accounts, lang, ("", ""), ("account", "accounts")),
                                        format_size(d.used_bytes, lang),
                                        d.name
                                    ),
                                };
                                view! {
                                    <section class="card danger" aria-labelledby="del-title">
                                        <a class="back" href="/admin">{lang.pick("← Domaines", "← Domains")}</a>
                                        <h1 id="del-title">
                                            {lang.pick("Supprimer ", "Delete ")} {d.name.clone()} " ?"
                                        </h1>
                                        <p>{what}</p>
                                        <ActionForm action attr:id=form_id(&action) attr:class="form">
                                            <input type="hidden" name="name" value=d.name.clone() />
                                            <div class="check">
                                                <input id="everything" name="everything" type="checkbox" />
                                                <label for="everything">
                                                    {lang.pick(
                                                        "Oui, effacer aussi toutes les boîtes et leur courrier",
                                                        "Yes, erase every mailbox and its mail too",
                                                    )}
                                                </label>
                                            </div>
                                            <p class="error" role="alert">{error_of(r, "everything")}</p>
                                            <FormNotice result=r lang />
                                            <div class="button-row">
                                                <button type="submit" class="button danger">
                                                    {lang.pick("Supprimer le domaine", "Delete the domain")}
                                                </button>
                                                <a class="button" href="/admin">{lang.pick("Annuler", "Cancel")}</a>
                                            </div>
                                        </ActionForm>
                                    </section>
                                }
                                    .into_any()
                            }
                            None => view! {
                                <p class="card error" role="alert">
                                    {lang.pick("Ce domaine n'est pas hébergé ici.", "This domain is not hosted here.")}
                                </p>
                            }
                                .into_any(),
                        }
            }
        />
    }
}
