//! The domain's change log: who changed what, when, from which address.

use super::{MANAGERS, domain_param, portal_href};
use crate::api::siteadmin::domain_log;
use crate::model::LogPage;
use crate::pages::components::log::LogList;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LogPageView() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("domain").filter(|d| !d.is_empty()),
                q.get("before").and_then(|b| b.parse::<i64>().ok()),
            )
        },
        |(domain, before)| domain_log(domain, before),
    );
    view! { <Signed roles=MANAGERS render=move |_| view! { <LogView data /> } /> }
}

#[component]
fn LogView(data: Resource<Result<LogPage, ServerFnError>>) -> impl IntoView {
    let lang = current_lang();
    let domain = domain_param();
    view! {
        <Title text=lang.pick("Journal — courrier", "Change log — courrier") />
        <section class="card" aria-labelledby="log-title">
            <a class="back" href=portal_href("/siteadmin", &domain)>
                {lang.pick("← Utilisateurs", "← Users")}
            </a>
            <h1 id="log-title">{lang.pick("Journal des modifications", "Change log")}</h1>
            <Suspense fallback=move || {
                view! { <p>{lang.pick("Chargement…", "Loading…")}</p> }
            }>
                {move || {
                    let domain = domain.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(page) => {
                                let more = page
                                    .more
                                    .map(|id| {
                                        let href = match &domain {
                                            Some(d) => format!("/siteadmin/log?domain={d}&before={id}"),
                                            None => format!("/siteadmin/log?before={id}"),
                                        };
                                        view! {
                                            <a class="button" href=href>
                                                {lang.pick("Plus ancien", "Older")}
                                            </a>
                                        }
                                    });
                                view! {
                                    <LogList entries=page.entries lang />
                                    {more}
                                }
                                    .into_any()
                            }
                            Err(e) => {
                                view! {
                                    <p class="error" role="alert">{crate::api::error_text(&e)}</p>
                                }
                                    .into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}
