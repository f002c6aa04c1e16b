//! The domain's mailboxes at a glance: who, which addresses, how full, forward or responder
//! on; a search for long lists (a plain GET form, live once the page is interactive).

use super::{MANAGERS, domain_param, portal_href};
use crate::api::siteadmin::overview;
use crate::i18n::{Lang, format_size};
use crate::model::{DomainOverview, UserRow};
use crate::pages::components::limits::LimitMeters;
use crate::pages::components::loaded::Loaded;
use crate::pages::components::log::GrantList;
use crate::pages::components::usage::UsageMeter;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use crate::pages::islands::{UserFilter, search_matches};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SiteAdminPage() -> impl IntoView {
    // Resources are created once, here, outside the guard's Suspense: one created inside it
    // could be made twice and the browser's hydration would no longer match the server's.
    let domain = domain_param();
    // The search and the page (numbered from 1 in the address) are the server's to apply:
    // a domain of thousands is sent a page at a time.
    let (q, page) = use_query_map().with_untracked(|m| {
        (
            m.get("q").filter(|q| !q.trim().is_empty()),
            m.get("page")
                .and_then(|p| p.parse::<usize>().ok())
                .map(|p| p.saturating_sub(1)),
        )
    });
    let data = Resource::new(
        move || (domain.clone(), q.clone(), page),
        |(domain, q, page)| overview(domain, q, page),
    );
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

#[component]
fn Overview(o: DomainOverview, lang: Lang) -> impl IntoView {
    let domain = domain_param();
    let initial = use_query_map()
        .read_untracked()
        .get("q")
        .unwrap_or_default();
    let count = o.total_users;
    let grants = o.grants.clone();
    let catch_all_choices = o.catch_all_choices.clone();
    let catch_all = o.catch_all.clone();
    let pager = Pager {
        page: o.page,
        pages: o.matching.div_ceil(o.page_size.max(1)).max(1),
        matching: o.matching,
        domain: domain.clone(),
        q: initial.clone(),
    };
    let catch_all_domain = domain.clone();
    let users = o.users;
    let any_shown = users
        .iter()
        .any(|u| search_matches(&u.search_text(), &initial));
    let summary = match lang {
        Lang::Fr => format!(
            "{} aux lettres — {} utilisés",
            crate::i18n::count(count as u64, lang, ("boîte", "boîtes"), ("", "")),
            format_size(o.used_bytes, lang)
        ),
        Lang::En => format!(
            "{} — {} used",
            crate::i18n::count(count as u64, lang, ("", ""), ("mailbox", "mailboxes")),
            format_size(o.used_bytes, lang)
        ),
    };
    let add_href = portal_href("/siteadmin/add", &domain);
    let others = (!o.aliases.is_empty()).then(|| {
        crate::tr!(
            lang,
            "Le courrier adressé à {} arrive aussi ici (mêmes noms, mêmes boîtes).",
            "Mail sent to {} arrives here too (same names, same mailboxes).",
            o.aliases
                .iter()
                .map(|a| format!("@{a}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let limits = o.limits;
    view! {
        <section class="card" aria-labelledby="domain-title">
            <p class="badge">{lang.pick("Administration du site", "Site administration")}</p>
            <h1 id="domain-title">{o.domain.clone()}</h1>
            <p class="lead">{summary}</p>
            {others.map(|t| view! { <p class="hint">{t}</p> })}
            {limits.map(|(limits, usage)| view! { <LimitMeters limits usage lang /> })}
            <div class="button-row">
                <a class="button primary" href=add_href>
                    {lang.pick("Ajouter un utilisateur", "Add user")}
                </a>
                <a class="button" href=portal_href("/siteadmin/log", &domain)>
                    {lang.pick("Journal des modifications", "Change log")}
                </a>
                <a class="button" href=portal_href("/siteadmin/filter", &domain)>
                    {lang.pick("Courrier entrant : filtrage", "Incoming mail: filtering")}
                </a>
                <a class="button" href=portal_href("/siteadmin/dns", &domain)>
                    {lang.pick("DNS du domaine", "The domain's DNS")}
                </a>
            </div>
        </section>
        <section class="card" aria-labelledby="users-title">
            <h2 id="users-title">{lang.pick("Utilisateurs", "Users")}</h2>
            <UserFilter lang domain=domain.clone() initial=initial.clone()>
                <ul class="users">
                    {users
                        .iter()
                        .map(|u| {
                            let shown = search_matches(&u.search_text(), &initial);
                            view! { <UserItem u=u.clone() lang domain=domain.clone() shown /> }
                        })
                        .collect_view()}
                    <li class="muted none" hidden=any_shown>
                        {lang.pick("Aucun utilisateur.", "No user.")}
                    </li>
                </ul>
            </UserFilter>
            {(pager.pages > 1).then(|| view! { <PagerNav pager lang /> })}
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
        <CatchAllForm choices=catch_all_choices current=catch_all domain=catch_all_domain lang />
    }
}

/// Where a long list of mailboxes stands: its page, the pages, and what the links keep.
struct Pager {
    page: usize,
    pages: usize,
    matching: usize,
    domain: Option<String>,
    q: String,
}

impl Pager {
    /// The list's address at page `page` (from 0), with the domain and the search kept.
    fn href(&self, page: usize) -> String {
        let mut params = Vec::new();
        if let Some(d) = &self.domain {
            params.push(format!("domain={}", urlencoding(d)));
        }
        if !self.q.trim().is_empty() {
            params.push(format!("q={}", urlencoding(&self.q)));
        }
        params.push(format!("page={}", page + 1));
        format!("/siteadmin?{}", params.join("&"))
    }
}

/// A query value as it goes in a link.
fn urlencoding(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn PagerNav(pager: Pager, lang: Lang) -> impl IntoView {
    let label = crate::tr!(
        lang,
        "Page {} sur {} ({} boîtes)",
        "Page {} of {} ({} mailboxes)",
        pager.page + 1,
        pager.pages,
        pager.matching
    );
    let previous = (pager.page > 0).then(|| pager.href(pager.page - 1));
    let next = (pager.page + 1 < pager.pages).then(|| pager.href(pager.page + 1));
    view! {
        <nav class="pager" aria-label=lang.pick("Pages de la liste", "List pages")>
            {previous
                .map(|href| {
                    view! {
                        <a class="button" href=href rel="prev">
                            {lang.pick("← Précédente", "← Previous")}
                        </a>
                    }
                })}
            <span aria-current="page">{label}</span>
            {next
                .map(|href| {
                    view! {
                        <a class="button" href=href rel="next">
                            {lang.pick("Suivante →", "Next →")}
                        </a>
                    }
                })}
        </nav>
    }
}

/// The mailbox that receives mail for unknown names of the domain (issue 17).
#[component]
fn CatchAllForm(
    choices: Option<Vec<(String, String)>>,
    current: Option<String>,
    domain: Option<String>,
    lang: Lang,
) -> impl IntoView {
    use crate::pages::components::notice::{FormNotice, error_of, form_action, form_id};
    let action = form_action::<crate::api::siteadmin::SetCatchAll>();
    let current = current.unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="catchall-title">
            <h2 id="catchall-title">{lang.pick("Adresse attrape-tout", "Catch-all address")}</h2>
            <p class="hint">
                {lang.pick(
                    "Le courrier envoyé à un nom inconnu du domaine (une faute de frappe, une ancienne adresse) arrive dans la boîte choisie au lieu d'être refusé. Attention : elle reçoit aussi tout le courrier indésirable envoyé au hasard des noms.",
                    "Mail sent to an unknown name of the domain (a typo, an old address) reaches the chosen mailbox instead of being refused. Beware: it also receives all the junk sent to made-up names.",
                )}
            </p>
            <ActionForm action attr:id=form_id(&action) attr:class="form">
                <input type="hidden" name="domain" value=domain.unwrap_or_default() />
                <div class="field">
                    <label for="catch-all">{lang.pick("Le courrier des noms inconnus va à", "Mail for unknown names goes to")}</label>
                    {match choices {
                        Some(choices) => view! {
                            <select id="catch-all" name="login" aria-describedby="login-error">
                                <option value="" selected=current.is_empty()>
                                    {lang.pick("personne (refusé, 550)", "nobody (refused, 550)")}
                                </option>
                                {choices
                                    .into_iter()
                                    .map(|(login, label)| {
                                        let selected = login == current;
                                        view! { <option value=login selected=selected>{label}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        }
                        .into_any(),
                        // Too many mailboxes for a list: the login, empty for nobody.
                        None => view! {
                            <input
                                id="catch-all"
                                name="login"
                                type="text"
                                value=current.clone()
                                autocomplete="off"
                                aria-describedby="catch-all-hint login-error"
                            />
                            <p id="catch-all-hint" class="hint">
                                {lang.pick(
                                    "Un identifiant du domaine ; vide : personne (refusé, 550).",
                                    "A login of the domain; empty: nobody (refused, 550).",
                                )}
                            </p>
                        }
                        .into_any(),
                    }}
                    <p id="login-error" class="error" role="alert">{error_of(action.value(), "login")}</p>
                </div>
                <FormNotice result=action.value() lang />
                <button type="submit" class="button">{lang.pick("Enregistrer", "Save")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn UserItem(u: UserRow, lang: Lang, domain: Option<String>, shown: bool) -> impl IntoView {
    let search = u.search_text();
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
        <li class="user" data-search=search hidden=!shown>
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
