//! `/admin/dns`: the host's own records — its addresses, their reverse names (PTR), its SPF
//! and DKIM keys for its bounces — checked now, for the server admin.

use super::{ADMINS, AdminNav};
use crate::api::dns::host_dns;
use crate::model::DnsPageView;
use crate::pages::components::dns_records::DnsRecords;
use crate::pages::components::loaded::Loaded;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HostDnsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| host_dns());
    view! {
        <Signed
            roles=ADMINS
            render=move |_| view! { <Loaded data render=|v| view! { <HostDns v /> } /> }
        />
    }
}

#[component]
fn HostDns(v: DnsPageView) -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("DNS du serveur — courrier", "Server DNS — courrier") />
        <section class="card">
            <p class="badge">{lang.pick("Administration du serveur", "Server administration")}</p>
            <h1>{lang.pick("DNS du serveur", "The server's DNS")}</h1>
            <AdminNav current="/admin/dns" lang />
        </section>
        <section class="card" aria-labelledby="dns-title">
            <h2 id="dns-title">{v.name.clone()}</h2>
            <p class="hint">
                {lang.pick(
                    "Ce que les autres serveurs vérifient avant d'accepter le courrier de celui-ci. Chaque domaine a en plus les siens, sur sa page DNS.",
                    "What other servers check before they accept mail from this one. Each domain has its own besides, on its DNS page.",
                )}
            </p>
            <DnsRecords v lang />
        </section>
    }
}
