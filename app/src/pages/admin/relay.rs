//! Relay grants: open SMTP relay for a customer's fixed address (IP or CIDR), for one domain,
//! with a note, an hourly cap and an optional end; revoke one. Every change is in the log.

use super::{ADMINS, AdminNav};
use crate::api::admin::{AddGrant, RevokeGrant, admin_grants};
use crate::model::GrantRow;
use crate::pages::components::field::{Check, Field, FormState};
use crate::pages::components::loaded::Loaded;
use crate::pages::components::log::GrantList;
use crate::pages::components::notice::{FormNotice, error_of};
use crate::pages::components::notice::{form_action, form_id};
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use crate::pages::islands::ConfirmButton;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RelayPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| admin_grants());
    view! { <Signed roles=ADMINS render=move |_| view! { <Relay data /> } /> }
}

#[component]
fn Relay(data: Resource<Result<Vec<GrantRow>, ServerFnError>>) -> impl IntoView {
    let lang = current_lang();
    let add = form_action::<AddGrant>();
    let revoke = form_action::<RevokeGrant>();
    let r = add.value();
    let form = FormState::of(add);
    view! {
        <Title text=lang.pick("Relais — courrier", "Relay — courrier") />
        <section class="card">
            <h1>{lang.pick("Relais SMTP", "SMTP relay")}</h1>
            <AdminNav current="/admin/relay" lang />
            <p class="hint">
                {lang.pick(
                    "Pour un client à adresse IP fixe : ses envois vers l'extérieur sont acceptés, seulement avec une adresse d'expéditeur de son domaine, et dans la limite horaire.",
                    "For a customer with a fixed IP address: their mail to the outside is accepted, only from a sender address of their domain, within the hourly cap.",
                )}
            </p>
        </section>
        <Loaded data render=move |list| {
                        let active: Vec<GrantRow> = list.iter().filter(|g| g.active).cloned().collect();
                        view! {
                            <section class="card" aria-labelledby="grants-title">
                                <h2 id="grants-title">{lang.pick("Autorisations", "Grants")}</h2>
                                <GrantList grants=list lang />
                                {(!active.is_empty()).then(|| view! {
                                    <h3>{lang.pick("Fermer un relais", "Revoke a grant")}</h3>
                                    <ul class="alias-list">
                                        {active.into_iter().map(|g| {
                                            let label = format!("{} ({})", g.network, g.domain);
                                            view! {
                                                <li>
                                                    <span>{label.clone()}</span>
                                                    <ActionForm action=revoke attr:class="inline-form">
                                                        <input type="hidden" name="id" value=g.id.to_string() />
                                                        <ConfirmButton
                                                            label=lang.pick("Fermer", "Revoke").to_string()
                                                            question=crate::api::questions::close_grant(lang)
                                                            class="button small danger".to_string()
                                                            aria_label=format!("{} {label}", lang.pick("Fermer", "Revoke"))
                                                        />
                                                    </ActionForm>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                })}
                                <p class="error" role="alert">{error_of(revoke.value(), "grant")}</p>
                            </section>
                        }
        } />
        <section class="card" aria-labelledby="grant-add-title">
            <h2 id="grant-add-title">{lang.pick("Ouvrir un relais", "Grant relay")}</h2>
            <ActionForm action=add attr:id=form_id(&add) attr:class="form">
                <Field
                    form
                    name="network"
                    id="grant-network"
                    label=lang.pick("Adresse IP ou bloc (CIDR)", "IP address or block (CIDR)")
                    required=true
                    verbatim=true
                    placeholder="192.0.2.7"
                />
                <Field
                    form
                    name="domain"
                    id="grant-domain"
                    label=lang.pick("Domaine du client", "Customer's domain")
                    required=true
                    verbatim=true
                />
                <Field
                    form
                    name="note"
                    id="grant-note"
                    label=lang.pick("Note (qui, pourquoi)", "Note (who, why)")
                />
                <div class="field-row">
                    <Field
                        form
                        name="expires"
                        id="grant-expires"
                        kind="date"
                        label=lang.pick("Jusqu'au (facultatif)", "Until (optional)")
                    />
                    <Field
                        form
                        name="cap"
                        id="grant-cap"
                        inputmode="numeric"
                        placeholder="200"
                        label=lang.pick("Messages par heure", "Messages an hour")
                    />
                </div>
                <Check
                    name="wide"
                    id="grant-wide"
                    checked=form.checked("wide", false)
                    label=lang.pick(
                        "Réseau large (plus qu'un /24 ou un /48) : c'est bien voulu",
                        "Wide network (more than a /24 or a /48): this is meant",
                    )
                />
                <FormNotice result=r lang />
                <button type="submit" class="button primary">{lang.pick("Ouvrir le relais", "Grant relay")}</button>
            </ActionForm>
        </section>
    }
}
