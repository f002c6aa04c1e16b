//! `/admin/dns`: the host's own records — its addresses, their reverse names (PTR), its SPF
//! and DKIM keys for its bounces — checked now, for the server admin.

use super::{ADMINS, AdminNav};
use crate::api::dns::{certificates, host_dns};
use crate::i18n::Lang;
use crate::model::{CertificatesView, DnsPageView};
use crate::pages::components::dns_records::DnsRecords;
use crate::pages::components::loaded::Loaded;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HostDnsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| host_dns());
    let certs = Resource::new(|| (), |_| certificates());
    view! {
        <Signed
            roles=ADMINS
            render=move |_| {
                view! {
                    <Loaded data render=|v| view! { <HostDns v /> } />
                    <Loaded data=certs render=|c| view! { <Certificates c /> } />
                }
            }
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

/// The certificates obtained by ACME: names, until when, the last failure.
#[component]
fn Certificates(c: CertificatesView) -> impl IntoView {
    let lang = current_lang();
    let intro = if c.acme {
        lang.pick(
            "Obtenus par ACME pour le nom du serveur et, par domaine, ses noms qui mènent ici ; renouvelés d'eux-mêmes avant leur fin, sans redémarrage.",
            "Obtained by ACME for the server's name and, per domain, its names that lead here; renewed by themselves before they end, without a restart.",
        )
    } else {
        lang.pick(
            "ACME n'est pas activé ([acme] dans la configuration) : le serveur présente le certificat configuré, ou un certificat autosigné que les téléphones signalent.",
            "ACME is off ([acme] in the configuration): the server presents the configured certificate, or a self-signed one that phones warn about.",
        )
    };
    view! {
        <section class="card" aria-labelledby="certs-title">
            <h2 id="certs-title">{lang.pick("Certificats TLS", "TLS certificates")}</h2>
            <p class="hint">{intro}</p>
            <ul class="records">
                {c.list.into_iter().map(|x| view! { <Certificate x lang /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Certificate(x: crate::model::CertificateView, lang: Lang) -> impl IntoView {
    let when = move |t: i64| crate::i18n::format_datetime(t, lang);
    let (label, class) = match (&x.not_after, &x.last_error) {
        (Some(_), None) => (lang.pick("Valide", "Valid"), "badge ok"),
        (Some(_), Some(_)) => (
            lang.pick("Renouvellement en échec", "Renewal failing"),
            "badge bad",
        ),
        (None, _) => (
            lang.pick("Pas encore obtenu", "Not obtained yet"),
            "badge bad",
        ),
    };
    view! {
        <li class="record">
            <div class="record-head">
                <h3>{x.names.first().cloned().unwrap_or_default()}</h3>
                <span class=class>{label}</span>
            </div>
            <dl class="record-fields">
                <dt>{lang.pick("Noms", "Names")}</dt>
                <dd><code class="value">{x.names.join(", ")}</code></dd>
                {x.not_after.map(|t| view! {
                    <dt>{lang.pick("Jusqu'au", "Until")}</dt>
                    <dd>{when(t)}</dd>
                })}
                {x.issued_at.map(|t| view! {
                    <dt>{lang.pick("Obtenu le", "Obtained")}</dt>
                    <dd>{when(t)}</dd>
                })}
            </dl>
            {x.last_error.map(|e| view! {
                <p class="warning">
                    {lang.pick("Dernier essai : ", "Last attempt: ")}
                    {x.last_attempt_at.map(when).unwrap_or_default()} " — " {e}
                </p>
            })}
        </li>
    }
}
