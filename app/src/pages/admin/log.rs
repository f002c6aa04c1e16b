//! The server-wide change log.

use super::{ADMINS, AdminNav};
use crate::api::admin::admin_log;
use crate::model::LogPage;
use crate::pages::components::loaded::Loaded;
use crate::pages::components::log::LogList;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminLogPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            query
                .read()
                .get("before")
                .and_then(|b| b.parse::<i64>().ok())
        },
        admin_log,
    );
    view! { <Signed roles=ADMINS render=move |_| view! { <Log data /> } /> }
}

#[component]
fn Log(data: Resource<Result<LogPage, ServerFnError>>) -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("Journal — courrier", "Change log — courrier") />
        <section class="card">
            <h1>{lang.pick("Journal des modifications", "Change log")}</h1>
            <AdminNav current="/admin/log" lang />
            <Loaded data render=move |page| {
                            let more = page.more.map(|id| view! {
                                <a class="button" href=format!("/admin/log?before={id}")>
                                    {lang.pick("Plus ancien", "Older")}
                                </a>
                            });
                            view! { <LogList entries=page.entries lang /> {more} }
            } />
        </section>
    }
}
