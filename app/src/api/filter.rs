//! The checks of inbound mail as people decide and see them (issue 14): each domain's choices
//! (its webmaster, or the server admin for any domain), each user's way of marking junk, and
//! what was refused or marked — a user sees their own, a webmaster their domain's.

use crate::model::{DomainFilterView, MyFilterView};
use leptos::prelude::*;

/// Entries of the filter log shown on a page.
#[cfg(feature = "ssr")]
const SHOWN: u64 = 50;

#[cfg(feature = "ssr")]
async fn rows(
    of: crate::store::filter::LogOf,
    lang: crate::i18n::Lang,
) -> Result<Vec<crate::model::FilterRow>, ServerFnError> {
    use super::context::*;
    use crate::store::filter::LOG_KEPT_DAYS;
    let since = crate::store::now() - LOG_KEPT_DAYS * 86_400;
    Ok(state()?
        .store
        .filter_log(of, since, SHOWN)
        .await
        .map_err(|e| store_error(e, lang))?
        .into_iter()
        .map(|r| row(r, lang))
        .collect())
}

/// A filter log entry as the pages show it, its reason in the reader's language.
#[cfg(feature = "ssr")]
pub fn row(
    r: crate::store::entities::filter_log::Model,
    lang: crate::i18n::Lang,
) -> crate::model::FilterRow {
    crate::model::FilterRow {
        at: r.at,
        sender: r.sender,
        recipient: r.recipient,
        action: r.action,
        reason: crate::domain::filter::render_reason(&r.reason, lang),
    }
}

/// A domain's choices and its recent log (`/siteadmin/filter`).
#[server(endpoint = "filter/domain")]
pub async fn domain_filter(domain: Option<String>) -> Result<DomainFilterView, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    let d = c.managed_domain(domain.as_deref()).await?;
    let p = crate::store::filter::policy_of(&d);
    Ok(DomainFilterView {
        domain: d.name.clone(),
        filtering: p.filtering.as_str().to_string(),
        viruses: p.viruses,
        log: rows(crate::store::filter::LogOf::Domain(d.id), c.lang).await?,
    })
}

/// Sets a domain's choices.
#[server(endpoint = "filter/domain_set")]
pub async fn set_domain_filter(
    domain: Option<String>,
    filtering: String,
    viruses: Option<String>,
) -> super::FormResult {
    use super::context::*;
    use crate::domain::filter::{Filtering, Policy};
    let c = caller().await?;
    let d = c.managed_domain(domain.as_deref()).await?;
    let Some(filtering) = Filtering::parse(&filtering) else {
        return refused_at(
            "filtering",
            c.lang.pick(
                "Choisissez un des trois réglages.",
                "Choose one of the three settings.",
            ),
        );
    };
    let p = Policy {
        filtering,
        viruses: viruses.is_some(),
    };
    if let Err(e) = state()?.store.set_domain_filter(&c.actor, &d.name, p).await {
        return refused_store(None, e, c.lang);
    }
    say(c.lang.pick("Enregistré.", "Saved."));
    Ok(None)
}

/// The caller's way of marking junk and what was refused or marked for them (`/personal`).
#[server(endpoint = "filter/mine")]
pub async fn my_filter() -> Result<MyFilterView, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    Ok(MyFilterView {
        junk_mode: crate::store::filter::junk_mode_of(&c.account)
            .as_str()
            .to_string(),
        log: rows(crate::store::filter::LogOf::Account(c.account.id), c.lang).await?,
    })
}

/// Sets how junk reaches the caller's mailbox.
#[server(endpoint = "filter/junk_mode")]
pub async fn set_junk_mode(mode: String) -> super::FormResult {
    use super::context::*;
    use crate::domain::filter::JunkMode;
    let c = caller().await?;
    let Some(mode) = JunkMode::parse(&mode) else {
        return refused_at(
            "mode",
            c.lang.pick(
                "Choisissez une des deux façons.",
                "Choose one of the two ways.",
            ),
        );
    };
    if let Err(e) = state()?
        .store
        .set_junk_mode(&c.actor, &c.account.login, mode)
        .await
    {
        return refused_store(None, e, c.lang);
    }
    say(c.lang.pick("Enregistré.", "Saved."));
    Ok(None)
}
