//! `/siteadmin/dns`: what the domain must publish in DNS, each record checked now, and the
//! zone file to download (the server admin reaches any domain's with `?domain=`).

use super::{MANAGERS, domain_param, portal_href};
use crate::api::dns::domain_dns;
use crate::model::DnsPageView;
use crate::pages::components::dns_records::DnsRecords;
use crate::pages::components::loaded::Loaded;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DnsPage() -> impl IntoView {
    let data = Resource::new(domain_param, domain_dns);
    view! {
        <Signed
            roles=MANAGERS
            render=move |_| view! { <Loaded data render=|v| view! { <DnsView v /> } /> }
        />
    }
}

#[component]
fn DnsView(v: DnsPageView) -> impl IntoView {
    let lang = current_lang();
    let domain = domain_param();
    let zone = format!("/dns-zone/{}", v.name);
    let mut v = v;
    let aliases = std::mem::take(&mut v.aliases);
    view! {
        <Title text=lang.pick("DNS — courrier", "DNS — courrier") />
        <section class="card" aria-labelledby="dns-title">
            <a class="back" href=portal_href("/siteadmin", &domain)>
                {lang.pick("← Utilisateurs", "← Users")}
            </a>
            <h1 id="dns-title">{lang.pick("DNS du domaine", "The domain's DNS")} " — " {v.name.clone()}</h1>
            <p class="hint">
                {lang.pick(
                    "Ces enregistrements se publient chez le gestionnaire DNS de votre domaine (souvent là où vous l'avez acheté). Chacun est vérifié à l'instant : une modification peut prendre quelques heures avant d'être vue partout. Touchez une valeur pour la sélectionner, puis copiez-la.",
                    "These records are published with your domain's DNS provider (often where you bought it). Each one is checked right now: a change can take a few hours to be seen everywhere. Tap a value to select it, then copy it.",
                )}
            </p>
            <p>
                <a class="icon-button" href=zone download="">
                    {lang.pick("Télécharger le fichier de zone", "Download the zone file")}
                </a>
            </p>
            <DnsRecords v lang />
        </section>
        {aliases.into_iter().map(|a| view! { <AliasDns v=a lang /> }).collect_view()}
    }
}

/// The records of one of the domain's other names (a domain alias, issue 17).
#[component]
fn AliasDns(v: DnsPageView, lang: crate::i18n::Lang) -> impl IntoView {
    let zone = format!("/dns-zone/{}", v.name);
    let title_id = format!("dns-alias-{}", v.name.replace('.', "-"));
    let labelled_by = title_id.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=title_id>{lang.pick("Autre nom du domaine", "Another name of the domain")} " — " {v.name.clone()}</h2>
            <p class="hint">
                {lang.pick(
                    "Le courrier adressé à ce nom arrive dans les mêmes boîtes. Il lui faut ses propres enregistrements, chez le gestionnaire DNS de ce nom.",
                    "Mail sent to this name reaches the same mailboxes. It needs its own records, with this name's DNS provider.",
                )}
            </p>
            <p>
                <a class="icon-button" href=zone download="">
                    {lang.pick("Télécharger son fichier de zone", "Download its zone file")}
                </a>
            </p>
            <DnsRecords v lang />
        </section>
    }
}
