//! The domain's mailboxes at a glance: who, which addresses, how full, forward or responder
//! on; a search for long lists (a plain GET form, live once the page is interactive).

use super::{MANAGERS, domain_param, portal_href};
use crate::api::siteadmin::overview;
use crate::i18n::{Lang, format_size};
use crate::model::{DomainOverview, UserRow};
use crate::pages::components::loaded::Loaded;
use crate::pages::components::log::GrantList;
use crate::pages::components::usage::UsageMeter;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SiteAdminPage() -> impl IntoView {
    // Resources are created once, here, outside the guard's Suspense: one created inside it
    // could be made twice and the browser's hydration would no longer match the server's.
    let domain = domain_param();
    let data = Resource::new(move || domain.clone(), overview);
    view! { <Signed roles=MANAGERS render=move |_| view! { <DomainPage data /> } /> }
}

#[component]
fn DomainPage(data: Resource<Result<DomainOverview, ServerFnError>>) -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("Mon domaine — courrier", "My domain — courrier") />
        <Loaded data render=move |o| view! { <Overview o lang /> } />
    }
}

fn matches(u: &UserRow, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    q.is_empty()
        || u.login.contains(&q)
        || u.display_name().to_lowercase().contains(&q)
        || u.aliases.iter().any(|a| a.contains(&q))
}

#[component]
fn Overview(o: DomainOverview, lang: Lang) -> impl IntoView {
    let domain = domain_param();
    let initial = use_query_map()
        .read_untracked()
        .get("q")
        .unwrap_or_default();
    let (search, set_search) = signal(initial.clone());
    let count = o.users.len();
    let grants = o.grants.clone();
    let users = StoredValue::new(o.users);
    let summary = match lang {
        Lang::Fr => format!(
            "{count} boîte(s) aux lettres — {} utilisés",
            format_size(o.used_bytes, lang)
        ),
        Lang::En => format!(
            "{count} mailbox(es) — {} used",
            format_size(o.used_bytes, lang)
        ),
    };
    let add_href = portal_href("/siteadmin/add", &domain);
    let shown = move || {
        users.with_value(|all| {
            all.iter()
                .filter(|u| matches(u, &search.get()))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" aria-labelledby="domain-title">
            <p class="badge">{lang.pick("Administration du site", "Site administration")}</p>
            <h1 id="domain-title">{o.domain.clone()}</h1>
            <p class="lead">{summary}</p>
            <div class="button-row">
                <a class="button primary" href=add_href>
                    {lang.pick("Ajouter un utilisateur", "Add user")}
                </a>
                <a class="button" href=portal_href("/siteadmin/log", &domain)>
                    {lang.pick("Journal des modifications", "Change log")}
                </a>
            </div>
        </section>
        <section class="card" aria-labelledby="users-title">
            <h2 id="users-title">{lang.pick("Utilisateurs", "Users")}</h2>
            <form method="get" role="search" class="search">
                {domain.clone().map(|d| view! { <input type="hidden" name="domain" value=d /> })}
                <label for="q">{lang.pick("Rechercher", "Search")}</label>
                <div class="search-row">
                    <input
                        id="q"
                        name="q"
                        type="search"
                        value=initial
                        autocomplete="off"
                        placeholder=lang.pick("nom, login ou alias", "name, login or alias")
                        on:input=move |ev| set_search.set(event_target_value(&ev))
                    />
                    <button type="submit" class="button">
                        {lang.pick("Chercher", "Search")}
                    </button>
                </div>
            </form>
            <ul class="users">
                {move || {
                    let list = shown();
                    if list.is_empty() {
                        view! {
                            <li class="muted">{lang.pick("Aucun utilisateur.", "No user.")}</li>
                        }
                            .into_any()
                    } else {
                        list.into_iter()
                            .map(|u| view! { <UserItem u lang domain=domain.clone() /> })
                            .collect_view()
                            .into_any()
                    }
                }}
            </ul>
        </section>
        <section class="card" aria-labelledby="relay-title">
            <h2 id="relay-title">{lang.pick("Relais SMTP (adresse fixe)", "SMTP relay (fixed address)")}</h2>
            <p class="hint">
                {lang.pick(
                    "Ouvert par votre hébergeur pour l'adresse IP fixe de vos bureaux, sur demande.",
                    "Opened by your host for your office's fixed IP address, on request.",
                )}
            </p>
            <GrantList grants=grants lang />
        </section>
    }
}

#[component]
fn UserItem(u: UserRow, lang: Lang, domain: Option<String>) -> impl IntoView {
    let name = u.display_name();
    let title = if name.is_empty() {
        u.login.clone()
    } else {
        name
    };
    let edit = portal_href(&format!("/siteadmin/user/{}", u.login), &domain);
    let mail = portal_href(&format!("/siteadmin/user/{}/mail", u.login), &domain);
    let aliases = (!u.aliases.is_empty()).then(|| {
        view! {
            <p class="aliases">
                <span class="muted">{lang.pick("Alias : ", "Aliases: ")}</span>
                {u.aliases.join(", ")}
            </p>
        }
    });
    view! {
        <li class="user">
            <div class="user-head">
                <strong class="user-name">{title}</strong>
                <span class="login">{u.login.clone()}</span>
            </div>
            {aliases}
            <UsageMeter used=u.used_bytes quota=u.quota_bytes lang />
            <p class="flags">
                {(u.role == crate::domain::Role::Webmaster)
                    .then(|| view! { <span class="flag">"Webmaster"</span> })}
                {u
                    .forwarding
                    .then(|| {
                        view! {
                            <span class="flag on">{lang.pick("Renvoi actif", "Forward on")}</span>
                        }
                    })}
                {u
                    .responder
                    .then(|| {
                        view! {
                            <span class="flag on">
                                {lang.pick("Répondeur actif", "Responder on")}
                            </span>
                        }
                    })}
                {u
                    .suspended
                    .then(|| {
                        view! { <span class="flag warn">{lang.pick("Suspendu", "Suspended")}</span> }
                    })}
            </p>
            <div class="actions">
                <a class="icon-button" href=edit>
                    <img src="/icons/pen.svg" alt="" width="24" height="24" />
                    <span>{lang.pick("Modifier", "Edit")}</span>
                </a>
                <a class="icon-button" href=mail>
                    <img src="/icons/mailbox.svg" alt="" width="24" height="24" />
                    <span>{lang.pick("Renvoi et répondeur", "Forward and responder")}</span>
                </a>
            </div>
        </li>
    }
}
