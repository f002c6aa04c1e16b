//! `/admin/domain/:name`: what only the host changes on a domain (issue 17) — its other
//! names (domain aliases: mail to any address of the alias reaches the same mailbox of the
//! domain) and the limits it is sold with, beside what it uses now.

use super::ADMINS;
use crate::api::admin::{AddDomainAlias, DeleteDomainAlias, SetDomainLimits, domain_settings};
use crate::i18n::Lang;
use crate::model::DomainSettingsView;
use crate::pages::components::field::{Field, FormState};
use crate::pages::components::limits::LimitMeters;
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{FormNotice, error_of, form_action, form_id};
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn DomainSettingsPage() -> impl IntoView {
    let name = use_params_map()
        .read_untracked()
        .get("name")
        .unwrap_or_default();
    let data = Resource::new(move || name.clone(), domain_settings);
    view! {
        <Signed
            roles=ADMINS
            render=move |_| view! { <Loaded data render=|v| view! { <Settings v /> } /> }
        />
    }
}

#[component]
fn Settings(v: DomainSettingsView) -> impl IntoView {
    let lang = current_lang();
    let name = v.name.clone();
    view! {
        <Title text=lang.pick("Réglages du domaine — courrier", "Domain settings — courrier") />
        <section class="card" aria-labelledby="settings-title">
            <a class="back" href="/admin">{lang.pick("← Domaines", "← Domains")}</a>
            <p class="badge">{lang.pick("Administration du serveur", "Server administration")}</p>
            <h1 id="settings-title">{name.clone()}</h1>
            <LimitMeters limits=v.limits usage=v.usage lang />
        </section>
        <Aliases name=name.clone() aliases=v.aliases lang />
        <LimitsForm name v=v.limits lang />
    }
}

#[component]
fn Aliases(name: String, aliases: Vec<String>, lang: Lang) -> impl IntoView {
    let add = form_action::<AddDomainAlias>();
    let delete = form_action::<DeleteDomainAlias>();
    let r = add.value();
    let form = FormState::of(add);
    view! {
        <section class="card" aria-labelledby="aliases-title">
            <h2 id="aliases-title">{lang.pick("Autres noms du domaine", "Other names of the domain")}</h2>
            <p class="hint">
                {crate::tr!(
                    lang,
                    "Un autre nom (par exemple l'ancien nom du site) : le courrier adressé à n'importe quelle adresse de ce nom arrive dans la même boîte de {name}. Ses enregistrements DNS sont sur la page DNS du domaine.",
                    "Another name (the site's former name, say): mail sent to any address of that name reaches the same mailbox of {name}. Its DNS records are on the domain's DNS page."
                )}
            </p>
            {if aliases.is_empty() {
                view! { <p class="muted">{lang.pick("Aucun autre nom.", "No other name.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="alias-list">
                        {aliases
                            .into_iter()
                            .map(|a| {
                                let remove = format!("{} {a}", lang.pick("Retirer", "Remove"));
                                view! {
                                    <li>
                                        <span>{a.clone()}</span>
                                        <ActionForm action=delete attr:class="inline-form">
                                            <input type="hidden" name="alias" value=a.clone() />
                                            <button type="submit" class="button small danger" aria-label=remove>
                                                {lang.pick("Retirer", "Remove")}
                                            </button>
                                        </ActionForm>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <p class="error" role="alert">{error_of(delete.value(), "alias")}</p>
            <ActionForm action=add attr:id=form_id(&add) attr:class="form">
                <input type="hidden" name="name" value=name.clone() />
                <Field
                    form
                    name="alias"
                    id="domain-alias"
                    label=lang.pick("Ajouter un autre nom", "Add another name")
                    required=true
                    verbatim=true
                    placeholder="ancien-nom.fr"
                />
                <FormNotice result=r lang />
                <button type="submit" class="button primary">{lang.pick("Ajouter", "Add")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn LimitsForm(name: String, v: crate::domain::limits::Limits, lang: Lang) -> impl IntoView {
    let action = form_action::<SetDomainLimits>();
    let r = action.value();
    let form = FormState::of(action);
    let [mailboxes, aliases, storage, default_quota, max_quota] = v.as_typed();
    let empty = lang.pick("Vide : sans limite.", "Empty: no limit.");
    view! {
        <section class="card" aria-labelledby="limits-title">
            <h2 id="limits-title">{lang.pick("Limites", "Limits")}</h2>
            <p class="hint">
                {lang.pick(
                    "Ce que le domaine peut utiliser. Une limite plus basse que l'usage actuel ne retire rien : seuls les ajouts sont refusés.",
                    "What the domain may use. A limit below today's use takes nothing away: only additions are refused.",
                )}
            </p>
            <ActionForm action attr:id=form_id(&action) attr:class="form">
                <input type="hidden" name="name" value=name />
                <div class="field-row">
                    <Field
                        form
                        name="max_mailboxes"
                        label=lang.pick("Boîtes au plus", "Mailboxes at most")
                        inputmode="numeric"
                        value=mailboxes
                        hint=empty
                    />
                    <Field
                        form
                        name="max_aliases"
                        label=lang.pick("Alias au plus", "Aliases at most")
                        inputmode="numeric"
                        value=aliases
                        hint=empty
                    />
                </div>
                <Field
                    form
                    name="max_storage_mb"
                    label=lang.pick("Espace du domaine, en Mo", "The domain's storage, in MB")
                    inputmode="numeric"
                    value=storage
                    hint=lang.pick(
                        "La somme des quotas attribués ne peut pas le dépasser ; chaque boîte a alors un quota. Vide : sans limite.",
                        "The quotas handed out may not add up to more; every mailbox then has a quota. Empty: no limit.",
                    )
                />
                <div class="field-row">
                    <Field
                        form
                        name="default_quota_mb"
                        label=lang.pick("Quota par défaut, en Mo", "Default quota, in MB")
                        inputmode="numeric"
                        value=default_quota
                        hint=lang.pick("Donné à une boîte créée sans quota.", "Given to a mailbox made without one.")
                    />
                    <Field
                        form
                        name="max_quota_mb"
                        label=lang.pick("Quota maximum, en Mo", "Largest quota, in MB")
                        inputmode="numeric"
                        value=max_quota
                        hint=empty
                    />
                </div>
                <FormNotice result=r lang />
                <button type="submit" class="button primary">{lang.pick("Enregistrer les limites", "Save the limits")}</button>
            </ActionForm>
        </section>
    }
}
