//! The lists of an account's security page (issue 16), shown to its owner and, read-only,
//! to their webmaster: web sessions, sign-ins at every door, app passwords.

use crate::domain::security::{Door, Method};
use crate::i18n::{Lang, format_datetime};
use crate::model::{AppPasswordView, SignInView, WebSessionView};
use leptos::prelude::*;

/// "Jamais" or the date.
fn when(t: Option<i64>, lang: Lang) -> String {
    t.map(|t| format_datetime(t, lang))
        .unwrap_or_else(|| lang.pick("jamais", "never").to_string())
}

fn door_label(door: &str, lang: Lang) -> String {
    Door::parse(door)
        .map(|d| d.label(lang).to_string())
        .unwrap_or_else(|| door.to_string())
}

/// The last sign-ins, newest first; a repeated one says how many times and since when.
#[component]
pub fn SignInList(rows: Vec<SignInView>, lang: Lang) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">{lang.pick("Aucune connexion.", "No sign-in.")}</p> }
            .into_any();
    }
    view! {
        <ul class="log sign-ins">
            {rows
                .into_iter()
                .map(|r| {
                    let outcome = if r.ok {
                        lang.pick("Réussie", "Succeeded")
                    } else {
                        lang.pick("Refusée", "Refused")
                    };
                    let method = Method::parse(&r.method)
                        .map(|m| m.label(lang).to_string())
                        .unwrap_or(r.method.clone());
                    let method = match &r.app_password {
                        Some(name) => format!("{method} « {name} »"),
                        None => method,
                    };
                    let repeated = (r.count > 1)
                        .then(|| {
                            crate::tr!(
                                lang,
                                " · {} fois depuis le {}",
                                " · {} times since {}",
                                r.count,
                                format_datetime(r.first_at, lang)
                            )
                        });
                    view! {
                        <li class=if r.ok { "ok" } else { "refused" }>
                            <p class="log-head">
                                <strong>{outcome}</strong>
                                " · "
                                {door_label(&r.door, lang)}
                            </p>
                            <p class="log-detail">{method} " · " {r.ip.clone()}</p>
                            <p class="muted log-meta">{format_datetime(r.at, lang)} {repeated}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The signed-in web sessions; for their `owner`, a "sign out" button on each other one (the
/// webmaster's view is read-only).
#[component]
pub fn SessionList(rows: Vec<WebSessionView>, lang: Lang, owner: bool) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">{lang.pick("Aucune session ouverte.", "No open session.")}</p> }
            .into_any();
    }
    view! {
        <ul class="log sessions">
            {rows
                .into_iter()
                .map(|s| {
                    let this = s
                        .current
                        .then(|| view! { <span class="badge">{lang.pick("cette session", "this session")}</span> });
                    let device = s.device.clone();
                    let button = (owner && !s.current).then(|| {
                        let action = ServerAction::<crate::api::security::EndSession>::new();
                        view! {
                            <ActionForm action attr:class="inline-form">
                                <input type="hidden" name="id" value=s.id.clone() />
                                <button
                                    type="submit"
                                    class="button small"
                                    aria-label=crate::tr!(lang, "Fermer la session {}", "Sign out session {}", device)
                                >
                                    {lang.pick("Fermer", "Sign out")}
                                </button>
                            </ActionForm>
                        }
                    });
                    view! {
                        <li>
                            <p class="log-head"><strong>{s.device.clone()}</strong> " " {this}</p>
                            <p class="log-detail">{s.ip.clone()}</p>
                            <p class="muted log-meta">
                                {lang.pick("Ouverte ", "Started ")} {when(s.started_at, lang)} " · "
                                {lang.pick("vue ", "seen ")} {when(s.last_seen_at, lang)}
                            </p>
                            {button}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
        .into_any()
}

/// What an app password opens, in words.
pub fn scope_words(p: &AppPasswordView, lang: Lang) -> String {
    match (p.pop3, p.submission) {
        (true, true) => lang.pick("relève et envoi", "collecting and sending"),
        (true, false) => lang.pick("relève seulement", "collecting only"),
        _ => lang.pick("envoi seulement", "sending only"),
    }
    .to_string()
}

/// One app password's facts: what it opens, until when, its last use.
#[component]
pub fn AppPasswordFacts(p: AppPasswordView, lang: Lang) -> impl IntoView {
    let ends = match p.expires_at {
        Some(t) => crate::tr!(lang, "expire le {}", "expires {}", format_datetime(t, lang)),
        None => lang.pick("sans fin", "no end").to_string(),
    };
    let used = match (p.last_used_at, &p.last_used_door, &p.last_used_ip) {
        (Some(t), door, ip) => crate::tr!(
            lang,
            "Dernier usage : {} · {} · {}",
            "Last used: {} · {} · {}",
            format_datetime(t, lang),
            door.as_deref()
                .map(|d| door_label(d, lang))
                .unwrap_or_default(),
            ip.clone().unwrap_or_default()
        ),
        _ => lang.pick("Jamais utilisé.", "Never used.").to_string(),
    };
    view! {
        <p class="log-head"><strong>{p.name.clone()}</strong></p>
        <p class="log-detail">{scope_words(&p, lang)} " · " {ends}</p>
        <p class="muted log-meta">{used}</p>
    }
}
