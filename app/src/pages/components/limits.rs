//! A domain's use of the limits its host set (issue 17), with the same meters as a mailbox's
//! disk usage: mailboxes, aliases, quotas handed out and bytes stored against the storage.

use super::usage::Meter;
use crate::domain::limits::{Limits, Usage};
use crate::i18n::{Lang, format_count, format_size, percent_used};
use leptos::prelude::*;

/// One limit's line: its name, the meter and "used / limit".
#[component]
fn LimitLine(name: String, used: i64, max: i64, text: String) -> impl IntoView {
    view! {
        <li>
            <span class="limit-name">{name.clone()}</span>
            <Meter pct=Some(percent_used(used, Some(max))) text label=name />
        </li>
    }
}

#[component]
pub fn LimitMeters(limits: Limits, usage: Usage, lang: Lang) -> impl IntoView {
    if !limits.any() {
        return view! {
            <p class="muted">{lang.pick("Aucune limite pour ce domaine.", "No limit on this domain.")}</p>
        }
        .into_any();
    }
    let count = |used: i64, max: i64| {
        format!(
            "{} / {}",
            format_count(used.max(0) as u64, lang),
            format_count(max.max(0) as u64, lang)
        )
    };
    let size =
        |used: i64, max: i64| format!("{} / {}", format_size(used, lang), format_size(max, lang));
    let mut lines = Vec::new();
    if let Some(max) = limits.max_mailboxes {
        lines.push((
            lang.pick("Boîtes", "Mailboxes"),
            usage.mailboxes,
            max,
            count(usage.mailboxes, max),
        ));
    }
    if let Some(max) = limits.max_aliases {
        lines.push((
            lang.pick("Alias", "Aliases"),
            usage.aliases,
            max,
            count(usage.aliases, max),
        ));
    }
    if let Some(max) = limits.max_storage {
        lines.push((
            lang.pick("Quotas attribués", "Quotas handed out"),
            usage.quotas,
            max,
            size(usage.quotas, max),
        ));
        lines.push((
            lang.pick("Courrier stocké", "Mail stored"),
            usage.stored,
            max,
            size(usage.stored, max),
        ));
    }
    let quotas = match (limits.default_quota, limits.max_quota) {
        (None, None) => None,
        (d, m) => {
            let none = lang.pick("aucun", "none");
            let d = d
                .map(|b| format_size(b, lang))
                .unwrap_or_else(|| none.to_string());
            let m = m
                .map(|b| format_size(b, lang))
                .unwrap_or_else(|| none.to_string());
            Some(crate::tr!(
                lang,
                "Quota d'une boîte : {d} par défaut, {m} au plus.",
                "A mailbox's quota: {d} by default, {m} at most."
            ))
        }
    };
    let unlimited = (limits.max_storage.is_some() && usage.unlimited > 0).then(|| {
        crate::tr!(
            lang,
            "{} sans quota (d'avant la limite d'espace) : donnez-leur un quota.",
            "{} without a quota (from before the storage limit): give them one.",
            crate::i18n::count(
                usage.unlimited as u64,
                lang,
                ("boîte", "boîtes"),
                ("mailbox", "mailboxes")
            )
        )
    });
    view! {
        <h2 class="limits-title">{lang.pick("Limites fixées par l'hébergeur", "Limits set by the host")}</h2>
        <ul class="limits">
            {lines
                .into_iter()
                .map(|(name, used, max, text)| view! { <LimitLine name=name.to_string() used max text /> })
                .collect_view()}
        </ul>
        {quotas.map(|q| view! { <p class="hint">{q}</p> })}
        {unlimited.map(|u| view! { <p class="warning">{u}</p> })}
    }
    .into_any()
}
