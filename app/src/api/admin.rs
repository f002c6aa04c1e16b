//! The host's portal (`/admin`): domains and their first webmaster, the settings style each
//! domain's users see, relay grants, the outbound queue, the server-wide change log. Every
//! function is for the server admin only.

use crate::model::{DomainRow, GrantRow, LogPage, QueueRow};
use leptos::prelude::*;

/// The caller, if they are the server admin.
#[cfg(feature = "ssr")]
async fn admin() -> Result<super::context::Caller, ServerFnError> {
    let c = super::context::caller().await?;
    if c.role == crate::domain::Role::ServerAdmin {
        Ok(c)
    } else {
        Err(super::context::not_allowed(c.lang))
    }
}

#[server(endpoint = "admin/domains")]
pub async fn admin_domains() -> Result<Vec<DomainRow>, ServerFnError> {
    use super::context::*;
    let c = admin().await?;
    let list = state()?
        .store
        .list_domains()
        .await
        .map_err(|e| store_error(e, c.lang))?;
    Ok(list
        .into_iter()
        .map(|d| DomainRow {
            name: d.name,
            style: d.style,
            accounts: d.accounts,
            used_bytes: d.used_bytes,
            webmasters: d.webmasters,
            aliases: d.aliases,
            limits: d.limits.describe(c.lang),
        })
        .collect())
}

/// Adds a domain with its first webmaster; the browser is sent to the webmaster's welcome
/// sheet, with the password shown once.
#[server(endpoint = "admin/domain_add")]
pub async fn add_domain(
    name: String,
    first_name: String,
    last_name: String,
    style: String,
) -> super::FormResult {
    use super::context::*;
    let c = admin().await?;
    // Every field judged before refusing: the name and the webmaster's at once.
    let mut problems = Vec::new();
    if let Err(e) = crate::domain::DomainName::parse(&name) {
        problems.push(("name", crate::store::StoreError::from(e).message(c.lang)));
    }
    if first_name.trim().is_empty() && last_name.trim().is_empty() {
        problems.push((
            "webmaster",
            c.lang
                .pick(
                    "Entrez le prénom et le nom du webmaster du domaine.",
                    "Enter the first and last name of the domain's webmaster.",
                )
                .to_string(),
        ));
    }
    if let Some(refusal) = refused_fields(&problems) {
        return refusal;
    }
    let st = state()?;
    let names = (first_name.trim(), last_name.trim());
    let (d, created) = match st
        .store
        .add_domain(&c.actor, name.trim(), Some(names))
        .await
    {
        Ok(r) => r,
        Err(e @ crate::store::StoreError::Login(_)) => {
            return super::context::refused_store(Some("webmaster"), e, c.lang);
        }
        Err(e) => return super::context::refused_store(Some("name"), e, c.lang),
    };
    // Its DKIM keys, made beside (an RSA key takes a moment; the page does not wait).
    let (signing, id) = (st.signing.clone(), d.id);
    tokio::spawn(async move {
        if let Err(e) = signing.dkim_keys(Some(id)).await {
            tracing::warn!(domain = id, "cannot make DKIM keys: {e}");
        }
    });
    if style == "antivirus"
        && let Err(e) = st.store.set_domain_style(&c.actor, &d.name, &style).await
    {
        return super::context::refused_store(Some("style"), e, c.lang);
    }
    if let Some(wm) = created {
        session()
            .await?
            .insert(
                super::siteadmin::JUST_ADDED_KEY,
                (&wm.login, &wm.password, false),
            )
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))?;
        go_to(
            LocalPath::or("/siteadmin/welcome", "/")
                .join(&wm.login)
                .with_query("domain", &d.name),
        );
    }
    Ok(None)
}

#[server(endpoint = "admin/domain_style")]
pub async fn set_domain_style(name: String, style: String) -> super::FormResult {
    use super::context::*;
    let c = admin().await?;
    match state()?
        .store
        .set_domain_style(&c.actor, &name, &style)
        .await
    {
        Ok(()) => Ok(None),
        Err(e) => super::context::refused_store(Some("style"), e, c.lang),
    }
}

/// Deletes a domain; with mailboxes, only when `everything` confirms it.
#[server(endpoint = "admin/domain_delete")]
pub async fn delete_domain(name: String, everything: Option<String>) -> super::FormResult {
    use super::context::*;
    let c = admin().await?;
    match state()?
        .store
        .delete_domain(&c.actor, &name, everything.is_some())
        .await
    {
        Ok(()) => {
            announce(crate::tr!(
                c.lang,
                "Le domaine {name} a été supprimé.",
                "The domain {name} was deleted."
            ));
            go_to(LocalPath::or("/admin", "/"));
            Ok(None)
        }
        Err(e) => super::context::refused_store(Some("everything"), e, c.lang),
    }
}

#[server(endpoint = "admin/grants")]
pub async fn admin_grants() -> Result<Vec<GrantRow>, ServerFnError> {
    use super::context::*;
    let c = admin().await?;
    Ok(state()?
        .store
        .list_grants()
        .await
        .map_err(|e| store_error(e, c.lang))?
        .into_iter()
        .rev()
        .map(super::grant_row)
        .collect())
}

/// Opens relay for an address or a CIDR block, for one domain.
#[server(endpoint = "admin/grant_add")]
pub async fn add_grant(
    network: String,
    domain: String,
    note: String,
    expires: String,
    cap: String,
    wide: Option<String>,
) -> super::FormResult {
    use super::context::*;
    use crate::domain::mailtime::end_of_day;
    let c = admin().await?;
    // Every field judged before refusing: the network, the date and the cap at once.
    let mut problems = Vec::new();
    if crate::domain::network::Network::parse(network.trim()).is_err() {
        let problem = crate::domain::grant::GrantProblem::Network(network.trim().to_string());
        problems.push((problem.field(), problem.message(c.lang)));
    }
    let expires_at = match expires.trim() {
        "" => None,
        d => {
            let t = end_of_day(d);
            if t.is_none() {
                problems.push((
                    "expires",
                    c.lang
                        .pick(
                            "Une date au format AAAA-MM-JJ.",
                            "A date written YYYY-MM-DD.",
                        )
                        .to_string(),
                ));
            }
            t
        }
    };
    let cap = match cap.trim() {
        "" => None,
        n => {
            let parsed = n.parse::<i32>().ok();
            if parsed.is_none() {
                problems.push((
                    "cap",
                    c.lang
                        .pick(
                            "Un nombre de messages par heure.",
                            "A number of messages an hour.",
                        )
                        .to_string(),
                ));
            }
            parsed
        }
    };
    if let Some(refusal) = refused_fields(&problems) {
        return refusal;
    }
    let r = state()?
        .store
        .add_grant(
            &c.actor,
            crate::store::relay::NewGrant {
                network: network.trim(),
                domain: domain.trim(),
                expires_at,
                note: &note,
                hourly_cap: cap,
                wide: wide.is_some(),
            },
        )
        .await;
    match r {
        Ok(_) => Ok(None),
        Err(e) => super::context::refused_store(Some("network"), e, c.lang),
    }
}

/// Closes a relay grant, once confirmed.
#[server(endpoint = "admin/grant_revoke")]
pub async fn revoke_grant(id: i64, confirmed: Option<String>) -> super::FormResult {
    use super::context::*;
    let c = admin().await?;
    if !is_confirmed(&confirmed) {
        return ask(super::questions::close_grant(c.lang));
    }
    match state()?.store.revoke_grant(&c.actor, id).await {
        Ok(()) => {
            announce(c.lang.pick("Relais fermé.", "Relay closed."));
            Ok(None)
        }
        Err(e) => super::context::refused_store(Some("grant"), e, c.lang),
    }
}

#[server(endpoint = "admin/queue")]
pub async fn admin_queue() -> Result<Vec<QueueRow>, ServerFnError> {
    use super::context::*;
    let c = admin().await?;
    Ok(state()?
        .store
        .queue_list(200)
        .await
        .map_err(|e| store_error(e, c.lang))?
        .into_iter()
        .map(|m| QueueRow {
            id: m.id,
            kind: m.kind,
            mail_from: m.mail_from,
            rcpt_to: m.rcpt_to,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_answer: crate::domain::queue_answer::render(&m.last_answer, c.lang),
            created_at: m.created_at,
        })
        .collect())
}

/// "Retry now" or "delete" (once confirmed) on a queued message.
#[server(endpoint = "admin/queue_act")]
pub async fn queue_act(id: i64, act: String, confirmed: Option<String>) -> super::FormResult {
    use super::context::*;
    let c = admin().await?;
    let st = state()?;
    if act == "delete" && !is_confirmed(&confirmed) {
        return ask(super::questions::unqueue(c.lang));
    }
    let r = match act.as_str() {
        "retry" => st.store.queue_retry_now(id).await,
        "delete" => st.store.queue_delete(id).await,
        _ => return Err(not_allowed(c.lang)),
    };
    match r {
        Ok(()) => {
            announce(if act == "retry" {
                c.lang.pick("Nouvel essai demandé.", "Retry asked for.")
            } else {
                c.lang
                    .pick("Message retiré de la file.", "Message taken off the queue.")
            });
            Ok(None)
        }
        Err(e) => super::context::refused_store(Some("queue"), e, c.lang),
    }
}

/// The server-wide change log.
#[server(endpoint = "admin/log")]
pub async fn admin_log(before: Option<i64>) -> Result<LogPage, ServerFnError> {
    let c = admin().await?;
    super::log_page(None, before, c.lang).await
}

/// A domain's other names and limits, with what it uses (`/admin/domain/:name`).
#[server(endpoint = "admin/domain_settings")]
pub async fn domain_settings(
    name: String,
) -> Result<crate::model::DomainSettingsView, ServerFnError> {
    use super::context::*;
    let c = admin().await?;
    let st = state()?;
    let d = st
        .store
        .domain(&name)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    let aliases = st
        .store
        .domain_aliases(d.id)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    let (limits, usage) = st
        .store
        .limits_and_usage(&d)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    Ok(crate::model::DomainSettingsView {
        name: d.name,
        aliases,
        limits,
        usage,
    })
}

/// Makes `alias` another name of the hosted domain `name` (issue 17).
#[server(endpoint = "admin/domain_alias_add")]
pub async fn add_domain_alias(name: String, alias: String) -> super::FormResult {
    use super::context::*;
    let c = admin().await?;
    match state()?
        .store
        .add_domain_alias(&c.actor, alias.trim(), &name)
        .await
    {
        Ok(added) => {
            say(crate::tr!(
                c.lang,
                "{added} est maintenant un autre nom de {name} : publiez ses enregistrements DNS.",
                "{added} is now another name of {name}: publish its DNS records."
            ));
            Ok(None)
        }
        Err(e) => refused_store(Some("alias"), e, c.lang),
    }
}

/// Takes a domain alias back: mail to that name is refused again.
#[server(endpoint = "admin/domain_alias_delete")]
pub async fn delete_domain_alias(alias: String) -> super::FormResult {
    use super::context::*;
    let c = admin().await?;
    match state()?
        .store
        .delete_domain_alias(&c.actor, alias.trim())
        .await
    {
        Ok(()) => {
            say(crate::tr!(
                c.lang,
                "{alias} n'est plus un nom de ce domaine.",
                "{alias} is no longer a name of this domain."
            ));
            Ok(None)
        }
        Err(e) => refused_store(Some("alias"), e, c.lang),
    }
}

/// The limits of a domain, as typed (counts, sizes in MB; empty: no limit).
#[server(endpoint = "admin/domain_limits")]
pub async fn set_domain_limits(
    name: String,
    max_mailboxes: String,
    max_aliases: String,
    max_storage_mb: String,
    default_quota_mb: String,
    max_quota_mb: String,
) -> super::FormResult {
    use super::context::*;
    let c = admin().await?;
    let typed = [
        max_mailboxes.as_str(),
        max_aliases.as_str(),
        max_storage_mb.as_str(),
        default_quota_mb.as_str(),
        max_quota_mb.as_str(),
    ];
    let limits = match crate::domain::limits::Limits::parse(typed) {
        Ok(l) => l,
        Err(problems) => {
            let fields: Vec<(&str, String)> = problems
                .iter()
                .map(|p| (p.field().unwrap_or("limits"), p.message(c.lang)))
                .collect();
            return refused_fields(&fields).unwrap_or(Ok(None));
        }
    };
    match state()?
        .store
        .set_domain_limits(&c.actor, &name, &limits)
        .await
    {
        Ok(_) => {
            say(crate::tr!(
                c.lang,
                "Limites de {name} : {}.",
                "Limits of {name}: {}.",
                limits.describe(c.lang)
            ));
            Ok(None)
        }
        Err(e) => refused_store(Some("limits"), e, c.lang),
    }
}
