//! The DNS page (issue 15): what a domain must publish, each record checked live through the
//! server's resolver (found, missing, different — with what was found), in the reader's
//! language; the host's own records for the server admin; the zone file to download. The
//! rules are `domain::dns_plan`; this is who may see what, and the lookups.

use crate::model::DnsPageView;
#[cfg(feature = "ssr")]
use crate::model::DnsRecordView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::dns_plan::{DkimRecord, Host, Kind, Status, Wanted};

/// The host as the records need it: its configured addresses, else what DNS says of its name.
#[cfg(feature = "ssr")]
pub async fn host(st: &crate::state::AppState) -> Host {
    let mh = &st.mail_host;
    let (addresses, configured) = if mh.addresses.is_empty() {
        // What DNS says of the name — only addresses the world can reach.
        let mut found = Vec::new();
        for kind in [Kind::A, Kind::Aaaa] {
            found.extend(st.dns.records(&mh.name, kind).await.unwrap_or_default());
        }
        found.retain(|a| crate::domain::dns_plan::public_address(a));
        (found, false)
    } else {
        (mh.addresses.clone(), true)
    };
    Host {
        name: mh.name.clone(),
        addresses,
        configured,
        pop3: st.client_ports.pop3,
        pop3s: st.client_ports.pop3s,
        submission: st.client_ports.submission,
        mta_sts_enforce: mh.mta_sts_enforce,
    }
}

/// DKIM keys as the plan lists them (the ones worth publishing, with their state).
#[cfg(feature = "ssr")]
pub async fn dkim_records(
    st: &crate::state::AppState,
    domain_id: Option<i64>,
) -> Result<Vec<DkimRecord>, String> {
    let keys = st.signing.dkim_keys(domain_id).await?;
    Ok(crate::store::dkim::records(&keys, crate::store::now()))
}

/// A domain's records (the DNS page, the zone file, the help page).
#[cfg(feature = "ssr")]
pub async fn domain_plan(
    st: &crate::state::AppState,
    d: &crate::store::entities::domain::Model,
) -> Result<(Host, Vec<Wanted>), String> {
    let host = host(st).await;
    let dkim = dkim_records(st, Some(d.id)).await?;
    let plan = crate::domain::dns_plan::domain_plan(&d.name, &d.style, &host, &dkim);
    Ok((host, plan))
}

/// Every record looked up (at once) and judged; Err (in words) when DNS cannot be reached
/// at all.
#[cfg(feature = "ssr")]
pub async fn checked(
    dns: &dyn crate::state::DnsLookup,
    host: &Host,
    plan: Vec<Wanted>,
) -> Result<Vec<(Wanted, Status)>, String> {
    let lookups = plan.iter().map(|w| async move {
        let mut found = Vec::new();
        for (name, kind) in w.lookups() {
            found.extend(dns.records(&name, kind).await?);
        }
        Ok::<_, String>(found)
    });
    let answers = futures_util::future::join_all(lookups).await;
    // Nothing answered: DNS is out of reach (one failing name is a finding, not an outage).
    if !answers.is_empty() && answers.iter().all(Result::is_err) {
        return Err(answers
            .into_iter()
            .find_map(Result::err)
            .unwrap_or_default());
    }
    Ok(plan
        .into_iter()
        .zip(answers)
        .map(|(w, found)| {
            let status = match found {
                Ok(found) => crate::domain::dns_plan::judge(&w, &found, host),
                Err(e) => Status::Different(vec![e]),
            };
            (w, status)
        })
        .collect())
}

/// The records as the page shows them, in the reader's language.
#[cfg(feature = "ssr")]
pub fn view(
    name: String,
    host: &Host,
    checked: Result<Vec<(Wanted, Status)>, String>,
    plan: Vec<Wanted>,
    lang: crate::i18n::Lang,
) -> DnsPageView {
    let (rows, error) = match checked {
        Ok(rows) => (rows, None),
        Err(e) => (
            plan.into_iter().map(|w| (w, Status::Missing)).collect(),
            Some(e),
        ),
    };
    let reachable = error.is_none();
    let records = rows
        .into_iter()
        .map(|(w, status)| {
            let (title, words) = crate::domain::dns_plan::words(&w.purpose, lang);
            let found = match &status {
                Status::Different(f) => f.clone(),
                _ => Vec::new(),
            };
            DnsRecordView {
                title,
                words,
                name: format!("{}.", w.name),
                kind: w.kind.as_str().to_string(),
                value: match w.kind {
                    Kind::Txt => w.value.clone(),
                    Kind::A | Kind::Aaaa => w.value.clone(),
                    _ if w.value == "0 0 0 ." => w.value.clone(),
                    _ => format!("{}.", w.value),
                },
                status: if reachable {
                    status.as_str()
                } else {
                    "unknown"
                }
                .to_string(),
                found,
                optional: w.optional,
            }
        })
        .collect();
    DnsPageView {
        name,
        error,
        warnings: crate::domain::dns_plan::host_warnings(host, lang),
        records,
        aliases: Vec::new(),
    }
}

/// A domain's records, checked (`/siteadmin/dns`; the server admin's for any domain).
#[server(endpoint = "dns/domain")]
pub async fn domain_dns(domain: Option<String>) -> Result<DnsPageView, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    let d = c.managed_domain(domain.as_deref()).await?;
    let st = state()?;
    let (host, plan) = domain_plan(&st, &d).await.map_err(ServerFnError::new)?;
    let result = checked(st.dns.as_ref(), &host, plan.clone()).await;
    let mut page = view(d.name.clone(), &host, result, plan, c.lang);
    // Each other name of the domain, with the records mail to it needs (issue 17).
    let names = st
        .store
        .domain_aliases(d.id)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    for name in names {
        let plan = alias_plan(&st, &d, &name)
            .await
            .map_err(ServerFnError::new)?;
        let result = checked(st.dns.as_ref(), &host, plan.clone()).await;
        let mut v = view(name, &host, result, plan, c.lang);
        v.warnings.clear();
        page.aliases.push(v);
    }
    Ok(page)
}

/// The records of `alias`, another name of `d`: its mail records, signed with `d`'s keys.
#[cfg(feature = "ssr")]
pub async fn alias_plan(
    st: &crate::state::AppState,
    d: &crate::store::entities::domain::Model,
    alias: &str,
) -> Result<Vec<Wanted>, String> {
    let host = host(st).await;
    let dkim = dkim_records(st, Some(d.id)).await?;
    Ok(crate::domain::dns_plan::alias_plan(alias, &host, &dkim))
}

/// The host's own records, checked (`/admin/dns`, server admin only).
#[server(endpoint = "dns/host")]
pub async fn host_dns() -> Result<DnsPageView, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    if c.role != crate::domain::Role::ServerAdmin {
        return Err(not_allowed(c.lang));
    }
    let st = state()?;
    let host = host(&st).await;
    let dkim = dkim_records(&st, None).await.map_err(ServerFnError::new)?;
    let plan = crate::domain::dns_plan::host_plan(&host, &dkim);
    let result = checked(st.dns.as_ref(), &host, plan.clone()).await;
    Ok(view(host.name.clone(), &host, result, plan, c.lang))
}

/// The certificates obtained by ACME and their state (server admin only).
#[server(endpoint = "admin/certificates")]
pub async fn certificates() -> Result<crate::model::CertificatesView, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    if c.role != crate::domain::Role::ServerAdmin {
        return Err(not_allowed(c.lang));
    }
    let st = state()?;
    let list = st
        .store
        .certificates()
        .await
        .map_err(|e| store_error(e, c.lang))?
        .into_iter()
        .map(|m| crate::model::CertificateView {
            label: m.label,
            names: m
                .names
                .split(',')
                .filter(|n| !n.is_empty())
                .map(String::from)
                .collect(),
            not_after: m.not_after,
            issued_at: m.issued_at,
            last_attempt_at: m.last_attempt_at,
            last_error: m.last_error,
        })
        .collect();
    Ok(crate::model::CertificatesView {
        acme: st.mail_host.acme,
        list,
    })
}

/// The zone file of a domain, for the webmaster (of that domain) or the server admin; None
/// when the caller may not see it.
#[cfg(feature = "ssr")]
pub async fn zone_file(
    st: &crate::state::AppState,
    caller: &crate::store::entities::account::Model,
    domain: &str,
) -> Result<Option<(String, String)>, String> {
    use crate::domain::Role;
    let name = domain.to_ascii_lowercase();
    // A domain, or another name of one (its records, on the domain's manager's page).
    let (d, alias) = match st.store.domain(&name).await {
        Ok(d) => (d, None),
        Err(_) => match st.store.domain_alias(&name).await {
            Ok(Some((alias, d))) => (d, Some(alias)),
            _ => return Ok(None),
        },
    };
    let allowed = match Role::parse(&caller.role).unwrap_or(Role::User) {
        Role::ServerAdmin => true,
        Role::Webmaster => caller.domain_id == Some(d.id),
        Role::User => false,
    };
    if !allowed {
        return Ok(None);
    }
    let (origin, plan) = match alias {
        Some(alias) => {
            let plan = alias_plan(st, &d, &alias).await?;
            (alias, plan)
        }
        None => (d.name.clone(), domain_plan(st, &d).await?.1),
    };
    let comment = format!(
        "{origin}: the records courrier needs (made {}); SOA and NS stay your DNS provider's",
        crate::i18n::iso_date(crate::store::now())
    );
    Ok(Some((
        format!("{origin}.zone"),
        crate::domain::dns_plan::zone_file(&origin, &plan, &comment),
    )))
}
