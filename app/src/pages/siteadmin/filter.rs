//! `/siteadmin/filter`: what the domain asks of its inbound mail (sender and spam checks off,
//! mark only, or refuse; viruses looked for or not), and what was refused or marked lately.

use super::{MANAGERS, domain_param, portal_href};
use crate::api::filter::{SetDomainFilter, domain_filter};
use crate::domain::filter::Filtering;
use crate::model::DomainFilterView;
use crate::pages::components::field::{Check, Choices, FormState};
use crate::pages::components::filter_log::FilterLogList;
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{FormNotice, form_action, form_id};
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn FilterPage() -> impl IntoView {
    let data = Resource::new(domain_param, domain_filter);
    view! {
        <Signed
            roles=MANAGERS
            render=move |_| view! { <Loaded data render=|v| view! { <FilterView v /> } /> }
        />
    }
}

#[component]
fn FilterView(v: DomainFilterView) -> impl IntoView {
    let lang = current_lang();
    let domain = domain_param();
    let action = form_action::<SetDomainFilter>();
    let form = FormState::of(action);
    let current = form
        .kept("filtering")
        .unwrap_or_else(|| v.filtering.clone());
    let choices = [Filtering::Refuse, Filtering::Mark, Filtering::Off]
        .into_iter()
        .map(|f| (f.as_str(), f.label(lang)))
        .collect();
    view! {
        <Title text=lang.pick("Filtrage — courrier", "Filtering — courrier") />
        <section class="card" aria-labelledby="filter-title">
            <a class="back" href=portal_href("/siteadmin", &domain)>
                {lang.pick("← Utilisateurs", "← Users")}
            </a>
            <h1 id="filter-title">{lang.pick("Courrier entrant", "Incoming mail")} " — " {v.domain.clone()}</h1>
            <p class="hint">
                {lang.pick(
                    "Chaque message pour le domaine est vérifié avant d'être accepté : l'expéditeur (SPF, DKIM, DMARC), les virus et les indésirables. Ce qui est refusé l'est pendant l'envoi : l'expéditeur en est averti par son propre serveur.",
                    "Every message for the domain is checked before it is accepted: the sender (SPF, DKIM, DMARC), viruses and junk. What is refused is refused while it is sent: the sender is told by their own server.",
                )}
            </p>
            <ActionForm action attr:id=form_id(&action) attr:class="form">
                {domain.clone().map(|d| view! { <input type="hidden" name="domain" value=d /> })}
                <Choices
                    name="filtering"
                    legend=lang.pick("Indésirables et expéditeurs falsifiés", "Junk and forged senders")
                    choices
                    current
                />
                <Check
                    name="viruses"
                    id="viruses"
                    checked=form.checked("viruses", v.viruses)
                    label=lang.pick(
                        "Refuser les messages contenant un virus",
                        "Refuse messages that carry a virus",
                    )
                />
                <FormNotice result=action.value() lang />
                <button type="submit" class="button primary">{lang.pick("Enregistrer", "Save")}</button>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="filtered-title">
            <h2 id="filtered-title">{lang.pick("Refusés et marqués (30 jours)", "Refused and marked (30 days)")}</h2>
            <FilterLogList rows=v.log lang with_recipient=true />
        </section>
    }
}
