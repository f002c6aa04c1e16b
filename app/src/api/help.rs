//! "Aide en ligne": the seed's questions, answered with the signed-in person's real state —
//! their server, login and aliases, a forward or the responder that is on, the last mail
//! waiting, the last collection, and what DNS says about their domain. Anyone may read the
//! general answers; only the signed-in get their own (and the DNS lookups).

use crate::model::HelpView;
use leptos::prelude::*;

#[server(endpoint = "help")]
pub async fn help_answers() -> Result<HelpView, ServerFnError> {
    use super::context::*;
    use crate::domain::Role;
    use crate::model::{ConnectionSettings, DnsReport, HelpMe};
    let st = state()?;
    let lang = request_lang();
    let ports = st.client_ports.clone();
    let Some(a) = current_account().await? else {
        return Ok(HelpView { me: None, ports });
    };
    let Some(d) = st
        .store
        .domain_of(&a)
        .await
        .map_err(|e| store_error(e, lang))?
    else {
        // The server admin has no mailbox: the general answers.
        return Ok(HelpView { me: None, ports });
    };
    let settings = ConnectionSettings::for_user(&a.login, &d.name, &d.style);
    let own = st
        .store
        .addresses_of(&a)
        .await
        .map_err(|e| store_error(e, lang))?;
    let last_waiting = st
        .store
        .recent_messages(a.id, 1)
        .await
        .map_err(|e| store_error(e, lang))?
        .first()
        .map(|m| m.0);
    let messages = st
        .store
        .mailbox_count(a.id)
        .await
        .map_err(|e| store_error(e, lang))?;
    // "Je ne suis pas reconnu par le serveur": the DNS page's checks of what leads here.
    let checks = match super::dns::domain_plan(&st, &d).await {
        Ok((host, plan)) => {
            use crate::domain::dns_plan::Purpose;
            let plan: Vec<_> = plan
                .into_iter()
                .filter(|w| matches!(w.purpose, Purpose::Mx | Purpose::ClientServer))
                .collect();
            let result = super::dns::checked(st.dns.as_ref(), &host, plan.clone()).await;
            super::dns::view(d.name.clone(), &host, result, plan, lang).records
        }
        Err(e) => {
            tracing::warn!(domain = %d.name, "help: {e}");
            Vec::new()
        }
    };
    let dns = match st.dns.mail_records(&d.name, &settings.pop_server).await {
        Ok(r) => DnsReport {
            reachable: true,
            error: None,
            mx: r.mx,
            domain_addresses: r.domain_addresses,
            host_addresses: r.host_addresses,
            checks,
        },
        Err(e) => DnsReport {
            reachable: false,
            error: Some(e),
            ..Default::default()
        },
    };
    // What the checks refused for this mailbox in the last week ("Je ne relève pas mon
    // courrier" may be that).
    let refused: Vec<crate::model::FilterRow> = st
        .store
        .filter_log(
            crate::store::filter::LogOf::Account(a.id),
            crate::store::now() - 7 * 86_400,
            50,
        )
        .await
        .map_err(|e| store_error(e, lang))?
        .into_iter()
        .filter(|r| r.action == crate::store::filter::REFUSED)
        .map(|r| super::filter::row(r, lang))
        .collect();
    let role = Role::parse(&a.role).unwrap_or(Role::User);
    Ok(HelpView {
        me: Some(HelpMe {
            domain: d.name.clone(),
            admin_path: if d.style == "antivirus" {
                "/manage".into()
            } else {
                "/siteadmin".into()
            },
            manager: matches!(role, Role::Webmaster),
            aliases: own.iter().skip(1).cloned().collect(),
            forward: crate::domain::delivery::forward_list(&a.forward_to),
            keep_copy: a.forward_keep_copy,
            responder: a.responder_enabled,
            last_waiting,
            messages,
            last_pop3: a.last_pop3_login_at,
            refused,
            settings,
            dns,
        }),
        ports,
    })
}
